package plots_test

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"github.com/actrepro/actrepro/plots"
)

// TestGoldenSeeds compares the seed figures with their golden images
// (made with `go test ./plots -run TestGoldenSeeds -regen`, inspected by eye).
func TestGoldenSeeds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		example func()
	}{
		{"bars_seeds.png", ExamplePaperVsMeasured_errorBars},
		{"curves_seeds.png", ExampleCurvesOverSeeds},
	} {
		t.Run(tc.name, func(t *testing.T) { cmpimg.CheckPlot(tc.example, t, tc.name) })
	}
}

func TestSeedFigureErrors(t *testing.T) {
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"negative half", func() error {
			_, err := plots.PaperVsMeasured("t", "y", []plots.BarRow{{Label: "a", Paper: 1, Measured: 1, Half: -1}}, plots.BarsOptions{})
			return err
		}, "negative half-width"},
		{"infinite half", func() error {
			_, err := plots.PaperVsMeasured("t", "y", []plots.BarRow{{Label: "a", Paper: 1, Measured: 1, Half: math.Inf(1)}}, plots.BarsOptions{})
			return err
		}, "infinite value"},
		{"no runs", func() error {
			_, err := plots.CurvesOverSeeds("t", "x", "y", []plots.SeedSeries{{Name: "a"}}, plots.BandSD)
			return err
		}, "no runs"},
		{"NaN in a run", func() error {
			_, err := plots.CurvesOverSeeds("t", "x", "y", []plots.SeedSeries{{Name: "a", Runs: [][]float64{{1, math.NaN()}}}}, plots.BandSD)
			return err
		}, "a.Runs[0][1] = NaN"},
		{"short x", func() error {
			_, err := plots.CurvesOverSeeds("t", "x", "y", []plots.SeedSeries{{Name: "a", X: []float64{1}, Runs: [][]float64{{1, 2}}}}, plots.BandSD)
			return err
		}, "1 x values for runs of up to 2 points"},
	}
	for _, c := range cases {
		if err := c.err(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestBandLegend: the legend says how many seeds and what the band spans;
// a single run is a plain curve.
func TestBandLegend(t *testing.T) {
	for _, c := range []struct {
		kind plots.BandKind
		runs [][]float64
		want string
	}{
		{plots.BandMinMax, [][]float64{{1, 2}, {2, 3}, {3, 4}}, "val (mean of 3 seeds, band min–max)"},
		{plots.BandSD, [][]float64{{1, 2}, {2, 3}}, "val (mean of 2 seeds, band ±1 sd)"},
		{plots.BandSD, [][]float64{{1, 2}}, "val"},
	} {
		f, err := plots.CurvesOverSeeds("t", "x", "y", []plots.SeedSeries{{Name: "val", Runs: c.runs}}, c.kind)
		if err != nil {
			t.Fatal(err)
		}
		svg, err := f.SVG()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(svg), strings.ReplaceAll(c.want, "±", "±")) {
			t.Errorf("legend lacks %q", c.want)
		}
		// Band min–max of {1,2,3} at x=1 spans 1..3: the y axis holds it.
		if c.kind == plots.BandMinMax && (f.Plot.Y.Min > 1 || f.Plot.Y.Max < 4) {
			t.Errorf("y axis %v..%v does not hold the band 1..4", f.Plot.Y.Min, f.Plot.Y.Max)
		}
	}
}
