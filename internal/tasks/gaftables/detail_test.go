package gaftables

import (
	"github.com/actrepro/actrepro/internal/runner"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/table"
)

func TestUpstreamDetail(t *testing.T) {
	rec := func(task, src, detail string) results.Record {
		r := results.Record{Task: task, DataSource: src}
		if detail != "" {
			r.Extra = map[string]any{table.DetailKey: detail}
		}
		return r
	}
	const syn = "synthetic features, real ground truth"
	const twin = "synthetic features, synthetic ground truth (ActivityNet twin)"
	cases := []struct {
		name string
		recs []results.Record
		want string
	}{
		{"stated", []results.Record{rec("gaf-thumos", "synthetic", syn), rec("gaf-thumos", "synthetic", syn)}, syn},
		{"old thumos records", []results.Record{rec("gaf-thumos", "synthetic", ""), rec("gaf-thumos", "synthetic", "")}, syn},
		{"real thumos", []results.Record{rec("gaf-thumos", "real", "")}, "real features, real ground truth"},
		{"anet twin", []results.Record{rec("gaf-anet", "synthetic", twin)}, twin},
		{"disagree", []results.Record{rec("gaf-thumos", "synthetic", syn), rec("gaf-anet", "synthetic", twin)}, ""},
		{"unknown task, no detail", []results.Record{rec("other", "synthetic", "")}, ""},
	}
	for _, c := range cases {
		if got := upstreamDetail(c.recs); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestANetMetrics(t *testing.T) {
	r := results.Record{Metrics: map[string]float64{"map_0.5": 0.4, "map_0.75": 0.2, "map_0.95": 0.01, "map_avg": 0.21, "map_0.1": 9}}
	m := map[string]float64{}
	anetMetrics(r, m)
	want := map[string]float64{"anet_0.5": 0.4, "anet_0.75": 0.2, "anet_0.95": 0.01, "anet_avg": 0.21}
	if len(m) != len(want) {
		t.Errorf("%v, want %v", m, want)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	ok := map[string]any{"data": map[string]any{"dataset": "activitynet", "source": "synthetic"}, "model": map[string]any{"table": "VI", "row": "gaf"}}
	if err := (Task{}).Validate(runner.Point{Config: ok}); err != nil {
		t.Errorf("valid Table VI config: %v", err)
	}
}
