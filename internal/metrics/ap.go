package metrics

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// AveragePrecision is the area under the step precision-recall curve of one
// binary problem, exactly as scikit-learn's average_precision_score:
//
//	AP = Σ_n (R_n − R_{n−1}) · P_n
//
// over the distinct score thresholds in descending order (tied scores form
// one threshold). y[i] says whether sample i is positive. It returns an
// error when y and scores differ in length, a score is not finite, or there
// is no positive sample (ErrNoPositive: AP is undefined there, and
// scikit-learn falls back to 0 with a warning).
func AveragePrecision(y []bool, scores []float64) (float64, error) {
	if len(y) != len(scores) {
		return 0, fmt.Errorf("metrics: %d labels but %d scores", len(y), len(scores))
	}
	pos := 0
	for i, s := range scores {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return 0, fmt.Errorf("metrics: score %d is %v, not a finite number", i, s)
		}
		if y[i] {
			pos++
		}
	}
	if pos == 0 {
		return 0, ErrNoPositive
	}
	return averagePrecision(y, scores, pos), nil
}

// ErrNoPositive is returned when average precision is asked of labels
// without a single positive.
var ErrNoPositive = errors.New("metrics: no positive label, average precision is undefined")

// averagePrecision assumes validated input with pos > 0 positives.
func averagePrecision(y []bool, scores []float64, pos int) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	var ap float64
	tp, seen, prevTP := 0, 0, 0
	for i, j := range idx {
		seen++
		if y[j] {
			tp++
		}
		// A threshold ends where the next score differs (ties are one step).
		if i+1 < len(idx) && scores[idx[i+1]] == scores[j] {
			continue
		}
		if tp != prevTP {
			ap += float64(tp-prevTP) / float64(pos) * float64(tp) / float64(seen)
			prevTP = tp
		}
	}
	return ap
}

// Average selects how per-class average precisions are combined.
type Average string

const (
	// Macro is Animal Kingdom's official mAP: the unweighted mean of the
	// per-class AP over classes with at least one positive sample.
	Macro Average = "macro"
	// Micro pools every (sample, class) pair into one binary problem
	// (scikit-learn's average="micro").
	Micro Average = "micro"
	// BatchMicro is what the ARTEMIS and MSQNet code report: the micro AP of
	// each consecutive batch of N samples, averaged weighted by batch size.
	BatchMicro Average = "batch-micro"
)

// MAPResult is a mean average precision with its parts.
type MAPResult struct {
	Average Average
	MAP     float64
	// PerClass holds each class's AP; NaN for a class without positives
	// (it is left out of the macro mean). Filled for every average mode.
	PerClass []float64
	// Batches is the number of batches (BatchMicro only).
	Batches int
}

// checkMatrix validates that y and scores are n×k with finite scores.
func checkMatrix(y [][]bool, scores [][]float64) (n, k int, err error) {
	n = len(y)
	if n == 0 {
		return 0, 0, errors.New("metrics: no samples")
	}
	if len(scores) != n {
		return 0, 0, fmt.Errorf("metrics: %d label rows but %d score rows", n, len(scores))
	}
	k = len(y[0])
	if k == 0 {
		return 0, 0, errors.New("metrics: no classes")
	}
	for i := range y {
		if len(y[i]) != k {
			return 0, 0, fmt.Errorf("metrics: label row %d has %d columns, want %d", i, len(y[i]), k)
		}
		if len(scores[i]) != k {
			return 0, 0, fmt.Errorf("metrics: score row %d has %d columns, want %d", i, len(scores[i]), k)
		}
		for j, s := range scores[i] {
			if math.IsNaN(s) || math.IsInf(s, 0) {
				return 0, 0, fmt.Errorf("metrics: score row %d column %d is %v, not a finite number", i, j, s)
			}
		}
	}
	return n, k, nil
}

// PerClassAP returns the AP of each column of y/scores (n samples × k
// classes); NaN for a class without positives.
func PerClassAP(y [][]bool, scores [][]float64) ([]float64, error) {
	n, k, err := checkMatrix(y, scores)
	if err != nil {
		return nil, err
	}
	return perClassAP(y, scores, n, k), nil
}

func perClassAP(y [][]bool, scores [][]float64, n, k int) []float64 {
	out := make([]float64, k)
	col := make([]bool, n)
	sc := make([]float64, n)
	for c := 0; c < k; c++ {
		pos := 0
		for i := 0; i < n; i++ {
			col[i] = y[i][c]
			sc[i] = scores[i][c]
			if col[i] {
				pos++
			}
		}
		if pos == 0 {
			out[c] = math.NaN()
			continue
		}
		out[c] = averagePrecision(col, sc, pos)
	}
	return out
}

// MeanAP computes the mean average precision of n samples × k classes with
// the given averaging. batch is the batch size of BatchMicro (ignored
// otherwise). A batch without any positive pair contributes AP 0, the value
// scikit-learn's average_precision_score returns there (with a warning).
func MeanAP(y [][]bool, scores [][]float64, avg Average, batch int) (MAPResult, error) {
	n, k, err := checkMatrix(y, scores)
	if err != nil {
		return MAPResult{}, err
	}
	res := MAPResult{Average: avg, PerClass: perClassAP(y, scores, n, k)}
	switch avg {
	case Macro, "":
		res.Average = Macro
		m, ok := nanMean(res.PerClass)
		if !ok {
			return res, ErrNoPositive
		}
		res.MAP = m
	case Micro:
		ap, err := microAP(y[:n], scores[:n])
		if err != nil {
			return res, err
		}
		res.MAP = ap
	case BatchMicro:
		if batch <= 0 {
			return res, fmt.Errorf("metrics: batch-micro needs a batch size > 0, got %d", batch)
		}
		var sum float64
		for lo := 0; lo < n; lo += batch {
			hi := min(lo+batch, n)
			ap, err := microAP(y[lo:hi], scores[lo:hi])
			if err != nil && !errors.Is(err, ErrNoPositive) {
				return res, err
			}
			sum += float64(hi-lo) * ap // ap is 0 for a batch without positives
			res.Batches++
		}
		res.MAP = sum / float64(n)
	default:
		return res, fmt.Errorf("metrics: unknown average %q (want macro, micro or batch-micro)", avg)
	}
	return res, nil
}

func microAP(y [][]bool, scores [][]float64) (float64, error) {
	var fy []bool
	var fs []float64
	pos := 0
	for i := range y {
		for j, v := range y[i] {
			fy = append(fy, v)
			fs = append(fs, scores[i][j])
			if v {
				pos++
			}
		}
	}
	if pos == 0 {
		return 0, ErrNoPositive
	}
	return averagePrecision(fy, fs, pos), nil
}

// nanMean is the mean of the non-NaN values; ok is false if there are none.
func nanMean(xs []float64) (m float64, ok bool) {
	var s float64
	c := 0
	for _, x := range xs {
		if !math.IsNaN(x) {
			s += x
			c++
		}
	}
	if c == 0 {
		return math.NaN(), false
	}
	return s / float64(c), true
}

// MultiHot turns per-sample class-index lists into an n×k label matrix. An
// index outside [0, k) is an error naming the sample.
func MultiHot(labels [][]int, k int) ([][]bool, error) {
	out := make([][]bool, len(labels))
	for i, ls := range labels {
		out[i] = make([]bool, k)
		for _, c := range ls {
			if c < 0 || c >= k {
				return nil, fmt.Errorf("metrics: sample %d has class index %d outside [0, %d)", i, c, k)
			}
			out[i][c] = true
		}
	}
	return out, nil
}

// Float64s converts float32 model outputs (n × k) to the float64 rows the
// metrics take.
func Float64s(x [][]float32) [][]float64 {
	out := make([][]float64, len(x))
	for i, r := range x {
		out[i] = make([]float64, len(r))
		for j, v := range r {
			out[i][j] = float64(v)
		}
	}
	return out
}
