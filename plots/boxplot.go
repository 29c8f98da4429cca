package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BoxSeries is one set of boxes, one per group: Values[g] are the samples of
// group g (an empty slice draws no box for that group).
type BoxSeries struct {
	Name   string
	Values [][]float64
}

// BoxPlot draws box plots of samples by group, side by side for several
// series (e.g. paper-reported and measured mAP per text-processing layer,
// ARTEMIS Fig. 2). Boxes span the quartiles, whiskers 1.5 IQR, outliers are
// circles (gonum/plot conventions).
func BoxPlot(title, xLabel, yLabel string, groups []string, series []BoxSeries) (*Figure, error) {
	if len(groups) == 0 || len(series) == 0 {
		return nil, fmt.Errorf("plots: box plot %q needs at least one group and one series", title)
	}
	f := newFigure(title, xLabel, yLabel)
	n := len(series)
	slot := 0.8 / float64(n) // share of a group's unit width per series
	width := vg.Points(120 / float64(len(groups)*n))
	if width > vg.Points(30) {
		width = vg.Points(30)
	}
	drawn := 0
	for s, ser := range series {
		if len(ser.Values) != len(groups) {
			return nil, fmt.Errorf("plots: box plot %q: series %q has %d groups of values, want %d", title, ser.Name, len(ser.Values), len(groups))
		}
		for g, vals := range ser.Values {
			if len(vals) == 0 {
				continue
			}
			if err := checkFinite(fmt.Sprintf("%s.Values[%d]", ser.Name, g), vals); err != nil {
				return nil, err
			}
			loc := float64(g) + (float64(s)-float64(n-1)/2)*slot
			b, err := plotter.NewBoxPlot(width, loc, plotter.Values(vals))
			if err != nil {
				return nil, fmt.Errorf("plots: box plot %q, series %q, group %q: %w", title, ser.Name, groups[g], err)
			}
			b.FillColor = lighten(Color(s))
			b.BoxStyle.Color = Color(s)
			b.MedianStyle.Color = Color(s)
			b.MedianStyle.Width = vg.Points(2)
			f.Plot.Add(b)
			drawn++
		}
		f.Plot.Legend.Add(ser.Name, swatch{fill: lighten(Color(s)), line: Color(s)})
	}
	if drawn == 0 {
		return nil, fmt.Errorf("plots: box plot %q: every group is empty", title)
	}
	legendHeadroom(f, len(series))
	f.Plot.NominalX(groups...)
	f.Plot.X.Min, f.Plot.X.Max = -0.6, float64(len(groups))-0.4
	f.Plot.Add(plotter.NewGrid())
	return f, nil
}

// lighten mixes c with white, for box and bar fills.
func lighten(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8 + 2*255) / 3) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xFF}
}

// swatch is a legend thumbnail: a filled rectangle with an outline.
type swatch struct {
	fill, line color.Color
}

var _ plot.Thumbnailer = swatch{}

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y},
	}
	poly := c.ClipPolygonY(pts)
	c.FillPolygon(s.fill, poly)
	if s.line != nil {
		pts = append(pts, pts[0])
		c.StrokeLines(draw.LineStyle{Color: s.line, Width: vg.Points(1)}, c.ClipLinesY(pts)...)
	}
}
