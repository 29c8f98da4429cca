package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// confusionLevels is the number of colours of the heat map's ramp.
const confusionLevels = 64

// maxCellLabels is the largest number of classes whose cells get their value
// written in them; bigger matrices are colour only.
const maxCellLabels = 12

// Confusion draws a confusion matrix as a heat map: m[i][j] counts samples of
// true class i predicted as class j. With normalize, each row is divided by
// its sum (recall per class on the diagonal). Rows run top to bottom in
// class order. The legend maps colours to values.
func Confusion(title string, classes []string, m [][]float64, normalize bool) (*Figure, error) {
	n := len(classes)
	if n == 0 {
		return nil, fmt.Errorf("plots: confusion %q: no classes", title)
	}
	if len(m) != n {
		return nil, fmt.Errorf("plots: confusion %q: %d rows for %d classes", title, len(m), n)
	}
	g := grid{n: n, z: make([]float64, n*n)}
	for i, row := range m {
		if len(row) != n {
			return nil, fmt.Errorf("plots: confusion %q: row %d (%s) has %d columns, want %d", title, i, classes[i], len(row), n)
		}
		if err := checkFinite(fmt.Sprintf("m[%d]", i), row); err != nil {
			return nil, err
		}
		sum := 0.0
		for j, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("plots: confusion %q: m[%d][%d] = %v is negative", title, i, j, v)
			}
			sum += v
		}
		for j, v := range row {
			if normalize {
				if sum > 0 {
					v /= sum
				} else {
					v = 0
				}
			}
			g.z[i*n+j] = v
		}
	}
	f := newFigure(title, "predicted class", "true class")
	f.Height = f.Width * 3 / 4
	ramp := newRamp(color.White, Palette[0], confusionLevels)
	h := plotter.NewHeatMap(g, ramp)
	h.Min, h.Max = 0, g.max()
	if h.Max == 0 {
		h.Max = 1
	}
	f.Plot.Add(h)
	if n <= maxCellLabels {
		var dark, light plotter.XYLabels
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				v := g.z[i*n+j]
				s := fmt.Sprintf("%.0f", v)
				if normalize {
					s = fmt.Sprintf("%.2f", v)
				}
				pt := plotter.XY{X: float64(j), Y: float64(n - 1 - i)}
				if v/h.Max > 0.6 {
					light.XYs, light.Labels = append(light.XYs, pt), append(light.Labels, s)
				} else {
					dark.XYs, dark.Labels = append(dark.XYs, pt), append(dark.Labels, s)
				}
			}
		}
		for k, set := range []plotter.XYLabels{dark, light} {
			if len(set.XYs) == 0 {
				continue
			}
			l, err := plotter.NewLabels(set)
			if err != nil {
				return nil, fmt.Errorf("plots: confusion %q: %w", title, err)
			}
			for i := range l.TextStyle {
				l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = -0.5, -0.5
				if k == 1 {
					l.TextStyle[i].Color = color.White
				}
			}
			f.Plot.Add(l)
		}
	}
	names := make([]string, n)
	for i := range classes {
		names[n-1-i] = classes[i]
	}
	f.Plot.NominalX(classes...)
	f.Plot.NominalY(names...)
	f.Plot.X.Tick.Label.Rotation = math.Pi / 4
	f.Plot.X.Tick.Label.XAlign, f.Plot.X.Tick.Label.YAlign = -1, -0.5
	// Legend: five colour levels with their values.
	// The x axis runs on past the matrix to leave the legend a blank margin.
	f.Plot.X.Min, f.Plot.X.Max = -0.5, float64(n)-0.5+math.Max(1.2, 0.35*float64(n))
	f.Plot.Legend.Top = true
	for k := 4; k >= 0; k-- {
		v := h.Max * float64(k) / 4
		c := ramp.at(v / h.Max)
		label := fmt.Sprintf("%.3g", v)
		if normalize {
			label = fmt.Sprintf("%.2f of row", v)
		}
		f.Plot.Legend.Add(label, swatch{fill: c, line: color.Gray{Y: 0x80}})
	}
	return f, nil
}

// grid is a square matrix as a plotter.GridXYZ; row 0 is drawn at the top.
type grid struct {
	n int
	z []float64
}

func (g grid) Dims() (c, r int)   { return g.n, g.n }
func (g grid) Z(c, r int) float64 { return g.z[(g.n-1-r)*g.n+c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }
func (g grid) max() float64 {
	m := 0.0
	for _, v := range g.z {
		m = math.Max(m, v)
	}
	return m
}

// ramp is a linear colour ramp between two colours, a palette.Palette.
type ramp []color.Color

func newRamp(from, to color.Color, n int) ramp {
	r0, g0, b0, _ := from.RGBA()
	r1, g1, b1, _ := to.RGBA()
	lerp := func(a, b uint32, t float64) uint8 { return uint8((float64(a)*(1-t) + float64(b)*t) / 257) }
	out := make(ramp, n)
	for i := range out {
		t := float64(i) / float64(n-1)
		out[i] = color.RGBA{R: lerp(r0, r1, t), G: lerp(g0, g1, t), B: lerp(b0, b1, t), A: 0xFF}
	}
	return out
}

// Colors implements palette.Palette.
func (r ramp) Colors() []color.Color { return r }

// at returns the colour at t in [0, 1].
func (r ramp) at(t float64) color.Color {
	i := int(math.Round(t * float64(len(r)-1)))
	return r[max(0, min(len(r)-1, i))]
}

var _ plot.Thumbnailer = swatch{}
