package kernel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/actrepro/actrepro/internal/executor"
)

func TestClusterStatusDisplay(t *testing.T) {
	st := &ClusterStatus{Spec: "experiments/x.toml", Experiment: "x", Scale: "smoke", Points: []executor.PointStatus{
		{Point: executor.Point{Index: 0, Hash: "h0", Label: "a=1"}, State: executor.Done, Job: "7_0", Node: "n1"},
		{Point: executor.Point{Index: 1, Hash: "h1", Label: "a=<2>"}, State: executor.Failed, Job: "7_1", Log: "/r/task-7-h1.log", Tail: []string{"panic: <boom>"}},
		{Point: executor.Point{Index: 2, Hash: "h2", Label: "a=3"}, State: executor.Running, Job: "7_2"},
	}}
	if st.Finished() {
		t.Error("a running point, yet Finished")
	}
	if want := "x at scale smoke: 3 points: 1 done, 1 running, 0 pending, 1 failed, 0 missing"; st.Summary() != want {
		t.Errorf("Summary = %q", st.Summary())
	}
	h := st.HTML()
	for _, want := range []string{"a=&lt;2&gt;", "panic: &lt;boom&gt;", "<details>", ">failed<", "7_2"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q:\n%s", want, h)
		}
	}
	if txt := st.Text(); !strings.Contains(txt, "last lines of /r/task-7-h1.log\npanic: <boom>") {
		t.Errorf("Text:\n%s", txt)
	}
	st.Points[2].State = executor.Done
	if !st.Finished() {
		t.Error("nothing running or pending, yet not Finished")
	}
}

func TestStatusWithoutCluster(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no squeue, no sacct: records alone
	st, err := Status("experiments/demo/quickstart.toml", OutDir(t.TempDir()), Scale("smoke"))
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Counts(); c[executor.Missing] != 4 || len(st.Points) != 4 || !st.Finished() {
		t.Errorf("fresh results directory: %v", c)
	}
}

// TestSubmitOnCluster submits the quickstart through a real Slurm and
// watches it to the end. It runs only where ACTREPRO_SLURM_TEST=1 and
// SLURM_CONF names a cluster (make slurm-test sets both).
func TestSubmitOnCluster(t *testing.T) {
	if os.Getenv("ACTREPRO_SLURM_TEST") != "1" {
		t.Skip("needs a Slurm cluster: make slurm-test runs it")
	}
	out := t.TempDir()
	sub, err := Submit("experiments/demo/quickstart.toml", Cluster{MaxParallel: 2}, OutDir(out), Scale("smoke"))
	if err != nil || sub.ArrayJob == "" || sub.RenderJob == "" || sub.Points != 4 {
		t.Fatalf("Submit: %+v, %v", sub, err)
	}
	st, err := Watch("experiments/demo/quickstart.toml", 200*time.Millisecond, OutDir(out), Scale("smoke"))
	if err != nil || st.Counts()[executor.Done] != 4 {
		t.Fatalf("Watch: %v\n%s", err, st.Text())
	}
	for _, p := range st.Points {
		if !strings.HasPrefix(p.Job, sub.ArrayJob+"_") || p.Node == "" {
			t.Errorf("point %d: job %q node %q, want a task of array %s", p.Index, p.Job, p.Node, sub.ArrayJob)
		}
	}
	if _, err := os.Stat(filepath.Join(st.Dir, "table.md")); err != nil {
		t.Errorf("the render job's table: %v", err)
	}
	again, err := Submit("experiments/demo/quickstart.toml", Cluster{}, OutDir(out), Scale("smoke"))
	if err != nil || again.ArrayJob != "" {
		t.Errorf("resubmitting a finished sweep: %+v, %v", again, err)
	}
}
