// Package layers holds the recurrent layers the paper models need beyond GoMLX's own: a GRU
// (optionally bidirectional) and a thin bidirectional-LSTM helper over GoMLX's lstm package,
// both with PyTorch's batch-first output layout [batch, seq, directions*hidden], plus the
// "vector" forms ARTEMIS applies to a single text embedding S (Eq. 2 of the ARTEMIS paper,
// S' = BiLSTM(S), keeping the embedding width E with E/2 hidden units per direction).
//
// Weights and biases start as PyTorch's nn.LSTM / nn.GRU do: U(±1/sqrt(hidden)).
//
// Gradients of both run on the purego backend (they need Slice's gradient, i.e. Pad), and are
// checked against finite differences in this package's tests.
package layers
