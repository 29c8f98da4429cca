package purego

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

var dotCases = []struct {
	name                   string
	lhsDims, rhsDims       []int
	lhsC, lhsB, rhsC, rhsB []int
}{
	{"matmul", []int{5, 7}, []int{7, 3}, []int{1}, nil, []int{0}, nil},
	{"matmul rhs transposed", []int{5, 7}, []int{3, 7}, []int{1}, nil, []int{1}, nil},
	{"batched attention scores", []int{2, 4, 6, 8}, []int{2, 4, 5, 8}, []int{3}, []int{0, 1}, []int{3}, []int{0, 1}},
	{"permuted batch and contracting", []int{6, 2, 3}, []int{5, 2, 6}, []int{0}, []int{1}, []int{2}, []int{1}},
	{"two contracting axes out of order", []int{2, 3, 4}, []int{4, 3, 5}, []int{2, 1}, nil, []int{0, 1}, nil},
	{"einsum-like free axes on both sides", []int{3, 2, 4, 5}, []int{4, 6, 2}, []int{2}, []int{1}, []int{0}, []int{2}},
	{"outer product", []int{3}, []int{4}, nil, nil, nil, nil},
	{"dot product", []int{6}, []int{6}, []int{0}, nil, []int{0}, nil},
}

func testBackend(t *testing.T) backends.Backend {
	t.Helper()
	b, err := New(Name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDotGeneralLayout fails loudly if a GoMLX upgrade changes the unexported layout the
// DotGeneral gradient reads (graph.Node.inputs -> *nodeInputsDotGeneral axes fields).
func TestDotGeneralLayout(t *testing.T) {
	if LayoutError != nil {
		t.Fatalf("GoMLX layout changed, the fast DotGeneral gradient is DISABLED: %v", LayoutError)
	}
	if reflect.ValueOf(VJPRegistration[NodeTypeDotGeneral]).Pointer() != reflect.ValueOf(DotGeneralVJP).Pointer() {
		t.Fatal("graph.VJPRegistration[NodeTypeDotGeneral] is not purego.DotGeneralVJP")
	}
	g := NewGraph(testBackend(t), "layout")
	defer g.Finalize()
	for _, c := range dotCases {
		lhs := Parameter(g, "lhs_"+c.name, shapes.Make(dtypes.Float32, c.lhsDims...))
		rhs := Parameter(g, "rhs_"+c.name, shapes.Make(dtypes.Float32, c.rhsDims...))
		node := DotGeneral(lhs, c.lhsC, c.lhsB, rhs, c.rhsC, c.rhsB)
		if node.Type() != NodeTypeDotGeneral {
			t.Fatalf("%s: graph.DotGeneral built a %s node", c.name, node.Type())
		}
		axes, err := ReadDotGeneralAxes(node)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, pair := range [][2][]int{{axes.LHSContracting, c.lhsC}, {axes.LHSBatch, c.lhsB}, {axes.RHSContracting, c.rhsC}, {axes.RHSBatch, c.rhsB}} {
			if !slices.Equal(pair[0], pair[1]) && !(len(pair[0]) == 0 && len(pair[1]) == 0) {
				t.Fatalf("%s: read axes %+v, built with %v %v %v %v", c.name, axes, c.lhsC, c.lhsB, c.rhsC, c.rhsB)
			}
		}
	}
}

// float32Tol: both gradients are sums of the same float32 products in different orders; with
// at most 8 terms of magnitude <= 1, they agree to a few float32 ulps of the largest value.
const float32Tol = 1e-5

// TestDotGeneralVJPEqualsGoMLX compares the matrix-product gradient with GoMLX's own
// (broadcast-multiply-reduce) gradient on float32 inputs.
func TestDotGeneralVJPEqualsGoMLX(t *testing.T) {
	backend := testBackend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(dims []int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	grads := func(t *testing.T, c int, lhs, rhs *tensors.Tensor) [][]float32 {
		dc := dotCases[c]
		exec, err := NewExec(backend, func(l, r *Node) []*Node {
			out := DotGeneral(l, dc.lhsC, dc.lhsB, r, dc.rhsC, dc.rhsB)
			w := ScalarOne(l.Graph(), dtypes.Float32)
			if out.Rank() > 0 {
				w = Sin(Iota(l.Graph(), out.Shape(), out.Rank()-1)) // non-uniform weights
			}
			return Gradient(ReduceAllSum(Mul(out, w)), l, r)
		})
		if err != nil {
			t.Fatalf("%s: %v", dc.name, err)
		}
		outs, err := exec.Exec(lhs, rhs)
		if err != nil {
			t.Fatalf("%s: %v", dc.name, err)
		}
		return [][]float32{tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])}
	}
	for i, c := range dotCases {
		t.Run(c.name, func(t *testing.T) {
			lhs, rhs := random(c.lhsDims), random(c.rhsDims)
			ours := grads(t, i, lhs, rhs)
			VJPRegistration[NodeTypeDotGeneral] = originalDotGeneralVJP
			theirs := grads(t, i, lhs, rhs)
			VJPRegistration[NodeTypeDotGeneral] = DotGeneralVJP
			for k := range ours {
				scale := 0.0
				for _, v := range theirs[k] {
					scale = max(scale, math.Abs(float64(v)))
				}
				for j := range ours[k] {
					if d := math.Abs(float64(ours[k][j] - theirs[k][j])); d > float32Tol*max(1, scale) {
						t.Fatalf("operand %d element %d: purego %g, GoMLX %g", k, j, ours[k][j], theirs[k][j])
					}
				}
			}
		})
	}
}

// TestConvLayout fails loudly if the unexported ConvGeneral layout read by ConvGeneralVJP
// changes (the even-kernel fix would then silently fall back to GoMLX's wrong gradient).
func TestConvLayout(t *testing.T) {
	if reflect.ValueOf(VJPRegistration[NodeTypeConvGeneral]).Pointer() != reflect.ValueOf(ConvGeneralVJP).Pointer() {
		t.Fatal("graph.VJPRegistration[NodeTypeConvGeneral] is not purego.ConvGeneralVJP")
	}
	g := NewGraph(testBackend(t), "conv_layout")
	defer g.Finalize()
	x := Parameter(g, "x", shapes.Make(dtypes.Float32, 2, 7, 6, 3))
	k := Parameter(g, "k", shapes.Make(dtypes.Float32, 2, 3, 3, 4))
	axes := backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: 3, InputSpatial: []int{1, 2},
		KernelInputChannels: 2, KernelOutputChannels: 3, KernelSpatial: []int{0, 1},
		OutputBatch: 0, OutputChannels: 3, OutputSpatial: []int{1, 2}}
	y := ConvGeneral(x, k, axes, []int{2, 1}, [][2]int{{1, 0}, {0, 1}}, nil, []int{1, 2}, 1, 1)
	p, err := ReadConvParams(y)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Strides, []int{2, 1}) || !slices.Equal(p.KernelDilations, []int{1, 2}) ||
		!slices.Equal(p.Paddings, [][2]int{{1, 0}, {0, 1}}) || p.Axes.InputChannels != 3 || p.Axes.KernelInputChannels != 2 || !slices.Equal(p.Axes.KernelSpatial, []int{0, 1}) {
		t.Fatalf("read %+v", p)
	}
}
