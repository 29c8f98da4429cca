package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/actrepro/actrepro/internal/executor"
	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/progress"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

func init() {
	commands["run"] = command{summary: "run one experiment spec and render its table", run: runRun}
	commands["reproduce"] = command{summary: "run every spec under experiments/ and render every table", run: runReproduce}
}

// runFlags are the flags shared by run and reproduce.
type runFlags struct {
	scale, backend, dataRoot, out *string
	force, quiet, allowDirty      *bool
	seed                          *int64
	seeds                         *string
	// seedSet is seeds parsed (nil: each spec's own [seeds]); set by check.
	seedSet *spec.Seeds
}

func addRunFlags(f interface {
	String(string, string, string) *string
	Bool(string, bool, string) *bool
	Int64(string, int64, string) *int64
}) runFlags {
	return runFlags{
		scale:      f.String("scale", "smoke", "scale: smoke (minutes on 2 cores) or full (the paper's protocol)"),
		backend:    f.String("backend", "", "GoMLX backend (default: the spec's, else $GOMLX_BACKEND, else purego)"),
		dataRoot:   f.String("data-root", os.Getenv("ACTREPRO_DATA"), "root of the real datasets ($ACTREPRO_DATA)"),
		out:        f.String("out", "results", "results directory"),
		force:      f.Bool("force", false, "recompute runs that already have a record"),
		quiet:      f.Bool("quiet", false, "no progress output"),
		allowDirty: f.Bool("allow-dirty", false, "run a non-smoke scale from a git tree with uncommitted changes (records and tables then say \"dirty\")"),
		seed:       f.Int64("seed", -1, "override train.seed of every run (default -1: each spec's own seed)"),
		seeds: f.String("seeds", "", "run every point at `N` seeds (the point's own seed and the next N-1), or at a list of seeds (1,4,9); "+
			"each seed is its own cached record, and tables show mean ± 95% t half-width (default: the spec's [seeds], else 1)"),
	}
}

// check parses the flags that need more than the flag package's parsing;
// a bad value is a usage error (exit 2).
func (r *runFlags) check(stderr io.Writer, cmd string) bool {
	if *r.seeds == "" {
		return true
	}
	ss, err := spec.ParseSeeds(*r.seeds)
	if err != nil {
		fmt.Fprintf(stderr, "actrepro %s: --seeds: %v\n", cmd, err)
		return false
	}
	r.seedSet = &ss
	return true
}

func (r runFlags) options(stderr io.Writer) harness.Options {
	var prog runner.Progress
	if !*r.quiet {
		prog = progress.New(stderr, progress.Options{})
	}
	o := harness.Options{Scale: *r.scale, Backend: *r.backend, DataRoot: *r.dataRoot, OutDir: *r.out, Force: *r.force,
		AllowDirty: *r.allowDirty, Progress: prog, Seeds: r.seedSet, Exec: executor.Info()}
	if *r.seed >= 0 {
		o.Seed = r.seed
	}
	return o
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

const runUsage = `
Usage: actrepro run SPEC [--scale smoke|full] [--backend B] [--data-root DIR] [--out DIR] [--force] [--seed N] [--seeds N|LIST] [--allow-dirty] [--plan] [--point N|HASH]
       actrepro run SPEC --executor slurm [--partition P] [--time T] [--cpus-per-task N] [--mem M] [--gres G] [--account A] [--max-parallel M] [--sbatch-arg ARG]... [run flags]

Runs every point of the spec's sweep at the scale, writing one record per
point to OUT/<experiment-id>/<scale>/<hash>.json, then renders the spec's
tables (paper vs measured) to OUT/<experiment-id>/<scale>/table.md and
prints them. Points that already have a record are reused (the cache), so an
interrupted run resumes where it stopped; --force recomputes them. A
point's hash includes the code version of its task (a fingerprint of the
task's, model's, trainer's and readers' source), so records made by other
code are never reused: they are left out of the table and counted.
A scale other than smoke (full, code, ...) refuses to run from a git tree
with uncommitted changes unless --allow-dirty: records must name the
commit that made them.
--seeds 3 runs every point at three seeds (its own train.seed and the next
two), each seed its own record; the tables then show each cell as
mean ± half-width of a 95% t-interval over the seeds, with n, and mark a
paper value outside the interval. Rerunning with --seeds 5 trains only the
two new seeds. The spec's [seeds] section sets a default per scale.
--plan lists the points with their index and hash; --point N (an index
0..points-1, or a hash or its first 6+ characters) runs that point only
and writes its record as a full run would, without rendering tables (each
point has its own lock file, so two processes never train the same point:
the second says "busy" and exits 0). --render-only trains nothing and
renders the tables from the records there are.
--executor slurm submits the sweep to Slurm instead of running it: one job
array over the points that have no record and no task queued or running
(--array=i,j,k%M, M = --max-parallel), each task running
actrepro run SPEC --point HASH with the same flags, then one job that
renders the tables after the array (--dependency=afterany). Scripts, task
logs and a copy of this executable (named by its SHA-256, so a rebuild
does not change what queued tasks run) go to OUT/<id>/<scale>/slurm/.
Running the same command again submits only what is missing or failed.
Follow with actrepro status SPEC --wait.
Exit code: 0 all points done (or submitted), 1 some point failed, 2 bad
spec or flags (an unknown point, sbatch absent, sbatch refusing the job),
or a run refused from a dirty tree.`

func runRun(args []string, stdout, stderr io.Writer) int {
	f := newFlags("run", runUsage, stdout, stderr)
	rf := addRunFlags(f)
	plan := f.Bool("plan", false, "list the points (index, hash, cached or to run, label) and exit without running")
	point := f.String("point", "", "run only this point: its index in the sweep at the scale (0-based, as --plan lists) or its hash")
	renderOnly := f.Bool("render-only", false, "train nothing: render the tables from the records there are (points without one are reported failed)")
	executorName := f.String("executor", "local", "where the points run: local (here, one after the other) or slurm (one Slurm job array; see --partition ...)")
	sl := addSlurmFlags(f)
	pos, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "actrepro run: want exactly one SPEC (see actrepro run --help)")
		return 2
	}
	if !rf.check(stderr, "run") {
		return 2
	}
	if *plan {
		return runPlan(pos[0], rf, stdout, stderr)
	}
	switch *executorName {
	case "local":
		if sl.set(f) != "" {
			fmt.Fprintf(stderr, "actrepro run: %s is a flag of --executor slurm\n", sl.set(f))
			return 2
		}
	case "slurm":
		if *point != "" || *renderOnly {
			fmt.Fprintln(stderr, "actrepro run: --point and --render-only run here; they do not go with --executor slurm")
			return 2
		}
		return submitSlurm(pos[0], rf, sl.slurm(), stdout, stderr)
	default:
		fmt.Fprintf(stderr, "actrepro run: unknown --executor %q (want local or slurm)\n", *executorName)
		return 2
	}
	if *point != "" && *renderOnly {
		fmt.Fprintln(stderr, "actrepro run: --point runs a point; --render-only runs none: pass one of them")
		return 2
	}
	ctx, cancel := signalContext()
	defer cancel()
	opts := rf.options(stderr)
	opts.Point, opts.RenderOnly = *point, *renderOnly
	rep, err := harness.Run(ctx, pos[0], opts)
	if *point != "" {
		return finishPoint(rep, err, stdout, stderr)
	}
	return finishRun(rep, err, stdout, stderr)
}

// finishPoint prints what a --point run did and returns its exit code.
func finishPoint(rep *harness.Report, err error, stdout, stderr io.Writer) int {
	if rep == nil || rep.Dir == "" || errors.Is(err, harness.ErrDirtyTree) || errors.Is(err, harness.ErrNoPoint) {
		fmt.Fprintln(stderr, err)
		return 2
	}
	id := rep.Spec.Experiment.ID
	switch {
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 1
	case len(rep.Busy) > 0:
		fmt.Fprintf(stdout, "%s: point %d [%s] is being run by another process, not run here: %v\n", id, rep.Index, rep.Busy[0].Hash, rep.Busy[0].Err)
	case rep.Ran > 0:
		r := rep.Records[0]
		fmt.Fprintf(stdout, "%s: point %d [%s] %s done in %.1fs on backend %s; record %s\n", id, rep.Index, r.Hash, r.Label, r.Seconds, rep.Backend, results.Path(rep.Dir, r.Hash))
	default:
		r := rep.Records[0]
		fmt.Fprintf(stdout, "%s: point %d [%s] %s has a record already (cached); record %s\n", id, rep.Index, r.Hash, r.Label, results.Path(rep.Dir, r.Hash))
	}
	return 0
}

// finishRun prints a run's tables and summary and returns its exit code.
func finishRun(rep *harness.Report, err error, stdout, stderr io.Writer) int {
	if rep == nil || rep.Dir == "" || errors.Is(err, harness.ErrDirtyTree) {
		fmt.Fprintln(stderr, err)
		return 2
	}
	for _, t := range rep.Tables {
		t.Markdown(stdout)
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "%s: %d runs (%d ran, %d cached, %d failed) on backend %s; records in %s\n",
		rep.Spec.Experiment.ID, rep.Points, rep.Ran, rep.Cached, len(rep.Failed), rep.Backend, rep.Dir)
	for _, n := range rep.Skipped.Notes() {
		fmt.Fprintf(stdout, "%s: %s\n", rep.Spec.Experiment.ID, n)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

const reproduceUsage = `
Usage: actrepro reproduce [--scale smoke|full] [--dir experiments] [flags]

Runs every spec under --dir at the scale (cached runs are reused) and
renders every table into OUT/<experiment-id>/<scale>/table.md. A spec that
fails (bad spec, unregistered task, failed runs) does not stop the others;
the exit code is non-zero if any failed, and the summary names them.

A spec that reads real data (data.source = "real") of a dataset whose folder
is not under the data root (--data-root, $ACTREPRO_DATA) is skipped, not
failed: the summary counts it and says which folder it needs.`

func runReproduce(args []string, stdout, stderr io.Writer) int {
	f := newFlags("reproduce", reproduceUsage, stdout, stderr)
	dir := f.String("dir", "experiments", "directory of experiment specs")
	rf := addRunFlags(f)
	pos, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "actrepro reproduce: unexpected argument %q\n", pos[0])
		return 2
	}
	if !rf.check(stderr, "reproduce") {
		return 2
	}
	paths, err := findSpecs(*dir)
	if err != nil {
		fmt.Fprintln(stderr, "actrepro reproduce:", err)
		return 2
	}
	paths, err = orderByDepends(paths)
	if err != nil {
		fmt.Fprintln(stderr, "actrepro reproduce:", err)
		return 2
	}
	ctx, cancel := signalContext()
	defer cancel()
	var failed, skipped []string
	worst := 0
	for _, p := range paths {
		if ctx.Err() != nil {
			failed = append(failed, p+": not run (interrupted)")
			worst = 1
			continue
		}
		fmt.Fprintf(stderr, "== %s (scale %s)\n", p, *rf.scale)
		if why := needsAbsentData(p, *rf.scale, *rf.dataRoot); why != "" {
			fmt.Fprintf(stderr, "skipped: %s\n", why)
			skipped = append(skipped, p+": "+why)
			continue
		}
		rep, err := harness.Run(ctx, p, rf.options(stderr))
		code := finishRun(rep, err, io.Discard, stderr)
		if rep != nil && rep.TableMD != "" {
			fmt.Fprintf(stdout, "%s -> %s\n", p, rep.TableMD)
		}
		if code != 0 {
			msg := "failed"
			if err != nil {
				msg = strings.SplitN(err.Error(), "\n", 2)[0]
			}
			failed = append(failed, p+": "+msg)
			worst = max(worst, code)
		}
	}
	fmt.Fprintf(stdout, "reproduce: %d specs, %d ok, %d failed", len(paths), len(paths)-len(failed)-len(skipped), len(failed))
	if len(skipped) > 0 {
		fmt.Fprintf(stdout, ", %d skipped (real data not under the data root)", len(skipped))
	}
	fmt.Fprintln(stdout)
	for _, s := range skipped {
		fmt.Fprintln(stderr, "SKIPPED", s)
	}
	for _, f := range failed {
		fmt.Fprintln(stderr, "FAILED", f)
	}
	if len(failed) > 0 {
		return max(worst, 1)
	}
	return 0
}

// runPlan prints the points of a spec at a scale and whether each has a record.
func runPlan(specPath string, rf runFlags, stdout, stderr io.Writer) int {
	s, task, points, err := harness.PrepareWith(specPath, rf.options(io.Discard))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	dir := results.Dir(*rf.out, s.Experiment.ID, *rf.scale)
	// A derived spec's record is cached only while its upstream records
	// are those it was computed from (harness.UpstreamOf).
	up, upErr := harness.UpstreamOf(s, task, *rf.out, *rf.scale)
	todo, stale := 0, 0
	w := len(fmt.Sprint(len(points) - 1))
	for i, p := range points {
		state, why := "cached", ""
		if *rf.force || !results.Exists(dir, p.Hash) {
			state = "to run"
		} else if r, err := results.Read(results.Path(dir, p.Hash)); err != nil {
			state, why = "to run", "  (unreadable record)"
		} else if harness.Stale(r, up, upErr) != "" {
			state, why = "to run", "  (upstream records missing)"
			if upErr == nil {
				why = "  (upstream records changed)"
				stale++
			}
		}
		if state == "to run" {
			todo++
		}
		fmt.Fprintf(stdout, "%*d  %s  %-6s  %s%s\n", w, i, p.Hash, state, p.Label, why)
	}
	fmt.Fprintf(stdout, "%s at scale %s: %d points, %d to run, records in %s\n", s.Experiment.ID, *rf.scale, len(points), todo, dir)
	switch {
	case upErr != nil:
		fmt.Fprintf(stdout, "%s: upstream records missing: %v\n", s.Experiment.ID, upErr)
	case stale > 0:
		fmt.Fprintf(stdout, "%s: %d record(s) were computed from upstream records that have changed since (%s now %s over %d records): they run again\n", s.Experiment.ID, stale, strings.Join(s.Experiment.Depends, ", "), up.Digest, len(up.Records))
	}
	if all, err := results.Load(dir); err == nil {
		_, skipped := harness.Current(s, *rf.scale, points, all)
		for _, n := range skipped.Notes() {
			fmt.Fprintf(stdout, "%s: %s\n", s.Experiment.ID, n)
		}
	}
	return 0
}

// orderByDepends orders spec paths so that every spec comes after the
// experiments it depends on ([experiment] depends), keeping the sorted
// order otherwise. Specs that do not load keep their place (reproduce
// reports their error when it reaches them).
func orderByDepends(paths []string) ([]string, error) {
	idOf := map[string]string{}   // path -> id
	pathOf := map[string]string{} // id -> path
	deps := map[string][]string{} // path -> paths it depends on
	for _, p := range paths {
		if s, err := spec.Load(p); err == nil {
			idOf[p] = s.Experiment.ID
			pathOf[s.Experiment.ID] = p
		}
	}
	for _, p := range paths {
		if _, ok := idOf[p]; !ok {
			continue
		}
		s, _ := spec.Load(p)
		for _, d := range s.Experiment.Depends {
			dp, ok := pathOf[d]
			if !ok {
				return nil, fmt.Errorf("%s: experiment.depends names %q, which no spec under the directory has", p, d)
			}
			deps[p] = append(deps[p], dp)
		}
	}
	var out []string
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	var visit func(p string, chain []string) error
	visit = func(p string, chain []string) error {
		switch state[p] {
		case 1:
			return fmt.Errorf("experiment.depends forms a cycle: %s", strings.Join(append(chain, p), " -> "))
		case 2:
			return nil
		}
		state[p] = 1
		for _, d := range deps[p] {
			if err := visit(d, append(chain, p)); err != nil {
				return err
			}
		}
		state[p] = 2
		out = append(out, p)
		return nil
	}
	for _, p := range paths {
		if err := visit(p, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// needsAbsentData says why the spec at path cannot run here, or "": it reads
// real data (data.source = "real" at this scale) of a dataset whose folder is
// not under the data root. A spec that fails to load is left to the harness,
// which reports the error with its line.
func needsAbsentData(path, scale, root string) string {
	s, err := spec.Load(path)
	if err != nil {
		return ""
	}
	data := s.Sections["data"]
	source, _ := data["source"].(string)
	if v, ok := s.Scales[scale]["data.source"].(string); ok {
		source = v
	}
	dataset, _ := data["dataset"].(string)
	if v, ok := s.Scales[scale]["data.dataset"].(string); ok {
		dataset = v
	}
	if source != "real" || dataset == "" {
		return ""
	}
	if root == "" {
		return fmt.Sprintf("it reads the real %s data and no data root is set (--data-root or ACTREPRO_DATA; README: data)", dataset)
	}
	if st, err := os.Stat(filepath.Join(root, dataset)); err != nil || !st.IsDir() {
		return fmt.Sprintf("it reads the real %s data and %s is absent (README: data)", dataset, filepath.Join(root, dataset))
	}
	return ""
}
