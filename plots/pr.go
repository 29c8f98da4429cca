package plots

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// PRCurve is one precision-recall curve, points in order of decreasing
// score threshold (as PRPoints returns them).
type PRCurve struct {
	Name      string
	Recall    []float64
	Precision []float64
}

// PrecisionRecall draws precision-recall curves on [0,1]x[0,1] as steps
// (precision is constant between recall points, the convention of the
// interpolation-free AP in Animal Kingdom's evaluation).
func PrecisionRecall(title string, curves []PRCurve) (*Figure, error) {
	if len(curves) == 0 {
		return nil, fmt.Errorf("plots: precision-recall %q: no curves", title)
	}
	f := newFigure(title, "recall", "precision")
	for i, c := range curves {
		if len(c.Recall) == 0 || len(c.Recall) != len(c.Precision) {
			return nil, fmt.Errorf("plots: precision-recall %q, curve %q: %d recall and %d precision values", title, c.Name, len(c.Recall), len(c.Precision))
		}
		if err := checkFinite(c.Name+".Recall", c.Recall); err != nil {
			return nil, err
		}
		if err := checkFinite(c.Name+".Precision", c.Precision); err != nil {
			return nil, err
		}
		xy := make(plotter.XYs, 0, 2*len(c.Recall))
		for k := range c.Recall {
			if k == 0 {
				xy = append(xy, plotter.XY{X: 0, Y: c.Precision[0]})
			} else {
				xy = append(xy, plotter.XY{X: c.Recall[k-1], Y: c.Precision[k]})
			}
			xy = append(xy, plotter.XY{X: c.Recall[k], Y: c.Precision[k]})
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("plots: precision-recall %q, curve %q: %w", title, c.Name, err)
		}
		l.Color = Color(i)
		l.Width = vg.Points(1.5)
		f.Plot.Add(l)
		f.Plot.Legend.Add(c.Name, l)
	}
	f.Plot.X.Min, f.Plot.X.Max = 0, 1
	f.Plot.Y.Min, f.Plot.Y.Max = 0, 1.02
	f.Plot.Legend.Left = true
	f.Plot.Legend.Top = false
	f.Plot.Add(plotter.NewGrid())
	return f, nil
}

// PRPoints returns the precision-recall points of scores against binary
// labels, one point per distinct score, thresholds decreasing. Tied scores
// enter together. It errors when there is no positive, or lengths differ.
func PRPoints(scores []float64, positive []bool) (recall, precision []float64, err error) {
	if len(scores) != len(positive) {
		return nil, nil, fmt.Errorf("plots: PRPoints: %d scores for %d labels", len(scores), len(positive))
	}
	if err := checkFinite("scores", scores); err != nil {
		return nil, nil, err
	}
	idx := make([]int, len(scores))
	npos := 0
	for i := range idx {
		idx[i] = i
		if positive[i] {
			npos++
		}
	}
	if npos == 0 {
		return nil, nil, fmt.Errorf("plots: PRPoints: no positive label among %d", len(scores))
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	tp, seen := 0, 0
	for k, i := range idx {
		seen++
		if positive[i] {
			tp++
		}
		if k+1 < len(idx) && scores[idx[k+1]] == scores[i] {
			continue // ties enter together
		}
		recall = append(recall, float64(tp)/float64(npos))
		precision = append(precision, float64(tp)/float64(seen))
	}
	return recall, precision, nil
}
