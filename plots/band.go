package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
)

// BandKind says what the band around a curve over seeds spans.
type BandKind int

const (
	// BandMinMax spans the lowest to the highest run at each x.
	BandMinMax BandKind = iota
	// BandSD spans the mean ± one sample standard deviation at each x.
	BandSD
)

// String is the band's label, as the legend shows it.
func (k BandKind) String() string {
	if k == BandSD {
		return "band ±1 sd"
	}
	return "band min–max"
}

// SeedSeries is one curve measured over several runs (seeds): Runs[i] is
// run i's curve (e.g. a record's Curves["val_loss"]). Runs may differ in
// length (early stopping): at each x the mean and band are over the runs
// that reached it. X may be nil: the points are then at 1, 2, ...
type SeedSeries struct {
	Name   string
	X      []float64
	Runs   [][]float64
	Color  int  // as Series.Color
	Dashed bool // as Series.Dashed
}

// CurvesOverSeeds draws each series as the mean over its runs with a
// translucent band (kind) around it; the legend names the series with the
// number of runs and what the band spans, e.g. "val loss (mean of 3
// seeds, band min–max)". A series of one run is drawn as a plain curve.
func CurvesOverSeeds(title, xLabel, yLabel string, series []SeedSeries, kind BandKind) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plots: curves %q: no series", title)
	}
	means := make([]Series, len(series))
	lows := make([][]float64, len(series))
	highs := make([][]float64, len(series))
	for i, s := range series {
		m, lo, hi, err := meanBand(title, s, kind)
		if err != nil {
			return nil, err
		}
		name := s.Name
		if len(s.Runs) > 1 {
			name = fmt.Sprintf("%s (mean of %d seeds, %s)", s.Name, len(s.Runs), kind)
		}
		color := s.Color
		if color == 0 {
			color = i + 1 // keep the band and its curve the same colour
		}
		var x []float64
		if s.X != nil {
			x = s.X[:len(m)]
		}
		means[i] = Series{Name: name, X: x, Y: m, Color: color, Dashed: s.Dashed}
		lows[i], highs[i] = lo, hi
	}
	f, err := Curves(title, xLabel, yLabel, means)
	if err != nil {
		return nil, err
	}
	for i, s := range series {
		if len(s.Runs) < 2 {
			continue
		}
		var poly plotter.XYs
		for j := range lows[i] {
			poly = append(poly, plotter.XY{X: xAt(s.X, j), Y: highs[i][j]})
		}
		for j := len(lows[i]) - 1; j >= 0; j-- {
			poly = append(poly, plotter.XY{X: xAt(s.X, j), Y: lows[i][j]})
		}
		pg, err := plotter.NewPolygon(poly)
		if err != nil {
			return nil, fmt.Errorf("plots: curves %q, series %q: %w", title, s.Name, err)
		}
		pg.Color = translucent(Color(means[i].Color-1), 0x40)
		pg.LineStyle.Width = 0
		f.Plot.Add(pg)
	}
	return f, nil
}

func xAt(x []float64, j int) float64 {
	if x == nil {
		return float64(j + 1)
	}
	return x[j]
}

// meanBand is the mean curve of s's runs and its band, over as many points
// as the longest run.
func meanBand(title string, s SeedSeries, kind BandKind) (mean, lo, hi []float64, err error) {
	if len(s.Runs) == 0 {
		return nil, nil, nil, fmt.Errorf("plots: %q, series %q: no runs", title, s.Name)
	}
	n := 0
	for r, run := range s.Runs {
		if err := checkFinite(fmt.Sprintf("%s.Runs[%d]", s.Name, r), run); err != nil {
			return nil, nil, nil, err
		}
		n = max(n, len(run))
	}
	if n == 0 {
		return nil, nil, nil, fmt.Errorf("plots: %q, series %q: no points", title, s.Name)
	}
	if s.X != nil && len(s.X) < n {
		return nil, nil, nil, fmt.Errorf("plots: %q, series %q: %d x values for runs of up to %d points", title, s.Name, len(s.X), n)
	}
	for j := 0; j < n; j++ {
		var ys []float64
		for _, run := range s.Runs {
			if j < len(run) {
				ys = append(ys, run[j])
			}
		}
		var m float64
		for _, y := range ys {
			m += y
		}
		m /= float64(len(ys))
		l, h := m, m
		switch kind {
		case BandSD:
			if len(ys) > 1 {
				var ss float64
				for _, y := range ys {
					ss += (y - m) * (y - m)
				}
				sd := math.Sqrt(ss / float64(len(ys)-1))
				l, h = m-sd, m+sd
			}
		default:
			for _, y := range ys {
				l, h = math.Min(l, y), math.Max(h, y)
			}
		}
		mean, lo, hi = append(mean, m), append(lo, l), append(hi, h)
	}
	return mean, lo, hi, nil
}

func translucent(c color.Color, alpha uint8) color.Color {
	r, g, b, _ := c.RGBA()
	// Non-premultiplied colour at alpha: scale the 16-bit channels.
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: alpha}
}
