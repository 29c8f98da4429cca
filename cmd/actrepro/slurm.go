package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/executor"
	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// slurmFlags are the flags of --executor slurm.
type slurmFlags struct {
	partition, time, mem, gres, account *string
	cpus, maxParallel                   *int
	sbatchArgs                          *multiFlag
}

var slurmFlagNames = []string{"partition", "time", "cpus-per-task", "mem", "gres", "account", "max-parallel", "sbatch-arg"}

func addSlurmFlags(f *flag.FlagSet) slurmFlags {
	s := slurmFlags{
		partition:   f.String("partition", "", "slurm: the partition (default: the cluster's default)"),
		time:        f.String("time", "", "slurm: time limit of each task, e.g. 2:00:00"),
		cpus:        f.Int("cpus-per-task", 0, "slurm: CPUs of each task (0: Slurm's default)"),
		mem:         f.String("mem", "", "slurm: memory of each task, e.g. 8G"),
		gres:        f.String("gres", "", "slurm: generic resources of each task, e.g. gpu:1 (with --backend xla:cuda)"),
		account:     f.String("account", "", "slurm: the account to charge"),
		maxParallel: f.Int("max-parallel", 0, "slurm: at most `M` tasks at once (the array's %M; 0: no limit)"),
		sbatchArgs:  &multiFlag{},
	}
	f.Var(s.sbatchArgs, "sbatch-arg", "slurm: one more sbatch option, e.g. --qos=long (repeatable)")
	return s
}

// set names the first slurm flag given on the command line, or "".
func (s slurmFlags) set(f *flag.FlagSet) string {
	name := ""
	f.Visit(func(fl *flag.Flag) {
		for _, n := range slurmFlagNames {
			if fl.Name == n && name == "" {
				name = "--" + n
			}
		}
	})
	return name
}

func (s slurmFlags) slurm() executor.Slurm {
	return executor.Slurm{Partition: *s.partition, Time: *s.time, CPUsPerTask: *s.cpus, Mem: *s.mem, Gres: *s.gres,
		Account: *s.account, MaxParallel: *s.maxParallel, SbatchArgs: *s.sbatchArgs}
}

// taskArgs are the flags every task of a cluster sweep passes to
// `actrepro run` besides --point: those of this command that change what
// a point is or where its record goes.
func taskArgs(rf runFlags) []string {
	args := []string{"--scale", *rf.scale, "--out", *rf.out, "--quiet"}
	if *rf.backend != "" {
		args = append(args, "--backend", *rf.backend)
	}
	if *rf.dataRoot != "" {
		args = append(args, "--data-root", *rf.dataRoot)
	}
	if *rf.seed >= 0 {
		args = append(args, "--seed", strconv.FormatInt(*rf.seed, 10))
	}
	if *rf.seeds != "" {
		args = append(args, "--seeds", *rf.seeds)
	}
	if *rf.allowDirty {
		args = append(args, "--allow-dirty")
	}
	if *rf.force {
		args = append(args, "--force")
	}
	return args
}

// sweepStatus is the state of every point of the spec at the scale.
func sweepStatus(ctx context.Context, specPath string, rf runFlags) (id string, dir string, st []executor.PointStatus, err error) {
	id, dir, st, _, err = sweepStatusRender(ctx, specPath, rf)
	return id, dir, st, err
}

// sweepStatusRender is sweepStatus and the render job still queued or
// running ("" when none).
func sweepStatusRender(ctx context.Context, specPath string, rf runFlags) (id string, dir string, st []executor.PointStatus, render string, err error) {
	s, task, points, err := harness.PrepareWith(specPath, rf.options(io.Discard))
	if err != nil {
		return "", "", nil, "", err
	}
	dir = results.Dir(*rf.out, s.Experiment.ID, *rf.scale)
	var ps []executor.Point
	for i, p := range points {
		ps = append(ps, executor.Point{Index: i, Hash: p.Hash, Label: p.Label})
	}
	sd := executor.SlurmDir(dir)
	q := executor.QuerySlurm(ctx, executor.JobName(s.Experiment.ID, *rf.scale), executor.Jobs(sd))
	has := harness.Servable(s, task, *rf.out, *rf.scale) // a derived point whose upstream changed runs again
	st = executor.Status(ps, has, sd, q)
	executor.FromRecord(st, func(h string) string { return results.Path(dir, h) })
	return s.Experiment.ID, dir, st, executor.Rendering(sd, q), nil
}

// submitSlurm submits the points of the spec that are missing or failed
// as one job array plus a render job.
func submitSlurm(specPath string, rf runFlags, sl executor.Slurm, stdout, stderr io.Writer) int {
	if err := sl.Check(); err != nil {
		fmt.Fprintln(stderr, "actrepro run:", err)
		return 2
	}
	ctx, cancel := signalContext()
	defer cancel()
	id, dir, st, err := sweepStatus(ctx, specPath, rf)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	var todo []executor.Point
	for _, p := range st {
		if p.State == executor.Missing || p.State == executor.Failed || (*rf.force && p.State == executor.Done) {
			todo = append(todo, p.Point)
		}
	}
	c := executor.Count(st)
	if len(todo) == 0 {
		fmt.Fprintf(stdout, "%s at scale %s: nothing to submit: %d points done, %d running, %d pending\n", id, *rf.scale, c[executor.Done], c[executor.Running], c[executor.Pending])
		return 0
	}
	if !harness.IsSmoke(*rf.scale) && !*rf.allowDirty {
		commit, dirty := results.GitCommit(filepath.Dir(specPath))
		if commit == "unknown" || dirty {
			fmt.Fprintf(stderr, "%s: refusing to submit %d point(s) at scale %q from a dirty git tree or outside a checkout: their records could not be traced to a commit; commit first, or pass --allow-dirty (%v)\n", specPath, len(todo), *rf.scale, harness.ErrDirtyTree)
			return 2
		}
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "actrepro run: finding this executable to copy for the tasks:", err)
		return 2
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "actrepro run:", err)
		return 2
	}
	sw := executor.Sweep{Spec: specPath, ID: id, Scale: *rf.scale, Dir: dir, Workdir: wd, RunArgs: taskArgs(rf), Points: todo}
	sub, err := sl.Submit(ctx, sw, exe)
	if err != nil {
		fmt.Fprintln(stderr, "actrepro run:", err)
		if sub != nil && sub.ArrayJob != "" {
			fmt.Fprintf(stdout, "submitted array job %s (%d points)\n", sub.ArrayJob, len(todo))
			return 1
		}
		return 2 // sbatch absent or refusing the job: nothing was submitted
	}
	fmt.Fprintf(stdout, "%s at scale %s: submitted array job %s (%d of %d points: %d missing or failed; %d done, %d running, %d pending) and render job %s (afterany:%s)\n",
		id, *rf.scale, sub.ArrayJob, len(todo), len(st), len(todo), c[executor.Done], c[executor.Running], c[executor.Pending], sub.RenderJob, sub.ArrayJob)
	fmt.Fprintf(stdout, "scripts and task logs in %s; the tasks run %s\n", executor.SlurmDir(dir), sub.Exe)
	follow := []string{"actrepro", "status", specPath, "--scale", *rf.scale}
	if *rf.out != "results" {
		follow = append(follow, "--out", *rf.out)
	}
	fmt.Fprintf(stdout, "follow with: %s --wait   (or squeue -r --name=%s)\n", strings.Join(follow, " "), executor.JobName(id, *rf.scale))
	return 0
}
