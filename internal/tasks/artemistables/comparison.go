package artemistables

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/tasks/artemis"
)

// ComparisonTaskName is Table 5's task.
const ComparisonTaskName = "artemis-comparison"

func init() { runner.Register(ComparisonTaskName, ComparisonTask{}) }

// Rows of Table 5 this task measures.
const (
	RowSingle   = "single"   // ARTEMIS (single): a Table 1 run
	RowEnsemble = "ensemble" // ARTEMIS (ensemble): Table 4's runs of one strategy
)

// strategyAliases are the spellings a Table 4 record's strategy axis may
// use for each strategy (Table 4 is written by another task; its axis
// values are matched loosely, case-insensitively).
var strategyAliases = map[string][]string{
	"ga":      {"ga", "weighted_ga", "genetic", "weighted-ga"},
	"average": {"average", "avg", "mean"},
	"rl":      {"rl", "ppo", "weighted_rl", "weighted-rl", "ppo-dynamic", "ppo_dynamic"},
}

// ComparisonConfig is a Table 5 point.
type ComparisonConfig struct {
	Data struct {
		Dataset      string `toml:"dataset,required"`       // "animalkingdom"
		Source       string `toml:"source,required"`        // source of the runs read (records say what they read)
		SingleSpec   string `toml:"single_spec,required"`   // Table 1's spec, from the checkout root
		SingleFrom   string `toml:"single_from,required"`   // its experiment id
		EnsembleSpec string `toml:"ensemble_spec,required"` // Table 4's spec (may be absent: "not run")
		EnsembleFrom string `toml:"ensemble_from,required"` // its experiment id
	}
	Model struct {
		Method   string `toml:"method,required"` // RowSingle or RowEnsemble
		Preset   string `toml:"preset"`          // single: the Table 1 configuration read (default best1, the paper's single model)
		Strategy string `toml:"strategy"`        // ensemble: "ga" (default: the paper's 79.8 is GA on fold 2), "average" or "rl"
		// Protocol keeps the Table 4 records whose model.protocol is this
		// value, when they have one: "authors" (default: weights fitted on
		// a fold of the members' own training data, the paper's), not the
		// "leak-free" extra.
		Protocol string `toml:"protocol"`
		Metric   string `toml:"metric"` // the paper's metric (default map_batch_micro)
	}
	Train struct{}
}

// DecodeComparison reads a Table 5 point.
func DecodeComparison(p runner.Point) (ComparisonConfig, error) {
	var c ComparisonConfig
	c.Model.Preset, c.Model.Strategy, c.Model.Metric, c.Model.Protocol = "best1", "ga", "map_batch_micro", "authors"
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data},
		spec.Section{Name: "model", Into: &c.Model}, spec.Section{Name: "train", Into: &c.Train}); err != nil {
		return c, err
	}
	switch {
	case c.Data.Dataset != "animalkingdom":
		return c, spec.Errorf("data.dataset", `want "animalkingdom", got %q`, c.Data.Dataset)
	case c.Model.Method != RowSingle && c.Model.Method != RowEnsemble:
		return c, spec.Errorf("model.method", "want %q or %q, got %q", RowSingle, RowEnsemble, c.Model.Method)
	case c.Model.Metric == "":
		return c, spec.Errorf("model.metric", "empty")
	}
	if _, ok := artemis.Presets[c.Model.Preset]; !ok {
		return c, spec.Errorf("model.preset", "unknown preset %q (want best1, best2, best3 or artemis-<text layer>)", c.Model.Preset)
	}
	if _, ok := strategyAliases[c.Model.Strategy]; !ok {
		return c, spec.Errorf("model.strategy", `want "ga", "average" or "rl", got %q`, c.Model.Strategy)
	}
	return c, nil
}

// ComparisonTask is the runner.Task of Table 5.
type ComparisonTask struct{}

// Version is folded into the points' hashes.
func (ComparisonTask) Version() string { return "artemis-comparison-1" }

// PartialUpstream implements harness.PartialUpstream: a row whose upstream
// has not run is "not run", and runs again by itself once it has.
func (ComparisonTask) PartialUpstream() bool { return true }

// Validate implements runner.Task.
func (ComparisonTask) Validate(p runner.Point) error { _, err := DecodeComparison(p); return err }

// Run reads the upstream records of the point's row at the same scale and
// averages the metric over them (Table 4's folds, or one Table 1 run). An
// absent upstream gives an outcome with n_runs = 0 and no mAP, whose
// notes say "not run" and why.
func (ComparisonTask) Run(ctx context.Context, p runner.Point, _ runner.Env) (runner.Outcome, error) {
	c, err := DecodeComparison(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	var recs []results.Record
	var dir, what string
	if c.Model.Method == RowSingle {
		recs, dir, err = upstreamRecords(ctx, "data.single_spec", c.Data.SingleSpec, c.Data.SingleFrom, p.Scale)
		if err == nil {
			recs = presetRecords(recs, artemis.Presets[c.Model.Preset])
			if len(recs) == 0 {
				err = fmt.Errorf("%w: %s has no run of preset %s", errNotRun, dir, c.Model.Preset)
			}
		}
		what = fmt.Sprintf("Table 1's run of %s (%s)", c.Model.Preset, c.Data.SingleFrom)
	} else {
		recs, dir, err = upstreamRecords(ctx, "data.ensemble_spec", c.Data.EnsembleSpec, c.Data.EnsembleFrom, p.Scale)
		if err == nil {
			recs = strategyRecords(recs, c.Model.Strategy, c.Model.Protocol)
			if len(recs) == 0 {
				err = fmt.Errorf("%w: %s has no record with a strategy axis of %q", errNotRun, dir, c.Model.Strategy)
			}
		}
		what = fmt.Sprintf("Table 4's %s runs (%s, protocol %s), averaged over their folds", c.Model.Strategy, c.Data.EnsembleFrom, c.Model.Protocol)
	}
	if errors.Is(err, errNotRun) {
		return runner.Outcome{
			// n_runs 0 and no mAP: the table shows "—" and 0 runs.
			Metrics:         map[string]float64{"n_runs": 0},
			DataSource:      c.Data.Source,
			DataFingerprint: "results:none",
			Notes:           []string{fmt.Sprintf("%s: %v; no value is shown. It is filled in when this spec runs after that experiment has run at this scale (the harness re-runs derived records whose upstream records changed)", what, err)},
			Extra:           map[string]any{"status": "not run"},
		}, nil
	}
	if err != nil {
		return runner.Outcome{}, err
	}
	out := runner.Outcome{Metrics: map[string]float64{}, Extra: map[string]any{"status": "measured"}}
	sources := map[string]int{}
	var hashes []string
	for _, r := range recs {
		sources[r.DataSource]++
		hashes = append(hashes, r.Hash)
	}
	sort.Strings(hashes)
	for _, m := range []string{c.Model.Metric, "map_macro", "map_batch_micro"} {
		sum, n := 0.0, 0
		for _, r := range recs {
			if v, ok := r.Metrics[m]; ok {
				sum += v
				n++
			}
		}
		if n == len(recs) {
			out.Metrics[m] = sum / float64(n)
		} else if m == c.Model.Metric {
			return out, fmt.Errorf("%s: %d of %d records lack metric %q", dir, len(recs)-n, len(recs), m)
		}
	}
	out.Metrics["n_runs"] = float64(len(recs))
	switch {
	case sources["real"] > 0 && sources["synthetic"] > 0:
		return out, fmt.Errorf("%s: mixed synthetic and real records", dir)
	case sources["real"] > 0:
		out.DataSource = "real"
	default:
		out.DataSource = "synthetic"
	}
	out.DataFingerprint = "results:" + strings.Join(hashes, ",")
	out.Notes = []string{fmt.Sprintf("measured: %s, %d record(s) of %s (current points only); the mAP is %s as recorded there", what, len(recs), dir, c.Model.Metric)}
	return out, nil
}

// presetRecords keeps the Table 1 records whose configured text layer and
// residuals are those of preset.
func presetRecords(recs []results.Record, pr artemis.Preset) []results.Record {
	want := map[string]any{
		"model.text_layer": pr.TextLayer, "model.R_Hv": pr.Residuals.Hv, "model.R_seq": pr.Residuals.Seq,
		"model.R_b": pr.Residuals.Backbone, "model.R_Hq": pr.Residuals.Hq, "model.F_r": pr.Residuals.F,
	}
	var out []results.Record
	for _, r := range recs {
		ok := true
		for k, v := range want {
			if got, has := spec.GetPath(r.Config, k); !has || !spec.Equal(got, v) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// strategyRecords keeps the records with an axis named "...strategy" whose
// value is one of strategy's aliases and, when they configure a
// model.protocol, whose protocol is protocol.
func strategyRecords(recs []results.Record, strategy, protocol string) []results.Record {
	alias := map[string]bool{}
	for _, a := range strategyAliases[strategy] {
		alias[a] = true
	}
	var out []results.Record
	for _, r := range recs {
		if p, has := spec.GetPath(r.Config, "model.protocol"); has && !spec.Equal(p, protocol) {
			continue
		}
		for k, v := range r.Axes {
			if !strings.HasSuffix(strings.ToLower(k), "strategy") {
				continue
			}
			if s, ok := v.(string); ok && alias[strings.ToLower(s)] {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
