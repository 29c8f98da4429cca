package artemis

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/plots"
)

// FigTaskName is the derived task of Figure 2: the distribution of Table 1's
// mAP by text layer, measured and as printed in the paper.
const FigTaskName = "artemis-boxplot"

func init() { runner.Register(FigTaskName, FigTask{}) }

// FigConfig is a Figure 2 point.
type FigConfig struct {
	Data struct {
		Dataset string `toml:"dataset,required"`
		Source  string `toml:"source,required"`
		From    string `toml:"from,required"`   // experiment id of the Table 1 runs
		Table1  string `toml:"table1,required"` // path of the Table 1 spec (its [paper] rows), from the checkout root
	}
	Model struct {
		TextLayer string `toml:"text_layer,required"` // the text layer this row summarises
		Metric    string `toml:"metric"`              // default map_batch_micro
		Figure    string `toml:"figure"`              // file name (no extension) under <results>/<from>/<scale>/figures/
	}
	Train struct{}
}

// DecodeFig reads a Figure 2 point.
func DecodeFig(p runner.Point) (FigConfig, error) {
	var c FigConfig
	c.Model.Metric, c.Model.Figure = "map_batch_micro", "fig2_boxplot"
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	if textIndex(c.Model.TextLayer) < 0 {
		return c, spec.Errorf("model.text_layer", "unknown text layer %q", c.Model.TextLayer)
	}
	if c.Model.Figure == "" || filepath.Base(c.Model.Figure) != c.Model.Figure {
		return c, spec.Errorf("model.figure", "want a plain file name, got %q", c.Model.Figure)
	}
	return c, nil
}

var textOrder = []string{"none", "bilstm", "gru", "conv"}

func textIndex(s string) int {
	for i, t := range textOrder {
		if t == s {
			return i
		}
	}
	return -1
}

// FigTask is the runner.Task of Figure 2.
type FigTask struct{}

// Version is folded into the points' hashes.
func (FigTask) Version() string { return "artemis-boxplot-1" }

// Validate implements runner.Task.
func (FigTask) Validate(p runner.Point) error { _, err := DecodeFig(p); return err }

// Run summarises one text layer and (re)draws the whole figure.
func (FigTask) Run(ctx context.Context, p runner.Point, _ runner.Env) (runner.Outcome, error) {
	c, err := DecodeFig(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	recs, dir, s, err := currentRecords(ctx, c.Data.Table1, c.Data.From, p.Scale)
	if err != nil {
		return runner.Outcome{}, err
	}
	measured := make([][]float64, len(textOrder))
	src := map[string]int{}
	for _, r := range recs {
		tl, _ := r.Axes["model.text_layer"].(string)
		if i := textIndex(tl); i >= 0 {
			if v, ok := r.Metrics[c.Model.Metric]; ok {
				measured[i] = append(measured[i], 100*v)
				src[r.DataSource]++
			}
		}
	}
	paper := make([][]float64, len(textOrder))
	for _, row := range s.Paper.Rows {
		tl, _ := row.Key["model.text_layer"].(string)
		v, ok := row.Values["map"].(float64)
		if i := textIndex(tl); i >= 0 && ok {
			paper[i] = append(paper[i], v)
		}
	}
	i := textIndex(c.Model.TextLayer)
	if len(measured[i]) == 0 {
		return runner.Outcome{}, fmt.Errorf("%s: no %s runs with text layer %q", dir, c.Model.Metric, c.Model.TextLayer)
	}
	source := "synthetic"
	if src["real"] > 0 {
		source = "real"
	}
	if src["real"] > 0 && src["synthetic"] > 0 {
		return runner.Outcome{}, fmt.Errorf("%s: mixed synthetic and real runs", dir)
	}
	labels := []string{"none", "biLSTM", "GRU", "conv"}
	fig, err := plots.BoxPlot("ARTEMIS Fig. 2: mAP by text layer over the residual combinations", "text layer", "mAP (batch-micro, %)",
		labels, []plots.BoxSeries{
			{Name: "paper Table 1 (as printed)", Values: paper},
			{Name: fmt.Sprintf("measured (%s data, %s scale)", source, p.Scale), Values: measured},
		})
	if err != nil {
		return runner.Outcome{}, err
	}
	// Smoke-scale figures sit beside their records; full-scale ones are
	// committed under plots/<experiment>/ (the project's convention).
	figBase := filepath.Join(dir, "figures", c.Model.Figure)
	if p.Scale == "full" {
		figBase = filepath.Join(filepath.Dir(results.Root(ctx)), "plots", c.Data.From, c.Model.Figure)
	}
	if err := os.MkdirAll(filepath.Dir(figBase), 0o755); err != nil {
		return runner.Outcome{}, err
	}
	files, err := fig.Save(figBase)
	if err != nil {
		return runner.Outcome{}, err
	}
	m := map[string]float64{"n": float64(len(measured[i]))}
	for k, v := range quartiles(measured[i]) {
		m[k] = v
	}
	for k, v := range quartiles(paper[i]) {
		m["paper_"+k] = v
	}
	return runner.Outcome{
		Metrics:         m,
		DataSource:      source,
		DataFingerprint: "results:" + c.Data.From + "/" + p.Scale,
		Notes: []string{
			fmt.Sprintf("figure written to %v (both series, all text layers)", files),
			"paper_* values are computed here from the paper's printed Table 1 values (128 rows, including the duplicated settings of rows 121-124), not printed by the paper",
		},
		Extra: map[string]any{"figure_files": files},
	}, nil
}

// quartiles returns median, q1, q3 (linear interpolation, NumPy's default)
// and mean of xs.
func quartiles(xs []float64) map[string]float64 {
	if len(xs) == 0 {
		return map[string]float64{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	q := func(p float64) float64 {
		h := p * float64(len(s)-1)
		lo := math.Floor(h)
		hi := math.Min(lo+1, float64(len(s)-1))
		return s[int(lo)] + (h-lo)*(s[int(hi)]-s[int(lo)])
	}
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return map[string]float64{"median": q(0.5), "q1": q(0.25), "q3": q(0.75), "mean": sum / float64(len(s))}
}

// findFromRoot resolves a checkout-relative path from the working directory
// or any parent holding go.mod (notebooks run in notebooks/<paper>/).
func findFromRoot(rel string) (string, error) { return results.FindFromRoot(rel) }

// currentRecords returns the records of the points the Table 1 spec at
// specRel expands to at scale (by hash), ignoring stale records of older
// settings or code versions that share the directory
// (results.UpstreamRecords).
func currentRecords(ctx context.Context, specRel, experiment, scale string) ([]results.Record, string, *spec.Spec, error) {
	up, err := results.UpstreamRecords(ctx, results.UpstreamQuery{Spec: specRel, Experiment: experiment, Scale: scale, SpecKey: "data.table1"})
	return up.Records, up.Dir, up.Spec, err
}
