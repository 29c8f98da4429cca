package gaftables

import (
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
