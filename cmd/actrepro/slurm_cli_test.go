package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/pointlock"
	"github.com/actrepro/actrepro/internal/results"
)

// TestPointAndStatus: --plan indices, --point by index and hash, the
// record of a single point, status from records alone, bad input.
func TestPointAndStatus(t *testing.T) {
	out := t.TempDir()
	const spec = "testdata/specs/demo.toml"
	code, stdout, stderr := cli("run", spec, "--plan", "--out", out)
	if code != 0 {
		t.Fatalf("plan: exit %d %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	f0, f1 := strings.Fields(lines[0]), strings.Fields(lines[1])
	if f0[0] != "0" || f1[0] != "1" {
		t.Fatalf("--plan lacks indices:\n%s", stdout)
	}
	hash1 := f1[1]
	code, stdout, stderr = cli("run", spec, "--point", "0", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stdout, "point 0 [") || !strings.Contains(stdout, "done in") {
		t.Fatalf("--point 0: exit %d\n%s%s", code, stdout, stderr)
	}
	dir := results.Dir(out, "cli-demo", "smoke")
	recs, _ := results.Load(dir)
	if len(recs) != 1 {
		t.Fatalf("%d records after one point, want 1", len(recs))
	}
	if ex, _ := recs[0].Extra["executor"].(map[string]any); ex["name"] != "local" {
		t.Errorf("record's executor %v, want local", recs[0].Extra["executor"])
	}
	if _, err := os.Stat(filepath.Join(dir, "table.md")); err == nil {
		t.Error("a single point rendered the table")
	}
	code, stdout, _ = cli("status", spec, "--out", out)
	if code != 0 || !strings.Contains(stdout, "1 done, 0 running, 0 pending, 0 failed, 1 missing") {
		t.Errorf("status: exit %d\n%s", code, stdout)
	}
	// Another process holds point 1: --point says busy, exits 0, trains nothing.
	rel, err := pointlock.Acquire(dir, hash1, pointlock.Options{PID: 1, Alive: func(int) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = cli("run", spec, "--point", hash1[:8], "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stdout, "being run by another process") || results.Exists(dir, hash1) {
		t.Errorf("held point: exit %d\n%s", code, stdout)
	}
	rel()
	code, stdout, _ = cli("run", spec, "--point", hash1, "--out", out, "--quiet")
	if code != 0 || !results.Exists(dir, hash1) {
		t.Errorf("--point HASH: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = cli("run", spec, "--point", "0", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stdout, "has a record already") {
		t.Errorf("--point of a done point: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = cli("run", spec, "--render-only", "--out", out, "--quiet")
	if code != 0 || !strings.Contains(stdout, "(0 ran, 2 cached, 0 failed)") {
		t.Errorf("--render-only: exit %d\n%s", code, stdout)
	}
}

func TestStatusHelp(t *testing.T) {
	code, stdout, _ := cli("status", "--help")
	if code != 0 || !strings.Contains(stdout, "Usage: actrepro status") || !strings.Contains(stdout, "-wait") {
		t.Errorf("status --help: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = cli("run", "--help")
	for _, f := range []string{"-point", "-executor", "-partition", "-max-parallel", "-sbatch-arg", "-gres"} {
		if code != 0 || !strings.Contains(stdout, f) {
			t.Errorf("run --help lacks %s", f)
		}
	}
}

func TestRenderOnlyTrainsNothing(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := cli("run", "testdata/specs/demo.toml", "--render-only", "--out", out, "--quiet")
	if code != 1 || !strings.Contains(stderr, "no record") {
		t.Errorf("--render-only without records: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if recs, _ := results.Load(results.Dir(out, "cli-demo", "smoke")); len(recs) != 0 {
		t.Errorf("--render-only trained %d points", len(recs))
	}
}

func TestSlurmBadInput(t *testing.T) {
	out := t.TempDir()
	const spec = "testdata/specs/demo.toml"
	empty := t.TempDir()
	cases := []struct {
		args []string
		path string // PATH, when set
		want string
	}{
		{[]string{"run", spec, "--point", "2"}, "", "point index 2 is out of range: the sweep has 2 points, indices 0 to 1"},
		{[]string{"run", spec, "--point", "-1"}, "", "out of range"},
		{[]string{"run", spec, "--point", "feedbeef"}, "", `no point of the sweep has hash "feedbeef"`},
		{[]string{"run", spec, "--executor", "pbs"}, "", `unknown --executor "pbs"`},
		{[]string{"run", spec, "--partition", "gpu"}, "", "--partition is a flag of --executor slurm"},
		{[]string{"run", spec, "--executor", "slurm", "--point", "0"}, "", "do not go with --executor slurm"},
		{[]string{"run", spec, "--executor", "slurm", "--max-parallel", "-1"}, "", "--max-parallel -1"},
		{[]string{"run", spec, "--executor", "slurm", "--sbatch-arg", "--array=0-3"}, "", "actrepro sets --array itself"},
		{[]string{"run", spec, "--executor", "slurm"}, empty, "sbatch not found in PATH"},
		{[]string{"status", spec, "--every", "0"}, "", "--every 0"},
		{[]string{"status"}, "", "want exactly one SPEC"},
	}
	for _, c := range cases {
		if c.path != "" {
			t.Setenv("PATH", c.path)
		}
		code, stdout, stderr := cli(append(c.args, "--out", out, "--quiet")...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("actrepro %s: exit %d, want 2 and %q:\n%s%s", strings.Join(c.args, " "), code, c.want, stdout, stderr)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("bad input wrote into the results directory: %v", entries)
	}
}
