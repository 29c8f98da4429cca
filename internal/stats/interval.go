package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a two-sided t confidence interval of a sample's mean: the
// measured cell of a table over seeds is Mean ± Half (N runs).
type Interval struct {
	Mean  float64 // sample mean
	SD    float64 // sample standard deviation (ddof = 1)
	SEM   float64 // standard error of the mean, SD/√N
	Half  float64 // half-width: t_{(1+Level)/2, N−1} · SEM
	Level float64 // confidence level, e.g. 0.95
	N     int
}

// Low and High are the interval's ends.
func (iv Interval) Low() float64  { return iv.Mean - iv.Half }
func (iv Interval) High() float64 { return iv.Mean + iv.Half }

// Contains reports whether x lies in [Low, High] (ends included).
func (iv Interval) Contains(x float64) bool { return x >= iv.Low() && x <= iv.High() }

// MeanInterval is scipy.stats.t.interval(level, n−1, loc=mean(x),
// scale=scipy.stats.sem(x)): the two-sided t-interval of the mean of x at
// confidence level (0.95 for a 95% interval). It needs at least two finite
// values and 0 < level < 1. One documented difference: when every value is
// equal (SEM 0) SciPy 1.10 returns (nan, nan); MeanInterval returns the
// point itself, Half = 0.
func MeanInterval(x []float64, level float64) (Interval, error) {
	if !(level > 0 && level < 1) {
		return Interval{}, fmt.Errorf("stats: confidence level %v is not in (0, 1)", level)
	}
	n := len(x)
	if n < 2 {
		return Interval{}, fmt.Errorf("stats: a t-interval needs at least 2 values, got %d", n)
	}
	var mean float64
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Interval{}, fmt.Errorf("stats: x[%d] = %v is not a finite number", i, v)
		}
		mean += v
	}
	mean /= float64(n)
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	sem := sd / math.Sqrt(float64(n))
	iv := Interval{Mean: mean, SD: sd, SEM: sem, Level: level, N: n}
	if sem > 0 {
		st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}
		iv.Half = st.Quantile((1+level)/2) * sem
	}
	return iv, nil
}
