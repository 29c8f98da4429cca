package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BarRow is one table row: the paper's reported value beside the measured
// one. Either may be NaN (not reported / not measured yet); a NaN bar is not
// drawn and the row label says which side is missing.
type BarRow struct {
	Label    string
	Paper    float64
	Measured float64 // the mean over N runs when N > 1
	// Half is the half-width of the measured value's interval (e.g. the
	// 95% t-interval over seeds, table.Cell.Half); the bar gets an error
	// bar Measured ± Half. 0 (or NaN): no error bar.
	Half float64
	// N is the number of runs behind Measured; with N > 1 the label says
	// "n=N".
	N int
}

// BarsOptions names the two series. MeasuredName should carry the data
// source (e.g. "measured (synthetic, smoke)") so a synthetic result says so
// in the figure itself.
type BarsOptions struct {
	PaperName    string // default "paper (reported)"
	MeasuredName string // default "measured"
	// ErrorName labels the error bars in the legend, shown when a row has
	// Half > 0; default "95% t-interval over seeds".
	ErrorName string
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
	if o.ErrorName == "" {
		o.ErrorName = "95% t-interval over seeds"
	}
	f := newFigure(title, "table row", yLabel)
	paper := make(plotter.Values, len(rows))
	meas := make(plotter.Values, len(rows))
	labels := make([]string, len(rows))
	any := false
	for i, r := range rows {
		labels[i] = r.Label
		paper[i], meas[i] = r.Paper, r.Measured
		if math.IsInf(r.Paper, 0) || math.IsInf(r.Measured, 0) || math.IsInf(r.Half, 0) {
			return nil, fmt.Errorf("plots: bars %q: row %q has an infinite value", title, r.Label)
		}
		if r.Half < 0 {
			return nil, fmt.Errorf("plots: bars %q: row %q has a negative half-width %v", title, r.Label, r.Half)
		}
		if r.N > 1 && !math.IsNaN(r.Measured) {
			labels[i] += fmt.Sprintf("\n(n=%d)", r.N)
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
	entries := 2
	if eb := newErrorBars(rows, w/2); eb != nil {
		f.Plot.Add(eb)
		f.Plot.Legend.Add(o.ErrorName, eb)
		entries++
	}
	legendHeadroom(f, entries)
	f.Plot.NominalX(labels...)
	f.Plot.X.Min, f.Plot.X.Max = -0.5, float64(len(rows))-0.5
	f.Plot.Add(plotter.NewGrid())
	return f, nil
}

// errorBars draws Measured ± Half over the measured bars, which sit offset
// canvas units right of their row's x (the bar chart's offset is in canvas
// units, so plotter.YErrorBars, in data units, cannot place them).
type errorBars struct {
	x, lo, hi []float64
	offset    vg.Length
	line      draw.LineStyle
}

// newErrorBars is nil when no row has an interval.
func newErrorBars(rows []BarRow, offset vg.Length) *errorBars {
	eb := &errorBars{offset: offset, line: draw.LineStyle{Color: color.Black, Width: vg.Points(1.2)}}
	for i, r := range rows {
		if r.Half > 0 && !math.IsNaN(r.Measured) {
			eb.x = append(eb.x, float64(i))
			eb.lo = append(eb.lo, r.Measured-r.Half)
			eb.hi = append(eb.hi, r.Measured+r.Half)
		}
	}
	if len(eb.x) == 0 {
		return nil
	}
	return eb
}

// Plot implements plot.Plotter.
func (eb *errorBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	capW := vg.Points(4)
	for i := range eb.x {
		x := trX(eb.x[i]) + eb.offset
		lo, hi := trY(eb.lo[i]), trY(eb.hi[i])
		c.StrokeLines(eb.line, []vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})
		c.StrokeLines(eb.line, []vg.Point{{X: x - capW, Y: lo}, {X: x + capW, Y: lo}})
		c.StrokeLines(eb.line, []vg.Point{{X: x - capW, Y: hi}, {X: x + capW, Y: hi}})
	}
}

// DataRange implements plot.DataRanger, so the axis holds the bars' ends.
func (eb *errorBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range eb.x {
		xmin, xmax = math.Min(xmin, eb.x[i]), math.Max(xmax, eb.x[i])
		ymin, ymax = math.Min(ymin, eb.lo[i]), math.Max(ymax, eb.hi[i])
	}
	return xmin, xmax, ymin, ymax
}

// Thumbnail implements plot.Thumbnailer: an error bar in the legend.
func (eb *errorBars) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	capW := vg.Points(3)
	c.StrokeLines(eb.line, []vg.Point{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}})
	c.StrokeLines(eb.line, []vg.Point{{X: x - capW, Y: c.Min.Y}, {X: x + capW, Y: c.Min.Y}})
	c.StrokeLines(eb.line, []vg.Point{{X: x - capW, Y: c.Max.Y}, {X: x + capW, Y: c.Max.Y}})
}
