package layers

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's idiom for graph code.
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/lstm"
)

// BiLSTM runs GoMLX's bidirectional LSTM (without GoMLX's "peephole" biases, like PyTorch's
// nn.LSTM) over x [batch, seq, features] and returns all hidden states in PyTorch's batch-first
// layout [batch, seq, 2*hidden] (forward then backward on the last axis; the backward output
// at position t is aligned with input position t) and the final hidden states
// [2, batch, hidden].
//
// GoMLX's gate order is i, o, f, c (PyTorch's is i, f, g, o): mind it when importing weights.
// Weights and biases start U(±1/sqrt(hidden)), PyTorch's default.
func BiLSTM(ctx *context.Context, x *Node, hidden int) (all, last *Node) {
	if x.Rank() != 3 {
		panic(fmt.Sprintf("layers.BiLSTM: x must be [batch, seq, features], got %s", x.Shape()))
	}
	batch, seq := x.Shape().Dim(0), x.Shape().Dim(1)
	// PyTorch's nn.LSTM initialises every weight and bias U(±1/sqrt(hidden)).
	ctx = ctx.WithInitializer(PyTorchRecurrentInit(ctx, hidden))
	states, lastHidden, _ := lstm.New(ctx, x, hidden).UsePeephole(false).Direction(lstm.DirBidirectional).Done()
	// states: [seq, 2, batch, hidden] -> [batch, seq, 2, hidden] -> [batch, seq, 2*hidden].
	all = Reshape(TransposeAllAxes(states, 2, 0, 1, 3), batch, seq, 2*hidden)
	return all, lastHidden
}

// BiLSTMVector is ARTEMIS's text layer (Eq. 2, S' = BiLSTM(S)): a bidirectional LSTM over one
// vector per example, s [batch, E], read as a length-1 sequence; it returns [batch, 2*hidden],
// so hidden = E/2 keeps the embedding width E (the paper's 256 per direction for E = 512).
func BiLSTMVector(ctx *context.Context, s *Node, hidden int) *Node {
	all, _ := BiLSTM(ctx, InsertAxes(s, 1), hidden)
	return Squeeze(all, 1)
}
