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
	// Jitter adds Jitter·(seed − 7) to the score, so that seeds differ
	// (7 is the seed of testdata/fake.toml: its scores are unchanged).
	Jitter float64 `toml:"jitter"`
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
		Metrics:         map[string]float64{"score": float64(m.X*m.Width)/2 + m.Jitter*float64(env.Seed-7)},
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
	opts := Options{OutDir: out, Backend: "fake-backend", Git: cleanGit}
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
	tbs, skipped, err := Tables("testdata/fake.toml", results.Dir(out, "fake-sweep", "smoke"), "smoke")
	if err != nil || len(tbs) != 1 || len(skipped.Notes()) != 0 || len(tbs[0].Rows) != 5 {
		t.Fatalf("Tables: %v %+v %v", tbs, skipped, err)
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

const testCommit = "0123456789abcdef0123456789abcdef01234567"

// cleanGit and dirtyGit stand in for results.GitCommit, so the tests do
// not depend on the state of the checkout they run in.
func cleanGit(string) (string, bool)   { return testCommit, false }
func dirtyGit(string) (string, bool)   { return testCommit, true }
func unknownGit(string) (string, bool) { return "unknown", false }

// A non-smoke scale refuses to run from a dirty tree (or outside a git
// checkout) unless AllowDirty; smoke runs freely; records say dirty.
func TestDirtyTree(t *testing.T) {
	cases := []struct {
		name       string
		scale      string
		git        func(string) (string, bool)
		allowDirty bool
		wantErr    string // "" = runs
	}{
		{"smoke from a dirty tree", "smoke", dirtyGit, false, ""},
		{"full from a clean tree", "full", cleanGit, false, ""},
		{"full from a dirty tree", "full", dirtyGit, false, "refusing to run 5 point(s) at scale \"full\" from a dirty git tree (uncommitted changes on top of 0123456789ab): their records could not be traced to a commit. Commit first, or pass --allow-dirty"},
		{"full from a dirty tree, allowed", "full", dirtyGit, true, ""},
		{"full outside a checkout", "full", unknownGit, false, "outside a git checkout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reset(0, 0)
			out := t.TempDir()
			rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out, Scale: c.scale, Git: c.git, AllowDirty: c.allowDirty})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				if !errors.Is(err, ErrDirtyTree) {
					t.Errorf("error %v does not wrap ErrDirtyTree", err)
				}
				if totalRuns() != 0 {
					t.Errorf("%d points ran despite the refusal", totalRuns())
				}
				return
			}
			if err != nil || rep.Ran != 5 {
				t.Fatalf("ran %d, err %v", rep.Ran, err)
			}
			_, dirty := c.git("")
			md, _ := os.ReadFile(rep.TableMD)
			for _, r := range rep.Records {
				if r.Dirty != dirty || r.Commit != testCommit {
					t.Errorf("record commit %s dirty %v, want %s %v", r.Commit, r.Dirty, testCommit, dirty)
				}
			}
			if got := strings.Contains(string(md), "From a dirty tree (all 5 records)"); got != dirty {
				t.Errorf("table.md says dirty = %v, want %v:\n%s", got, dirty, md)
			}
			if strings.Contains(string(md), "Cached from") {
				t.Errorf("table.md of records computed now says cached:\n%s", md)
			}
		})
	}
	// Every point cached: nothing trains, so a dirty tree may render the table.
	out := t.TempDir()
	if _, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out, Scale: "full", Git: cleanGit}); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out, Scale: "full", Git: dirtyGit})
	if err != nil || rep.Cached != 5 {
		t.Fatalf("cached run from a dirty tree: cached %d, %v", rep.Cached, err)
	}
	md, _ := os.ReadFile(rep.TableMD)
	if !strings.Contains(string(md), "Cached from 0123456789ab (all 5 records)") || !strings.Contains(string(md), "commit not in repository") {
		t.Errorf("table.md of cached records from a commit this repository lacks:\n%s", md)
	}
}

func TestIsSmoke(t *testing.T) {
	for scale, want := range map[string]bool{"smoke": true, "smoke-code": true, "full": false, "code": false, "tutorial": false, "smokey": false} {
		if IsSmoke(scale) != want {
			t.Errorf("IsSmoke(%q) = %v", scale, !want)
		}
	}
}

// The code version is part of every point's hash and of every record.
func TestCodeVersion(t *testing.T) {
	v, err := CodeVersion(fake)
	if err != nil || !strings.HasPrefix(v, "+src.") || len(v) != len("+src.")+16 {
		t.Fatalf("CodeVersion(fake) = %q, %v", v, err)
	}
	s, err := spec.Load("testdata/fake.toml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Expand("smoke", v)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Expand("smoke", v+"-changed")
	for i := range a {
		if a[i].Hash == b[i].Hash {
			t.Errorf("point %s: same hash %s under two code versions", a[i].Label, a[i].Hash)
		}
	}
	_, _, points, err := Prepare("testdata/fake.toml", "smoke")
	if err != nil || points[0].Hash != a[0].Hash {
		t.Errorf("Prepare hashes with another code version than CodeVersion: %v", err)
	}
	reset(0, 0)
	rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: t.TempDir()})
	if err != nil || rep.CodeVersion != v || rep.Records[0].CodeVersion != v {
		t.Errorf("report/record code version %q/%q, want %q (%v)", rep.CodeVersion, rep.Records[0].CodeVersion, v, err)
	}
}

// A record made by other code (same settings, another code version) is
// never reused: its point runs again, and tables count it as ignored.
func TestOtherCodeVersionIgnored(t *testing.T) {
	reset(0, 0)
	out := t.TempDir()
	rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	dir := rep.Dir
	// Turn the record of x=1 into one of "older code": same config, the
	// hash an older code version gave it.
	old := rep.Records[0]
	os.Remove(results.Path(dir, old.Hash))
	old.Hash = spec.Hash(old.Experiment, old.Config, "fake-0")
	old.CodeVersion = "" // records made before code versions had none
	if err := results.Write(dir, &old); err != nil {
		t.Fatal(err)
	}
	// And one of a setting the spec no longer has.
	gone := rep.Records[1]
	gone.Config = map[string]any{"model": map[string]any{"x": 99}}
	gone.Hash = "00000000000000aa"
	if err := results.Write(dir, &gone); err != nil {
		t.Fatal(err)
	}
	want := Skipped{OtherCode: 1, CodeVersions: []string{"unrecorded"}, OtherSettings: 1}
	tbs, skipped, err := Tables("testdata/fake.toml", dir, "smoke")
	if err != nil || fmt.Sprint(skipped) != fmt.Sprint(want) {
		t.Fatalf("Tables skipped %+v, want %+v (%v)", skipped, want, err)
	}
	var md strings.Builder
	tbs[0].Markdown(&md)
	for _, w := range []string{"1 record(s) of another code version ignored", "1 record(s) of settings the spec no longer has ignored", "Cached from"} {
		if !strings.Contains(md.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, md.String())
		}
	}
	if !strings.Contains(tbs[0].Rows[0].Flags[0], "not run") {
		t.Errorf("row x=1 uses the old-code record: flags %v", tbs[0].Rows[0].Flags)
	}
	reset(0, 0)
	rep, err = Run(context.Background(), "testdata/fake.toml", Options{OutDir: out})
	if err != nil || rep.Ran != 1 || rep.Cached != 4 || totalRuns() != 1 || fake.runs[1] != 1 {
		t.Fatalf("rerun: ran %d cached %d runs %v, err %v; want x=1 run again", rep.Ran, rep.Cached, fake.runs, err)
	}
	if fmt.Sprint(rep.Skipped) != fmt.Sprint(want) {
		t.Errorf("run skipped %+v, want %+v", rep.Skipped, want)
	}
	md2, _ := os.ReadFile(rep.TableMD)
	if !strings.Contains(string(md2), "1 record(s) of another code version ignored") || !strings.Contains(string(md2), "4 of 5 records") {
		t.Errorf("table.md:\n%s", md2)
	}
}

// TestSeedsResume: --seeds 3 runs every point at seeds 7, 8, 9 (the
// spec's seed and the next two), each its own record; --seeds 5 then
// trains only seeds 10 and 11; a one-seed run trains nothing and its
// table still counts every seed measured.
func TestSeedsResume(t *testing.T) {
	reset(0, 0)
	out := t.TempDir()
	const specPath = "testdata/fake_seeds.toml"
	steps := []struct {
		name                string
		seeds               *spec.Seeds
		points, ran, cached int
		totalRuns, n        int
		seedsOfX1           []int64
	}{
		{"3 seeds", &spec.Seeds{N: 3}, 9, 9, 0, 9, 3, []int64{7, 8, 9}},
		{"5 seeds: two new seeds per point", &spec.Seeds{N: 5}, 15, 6, 9, 15, 5, []int64{7, 8, 9, 10, 11}},
		{"again 5 seeds: all cached", &spec.Seeds{N: 5}, 15, 0, 15, 15, 5, []int64{7, 8, 9, 10, 11}},
		{"one seed: nothing to run, the table keeps all 5", nil, 3, 0, 3, 15, 5, []int64{7}},
	}
	for _, st := range steps {
		rep, err := Run(context.Background(), specPath, Options{OutDir: out, Git: cleanGit, Seeds: st.seeds})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if rep.Points != st.points || rep.Ran != st.ran || rep.Cached != st.cached || totalRuns() != st.totalRuns {
			t.Errorf("%s: points %d ran %d cached %d total runs %d; want %d %d %d %d", st.name,
				rep.Points, rep.Ran, rep.Cached, totalRuns(), st.points, st.ran, st.cached, st.totalRuns)
		}
		var seeds []int64
		for _, r := range rep.Records {
			if spec.Equal(r.Axes["model.x"], 1) {
				seeds = append(seeds, r.Seed)
			}
		}
		if fmt.Sprint(seeds) != fmt.Sprint(st.seedsOfX1) {
			t.Errorf("%s: records of x=1 at seeds %v, want %v", st.name, seeds, st.seedsOfX1)
		}
		if rep.Skipped.OtherCode+rep.Skipped.OtherSettings != 0 {
			t.Errorf("%s: records of other seeds counted as skipped: %+v", st.name, rep.Skipped)
		}
		for _, row := range rep.Tables[0].Rows {
			if c := row.Cells[0]; c.N != st.n {
				t.Errorf("%s: row %v has n=%d, want %d", st.name, row.Key, c.N, st.n)
			}
		}
		// actrepro table renders from the records alone: the same counts.
		tbs, _, err := Tables(specPath, rep.Dir, "smoke")
		if err != nil || tbs[0].Rows[0].Cells[0].N != st.n {
			t.Errorf("%s: Tables: n=%d, %v", st.name, tbs[0].Rows[0].Cells[0].N, err)
		}
	}
}

// TestSeedsSpecSection: a spec's [seeds] entry for the scale, overridden
// by Options.Seeds.
func TestSeedsSpecSection(t *testing.T) {
	reset(0, 0)
	dir := t.TempDir()
	text, err := os.ReadFile("testdata/fake_seeds.toml")
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(dir, "seeds.toml")
	if err := os.WriteFile(specPath, append(text, []byte("\n[seeds]\nsmoke = [3, 1]\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, points, err := PrepareWith(specPath, Options{Scale: "smoke"})
	if err != nil || len(points) != 6 || seedOf(points[0]) != 3 || seedOf(points[5]) != 1 {
		t.Fatalf("[seeds] smoke = [3, 1]: %d points, %v", len(points), err)
	}
	two := spec.Seeds{N: 2}
	_, _, points, err = PrepareWith(specPath, Options{Scale: "smoke", Seeds: &two})
	if err != nil || len(points) != 6 || seedOf(points[0]) != 7 || seedOf(points[5]) != 8 {
		t.Fatalf("override --seeds 2: %d points, %v", len(points), err)
	}
	seed := int64(20)
	_, _, points, err = PrepareWith(specPath, Options{Scale: "smoke", Seeds: &two, Seed: &seed})
	if err != nil || len(points) != 6 || seedOf(points[0]) != 20 || seedOf(points[5]) != 21 {
		t.Fatalf("--seed 20 --seeds 2: %d points, %v", len(points), err)
	}
}
