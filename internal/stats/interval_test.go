package stats

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// Tolerances against testdata/interval_cases.json, written by
// testdata/gen_interval.py with Debian bookworm's python3-scipy 1.10.1-2
// and python3-mpmath 1.2.1-2 (relative, or absolute near zero):
//
//   - scipyTol, against SciPy 1.10.1's t.interval: SciPy's t.ppf (cephes
//     stdtrit) is itself off by up to ~2e-9 relative (e.g. 12.706204736432
//     for df = 1 at 0.975, where the exact value is tan(0.475π) =
//     12.706204736175), so agreement is only that good;
//   - exactTol, against the half-width from mpmath's 40-digit quantile,
//     which gonum's StudentsT.Quantile matches to double precision.
const (
	scipyTol = 5e-9
	exactTol = 1e-12
)

func TestMeanIntervalMatchesScipy(t *testing.T) {
	raw, err := os.ReadFile("testdata/interval_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Cases []struct {
			Name                           string
			X                              []float64
			Level                          float64
			N                              int
			Mean, SD, SEM, Low, High, Half float64
			HalfExact                      float64 `json:"half_exact"`
		}
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) < 30 {
		t.Fatalf("%d cases in the fixture, want at least 30", len(fx.Cases))
	}
	within := func(tol float64) func(got, want float64) bool {
		return func(got, want float64) bool {
			d := math.Abs(got - want)
			return d <= tol || d <= tol*math.Abs(want)
		}
	}
	scipy, exact := within(scipyTol), within(exactTol)
	for _, c := range fx.Cases {
		iv, err := MeanInterval(c.X, c.Level)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		for _, q := range []struct {
			what      string
			got, want float64
			ok        func(got, want float64) bool
		}{
			{"mean", iv.Mean, c.Mean, exact}, {"sd", iv.SD, c.SD, exact}, {"sem", iv.SEM, c.SEM, exact},
			{"half (mpmath quantile)", iv.Half, c.HalfExact, exact},
			{"half (scipy)", iv.Half, c.Half, scipy}, {"low (scipy)", iv.Low(), c.Low, scipy}, {"high (scipy)", iv.High(), c.High, scipy},
		} {
			if !q.ok(q.got, q.want) {
				t.Errorf("%s: %s = %.15g, reference %.15g", c.Name, q.what, q.got, q.want)
			}
		}
		if iv.N != c.N {
			t.Errorf("%s: n = %d, want %d", c.Name, iv.N, c.N)
		}
	}
}

func TestMeanIntervalEdges(t *testing.T) {
	cases := []struct {
		name    string
		x       []float64
		level   float64
		wantErr bool
		half    float64
	}{
		{"one value", []float64{1}, 0.95, true, 0},
		{"no value", nil, 0.95, true, 0},
		{"level 1", []float64{1, 2}, 1, true, 0},
		{"level 0", []float64{1, 2}, 0, true, 0},
		{"NaN value", []float64{1, math.NaN()}, 0.95, true, 0},
		{"Inf value", []float64{math.Inf(1), 2}, 0.95, true, 0},
		// SciPy returns (nan, nan) here; the interval is the point itself.
		{"constant", []float64{5, 5, 5}, 0.95, false, 0},
	}
	for _, c := range cases {
		iv, err := MeanInterval(c.x, c.level)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err = %v, want error %v", c.name, err, c.wantErr)
			continue
		}
		if err == nil && (iv.Half != c.half || !iv.Contains(iv.Mean)) {
			t.Errorf("%s: half %v, want %v", c.name, iv.Half, c.half)
		}
	}
}

func TestIntervalContains(t *testing.T) {
	iv := Interval{Mean: 10, Half: 2}
	for _, c := range []struct {
		x    float64
		want bool
	}{{8, true}, {12, true}, {10, true}, {7.999, false}, {12.001, false}} {
		if got := iv.Contains(c.x); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}
