package table

import (
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
)

// TestBannerDetail: a data-source detail in every record's Extra[DetailKey] reaches the
// banner; records that disagree (or lack it) leave the generic banner.
func TestBannerDetail(t *testing.T) {
	s, _ := spec.Load("testdata/ablation.toml")
	with := func(recs []results.Record, details ...string) []results.Record {
		out := make([]results.Record, len(recs))
		for i, r := range recs {
			r.Extra = map[string]any{}
			if d := details[i%len(details)]; d != "" {
				r.Extra[DetailKey] = d
			}
			out[i] = r
		}
		return out
	}
	const d = "synthetic features, real ground truth"
	cases := []struct {
		name    string
		recs    []results.Record
		want    string
		notWant string
	}{
		{"synthetic, one detail", with(fakeRecords(t, s, "synthetic"), d), "SYNTHETIC DATA (" + d + "): measured values", ""},
		{"synthetic, details disagree", with(fakeRecords(t, s, "synthetic"), d, "other"), "SYNTHETIC DATA: measured values", d},
		{"synthetic, one lacks it", with(fakeRecords(t, s, "synthetic"), d, ""), "SYNTHETIC DATA: measured values", d},
		{"synthetic, none", fakeRecords(t, s, "synthetic"), "SYNTHETIC DATA: measured values", "()"},
		{"real, detail", with(fakeRecords(t, s, "real"), "real features, real ground truth"), "Real data (toy-twin; real features, real ground truth)", ""},
	}
	for _, c := range cases {
		b := Build(s, s.Tables[0], c.recs, "smoke", nil).Banner
		if !strings.HasPrefix(b, c.want) {
			t.Errorf("%s: banner %q, want prefix %q", c.name, b, c.want)
		}
		if c.notWant != "" && strings.Contains(b, c.notWant) {
			t.Errorf("%s: banner %q has %q", c.name, b, c.notWant)
		}
	}
}
