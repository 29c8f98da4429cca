package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

// derivedTask is a derived table: it sums the upstream experiment's
// scores, read with UpstreamRecords.
type derivedTask struct{ runs atomic.Int64 }

var derived = &derivedTask{}

// partialTask is a derivedTask that renders "not run" (n = 0) when its
// upstream has no records (a PartialUpstream).
type partialTask struct{ derivedTask }

func (*partialTask) PartialUpstream() bool { return true }

func (d *partialTask) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	out, err := d.derivedTask.Run(ctx, p, env)
	if errors.Is(err, results.ErrNoUpstream) {
		return runner.Outcome{Metrics: map[string]float64{"n": 0}}, nil
	}
	return out, err
}

var partial = &partialTask{}

func init() {
	runner.Register("fake-derived", derived)
	runner.Register("fake-derived-partial", partial)
}

func (*derivedTask) Validate(runner.Point) error { return nil }

func (d *derivedTask) Run(ctx context.Context, p runner.Point, _ runner.Env) (runner.Outcome, error) {
	d.runs.Add(1)
	runs, _ := spec.GetPath(p.Config, "data.runs")
	from, _ := spec.GetPath(p.Config, "data.from")
	up, err := results.UpstreamRecords(ctx, results.UpstreamQuery{Spec: fmt.Sprint(runs), Experiment: fmt.Sprint(from), Scale: p.Scale})
	if err != nil {
		return runner.Outcome{}, err
	}
	sum := 0.0
	for _, r := range up.Records {
		sum += r.Metrics["score"]
	}
	return runner.Outcome{Metrics: map[string]float64{"total": sum, "n": float64(len(up.Records))}}, nil
}

const upstreamSpec = `[experiment]
id = "fake-up"
paper = "Fake"
table = "Table 1"
title = "upstream"
task = "fake"

[data]
dataset = "fake"
source = "synthetic"

[model]
width = 2
jitter = 0.5

[train]
seed = 7

[scale.smoke]

[scale.full]

[sweep]
model.x = [1, 2]

[table]
columns = [{ label = "score", measured = "score" }]
`

const derivedSpec = `[experiment]
id = "fake-down"
paper = "Fake"
table = "Table 2"
title = "derived"
task = %q
depends = ["fake-up"]

[data]
dataset = "fake"
source = "synthetic"
runs = %q
from = "fake-up"

[model]
k = 0

[scale.smoke]

[scale.full]

[sweep]
model.k = [1]

[table]
columns = [{ label = "total", measured = "total" }]
`

// derivedSetup writes both specs into a fresh directory and returns their
// paths and a results root.
func derivedSetup(t *testing.T) (up, down, out string) { return derivedSetupTask(t, "fake-derived") }

func derivedSetupTask(t *testing.T, task string) (up, down, out string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "experiments")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	up, down = filepath.Join(dir, "up.toml"), filepath.Join(dir, "down.toml")
	if err := os.WriteFile(up, []byte(upstreamSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(down, []byte(fmt.Sprintf(derivedSpec, task, up)), 0o644); err != nil {
		t.Fatal(err)
	}
	return up, down, filepath.Join(t.TempDir(), "results")
}

// TestDerivedRerunsOnUpstream: a derived spec's cached record is served
// while its upstream records are unchanged and runs again, without
// --force, when they change; missing upstream records are an error naming
// the experiment and scale.
func TestDerivedRerunsOnUpstream(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		first  bool                               // run upstream and derived once before change
		change func(t *testing.T, up, out string) // what happens upstream before the checked run
		ran    int                                // derived points run by the checked run
		cached int                                // derived points served from cache
		errHas []string                           // the checked run's error says these
		total  float64                            // the derived record's total, when it ran or was cached
		extra  func(t *testing.T, rep *Report)    // more checks
	}{
		{name: "unchanged upstream: cached", first: true, change: func(*testing.T, string, string) {}, cached: 1, total: 3},
		{name: "upstream re-run with --force: runs", first: true, change: func(t *testing.T, up, out string) {
			if _, err := Run(ctx, up, Options{OutDir: out, Git: cleanGit, Force: true}); err != nil {
				t.Fatal(err)
			}
		}, ran: 1, total: 3},
		{name: "new upstream records (more seeds): runs", first: true, change: func(t *testing.T, up, out string) {
			seeds, _ := spec.ParseSeeds("2")
			if _, err := Run(ctx, up, Options{OutDir: out, Git: cleanGit, Seeds: &seeds}); err != nil {
				t.Fatal(err)
			}
		}, ran: 1, total: 3, extra: func(t *testing.T, rep *Report) {
			if n := len(rep.Records[0].UpstreamRecords); n != 4 {
				t.Errorf("the record names %d upstream records, want 4 (2 points x 2 seeds)", n)
			}
		}},
		{name: "upstream record removed: runs", first: true, change: func(t *testing.T, up, out string) {
			recs, err := results.Load(results.Dir(out, "fake-up", "smoke"))
			if err != nil || len(recs) != 2 {
				t.Fatalf("%d upstream records, %v", len(recs), err)
			}
			if err := os.Remove(results.Path(results.Dir(out, "fake-up", "smoke"), recs[1].Hash)); err != nil {
				t.Fatal(err)
			}
		}, ran: 1, total: 1},
		{name: "derived record without a digest (older harness): runs", first: true, change: func(t *testing.T, up, out string) {
			dir := results.Dir(out, "fake-down", "smoke")
			recs, err := results.Load(dir)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%d derived records, %v", len(recs), err)
			}
			r := recs[0]
			r.Upstream, r.UpstreamRecords = "", nil
			if err := results.Write(dir, &r); err != nil {
				t.Fatal(err)
			}
		}, ran: 1, total: 3},
		{name: "upstream never run: error", change: func(*testing.T, string, string) {},
			errHas: []string{"fake-up", "scale smoke", "run "}},
		{name: "upstream records deleted after the derived run: error", first: true, change: func(t *testing.T, up, out string) {
			if err := os.RemoveAll(filepath.Join(out, "fake-up")); err != nil {
				t.Fatal(err)
			}
		}, errHas: []string{"fake-up", "scale smoke"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reset(0, 0)
			up, down, out := derivedSetup(t)
			opts := Options{OutDir: out, Git: cleanGit}
			if c.first {
				if _, err := Run(ctx, up, opts); err != nil {
					t.Fatal(err)
				}
				rep, err := Run(ctx, down, opts)
				if err != nil || rep.Ran != 1 {
					t.Fatalf("first derived run: ran %d, %v", rep.Ran, err)
				}
				if r := rep.Records[0]; r.Upstream == "" || len(r.UpstreamRecords) != 2 || !strings.HasPrefix(r.UpstreamRecords[0], "fake-up/") {
					t.Fatalf("derived record upstream %q %v", r.Upstream, r.UpstreamRecords)
				}
			}
			c.change(t, up, out)
			// What executors see (Servable) agrees with what Run does.
			ds, task, points, err := Prepare(down, "smoke")
			if err != nil {
				t.Fatal(err)
			}
			if got := Servable(ds, task, out, "smoke")(points[0].Hash); got != (c.cached == 1) {
				t.Errorf("Servable = %v, want %v", got, c.cached == 1)
			}
			// Tables rendered without running say when a derived record is stale.
			recs, _ := results.Load(results.Dir(out, "fake-down", "smoke"))
			if note := StaleNote(ds, task, out, "smoke", recs); (note != "") != (len(recs) > 0 && c.cached == 0) {
				t.Errorf("StaleNote %q with %d record(s), cached %d", note, len(recs), c.cached)
			}
			before := derived.runs.Load()
			rep, err := Run(ctx, down, opts)
			if len(c.errHas) > 0 {
				if err == nil {
					t.Fatalf("no error; report %+v", rep)
				}
				for _, s := range c.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				if rep == nil || len(rep.Failed) != 1 || !errors.Is(rep.Failed[0].Err, results.ErrNoUpstream) {
					t.Errorf("failed %v: want one point failing with results.ErrNoUpstream", rep.Failed)
				}
				if n := derived.runs.Load() - before; n != 0 {
					t.Errorf("the derived task ran %d times without its upstream records", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Ran != c.ran || rep.Cached != c.cached || derived.runs.Load()-before != int64(c.ran) {
				t.Fatalf("ran %d cached %d (task runs %d), want ran %d cached %d", rep.Ran, rep.Cached, derived.runs.Load()-before, c.ran, c.cached)
			}
			if got := rep.Records[0].Metrics["total"]; got != c.total {
				t.Errorf("total %g, want %g", got, c.total)
			}
			if c.extra != nil {
				c.extra(t, rep)
			}
			// What ran is now cached.
			rep, err = Run(ctx, down, opts)
			if err != nil || rep.Cached != 1 || rep.Ran != 0 {
				t.Errorf("next run: ran %d cached %d, %v", rep.Ran, rep.Cached, err)
			}
		})
	}
}

// TestUpstreamRecords: the one reader of another experiment's records.
func TestUpstreamRecords(t *testing.T) {
	ctx := context.Background()
	up, _, out := derivedSetup(t)
	if _, err := Run(ctx, up, Options{OutDir: out, Git: cleanGit}); err != nil {
		t.Fatal(err)
	}
	rctx := results.WithRoot(ctx, out)
	two, _ := spec.ParseSeeds("2")
	cases := []struct {
		name   string
		ctx    context.Context
		q      results.UpstreamQuery
		n      int
		notRun bool   // wraps results.ErrNoUpstream
		key    string // a KeyError naming this key
		errHas string
	}{
		{name: "current records", ctx: rctx, q: results.UpstreamQuery{Spec: up, Experiment: "fake-up", Scale: "smoke"}, n: 2},
		{name: "seeds not run: only those that were", ctx: rctx, q: results.UpstreamQuery{Spec: up, Experiment: "fake-up", Scale: "smoke", Seeds: &two}, n: 2},
		{name: "missing spec", ctx: rctx, q: results.UpstreamQuery{Spec: up + ".gone", Experiment: "fake-up", Scale: "smoke", SpecKey: "data.table1"}, notRun: true, key: "data.table1"},
		{name: "other id", ctx: rctx, q: results.UpstreamQuery{Spec: up, Experiment: "fake-other", Scale: "smoke"}, key: "data.from", errHas: `not "fake-other"`},
		{name: "no records at scale", ctx: rctx, q: results.UpstreamQuery{Spec: up, Experiment: "fake-up", Scale: "full"}, notRun: true, errHas: "experiment fake-up at scale full"},
		{name: "other results root", ctx: results.WithRoot(ctx, t.TempDir()), q: results.UpstreamQuery{Spec: up, Experiment: "fake-up", Scale: "smoke"}, notRun: true, errHas: "fake-up at scale smoke"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := results.UpstreamRecords(c.ctx, c.q)
			wantErr := c.notRun || c.key != "" || c.errHas != ""
			if (err != nil) != wantErr {
				t.Fatalf("err %v, want error %v", err, wantErr)
			}
			if !wantErr {
				if len(got.Records) != c.n || got.Spec == nil || got.Dir != results.Dir(out, "fake-up", "smoke") {
					t.Fatalf("%d records in %s, want %d", len(got.Records), got.Dir, c.n)
				}
				for i := 1; i < len(got.Records); i++ {
					if got.Records[i-1].Label > got.Records[i].Label {
						t.Errorf("records not sorted by label: %s, %s", got.Records[i-1].Label, got.Records[i].Label)
					}
				}
				return
			}
			if errors.Is(err, results.ErrNoUpstream) != c.notRun {
				t.Errorf("errors.Is(results.ErrNoUpstream) = %v, want %v (%v)", !c.notRun, c.notRun, err)
			}
			if ke, ok := spec.AsKeyError(err); c.key != "" && (!ok || ke.Key != c.key) {
				t.Errorf("error %v does not name key %s", err, c.key)
			}
			if !strings.Contains(err.Error(), c.errHas) {
				t.Errorf("error %q does not say %q", err, c.errHas)
			}
		})
	}
}

// TestPartialUpstream: a PartialUpstream task runs without its upstream
// records ("not run") and runs again by itself once they exist.
func TestPartialUpstream(t *testing.T) {
	ctx := context.Background()
	up, down, out := derivedSetupTask(t, "fake-derived-partial")
	opts := Options{OutDir: out, Git: cleanGit}
	steps := []struct {
		name        string
		runUpstream bool
		ran, cached int
		n           float64
	}{
		{name: "no upstream records: not run", ran: 1, n: 0},
		{name: "still none: cached", cached: 1, n: 0},
		{name: "upstream ran: runs again", runUpstream: true, ran: 1, n: 2},
		{name: "unchanged: cached", cached: 1, n: 2},
	}
	for _, st := range steps {
		if st.runUpstream {
			if _, err := Run(ctx, up, opts); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := Run(ctx, down, opts)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if rep.Ran != st.ran || rep.Cached != st.cached || rep.Records[0].Metrics["n"] != st.n {
			t.Errorf("%s: ran %d cached %d n %g, want %d %d %g", st.name, rep.Ran, rep.Cached, rep.Records[0].Metrics["n"], st.ran, st.cached, st.n)
		}
	}
}
