package ensemble

import (
	"errors"
	"fmt"
	"math"

	"github.com/actrepro/actrepro/internal/metrics"
)

// Members holds M members' raw logits over the same N clips and K classes:
// Logits[m][i][k].
type Members struct {
	Logits [][][]float32
}

// Check returns an error unless every member has the same N × K shape
// (N, K ≥ 1) and at least one member is given.
func (ms Members) Check() (n, k int, err error) {
	if len(ms.Logits) == 0 {
		return 0, 0, fmt.Errorf("ensemble: no members")
	}
	n = len(ms.Logits[0])
	if n == 0 {
		return 0, 0, fmt.Errorf("ensemble: member 0 has no clips")
	}
	k = len(ms.Logits[0][0])
	for m, l := range ms.Logits {
		if len(l) != n {
			return 0, 0, fmt.Errorf("ensemble: member %d has %d clips, member 0 has %d", m, len(l), n)
		}
		for i, row := range l {
			if len(row) != k {
				return 0, 0, fmt.Errorf("ensemble: member %d clip %d has %d classes, want %d", m, i, len(row), k)
			}
		}
	}
	return n, k, nil
}

// Normalize divides w by its sum, as the authors' Ensemble.ensemble does
// (artemis_code/ensemble/ensemble.py:17, weights = [w / sum(weights)]);
// negative weights are kept. A sum of zero gives all zeros (their RL
// environment's rule, reinforcement_dynamic.py:59-63).
func Normalize(w []float64) []float64 {
	var s float64
	for _, x := range w {
		s += x
	}
	out := make([]float64, len(w))
	if s == 0 {
		return out
	}
	for i, x := range w {
		out[i] = x / s
	}
	return out
}

// Average is the uniform weights 1/M.
func Average(m int) []float64 {
	w := make([]float64, m)
	for i := range w {
		w[i] = 1 / float64(m)
	}
	return w
}

// Combine returns Σ_m w_m · logits_m (w normalised first) over all clips.
func (ms Members) Combine(w []float64) [][]float64 {
	wn := Normalize(w)
	n := len(ms.Logits[0])
	out := make([][]float64, n)
	for i := range out {
		out[i] = ms.CombineClip(i, wn)
	}
	return out
}

// CombineClip is clip i's weighted sum with already-normalised weights.
func (ms Members) CombineClip(i int, wn []float64) []float64 {
	k := len(ms.Logits[0][i])
	row := make([]float64, k)
	for m, l := range ms.Logits {
		for c, v := range l[i] {
			row[c] += wn[m] * float64(v)
		}
	}
	return row
}

// CombinePerClip combines clip i with weights w[i] (each normalised), as
// a policy that picks weights per clip does.
func (ms Members) CombinePerClip(w [][]float64) [][]float64 {
	out := make([][]float64, len(ms.Logits[0]))
	for i := range out {
		out[i] = ms.CombineClip(i, Normalize(w[i]))
	}
	return out
}

// BatchMicroMAP is the authors' metric (torchmetrics micro AP per batch of
// batch clips in order, averaged weighted by batch size), computed by
// internal/metrics.
func BatchMicroMAP(y [][]bool, scores [][]float64, batch int) (float64, error) {
	r, err := metrics.MeanAP(y, scores, metrics.BatchMicro, batch)
	return r.MAP, err
}

// ClipMicroAP is the micro AP of one clip's scores (the reward of the
// authors' RL environment: torchmetrics micro AP on a batch of one clip).
// A clip without a positive scores 0.
func ClipMicroAP(y []bool, scores []float64) float64 {
	ap, err := metrics.AveragePrecision(y, scores)
	if err != nil || math.IsNaN(ap) {
		return 0
	}
	return ap
}

// Fitness is a function to maximise over weight vectors.
type Fitness func(w []float64) float64

// BatchMicroFitness is the GA's fitness: the batch-micro mAP of the
// members combined with w on the labels y (the authors' GeneticEnsemble.
// evaluate = Ensemble.test over fold k's loader). It computes the same
// number as BatchMicroMAP(y, ms.Combine(w), batch) (tested equal) without
// materialising the combined matrix or the per-class APs, one batch at a
// time with metrics.AveragePrecision. A metric error (e.g. a non-finite
// score) gives -Inf.
func (ms Members) BatchMicroFitness(y [][]bool, batch int) Fitness {
	return func(w []float64) float64 {
		v, err := ms.batchMicro(y, Normalize(w), batch)
		if err != nil {
			return math.Inf(-1)
		}
		return v
	}
}

func (ms Members) batchMicro(y [][]bool, wn []float64, batch int) (float64, error) {
	n := len(y)
	if n == 0 || batch <= 0 {
		return 0, fmt.Errorf("ensemble: batch-micro over %d clips with batch %d", n, batch)
	}
	var fy []bool
	var fs []float64
	var sum float64
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		fy, fs = fy[:0], fs[:0]
		for i := lo; i < hi; i++ {
			fy = append(fy, y[i]...)
			fs = append(fs, ms.CombineClip(i, wn)...)
		}
		ap, err := metrics.AveragePrecision(fy, fs)
		if err != nil && !errors.Is(err, metrics.ErrNoPositive) {
			return 0, err
		}
		sum += float64(hi-lo) * ap // 0 for a batch without positives, as metrics.MeanAP
	}
	return sum / float64(n), nil
}

// Subset returns the members restricted to clips idx (in that order).
func (ms Members) Subset(idx []int) Members {
	out := Members{Logits: make([][][]float32, len(ms.Logits))}
	for m, l := range ms.Logits {
		out.Logits[m] = make([][]float32, len(idx))
		for j, i := range idx {
			out.Logits[m][j] = l[i]
		}
	}
	return out
}
