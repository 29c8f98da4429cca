package executor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// State is a point's state in a sweep.
type State string

const (
	Done    State = "done"    // its record exists
	Running State = "running" // a task of it is running
	Pending State = "pending" // a task of it is queued
	Failed  State = "failed"  // submitted, no task left in the queue, no record
	Missing State = "missing" // no record and never submitted
)

// Job is one job or array task as squeue or sacct print it.
type Job struct {
	ID     string // "123_4" for an array task, "125" for a job
	State  string // Slurm's state: PENDING, RUNNING, FAILED, CANCELLED, ...
	Node   string
	Reason string // squeue's reason, sacct's exit code
}

// SqueueFormat is the -o format ParseSqueue reads (with -h -r).
const SqueueFormat = "%i|%T|%N|%r"

// SacctFormat is the -o format ParseSacct reads (with -n -P -X).
const SacctFormat = "JobID,State,ExitCode,NodeList"

// ParseSqueue reads `squeue -h -r -o '%i|%T|%N|%r'` output. Lines that
// are not four fields are skipped.
func ParseSqueue(out string) map[string]Job {
	jobs := map[string]Job{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), "|")
		if len(f) != 4 || f[0] == "" {
			continue
		}
		jobs[f[0]] = Job{ID: f[0], State: strings.ToUpper(f[1]), Node: f[2], Reason: f[3]}
	}
	return jobs
}

// ParseSacct reads `sacct -n -P -X -o JobID,State,ExitCode,NodeList`
// output. "CANCELLED by 0" reads as CANCELLED; an array line that still
// names a range ("123_[4-7]") is skipped.
func ParseSacct(out string) map[string]Job {
	jobs := map[string]Job{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Split(strings.TrimSpace(sc.Text()), "|")
		if len(f) != 4 || f[0] == "" || strings.Contains(f[0], "[") {
			continue
		}
		state, _, _ := strings.Cut(f[1], " ")
		jobs[f[0]] = Job{ID: f[0], State: strings.ToUpper(state), Node: f[3], Reason: f[2]}
	}
	return jobs
}

// active reports whether a Slurm job state is still queued or running,
// and which of the two.
func active(state string) (State, bool) {
	switch state {
	case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD":
		return Pending, true
	case "RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING":
		return Running, true
	}
	return "", false
}

// PointStatus is one point's state.
type PointStatus struct {
	Point
	State State
	Job   string // the array task of the latest submission of the point ("123_4")
	Node  string // where it runs or ran
	Slurm string // Slurm's state of Job, when squeue or sacct knew it
	Log   string // the latest task log of the point, when there is one
	Tail  []string
}

// Queue is what Slurm knows of jobs: squeue's and, where accounting is
// on, sacct's view. Either map may be nil (command absent or failing).
type Queue struct {
	Squeue, Sacct map[string]Job
}

// Manifests reads the array manifests in a sweep's slurm directory.
func Manifests(slurmDir string) []Manifest {
	paths, _ := filepath.Glob(filepath.Join(slurmDir, "array-*.json"))
	var ms []Manifest
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var m Manifest
		if json.Unmarshal(b, &m) == nil && m.Job != "" {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return jobLess(ms[i].Job, ms[j].Job) })
	return ms
}

func jobLess(a, b string) bool {
	x, e1 := strconv.ParseUint(a, 10, 64)
	y, e2 := strconv.ParseUint(b, 10, 64)
	if e1 == nil && e2 == nil {
		return x < y
	}
	return a < b
}

// TailLines is how many lines of a failed task's log Status keeps.
const TailLines = 12

// Status is the state of each of points: done when hasRecord says so, else
// from the array tasks that ran it (the manifests in slurmDir) as q and
// the task logs say: running or pending while any task of the point is in
// the queue, failed when it was submitted and none is (with the last lines
// of the latest task's log), missing when it never was.
func Status(points []Point, hasRecord func(hash string) bool, slurmDir string, q Queue) []PointStatus {
	type sub struct{ job, task string }
	subs := map[string][]sub{} // hash -> submissions, oldest first
	for _, m := range Manifests(slurmDir) {
		for _, p := range m.Points {
			subs[p.Hash] = append(subs[p.Hash], sub{m.Job, m.Job + "_" + strconv.Itoa(p.Index)})
		}
	}
	out := make([]PointStatus, len(points))
	for i, p := range points {
		ps := PointStatus{Point: p, State: Missing}
		ss := subs[p.Hash]
		if len(ss) > 0 {
			ps.Job = ss[len(ss)-1].task
		}
		if hasRecord(p.Hash) {
			ps.State = Done
			out[i] = ps
			continue
		}
		if len(ss) == 0 {
			out[i] = ps
			continue
		}
		ps.State = Failed
		for k := len(ss) - 1; k >= 0; k-- {
			if j, ok := q.Squeue[ss[k].task]; ok {
				if st, act := active(j.State); act {
					ps.State, ps.Job, ps.Node, ps.Slurm = st, ss[k].task, j.Node, j.State
					break
				}
			}
		}
		if ps.State == Failed {
			if j, ok := q.Sacct[ps.Job]; ok {
				ps.Slurm, ps.Node = j.State, j.Node
				if st, act := active(j.State); act {
					ps.State = st
				}
			} else if j, ok := q.Squeue[ps.Job]; ok {
				ps.Slurm, ps.Node = j.State, j.Node
			}
		}
		if ps.State == Failed {
			job, _, _ := strings.Cut(ps.Job, "_")
			ps.Log = ""
			// By point once the task's script ran, by array task before.
			for _, l := range []string{"task-" + job + "-" + p.Hash + ".log", "task-" + ps.Job + ".log"} {
				if b, err := os.ReadFile(filepath.Join(slurmDir, l)); err == nil {
					ps.Log, ps.Tail = filepath.Join(slurmDir, l), tail(b, TailLines)
					break
				}
			}
		}
		out[i] = ps
	}
	return out
}

func tail(b []byte, n int) []string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// Count is how many points are in each state.
func Count(ss []PointStatus) map[State]int {
	c := map[State]int{}
	for _, s := range ss {
		c[s.State]++
	}
	return c
}

// FromRecord fills in the job and node of done points from their records
// extra["executor"] (written by the task that made each), when there.
func FromRecord(st []PointStatus, recordPath func(hash string) string) {
	for i := range st {
		if st[i].State != Done {
			continue
		}
		b, err := os.ReadFile(recordPath(st[i].Hash))
		if err != nil {
			continue
		}
		var r struct {
			Extra struct {
				Executor struct {
					Name  string `json:"name"`
					Node  string `json:"node"`
					Array any    `json:"slurm_array_job_id"`
					Task  any    `json:"slurm_array_task_id"`
				} `json:"executor"`
			} `json:"extra"`
		}
		if json.Unmarshal(b, &r) != nil {
			continue
		}
		e := r.Extra.Executor
		st[i].Node = e.Node
		switch {
		case e.Array != nil && e.Task != nil:
			st[i].Job = fmt.Sprintf("%v_%v", e.Array, e.Task)
		case e.Name == "local":
			st[i].Job = "local"
		}
	}
}

// QuerySlurm asks squeue (and sacct, which fails harmlessly where
// accounting is off) about the array jobs of the sweep named by jobName.
// Commands missing from PATH give nil maps: Status then goes by records
// and logs alone.
func QuerySlurm(ctx context.Context, jobName string, jobs []string) Queue {
	var q Queue
	if _, err := exec.LookPath("squeue"); err == nil {
		if out, err := output(ctx, "squeue", "-h", "-r", "--name="+jobName+","+jobName+"-render", "-o", SqueueFormat); err == nil {
			q.Squeue = ParseSqueue(out)
		}
	}
	if len(jobs) > 0 {
		if _, err := exec.LookPath("sacct"); err == nil {
			if out, err := output(ctx, "sacct", "-n", "-P", "-X", "-j", strings.Join(jobs, ","), "-o", SacctFormat); err == nil {
				q.Sacct = ParseSacct(out)
			}
		}
	}
	return q
}

func output(ctx context.Context, name string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Rendering is the render job of the latest submission in slurmDir while
// it is queued or running (per q), else "".
func Rendering(slurmDir string, q Queue) string {
	ms := Manifests(slurmDir)
	if len(ms) == 0 || ms[len(ms)-1].RenderJob == "" {
		return ""
	}
	r := ms[len(ms)-1].RenderJob
	if j, ok := q.Squeue[r]; ok {
		if _, act := active(j.State); act {
			return r
		}
	}
	return ""
}

// Jobs are the array job ids of the manifests in slurmDir.
func Jobs(slurmDir string) []string {
	var out []string
	for _, m := range Manifests(slurmDir) {
		out = append(out, m.Job)
	}
	return out
}
