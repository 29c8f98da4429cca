package plots

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one curve. X may be nil: the points are then at 1, 2, ...
// (epochs).
type Series struct {
	Name string
	X, Y []float64
	// Color is a Palette index plus one (so that 0 means "the next colour");
	// series of one run share a colour, e.g. its train and val curves.
	Color int
	// Dashed draws a dashed line; series whose name contains "val" are
	// dashed anyway, so train/val pairs read at a glance in greyscale too.
	Dashed bool
}

// Curves draws training/validation curves (loss, mAP, accuracy per epoch)
// as lines with point markers, one colour per series unless Series.Color
// says otherwise, validation curves dashed. The legend sits above the
// curves for up to legendInsideMax series, right of the data area beyond.
func Curves(title, xLabel, yLabel string, series []Series) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plots: curves %q: no series", title)
	}
	f := newFigure(title, xLabel, yLabel)
	for i, s := range series {
		xy, err := xys(title, s)
		if err != nil {
			return nil, err
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("plots: curves %q, series %q: %w", title, s.Name, err)
		}
		c := Color(i)
		if s.Color > 0 {
			c = Color(s.Color - 1)
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		if s.Dashed || strings.Contains(strings.ToLower(s.Name), "val") {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		pts.Color = c
		pts.Radius = vg.Points(2)
		f.Plot.Add(l, pts)
		f.Plot.Legend.Add(s.Name, l, pts)
	}
	if len(series) > legendInsideMax {
		f.LegendRight = true
	} else {
		legendHeadroom(f, len(series))
	}
	f.Plot.Add(plotter.NewGrid())
	return f, nil
}

// legendInsideMax is the most series whose legend Curves puts inside the
// data area (in headroom above the curves); more go in a column on the
// right, outside the data area, so the legend never covers a curve.
const legendInsideMax = 3

func xys(title string, s Series) (plotter.XYs, error) {
	if len(s.Y) == 0 {
		return nil, fmt.Errorf("plots: %q, series %q: no points", title, s.Name)
	}
	if s.X != nil && len(s.X) != len(s.Y) {
		return nil, fmt.Errorf("plots: %q, series %q: %d x values for %d y values", title, s.Name, len(s.X), len(s.Y))
	}
	if err := checkFinite(s.Name+".Y", s.Y); err != nil {
		return nil, err
	}
	if err := checkFinite(s.Name+".X", s.X); err != nil {
		return nil, err
	}
	xy := make(plotter.XYs, len(s.Y))
	for i, y := range s.Y {
		x := float64(i + 1)
		if s.X != nil {
			x = s.X[i]
		}
		xy[i] = plotter.XY{X: x, Y: y}
	}
	return xy, nil
}
