package plots

import (
	"fmt"
	"image/color"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Segment is a temporal segment of one video, in seconds.
type Segment struct {
	Class      string
	Start, End float64
}

// TimelineRow is one lane of the timeline, e.g. "ground truth" or
// "predicted".
type TimelineRow struct {
	Name     string
	Segments []Segment
}

// Timeline draws the segments of one video as coloured bars in lanes, one
// lane per row (ground truth above predictions, like GAF Fig. 5), coloured by
// class, with a legend of classes. Duration sets the time axis; 0 means the
// latest segment end.
func Timeline(title string, duration float64, rows []TimelineRow) (*Figure, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("plots: timeline %q: no rows", title)
	}
	classIdx := map[string]int{}
	var classes []string
	end := 0.0
	for _, r := range rows {
		for k, s := range r.Segments {
			if !finite(s.Start) || !finite(s.End) || s.End < s.Start || s.Start < 0 {
				return nil, fmt.Errorf("plots: timeline %q, row %q, segment %d: bad interval [%v, %v]", title, r.Name, k, s.Start, s.End)
			}
			if _, ok := classIdx[s.Class]; !ok {
				classIdx[s.Class] = 0
				classes = append(classes, s.Class)
			}
			end = max(end, s.End)
		}
	}
	if duration < 0 || !finite(duration) {
		return nil, fmt.Errorf("plots: timeline %q: bad duration %v", title, duration)
	}
	if duration == 0 {
		duration = end
	}
	if duration == 0 {
		duration = 1
	}
	sort.Strings(classes)
	for i, c := range classes {
		classIdx[c] = i
	}
	f := newFigure(title, "time (s)", "segments")
	f.Height = vg.Length(1.2+0.6*float64(len(rows))) * vg.Inch
	f.Plot.Add(lanes{rows: rows, color: func(c string) color.Color { return Color(classIdx[c]) }, duration: duration})
	names := make([]string, len(rows))
	for i, r := range rows {
		names[len(rows)-1-i] = r.Name // first row on top
	}
	f.Plot.NominalY(names...)
	f.Plot.Y.Min, f.Plot.Y.Max = -0.6, float64(len(rows))-0.4
	f.Plot.X.Min, f.Plot.X.Max = 0, duration
	f.Plot.Legend.Left = false
	f.Plot.Legend.Top = true
	for _, c := range classes {
		f.Plot.Legend.Add(c, swatch{fill: Color(classIdx[c])})
	}
	return f, nil
}

// lanes is the plot.Plotter of a timeline.
type lanes struct {
	rows     []TimelineRow
	color    func(string) color.Color
	duration float64
}

// laneHeight is the share of a lane's unit height a bar fills.
const laneHeight = 0.6

// Plot implements plot.Plotter.
func (l lanes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(l.rows)
	for i, r := range l.rows {
		y := float64(n - 1 - i)
		for _, s := range r.Segments {
			x0, x1 := trX(s.Start), trX(s.End)
			if x1-x0 < vg.Points(1) {
				x1 = x0 + vg.Points(1) // an instant stays visible
			}
			y0, y1 := trY(y-laneHeight/2), trY(y+laneHeight/2)
			pts := []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
			c.FillPolygon(l.color(s.Class), c.ClipPolygonXY(pts))
		}
	}
}

// DataRange implements plot.DataRanger.
func (l lanes) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, l.duration, -0.5, float64(len(l.rows)) - 0.5
}
