package artemis

import (
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// textLayer applies Eq. 2 to the description embedding s [B, E].
//
// The paper treats each clip's description as its own sequence of length one.
// The recurrent layers therefore reduce to one step of the cell from a zero
// state, computed exactly here (the recurrent weights W_hh multiply the zero
// state and drop out; the recurrent biases b_hh do not, and are kept).
//
// Authors' code quirk (documented, not reproduced): edofazza/ARTEMIS feeds the
// description to nn.LSTM/nn.GRU as a (b, 1, 512) tensor with batch_first left
// False, so PyTorch reads it as a sequence of length b with batch 1 and the
// recurrence runs across the clips of a batch; predictions then depend on the
// other clips of the batch. This package implements the per-clip meaning.
func (c Config) textLayer(ctx *context.Context, s *Node) *Node {
	switch c.TextLayer {
	case TextBiLSTM:
		return Concatenate([]*Node{
			lstmStep(ctx.In("lstm_fwd"), s, c.TextHidden),
			lstmStep(ctx.In("lstm_bwd"), s, c.TextHidden),
		}, -1)
	case TextGRU:
		return Concatenate([]*Node{
			gruStep(ctx.In("gru_fwd"), s, c.TextHidden),
			gruStep(ctx.In("gru_bwd"), s, c.TextHidden),
		}, -1)
	case TextConv:
		return conv1D3(ctx.In("conv"), s)
	}
	return s
}

// lstmStep is one LSTM step from h0 = c0 = 0 (PyTorch gate equations):
// i = σ(W_ii x + b_ii + b_hi), g = tanh(W_ig x + b_ig + b_hg),
// o = σ(W_io x + b_io + b_ho), c = i ⊙ g (the forget gate multiplies c0 = 0),
// h = o ⊙ tanh(c).
func lstmStep(ctx *context.Context, x *Node, hidden int) *Node {
	gate := func(name string) *Node { return layers.Dense(ctx.In(name), x, true, hidden) }
	i := Sigmoid(gate("input_gate"))
	gg := Tanh(gate("cell_gate"))
	o := Sigmoid(gate("output_gate"))
	return Mul(o, Tanh(Mul(i, gg)))
}

// gruStep is one GRU step from h0 = 0 (PyTorch gate equations):
// r = σ(W_ir x + b_ir + b_hr), z = σ(W_iz x + b_iz + b_hz),
// n = tanh(W_in x + b_in + r ⊙ b_hn), h = (1 - z) ⊙ n + z ⊙ h0 = (1 - z) ⊙ n.
func gruStep(ctx *context.Context, x *Node, hidden int) *Node {
	g := x.Graph()
	r := Sigmoid(layers.Dense(ctx.In("reset_gate"), x, true, hidden))
	z := Sigmoid(layers.Dense(ctx.In("update_gate"), x, true, hidden))
	bhn := ctx.In("new_gate").WithInitializer(initializers.Zero).
		VariableWithShape("b_hn", shapes.Make(x.DType(), hidden)).ValueGraph(g)
	n := Tanh(Add(layers.Dense(ctx.In("new_gate"), x, true, hidden), Mul(r, InsertAxes(bhn, 0))))
	return Mul(OneMinus(z), n)
}

// conv1D3 is nn.Conv1d(1, 1, kernel_size=3, padding=1) over the E features of
// each clip: y_j = w_0 x_{j-1} + w_1 x_j + w_2 x_{j+1} + b with zero padding.
// The shifts are products with constant 0/1 matrices so that the gradient
// needs no Pad.
func conv1D3(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	dt := x.DType()
	e := x.Shape().Dimensions[1]
	// PyTorch's default init: U(±1/sqrt(fan_in)), fan_in = 3. Three scalar
	// variables rather than one [3] vector: slicing a vector would need Pad
	// in the gradient, which simplego lacks.
	const bound = 0.5773502691896258
	uni := ctx.WithInitializer(initializers.RandomUniformFn(ctx, -bound, bound))
	scalar := func(name string) *Node { return uni.VariableWithShape(name, shapes.Make(dt)).ValueGraph(g) }
	w0, w1, w2, bias := scalar("w0"), scalar("w1"), scalar("w2"), scalar("bias")
	prev := MatMul(x, ConvertDType(Const(g, shiftMatrix(e, -1)), dt)) // x_{j-1}
	next := MatMul(x, ConvertDType(Const(g, shiftMatrix(e, +1)), dt)) // x_{j+1}
	y := Add(Add(Mul(prev, w0), Mul(x, w1)), Mul(next, w2))
	return Add(y, bias)
}

// shiftMatrix returns the [e, e] matrix M with (x M)_j = x_{j+d} (0 outside).
func shiftMatrix(e, d int) *tensors.Tensor {
	m := make([]float32, e*e)
	for j := 0; j < e; j++ {
		if k := j + d; k >= 0 && k < e {
			m[k*e+j] = 1
		}
	}
	return tensors.FromFlatDataAndDimensions(m, e, e)
}
