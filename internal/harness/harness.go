package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/actrepro/actrepro/internal/codever"
	"github.com/actrepro/actrepro/internal/pointlock"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/table"
)

// DefaultBackend is used when neither the --backend flag, the spec's
// [experiment] backend nor $GOMLX_BACKEND names one.
const DefaultBackend = "purego"

// Options configure Run.
type Options struct {
	Scale    string // "smoke" (default) or "full" or another scale of the spec
	Backend  string // explicit backend; see ResolveBackend
	DataRoot string // root of real data; default $ACTREPRO_DATA
	OutDir   string // results root; default "results"
	Force    bool   // recompute points that already have a record
	// AllowDirty lets a run at a scale other than smoke write records from
	// a dirty git tree (see results.GitCommit); the records say dirty and
	// tables built from them say "from a dirty tree". Without it such a
	// run is refused before any point trains.
	AllowDirty bool
	// Git reports the commit of the checkout holding dir and whether its
	// tree is dirty; default results.GitCommit (tests replace it).
	Git func(dir string) (commit string, dirty bool)
	// Seed, when set, overrides train.seed of every point (the CLI's --seed,
	// a notebook's ACTREPRO_SEED). It is part of each point's config, so it
	// changes the points' hashes: records of other seeds are kept, not reused.
	Seed *int64
	// Seeds, when set, overrides the spec's [seeds] entry for the scale
	// (the CLI's --seeds): every point runs at Seeds.Count() seeds, each
	// its own point and record (see spec.ExpandSeeds). A count starts at
	// the point's own seed, so rerunning with more seeds reuses the
	// records already made and trains only the new seeds.
	Seeds    *spec.Seeds
	Progress runner.Progress // nil: no progress output
	// Point, when set, runs only that point of the sweep: its index in the
	// sweep at the scale (0-based, as --plan lists them) or its hash (or a
	// unique prefix of at least 6 characters); see SelectPoint. Such a run
	// writes the point's record as a full run would, takes no lock on the
	// whole results directory (many single-point runs, e.g. the tasks of a
	// cluster job array, share it; each point has its own lock) and renders
	// no table.
	Point string
	// RenderOnly trains nothing: points without a record are reported as
	// failed ("no record") and the tables are rendered from the records
	// that exist (a cluster sweep's final render job).
	RenderOnly bool
	// Exec, when set, describes where the points run (executor name, batch
	// job ids, node); it is stored in each new record's extra["executor"].
	Exec map[string]any
	// LockMaxAge is the age after which a point's lock is stale whatever
	// its host (see package pointlock); default pointlock.DefaultMaxAge.
	LockMaxAge time.Duration
	// Now is the clock for records' start and end times; default time.Now.
	Now func() time.Time
}

// Report says what Run did.
type Report struct {
	Spec    *spec.Spec
	Scale   string
	Backend string
	// CodeVersion is the task's code version, part of every point's hash
	// (see CodeVersion).
	CodeVersion string
	// Skipped counts the records in Dir that are not of the current
	// points (another code version, or settings the spec no longer has).
	Skipped Skipped
	Dir     string       // results/<experiment>/<scale>
	Points  int          // points in the sweep at this scale
	Ran     int          // points run now
	Cached  int          // points whose record already existed
	Failed  []PointError // points that failed
	// Busy are points another process was running (their lock was held):
	// neither run nor failed here.
	Busy    []PointError
	Index   int              // with Options.Point: the point's index in the sweep
	Records []results.Record // one per finished point, in sweep order
	Tables  []*table.Table   // the spec's tables, rendered from Records
	TableMD string           // path of the written table.md
}

// PointError is one failed point.
type PointError struct {
	Label string
	Hash  string
	Err   error
}

func (e PointError) Error() string { return fmt.Sprintf("point %s [%s]: %v", e.Label, e.Hash, e.Err) }

// Versioned is implemented by tasks with a version name, e.g.
// "artemis-2". It is the readable part of the task's code version (see
// CodeVersion); the source fingerprint does the invalidating, so a task
// need not bump it for each change.
type Versioned interface {
	Version() string
}

// CodeVersion is the code version of task that goes into every point's
// hash and record: its Version() name, if any, then "+src." and the
// fingerprint of the source of the task's package and of every package of
// this module it imports (internal/codever), so that changed code never
// reuses a record made by other code.
func CodeVersion(task runner.Task) (string, error) { return codever.Version(task) }

// ErrDirtyTree is wrapped by Run's error when it refuses to train at a
// scale other than smoke from a dirty tree or outside a git checkout.
var ErrDirtyTree = errors.New("refused: records must name a clean commit")

// IsSmoke reports whether scale is a smoke scale ("smoke" or "smoke-..."):
// the scales that may run from a dirty tree without AllowDirty.
func IsSmoke(scale string) bool { return scale == "smoke" || strings.HasPrefix(scale, "smoke-") }

// Noter and Labeler are optional extensions of runner.Progress that the
// harness uses when present (progress.Bar implements both).
type (
	Noter   interface{ Note(msg string) }
	Labeler interface{ Label(label string) }
)

// BackendCheck, when set, is called once before a run that will train
// anything, with the resolved backend; its error stops the run. The task
// registry (internal/tasks) sets it to try the backend's constructor, so a
// missing GPU plugin is one clear error, not one per point.
var BackendCheck func(backend string) error

// ResolveBackend picks the backend: the explicit flag value, else the
// spec's default, else $GOMLX_BACKEND, else DefaultBackend.
func ResolveBackend(explicit, specDefault string) string {
	for _, b := range []string{explicit, specDefault, os.Getenv("GOMLX_BACKEND")} {
		if b != "" {
			return b
		}
	}
	return DefaultBackend
}

// Prepare loads a spec, finds its task and expands and validates every
// point at scale, without running anything. Validation errors name the
// spec's file and line.
func Prepare(specPath, scale string) (*spec.Spec, runner.Task, []runner.Point, error) {
	return PrepareWith(specPath, Options{Scale: scale})
}

// PrepareWith is Prepare with the overrides of opts applied (Scale, Seed,
// Seeds).
func PrepareWith(specPath string, opts Options) (*spec.Spec, runner.Task, []runner.Point, error) {
	scale := opts.Scale
	s, err := spec.Load(specPath)
	if err != nil {
		return nil, nil, nil, err
	}
	if over, ok := s.Scales[scale]; ok && opts.Seed != nil {
		// A scale override is applied after the base sections and before
		// the sweep axes, so a seed axis still wins over this.
		over["train.seed"] = *opts.Seed
	}
	task, err := runner.Lookup(s.Experiment.Task)
	if err != nil {
		return s, nil, nil, &spec.Error{File: s.Path, Line: s.Line("experiment.task"), Key: "experiment.task",
			Msg: fmt.Sprintf("%v; a task package registers itself in init and is imported by internal/tasks/tasks.go", err)}
	}
	version, err := CodeVersion(task)
	if err != nil {
		return s, task, nil, fmt.Errorf("%s: task %s: %w", s.Path, s.Experiment.Task, err)
	}
	points, err := s.ExpandSeeds(scale, version, opts.Seeds)
	if err != nil {
		return s, task, nil, err
	}
	// Report each distinct problem once, with the first point that has it.
	var errs []error
	seen := map[string]int{}
	var order []string
	for _, p := range points {
		if err := validate(task, p); err != nil {
			k := s.Locate(runner.Point{Scale: p.Scale}, err).Error()
			if _, dup := seen[k]; !dup {
				order = append(order, k)
				errs = append(errs, s.Locate(p, err))
			}
			seen[k]++
		}
	}
	for i, k := range order {
		if n := seen[k]; n > 1 {
			errs[i] = fmt.Errorf("%w (and %d more points)", errs[i], n-1)
		}
	}
	if len(errs) > 0 {
		return s, task, points, errors.Join(errs...)
	}
	return s, task, points, nil
}

func validate(task runner.Task, p runner.Point) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("task Validate panicked (a bug in the task): %v", r)
		}
	}()
	return task.Validate(p)
}

// ErrNoPoint is wrapped by the error of an Options.Point that names no
// point of the sweep (an index out of range, an unknown hash).
var ErrNoPoint = errors.New("no such point")

// SelectPoint finds sel among points: a hash, a decimal index (0-based,
// fewer than 6 digits), or a prefix of at least 6 characters of exactly
// one point's hash.
func SelectPoint(points []runner.Point, sel string) (int, error) {
	for i, p := range points {
		if p.Hash == sel {
			return i, nil
		}
	}
	if i, err := strconv.Atoi(sel); err == nil && len(sel) < 6 {
		if i < 0 || i >= len(points) {
			return -1, fmt.Errorf("point index %d is out of range: the sweep has %d points, indices 0 to %d (actrepro run --plan lists them) (%w)", i, len(points), len(points)-1, ErrNoPoint)
		}
		return i, nil
	}
	found := -1
	for i, p := range points {
		if len(sel) >= 6 && strings.HasPrefix(p.Hash, sel) {
			if found >= 0 {
				return -1, fmt.Errorf("point %q is ambiguous: it prefixes the hashes of points %d and %d (%w)", sel, found, i, ErrNoPoint)
			}
			found = i
		}
	}
	if found < 0 {
		return -1, fmt.Errorf("no point of the sweep has hash %q (a point index or hash, as actrepro run --plan lists them; a hash depends on the scale, seed and code version) (%w)", sel, ErrNoPoint)
	}
	return found, nil
}

// Run runs the spec at opts.Scale. It returns a Report even on error (when
// the spec loaded), so callers can show what did finish.
func Run(ctx context.Context, specPath string, opts Options) (*Report, error) {
	if opts.Scale == "" {
		opts.Scale = "smoke"
	}
	if opts.OutDir == "" {
		opts.OutDir = "results"
	}
	if opts.DataRoot == "" {
		opts.DataRoot = os.Getenv("ACTREPRO_DATA")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Git == nil {
		opts.Git = results.GitCommit
	}
	prog := opts.Progress
	if prog == nil {
		prog = runner.Discard
	}
	note := func(format string, args ...any) {
		if n, ok := prog.(Noter); ok {
			n.Note(fmt.Sprintf(format, args...))
		}
	}
	s, task, points, err := PrepareWith(specPath, opts)
	if err != nil {
		if s == nil {
			return nil, err
		}
		return &Report{Spec: s, Scale: opts.Scale}, err
	}
	version, _ := CodeVersion(task) // PrepareWith succeeded, so this does
	all := len(points)
	index := -1
	if opts.Point != "" {
		i, err := SelectPoint(points, opts.Point)
		if err != nil {
			return &Report{Spec: s, Scale: opts.Scale}, fmt.Errorf("%s at scale %s: %w", s.Path, opts.Scale, err)
		}
		index, points = i, points[i:i+1]
	}
	rep := &Report{
		Spec:        s,
		Scale:       opts.Scale,
		Backend:     ResolveBackend(opts.Backend, s.Experiment.Backend),
		CodeVersion: version,
		Dir:         results.Dir(opts.OutDir, s.Experiment.ID, opts.Scale),
		Points:      len(points),
		Index:       index,
	}
	if index < 0 {
		// A whole sweep locks the directory and cleans what a killed
		// writer left; a single point (a job array's task) must not: the
		// other tasks write into the same directory at the same time.
		unlock, err := results.Lock(rep.Dir)
		if err != nil {
			return rep, err
		}
		defer unlock()
		// Temporary files are a killed writer's only while no point is
		// locked by a live process: a single-point run (a cluster task)
		// may be writing one.
		if pointlock.Live(rep.Dir, pointlock.Options{MaxAge: opts.LockMaxAge}) == 0 {
			if n := results.CleanTemp(rep.Dir); n > 0 {
				note("removed %d temporary file(s) left by an interrupted run in %s", n, rep.Dir)
			}
		}
	} else if err := os.MkdirAll(rep.Dir, 0o755); err != nil {
		return rep, err
	}
	commit, dirty := opts.Git(filepath.Dir(specPath))

	// A derived spec's records are served from cache only while the
	// upstream records they were computed from are the current ones.
	up, upErr := UpstreamOf(s, task, opts.OutDir, opts.Scale)
	cached := func(p runner.Point) (r *results.Record, stale string, err error) {
		if !results.Exists(rep.Dir, p.Hash) {
			return nil, "", nil
		}
		if r, err = results.Read(results.Path(rep.Dir, p.Hash)); err != nil {
			return nil, "", err
		}
		return r, Stale(r, up, upErr), nil
	}
	toRun := 0
	for _, p := range points {
		if opts.RenderOnly {
			continue
		}
		if r, stale, _ := cached(p); opts.Force || r == nil || stale != "" {
			toRun++
		}
	}
	if toRun > 0 && !IsSmoke(opts.Scale) && !opts.AllowDirty {
		switch {
		case commit == "unknown":
			return rep, fmt.Errorf("%s: refusing to run %d point(s) at scale %q outside a git checkout: their records could not be traced to a commit. Run from a clean checkout, or pass --allow-dirty (the records and tables then say so) (%w)", s.Path, toRun, opts.Scale, ErrDirtyTree)
		case dirty:
			return rep, fmt.Errorf("%s: refusing to run %d point(s) at scale %q from a dirty git tree (uncommitted changes on top of %s): their records could not be traced to a commit. Commit first, or pass --allow-dirty (in a notebook kernel.AllowDirty() or ACTREPRO_ALLOW_DIRTY=1; the records then say dirty=true and tables \"from a dirty tree\"); smoke scales run from dirty trees freely (%w)", s.Path, toRun, opts.Scale, shortHash(commit), ErrDirtyTree)
		}
	}
	if BackendCheck != nil && toRun > 0 {
		// Something will train: say once, before any point runs, that the
		// backend can't be had (rather than once a point).
		if err := BackendCheck(rep.Backend); err != nil {
			return rep, fmt.Errorf("%s: %w", s.Path, err)
		}
	}
	fresh := map[string]bool{}
	ctx = results.WithRoot(ctx, opts.OutDir)
	prog.Start(s.Experiment.ID+" "+opts.Scale, len(points))
	fail := func(i int, p runner.Point, err error) {
		rep.Failed = append(rep.Failed, PointError{Label: p.Label, Hash: p.Hash, Err: err})
		note("FAILED  %s: %v", p.Label, err)
		prog.Step(i+1, nil)
	}
	for i, p := range points {
		if err := ctx.Err(); err != nil {
			prog.Finish()
			return rep, fmt.Errorf("%s: interrupted after %d of %d points: %w", s.Path, i, len(points), err)
		}
		if l, ok := prog.(Labeler); ok {
			l.Label(p.Label)
		}
		if !opts.Force && results.Exists(rep.Dir, p.Hash) {
			r, stale, err := cached(p)
			switch {
			case err != nil:
				note("re-running %s: its record is unreadable (%v)", p.Label, err)
			case stale == "" || opts.RenderOnly:
				rep.Cached++
				rep.Records = append(rep.Records, *r)
				if stale != "" {
					note("cached  %s (stale: %s)", p.Label, stale)
				} else {
					note("cached  %s", p.Label)
				}
				prog.Step(i+1, nil)
				continue
			default:
				note("re-running %s: %s", p.Label, stale)
			}
		}
		if opts.RenderOnly {
			rep.Failed = append(rep.Failed, PointError{Label: p.Label, Hash: p.Hash, Err: errors.New("no record (its run failed or has not run)")})
			prog.Step(i+1, nil)
			continue
		}
		release, err := pointlock.Acquire(rep.Dir, p.Hash, pointlock.Options{MaxAge: opts.LockMaxAge, Job: pointlock.FromEnv()})
		var held *pointlock.HeldError
		if errors.As(err, &held) {
			rep.Busy = append(rep.Busy, PointError{Label: p.Label, Hash: p.Hash, Err: err})
			note("busy    %s: %v", p.Label, err)
			prog.Step(i+1, nil)
			continue
		}
		if err != nil {
			fail(i, p, err)
			continue
		}
		if upErr != nil {
			// Its upstream records are missing: the task would fail, or
			// compute from nothing.
			release()
			fail(i, p, upErr)
			continue
		}
		if !opts.Force && results.Exists(rep.Dir, p.Hash) {
			// Another process finished it while we waited for the lock.
			if r, stale, err := cached(p); err == nil && stale == "" {
				release()
				rep.Cached++
				rep.Records = append(rep.Records, *r)
				note("cached  %s (finished by another process)", p.Label)
				prog.Step(i+1, nil)
				continue
			}
		}
		rec, err := runPoint(ctx, s, task, p, opts, rep.Backend, prog)
		if err != nil {
			release()
			fail(i, p, err)
			continue
		}
		rec.Commit, rec.Dirty, rec.CodeVersion = commit, dirty, version
		if up != nil {
			rec.Upstream, rec.UpstreamRecords = up.Digest, up.Records
		}
		if opts.Exec != nil {
			if rec.Extra == nil {
				rec.Extra = map[string]any{}
			}
			rec.Extra["executor"] = opts.Exec
		}
		err = results.Write(rep.Dir, rec)
		release()
		if err != nil {
			fail(i, p, err)
			continue
		}
		rep.Ran++
		fresh[rec.Hash] = true
		rep.Records = append(rep.Records, *rec)
		note("done    %s (%.1fs)%s", p.Label, rec.Seconds, metricsText(rec.Metrics))
		prog.Step(i+1, rec.Metrics)
	}
	prog.Finish()
	if index >= 0 {
		if len(rep.Failed) > 0 {
			return rep, fmt.Errorf("%s: point %d of %d failed: %w", s.Path, index, all, rep.Failed[0])
		}
		return rep, nil
	}

	var tableRecs []results.Record
	if all, err := results.Load(rep.Dir); err == nil {
		var use []results.Record
		use, rep.Skipped = Current(s, opts.Scale, points, all)
		// Records of the current points at seeds this run did not ask for
		// (e.g. --seeds 5 earlier, one seed now) still belong in the table.
		ran := map[string]bool{}
		for _, r := range rep.Records {
			ran[r.Hash] = true
		}
		for _, r := range use {
			if !ran[r.Hash] {
				tableRecs = append(tableRecs, r)
			}
		}
	}
	shown := append(append([]results.Record(nil), rep.Records...), tableRecs...)
	notes := rep.Skipped.Notes()
	if n := StaleNote(s, task, opts.OutDir, opts.Scale, shown); n != "" {
		notes = append(notes, n) // a render-only run shows what exists
	}
	if err := rep.writeTables(shown, table.Origin{Fresh: fresh, CommitExists: results.CommitChecker(filepath.Dir(specPath)), Skipped: notes}); err != nil {
		return rep, err
	}
	if len(rep.Failed) > 0 || len(rep.Busy) > 0 {
		errs := []error{fmt.Errorf("%s: %d of %d points failed, %d being run by another process", s.Path, len(rep.Failed), len(points), len(rep.Busy))}
		for _, f := range rep.Failed {
			errs = append(errs, f)
		}
		for _, f := range rep.Busy {
			errs = append(errs, f)
		}
		return rep, errors.Join(errs...)
	}
	return rep, nil
}

func metricsText(m map[string]float64) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, " %s=%.4g", k, m[k])
	}
	return b.String()
}

func sortedKeys(m map[string]float64) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// seedOf is the point's train.seed, or 0.
func seedOf(p runner.Point) int64 {
	if v, ok := spec.GetPath(p.Config, "train.seed"); ok {
		if i, ok := v.(int64); ok {
			return i
		}
	}
	return 0
}

func runPoint(ctx context.Context, s *spec.Spec, task runner.Task, p runner.Point, opts Options, backend string, prog runner.Progress) (rec *results.Record, err error) {
	env := runner.Env{Backend: backend, DataRoot: opts.DataRoot, Seed: seedOf(p), Progress: prog}
	start := opts.Now()
	var out runner.Outcome
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("task %s panicked: %v\n%s", s.Experiment.Task, r, firstLines(debug.Stack(), 12))
			}
		}()
		out, err = task.Run(ctx, p, env)
	}()
	if err != nil {
		return nil, err
	}
	end := opts.Now()
	want, _ := spec.GetPath(p.Config, "data.source")
	source := out.DataSource
	if source == "" {
		source = fmt.Sprint(want)
	} else if source != want {
		return nil, fmt.Errorf("task reports data source %q but the spec asks for %q", source, want)
	}
	if len(out.Metrics) == 0 {
		return nil, errors.New("task returned no metrics")
	}
	return &results.Record{
		Experiment:      s.Experiment.ID,
		Paper:           s.Experiment.Paper,
		Table:           s.Experiment.Table,
		Task:            s.Experiment.Task,
		Spec:            s.Path,
		SpecSHA256:      s.SHA256,
		Hash:            p.Hash,
		Scale:           p.Scale,
		Label:           p.Label,
		Axes:            p.Axes,
		Config:          p.Config,
		DataSource:      source,
		DataFingerprint: out.DataFingerprint,
		Backend:         backend,
		Seed:            env.Seed,
		Start:           start.UTC(),
		End:             end.UTC(),
		Seconds:         end.Sub(start).Seconds(),
		Metrics:         out.Metrics,
		Curves:          out.Curves,
		Params:          out.Params,
		Notes:           out.Notes,
		Extra:           out.Extra,
		GoVersion:       runtime.Version(),
		OS:              runtime.GOOS,
		Arch:            runtime.GOARCH,
		Cores:           runtime.NumCPU(),
	}, nil
}

func firstLines(b []byte, n int) string {
	lines := bytes.SplitN(b, []byte("\n"), n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// writeTables renders every table of the spec from recs (the records of
// the current points, at every seed measured) into Dir/table.md.
func (rep *Report) writeTables(recs []results.Record, o table.Origin) error {
	var md bytes.Buffer
	for i, t := range rep.Spec.Tables {
		tb := table.BuildFrom(rep.Spec, t, recs, rep.Scale, nil, o)
		rep.Tables = append(rep.Tables, tb)
		if i > 0 {
			md.WriteString("\n")
		}
		if err := tb.Markdown(&md); err != nil {
			return err
		}
	}
	if len(rep.Records) == 0 {
		return nil // nothing measured: leave no table behind
	}
	rep.TableMD = filepath.Join(rep.Dir, "table.md")
	return results.WriteFileAtomic(rep.TableMD, md.Bytes())
}

func shortHash(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// Skipped counts the records of an experiment at a scale that are not
// records of the spec's current points, by reason.
type Skipped struct {
	// OtherCode records have the settings of a current point but were made
	// by another code version (changed task, model, trainer or reader
	// code, or records older than code versions).
	OtherCode int
	// CodeVersions are the code versions of the OtherCode records
	// ("unrecorded" for records older than code versions).
	CodeVersions []string
	// OtherSettings records have settings the spec no longer has.
	OtherSettings int
}

// Notes says what was skipped, in sentences for a table's notes and the
// CLI; nil when nothing was.
func (k Skipped) Notes() []string {
	var out []string
	if k.OtherCode > 0 {
		out = append(out, fmt.Sprintf("%d record(s) of another code version ignored: they have the settings of current points but were made by other code (%s); run the spec to measure the current code.",
			k.OtherCode, strings.Join(k.CodeVersions, ", ")))
	}
	if k.OtherSettings > 0 {
		out = append(out, fmt.Sprintf("%d record(s) of settings the spec no longer has ignored.", k.OtherSettings))
	}
	return out
}

// Current picks from recs the records of points (the spec's points at
// scale), and of the same points at other seeds (train.seed changed, same
// code version: the records of an earlier run with more seeds, or other
// seeds, than points has), and counts the other records of the experiment
// at that scale, telling those of another code version (same settings as a
// current point, at any seed) from those of settings the spec no longer
// has.
func Current(s *spec.Spec, scale string, points []runner.Point, recs []results.Record) ([]results.Record, Skipped) {
	hashes := map[string]bool{}
	configs := map[string]bool{}
	unseeded := map[string]runner.Point{} // config without train.seed -> a seeded current point
	for _, p := range points {
		hashes[p.Hash] = true
		configs[configKey(p.Config)] = true
		if k, ok := withoutSeed(p.Config); ok {
			unseeded[k] = p
		}
	}
	version := ""
	if task, err := runner.Lookup(s.Experiment.Task); err == nil {
		version, _ = CodeVersion(task)
	}
	// otherSeed reports whether r is a current point at another seed.
	otherSeed := func(r results.Record) (match, sameSettings bool) {
		k, ok := withoutSeed(r.Config)
		if !ok {
			return false, false
		}
		p, ok := unseeded[k]
		if !ok {
			return false, false
		}
		v, _ := spec.GetPath(r.Config, "train.seed")
		f, ok := v.(float64) // records are JSON: integers read back as float64
		if i, isInt := v.(int64); isInt {
			f, ok = float64(i), true
		}
		if !ok || f != float64(int64(f)) || version == "" {
			return false, true
		}
		return s.WithSeed(p, int64(f), version).Hash == r.Hash, true
	}
	var use []results.Record
	var k Skipped
	versions := map[string]bool{}
	for _, r := range recs {
		if r.Experiment != s.Experiment.ID || r.Scale != scale {
			continue
		}
		if hashes[r.Hash] {
			use = append(use, r)
			continue
		}
		seedMatch, sameSettings := otherSeed(r)
		switch {
		case seedMatch:
			use = append(use, r)
		case sameSettings || configs[configKey(r.Config)]:
			k.OtherCode++
			v := r.CodeVersion
			if v == "" {
				v = "unrecorded"
			}
			versions[v] = true
		default:
			k.OtherSettings++
		}
	}
	for v := range versions {
		k.CodeVersions = append(k.CodeVersions, v)
	}
	sort.Strings(k.CodeVersions)
	return use, k
}

// withoutSeed is configKey of c with train.seed removed, and whether c
// has a train.seed.
func withoutSeed(c map[string]any) (string, bool) {
	tr, ok := c["train"].(map[string]any)
	if !ok {
		return "", false
	}
	if _, ok := tr["seed"]; !ok {
		return "", false
	}
	cp := make(map[string]any, len(c))
	for k, v := range c {
		cp[k] = v
	}
	t2 := make(map[string]any, len(tr))
	for k, v := range tr {
		if k != "seed" {
			t2[k] = v
		}
	}
	cp["train"] = t2
	return configKey(cp), true
}

// configKey is a point's resolved config as canonical JSON (sorted keys;
// an integer and the float64 it becomes in a record encode alike).
func configKey(c map[string]any) string {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Sprintf("%#v", c)
	}
	return string(b)
}

// Tables renders the tables of the spec at specPath from the records in
// dir (see TablesFrom).
func Tables(specPath, dir, scale string) ([]*table.Table, Skipped, error) {
	recs, err := results.Load(dir)
	if err != nil {
		return nil, Skipped{}, err
	}
	return TablesFrom(specPath, scale, recs)
}

// TablesFrom renders the tables of the spec at specPath from recs at
// scale, every record counted as reused ("cached from <commit>", with
// commits the repository lacks flagged). Records of other hashes (another
// code version, or settings the spec no longer has) are left out; the
// second result counts them, and the tables' notes say so.
func TablesFrom(specPath, scale string, recs []results.Record) ([]*table.Table, Skipped, error) {
	s, _, points, err := Prepare(specPath, scale)
	if err != nil {
		return nil, Skipped{}, err
	}
	use, skipped := Current(s, scale, points, recs)
	o := table.Origin{CommitExists: results.CommitChecker(filepath.Dir(specPath)), Skipped: skipped.Notes()}
	var out []*table.Table
	for _, t := range s.Tables {
		out = append(out, table.BuildFrom(s, t, use, scale, nil, o))
	}
	return out, skipped, nil
}
