package animalmotionclip

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// The Transformer pieces shared by the frame encoder, the MIT and the prompt generator, in
// CLIP's pre-LayerNorm form. Variable names (the PyTorch fixture maps to them, testdata/
// gen_fixtures.py): a linear layer is "weights" [in, out] (PyTorch's weight transposed) and
// "biases" [out]; a LayerNorm is "gain" and "offset"; an attention block has "query", "key",
// "value" and "out" linear layers.

// variable creates (or reuses) name under ctx with the given initializer.
func variable(ctx *context.Context, g *Graph, x *Node, name string, init initializers.VariableInitializer, dims ...int) *Node {
	return ctx.WithInitializer(init).VariableWithShape(name, shapes.Make(x.DType(), dims...)).ValueGraph(g)
}

// constInit fills a variable with v.
func constInit(v float64) initializers.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		return BroadcastToDims(Scalar(g, shape.DType, v), shape.Dimensions...)
	}
}

// broadcastLast broadcasts v [n] along the leading axes of dims (v sits on the last axis).
func broadcastLast(v *Node, dims []int) *Node {
	bd := make([]int, len(dims))
	for i := range bd {
		bd[i] = 1
	}
	bd[len(bd)-1] = dims[len(dims)-1]
	return BroadcastToDims(Reshape(v, bd...), dims...)
}

// linear is x W + b on the last axis, W ~ U(±1/√in) (PyTorch's nn.Linear), b = 0.
func linear(ctx *context.Context, x *Node, out int) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[x.Rank()-1]
	bound := 1 / math.Sqrt(float64(in))
	w := variable(ctx, g, x, "weights", initializers.RandomUniformFn(ctx, -bound, bound), in, out)
	dims := append([]int(nil), x.Shape().Dimensions...)
	dims[len(dims)-1] = out
	y := Reshape(MatMul(Reshape(x, -1, in), w), dims...)
	return Add(y, broadcastLast(variable(ctx, g, x, "biases", initializers.Zero, out), dims))
}

// layerNorm is nn.LayerNorm(D, eps=1e-5) on the last axis (biased variance), gain 1, offset 0.
func layerNorm(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	e := dims[len(dims)-1]
	mean := BroadcastToDims(ReduceAndKeep(x, ReduceMean, -1), dims...)
	xc := Sub(x, mean)
	v := BroadcastToDims(ReduceAndKeep(Square(xc), ReduceMean, -1), dims...)
	y := Div(xc, Sqrt(AddScalar(v, 1e-5)))
	gain := broadcastLast(variable(ctx, g, x, "gain", initializers.One, e), dims)
	offset := broadcastLast(variable(ctx, g, x, "offset", initializers.Zero, e), dims)
	return Add(Mul(y, gain), offset)
}

// quickGELU is CLIP's activation x·σ(1.702x), which X-CLIP keeps.
func quickGELU(x *Node) *Node { return Mul(x, Sigmoid(MulScalar(x, 1.702))) }

// attention is multi-head attention of queries x [N, L, D] over mem [N, S, D]:
// softmax(q kᵀ/√(D/h)) v per head, then the output projection (nn.MultiheadAttention).
func attention(ctx *context.Context, heads int, x, mem *Node) *Node {
	d := x.Shape().Dimensions[2]
	dh := d / heads
	n, l, s := x.Shape().Dimensions[0], x.Shape().Dimensions[1], mem.Shape().Dimensions[1]
	q := Reshape(linear(ctx.In("query"), x, d), n, l, heads, dh)
	k := Reshape(linear(ctx.In("key"), mem, d), n, s, heads, dh)
	v := Reshape(linear(ctx.In("value"), mem, d), n, s, heads, dh)
	w := Softmax(MulScalar(Einsum("nlhd,nshd->nhls", q, k), 1/math.Sqrt(float64(dh))), -1)
	o := Reshape(Einsum("nhls,nshd->nlhd", w, v), n, l, d)
	return linear(ctx.In("out"), o, d)
}

// mlp is CLIP's c_fc → QuickGELU → c_proj with hidden width ratio·D.
func mlp(ctx *context.Context, ratio int, x *Node) *Node {
	d := x.Shape().Dimensions[x.Rank()-1]
	return linear(ctx.In("proj"), quickGELU(linear(ctx.In("fc"), x, ratio*d)), d)
}

// residualBlock is CLIP's ResidualAttentionBlock: x += Attn(LN₁(x)); x += MLP(LN₂(x)).
func residualBlock(ctx *context.Context, c Config, x *Node) *Node {
	h := layerNorm(ctx.In("ln_1"), x)
	x = Add(x, attention(ctx.In("attn"), c.Heads, h, h))
	return Add(x, mlp(ctx.In("mlp"), c.MLPRatio, layerNorm(ctx.In("ln_2"), x)))
}
