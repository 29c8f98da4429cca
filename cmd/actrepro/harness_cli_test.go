package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
)

// cli runs the actrepro command in-process.
func cli(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestRunTableEndToEnd(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := cli("run", "testdata/specs/demo.toml", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"SYNTHETIC DATA", "| 0 | 1 |", "2 runs (2 ran, 0 cached, 0 failed)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("run output lacks %q:\n%s", want, stdout)
		}
	}
	dir := results.Dir(out, "cli-demo", "smoke")
	if _, err := os.Stat(filepath.Join(dir, "table.md")); err != nil {
		t.Error(err)
	}
	// Flags after the positional argument, the cache, and --force.
	code, stdout, _ = cli("run", "--quiet", "testdata/specs/demo.toml", "--out", out)
	if code != 0 || !strings.Contains(stdout, "(0 ran, 2 cached, 0 failed)") {
		t.Errorf("second run: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = cli("run", "testdata/specs/demo.toml", "--out", out, "--quiet", "--force")
	if code != 0 || !strings.Contains(stdout, "(2 ran, 0 cached, 0 failed)") {
		t.Errorf("forced run: exit %d\n%s", code, stdout)
	}
	tex := filepath.Join(t.TempDir(), "t.tex")
	if code, _, stderr := cli("table", dir, "--format", "tex", "--out", tex); code != 0 {
		t.Errorf("table --out: exit %d %s", code, stderr)
	}
	if b, err := os.ReadFile(tex); err != nil || !strings.Contains(string(b), "SYNTHETIC DATA") {
		t.Errorf("table --out wrote %q, %v", b, err)
	}
	formats := []struct{ format, want string }{
		{"md", "> **SYNTHETIC DATA"},
		{"csv", "experiment,table,scale,data_source,hidden,signal"},
		{"tex", `\begin{tabular}`},
	}
	for _, f := range formats {
		code, stdout, stderr := cli("table", dir, "--format", f.format)
		if code != 0 || !strings.Contains(stdout, f.want) {
			t.Errorf("table --format %s: exit %d, %s\n%s", f.format, code, stderr, stdout)
		}
	}
}

func TestExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.toml")
	b, _ := os.ReadFile("testdata/specs/demo.toml")
	os.WriteFile(bad, bytes.Replace(b, []byte("hidden = 0 "), []byte("hiden = 0 "), 1), 0o644)
	syntax := filepath.Join(t.TempDir(), "syntax.toml")
	os.WriteFile(syntax, []byte("[experiment\nid = 1\n"), 0o644)
	cases := []struct {
		args []string
		code int
		want string // in stdout or stderr
	}{
		{[]string{"run"}, 2, "want exactly one SPEC"},
		{[]string{"run", "nope.toml", "--quiet"}, 2, "nope.toml"},
		{[]string{"run", bad, "--quiet"}, 2, "bad.toml:26: model.hiden: unknown key"},
		{[]string{"validate", bad}, 2, "bad.toml:26: model.hiden: unknown key"},
		{[]string{"validate", syntax}, 2, "syntax.toml:2: expected"},
		{[]string{"validate", "testdata/specs/demo.toml"}, 0, "ok  testdata/specs/demo.toml (2 smoke, 2 full runs)"},
		{[]string{"run", "--scale", "huge", "testdata/specs/demo.toml", "--quiet"}, 2, `no scale "huge"`},
		{[]string{"run", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"table", t.TempDir()}, 2, "no result records"},
		{[]string{"table", "x", "--format", "html"}, 2, "unknown format"},
		{[]string{"list", "--dir", "testdata/specs"}, 0, "no-such-task (not registered)"},
		{[]string{"version"}, 0, "tasks: "},
		{[]string{"run", "testdata/specs/demo.toml", "--plan", "--out", t.TempDir()}, 0, "cli-demo at scale smoke: 2 points, 2 to run"},
	}
	for _, c := range cases {
		code, stdout, stderr := cli(c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("actrepro %s: exit %d, want %d; output lacks %q:\n%s%s", strings.Join(c.args, " "), code, c.code, c.want, stdout, stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, c := range []string{"list", "validate", "run", "table", "reproduce", "version"} {
		code, stdout, _ := cli(c, "--help")
		if code != 0 || !strings.Contains(stdout, "Usage: actrepro "+c) {
			t.Errorf("%s --help: exit %d\n%s", c, code, stdout)
		}
	}
}

// TestReproduceContinuesPastFailures: an unregistered task fails loudly,
// after the other specs ran and their tables were written.
func TestReproduceContinuesPastFailures(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := cli("reproduce", "--dir", "testdata/specs", "--out", out, "--quiet")
	if code == 0 {
		t.Fatalf("exit 0 despite an unregistered task\n%s\n%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "2 specs, 1 ok, 1 failed") || !strings.Contains(stderr, `FAILED testdata/specs/orphan.toml`) || !strings.Contains(stderr, `no task named "no-such-task"`) {
		t.Errorf("output:\n%s\n%s", stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "cli-demo", "smoke", "table.md")); err != nil {
		t.Errorf("the good spec's table was not written: %v", err)
	}
}

func TestOrderByDepends(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile("testdata/specs/demo.toml")
	write := func(name, id, depends string) string {
		text := strings.Replace(string(b), `id = "cli-demo"`, fmt.Sprintf("id = %q\ndepends = [%s]", id, depends), 1)
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	a := write("a.toml", "derived", `"base"`) // sorts first, must run second
	z := write("z.toml", "base", ``)
	got, err := orderByDepends([]string{a, z})
	if err != nil || len(got) != 2 || got[0] != z || got[1] != a {
		t.Errorf("order %v, %v; want base first", got, err)
	}
	write("z.toml", "base", `"derived"`)
	if _, err := orderByDepends([]string{a, z}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: %v", err)
	}
	write("z.toml", "other", ``)
	if _, err := orderByDepends([]string{a, z}); err == nil || !strings.Contains(err.Error(), `names "base"`) {
		t.Errorf("unknown dependency: %v", err)
	}
}
