package aclipeval

import (
	"fmt"
	"sort"

	"github.com/actrepro/actrepro/internal/metrics"
)

// TopK marks the k highest scores of each row (utils/tools.py:753-756:
// np.argsort ascending, the last k set to 1). Ties are broken toward the
// higher class index, as a stable ascending argsort's last k would.
func TopK(scores [][]float64, k int) [][]bool {
	out := make([][]bool, len(scores))
	for i, row := range scores {
		idx := make([]int, len(row))
		for j := range idx {
			idx[j] = j
		}
		sort.SliceStable(idx, func(a, b int) bool { return row[idx[a]] < row[idx[b]] })
		out[i] = make([]bool, len(row))
		for _, j := range idx[max(0, len(idx)-k):] {
			out[i][j] = true
		}
	}
	return out
}

// F1 is a precision / recall / F1 triple.
type F1 struct{ P, R, F1 float64 }

// F1Overall is compute_F1(k, ..., 'overall') (utils/tools.py:758-764): the
// top-k of every clip predicted positive, precision = TP / predicted,
// recall = TP / positives, F1 their harmonic mean, pooled over all (clip,
// class) pairs. val.py reports it as "f1@3".
func F1Overall(y [][]bool, scores [][]float64, k int) (F1, error) {
	if err := check(y, scores, k); err != nil {
		return F1{}, err
	}
	pred := TopK(scores, k)
	var tp, np, pos int
	for i := range y {
		for j := range y[i] {
			if pred[i][j] {
				np++
				if y[i][j] {
					tp++
				}
			}
			if y[i][j] {
				pos++
			}
		}
	}
	return harmonic(tp, np, pos), nil
}

func harmonic(tp, np, pos int) F1 {
	var r F1
	if np > 0 {
		r.P = float64(tp) / float64(np)
	}
	if pos > 0 {
		r.R = float64(tp) / float64(pos)
	}
	if r.P+r.R > 0 {
		r.F1 = 2 * r.P * r.R / (r.P + r.R)
	}
	return r
}

// F1PerClass is compute_F1(k, ..., ”) (utils/tools.py:767-784), what
// val.py:200 prints as "f1@5" although it passes k = 3: scikit-learn's
// binary F1, precision and recall of each class's column of top-k
// predictions, averaged over ALL classes, a class without a positive
// counting 0 (its entry is left at 0, then np.mean over every class).
func F1PerClass(y [][]bool, scores [][]float64, k int) (F1, error) {
	if err := check(y, scores, k); err != nil {
		return F1{}, err
	}
	pred := TopK(scores, k)
	nc := len(y[0])
	var sum F1
	for c := 0; c < nc; c++ {
		var tp, np, pos int
		for i := range y {
			if pred[i][c] {
				np++
				if y[i][c] {
					tp++
				}
			}
			if y[i][c] {
				pos++
			}
		}
		if pos == 0 {
			continue
		}
		f := harmonic(tp, np, pos)
		sum.P += f.P
		sum.R += f.R
		sum.F1 += f.F1
	}
	return F1{P: sum.P / float64(nc), R: sum.R / float64(nc), F1: sum.F1 / float64(nc)}, nil
}

func check(y [][]bool, scores [][]float64, k int) error {
	if len(y) == 0 || len(y) != len(scores) {
		return fmt.Errorf("aclipeval: %d label rows but %d score rows", len(y), len(scores))
	}
	for i := range y {
		if len(y[i]) != len(y[0]) || len(scores[i]) != len(y[0]) {
			return fmt.Errorf("aclipeval: row %d has %d labels and %d scores, want %d", i, len(y[i]), len(scores[i]), len(y[0]))
		}
	}
	if k < 1 || k > len(y[0]) {
		return fmt.Errorf("aclipeval: k = %d outside [1, %d]", k, len(y[0]))
	}
	return nil
}

// Result is val.py's report.
type Result struct {
	MAP                float64 // macro mAP over classes with a val positive (get_map)
	Head, Middle, Tail float64 // lt_map's segment means
	F1At3              F1      // compute_F1(3, 'overall'): val.py's "f1@3"
	F1At3PerClass      F1      // compute_F1(3, ''): val.py's "f1@5" (k = 3 there too)
	PerClass           []float64
	Classes            int // classes with a val positive
}

// Evaluate computes val.py's metrics; trainCounts (train positives per
// class, e.g. of train_light.csv) define the segments.
func Evaluate(y [][]bool, scores [][]float64, trainCounts []int) (Result, error) {
	m, err := metrics.MeanAP(y, scores, metrics.Macro, 0)
	if err != nil {
		return Result{}, err
	}
	seg, err := metrics.SegmentMeans(m.PerClass, trainCounts)
	if err != nil {
		return Result{}, err
	}
	r := Result{MAP: m.MAP, Head: seg.Head, Middle: seg.Middle, Tail: seg.Tail, PerClass: m.PerClass}
	for _, v := range m.PerClass {
		if v == v {
			r.Classes++
		}
	}
	if r.F1At3, err = F1Overall(y, scores, 3); err != nil {
		return Result{}, err
	}
	if r.F1At3PerClass, err = F1PerClass(y, scores, 3); err != nil {
		return Result{}, err
	}
	return r, nil
}

// Metrics flattens a result into record metrics.
func (r Result) Metrics() map[string]float64 {
	return map[string]float64{
		"map_macro": r.MAP, "map_head": r.Head, "map_middle": r.Middle, "map_tail": r.Tail,
		"f1_at3": r.F1At3.F1, "p_at3": r.F1At3.P, "r_at3": r.F1At3.R,
		"f1_at3_per_class": r.F1At3PerClass.F1, "map_classes": float64(r.Classes),
	}
}
