package harness

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/actrepro/actrepro/internal/pointlock"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
)

func TestSelectPoint(t *testing.T) {
	ps := []runner.Point{{Hash: "abcdef0123"}, {Hash: "abcdef9999"}, {Hash: "0123456789"}}
	cases := []struct {
		sel  string
		want int
	}{{"0", 0}, {"2", 2}, {"3", -1}, {"-1", -1}, {"0123456789", 2}, {"012345", 2}, {"abcdef", -1}, {"abcdef9", 1}, {"01234", -1}, {"zzz", -1}}
	for _, c := range cases {
		got, err := SelectPoint(ps, c.sel)
		if got != c.want || (c.want < 0) != errors.Is(err, ErrNoPoint) {
			t.Errorf("SelectPoint(%q) = %d, %v; want %d", c.sel, got, err, c.want)
		}
	}
}

func TestRunOnePoint(t *testing.T) {
	reset(0, 0)
	out := t.TempDir()
	exec := map[string]any{"name": "slurm", "node": "n1"}
	opts := Options{OutDir: out, Git: cleanGit, Point: "1", Exec: exec}
	rep, err := Run(context.Background(), "testdata/fake.toml", opts)
	if err != nil || rep.Ran != 1 || rep.Index != 1 || len(rep.Records) != 1 {
		t.Fatalf("point 1: %+v, %v", rep, err)
	}
	if got := rep.Records[0].Metrics["score"]; got != 2 { // x = 2, width 2
		t.Errorf("point 1 score %v, want 2 (x = 2)", got)
	}
	dir := results.Dir(out, "fake-sweep", "smoke")
	r, err := results.Read(results.Path(dir, rep.Records[0].Hash))
	if err != nil || r.Extra["executor"].(map[string]any)["node"] != "n1" {
		t.Errorf("record's executor: %v (%v)", r, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "table.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("one point wrote table.md: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.lock")); len(left) != 0 {
		t.Errorf("locks left: %v", left)
	}
	opts.Point = "5"
	if _, err := Run(context.Background(), "testdata/fake.toml", opts); !errors.Is(err, ErrNoPoint) {
		t.Errorf("point 5 of 5: %v, want ErrNoPoint", err)
	}
	// A failing point is an error of the run.
	reset(3, 0)
	opts.Point = "2"
	if rep, err := Run(context.Background(), "testdata/fake.toml", opts); err == nil || len(rep.Failed) != 1 {
		t.Errorf("failing point: %v", err)
	}
	// Render only: trains nothing, the table from the one record there is.
	reset(0, 0)
	rep, err = Run(context.Background(), "testdata/fake.toml", Options{OutDir: out, Git: cleanGit, RenderOnly: true})
	if err == nil || rep.Cached != 1 || len(rep.Failed) != 4 || totalRuns() != 0 || rep.TableMD == "" {
		t.Errorf("render only: cached %d failed %d runs %d table %q, %v", rep.Cached, len(rep.Failed), totalRuns(), rep.TableMD, err)
	}
}

// TestPointLocks: many single-point runs of the same point at once train
// it once; a point whose lock a live process holds is busy, not failed.
func TestPointLocks(t *testing.T) {
	reset(0, 0)
	out := t.TempDir()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Run(context.Background(), "testdata/fake.toml", Options{OutDir: out, Git: cleanGit, Point: "0"})
		}()
	}
	wg.Wait()
	if n := totalRuns(); n != 1 {
		t.Fatalf("point 0 trained %d times by 4 concurrent runs, want 1", n)
	}
	_, _, points, _ := Prepare("testdata/fake.toml", "smoke")
	dir := results.Dir(out, "fake-sweep", "smoke")
	release, err := pointlock.Acquire(dir, points[2].Hash, pointlock.Options{Host: "other-node", PID: 4242})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	rep, err := Run(context.Background(), "testdata/fake.toml", Options{OutDir: out, Git: cleanGit})
	if err == nil || len(rep.Busy) != 1 || rep.Busy[0].Hash != points[2].Hash || len(rep.Failed) != 0 || rep.Ran != 3 {
		t.Errorf("sweep with point 2 held elsewhere: ran %d busy %v failed %v, err %v", rep.Ran, rep.Busy, rep.Failed, err)
	}
}
