package baselines

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego/gemm"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Design is a feature matrix X (n samples × d features) as the logistic
// regression uses it: products with a d×k and an n×k matrix.
type Design interface {
	Dims() (n, d int)
	// MulTo sets dst (n×k) = X·w (w is d×k).
	MulTo(dst, w *mat.Dense)
	// TMulTo sets dst (d×k) = Xᵀ·r (r is n×k).
	TMulTo(dst, r *mat.Dense)
}

// DenseDesign is a dense float32 design matrix (the track's embeddings are
// float32). Its products run on the purego backend's packed AVX2/FMA GEMM
// (gomlx_models/purego/gemm, about 6x gonum's float64 Dgemm here), with
// float32 operands and results widened to float64.
type DenseDesign struct {
	x    []float32 // n × d row-major
	n, d int
}

// NewDenseDesign copies float32 rows (all of one width) into a DenseDesign.
func NewDenseDesign(rows [][]float32) (DenseDesign, error) {
	if len(rows) == 0 || len(rows[0]) == 0 {
		return DenseDesign{}, errors.New("logreg: empty design matrix")
	}
	d := len(rows[0])
	x := make([]float32, 0, len(rows)*d)
	for i, r := range rows {
		if len(r) != d {
			return DenseDesign{}, fmt.Errorf("logreg: row %d has %d features, want %d", i, len(r), d)
		}
		x = append(x, r...)
	}
	return DenseDesign{x: x, n: len(rows), d: d}, nil
}

func (m DenseDesign) Dims() (int, int) { return m.n, m.d }

func toF32(a *mat.Dense) ([]float32, int, int) {
	r, c := a.Dims()
	out := make([]float32, r*c)
	for i := 0; i < r; i++ {
		for j, v := range a.RawRowView(i) {
			out[i*c+j] = float32(v)
		}
	}
	return out, r, c
}

func fromF32(dst *mat.Dense, v []float32) {
	r, c := dst.Dims()
	for i := 0; i < r; i++ {
		row := dst.RawRowView(i)
		for j := range row {
			row[j] = float64(v[i*c+j])
		}
	}
}

func (m DenseDesign) MulTo(dst, w *mat.Dense) {
	wf, _, k := toF32(w)
	z := make([]float32, m.n*k)
	gemm.Float32(false, false, m.n, k, m.d, m.x, m.d, wf, k, z, k)
	fromF32(dst, z)
}

func (m DenseDesign) TMulTo(dst, r *mat.Dense) {
	rf, _, k := toF32(r)
	g := make([]float32, m.d*k)
	gemm.Float32(true, false, m.d, k, m.n, m.x, m.d, rf, k, g, k)
	fromF32(dst, g)
}

// Dense64Design is a dense float64 design matrix multiplied by gonum's
// Dgemm: slower than DenseDesign, but its gradients are exact to float64
// rounding, so L-BFGS can converge to tight tolerances (the scikit-learn
// fixture test uses it).
type Dense64Design struct{ X *mat.Dense }

func (m Dense64Design) Dims() (int, int)         { return m.X.Dims() }
func (m Dense64Design) MulTo(dst, w *mat.Dense)  { dst.Mul(m.X, w) }
func (m Dense64Design) TMulTo(dst, r *mat.Dense) { dst.Mul(m.X.T(), r) }

// LBFGSConfig configures FitLogReg.
type LBFGSConfig struct {
	// C is the inverse L2 strength, scikit-learn's C: the objective is
	// Σ_i Σ_k BCE(y_ik, z_ik) + ‖W‖²/(2C), biases not penalised (as
	// scikit-learn's lbfgs solver).
	C float64
	// MaxIter bounds the L-BFGS major iterations.
	MaxIter int
	// GradTol stops when the infinity norm of the gradient of the objective
	// divided by n (the mean form, whose optimum is the same) is below it.
	GradTol float64
	// Store is the L-BFGS memory (scipy's default m = 10).
	Store int
	// OnIter, when set, is called after every major iteration with the
	// objective divided by n.
	OnIter func(iter int, loss float64)
}

// iterRecorder reports major iterations to LBFGSConfig.OnIter.
type iterRecorder struct{ fn func(int, float64) }

func (r iterRecorder) Init() error { return nil }
func (r iterRecorder) Record(loc *optimize.Location, op optimize.Operation, st *optimize.Stats) error {
	if op == optimize.MajorIteration && r.fn != nil {
		r.fn(st.MajorIterations, loc.F)
	}
	return nil
}

// LinearModel is logits z = x·W + b of k independent classes.
type LinearModel struct {
	W *mat.Dense // d × k
	B []float64  // k
}

// Logits returns X·W + b (n × k) as rows.
func (m *LinearModel) Logits(x Design) [][]float64 {
	n, _ := x.Dims()
	_, k := m.W.Dims()
	z := mat.NewDense(n, k, nil)
	x.MulTo(z, m.W)
	out := make([][]float64, n)
	for i := range out {
		row := z.RawRowView(i)
		floats.Add(row, m.B)
		out[i] = row
	}
	return out
}

// FitInfo reports how the optimisation ended.
type FitInfo struct {
	Status     string
	Iterations int
	FuncEvals  int
	Loss       float64 // final objective divided by n
	GradNorm   float64 // infinity norm of its gradient
	Elapsed    time.Duration
	Fitted     int // classes with at least one positive and one negative (the others keep their prior bias)
}

// FitLogReg fits k independent logistic regressions jointly by full-batch
// L-BFGS (gonum/optimize) on the summed binary cross-entropy plus
// ‖W‖²/(2C): one Xᵀ(P−Y) per evaluation gives the gradient of every class.
// W starts at zero and each bias at its class's log-odds prior
// log(p/(1−p)). A class without a positive (or without a negative) in y is
// not fitted: its weights stay zero and its bias at the prior of (count +
// 0.5) / (n + 1), a constant score. The optimum is unique (strictly convex
// in W, and in b for fitted classes), so it is scikit-learn's
// OneVsRest(LogisticRegression(C, solver="lbfgs")) once both converge.
func FitLogReg(x Design, y [][]bool, cfg LBFGSConfig) (*LinearModel, FitInfo, error) {
	start := time.Now()
	n, d := x.Dims()
	if len(y) != n || n == 0 {
		return nil, FitInfo{}, fmt.Errorf("logreg: %d samples but %d label rows", n, len(y))
	}
	k := len(y[0])
	if cfg.C <= 0 || cfg.MaxIter <= 0 || cfg.GradTol <= 0 {
		return nil, FitInfo{}, fmt.Errorf("logreg: C %v, max_iter %d, grad_tol %v: all must be > 0", cfg.C, cfg.MaxIter, cfg.GradTol)
	}
	if cfg.Store <= 0 {
		cfg.Store = 10
	}
	ym := mat.NewDense(n, k, nil)
	counts := make([]int, k)
	for i, r := range y {
		if len(r) != k {
			return nil, FitInfo{}, fmt.Errorf("logreg: label row %d has %d classes, want %d", i, len(r), k)
		}
		for j, v := range r {
			if v {
				ym.Set(i, j, 1)
				counts[j]++
			}
		}
	}
	fitted := make([]bool, k)
	prior := make([]float64, k)
	info := FitInfo{}
	for j, c := range counts {
		fitted[j] = c > 0 && c < n
		p := float64(c) / float64(n)
		if !fitted[j] {
			p = (float64(c) + 0.5) / float64(n+1)
		} else {
			info.Fitted++
		}
		prior[j] = math.Log(p / (1 - p))
	}
	nw := d * k
	x0 := make([]float64, nw+k)
	copy(x0[nw:], prior)
	z := mat.NewDense(n, k, nil)
	gw := mat.NewDense(d, k, nil)
	last := make([]float64, len(x0))
	var lastF float64
	lastG := make([]float64, len(x0))
	have := false
	inv := 1 / float64(n)
	eval := func(p []float64) {
		if have && floats.Equal(p, last) {
			return
		}
		w := mat.NewDense(d, k, p[:nw])
		b := p[nw:]
		x.MulTo(z, w)
		var f float64
		gb := lastG[nw:]
		for j := range gb {
			gb[j] = 0
		}
		for i := 0; i < n; i++ {
			zr, yr := z.RawRowView(i), ym.RawRowView(i)
			for j := range zr {
				if !fitted[j] {
					zr[j] = 0
					continue
				}
				t := zr[j] + b[j]
				// BCE with logits: softplus(t) − y·t, computed stably.
				f += math.Max(t, 0) + math.Log1p(math.Exp(-math.Abs(t))) - yr[j]*t
				zr[j] = 1/(1+math.Exp(-t)) - yr[j] // P − Y
				gb[j] += zr[j]
			}
		}
		x.TMulTo(gw, z)
		f += floats.Dot(p[:nw], p[:nw]) / (2 * cfg.C)
		g := lastG[:nw]
		copy(g, gw.RawMatrix().Data)
		floats.AddScaled(g, 1/cfg.C, p[:nw])
		floats.Scale(inv, lastG)
		lastF = f * inv
		copy(last, p)
		have = true
	}
	prob := optimize.Problem{
		Func: func(p []float64) float64 { eval(p); return lastF },
		Grad: func(g, p []float64) { eval(p); copy(g, lastG) },
	}
	settings := &optimize.Settings{GradientThreshold: cfg.GradTol, MajorIterations: cfg.MaxIter,
		Converger: optimize.NeverTerminate{}}
	if cfg.OnIter != nil {
		settings.Recorder = iterRecorder{cfg.OnIter}
	}
	res, err := optimize.Minimize(prob, x0, settings, &optimize.LBFGS{Store: cfg.Store})
	if res == nil {
		return nil, info, fmt.Errorf("logreg: L-BFGS: %w", err)
	}
	// An iteration limit, or a line search that can no longer decrease the
	// objective in floating point near the optimum, ends the fit; both are
	// reported (Status, GradNorm), not errors. The caller records them.
	if err != nil && res.Status != optimize.IterationLimit && res.Status != optimize.Failure {
		return nil, info, fmt.Errorf("logreg: L-BFGS stopped with %v: %w", res.Status, err)
	}
	eval(res.X)
	info.Status = res.Status.String()
	if err != nil && res.Status == optimize.Failure {
		info.Status = "LineSearchStalled"
	}
	info.Iterations = res.Stats.MajorIterations
	info.FuncEvals = res.Stats.FuncEvaluations
	info.Loss = lastF
	info.GradNorm = floats.Norm(lastG, math.Inf(1))
	info.Elapsed = time.Since(start)
	m := &LinearModel{W: mat.NewDense(d, k, append([]float64(nil), res.X[:nw]...)), B: append([]float64(nil), res.X[nw:]...)}
	return m, info, nil
}
