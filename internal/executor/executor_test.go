package executor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestArraySpec(t *testing.T) {
	cases := []struct {
		ids  []int
		max  int
		want string
	}{
		{[]int{0, 1, 2, 3}, 0, "0-3"},
		{[]int{3, 0, 1, 7, 9, 10}, 2, "0-1,3,7,9-10%2"},
		{[]int{5}, 1, "5%1"},
		{[]int{2, 2, 3}, 0, "2-3"},
		{[]int{0, 2, 4}, 4, "0,2,4%4"},
	}
	for _, c := range cases {
		if got := ArraySpec(c.ids, c.max); got != c.want {
			t.Errorf("ArraySpec(%v, %d) = %q, want %q", c.ids, c.max, got, c.want)
		}
	}
}

func sweep() Sweep {
	return Sweep{Spec: "experiments/demo/quickstart.toml", ID: "demo-quickstart", Scale: "smoke", Dir: "results/demo-quickstart/smoke",
		Workdir: "/home/u/actrepro", RunArgs: []string{"--scale", "smoke", "--out", "results", "--quiet", "--data-root", "/data/my sets"},
		Points: []Point{{0, "aaaa", "hidden=0 signal=0"}, {1, "bbbb", "hidden=0 signal=1"}, {3, "dddd", "hidden=16 signal=1"}}}
}

func TestArrayScript(t *testing.T) {
	s := Slurm{Partition: "gpu", Time: "2:00:00", CPUsPerTask: 4, Mem: "8G", Gres: "gpu:1", Account: "lab", MaxParallel: 2, SbatchArgs: []string{"--qos=long"}}
	got := s.ArrayScript(sweep(), "/home/u/actrepro/results/demo-quickstart/smoke/slurm/actrepro-0123")
	for _, want := range []string{
		"#!/bin/bash\n",
		"#SBATCH --job-name=actrepro-demo-quickstart-smoke\n",
		"#SBATCH --partition=gpu\n", "#SBATCH --account=lab\n", "#SBATCH --time=2:00:00\n",
		"#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=8G\n", "#SBATCH --gres=gpu:1\n", "#SBATCH --qos=long\n",
		"#SBATCH --array=0-1,3%2\n",
		"#SBATCH --chdir=/home/u/actrepro\n",
		"#SBATCH --output=/home/u/actrepro/results/demo-quickstart/smoke/slurm/task-%A_%a.log\n",
		"  0) HASH=aaaa ;; # hidden=0 signal=0\n", "  3) HASH=dddd ;;",
		`mv -f "$dir/task-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.log" "$dir/task-${SLURM_ARRAY_JOB_ID}-$HASH.log"`,
		"exec /home/u/actrepro/results/demo-quickstart/smoke/slurm/actrepro-0123 run experiments/demo/quickstart.toml --point \"$HASH\" --scale smoke --out results --quiet --data-root '/data/my sets'\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("array script lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "#SBATCH") > strings.Index(got, "set -u") {
		t.Error("an #SBATCH line after the first command is ignored by sbatch")
	}
	r := Slurm{Gres: "gpu:1", Mem: "8G"}.RenderScript(sweep(), "/x/actrepro-0123", "77")
	for _, want := range []string{"#SBATCH --dependency=afterany:77\n", "#SBATCH --job-name=actrepro-demo-quickstart-smoke-render\n",
		"#SBATCH --cpus-per-task=1\n", "exec /x/actrepro-0123 run experiments/demo/quickstart.toml --render-only --scale smoke"} {
		if !strings.Contains(r, want) {
			t.Errorf("render script lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r, "gres") || strings.Contains(r, "--mem") {
		t.Errorf("the render job asks for the tasks' resources:\n%s", r)
	}
}

func TestCheck(t *testing.T) {
	for _, s := range []Slurm{
		{MaxParallel: -1}, {CPUsPerTask: -2}, {SbatchArgs: []string{"qos=long"}}, {SbatchArgs: []string{"--array=1-3"}},
		{SbatchArgs: []string{"-o/tmp/x"}}, {SbatchArgs: []string{"--dependency=afterok:1"}}, {Partition: "a b"},
	} {
		if err := s.Check(); !errors.Is(err, ErrBadOption) {
			t.Errorf("%+v: Check() = %v, want ErrBadOption", s, err)
		}
	}
	if err := (Slurm{SbatchArgs: []string{"--qos=long", "--exclusive", "-N1"}, MaxParallel: 3}).Check(); err != nil {
		t.Errorf("good settings refused: %v", err)
	}
}

func TestSubmitWithoutSbatch(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	sw := sweep()
	sw.Workdir, sw.Dir = dir, "results"
	_, err := Slurm{}.Submit(context.Background(), sw, os.Args[0])
	if !errors.Is(err, ErrNoSbatch) {
		t.Fatalf("Submit without sbatch: %v, want ErrNoSbatch", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Submit without sbatch wrote into the results directory: %v", err)
	}
}

func TestParseJobID(t *testing.T) {
	for in, want := range map[string]string{"123\n": "123", "456;cluster\n": "456", "warning: x\n789\n": "789"} {
		if got, err := ParseJobID(in); err != nil || got != want {
			t.Errorf("ParseJobID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseJobID("Submitted batch job\n"); err == nil {
		t.Error("ParseJobID accepted a line without a job id")
	}
}

func TestParseSqueueSacct(t *testing.T) {
	sq, _ := os.ReadFile("testdata/squeue.txt")
	got := ParseSqueue(string(sq))
	want := map[string]Job{
		"40_2": {"40_2", "PENDING", "", "JobArrayTaskLimit"}, "40_3": {"40_3", "PENDING", "", "JobArrayTaskLimit"},
		"40_0": {"40_0", "RUNNING", "vm", "None"}, "40_1": {"40_1", "COMPLETING", "vm", "None"}, "41": {"41", "PENDING", "", "Dependency"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSqueue = %v\nwant %v", got, want)
	}
	sa, _ := os.ReadFile("testdata/sacct.txt")
	got = ParseSacct(string(sa))
	want = map[string]Job{
		"23_0": {"23_0", "COMPLETED", "vm", "0:0"}, "23_1": {"23_1", "CANCELLED", "vm", "0:15"},
		"23_2": {"23_2", "FAILED", "node7", "1:0"}, "23_3": {"23_3", "TIMEOUT", "node7", "0:0"}, "24": {"24", "PENDING", "None assigned", "0:0"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseSacct = %v\nwant %v", got, want)
	}
}

func TestStatus(t *testing.T) {
	dir := t.TempDir()
	points := []Point{{0, "h0", "a"}, {1, "h1", "b"}, {2, "h2", "c"}, {3, "h3", "d"}, {4, "h4", "e"}, {5, "h5", "f"}}
	// Array 23 ran points 0-3; array 40 resubmitted 1 and 2.
	writeManifest(dir, Manifest{Job: "23", Points: points[:4]})
	writeManifest(dir, Manifest{Job: "40", Points: []Point{points[1], points[2]}})
	os.WriteFile(filepath.Join(dir, "task-23-h3.log"), []byte("line 1\nline 2\nTraceback: boom\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "task-23-h1.log"), []byte("old failure\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "task-40_1.log"), []byte("slurmstepd: error: *** JOB 41 ON vm CANCELLED AT 2026-11-29T13:00:00 ***\n"), 0o644)
	sq, _ := os.ReadFile("testdata/squeue.txt")
	q := Queue{Squeue: ParseSqueue(string(sq))}
	has := func(h string) bool { return h == "h0" }
	got := Status(points, has, dir, q)
	want := []struct {
		state State
		job   string
	}{{Done, "23_0"}, {Running, "40_1"}, {Pending, "40_2"}, {Failed, "23_3"}, {Missing, ""}, {Missing, ""}}
	for i, w := range want {
		if got[i].State != w.state || got[i].Job != w.job {
			t.Errorf("point %d: %s job %q, want %s job %q", i, got[i].State, got[i].Job, w.state, w.job)
		}
	}
	if strings.Join(got[3].Tail, "|") != "line 1|line 2|Traceback: boom" || !strings.HasSuffix(got[3].Log, "task-23-h3.log") {
		t.Errorf("failed point's log %q tail %q", got[3].Log, got[3].Tail)
	}
	if got[1].Node != "vm" {
		t.Errorf("running point's node %q, want vm", got[1].Node)
	}
	c := Count(got)
	if c[Done] != 1 || c[Running] != 1 || c[Pending] != 1 || c[Failed] != 1 || c[Missing] != 2 {
		t.Errorf("Count = %v", c)
	}
	// Without squeue (a login node without Slurm's commands, or the
	// sweep over), a submitted point without record is failed.
	got = Status(points, has, dir, Queue{})
	if got[1].State != Failed || got[1].Job != "40_1" {
		t.Errorf("no queue: point 1 %s %s, want failed 40_1", got[1].State, got[1].Job)
	}
	// Cancelled before its script renamed its log: the log by array task.
	if !strings.HasSuffix(got[1].Log, "task-40_1.log") || !strings.Contains(strings.Join(got[1].Tail, ""), "CANCELLED") {
		t.Errorf("point 1's log %q %q, want task-40_1.log", got[1].Log, got[1].Tail)
	}
	// sacct knows a task squeue has forgotten.
	sa := Queue{Sacct: map[string]Job{"23_3": {"23_3", "TIMEOUT", "node7", "0:0"}}}
	if g := Status(points, has, dir, sa)[3]; g.State != Failed || g.Slurm != "TIMEOUT" || g.Node != "node7" {
		t.Errorf("sacct: point 3 %+v", g)
	}
}

func TestInfo(t *testing.T) {
	env := map[string]string{"SLURM_JOB_ID": "125", "SLURM_ARRAY_JOB_ID": "123", "SLURM_ARRAY_TASK_ID": "2", "SLURMD_NODENAME": "n07"}
	got := infoFrom(func(k string) string { return env[k] }, func() string { return "login" })
	want := map[string]any{"name": "slurm", "slurm_job_id": int64(125), "slurm_array_job_id": int64(123), "slurm_array_task_id": int64(2), "node": "n07"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("in a Slurm task: %v, want %v", got, want)
	}
	got = infoFrom(func(string) string { return "" }, func() string { return "laptop" })
	if !reflect.DeepEqual(got, map[string]any{"name": "local", "node": "laptop"}) {
		t.Errorf("locally: %v", got)
	}
}

func TestCopyExecutable(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "exe")
	os.WriteFile(src, []byte("#!/bin/sh\necho hi\n"), 0o755)
	a, err := CopyExecutable(src, dir)
	if err != nil {
		t.Fatal(err)
	}
	// sha256 of the bytes above
	if filepath.Base(a) != "actrepro-"+sha16(t, src) {
		t.Errorf("copy named %s", filepath.Base(a))
	}
	b, err := CopyExecutable(src, dir)
	if err != nil || a != b {
		t.Errorf("second copy %s (%v), want the first %s reused", b, err, a)
	}
	os.WriteFile(src, []byte("#!/bin/sh\necho rebuilt\n"), 0o755)
	c, _ := CopyExecutable(src, dir)
	if c == a {
		t.Error("a rebuilt executable reused the old copy")
	}
	if old, _ := os.ReadFile(a); !strings.Contains(string(old), "echo hi") {
		t.Error("the old copy changed under its tasks")
	}
	if st, _ := os.Stat(c); st.Mode()&0o100 == 0 {
		t.Error("copy not executable")
	}
}

func TestFromRecord(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.json"), []byte(`{"kind":"actrepro.record","extra":{"executor":{"name":"slurm","node":"n3","slurm_array_job_id":23,"slurm_array_task_id":4,"slurm_job_id":30}}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"kind":"actrepro.record","extra":{"executor":{"name":"local","node":"laptop"}}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"kind":"actrepro.record"}`), 0o644)
	st := []PointStatus{{Point: Point{Hash: "a"}, State: Done, Job: "20_4"}, {Point: Point{Hash: "b"}, State: Done},
		{Point: Point{Hash: "c"}, State: Done, Job: "20_1"}, {Point: Point{Hash: "a"}, State: Failed, Job: "9_9"}}
	FromRecord(st, func(h string) string { return filepath.Join(dir, h+".json") })
	for i, w := range []struct{ job, node string }{{"23_4", "n3"}, {"local", "laptop"}, {"20_1", ""}, {"9_9", ""}} {
		if st[i].Job != w.job || st[i].Node != w.node {
			t.Errorf("point %d: job %q node %q, want %q %q", i, st[i].Job, st[i].Node, w.job, w.node)
		}
	}
}
