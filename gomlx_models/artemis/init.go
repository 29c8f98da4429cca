package artemis

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// PyTorch-default initialisation, one initializer per variable (GoMLX's own
// default is He, about 2.45x the std of nn.Linear's default, and at the
// authors' lr 1e-5 the starting point persists).

// uniformVar creates (or reuses) the variable name of the given dims under
// ctx, initialised U(-bound, bound).
func uniformVar(ctx *context.Context, g *Graph, x *Node, name string, bound float64, dims ...int) *Node {
	return ctx.WithInitializer(initializers.RandomUniformFn(ctx, -bound, bound)).
		VariableWithShape(name, shapes.Make(x.DType(), dims...)).ValueGraph(g)
}

func constVar(ctx *context.Context, g *Graph, x *Node, name string, one bool, dims ...int) *Node {
	init := initializers.Zero
	if one {
		init = initializers.One
	}
	return ctx.WithInitializer(init).VariableWithShape(name, shapes.Make(x.DType(), dims...)).ValueGraph(g)
}

// linear is nn.Linear(in, out, bias) on the last axis of x with PyTorch's
// default initialisation (reset_parameters: kaiming_uniform_(a=sqrt(5)) =
// U(±1/sqrt(in)) for the weight, U(±1/sqrt(in)) for the bias). Variables:
// "weights" [in, out] (the transpose of PyTorch's weight) and "biases" [out].
func linear(ctx *context.Context, x *Node, out int, bias bool) *Node {
	in := x.Shape().Dimensions[x.Rank()-1]
	bound := 1 / math.Sqrt(float64(in))
	return linearInit(ctx, x, out, bias, bound, bound)
}

// xavierLinear is a Linear inside nn.Transformer: nn.Transformer's
// _reset_parameters applies xavier_uniform_ to every parameter with dim > 1
// (U(±sqrt(6/(in+out)))); the bias keeps nn.Linear's U(±1/sqrt(in)).
func xavierLinear(ctx *context.Context, x *Node, out int) *Node {
	in := x.Shape().Dimensions[x.Rank()-1]
	return linearInit(ctx, x, out, true, math.Sqrt(6/float64(in+out)), 1/math.Sqrt(float64(in)))
}

// linearInit is x W + b with W [in, out] ~ U(±wBound) and b [out] ~
// U(±bBound) (bBound 0: zeros).
func linearInit(ctx *context.Context, x *Node, out int, bias bool, wBound, bBound float64) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[x.Rank()-1]
	w := uniformVar(ctx, g, x, "weights", wBound, in, out)
	dims := append([]int(nil), x.Shape().Dimensions...)
	dims[len(dims)-1] = out
	y := Reshape(MatMul(Reshape(x, -1, in), w), dims...)
	if bias {
		var b *Node
		if bBound == 0 {
			b = constVar(ctx, g, x, "biases", false, out)
		} else {
			b = uniformVar(ctx, g, x, "biases", bBound, out)
		}
		bd := make([]int, len(dims))
		for i := range bd {
			bd[i] = 1
		}
		bd[len(bd)-1] = out
		y = Add(y, BroadcastToDims(Reshape(b, bd...), dims...))
	}
	return y
}

// layerNorm is nn.LayerNorm(E, eps=1e-5) on the last axis (biased variance),
// weight 1 and bias 0 at start.
func layerNorm(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	e := x.Shape().Dimensions[x.Rank()-1]
	dims := x.Shape().Dimensions
	// Explicit broadcasts: purego's same-shape binary ops are faster than
	// its implicit broadcasting.
	mean := BroadcastToDims(ReduceAndKeep(x, ReduceMean, -1), dims...)
	xc := Sub(x, mean)
	v := BroadcastToDims(ReduceAndKeep(Square(xc), ReduceMean, -1), dims...)
	y := Div(xc, Sqrt(AddScalar(v, 1e-5)))
	bd := make([]int, x.Rank())
	for i := range bd {
		bd[i] = 1
	}
	bd[len(bd)-1] = e
	gain := BroadcastToDims(Reshape(constVar(ctx, g, x, "weight", true, e), bd...), dims...)
	offset := BroadcastToDims(Reshape(constVar(ctx, g, x, "bias", false, e), bd...), dims...)
	return Add(Mul(y, gain), offset)
}

// attention is nn.MultiheadAttention(E, heads, dropout, batch_first=True)
// inside nn.Transformer: q, k, v projections (PyTorch's in_proj_weight
// [3E, E], xavier_uniform_ over the whole [3E, E] matrix, so U(±sqrt(6/(4E)))
// for each of the three; zero in_proj_bias), softmax(q kᵀ / sqrt(E/heads))
// with dropout on the attention weights in training, then out_proj (xavier
// [E, E], zero bias).
func (c Config) attention(ctx *context.Context, x, mem *Node) *Node {
	e := c.EmbedDim
	h := c.Heads
	dh := e / h
	inBound := math.Sqrt(6 / float64(4*e))
	q := linearInit(ctx.In("query"), x, e, true, inBound, 0)
	k := linearInit(ctx.In("key"), mem, e, true, inBound, 0)
	v := linearInit(ctx.In("value"), mem, e, true, inBound, 0)
	b, n, m := x.Shape().Dimensions[0], x.Shape().Dimensions[1], mem.Shape().Dimensions[1]
	q = Reshape(q, b, n, h, dh)
	k = Reshape(k, b, m, h, dh)
	v = Reshape(v, b, m, h, dh)
	scores := MulScalar(Einsum("bnhd,bmhd->bhnm", q, k), 1/math.Sqrt(float64(dh)))
	w := Softmax(scores, -1)
	w = c.drop(ctx, w)
	o := Reshape(Einsum("bhnm,bmhd->bnhd", w, v), b, n, e)
	return linearInit(ctx.In("out"), o, e, true, math.Sqrt(6/float64(2*e)), 0)
}
