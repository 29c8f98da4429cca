package gradcheck

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gopjrt/dtypes"
)

// Case is one gradient check.
type Case struct {
	Name string
	// Inputs are fed to Build. Float64 inputs are differentiated; others (e.g. int32 indices)
	// are passed through.
	Inputs []*tensors.Tensor
	// Build returns the output whose weighted sum is differentiated. Use float64 throughout.
	Build func(ctx *context.Context, inputs []*Node) *Node
	// MaxCoords is how many coordinates of each differentiated tensor are perturbed (spread
	// evenly over the tensor); 0 means DefaultMaxCoords.
	MaxCoords int
	// Seed seeds the context's random number generator before any variable is created, so
	// that initialisers drawing from it give the same values in every run: models install
	// GoMLX's GlorotUniformFn, XavierUniformFn, RandomNormalFn... in their own scopes,
	// overriding [Initializer], and without a seed GoMLX draws a fresh one from the OS for
	// every context. 0 means DefaultSeed.
	Seed int64
	// Logf, when set (e.g. to t.Logf), receives one line per coordinate skipped as a kink.
	Logf func(format string, args ...any)
}

// DefaultMaxCoords is the number of coordinates checked per tensor when Case.MaxCoords is 0.
const DefaultMaxCoords = 10

// DefaultSeed is the context RNG seed used when Case.Seed is 0.
const DefaultSeed = 1

// Tolerance of the comparison |analytic-numeric| <= Abs + Rel*max(|analytic|,|numeric|).
type Tolerance struct{ Abs, Rel float64 }

// DefaultTolerance suits float64 central differences with step Step on smooth functions of
// order-one inputs: truncation ~Step^2, rounding ~1e-16/Step.
var DefaultTolerance = Tolerance{Abs: 1e-7, Rel: 1e-5}

// Step is the finite-difference step h in (f(x+h)-f(x-h))/2h.
const Step = 1e-6

// Kinks. The loss of a model with ReLUs or max-pools is only piecewise smooth: where a ReLU
// input or the gap between two pooled values is within about Step of 0, the central difference
// averages two slopes and matches no analytic gradient. A coordinate whose central difference
// disagrees with the analytic value is therefore examined with the two one-sided differences of
// second order,
//
//	D+ = (-3 f(x) + 4 f(x+h) - f(x+2h)) / 2h,   D- = (3 f(x) - 4 f(x-h) + f(x-2h)) / 2h,
//
// each exact to O(h²) on a smooth side, like the central one:
//   - D+ and D- agree within the tolerance: the loss is smooth there and the mismatch is a
//     gradient error (Run fails);
//   - they disagree: a kink lies within 2h of x, where no derivative can be checked. The
//     coordinate is skipped (logged, listed in Result.Kinks) and the next coordinate of the
//     tensor is tried instead, up to MaxKinkRetries times. The log says which side the
//     analytic value matches: usually the side x lies on, but neither when x sits exactly on
//     many kinks at once (a zero bias under a patch of dead ReLUs puts every pre-activation
//     of the patch exactly on 0; GoMLX's ReLU takes slope 1 at 0 while a max-pool over the
//     tied zeros passes the gradient to its first element, whatever its slope).
//
// Only a kink makes D+ and D- disagree, so a wrong gradient of a smooth loss cannot be
// skipped as one.
//
// A case whose tried coordinates are more than MaxKinkFraction kinks, or with a tensor left
// without any checked coordinate, fails: a gradient check that skips everything checks nothing.
const (
	MaxKinkRetries  = 3
	MaxKinkFraction = 0.25
)

// Kink is a coordinate skipped because its one-sided differences disagree.
type Kink struct {
	Target            string // as in Result.Targets
	Index             int    // flat index in the target
	Forward, Backward float64
	Analytic          float64
	Side              string // which one-sided difference the analytic value matches: "forward", "backward" or "neither side"
}

func (k Kink) String() string {
	return fmt.Sprintf("skipping coordinate %s[%d]: one-sided differences %.10g, %.10g disagree: kink (analytic %.10g matches %s)",
		k.Target, k.Index, k.Forward, k.Backward, k.Analytic, k.Side)
}

// Result holds the analytic gradients, by target ("input#i" or the variable's scope/name),
// in the order of Targets.
type Result struct {
	Targets  []string
	Analytic [][]float64
	Checked  int     // number of coordinates compared with finite differences
	MaxError float64 // largest |analytic-numeric| / (Abs + Rel*scale) seen (<= 1 passes)
	Kinks    []Kink  // coordinates skipped as kinks, in the order met
}

// Initializer fills variables deterministically: 0.5*sin(1.7*i + 0.1*len), i the flat index.
func Initializer(g *Graph, shape shapes.Shape) *Node {
	n := shape.Size()
	i := Iota(g, shapes.Make(shape.DType, n), 0)
	v := MulScalar(Sin(AddScalar(MulScalar(i, 1.7), 0.1*float64(n))), 0.5)
	return Reshape(v, shape.Dimensions...)
}

// weighted returns sum(out * R), R[i] = sin(0.37*i + 0.11) + 0.05*i/n (fixed, non-symmetric).
func weighted(out *Node) *Node {
	if out.DType() != dtypes.Float64 {
		out = ConvertDType(out, dtypes.Float64)
	}
	n := out.Shape().Size()
	i := Iota(out.Graph(), shapes.Make(dtypes.Float64, n), 0)
	r := Add(Sin(AddScalar(MulScalar(i, 0.37), 0.11)), MulScalar(i, 0.05/float64(n)))
	return ReduceAllSum(Mul(out, Reshape(r, out.Shape().Dimensions...)))
}

func trainableVars(ctx *context.Context) []*context.Variable {
	var vars []*context.Variable
	ctx.EnumerateVariables(func(v *context.Variable) {
		if v.Trainable && v.DType().IsFloat() {
			vars = append(vars, v)
		}
	})
	slices.SortFunc(vars, func(a, b *context.Variable) int {
		switch {
		case a.ScopeAndName() < b.ScopeAndName():
			return -1
		case a.ScopeAndName() > b.ScopeAndName():
			return 1
		}
		return 0
	})
	return vars
}

// Run computes the analytic gradients of c on backend and compares a spread of their
// coordinates with central finite differences. It returns the analytic gradients even when the
// comparison fails (err then names the first mismatch). Errors from the backend (e.g. an op it
// lacks) are returned as they are.
func Run(backend backends.Backend, c Case, tol Tolerance) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", c.Name, r)
		}
	}()
	ctx := context.New().WithInitializer(Initializer).Checked(false)
	seed := c.Seed
	if seed == 0 {
		seed = DefaultSeed
	}
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		return nil, fmt.Errorf("%s: seeding the RNG: %w", c.Name, err)
	}
	diff := make([]bool, len(c.Inputs))
	for i, t := range c.Inputs {
		diff[i] = t.DType() == dtypes.Float64
	}
	var targets []string
	gradExec, err := context.NewExec(backend, ctx, func(ctx *context.Context, xs []*Node) []*Node {
		loss := weighted(c.Build(ctx, xs))
		var wrt []*Node
		targets = targets[:0]
		for i, x := range xs {
			if diff[i] {
				wrt = append(wrt, x)
				targets = append(targets, fmt.Sprintf("input#%d", i))
			}
		}
		for _, v := range trainableVars(ctx) {
			wrt = append(wrt, v.ValueGraph(loss.Graph()))
			targets = append(targets, v.ScopeAndName())
		}
		return append([]*Node{loss}, Gradient(loss, wrt...)...)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	// Local copies: a tensor cannot be shared across backend instances.
	inputs := make([]*tensors.Tensor, len(c.Inputs))
	args := make([]any, len(c.Inputs))
	for i, t := range c.Inputs {
		if inputs[i], err = t.LocalClone(); err != nil {
			return nil, fmt.Errorf("%s: input #%d: %w", c.Name, i, err)
		}
		args[i] = inputs[i]
	}
	outs, err := gradExec.Exec(args...)
	if err != nil {
		return nil, fmt.Errorf("%s: gradient: %w", c.Name, err)
	}
	res = &Result{Targets: slices.Clone(targets)}
	for _, g := range outs[1:] {
		res.Analytic = append(res.Analytic, tensors.MustCopyFlatData[float64](g))
	}

	lossExec, err := context.NewExec(backend, ctx, func(ctx *context.Context, xs []*Node) *Node {
		return weighted(c.Build(ctx, xs))
	})
	if err != nil {
		return res, fmt.Errorf("%s: %w", c.Name, err)
	}
	lossAt := func() (float64, error) {
		out, err := lossExec.Exec(args...)
		if err != nil {
			return 0, err
		}
		return tensors.ToScalar[float64](out[0]), nil
	}
	f0, err := lossAt()
	if err != nil {
		return res, fmt.Errorf("%s: loss: %w", c.Name, err)
	}
	maxCoords := c.MaxCoords
	if maxCoords <= 0 {
		maxCoords = DefaultMaxCoords
	}
	vars := trainableVars(ctx)
	ti := 0
	tried := 0 // coordinates tried: checked + kinks
	allowed := func(a, b float64) float64 { return tol.Abs + tol.Rel*max(math.Abs(a), math.Abs(b)) }
	check := func(name string, analytic []float64, get func() []float64, set func([]float64) error) error {
		base := get()
		n := len(base)
		vals := slices.Clone(base)
		// at returns the loss with coordinate k moved by d (in steps) from its base value.
		at := func(k int, d float64) (float64, error) {
			vals[k] = base[k] + d*Step
			defer func() { vals[k] = base[k] }()
			if err := set(vals); err != nil {
				return 0, err
			}
			return lossAt()
		}
		// try compares coordinate k; kink reports a coordinate skipped as a kink.
		try := func(k int) (kink bool, err error) {
			tried++
			fp, err := at(k, 1)
			if err != nil {
				return false, err
			}
			fm, err := at(k, -1)
			if err != nil {
				return false, err
			}
			numeric := (fp - fm) / (2 * Step)
			a := analytic[k]
			ratio := math.Abs(a-numeric) / allowed(a, numeric)
			if ratio <= 1 {
				res.MaxError = max(res.MaxError, ratio)
				res.Checked++
				return false, nil
			}
			fpp, err := at(k, 2)
			if err != nil {
				return false, err
			}
			fmm, err := at(k, -2)
			if err != nil {
				return false, err
			}
			fwd := (-3*f0 + 4*fp - fpp) / (2 * Step)
			bwd := (3*f0 - 4*fm + fmm) / (2 * Step)
			if math.Abs(fwd-bwd) <= allowed(fwd, bwd) {
				return false, fmt.Errorf("%s: d loss / d %s[%d]: analytic %.10g, numeric %.10g (one-sided %.10g, %.10g agree: no kink; tolerance abs %g rel %g)",
					c.Name, name, k, a, numeric, fwd, bwd, tol.Abs, tol.Rel)
			}
			kk := Kink{Target: name, Index: k, Forward: fwd, Backward: bwd, Analytic: a, Side: "neither side"}
			switch {
			case math.Abs(a-fwd) <= allowed(a, fwd):
				kk.Side = "forward"
			case math.Abs(a-bwd) <= allowed(a, bwd):
				kk.Side = "backward"
			}
			res.Kinks = append(res.Kinks, kk)
			if c.Logf != nil {
				c.Logf("%s: %s", c.Name, kk)
			}
			return true, nil
		}
		step := max(1, n/maxCoords)
		checked := 0
		for k0 := 0; k0 < n; k0 += step {
			// On a kink, move to the next coordinate of this stride (deterministic).
			for k := k0; k < min(k0+step, n) && k <= k0+MaxKinkRetries; k++ {
				kink, err := try(k)
				if err != nil {
					_ = set(base)
					return err
				}
				if !kink {
					checked++
					break
				}
			}
		}
		if err := set(base); err != nil {
			return err
		}
		if n > 0 && checked == 0 {
			return fmt.Errorf("%s: d loss / d %s: no coordinate checked, every one tried sits on a kink", c.Name, name)
		}
		return nil
	}
	for i, t := range inputs {
		if !diff[i] {
			continue
		}
		dims := t.Shape().Dimensions
		orig := tensors.MustCopyFlatData[float64](t)
		err := check(res.Targets[ti], res.Analytic[ti],
			func() []float64 { return orig },
			func(v []float64) error { args[i] = tensors.FromFlatDataAndDimensions(v, dims...); return nil })
		args[i] = t
		if err != nil {
			return res, err
		}
		ti++
	}
	for _, v := range vars {
		dims := v.Shape().Dimensions
		orig := tensors.MustCopyFlatData[float64](v.MustValue())
		err := check(res.Targets[ti], res.Analytic[ti],
			func() []float64 { return orig },
			func(vals []float64) error { return v.SetValue(tensors.FromFlatDataAndDimensions(vals, dims...)) })
		if err != nil {
			return res, err
		}
		ti++
	}
	if float64(len(res.Kinks)) > MaxKinkFraction*float64(tried) {
		return res, fmt.Errorf("%s: %d of the %d coordinates tried sit on kinks (more than %g): the check would check little",
			c.Name, len(res.Kinks), tried, MaxKinkFraction)
	}
	return res, nil
}
