package kernel

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/actrepro/actrepro/internal/executor"
	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
)

// Cluster is the Slurm settings of Submit: sbatch's options for each task
// (see actrepro run --help). The zero value is the cluster's defaults.
type Cluster struct {
	Partition   string
	Time        string // per task, e.g. "2:00:00"
	CPUsPerTask int
	Mem         string // e.g. "8G"
	Gres        string // e.g. "gpu:1" (with Backend("xla:cuda"))
	Account     string
	MaxParallel int      // the array's %M (0: no limit)
	SbatchArgs  []string // more sbatch options, e.g. "--qos=long"
}

// Submission says what Submit submitted.
type Submission struct {
	Spec, Scale         string
	ArrayJob, RenderJob string // "" when nothing was missing
	Points              int    // points submitted
	Dir                 string // the sweep's records; scripts and logs in Dir/slurm
}

// Summary is one line saying what was submitted.
func (s *Submission) Summary() string {
	if s.ArrayJob == "" {
		return fmt.Sprintf("%s at scale %s: nothing to submit (every point is done, running or pending)", s.Spec, s.Scale)
	}
	return fmt.Sprintf("%s at scale %s: submitted array job %s (%d points) and render job %s; scripts and task logs in %s",
		s.Spec, s.Scale, s.ArrayJob, s.Points, s.RenderJob, executor.SlurmDir(s.Dir))
}

// Show displays the summary.
func (s *Submission) Show() { ShowHTML("<div>"+htmlEscape(s.Summary())+"</div>", s.Summary()+"\n") }

// Submit submits the points of the spec at path that have no record and
// no task queued or running to Slurm, as actrepro run --executor slurm
// does: one job array (each task `actrepro run SPEC --point HASH`) and one
// render job after it. It builds the actrepro command from the checkout
// first (the tasks run a copy of it named by its SHA-256). Options: Scale,
// Backend, DataRoot, OutDir, Seeds, Force, AllowDirty. Follow the sweep
// with Watch.
func Submit(path string, c Cluster, opts ...Option) (*Submission, error) {
	ctx := context.Background()
	cfg, specPath, err := configure(path, opts)
	if err != nil {
		return nil, err
	}
	root, err := Root()
	if err != nil {
		return nil, err
	}
	st, err := clusterStatus(ctx, cfg, specPath)
	if err != nil {
		return nil, err
	}
	sub := &Submission{Spec: st.Spec, Scale: st.Scale, Dir: st.Dir}
	var todo []executor.Point
	for _, p := range st.Points {
		if p.State == executor.Missing || p.State == executor.Failed || (cfg.force && p.State == executor.Done) {
			todo = append(todo, p.Point)
		}
	}
	if len(todo) == 0 {
		return sub, nil
	}
	if !harness.IsSmoke(cfg.params.Scale) && !cfg.dirty {
		if commit, dirty := results.GitCommit(root); commit == "unknown" || dirty {
			return nil, fmt.Errorf("kernel: refusing to submit %d point(s) at scale %q from a dirty tree: commit first, or pass AllowDirty() (%w)", len(todo), cfg.params.Scale, harness.ErrDirtyTree)
		}
	}
	exe := filepath.Join(os.TempDir(), fmt.Sprintf("actrepro-kernel-%d", os.Getpid()))
	build := exec.Command("go", "build", "-o", exe, "./cmd/actrepro")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("kernel: building actrepro for the tasks: %v\n%s", err, out)
	}
	defer os.Remove(exe)
	args := []string{"--scale", cfg.params.Scale, "--out", cfg.outDir, "--quiet"}
	if cfg.params.Backend != "" {
		args = append(args, "--backend", cfg.params.Backend)
	}
	if cfg.params.DataRoot != "" {
		args = append(args, "--data-root", cfg.params.DataRoot)
	}
	if cfg.params.Seed != 0 {
		args = append(args, "--seed", strconv.FormatInt(cfg.params.Seed, 10))
	}
	if cfg.seeds != nil {
		v := strconv.Itoa(cfg.seeds.Count())
		if len(cfg.seeds.List) > 0 {
			var l []string
			for _, x := range cfg.seeds.List {
				l = append(l, strconv.FormatInt(x, 10))
			}
			v = strings.Join(l, ",")
		}
		args = append(args, "--seeds", v)
	}
	if cfg.dirty {
		args = append(args, "--allow-dirty")
	}
	if cfg.force {
		args = append(args, "--force")
	}
	sl := executor.Slurm{Partition: c.Partition, Time: c.Time, CPUsPerTask: c.CPUsPerTask, Mem: c.Mem, Gres: c.Gres,
		Account: c.Account, MaxParallel: c.MaxParallel, SbatchArgs: c.SbatchArgs}
	sw := executor.Sweep{Spec: st.Spec, ID: st.Experiment, Scale: st.Scale, Dir: st.Dir, Workdir: root, RunArgs: args, Points: todo}
	s, err := sl.Submit(ctx, sw, exe)
	if s != nil {
		sub.ArrayJob, sub.RenderJob, sub.Points = s.ArrayJob, s.RenderJob, len(todo)
	}
	if err != nil {
		return sub, fmt.Errorf("kernel: %w", err)
	}
	return sub, nil
}

// ClusterStatus is the state of every point of a sweep (see actrepro
// status): done, running, pending, failed or missing.
type ClusterStatus struct {
	Spec, Experiment, Scale, Dir string
	Points                       []executor.PointStatus
	// Rendering is the render job of the latest submission while it is
	// queued or running.
	Rendering string
}

// Counts is how many points are in each state.
func (s *ClusterStatus) Counts() map[executor.State]int { return executor.Count(s.Points) }

// Finished reports whether no point is running or pending and no render
// job is queued or running.
func (s *ClusterStatus) Finished() bool {
	c := s.Counts()
	return c[executor.Running]+c[executor.Pending] == 0 && s.Rendering == ""
}

// Summary is one line of counts.
func (s *ClusterStatus) Summary() string {
	c := s.Counts()
	return fmt.Sprintf("%s at scale %s: %d points: %d done, %d running, %d pending, %d failed, %d missing",
		s.Experiment, s.Scale, len(s.Points), c[executor.Done], c[executor.Running], c[executor.Pending], c[executor.Failed], c[executor.Missing])
}

// Text is the status as actrepro status prints it.
func (s *ClusterStatus) Text() string {
	var b strings.Builder
	for _, p := range s.Points {
		fmt.Fprintf(&b, "%3d  %s  %-7s  %-12s  %s\n", p.Index, p.Hash, p.State, p.Job, p.Label)
	}
	for _, p := range s.Points {
		if p.State == executor.Failed && len(p.Tail) > 0 {
			fmt.Fprintf(&b, "\n-- point %d %s: last lines of %s\n%s\n", p.Index, p.Label, p.Log, strings.Join(p.Tail, "\n"))
		}
	}
	return b.String() + s.Summary() + "\n"
}

var stateColor = map[executor.State]string{executor.Done: "#2e7d32", executor.Running: "#1565c0", executor.Pending: "#757575",
	executor.Failed: "#c62828", executor.Missing: "#9e9e9e"}

// HTML is the status as a table, failed tasks' log tails folded under it.
func (s *ClusterStatus) HTML() string {
	var b strings.Builder
	c := s.Counts()
	n := max(1, len(s.Points))
	b.WriteString(`<div style="font-size:0.9em"><div>` + htmlEscape(s.Summary()) + `</div>`)
	b.WriteString(`<div style="display:flex;width:30em;height:0.8em;margin:0.3em 0;border:1px solid #ccc">`)
	for _, st := range []executor.State{executor.Done, executor.Running, executor.Pending, executor.Failed, executor.Missing} {
		if c[st] > 0 {
			fmt.Fprintf(&b, `<div title="%s" style="width:%.1f%%;background:%s"></div>`, st, 100*float64(c[st])/float64(n), stateColor[st])
		}
	}
	b.WriteString(`</div><table><tr><th>#</th><th>point</th><th>state</th><th>job</th><th>node</th><th>hash</th></tr>`)
	for _, p := range s.Points {
		fmt.Fprintf(&b, `<tr><td>%d</td><td>%s</td><td style="color:%s">%s</td><td>%s</td><td>%s</td><td><code>%s</code></td></tr>`,
			p.Index, htmlEscape(p.Label), stateColor[p.State], p.State, htmlEscape(p.Job), htmlEscape(p.Node), p.Hash)
	}
	b.WriteString(`</table>`)
	for _, p := range s.Points {
		if p.State == executor.Failed && len(p.Tail) > 0 {
			fmt.Fprintf(&b, `<details><summary>point %d %s failed: last lines of its log</summary><pre>%s</pre></details>`,
				p.Index, htmlEscape(p.Label), htmlEscape(strings.Join(p.Tail, "\n")))
		}
	}
	return b.String() + `</div>`
}

// Show displays the status.
func (s *ClusterStatus) Show() { showRich(s.HTML(), s.Text(), s.Text()) }

// Status reads the state of every point of the spec at path (see
// ClusterStatus) from the records and, where present, squeue and sacct.
// Options: Scale, OutDir, Seeds.
func Status(path string, opts ...Option) (*ClusterStatus, error) {
	cfg, specPath, err := configure(path, opts)
	if err != nil {
		return nil, err
	}
	return clusterStatus(context.Background(), cfg, specPath)
}

// Watch shows the status of the sweep of the spec at path in one output
// block updated every interval until no point is running or pending, then
// shows the final status and returns it (with an error naming the failed
// points, if any). Outside a notebook it prints a line of counts when they
// change.
func Watch(path string, every time.Duration, opts ...Option) (*ClusterStatus, error) {
	if every <= 0 {
		every = 10 * time.Second
	}
	id := "actrepro-cluster-" + gonbui.UniqueId()
	last := ""
	for {
		st, err := Status(path, opts...)
		if err != nil {
			return nil, err
		}
		if InNotebook() {
			updateRich(id, st.HTML())
		} else if line := st.Summary(); line != last {
			fmt.Fprintln(out(), line)
			last = line
		}
		if st.Finished() {
			if InNotebook() {
				updateRich(id, "")
			}
			st.Show()
			if n := st.Counts()[executor.Failed]; n > 0 {
				return st, fmt.Errorf("kernel: %d point(s) of %s failed; resubmit them with Submit", n, st.Spec)
			}
			return st, nil
		}
		time.Sleep(every)
	}
}

func clusterStatus(ctx context.Context, cfg runConfig, specPath string) (*ClusterStatus, error) {
	ho := harness.Options{Scale: cfg.params.Scale, Seeds: cfg.seeds}
	if cfg.params.Seed != 0 {
		ho.Seed = &cfg.params.Seed
	}
	s, task, points, err := harness.PrepareWith(specPath, ho)
	if err != nil {
		return nil, err
	}
	spec := specPath
	if root, err := Root(); err == nil {
		if rel, err := filepath.Rel(root, specPath); err == nil && !strings.HasPrefix(rel, "..") {
			spec = filepath.ToSlash(rel)
		}
	}
	dir := results.Dir(cfg.outDir, s.Experiment.ID, cfg.params.Scale)
	ps := make([]executor.Point, len(points))
	for i, p := range points {
		ps[i] = executor.Point{Index: i, Hash: p.Hash, Label: p.Label}
	}
	sd := executor.SlurmDir(dir)
	q := executor.QuerySlurm(ctx, executor.JobName(s.Experiment.ID, cfg.params.Scale), executor.Jobs(sd))
	st := executor.Status(ps, harness.Servable(s, task, cfg.outDir, cfg.params.Scale), sd, q)
	executor.FromRecord(st, func(h string) string { return results.Path(dir, h) })
	return &ClusterStatus{Spec: spec, Experiment: s.Experiment.ID, Scale: cfg.params.Scale, Dir: dir, Points: st, Rendering: executor.Rendering(sd, q)}, nil
}
