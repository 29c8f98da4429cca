package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// fakeTask is a task without GoMLX: score = x * width / 2, fails for
// x == failX, blocks at x == blockX after announcing it on stdout.
type fakeTask struct {
	mu     sync.Mutex
	runs   map[int64]int
	failX  int64
	blockX int64
}

type fakeModel struct {
	X     int64 `toml:"x"`
	Width int64 `toml:"width,required"`
}

func (f *fakeTask) Validate(p runner.Point) error {
	var m fakeModel
	m.Width = 1
	if err := spec.DecodeStrict(p.Config["model"].(map[string]any), &m, "model"); err != nil {
		return err
	}
	if m.Width <= 0 {
		return spec.Errorf("model.width", "must be positive, got %d", m.Width)
	}
	return nil
}

func (f *fakeTask) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	var m fakeModel
	if err := spec.DecodeStrict(p.Config["model"].(map[string]any), &m, "model"); err != nil {
		return runner.Outcome{}, err
	}
	if results.Root(ctx) == "results" {
		return runner.Outcome{}, errors.New("the harness did not pass the results root in the context")
	}
	f.mu.Lock()
	f.runs[m.X]++
	fail, block := f.failX, f.blockX
	f.mu.Unlock()
	if m.X == block {
		fmt.Println("BLOCKING")
		os.Stdout.Sync()
		<-ctx.Done() // until killed
	}
	if m.X == fail {
		return runner.Outcome{}, errors.New("planted failure")
	}
	env.Progress.Start("train", 2)
	env.Progress.Step(1, map[string]float64{"loss": 1})
	env.Progress.Step(2, map[string]float64{"loss": 0.5})
	env.Progress.Finish()
	return runner.Outcome{
		Metrics:         map[string]float64{"score": float64(m.X*m.Width) / 2},
		Curves:          map[string][]float64{"loss": {1, 0.5}},
		DataFingerprint: "fake-fp",
		Params:          m.Width,
	}, nil
}

var fake = &fakeTask{runs: map[int64]int{}}

func init() { runner.Register("fake", fake) }

func reset(failX, blockX int64) {
	fake.mu.Lock()
	defer fake.mu.Unlock()
	fake.runs, fake.failX, fake.blockX = map[int64]int{}, failX, blockX
}

func totalRuns() int {
	fake.mu.Lock()
	defer fake.mu.Unlock()
	n := 0
	for _, c := range fake.runs {
		n += c
	}
	return n
}

func TestRunCacheForce(t *testing.T) {
	reset(0, 0)
	out := t.TempDir()
	opts := Options{OutDir: out, Backend: "fake-backend"}
	rep, err := Run(context.Background(), "testdata/fake.toml", opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != 5 || rep.Cached != 0 || len(rep.Records) != 5 {
		t.Fatalf("first run: ran %d cached %d records %d", rep.Ran, rep.Cached, len(rep.Records))
	}
	r := rep.Records[1]
	if r.Metrics["score"] != 2 || r.Backend != "fake-backend" || r.Seed != 7 || r.DataSource != "synthetic" ||
		r.DataFingerprint != "fake-fp" || r.Params != 2 || r.Commit == "" || r.Cores < 1 || r.SpecSHA256 == "" {
		t.Errorf("record %+v", r)
	}
	md, err := os.ReadFile(filepath.Join(out, "fake-sweep", "smoke", "table.md"))
	if err != nil || !strings.Contains(string(md), "SYNTHETIC DATA") || !strings.Contains(string(md), "| 2 | 2.50 | 2.00 | -0.50 |") {
		t.Errorf("table.md (%v):\n%s", err, md)
	}
	rep, err = Run(context.Background(), "testdata/fake.toml", opts)
	if err != nil || rep.Ran != 0 || rep.Cached != 5 || totalRuns() != 5 {
		t.Fatalf("second run: ran %d cached %d total runs %d, err %v", rep.Ran, rep.Cached, totalRuns(), err)
	}
	opts.Force = true
	rep, err = Run(context.Background(), "testdata/fake.toml", opts)
	if err != nil || rep.Ran != 5 || totalRuns() != 10 {
		t.Fatalf("forced run: ran %d total runs %d, err %v", rep.Ran, totalRuns(), err)
	}
	recs, _ := results.Load(out)
	if len(recs) != 5 {
		t.Errorf("%d records on disk after force, want 5", len(recs))
	}
	// A different scale is a different directory and different hashes.
	opts.Scale = "full"
	rep, err = Run(context.Background(), "testdata/fake.toml", opts)
	if err != nil || rep.Ran != 5 || rep.Records[0].Metrics["score"] != 2 {
		t.Fatalf("full: %+v %v", rep, err)
	}
}

func TestPointFailureDoesNotStopSweep(t *testing.T) {
	reset(3, 0)
	rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "1 of 5 points failed") || !strings.Contains(err.Error(), "x=3") || !strings.Contains(err.Error(), "planted failure") {
		t.Fatalf("error %v", err)
	}
	if rep.Ran != 4 || len(rep.Failed) != 1 {
		t.Errorf("ran %d failed %d", rep.Ran, len(rep.Failed))
	}
}

func TestValidationErrorsNameLines(t *testing.T) {
	reset(0, 0)
	b, _ := os.ReadFile("testdata/fake.toml")
	cases := []struct{ old, new, want string }{
		{"width = 4", "width = 4\nwidht = 3", "bad.toml:15: model.widht: unknown key"},
		{"model.width = 2", "model.width = -1", "bad.toml:20: scale.smoke.model.width: model.width: must be positive"},
		{`task = "fake"`, `task = "nope"`, `bad.toml:6: experiment.task: no task named "nope"`},
	}
	for _, c := range cases {
		p := filepath.Join(t.TempDir(), "bad.toml")
		os.WriteFile(p, []byte(strings.Replace(string(b), c.old, c.new, 1)), 0o644)
		_, err := Run(context.Background(), p, Options{OutDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v\nwant %s", err, c.want)
		}
		if totalRuns() != 0 {
			t.Errorf("a point ran despite a validation error")
		}
	}
}

// TestResumeAfterKill runs the sweep in a child process, kills it with
// SIGKILL while it runs the third point, then resumes in this process:
// the two finished points are reused (not rerun), the rest run once, and
// no record is lost or duplicated.
func TestResumeAfterKill(t *testing.T) {
	if os.Getenv("HARNESS_CHILD_OUT") != "" {
		return // we are the child; TestKillChild does the work
	}
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HARNESS_CHILD_OUT="+out)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	blocked := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "BLOCKING") {
			blocked = true
			break
		}
	}
	cmd.Process.Kill() // SIGKILL: no deferred cleanup runs in the child
	cmd.Wait()
	if !blocked {
		t.Fatal("child never reached the third point")
	}
	dir := results.Dir(out, "fake-sweep", "smoke")
	// A writer killed between create and rename leaves a hidden temp file.
	os.WriteFile(filepath.Join(dir, ".deadbeef.json.tmp-1"), []byte(`{"kind": "actrepro.record"`), 0o644)
	before, err := results.Load(out)
	if err != nil || len(before) != 2 {
		t.Fatalf("after kill: %d records, %v; want the 2 finished points", len(before), err)
	}
	reset(0, 0)
	rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cached != 2 || rep.Ran != 3 || totalRuns() != 3 {
		t.Errorf("resume: cached %d ran %d runs %d; want 2, 3, 3", rep.Cached, rep.Ran, totalRuns())
	}
	after, _ := results.Load(out)
	seen := map[string]bool{}
	for _, r := range after {
		if seen[r.Hash] {
			t.Errorf("duplicate record %s", r.Hash)
		}
		seen[r.Hash] = true
	}
	if len(after) != 5 {
		t.Errorf("%d records after resume, want 5", len(after))
	}
	for _, r := range before {
		if !seen[r.Hash] {
			t.Errorf("record %s lost", r.Hash)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

func TestKillChild(t *testing.T) {
	out := os.Getenv("HARNESS_CHILD_OUT")
	if out == "" {
		t.Skip("helper process for TestResumeAfterKill")
	}
	reset(0, 3)
	Run(context.Background(), "testdata/fake.toml", Options{OutDir: out})
	t.Fatal("child was not killed")
}

func TestTables(t *testing.T) {
	reset(0, 0)
	out := t.TempDir()
	if _, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out}); err != nil {
		t.Fatal(err)
	}
	tbs, stale, err := Tables("testdata/fake.toml", results.Dir(out, "fake-sweep", "smoke"), "smoke")
	if err != nil || len(tbs) != 1 || stale != 0 || len(tbs[0].Rows) != 5 {
		t.Fatalf("Tables: %v %d %v", tbs, stale, err)
	}
}

func TestResolveBackend(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	cases := []struct{ flag, spec, env, want string }{
		{"", "", "", DefaultBackend},
		{"", "", "go", "go"},
		{"", "xla:cuda", "go", "xla:cuda"},
		{"purego", "xla:cuda", "go", "purego"},
	}
	for _, c := range cases {
		t.Setenv("GOMLX_BACKEND", c.env)
		if got := ResolveBackend(c.flag, c.spec); got != c.want {
			t.Errorf("ResolveBackend(%q, %q) with env %q = %q, want %q", c.flag, c.spec, c.env, got, c.want)
		}
	}
}

// A seed override (--seed, ACTREPRO_SEED) replaces train.seed in every
// point, so its records are new runs beside the spec seed's, not reuses.
func TestRunSeedOverride(t *testing.T) {
	reset(0, 0)
	out := t.TempDir()
	base, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	seed := int64(42)
	rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out, Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != 5 || rep.Cached != 0 {
		t.Fatalf("seed override reused records: ran %d cached %d", rep.Ran, rep.Cached)
	}
	for i, r := range rep.Records {
		if r.Seed != 42 {
			t.Errorf("point %d: seed %d, want 42", i, r.Seed)
		}
		if r.Hash == base.Records[i].Hash {
			t.Errorf("point %d: same hash %s with and without the seed override", i, r.Hash)
		}
	}
	_, _, points, err := PrepareWith("testdata/fake.toml", Options{Scale: "smoke", Seed: &seed})
	if err != nil || len(points) != 5 || points[0].Hash != rep.Records[0].Hash {
		t.Errorf("PrepareWith disagrees with Run: %v", err)
	}
}
