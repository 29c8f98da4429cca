package stats

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// refTol is the agreement required with SciPy 1.10.1 (Debian bookworm's
// python3-scipy; values in testdata/paired_cases.json written by
// internal/metrics/testdata/gen_fixtures.py), absolute or relative.
const refTol = 1e-9

func near(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	d := math.Abs(got - want)
	return d <= refTol || d <= refTol*math.Abs(want)
}

// jsonFloat decodes a number, null (NaN) or "inf"/"-inf".
type jsonFloat float64

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*f = jsonFloat(math.NaN())
	case `"inf"`:
		*f = jsonFloat(math.Inf(1))
	case `"-inf"`:
		*f = jsonFloat(math.Inf(-1))
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = jsonFloat(v)
	}
	return nil
}

func TestPairedMatchesScipy(t *testing.T) {
	raw, err := os.ReadFile("testdata/paired_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Cases []struct {
			Name          string
			A, B          []float64
			T             jsonFloat
			TP            jsonFloat `json:"t_p"`
			W             float64
			WP            float64 `json:"w_p"`
			WMethod       string  `json:"w_method"`
			Ties          bool
			WilcoxonError bool `json:"wilcoxon_error"`
		}
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range fx.Cases {
		tt, err := PairedTTest(c.A, c.B)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !near(tt.T, float64(c.T)) || !near(tt.P, float64(c.TP)) {
			t.Errorf("%s t-test: t=%v p=%v, scipy t=%v p=%v", c.Name, tt.T, tt.P, c.T, c.TP)
		}
		w, err := Wilcoxon(c.A, c.B)
		if c.WilcoxonError {
			if err == nil {
				t.Errorf("%s: Wilcoxon of all-zero differences gave no error", c.Name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if w.Method != c.WMethod || w.Ties != c.Ties {
			t.Errorf("%s: method %s ties %v, want %s ties %v", c.Name, w.Method, w.Ties, c.WMethod, c.Ties)
		}
		if !near(w.Statistic, c.W) || !near(w.P, c.WP) {
			t.Errorf("%s Wilcoxon (%s): T=%v p=%.17g, scipy T=%v p=%.17g", c.Name, w.Method, w.Statistic, w.P, c.W, c.WP)
		}
	}
}

func TestPairedErrors(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		a, b []float64
	}{
		{"length", []float64{1, 2}, []float64{1}},
		{"nan", []float64{1, nan}, []float64{1, 2}},
		{"inf", []float64{1, 2}, []float64{math.Inf(1), 2}},
		{"one pair", []float64{1}, []float64{2}},
	} {
		if _, err := PairedTTest(tc.a, tc.b); err == nil {
			t.Errorf("%s: PairedTTest gave no error", tc.name)
		}
	}
	if _, err := Wilcoxon(nil, nil); err == nil {
		t.Error("Wilcoxon of empty samples gave no error")
	}
}

// TestSignedRankPMF checks the exact null distribution against a hand count:
// for n = 3 the 8 sign patterns give r⁺ = 0,1,2,3,3,4,5,6.
func TestSignedRankPMF(t *testing.T) {
	want := []float64{1, 1, 1, 2, 1, 1, 1}
	got := signedRankPMF(3)
	if len(got) != len(want) {
		t.Fatalf("len %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i]/8 {
			t.Errorf("P(R+=%d) = %v, want %v/8", i, got[i], want[i])
		}
	}
}
