package purego_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	"github.com/gomlx/gomlx/backends/notimplemented"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/lstm"
	"github.com/gomlx/gopjrt/dtypes"
)

func in(seed int, dims ...int) *tensors.Tensor { return sample(seed, dims...).tensor() }

// transformerLayer is a post-norm encoder layer: LN(h + FF(h)), h = LN(x + MHA(x)).
func transformerLayer(ctx *context.Context, x *Node, heads, headDim, ff int) *Node {
	width := x.Shape().Dimensions[x.Rank()-1]
	att := layers.MultiHeadAttention(ctx.In("attention"), x, x, x, heads, headDim).SetOutputDim(width).Done()
	h := layers.LayerNormalization(ctx.In("norm1"), Add(x, att), -1).Done()
	f := layers.Dense(ctx.In("ff1"), h, true, ff)
	f = Tanh(f)
	f = layers.Dense(ctx.In("ff2"), f, true, width)
	return layers.LayerNormalization(ctx.In("norm2"), Add(h, f), -1).Done()
}

// gradCases are the "Done when" list. onGo says whether simplego ("go") has every op
// the gradient needs; where it does, purego's and go's gradients must agree.
var gradCases = []struct {
	gradcheck.Case
	onGo bool
}{
	{gradcheck.Case{Name: "Dense", Inputs: []*tensors.Tensor{in(1, 3, 4)},
		Build: func(ctx *context.Context, x []*Node) *Node { return layers.Dense(ctx, x[0], true, 5) }}, true},
	{gradcheck.Case{Name: "DotGeneral batch", Inputs: []*tensors.Tensor{in(1, 2, 3, 4), in(2, 2, 4, 5)},
		Build: func(_ *context.Context, x []*Node) *Node {
			return DotGeneral(x[0], []int{2}, []int{0}, x[1], []int{1}, []int{0})
		}}, true},
	{gradcheck.Case{Name: "DotGeneral permuted axes", Inputs: []*tensors.Tensor{in(1, 4, 2, 3), in(2, 5, 2, 4)},
		// lhs contracting axis 0 with rhs axis 2, batch lhs 1 with rhs 1.
		Build: func(_ *context.Context, x []*Node) *Node {
			return DotGeneral(x[0], []int{0}, []int{1}, x[1], []int{2}, []int{1})
		}}, true},
	{gradcheck.Case{Name: "DotGeneral two contracting axes out of order", Inputs: []*tensors.Tensor{in(1, 2, 3, 4), in(2, 4, 3, 5)},
		// lhs axes (2,1) pair with rhs axes (0,1).
		Build: func(_ *context.Context, x []*Node) *Node {
			return DotGeneral(x[0], []int{2, 1}, nil, x[1], []int{0, 1}, nil)
		}}, true},
	{gradcheck.Case{Name: "DotGeneral no contraction (outer)", Inputs: []*tensors.Tensor{in(1, 3), in(2, 4)},
		Build: func(_ *context.Context, x []*Node) *Node { return DotGeneral(x[0], nil, nil, x[1], nil, nil) }}, true},
	{gradcheck.Case{Name: "Dot matrix-matrix", Inputs: []*tensors.Tensor{in(1, 3, 4), in(2, 4, 5)},
		Build: func(_ *context.Context, x []*Node) *Node { return Dot(x[0], x[1]) }}, true},
	{gradcheck.Case{Name: "Dot matrix-vector", Inputs: []*tensors.Tensor{in(1, 3, 4), in(2, 4)},
		Build: func(_ *context.Context, x []*Node) *Node { return Dot(x[0], x[1]) }}, true},
	{gradcheck.Case{Name: "Conv1D same", Inputs: []*tensors.Tensor{in(1, 2, 6, 3)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(3).PadSame().Done()
		}}, false},
	{gradcheck.Case{Name: "Conv1D valid stride 2", Inputs: []*tensors.Tensor{in(1, 2, 7, 3)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(3).NoPadding().Strides(2).Done()
		}}, false},
	{gradcheck.Case{Name: "Conv2D same stride 2", Inputs: []*tensors.Tensor{in(1, 1, 5, 5, 2)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(3).PadSame().Strides(2).Done()
		}}, false},
	{gradcheck.Case{Name: "Conv2D valid", Inputs: []*tensors.Tensor{in(1, 2, 4, 5, 2)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(3).KernelSize(3).NoPadding().Done()
		}}, false},
	{gradcheck.Case{Name: "Conv3D same", Inputs: []*tensors.Tensor{in(1, 1, 3, 4, 4, 1)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(3).PadSame().Done()
		}}, false},
	{gradcheck.Case{Name: "Conv3D valid stride 2", Inputs: []*tensors.Tensor{in(1, 1, 5, 5, 5, 2)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(3).NoPadding().Strides(2).Done()
		}}, false},
	// Even kernels: GoMLX v0.25.0's input gradient is wrong for them; purego.ConvGeneralVJP fixes it.
	{gradcheck.Case{Name: "Conv2D valid even kernel", Inputs: []*tensors.Tensor{in(1, 2, 4, 5, 2)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(3).KernelSize(2).NoPadding().Done()
		}}, false},
	{gradcheck.Case{Name: "Conv1D same even kernel stride 2", Inputs: []*tensors.Tensor{in(1, 2, 9, 2)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(4).PadSame().Strides(2).Done()
		}}, false},
	{gradcheck.Case{Name: "Conv3D same even kernel", Inputs: []*tensors.Tensor{in(1, 1, 3, 4, 4, 1)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(2).PadSame().Done()
		}}, false},
	{gradcheck.Case{Name: "Conv2D dilated kernel 2", Inputs: []*tensors.Tensor{in(1, 1, 6, 6, 1)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.Convolution(ctx, x[0]).Filters(2).KernelSize(2).Dilations(3).PadSame().Done()
		}}, false},
	{gradcheck.Case{Name: "MaxPool 2x2 same", Inputs: []*tensors.Tensor{in(1, 1, 5, 5, 2)},
		Build: func(_ *context.Context, x []*Node) *Node { return MaxPool(x[0]).Window(2).PadSame().Done() }}, false},
	{gradcheck.Case{Name: "MaxPool 1x2x2 same", Inputs: []*tensors.Tensor{in(1, 1, 2, 4, 5, 2)},
		Build: func(_ *context.Context, x []*Node) *Node {
			return MaxPool(x[0]).WindowPerAxis(1, 2, 2).PadSame().Done()
		}}, false},
	{gradcheck.Case{Name: "MeanPool 2x2 same", Inputs: []*tensors.Tensor{in(1, 1, 5, 5, 2)},
		Build: func(_ *context.Context, x []*Node) *Node { return MeanPool(x[0]).Window(2).PadSame().Done() }}, false},
	{gradcheck.Case{Name: "MeanPool 1x2x2 same", Inputs: []*tensors.Tensor{in(1, 1, 2, 4, 5, 2)},
		Build: func(_ *context.Context, x []*Node) *Node {
			return MeanPool(x[0]).WindowPerAxis(1, 2, 2).PadSame().Done()
		}}, false},
	{gradcheck.Case{Name: "Slice", Inputs: []*tensors.Tensor{in(1, 4, 6)},
		Build: func(_ *context.Context, x []*Node) *Node {
			return Slice(x[0], AxisRange(1, 3), AxisRange(0, 6).Stride(2))
		}}, false},
	{gradcheck.Case{Name: "LSTM forward", Inputs: []*tensors.Tensor{in(1, 2, 4, 3)},
		Build: func(ctx *context.Context, x []*Node) *Node { all, _, _ := lstm.New(ctx, x[0], 3).Done(); return all }}, false},
	{gradcheck.Case{Name: "LSTM bidirectional", Inputs: []*tensors.Tensor{in(1, 2, 4, 3)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			all, _, _ := lstm.New(ctx, x[0], 3).Direction(lstm.DirBidirectional).Done()
			return all
		}}, false},
	{gradcheck.Case{Name: "LayerNorm", Inputs: []*tensors.Tensor{in(1, 3, 5)},
		Build: func(ctx *context.Context, x []*Node) *Node { return layers.LayerNormalization(ctx, x[0], -1).Done() }}, true},
	{gradcheck.Case{Name: "MultiHeadAttention", Inputs: []*tensors.Tensor{in(1, 2, 3, 4), in(2, 2, 5, 4)},
		Build: func(ctx *context.Context, x []*Node) *Node {
			return layers.MultiHeadAttention(ctx, x[0], x[1], x[1], 2, 3).Done()
		}}, true},
	{gradcheck.Case{Name: "Transformer encoder layer", Inputs: []*tensors.Tensor{in(1, 2, 3, 4)},
		Build: func(ctx *context.Context, x []*Node) *Node { return transformerLayer(ctx, x[0], 2, 2, 8) }}, true},
	{gradcheck.Case{Name: "Gather indexing", Inputs: []*tensors.Tensor{in(1, 5, 3), tensors.FromValue([][]int32{{4}, {0}, {2}, {4}})},
		Build: func(_ *context.Context, x []*Node) *Node { return Gather(x[0], x[1]) }}, true},
	{gradcheck.Case{Name: "DynamicSlice", Inputs: []*tensors.Tensor{in(1, 4, 5)},
		Build: func(_ *context.Context, x []*Node) *Node {
			g := x[0].Graph()
			return DynamicSlice(x[0], []*Node{Const(g, int32(1)), Const(g, int32(2))}, []int{2, 3})
		}}, false},
}

// crossBackendTol: purego and go run the same kernels; only the op scheduling differs.
const crossBackendTol = 1e-12

func TestNumericGradients(t *testing.T) {
	for _, c := range gradCases {
		t.Run(c.Name, func(t *testing.T) {
			pure, err := gradcheck.Run(pureBackend(), c.Case, gradcheck.DefaultTolerance)
			if err != nil {
				t.Fatalf("purego: %v", err)
			}
			onGo, err := gradcheck.Run(goBackend(), c.Case, gradcheck.DefaultTolerance)
			switch {
			case err != nil && c.onGo:
				t.Fatalf("go: %v", err)
			case err != nil:
				if !errors.Is(err, notimplemented.NotImplementedError) && !strings.Contains(err.Error(), "not implemented") {
					t.Fatalf("go failed for another reason than a missing op: %v", err)
				}
				t.Logf("go lacks an op, as expected: %.120s", err)
				return
			case !c.onGo:
				t.Logf("go now has every op of %q: update onGo", c.Name)
			}
			for i := range pure.Analytic {
				for k, v := range pure.Analytic[i] {
					if w := onGo.Analytic[i][k]; math.Abs(v-w) > crossBackendTol*max(1, math.Abs(w)) {
						t.Fatalf("%s[%d]: purego %.15g, go %.15g", pure.Targets[i], k, v, w)
					}
				}
			}
		})
	}
}

var _ = dtypes.Float64
