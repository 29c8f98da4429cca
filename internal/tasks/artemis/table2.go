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
	}
	Model struct {
		Pair   string `toml:"pair,required"` // "A/B": text layer A against text layer B
		Metric string `toml:"metric"`        // metric compared (default map_batch_micro, the paper's)
		A, B   string `toml:"-"`
	}
	Train struct{}
}

// DecodeStats reads a Table 2 point.
func DecodeStats(p runner.Point) (StatsConfig, error) {
	var c StatsConfig
	c.Model.Metric = "map_batch_micro"
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
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

// Run reads the Table 1 records of the same scale and tests text layer A
// against B, paired by residual combination.
func (StatsTask) Run(ctx context.Context, p runner.Point, _ runner.Env) (runner.Outcome, error) {
	c, err := DecodeStats(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	recs, dir, _, err := currentRecords(ctx, c.Data.Table1, c.Data.From, p.Scale)
	if err != nil {
		return runner.Outcome{}, err
	}
	a, b, sources, err := PairByResiduals(recs, c.Model.A, c.Model.B, c.Model.Metric)
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
	return runner.Outcome{
		Extra: map[string]any{"wilcoxon_method": w.Method},
		Metrics: map[string]float64{"t_test_p": tt.P, "t": tt.T, "wilcoxon_p": w.P, "wilcoxon_stat": w.Statistic,
			"n_pairs": float64(len(a)), "mean_a": mean(a), "mean_b": mean(b)},
		DataSource:      src,
		DataFingerprint: "results:" + c.Data.From + "/" + p.Scale,
		Notes: []string{
			fmt.Sprintf("paired over the residual combinations of %s (%s, current points only); two-sided, SciPy 1.10 semantics (ttest_rel; wilcoxon exact for n <= 50 without zero differences)", c.Data.From, c.Model.Metric),
		},
	}, nil
}

// PairByResiduals returns the metric of text layers a and b for every
// residual combination present for both, ordered by combination, and the
// count of records per data source. Records with a seed or other axis
// repeated for one combination are averaged.
func PairByResiduals(recs []results.Record, a, b, metric string) (xa, xb []float64, sources map[string]int, err error) {
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
		for _, ax := range residualAxes {
			key = append(key, fmt.Sprint(r.Axes[ax]))
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
		return nil, nil, nil, fmt.Errorf("only %d residual combinations have runs of both %q and %q", len(keys), a, b)
	}
	for _, k := range keys {
		xa = append(xa, by[a][k].sum/by[a][k].n)
		xb = append(xb, by[b][k].sum/by[b][k].n)
	}
	return xa, xb, sources, nil
}
