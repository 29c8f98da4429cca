// Package lrcn is the LRCN (long-term recurrent convolutional network,
// Donahue et al. 2015) video classifier of "Human Activity Recognition on
// UCF50 with ConvLSTM and LRCN" (../shared/papers/convlstm-lrcn-ucf50.txt,
// section 5.2 and its Figure 2 layer table), written as a GoMLX model.
//
// The layer table of Figure 2, not the prose of section 5.2, is the ground
// truth: the prose describes one Conv2D(32) with 2x2 pooling and an
// LSTM(64), while the table, and the parameter count the paper reports, have
// four per-frame Conv2D layers (16, 32, 64, 64 filters, 3x3, same padding,
// relu) with 4x4, 4x4, 2x2, 2x2 max pooling and Dropout(0.25) between them,
// then Flatten (64 per frame), LSTM(32) and Dense(4).
//
// Variables follow Keras's layout (Conv2D kernel [3, 3, Cin, F] and bias
// [F]; LSTM kernel [in, 4u], recurrent_kernel [u, 4u], bias [4u] in gate
// order i, f, c, o) so parameter counts equal Keras's exactly.
package lrcn
