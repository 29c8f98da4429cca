package data

import (
	"os"
	"path/filepath"
	"testing"
)

// realRoot returns the data root holding the real annotation files, or
// skips the test with a clear message when it is absent.
func realRoot(t testing.TB, sub string) string {
	t.Helper()
	root := os.Getenv(EnvDataRoot)
	if root == "" {
		t.Skipf("real data: $%s is not set (CI sets it to ../shared/data); skipping", EnvDataRoot)
	}
	if _, err := os.Stat(filepath.Join(root, sub)); err != nil {
		t.Skipf("real data: %s not found under $%s=%s; skipping", sub, EnvDataRoot, root)
	}
	return root
}

// writeFiles writes name -> content under a temp dir and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, c := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
