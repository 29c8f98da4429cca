package artemistables_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/codever"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/tasks/artemis"
	"github.com/actrepro/actrepro/internal/tasks/artemistables"
)

// upstream1 is a Table-1-like spec: two points, BEST1 and BEST2.
const upstream1 = `[experiment]
id = "t1"
paper = "ARTEMIS"
table = "Table 1"
title = "t"
task = "artemis"
[data]
dataset = "animalkingdom"
source = "synthetic"
track = "synthetic"
[model]
text_layer = "conv"
R_Hv = true
R_seq = false
R_b = true
R_Hq = false
[scale.smoke]
[scale.full]
[sweep]
model.F_r = [false, true]
[table]
rows = ["F_r"]
columns = [{ label = "m", measured = "map_batch_micro" }]
`

// upstream4 is a Table-4-like spec: a strategy axis over two folds.
const upstream4 = `[experiment]
id = "t4"
paper = "ARTEMIS"
table = "Table 4"
title = "t"
task = "artemis"
[data]
dataset = "animalkingdom"
source = "real"
track = "ak-text"
[scale.smoke]
[scale.full]
[sweep]
model.protocol = ["authors"]
model.strategy = ["average", "weighted_ga"]
data.fold = [0, 1]
[[sweep.include]]
model.protocol = "leak-free"
model.strategy = "weighted_ga"
data.fold = 0
[table]
rows = ["strategy"]
columns = [{ label = "m", measured = "map_batch_micro" }]
`

// writeUpstream writes spec text under dir and one record per current
// point, metric(point) giving its metrics and source its data source.
func writeUpstream(t *testing.T, root, rel, text, source string, metric func(p runner.Point) map[string]float64) {
	t.Helper()
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := spec.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	version, err := codever.Version(artemis.Task{})
	if err != nil {
		t.Fatal(err)
	}
	points, err := s.Expand("smoke", version)
	if err != nil {
		t.Fatal(err)
	}
	dir := results.Dir(filepath.Join(root, "results"), s.Experiment.ID, "smoke")
	for _, p := range points {
		r := &results.Record{Kind: results.Kind, Experiment: s.Experiment.ID, Hash: p.Hash, Scale: "smoke", Axes: p.Axes,
			Config: p.Config, DataSource: source, Metrics: metric(p)}
		if err := results.Write(dir, r); err != nil {
			t.Fatal(err)
		}
	}
}

func comparisonPoint(method, strategy, spec1, spec4 string) runner.Point {
	return runner.Point{Scale: "smoke", Config: map[string]any{
		"data": map[string]any{"dataset": "animalkingdom", "source": "synthetic", "single_spec": spec1, "single_from": "t1",
			"ensemble_spec": spec4, "ensemble_from": "t4"},
		"model": map[string]any{"method": method, "strategy": strategy},
	}}
}

func TestComparisonReadsUpstreamRows(t *testing.T) {
	root := t.TempDir()
	writeUpstream(t, root, "t1.toml", upstream1, "synthetic", func(p runner.Point) map[string]float64 {
		if p.Axes["model.F_r"] == true {
			return map[string]float64{"map_batch_micro": 0.70, "map_macro": 0.20}
		}
		return map[string]float64{"map_batch_micro": 0.60, "map_macro": 0.10}
	})
	writeUpstream(t, root, "t4.toml", upstream4, "real", func(p runner.Point) map[string]float64 {
		v := 0.50
		if p.Axes["model.strategy"] == "weighted_ga" {
			v = 0.80
		}
		if p.Axes["data.fold"] == int64(1) {
			v += 0.02
		}
		if p.Axes["model.protocol"] == "leak-free" {
			v = 0.10 // must not enter the authors'-protocol mean
		}
		return map[string]float64{"map_batch_micro": v}
	})
	ctx := results.WithRoot(context.Background(), filepath.Join(root, "results"))
	spec1, spec4 := filepath.Join(root, "t1.toml"), filepath.Join(root, "t4.toml")
	for _, tc := range []struct {
		name, method, strategy string
		want, wantRuns         float64
		source                 string
	}{
		{"single = best1's run (F_r on)", "single", "ga", 0.70, 1, "synthetic"},
		{"ensemble ga = mean over folds", "ensemble", "ga", 0.81, 2, "real"},
		{"ensemble average", "ensemble", "average", 0.51, 2, "real"},
	} {
		out, err := artemistables.ComparisonTask{}.Run(ctx, comparisonPoint(tc.method, tc.strategy, spec1, spec4), runner.Env{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := out.Metrics["map_batch_micro"]; got < tc.want-1e-12 || got > tc.want+1e-12 || out.Metrics["n_runs"] != tc.wantRuns || out.DataSource != tc.source {
			t.Errorf("%s: %v (source %s), want %v over %v runs; notes %v", tc.name, out.Metrics, out.DataSource, tc.want, tc.wantRuns, out.Notes)
		}
	}
	// rl has no records; a missing Table 4 spec; a missing results dir: not run.
	for _, tc := range []struct {
		name string
		p    runner.Point
		ctx  context.Context
	}{
		{"strategy without records", comparisonPoint("ensemble", "rl", spec1, spec4), ctx},
		{"no Table 4 spec", comparisonPoint("ensemble", "ga", spec1, filepath.Join(root, "absent.toml")), ctx},
		{"no records at all", comparisonPoint("single", "ga", spec1, spec4), results.WithRoot(context.Background(), t.TempDir())},
	} {
		out, err := artemistables.ComparisonTask{}.Run(tc.ctx, tc.p, runner.Env{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if _, has := out.Metrics["map_batch_micro"]; has || out.Metrics["n_runs"] != 0 || !strings.Contains(strings.Join(out.Notes, " "), "not run") {
			t.Errorf("%s: %v %v, want not run", tc.name, out.Metrics, out.Notes)
		}
	}
	// A spec of another experiment id is a configuration error.
	p := comparisonPoint("single", "ga", spec4, spec4)
	if _, err := (artemistables.ComparisonTask{}).Run(ctx, p, runner.Env{}); err == nil {
		t.Error("single_spec of another id: no error")
	}
}

func TestComparisonValidate(t *testing.T) {
	for name, mod := range map[string]func(map[string]any){
		"method":   func(c map[string]any) { c["model"].(map[string]any)["method"] = "triple" },
		"strategy": func(c map[string]any) { c["model"].(map[string]any)["strategy"] = "bagging" },
		"preset":   func(c map[string]any) { c["model"].(map[string]any)["preset"] = "best9" },
		"dataset":  func(c map[string]any) { c["data"].(map[string]any)["dataset"] = "ucf50" },
		"unknown":  func(c map[string]any) { c["model"].(map[string]any)["metrc"] = "x" },
	} {
		p := comparisonPoint("single", "ga", "a", "b")
		mod(p.Config)
		if err := (artemistables.ComparisonTask{}).Validate(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := (artemistables.ComparisonTask{}).Validate(comparisonPoint("single", "ga", "a", "b")); err != nil {
		t.Error(err)
	}
}
