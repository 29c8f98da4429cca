package stats

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// TTest is the result of a paired t-test.
type TTest struct {
	T  float64 // t statistic of mean(a−b); ±Inf when all differences are equal and non-zero, NaN when all are zero
	P  float64 // two-sided p-value; NaN when T is NaN
	DF int     // degrees of freedom, n−1
}

// checkPair validates paired samples.
func checkPair(a, b []float64) error {
	if len(a) != len(b) {
		return fmt.Errorf("stats: paired samples differ in length: %d and %d", len(a), len(b))
	}
	for i := range a {
		if math.IsNaN(a[i]) || math.IsInf(a[i], 0) {
			return fmt.Errorf("stats: a[%d] = %v is not a finite number", i, a[i])
		}
		if math.IsNaN(b[i]) || math.IsInf(b[i], 0) {
			return fmt.Errorf("stats: b[%d] = %v is not a finite number", i, b[i])
		}
	}
	return nil
}

// PairedTTest is scipy.stats.ttest_rel(a, b) (two-sided): with d = a − b,
// t = mean(d) / sqrt(var(d, ddof=1)/n) and p = 2·P(T_{n−1} > |t|).
// It needs at least two pairs.
func PairedTTest(a, b []float64) (TTest, error) {
	if err := checkPair(a, b); err != nil {
		return TTest{}, err
	}
	n := len(a)
	if n < 2 {
		return TTest{}, fmt.Errorf("stats: paired t-test needs at least 2 pairs, got %d", n)
	}
	d := make([]float64, n)
	var mean float64
	for i := range a {
		d[i] = a[i] - b[i]
		mean += d[i]
	}
	mean /= float64(n)
	var ss float64
	for _, x := range d {
		ss += (x - mean) * (x - mean)
	}
	v := ss / float64(n-1)
	t := mean / math.Sqrt(v/float64(n)) // 0/0 = NaN and x/0 = ±Inf, as numpy
	res := TTest{T: t, DF: n - 1, P: math.NaN()}
	if !math.IsNaN(t) {
		st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}
		res.P = math.Min(1, 2*st.Survival(math.Abs(t)))
	}
	return res, nil
}

// WilcoxonResult is the result of a Wilcoxon signed-rank test.
type WilcoxonResult struct {
	Statistic float64 // T = min(r⁺, r⁻)
	P         float64 // two-sided p-value
	Method    string  // "exact" or "approx" (normal approximation)
	Z         float64 // z score of the normal approximation (0 when exact)
	N         int     // differences used (zeros dropped under "approx")
	Zeros     int     // zero differences in the input
	Ties      bool    // whether |d| has tied values
}

// ExactMaxN is the largest sample size for which SciPy 1.10's
// method="auto" picks the exact distribution.
const ExactMaxN = 50

// Wilcoxon is scipy.stats.wilcoxon(a, b) with SciPy 1.10's defaults
// (zero_method="wilcox", correction=False, alternative="two-sided",
// method="auto"); the package comment spells out when it is exact.
func Wilcoxon(a, b []float64) (WilcoxonResult, error) {
	if err := checkPair(a, b); err != nil {
		return WilcoxonResult{}, err
	}
	if len(a) == 0 {
		return WilcoxonResult{}, errors.New("stats: Wilcoxon test of empty samples")
	}
	d := make([]float64, len(a))
	zeros := 0
	for i := range a {
		d[i] = a[i] - b[i]
		if d[i] == 0 {
			zeros++
		}
	}
	res := WilcoxonResult{Zeros: zeros, Method: "approx"}
	if len(d) <= ExactMaxN && zeros == 0 {
		res.Method = "exact"
	}
	if res.Method == "approx" {
		if zeros == len(d) {
			return res, errors.New("stats: Wilcoxon test undefined: every difference a−b is zero")
		}
		nz := d[:0:0]
		for _, x := range d {
			if x != 0 {
				nz = append(nz, x)
			}
		}
		d = nz
	}
	n := len(d)
	res.N = n
	ranks, tieCounts := rankAbs(d)
	res.Ties = len(tieCounts) > 0
	var rPlus, rMinus float64
	for i, x := range d {
		if x > 0 {
			rPlus += ranks[i]
		} else if x < 0 {
			rMinus += ranks[i]
		}
	}
	res.Statistic = math.Min(rPlus, rMinus)
	fn := float64(n)
	if res.Method == "approx" {
		mn := fn * (fn + 1) * 0.25
		se := fn * (fn + 1) * (2*fn + 1)
		var corr float64
		for _, t := range tieCounts {
			ft := float64(t)
			corr += ft * (ft*ft - 1)
		}
		se -= 0.5 * corr
		se = math.Sqrt(se / 24)
		z := (res.Statistic - mn) / se
		res.Z = z
		res.P = math.Erfc(math.Abs(z) / math.Sqrt2) // = 2·(1 − Φ(|z|))
		return res, nil
	}
	pmf := signedRankPMF(n)
	r := int(rPlus) // SciPy 1.10 truncates a half-integer r⁺ (ties) here
	if r == (len(pmf)-1)/2 {
		res.P = 1
		return res, nil
	}
	var less, greater float64
	for i := 0; i <= r; i++ {
		less += pmf[i]
	}
	for i := r; i < len(pmf); i++ {
		greater += pmf[i]
	}
	res.P = math.Min(1, math.Max(0, 2*math.Min(less, greater)))
	return res, nil
}

// rankAbs returns the average ranks (1-based) of |d| and the sizes of the
// groups of tied values (only groups larger than one).
func rankAbs(d []float64) (ranks []float64, ties []int) {
	n := len(d)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return math.Abs(d[idx[x]]) < math.Abs(d[idx[y]]) })
	ranks = make([]float64, n)
	for i := 0; i < n; {
		j := i + 1
		for j < n && math.Abs(d[idx[j]]) == math.Abs(d[idx[i]]) {
			j++
		}
		avg := float64(i+1+j) / 2 // mean of ranks i+1..j
		for k := i; k < j; k++ {
			ranks[idx[k]] = avg
		}
		if j-i > 1 {
			ties = append(ties, j-i)
		}
		i = j
	}
	return ranks, ties
}

// signedRankPMF is the null distribution of r⁺ for n differences without
// ties: P(R⁺ = r) for r = 0..n(n+1)/2, built by adding one rank at a time
// (each rank k is positive or negative with probability ½).
func signedRankPMF(n int) []float64 {
	c := []float64{1}
	for k := 1; k <= n; k++ {
		next := make([]float64, k*(k+1)/2+1)
		m := len(c)
		for i, v := range c {
			next[i] += v * 0.5
			next[len(next)-m+i] += v * 0.5
		}
		c = next
	}
	return c
}
