// Package gaftables is the task "gaf-tables": the rows of the GAF paper's THUMOS14 Tables I,
// III, IV, V and VII, and its figures, computed from the records of the runs spec
// experiments/gaf/thumos_runs.toml (task gaf-thumos) at the same scale, so that every table
// shares one sweep of trained models; Table VI and Table I's ActivityNet columns read the
// records of experiments/gaf/anet_runs.toml (task gaf-anet, anet.go).
package gaftables

import (
	"context"
	"fmt"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/table"
	"github.com/actrepro/actrepro/internal/tasks/gafdet"
)

// TaskName is the name specs select with [experiment] task = "gaf-tables".
const TaskName = "gaf-tables"

func init() { runner.Register(TaskName, Task{}) }

// Task derives one table row (or one figure) from the runs' records.
type Task struct{}

// Version is folded into the points' hashes.
func (Task) Version() string { return "gaf-tables-1" }

// PartialUpstream implements harness.PartialUpstream: Table I's ActivityNet columns
// (experiment gaf-anet) show only the paper's values until the ActivityNet runs have records,
// and fill in by themselves once they have. A missing gaf-thumos is still an error, raised by
// Run when it reads the THUMOS14 records.
func (Task) PartialUpstream() bool { return true }

// Data is the [data] section.
type Data struct {
	Dataset string `toml:"dataset,required"` // "thumos14"
	Source  string `toml:"source,required"`  // the runs' source; the record states the source read
	From    string `toml:"from"`             // the runs' experiment id (gaf-thumos)
	Runs    string `toml:"runs"`             // the runs' spec, relative to the checkout root
	// ANetFrom and ANetRuns (Table I) name the ActivityNet runs (gaf-anet,
	// experiments/gaf/anet_runs.toml) whose records fill the ActivityNet columns when present.
	ANetFrom string `toml:"anet_from"`
	ANetRuns string `toml:"anet_runs"`
}

// Model is the [model] section.
type Model struct {
	Table string `toml:"table"` // "I", "III", "IV", "V", "VII" or "figures"
	Row   string `toml:"row"`   // a model name of the runs (I, IV, V, VII), a class or "mAP" (III), a figure (figures)
}

// Config is a point's configuration.
type Config struct {
	Data  Data
	Model Model
}

// Figures are the figure names of table "figures".
var Figures = []string{"timeline", "ap_bars", "lambda"}

// ParseConfig decodes and checks a point's configuration.
func ParseConfig(p runner.Point) (Config, error) {
	c := Config{Data: Data{From: "gaf-thumos", Runs: "experiments/gaf/thumos_runs.toml"}}
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data}, spec.Section{Name: "model", Into: &c.Model}); err != nil {
		return c, err
	}
	switch c.Model.Table {
	case "I", "IV", "V", "VII":
		switch c.Model.Row {
		case gafdet.ModelAFSD, gafdet.ModelGAFAI, gafdet.ModelGAFAINAI, gafdet.ModelGAF:
		default:
			return c, spec.Errorf("model.row", "want a model of the runs (afsd, gaf-ai, gaf-ai-nai, gaf), got %q", c.Model.Row)
		}
	case "VI":
		if c.Model.Row != gafdet.ModelAFSD && c.Model.Row != gafdet.ModelGAF {
			return c, spec.Errorf("model.row", "want a model of the ActivityNet runs (afsd, gaf), got %q", c.Model.Row)
		}
		if c.Data.Dataset != "activitynet" {
			return c, spec.Errorf("data.dataset", `Table VI: want "activitynet", got %q`, c.Data.Dataset)
		}
		return c, nil
	case "III":
		if c.Model.Row == "" {
			return c, spec.Errorf("model.row", "want a THUMOS14 class or \"mAP\"")
		}
	case "figures":
		ok := false
		for _, f := range Figures {
			ok = ok || f == c.Model.Row
		}
		if !ok {
			return c, spec.Errorf("model.row", "want one of %v, got %q", Figures, c.Model.Row)
		}
	default:
		return c, spec.Errorf("model.table", `want "I", "III", "IV", "V", "VI", "VII" or "figures", got %q`, c.Model.Table)
	}
	if c.Data.Dataset != "thumos14" {
		return c, spec.Errorf("data.dataset", `want "thumos14", got %q`, c.Data.Dataset)
	}
	return c, nil
}

// Validate implements runner.Task.
func (Task) Validate(p runner.Point) error { _, err := ParseConfig(p); return err }

// Run implements runner.Task.
func (Task) Run(ctx context.Context, p runner.Point, _ runner.Env) (runner.Outcome, error) {
	var out runner.Outcome
	c, err := ParseConfig(p)
	if err != nil {
		return out, err
	}
	if c.Model.Table == "VI" {
		return runTable6(ctx, c, p)
	}
	recs, dir, err := CurrentRecords(ctx, c.Data.Runs, c.Data.From, p.Scale)
	if err != nil {
		return out, err
	}
	byModel := map[string]results.Record{}
	src := ""
	for _, r := range recs {
		name, _ := r.Config["model"].(map[string]any)["name"].(string)
		byModel[name] = r
		if src != "" && src != r.DataSource {
			return out, fmt.Errorf("%s: mixed synthetic and real runs", dir)
		}
		src = r.DataSource
	}
	need := func(name string) (results.Record, error) {
		r, ok := byModel[name]
		if !ok {
			return r, fmt.Errorf("%s: no current record of model %q (run %s at scale %s first)", dir, name, c.Data.Runs, p.Scale)
		}
		return r, nil
	}
	out.DataSource, out.DataFingerprint = src, "results:"+c.Data.From+"/"+p.Scale
	out.Metrics = map[string]float64{}
	switch c.Model.Table {
	case "I", "IV", "V", "VII":
		r, err := need(c.Model.Row)
		if err != nil {
			return out, err
		}
		for _, t := range gafdet.TIoUs {
			out.Metrics[fmt.Sprintf("thumos_%g", t)] = r.Metrics[gafdet.MetricKey(t)]
		}
		out.Metrics["avg_0.1_0.5"] = r.Metrics["map_avg_0.1_0.5"]
		out.Metrics["avg_0.3_0.7"] = r.Metrics["map_avg_0.3_0.7"]
		out.Metrics["avg_0.1_0.7"] = r.Metrics["map_avg"]
		out.Metrics["epoch_seconds"] = r.Metrics["epoch_seconds"]
	case "III":
		out.Metrics["in_ground_truth"] = 1
		for _, m := range []string{gafdet.ModelAFSD, gafdet.ModelGAF} {
			r, err := need(m)
			if err != nil {
				return out, err
			}
			key := gafdet.APKey(c.Model.Row)
			if c.Model.Row == "mAP" {
				key = gafdet.MetricKey(0.5)
			}
			v, ok := r.Metrics[key]
			if !ok { // the class is absent from the (restricted) ground truth of this scale
				out.Metrics["in_ground_truth"] = 0
				out.Notes = append(out.Notes, fmt.Sprintf("%s has no instance in the ground truth evaluated at scale %s: no AP.", c.Model.Row, p.Scale))
				break
			}
			out.Metrics[m+"_ap"] = v
		}
	case "figures":
		files, err := drawFigure(ctx, c.Model.Row, byModel, p.Scale, c.Data.From)
		if err != nil {
			return out, err
		}
		out.Metrics["files"] = float64(len(files))
		out.Extra = map[string]any{"files": files}
	}
	if d := upstreamDetail(recs); d != "" {
		if out.Extra == nil {
			out.Extra = map[string]any{}
		}
		out.Extra[table.DetailKey] = d
	}
	if src == "synthetic" {
		out.Notes = append(out.Notes, "Synthetic features, real ground truth: the runs use the ground-truth-anchored THUMOS14 twin and are evaluated against the real thumos_gt.json.")
	}
	out.Notes = append(out.Notes, fmt.Sprintf("From the current records of %s at scale %s (%d runs).", c.Data.From, p.Scale, len(recs)))
	if c.Model.Table == "I" && c.Data.ANetRuns != "" {
		addANetColumns(ctx, c, p, &out)
	}
	return out, nil
}

// CurrentRecords returns the records of the points the runs spec at specRel expands to at
// scale (by hash), ignoring stale records that share the directory (results.UpstreamRecords),
// sorted by label.
func CurrentRecords(ctx context.Context, specRel, experiment, scale string) ([]results.Record, string, error) {
	up, err := results.UpstreamRecords(ctx, results.UpstreamQuery{Spec: specRel, Experiment: experiment, Scale: scale})
	return up.Records, up.Dir, err
}
