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
}

// DefaultMaxCoords is the number of coordinates checked per tensor when Case.MaxCoords is 0.
const DefaultMaxCoords = 10

// Tolerance of the comparison |analytic-numeric| <= Abs + Rel*max(|analytic|,|numeric|).
type Tolerance struct{ Abs, Rel float64 }

// DefaultTolerance suits float64 central differences with step Step on smooth functions of
// order-one inputs: truncation ~Step^2, rounding ~1e-16/Step.
var DefaultTolerance = Tolerance{Abs: 1e-7, Rel: 1e-5}

// Step is the finite-difference step h in (f(x+h)-f(x-h))/2h.
const Step = 1e-6

// Result holds the analytic gradients, by target ("input#i" or the variable's scope/name),
// in the order of Targets.
type Result struct {
	Targets  []string
	Analytic [][]float64
	Checked  int     // number of coordinates compared with finite differences
	MaxError float64 // largest |analytic-numeric| / (Abs + Rel*scale) seen (<= 1 passes)
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
	maxCoords := c.MaxCoords
	if maxCoords <= 0 {
		maxCoords = DefaultMaxCoords
	}
	vars := trainableVars(ctx)
	ti := 0
	check := func(name string, analytic []float64, get func() []float64, set func([]float64) error) error {
		base := get()
		n := len(base)
		step := max(1, n/maxCoords)
		for k := 0; k < n; k += step {
			vals := slices.Clone(base)
			vals[k] = base[k] + Step
			if err := set(vals); err != nil {
				return err
			}
			fp, err := lossAt()
			if err != nil {
				return err
			}
			vals[k] = base[k] - Step
			if err := set(vals); err != nil {
				return err
			}
			fm, err := lossAt()
			if err != nil {
				return err
			}
			numeric := (fp - fm) / (2 * Step)
			a := analytic[k]
			allowed := tol.Abs + tol.Rel*max(math.Abs(a), math.Abs(numeric))
			ratio := math.Abs(a-numeric) / allowed
			res.MaxError = max(res.MaxError, ratio)
			res.Checked++
			if !(ratio <= 1) {
				_ = set(base)
				return fmt.Errorf("%s: d loss / d %s[%d]: analytic %.10g, numeric %.10g (tolerance abs %g rel %g)",
					c.Name, name, k, a, numeric, tol.Abs, tol.Rel)
			}
		}
		return set(base)
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
	return res, nil
}
