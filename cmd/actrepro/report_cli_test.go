package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	root := t.TempDir()
	spec := filepath.Join(root, "experiments", "demo", "quickstart.toml")
	b, err := os.ReadFile("../../experiments/demo/quickstart.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(spec), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "res")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"help", []string{"report", "--help"}, 0, "Usage: actrepro report", ""},
		{"extra argument", []string{"report", "x"}, 2, "", `unexpected argument "x"`},
		{"no runs yet", []string{"report", "--root", root}, 0, "index.html", ""},
		{"--out", []string{"report", "--root", root, "--out", out}, 0, filepath.Join(out, "index.md"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o, e bytes.Buffer
			code := run(tc.args, &o, &e)
			if code != tc.code || !strings.Contains(o.String(), tc.stdout) || !strings.Contains(e.String(), tc.stderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, o.String(), e.String())
			}
		})
	}
	page, err := os.ReadFile(filepath.Join(root, "results", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Quickstart: logistic regression", "NO MEASUREMENTS", `href="../experiments/demo/quickstart.toml"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
