package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunDirtyTree: in a scratch git repository holding the spec, a
// full-scale run is refused while the tree has an uncommitted Go file,
// runs with --allow-dirty, and the tables say "From a dirty tree" and,
// read back, "Cached from".
func TestRunDirtyTree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	b, err := os.ReadFile("testdata/specs/demo.toml")
	if err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(repo, "demo.toml")
	os.WriteFile(spec, b, 0o644)
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"commit", "-q", "-m", "spec"}} {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	os.WriteFile(filepath.Join(repo, "wip.go"), []byte("package wip\n"), 0o644) // uncommitted code
	out := t.TempDir()
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"smoke runs from a dirty tree", []string{"run", spec, "--out", out, "--quiet"}, 0, "From a dirty tree (all 2 records)", ""},
		{"full is refused", []string{"run", spec, "--scale", "full", "--out", out, "--quiet"}, 2, "", `refusing to run 2 point(s) at scale "full" from a dirty git tree`},
		{"full with --allow-dirty", []string{"run", spec, "--scale", "full", "--out", out, "--quiet", "--allow-dirty"}, 0, "From a dirty tree (all 2 records)", ""},
		{"the table reads them back as cached", []string{"table", filepath.Join(out, "cli-demo", "full")}, 0, "Cached from", ""},
		{"the CSV says it per row", []string{"table", filepath.Join(out, "cli-demo", "full"), "--format", "csv"}, 0, "(dirty)", ""},
	}
	for _, c := range cases {
		code, stdout, stderr := cli(c.args...)
		if code != c.code || !strings.Contains(stdout, c.stdout) || !strings.Contains(stderr, c.stderr) {
			t.Errorf("%s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout %q, stderr %q", c.name, code, c.code, stdout, stderr, c.stdout, c.stderr)
		}
	}
}
