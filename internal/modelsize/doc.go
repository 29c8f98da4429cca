// Package modelsize counts the trainable parameters of the networks ARTEMIS
// is built from, analytically, from their layer shapes: PyTorch's
// nn.Linear, nn.LayerNorm, nn.MultiheadAttention, nn.Transformer and
// nn.LSTM/nn.GRU, Hugging Face's TimesformerModel and CLIPVisionModel at
// any width, and the ARTEMIS head as gomlx_models/artemis builds it.
//
// The counts are exact integers, tested against PyTorch 1.13's own counts
// of the same modules (testdata/gen_counts.py, counts.json) and against
// the variables the GoMLX model creates. Nothing here trains or times.
package modelsize
