package gaftables

import (
	"context"
	"fmt"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/table"
	"github.com/actrepro/actrepro/internal/tasks/gafdet"
)

// anetRecords returns the records of the ActivityNet runs spec at specRel (task gaf-anet) at
// scale, by the current points' hashes (results.UpstreamRecords, as CurrentRecords for the
// THUMOS14 runs), sorted by label.
func anetRecords(ctx context.Context, specRel, experiment, scale string) ([]results.Record, string, error) {
	up, err := results.UpstreamRecords(ctx, results.UpstreamQuery{
		Spec: specRel, Experiment: experiment, Scale: scale,
		SpecKey: "data.anet_runs", IDKey: "data.anet_from",
	})
	return up.Records, up.Dir, err
}

// anetMetrics copies an ActivityNet run's mAP at 0.5:0.05:0.95 and the average as
// anet_<tIoU> and anet_avg.
func anetMetrics(r results.Record, m map[string]float64) {
	for _, t := range gafdet.ANetTIoUs {
		if v, ok := r.Metrics[gafdet.MetricKey(t)]; ok {
			m[fmt.Sprintf("anet_%g", t)] = v
		}
	}
	if v, ok := r.Metrics["map_avg"]; ok {
		m["anet_avg"] = v
	}
}

func modelName(r results.Record) string {
	m, _ := r.Config["model"].(map[string]any)
	n, _ := m["name"].(string)
	return n
}

// runTable6 is Table VI: one model's ActivityNet row from the gaf-anet records.
func runTable6(ctx context.Context, c Config, p runner.Point) (runner.Outcome, error) {
	var out runner.Outcome
	recs, dir, err := anetRecords(ctx, c.Data.Runs, c.Data.From, p.Scale)
	if err != nil {
		return out, err
	}
	var rec *results.Record
	for i := range recs {
		if modelName(recs[i]) == c.Model.Row {
			rec = &recs[i]
		}
	}
	if rec == nil {
		return out, fmt.Errorf("%s: no current record of model %q (run %s at scale %s first)", dir, c.Model.Row, c.Data.Runs, p.Scale)
	}
	out.Metrics = map[string]float64{}
	anetMetrics(*rec, out.Metrics)
	out.Metrics["epoch_seconds"] = rec.Metrics["epoch_seconds"]
	out.Metrics["video_top1"] = rec.Metrics["video_top1"]
	out.DataSource, out.DataFingerprint = rec.DataSource, "results:"+c.Data.From+"/"+p.Scale
	if d, _ := rec.Extra[table.DetailKey].(string); d != "" {
		out.Extra = map[string]any{table.DetailKey: d}
	}
	if rec.DataSource == "synthetic" {
		out.Notes = append(out.Notes, "Synthetic features, synthetic ground truth (ActivityNet twin): no real ActivityNet data; a pipeline test.")
	}
	out.Notes = append(out.Notes, fmt.Sprintf("From the current records of %s at scale %s (%d runs).", c.Data.From, p.Scale, len(recs)))
	return out, nil
}

// addANetColumns fills Table I's ActivityNet columns from the gaf-anet records when they exist
// at this scale; otherwise the columns stay the paper's only and a note says so. With both, the
// data-source detail names each column group's data.
func addANetColumns(ctx context.Context, c Config, p runner.Point, out *runner.Outcome) {
	from := c.Data.ANetFrom
	if from == "" {
		from = "gaf-anet"
	}
	recs, _, err := anetRecords(ctx, c.Data.ANetRuns, from, p.Scale)
	var rec *results.Record
	for i := range recs {
		if modelName(recs[i]) == c.Model.Row {
			rec = &recs[i]
		}
	}
	if err != nil || rec == nil {
		out.Notes = append(out.Notes, fmt.Sprintf("ActivityNet columns: the paper's only (no current %s record of %q at scale %s).", from, c.Model.Row, p.Scale))
		return
	}
	anetMetrics(*rec, out.Metrics)
	thumos, _ := out.Extra[table.DetailKey].(string)
	anet, _ := rec.Extra[table.DetailKey].(string)
	if out.Extra == nil {
		out.Extra = map[string]any{}
	}
	if thumos != anet {
		out.Extra[table.DetailKey] = fmt.Sprintf("THUMOS14 columns: %s; ActivityNet columns: %s", orUnknown(thumos), orUnknown(anet))
	}
	if rec.DataSource != out.DataSource {
		out.DataSource = "mixed"
	}
	out.DataFingerprint += "+results:" + from + "/" + p.Scale
	out.Notes = append(out.Notes, fmt.Sprintf("ActivityNet columns measured: the current %s record of %q at scale %s (%s).", from, c.Model.Row, p.Scale, orUnknown(anet)))
}

func orUnknown(s string) string {
	if s == "" {
		return "data source not stated"
	}
	return s
}
