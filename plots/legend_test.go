package plots

import (
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// TestCurvesLegendPlacement checks where Curves puts its legend: inside
// the data area (above the curves) for up to legendInsideMax series,
// in a column right of the data area beyond, every entry within the
// figure.
func TestCurvesLegendPlacement(t *testing.T) {
	for _, tc := range []struct {
		series  int
		outside bool
	}{
		{1, false},
		{legendInsideMax, false},
		{legendInsideMax + 1, true},
		{8, true},
	} {
		var series []Series
		var names []string
		for i := 0; i < tc.series; i++ {
			name := "run " + string(rune('a'+i)) + ": val_accuracy"
			names = append(names, name)
			series = append(series, Series{Name: name, Y: []float64{0.1 * float64(i), 0.5, 1}})
		}
		f, err := Curves("legend test", "epoch", "accuracy", series)
		if err != nil {
			t.Fatal(err)
		}
		if f.LegendRight != tc.outside {
			t.Errorf("%d series: LegendRight = %v, want %v", tc.series, f.LegendRight, tc.outside)
		}
		rec := &recorder.Canvas{}
		dc := draw.NewCanvas(rec, f.Width, f.Height)
		f.draw(dc)
		// The data area the plot drew into.
		data := f.Plot.DataCanvas(dc)
		if f.LegendRight {
			body := dc
			body.Max.Y -= f.Plot.Title.TextStyle.Rectangle(f.Plot.Title.Text).Size().Y + f.Plot.Title.Padding
			empty := plot.NewLegend()
			p := *f.Plot
			p.Title.Text, p.Legend = "", empty
			inner, _ := legendRightLayout(&p, &f.Plot.Legend, body)
			data = p.DataCanvas(inner)
		}
		if f.Plot.Legend.XOffs != 0 || f.Plot.Title.Text != "legend test" {
			t.Errorf("%d series: drawing changed the plot: legend offset %v, title %q", tc.series, f.Plot.Legend.XOffs, f.Plot.Title.Text)
		}
		titleAt := vg.Length(-1)
		for _, a := range rec.Actions {
			if s, ok := a.(*recorder.FillString); ok && s.String == "legend test" {
				titleAt = s.Point.X
			}
		}
		if titleAt < 0 {
			t.Errorf("%d series: no title drawn", tc.series)
		}
		found := 0
		for _, a := range rec.Actions {
			s, ok := a.(*recorder.FillString)
			if !ok || !contains(names, s.String) {
				continue
			}
			found++
			x := s.Point.X
			if x < 0 || x > f.Width {
				t.Errorf("%d series: legend entry %q at x=%v, outside the figure (width %v)", tc.series, s.String, x, f.Width)
			}
			if outside := x > data.Max.X; outside != tc.outside {
				t.Errorf("%d series: legend entry %q starts at x=%v, data area ends at %v: outside = %v, want %v", tc.series, s.String, x, data.Max.X, outside, tc.outside)
			}
		}
		if found != tc.series {
			t.Errorf("%d series: %d legend entries drawn", tc.series, found)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func TestSVGFontFallback(t *testing.T) {
	f, err := Curves("fonts", "x", "y", []Series{{Name: "s", Y: []float64{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); !strings.Contains(s, "font-family:'Liberation Serif','Times New Roman',Tinos,Times,serif;") || strings.Contains(s, "font-family:Liberation Serif;") {
		t.Errorf("SVG font families: %q", strings.Join(strings.SplitAfter(s, "font-family")[1:2], ""))
	}
}
