package layers

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// PyTorchRecurrentInit is nn.LSTM / nn.GRU's default initialisation: every
// weight and bias U(±1/sqrt(hidden)) (reset_parameters).
func PyTorchRecurrentInit(ctx *context.Context, hidden int) initializers.VariableInitializer {
	b := 1 / math.Sqrt(float64(hidden))
	return initializers.RandomUniformFn(ctx, -b, b)
}

// GRU runs a gated recurrent unit (Cho et al. 2014, with PyTorch's nn.GRU conventions) over
// x [batch, seq, features]:
//
//	r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)
//	z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
//	n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))
//	h_t = (1 - z_t) * n_t + z_t * h_{t-1},   h_0 = 0.
//
// With bidirectional, a second GRU with its own weights reads the sequence backwards; its
// output at position t is aligned with input position t. It returns all hidden states
// [batch, seq, directions*hidden] (forward then backward on the last axis, as PyTorch) and the
// final states [directions, batch, hidden] (the backward direction's final state is at t=0).
//
// Variables (under ctx), initialised as PyTorch does (U(±1/sqrt(hidden))): inputsW [directions, 3, hidden, features], recurrentW [directions, 3,
// hidden, hidden], inputsB and recurrentB [directions, 3, hidden], gate order r, z, n as in
// PyTorch's weight_ih_l0 / weight_hh_l0.
func GRU(ctx *context.Context, x *Node, hidden int, bidirectional bool) (all, last *Node) {
	if x.Rank() != 3 {
		panic(fmt.Sprintf("layers.GRU: x must be [batch, seq, features], got %s", x.Shape()))
	}
	if hidden < 1 {
		panic(fmt.Sprintf("layers.GRU: hidden size must be positive, got %d", hidden))
	}
	g, dtype := x.Graph(), x.DType()
	batch, seq, features := x.Shape().Dim(0), x.Shape().Dim(1), x.Shape().Dim(2)
	dirs := 1
	if bidirectional {
		dirs = 2
	}
	// PyTorch's nn.GRU initialises every weight and bias U(±1/sqrt(hidden)).
	ctx = ctx.WithInitializer(PyTorchRecurrentInit(ctx, hidden))
	wi := ctx.VariableWithShape("inputsW", shapes.Make(dtype, dirs, 3, hidden, features)).ValueGraph(g)
	wh := ctx.VariableWithShape("recurrentW", shapes.Make(dtype, dirs, 3, hidden, hidden)).ValueGraph(g)
	bi := ctx.VariableWithShape("inputsB", shapes.Make(dtype, dirs, 3, hidden)).ValueGraph(g)
	bh := ctx.VariableWithShape("recurrentB", shapes.Make(dtype, dirs, 3, hidden)).ValueGraph(g)

	// Input projections of every step at once: [dirs, 3, batch, seq, hidden].
	projX := Einsum("bsf,dnhf->dnbsh", x, wi)
	projX = Add(projX, Reshape(bi, dirs, 3, 1, 1, hidden))

	outputs := make([][]*Node, dirs)
	lasts := make([]*Node, dirs)
	for d := range dirs {
		outputs[d] = make([]*Node, seq)
		whD := Reshape(Slice(wh, AxisElem(d)), 3, hidden, hidden)
		bhD := Reshape(Slice(bh, AxisElem(d)), 3, 1, hidden)
		h := Zeros(g, shapes.Make(dtype, batch, hidden))
		for step := range seq {
			t := step
			if d == 1 {
				t = seq - 1 - step
			}
			gateX := func(k int) *Node {
				return Reshape(Slice(projX, AxisElem(d), AxisElem(k), AxisRange(), AxisElem(t)), batch, hidden)
			}
			projH := Add(Einsum("bj,nhj->nbh", h, whD), bhD) // [3, batch, hidden]
			gateH := func(k int) *Node { return Reshape(Slice(projH, AxisElem(k)), batch, hidden) }
			r := Sigmoid(Add(gateX(0), gateH(0)))
			z := Sigmoid(Add(gateX(1), gateH(1)))
			n := Tanh(Add(gateX(2), Mul(r, gateH(2))))
			h = Add(Mul(OneMinus(z), n), Mul(z, h))
			outputs[d][t] = h
		}
		lasts[d] = h
	}
	perDir := make([]*Node, dirs)
	for d := range dirs {
		perDir[d] = Stack(outputs[d], 1) // [batch, seq, hidden]
	}
	all = perDir[0]
	if dirs == 2 {
		all = Concatenate(perDir, -1)
	}
	return all, Stack(lasts, 0)
}

// BiGRUVector applies a bidirectional GRU to one vector per example, s [batch, E], read as a
// length-1 sequence, and returns [batch, 2*hidden]: ARTEMIS's "biGRU" text layer with
// hidden = E/2 keeps the width E.
func BiGRUVector(ctx *context.Context, s *Node, hidden int) *Node {
	all, _ := GRU(ctx, InsertAxes(s, 1), hidden, true)
	return Squeeze(all, 1)
}
