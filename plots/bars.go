package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// BarRow is one table row: the paper's reported value beside the measured
// one. Either may be NaN (not reported / not measured yet); a NaN bar is not
// drawn and the row label says which side is missing.
type BarRow struct {
	Label    string
	Paper    float64
	Measured float64
}

// BarsOptions names the two series. MeasuredName should carry the data
// source (e.g. "measured (synthetic, smoke)") so a synthetic result says so
// in the figure itself.
type BarsOptions struct {
	PaperName    string // default "paper (reported)"
	MeasuredName string // default "measured"
}

// PaperVsMeasured draws grouped bars, one group per table row, with the
// paper-reported value and the measured value side by side. A reported
// number is never drawn in place of a measured one: each has its own bar and
// legend entry.
func PaperVsMeasured(title, yLabel string, rows []BarRow, o BarsOptions) (*Figure, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("plots: bars %q: no rows", title)
	}
	if o.PaperName == "" {
		o.PaperName = "paper (reported)"
	}
	if o.MeasuredName == "" {
		o.MeasuredName = "measured"
	}
	f := newFigure(title, "table row", yLabel)
	paper := make(plotter.Values, len(rows))
	meas := make(plotter.Values, len(rows))
	labels := make([]string, len(rows))
	any := false
	for i, r := range rows {
		labels[i] = r.Label
		paper[i], meas[i] = r.Paper, r.Measured
		if math.IsInf(r.Paper, 0) || math.IsInf(r.Measured, 0) {
			return nil, fmt.Errorf("plots: bars %q: row %q has an infinite value", title, r.Label)
		}
		if math.IsNaN(r.Paper) {
			paper[i] = 0
			labels[i] += "\n(no paper value)"
		} else {
			any = true
		}
		if math.IsNaN(r.Measured) {
			meas[i] = 0
			labels[i] += "\n(not measured)"
		} else {
			any = true
		}
	}
	if !any {
		return nil, fmt.Errorf("plots: bars %q: every value is NaN", title)
	}
	w := vg.Points(math.Min(24, 200/float64(len(rows))))
	for s, v := range []plotter.Values{paper, meas} {
		b, err := plotter.NewBarChart(v, w)
		if err != nil {
			return nil, fmt.Errorf("plots: bars %q: %w", title, err)
		}
		b.Color = Color(s)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(2*s-1) * w / 2
		f.Plot.Add(b)
		f.Plot.Legend.Add([]string{o.PaperName, o.MeasuredName}[s], b)
	}
	legendHeadroom(f, 2)
	f.Plot.NominalX(labels...)
	f.Plot.X.Min, f.Plot.X.Max = -0.5, float64(len(rows))-0.5
	f.Plot.Add(plotter.NewGrid())
	return f, nil
}
