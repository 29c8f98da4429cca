package results

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteLoadRoundTrip(t *testing.T) {
	dir := Dir(t.TempDir(), "exp", "smoke")
	r := &Record{
		Experiment: "exp", Scale: "smoke", Hash: "0123456789abcdef", Label: "a=1",
		Metrics: map[string]float64{"acc": 0.75, "loss": math.NaN(), "big": math.Inf(1)},
		Curves:  map[string][]float64{"train_loss": {1, 0.5, math.Inf(-1)}},
		Config:  map[string]any{"model": map[string]any{"hidden": 4}},
		Start:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	// Neighbours Load must skip: a temp file of a killed writer, a non-record JSON, a table.
	os.WriteFile(filepath.Join(dir, ".x.json.tmp-123"), []byte("{"), 0o644)
	os.WriteFile(filepath.Join(dir, "other.json"), []byte(`{"hello": 1}`), 0o644)
	os.WriteFile(filepath.Join(dir, "table.md"), []byte("# t"), 0o644)
	recs, err := Load(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	g := recs[0]
	if g.Metrics["acc"] != 0.75 || !math.IsNaN(g.Metrics["loss"]) || !math.IsInf(g.Metrics["big"], 1) {
		t.Errorf("metrics %v", g.Metrics)
	}
	if c := g.Curves["train_loss"]; len(c) != 3 || !math.IsInf(c[2], -1) {
		t.Errorf("curve %v", c)
	}
	if !g.Start.Equal(r.Start) || g.Kind != Kind || g.Schema != Schema {
		t.Errorf("record %+v", g)
	}
	if n := CleanTemp(dir); n != 1 {
		t.Errorf("CleanTemp removed %d, want 1", n)
	}
	if !Exists(dir, r.Hash) || Exists(dir, "nope") {
		t.Error("Exists")
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, content, want string
	}{
		{"truncated", `{"kind": "actrepro.record", "hash": "x`, "malformed record JSON"},
		{"newer schema", `{"kind": "actrepro.record", "schema": 99}`, "newer than this actrepro"},
		{"bad metric", `{"kind": "actrepro.record", "schema": 1, "metrics": {"a": "x"}}`, "r.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "r.json"), []byte(c.content), 0o644)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("missing dir: no error")
	}
}

func TestGitCommitOutsideCheckout(t *testing.T) {
	c, dirty := GitCommit(t.TempDir())
	if c != "unknown" || dirty {
		t.Errorf("GitCommit outside a checkout = %q, %v", c, dirty)
	}
}

func TestDirtyStatus(t *testing.T) {
	cases := []struct {
		name, status string
		dirty        bool
	}{
		{"clean", "", false},
		{"modified Go file", " M internal/tasks/artemis/fit.go\x00", true},
		{"staged notebook", "M  notebooks/artemis/ak_text.ipynb\x00", true},
		{"deleted file", " D README.md\x00", true},
		{"untracked Go file", "?? internal/tasks/artemis/new.go\x00", true},
		{"untracked spec", "?? experiments/x.toml\x00", true},
		{"untracked go.sum", "?? go.sum\x00", true},
		{"untracked note", "?? notes.txt\x00", false},
		{"new records and table", "?? results/x/full/abc.json\x00 M results/x/full/table.md\x00", false},
		{"redrawn plots", " M plots/x/bars.svg\x00?? plots/x/bars.png\x00", false},
		{"plots Go source", " M plots/bars.go\x00", true},
		{"rename within results", "R  results/b.json\x00results/a.json\x00", false},
		{"code renamed into results", "R  results/b.go\x00internal/a.go\x00", true},
		{"rename of code", "R  internal/b.go\x00results/a.json\x00", true},
	}
	for _, c := range cases {
		if got := DirtyStatus([]byte(c.status)); got != c.dirty {
			t.Errorf("%s: DirtyStatus(%q) = %v, want %v", c.name, c.status, got, c.dirty)
		}
	}
}

func TestCommitChecker(t *testing.T) {
	outside := CommitChecker(t.TempDir())
	if !outside("0123456789abcdef0123456789abcdef01234567") {
		t.Error("outside a checkout a commit was flagged, though nothing can be checked")
	}
	head, _ := GitCommit(".")
	if head == "unknown" {
		t.Skip("not in a git checkout")
	}
	in := CommitChecker(".")
	cases := []struct {
		commit string
		exists bool
	}{
		{head, true},
		{"dd15b3194d60a0c4e8e7f8c8a8e5d1f0c1b2a3d4", false}, // cited by the ak-text records of c54547a, absent
		{"unknown", false},
		{"", false},
	}
	for _, c := range cases {
		if got := in(c.commit); got != c.exists {
			t.Errorf("commit %q: exists = %v, want %v", c.commit, got, c.exists)
		}
	}
}

// FuzzRead: any bytes in a record file give a record or an error, never a panic.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"kind": "actrepro.record", "schema": 1, "metrics": {"a": "NaN", "b": 1}, "curves": {"c": [1, "+Inf"]}}`))
	f.Add([]byte(`{"kind": "actrepro.record"`))
	f.Add([]byte(``))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "r.json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Skip(err)
		}
		if r, err := Read(p); err == nil && r.Kind != Kind {
			t.Errorf("accepted a record of kind %q", r.Kind)
		}
	})
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to open file descriptions: a second open in the
	// same process conflicts just as another process would.
	if _, err := Lock(dir); err == nil || !strings.Contains(err.Error(), "another actrepro process") {
		t.Errorf("second lock: %v", err)
	}
	unlock()
	unlock2, err := Lock(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

// TestGitCommitDirty runs GitCommit on a scratch repository through the
// states a developer's checkout goes through.
func TestGitCommitDirty(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("task.go", "package task\n")
	write("results/x/full/table.md", "old\n")
	git("add", ".")
	git("commit", "-q", "-m", "init")
	steps := []struct {
		name  string
		do    func()
		dirty bool
	}{
		{"clean", func() {}, false},
		{"a new record and a rewritten table", func() { write("results/x/full/abc.json", "{}"); write("results/x/full/table.md", "new\n") }, false},
		{"an untracked note", func() { write("notes.txt", "x") }, false},
		{"an untracked Go file", func() { write("internal/new.go", "package internal\n") }, true},
	}
	for _, s := range steps {
		s.do()
		commit, dirty := GitCommit(dir)
		if len(commit) != 40 || dirty != s.dirty {
			t.Errorf("%s: GitCommit = %q, dirty %v; want a commit, dirty %v", s.name, commit, dirty, s.dirty)
		}
	}
	os.Remove(filepath.Join(dir, "internal/new.go"))
	write("task.go", "package task\n\nvar X = 1\n")
	if _, dirty := GitCommit(dir); !dirty {
		t.Error("a modified tracked file: not dirty")
	}
}
