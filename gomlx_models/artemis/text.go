package artemis

import (
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// textLayer applies Eq. 2 to the description embedding s [B, E].
//
// By default each clip's description is its own sequence of length one (the
// paper's meaning): one step of the cell from a zero state, in both
// directions. With TextAcrossBatch the B descriptions of the batch form one
// sequence of length B, as the authors' code runs nn.LSTM/nn.GRU on a (B, 1,
// E) tensor without batch_first (artemis.py:31,33,88-92); see Config.
//
// Variables follow PyTorch's layout (transposed): weight_ih [E, G*H],
// weight_hh [H, G*H], bias_ih and bias_hh [G*H], gate order i, f, g, o
// (LSTM) and r, z, n (GRU); every one U(±1/sqrt(H)), PyTorch's default.
func (c Config) textLayer(ctx *context.Context, s *Node) *Node {
	switch c.TextLayer {
	case TextBiLSTM, TextGRU:
		gru := c.TextLayer == TextGRU
		name := "lstm"
		if gru {
			name = "gru"
		}
		x := InsertAxes(s, 1) // [B, 1, E]: B sequences of length 1
		if c.TextAcrossBatch {
			x = InsertAxes(s, 0) // [1, B, E]: one sequence of length B
		}
		fwd := recurrent(ctx.In(name+"_fwd"), x, c.TextHidden, gru, false)
		bwd := recurrent(ctx.In(name+"_bwd"), x, c.TextHidden, gru, true)
		out := Concatenate([]*Node{fwd, bwd}, -1) // [N, S, 2H]
		return Reshape(out, s.Shape().Dimensions[0], 2*c.TextHidden)
	case TextConv:
		return conv1D3(ctx.In("conv"), s)
	}
	return s
}

// recurrent runs one direction of nn.LSTM / nn.GRU over x [N, S, E] from a
// zero state and returns the hidden states [N, S, H] aligned with the input
// positions (PyTorch's equations):
//
//	LSTM: i, f, g, o = σ, σ, tanh, σ of (W_i* x + b_i* + W_h* h + b_h*);
//	      c' = f c + i g; h' = o tanh(c').
//	GRU:  r, z = σ(W_ir x + b_ir + W_hr h + b_hr), σ(...);
//	      n = tanh(W_in x + b_in + r (W_hn h + b_hn)); h' = (1 - z) n + z h.
func recurrent(ctx *context.Context, x *Node, hidden int, gru, reverse bool) *Node {
	g := x.Graph()
	n, steps, e := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	gates := 4
	if gru {
		gates = 3
	}
	bound := 1 / math.Sqrt(float64(hidden))
	wih := uniformVar(ctx, g, x, "weight_ih", bound, e, gates*hidden)
	whh := uniformVar(ctx, g, x, "weight_hh", bound, hidden, gates*hidden)
	bih := uniformVar(ctx, g, x, "bias_ih", bound, gates*hidden)
	bhh := uniformVar(ctx, g, x, "bias_hh", bound, gates*hidden)
	px := Add(Einsum("nse,eg->nsg", x, wih), BroadcastToDims(Reshape(bih, 1, 1, gates*hidden), n, steps, gates*hidden)) // [N, S, G*H]
	gate := func(v *Node, k int) *Node {
		return Slice(v, AxisRange(), AxisRange(k*hidden, (k+1)*hidden))
	}
	h := Zeros(g, shapes.Make(x.DType(), n, hidden))
	cell := h
	out := make([]*Node, steps)
	for step := 0; step < steps; step++ {
		pos := step
		if reverse {
			pos = steps - 1 - step
		}
		var xs *Node
		if steps == 1 {
			xs = Reshape(px, n, gates*hidden)
		} else {
			xs = Reshape(Slice(px, AxisRange(), AxisElem(pos), AxisRange()), n, gates*hidden)
		}
		ph := Add(MatMul(h, whh), BroadcastToDims(Reshape(bhh, 1, gates*hidden), n, gates*hidden)) // [N, G*H]
		if gru {
			r := Sigmoid(Add(gate(xs, 0), gate(ph, 0)))
			z := Sigmoid(Add(gate(xs, 1), gate(ph, 1)))
			nn := Tanh(Add(gate(xs, 2), Mul(r, gate(ph, 2))))
			h = Add(Mul(OneMinus(z), nn), Mul(z, h))
		} else {
			sum := Add(xs, ph)
			i, f := Sigmoid(gate(sum, 0)), Sigmoid(gate(sum, 1))
			gg, o := Tanh(gate(sum, 2)), Sigmoid(gate(sum, 3))
			cell = Add(Mul(f, cell), Mul(i, gg))
			h = Mul(o, Tanh(cell))
		}
		out[pos] = h
	}
	return Stack(out, 1)
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
