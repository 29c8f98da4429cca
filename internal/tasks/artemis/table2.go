package artemis

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/stats"
)

// StatsTaskName is the derived task of Table 2: paired tests between two
// text layers over the residual combinations of Table 1's runs.
const StatsTaskName = "artemis-paired"

func init() { runner.Register(StatsTaskName, StatsTask{}) }

// residualAxes are the Table 1 axes that pair two text layers' runs.
var residualAxes = []string{"model.R_Hv", "model.R_seq", "model.R_b", "model.R_Hq", "model.F_r"}

// StatsConfig is a Table 2 point.
type StatsConfig struct {
	Data struct {
		Dataset string `toml:"dataset,required"` // "animalkingdom"
		Source  string `toml:"source,required"`  // source of the Table 1 runs read
		From    string `toml:"from,required"`    // experiment id of the Table 1 runs, e.g. "artemis-table1"
		Table1  string `toml:"table1,required"`  // path of the Table 1 spec from the checkout root (selects its current points)
		// Seeds of the Table 1 runs read: a count from Table 1's own
		// train.seed, or a list (spec.Seeds); default 1. The harness sets
		// it from --seeds / [seeds] (spec.ExpandSeeds), so this record
		// depends on the seeds it read.
		Seeds any `toml:"seeds"`
	}
	Model struct {
		Pair   string `toml:"pair,required"` // "A/B": text layer A against text layer B
		Metric string `toml:"metric"`        // metric compared (default map_batch_micro, the paper's)
		// Pairing is what one pair of the tests is (see Pairings):
		// "residual" (default, the paper's), "residual-seed" or "seed".
		Pairing string `toml:"pairing"`
		A, B    string `toml:"-"`
	}
	SeedSet spec.Seeds `toml:"-"`
	Train   struct{}
}

// DecodeStats reads a Table 2 point.
func DecodeStats(p runner.Point) (StatsConfig, error) {
	var c StatsConfig
	c.Model.Metric = "map_batch_micro"
	c.Model.Pairing = PairResidual
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	ss, err := spec.SeedsValue("data.seeds", c.Data.Seeds)
	if err != nil {
		return c, err
	}
	c.SeedSet = ss
	if _, ok := Pairings[c.Model.Pairing]; !ok {
		return c, spec.Errorf("model.pairing", "unknown pairing %q (want %s, %s or %s)", c.Model.Pairing, PairResidual, PairResidualSeed, PairSeed)
	}
	var ok bool
	if c.Model.A, c.Model.B, ok = strings.Cut(c.Model.Pair, "/"); !ok {
		return c, spec.Errorf("model.pair", `want "A/B" (e.g. "none/bilstm"), got %q`, c.Model.Pair)
	}
	valid := map[string]bool{"none": true, "bilstm": true, "gru": true, "conv": true}
	switch {
	case c.Data.Dataset != "animalkingdom":
		return c, spec.Errorf("data.dataset", `want "animalkingdom", got %q`, c.Data.Dataset)
	case !valid[c.Model.A]:
		return c, spec.Errorf("model.pair", "unknown text layer %q", c.Model.A)
	case !valid[c.Model.B]:
		return c, spec.Errorf("model.pair", "unknown text layer %q", c.Model.B)
	case c.Model.A == c.Model.B:
		return c, spec.Errorf("model.pair", "compares %q with itself", c.Model.A)
	case c.Data.From == "":
		return c, spec.Errorf("data.from", "needs the experiment id of the Table 1 runs")
	}
	return c, nil
}

// StatsTask is the runner.Task of Table 2.
type StatsTask struct{}

// Version is folded into the points' hashes.
func (StatsTask) Version() string { return "artemis-paired-1" }

// Validate implements runner.Task.
func (StatsTask) Validate(p runner.Point) error { _, err := DecodeStats(p); return err }

// The pairings of Table 2's tests: what one pair (a, b) is.
const (
	// PairResidual: one pair per residual combination, each side the
	// mean over the seeds read (the paper's pairing: 32 pairs).
	PairResidual = "residual"
	// PairResidualSeed: one pair per residual combination and seed, both
	// text layers trained with the same seed (32 × seeds pairs).
	PairResidualSeed = "residual-seed"
	// PairSeed: one pair per seed, each side the mean over the residual
	// combinations (as many pairs as seeds; needs at least 2 seeds).
	PairSeed = "seed"
)

// Pairings describes each pairing, for the records' notes.
var Pairings = map[string]string{
	PairResidual:     "one pair per residual combination, each side averaged over its seeds",
	PairResidualSeed: "one pair per residual combination and seed (both text layers trained with the same seed)",
	PairSeed:         "one pair per seed, each side averaged over the residual combinations",
}

// Run reads the Table 1 records of the same scale at the seeds of
// data.seeds and tests text layer A against B, paired as model.pairing
// says.
func (StatsTask) Run(ctx context.Context, p runner.Point, _ runner.Env) (runner.Outcome, error) {
	c, err := DecodeStats(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	recs, dir, missing, err := seededRecords(ctx, c.Data.Table1, c.Data.From, p.Scale, c.SeedSet)
	if err != nil {
		return runner.Outcome{}, err
	}
	a, b, sources, err := Pair(recs, c.Model.A, c.Model.B, c.Model.Metric, c.Model.Pairing)
	if err != nil {
		return runner.Outcome{}, fmt.Errorf("%s: %w", dir, err)
	}
	if sources["synthetic"] > 0 && sources["real"] > 0 {
		return runner.Outcome{}, fmt.Errorf("%s: mixed synthetic and real runs", dir)
	}
	src := "synthetic"
	if sources["real"] > 0 {
		src = "real"
	}
	tt, err := stats.PairedTTest(a, b)
	if err != nil {
		return runner.Outcome{}, err
	}
	w, err := stats.Wilcoxon(a, b)
	if err != nil {
		return runner.Outcome{}, err
	}
	mean := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s / float64(len(x))
	}
	notes := []string{
		fmt.Sprintf("pairing %q: %s, over the runs of %s at seeds %s (%s, current points only); two-sided, SciPy 1.10 semantics (ttest_rel; wilcoxon exact for n <= 50 without zero differences)",
			c.Model.Pairing, Pairings[c.Model.Pairing], c.Data.From, seedsText(c.SeedSet), c.Model.Metric),
	}
	if missing > 0 {
		notes = append(notes, fmt.Sprintf("%d Table 1 run(s) of the seeds asked for have no record yet; pairs lacking a side are left out (run %s with the same --seeds first)", missing, c.Data.Table1))
	}
	return runner.Outcome{
		Extra: map[string]any{"wilcoxon_method": w.Method, "pairing": c.Model.Pairing},
		Metrics: map[string]float64{"t_test_p": tt.P, "t": tt.T, "wilcoxon_p": w.P, "wilcoxon_stat": w.Statistic,
			"n_pairs": float64(len(a)), "mean_a": mean(a), "mean_b": mean(b)},
		DataSource:      src,
		DataFingerprint: "results:" + c.Data.From + "/" + p.Scale,
		Notes:           notes,
	}, nil
}

// seedsText is "1" for the spec's own seed, else the count or the list.
func seedsText(ss spec.Seeds) string {
	if len(ss.List) > 0 {
		return "[" + ss.String() + "]"
	}
	if ss.Count() == 1 {
		return "1 (Table 1's own train.seed)"
	}
	return fmt.Sprintf("%d (Table 1's own train.seed and the next %d)", ss.Count(), ss.Count()-1)
}

// seededRecords reads the records of the current points of the spec at
// specRel (experiment id experiment) at scale, each at every seed of ss
// (spec.ExpandSeeds, as the harness runs them with --seeds), and counts
// the points with no record.
func seededRecords(ctx context.Context, specRel, experiment, scale string, ss spec.Seeds) ([]results.Record, string, int, error) {
	up, err := results.UpstreamRecords(ctx, results.UpstreamQuery{Spec: specRel, Experiment: experiment, Scale: scale, Seeds: &ss, SpecKey: "data.table1", AllowEmpty: true})
	if err == nil && len(up.Records) == 0 {
		err = fmt.Errorf("%w: %s: no record of the current %s points at seeds %s (run %s at scale %s with --seeds %s first)", results.ErrNoUpstream, up.Dir, experiment, ss, specRel, scale, ss)
	}
	if err != nil {
		return nil, up.Dir, 0, err
	}
	return up.Records, up.Dir, up.Points - len(up.Records), nil
}

// PairByResiduals returns the metric of text layers a and b for every
// residual combination present for both, ordered by combination, and the
// count of records per data source. Records with a seed or other axis
// repeated for one combination are averaged.
func PairByResiduals(recs []results.Record, a, b, metric string) (xa, xb []float64, sources map[string]int, err error) {
	return Pair(recs, a, b, metric, PairResidual)
}

// Pair returns the paired samples of text layers a and b under pairing
// (PairResidual, PairResidualSeed or PairSeed; see Pairings), ordered by
// unit, and the count of records per data source. A unit present for one
// layer only is left out; several records of one unit are averaged.
func Pair(recs []results.Record, a, b, metric, pairing string) (xa, xb []float64, sources map[string]int, err error) {
	if _, ok := Pairings[pairing]; !ok {
		return nil, nil, nil, fmt.Errorf("unknown pairing %q", pairing)
	}
	type acc struct{ sum, n float64 }
	by := map[string]map[string]*acc{a: {}, b: {}}
	sources = map[string]int{}
	for _, r := range recs {
		tl, _ := r.Axes["model.text_layer"].(string)
		if tl != a && tl != b {
			continue
		}
		v, ok := r.Metrics[metric]
		if !ok {
			return nil, nil, nil, fmt.Errorf("record %s has no metric %q", r.Hash, metric)
		}
		var key []string
		if pairing != PairSeed {
			for _, ax := range residualAxes {
				key = append(key, fmt.Sprint(r.Axes[ax]))
			}
		}
		if pairing != PairResidual {
			key = append(key, fmt.Sprintf("seed=%012d", r.Seed))
		}
		k := strings.Join(key, ",")
		if by[tl][k] == nil {
			by[tl][k] = &acc{}
		}
		by[tl][k].sum += v
		by[tl][k].n++
		sources[r.DataSource]++
	}
	var keys []string
	for k := range by[a] {
		if by[b][k] != nil {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) < 2 {
		unit := map[string]string{PairResidual: "residual combinations", PairResidualSeed: "(residual combination, seed) units", PairSeed: "seeds"}[pairing]
		return nil, nil, nil, fmt.Errorf("only %d %s have runs of both %q and %q (a paired test needs at least 2)", len(keys), unit, a, b)
	}
	for _, k := range keys {
		xa = append(xa, by[a][k].sum/by[a][k].n)
		xb = append(xb, by[b][k].sum/by[b][k].n)
	}
	return xa, xb, sources, nil
}
