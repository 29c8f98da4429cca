package kernel

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/actrepro/actrepro/internal/executor"
	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/table"
	_ "github.com/actrepro/actrepro/internal/tasks" // registers every paper task
	"github.com/actrepro/actrepro/plots"
)

// Option changes how Run runs a spec.
type Option func(*runConfig)

type runConfig struct {
	params Params
	force  bool
	quiet  bool
	dirty  bool
	outDir string
	seeds  *spec.Seeds
}

// Scale selects the spec's scale ("smoke" or "full").
func Scale(s string) Option { return func(c *runConfig) { c.params.Scale = s } }

// Backend selects the GoMLX backend ("purego", "go", "xla:cuda", ...).
func Backend(b string) Option { return func(c *runConfig) { c.params.Backend = b } }

// DataRoot sets the root of the real datasets.
func DataRoot(d string) Option { return func(c *runConfig) { c.params.DataRoot = d } }

// With applies a notebook's parameters (scale, backend, data root).
func With(p Params) Option {
	return func(c *runConfig) {
		seed := c.params.Seed
		c.params = p
		if p.Seed == 0 {
			c.params.Seed = seed
		}
	}
}

// Seeds runs every point at n seeds (the point's own train.seed and the
// next n−1), as actrepro run --seeds n: each seed its own cached record;
// tables show mean ± 95% t half-width, bars get error bars and Curves a
// band. Load with Seeds(n) reads those records.
func Seeds(n int) Option {
	return func(c *runConfig) {
		ss := spec.Seeds{N: n}
		c.seeds = &ss
	}
}

// Force recomputes points that already have a record.
func Force() Option { return func(c *runConfig) { c.force = true } }

// EnvAllowDirty set to 1 has every Run allow a dirty tree (see AllowDirty),
// e.g. ACTREPRO_SCALE=full ACTREPRO_ALLOW_DIRTY=1 make notebooks.
const EnvAllowDirty = "ACTREPRO_ALLOW_DIRTY"

// AllowDirty lets a scale other than smoke train from a git tree with
// uncommitted changes (actrepro run --allow-dirty); its records and tables
// then say "dirty".
func AllowDirty() Option { return func(c *runConfig) { c.dirty = true } }

// Quiet shows no progress while running.
func Quiet() Option { return func(c *runConfig) { c.quiet = true } }

// OutDir sets the results root (default results/ in the checkout).
func OutDir(d string) Option { return func(c *runConfig) { c.outDir = d } }

// Record is one run (one sweep point) as a notebook sees it.
type Record struct {
	Label      string               // the sweep point, e.g. "model.hidden=8"
	Axes       map[string]any       // sweep-axis values
	Metrics    map[string]float64   // final metrics
	Curves     map[string][]float64 // per-epoch curves, e.g. "train_loss"
	DataSource string               // "synthetic" or "real"
	Backend    string
	Seed       int64
	Seconds    float64
	Hash       string
	Commit     string
}

// Result is what Run or Load produced for a spec at one scale.
type Result struct {
	Spec       string // spec path
	Experiment string // [experiment] id
	Paper      string
	PaperTable string // the paper's table, e.g. "Table 1"
	Scale      string
	Backend    string
	Dir        string // results/<experiment>/<scale>
	Points     int    // points in the sweep
	Ran        int    // points trained by this call
	Cached     int    // points read from existing records
	Failed     []string
	Skipped    []string // records left out: of another code version, or of settings the spec no longer has
	Records    []Record
	Tables     []*Table

	raw []*table.Table
}

// Run runs the spec at path (relative paths are from the checkout root,
// e.g. "experiments/demo/quickstart.toml"), showing live progress, and
// returns its records and tables. Points with a record already are read,
// not re-trained (use Force to recompute). A failed point makes Run return
// an error along with the Result of the points that finished.
func Run(path string, opts ...Option) (*Result, error) {
	return RunContext(context.Background(), path, opts...)
}

// RunContext is Run with a context (cancel it to stop between points).
func RunContext(ctx context.Context, path string, opts ...Option) (*Result, error) {
	cfg, specPath, err := configure(path, opts)
	if err != nil {
		return nil, err
	}
	ho := harness.Options{
		Scale:      cfg.params.Scale,
		Backend:    cfg.params.Backend,
		DataRoot:   cfg.params.DataRoot,
		OutDir:     cfg.outDir,
		Force:      cfg.force,
		AllowDirty: cfg.dirty,
		Seeds:      cfg.seeds,
		Exec:       executor.Info(),
	}
	if cfg.params.Seed != 0 {
		ho.Seed = &cfg.params.Seed
	}
	if !cfg.quiet {
		ho.Progress = NewProgress(filepath.Base(specPath) + " (" + cfg.params.Scale + ")")
	}
	rep, err := harness.Run(ctx, specPath, ho)
	if rep == nil {
		return nil, err
	}
	res := fromReport(rep)
	return res, err
}

// Load reads the records of the spec at path from previous runs (Run, or
// `actrepro run`) and renders its tables, without training anything. With
// no records yet the tables still show the paper's values, every measured
// cell empty and flagged "not run".
func Load(path string, opts ...Option) (*Result, error) {
	cfg, specPath, err := configure(path, opts)
	if err != nil {
		return nil, err
	}
	ho := harness.Options{Scale: cfg.params.Scale, Seeds: cfg.seeds}
	if cfg.params.Seed != 0 {
		ho.Seed = &cfg.params.Seed
	}
	s, task, points, err := harness.PrepareWith(specPath, ho)
	if s == nil || points == nil {
		return nil, err
	}
	dir := results.Dir(cfg.outDir, s.Experiment.ID, cfg.params.Scale)
	var recs []results.Record
	var skipped harness.Skipped
	if _, statErr := os.Stat(dir); statErr == nil {
		all, err := results.Load(dir)
		if err != nil {
			return nil, err
		}
		// Records of another code version or of older settings are left
		// out, counted in the tables' notes; records of the current points
		// at other seeds (an earlier run with --seeds) are kept.
		recs, skipped = harness.Current(s, cfg.params.Scale, points, all)
	}
	rep := &harness.Report{Spec: s, Scale: cfg.params.Scale, Dir: dir, Points: len(points), Cached: len(recs), Records: recs, Skipped: skipped}
	notes := skipped.Notes()
	if n := harness.StaleNote(s, task, cfg.outDir, cfg.params.Scale, recs); n != "" {
		notes = append(notes, n)
	}
	o := table.Origin{CommitExists: results.CommitChecker(filepath.Dir(specPath)), Skipped: notes}
	for _, t := range s.Tables {
		rep.Tables = append(rep.Tables, table.BuildFrom(s, t, recs, cfg.params.Scale, nil, o))
	}
	return fromReport(rep), nil
}

func configure(path string, opts []Option) (runConfig, string, error) {
	p, err := Parameters(Params{})
	if err != nil {
		return runConfig{}, "", err
	}
	cfg := runConfig{params: p, dirty: os.Getenv(EnvAllowDirty) == "1"}
	for _, o := range opts {
		o(&cfg)
	}
	specPath, err := resolve(path)
	if err != nil {
		return cfg, "", err
	}
	if cfg.outDir == "" {
		root, err := Root()
		if err != nil {
			return cfg, "", err
		}
		cfg.outDir = filepath.Join(root, "results")
	} else if cfg.outDir, err = resolve(cfg.outDir); err != nil {
		return cfg, "", err
	}
	return cfg, specPath, nil
}

func fromReport(rep *harness.Report) *Result {
	spec := rep.Spec.Path
	if root, err := Root(); err == nil {
		if rel, err := filepath.Rel(root, spec); err == nil && !strings.HasPrefix(rel, "..") {
			spec = filepath.ToSlash(rel)
		}
	}
	res := &Result{
		Spec:       spec,
		Experiment: rep.Spec.Experiment.ID,
		Paper:      rep.Spec.Experiment.Paper,
		PaperTable: rep.Spec.Experiment.Table,
		Scale:      rep.Scale,
		Backend:    rep.Backend,
		Dir:        rep.Dir,
		Points:     rep.Points,
		Ran:        rep.Ran,
		Cached:     rep.Cached,
		Skipped:    rep.Skipped.Notes(),
		raw:        rep.Tables,
	}
	for _, f := range rep.Failed {
		res.Failed = append(res.Failed, f.Error())
	}
	for _, r := range rep.Records {
		res.Records = append(res.Records, Record{
			Label: r.Label, Axes: r.Axes, Metrics: r.Metrics, Curves: r.Curves,
			DataSource: r.DataSource, Backend: r.Backend, Seed: r.Seed, Seconds: r.Seconds,
			Hash: r.Hash, Commit: r.Commit,
		})
		if res.Backend == "" {
			res.Backend = r.Backend
		}
	}
	for _, t := range rep.Tables {
		res.Tables = append(res.Tables, convertTable(t))
	}
	return res
}

// Summary is one line saying what the run did.
func (r *Result) Summary() string {
	skipped := ""
	if len(r.Skipped) > 0 {
		skipped = "; " + strings.Join(r.Skipped, " ")
	}
	if len(r.Records) == 0 {
		return fmt.Sprintf("%s (%s %s) at scale %s: no records of the current code and settings yet (run it: kernel.Run(%q) or `actrepro run %s --scale %s`); only the paper's values are shown%s",
			r.Experiment, r.Paper, r.PaperTable, r.Scale, r.Spec, r.Spec, r.Scale, skipped)
	}
	backend := r.Backend
	if backend == "" {
		backend = "?"
	}
	s := fmt.Sprintf("%s (%s %s) at scale %s on backend %s: %d points, %d trained now, %d from records",
		r.Experiment, r.Paper, r.PaperTable, r.Scale, backend, max(r.Points, len(r.Records)), r.Ran, r.Cached)
	if len(r.Failed) > 0 {
		s += fmt.Sprintf(", %d FAILED", len(r.Failed))
	}
	return s + "; records in " + r.Dir + skipped
}

// Show displays the summary and every table of the result.
func (r *Result) Show() {
	showRich(`<div style="font-size:0.9em;color:#333">`+htmlEscape(r.Summary())+`</div>`, r.Summary(), r.Summary()+"\n\n")
	for _, t := range r.Tables {
		t.Show()
	}
	for _, f := range r.Failed {
		showRich(`<div style="color:#b00">`+htmlEscape(f)+`</div>`, f, f+"\n")
	}
}

// Curves draws one curve per record of each named per-epoch curve (e.g.
// "train_loss", "val_acc"); with no names, every curve the records have.
// Records of one point at several seeds (Seeds) are drawn as their mean
// with a min–max band (plots.CurvesOverSeeds).
func (r *Result) Curves(names ...string) (*plots.Figure, error) {
	if len(names) == 0 {
		set := map[string]bool{}
		for _, rec := range r.Records {
			for k := range rec.Curves {
				set[k] = true
			}
		}
		names = sortedKeys(set)
	}
	if f, ok, err := r.curvesOverSeeds(names); ok {
		return f, err
	}
	var series []plots.Series
	for ri, rec := range r.Records {
		for _, n := range names {
			ys, ok := rec.Curves[n]
			if !ok || len(ys) == 0 {
				continue
			}
			name := n
			if len(r.Records) > 1 {
				name = rec.Label + ": " + n
			}
			series = append(series, plots.Series{Name: name, Y: ys, Color: ri + 1})
		}
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("kernel: %s has no curve named %v", r.Experiment, names)
	}
	title := fmt.Sprintf("%s %s (%s)", r.Paper, r.PaperTable, r.sourceNote())
	return plots.Curves(title, "epoch", strings.Join(names, ", "), series)
}

// seedSuffix is the " seed=K" spec.ExpandSeeds appends to a label.
var seedSuffix = regexp.MustCompile(` seed=-?[0-9]+$`)

// curvesOverSeeds draws the records grouped by point (their label without
// the seed), when some point has several seeds; ok is false otherwise.
func (r *Result) curvesOverSeeds(names []string) (*plots.Figure, bool, error) {
	var order []string
	groups := map[string][]Record{}
	multi := false
	for _, rec := range r.Records {
		k := seedSuffix.ReplaceAllString(rec.Label, "")
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], rec)
		multi = multi || len(groups[k]) > 1
	}
	if !multi {
		return nil, false, nil
	}
	var series []plots.SeedSeries
	for gi, k := range order {
		for _, n := range names {
			var runs [][]float64
			for _, rec := range groups[k] {
				if ys := rec.Curves[n]; len(ys) > 0 {
					runs = append(runs, ys)
				}
			}
			if len(runs) == 0 {
				continue
			}
			name := n
			if len(order) > 1 {
				name = k + ": " + n
			}
			series = append(series, plots.SeedSeries{Name: name, Runs: runs, Color: gi + 1})
		}
	}
	if len(series) == 0 {
		return nil, true, fmt.Errorf("kernel: %s has no curve named %v", r.Experiment, names)
	}
	title := fmt.Sprintf("%s %s (%s)", r.Paper, r.PaperTable, r.sourceNote())
	f, err := plots.CurvesOverSeeds(title, "epoch", strings.Join(names, ", "), series, plots.BandMinMax)
	return f, true, err
}

// PaperVsMeasured draws the grouped bars of table t's first column that has
// both a paper and a measured value (or of the column whose label is
// column, when given).
func (r *Result) PaperVsMeasured(t int, column ...string) (*plots.Figure, error) {
	if t < 0 || t >= len(r.raw) {
		return nil, fmt.Errorf("kernel: %s has %d tables, no table %d", r.Experiment, len(r.raw), t)
	}
	raw := r.raw[t]
	ci := -1
	for i, c := range raw.Columns {
		if c.Paper != "" && c.Measured != "" && (len(column) == 0 || c.Label == column[0]) {
			ci = i
			break
		}
	}
	if ci < 0 {
		return nil, fmt.Errorf("kernel: table %q has no column with both paper and measured values%s", raw.Title, strings.Join(column, ""))
	}
	var rows []plots.BarRow
	for _, row := range raw.Rows {
		c := row.Cells[ci]
		br := plots.BarRow{Label: rowLabel(raw, row), Paper: math.NaN(), Measured: math.NaN()}
		if v, ok := c.Paper.(float64); ok {
			br.Paper = v
		}
		if c.HasMeasured {
			br.Measured, br.N = c.Measured, c.N
			if c.HasInterval() {
				br.Half = c.Half
			}
		}
		rows = append(rows, br)
	}
	col := raw.Columns[ci]
	source := raw.Source
	if source == "none" || source == "" {
		source = "nothing run yet"
	}
	return plots.PaperVsMeasured(raw.Title, col.Label, rows, plots.BarsOptions{
		MeasuredName: fmt.Sprintf("measured (%s, scale %s)", source, raw.Scale),
	})
}

// SaveFigure saves f as SVG, PNG and PDF. Figures of full-scale runs go
// to plots/<experiment>/<name>.* in the checkout (committed beside the
// code that drew them); figures of any other scale go to
// results/<experiment>/<scale>/figures/<name>.* (smoke results are not
// committed).
func (r *Result) SaveFigure(f *plots.Figure, name string) ([]string, error) {
	if r.Scale == "full" {
		return SaveFigure(f, filepath.Join("plots", r.Experiment, name))
	}
	return SaveFigure(f, filepath.Join(r.Dir, "figures", name))
}

// Metric returns each record's value of a final metric, keyed by label.
func (r *Result) Metric(name string) map[string]float64 {
	out := map[string]float64{}
	for _, rec := range r.Records {
		if v, ok := rec.Metrics[name]; ok {
			out[rec.Label] = v
		}
	}
	return out
}

func (r *Result) sourceNote() string {
	src := map[string]bool{}
	for _, rec := range r.Records {
		src[rec.DataSource] = true
	}
	names := sortedKeys(src)
	s := strings.Join(names, "+")
	if src["synthetic"] {
		s += " data, not the paper's"
	} else {
		s += " data"
	}
	return s + ", scale " + r.Scale
}

// rowLabel names a table row in a figure: the paper's row name when it has
// one, else the sweep values of its key.
func rowLabel(t *table.Table, row table.Row) string {
	if row.RowID != "" {
		return row.RowID
	}
	parts := []string{}
	for i, k := range row.Key {
		if k == "" {
			continue
		}
		if i < len(t.KeyHeaders) && len(row.Key) > 1 {
			k = t.KeyHeaders[i] + "=" + k
		}
		parts = append(parts, k)
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " ")
}

// convertTable turns the harness's table into the kernel's display table:
// key columns, then per column the paper value, the measured value (mean ±
// SD over N records) and their difference, then flags.
func convertTable(t *table.Table) *Table {
	out := &Table{
		Title:     fmt.Sprintf("%s (scale: %s)", t.Title, t.Scale),
		Banner:    t.Banner,
		Synthetic: t.Source != "real",
		Notes:     append([]string(nil), t.Notes...),
	}
	if len(t.Provenance) > 0 {
		out.Notes = append(out.Notes, "Provenance: "+strings.Join(t.Provenance, "; ")+".")
	}
	out.Header = append(out.Header, t.KeyHeaders...)
	if t.HasRowID {
		out.Header = append(out.Header, "paper row")
	}
	for _, c := range t.Columns {
		if c.Paper != "" {
			out.Header = append(out.Header, c.Label+" (paper)")
		}
		if c.Measured != "" {
			out.Header = append(out.Header, c.Label+" (measured)")
		}
		if c.Paper != "" && c.Measured != "" {
			out.Header = append(out.Header, "Δ "+c.Label)
		}
	}
	out.Header = append(out.Header, "flags")
	for _, r := range t.Rows {
		row := append([]string(nil), r.Key...)
		if t.HasRowID {
			row = append(row, r.RowID)
		}
		for i, c := range t.Columns {
			var cell table.Cell
			if i < len(r.Cells) {
				cell = r.Cells[i]
			}
			d := c.Digits
			if c.Paper != "" {
				row = append(row, orDash(table.PaperText(cell, d)))
			}
			if c.Measured != "" {
				row = append(row, orDash(table.MeasuredText(cell, d)))
			}
			if c.Paper != "" && c.Measured != "" {
				s := "—"
				if cell.HasDiff {
					s = fmt.Sprintf("%+.*f", d, cell.Diff)
				}
				row = append(row, s)
			}
		}
		flags := strings.Join(r.Flags, "; ")
		if r.Note != "" {
			if flags != "" {
				flags += "; "
			}
			flags += "paper note: " + r.Note
		}
		out.Rows = append(out.Rows, append(row, flags))
	}
	return out
}

// orDash is s, or "—" for an empty cell.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func htmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}
