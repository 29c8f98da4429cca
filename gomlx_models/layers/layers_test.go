package layers_test

import (
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/layers"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

var backend = sync.OnceValue(func() backends.Backend {
	b, err := purego.New(purego.Name)
	if err != nil {
		panic(err)
	}
	return b
})

func input(seed int, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = float64((i*7919+seed*104729+13)%1009)/504.5 - 1
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

func TestShapes(t *testing.T) {
	cases := []struct {
		name      string
		build     func(ctx *context.Context, x *Node) (*Node, *Node)
		x         []int
		all, last []int
	}{
		{"GRU forward", func(ctx *context.Context, x *Node) (*Node, *Node) { return layers.GRU(ctx, x, 5, false) }, []int{2, 4, 3}, []int{2, 4, 5}, []int{1, 2, 5}},
		{"GRU bidirectional", func(ctx *context.Context, x *Node) (*Node, *Node) { return layers.GRU(ctx, x, 5, true) }, []int{2, 4, 3}, []int{2, 4, 10}, []int{2, 2, 5}},
		{"BiLSTM", func(ctx *context.Context, x *Node) (*Node, *Node) { return layers.BiLSTM(ctx, x, 5) }, []int{2, 4, 3}, []int{2, 4, 10}, []int{2, 2, 5}},
		{"BiLSTMVector", func(ctx *context.Context, x *Node) (*Node, *Node) { return layers.BiLSTMVector(ctx, x, 4), nil }, []int{3, 8}, []int{3, 8}, nil},
		{"BiGRUVector", func(ctx *context.Context, x *Node) (*Node, *Node) { return layers.BiGRUVector(ctx, x, 4), nil }, []int{3, 8}, []int{3, 8}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.New()
			outs, err := context.ExecOnceN(backend(), ctx, func(ctx *context.Context, x *Node) []*Node {
				all, last := c.build(ctx, x)
				if last == nil {
					return []*Node{all}
				}
				return []*Node{all, last}
			}, input(1, c.x...))
			if err != nil {
				t.Fatal(err)
			}
			if got := outs[0].Shape().Dimensions; !slices.Equal(got, c.all) {
				t.Errorf("all: %v, want %v", got, c.all)
			}
			if c.last != nil {
				if got := outs[1].Shape().Dimensions; !slices.Equal(got, c.last) {
					t.Errorf("last: %v, want %v", got, c.last)
				}
			}
		})
	}
}

// refGRU computes the forward GRU in plain Go from the flat weights (layout of layers.GRU),
// direction d, for one example x [seq][features]; it returns h_t for t in input order.
func refGRU(x [][]float64, wi, wh, bi, bh []float64, d, hidden, features int, reverse bool) [][]float64 {
	seq := len(x)
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	wiAt := func(k, j, f int) float64 { return wi[((d*3+k)*hidden+j)*features+f] }
	whAt := func(k, j, i int) float64 { return wh[((d*3+k)*hidden+j)*hidden+i] }
	bAt := func(b []float64, k, j int) float64 { return b[(d*3+k)*hidden+j] }
	h := make([]float64, hidden)
	out := make([][]float64, seq)
	for step := range seq {
		t := step
		if reverse {
			t = seq - 1 - step
		}
		gx := func(k, j int) float64 {
			s := bAt(bi, k, j)
			for f := range features {
				s += wiAt(k, j, f) * x[t][f]
			}
			return s
		}
		gh := func(k, j int) float64 {
			s := bAt(bh, k, j)
			for i := range hidden {
				s += whAt(k, j, i) * h[i]
			}
			return s
		}
		next := make([]float64, hidden)
		for j := range hidden {
			r := sig(gx(0, j) + gh(0, j))
			z := sig(gx(1, j) + gh(1, j))
			n := math.Tanh(gx(2, j) + r*gh(2, j))
			next[j] = (1-z)*n + z*h[j]
		}
		h = next
		out[t] = h
	}
	return out
}

// gruTol: float64 graph vs float64 loops, same operations in a different order.
const gruTol = 1e-12

// TestGRUMatchesEquations checks layers.GRU against the equations in its doc, computed in plain
// Go with the same (deterministic) weights.
func TestGRUMatchesEquations(t *testing.T) {
	const batch, seq, features, hidden = 2, 3, 4, 3
	ctx := context.New().WithInitializer(gradcheck.Initializer)
	x := input(2, batch, seq, features)
	all, err := context.ExecOnce(backend(), ctx, func(ctx *context.Context, x *Node) *Node {
		a, _ := layers.GRU(ctx, x, hidden, true)
		return a
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float64](all)
	weights := map[string][]float64{}
	ctx.EnumerateVariables(func(v *context.Variable) {
		if v.Shape().DType.IsFloat() { // not the RNG state of the initialiser
			weights[v.Name()] = tensors.MustCopyFlatData[float64](v.MustValue())
		}
	})
	xs := tensors.MustCopyFlatData[float64](x)
	for b := range batch {
		ex := make([][]float64, seq)
		for s := range seq {
			ex[s] = xs[(b*seq+s)*features : (b*seq+s+1)*features]
		}
		for d := range 2 {
			want := refGRU(ex, weights["inputsW"], weights["recurrentW"], weights["inputsB"], weights["recurrentB"], d, hidden, features, d == 1)
			for s := range seq {
				for j := range hidden {
					g := got[((b*seq+s)*2+d)*hidden+j]
					if math.Abs(g-want[s][j]) > gruTol {
						t.Fatalf("batch %d dir %d t %d unit %d: %.15g, want %.15g", b, d, s, j, g, want[s][j])
					}
				}
			}
		}
	}
}

func TestGradients(t *testing.T) {
	cases := []gradcheck.Case{
		{Name: "GRU forward", Inputs: []*tensors.Tensor{input(1, 2, 4, 3)},
			Build: func(ctx *context.Context, x []*Node) *Node { a, _ := layers.GRU(ctx, x[0], 3, false); return a }},
		{Name: "GRU bidirectional", Inputs: []*tensors.Tensor{input(1, 2, 4, 3)},
			Build: func(ctx *context.Context, x []*Node) *Node {
				a, l := layers.GRU(ctx, x[0], 3, true)
				// Both outputs: the final states include the backward direction's state at t=0.
				return Concatenate([]*Node{Reshape(a, a.Shape().Size()), Reshape(l, l.Shape().Size())}, 0)
			}},
		{Name: "BiLSTM", Inputs: []*tensors.Tensor{input(1, 2, 4, 3)},
			Build: func(ctx *context.Context, x []*Node) *Node { a, _ := layers.BiLSTM(ctx, x[0], 3); return a }},
		{Name: "BiLSTMVector", Inputs: []*tensors.Tensor{input(1, 3, 6)},
			Build: func(ctx *context.Context, x []*Node) *Node { return layers.BiLSTMVector(ctx, x[0], 3) }},
		{Name: "BiGRUVector", Inputs: []*tensors.Tensor{input(1, 3, 6)},
			Build: func(ctx *context.Context, x []*Node) *Node { return layers.BiGRUVector(ctx, x[0], 3) }},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			fixturetest.GradReport(t)(gradcheck.Run(backend(), c, gradcheck.DefaultTolerance))
		})
	}
}

// TestPyTorchInit: every weight and bias of GRU and BiLSTM starts within
// PyTorch's U(±1/sqrt(hidden)) and its largest draw comes close to the bound
// (nearBound: P(max < 0.9 b) = 0.9^n, n >= 48 draws, fixed seed).
func TestPyTorchInit(t *testing.T) {
	const hidden, nearBound = 16, 0.9
	bound := 1 / math.Sqrt(hidden)
	for _, name := range []string{"gru", "bilstm"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.New()
			ctx.SetParam(context.ParamInitialSeed, int64(3))
			exec := context.MustNewExec(backend(), ctx, func(ctx *context.Context, x *Node) *Node {
				if name == "gru" {
					all, _ := layers.GRU(ctx, x, hidden, true)
					return all
				}
				all, _ := layers.BiLSTM(ctx, x, hidden)
				return all
			})
			if _, err := exec.Exec(input(1, 2, 3, 5)); err != nil {
				t.Fatal(err)
			}
			n := 0
			for v := range ctx.IterVariables() {
				if !v.Shape().DType.IsFloat() { // skips the RNG state
					continue
				}
				n++
				m := 0.0
				tensors.ConstFlatData(v.MustValue(), func(f []float64) {
					for _, x := range f {
						m = math.Max(m, math.Abs(x))
					}
				})
				if m > bound || m < nearBound*bound {
					t.Errorf("%s: max |w| = %.4g, want in [%.4g, %.4g]", v.ScopeAndName(), m, nearBound*bound, bound)
				}
			}
			if n == 0 {
				t.Fatal("no variables")
			}
		})
	}
}
