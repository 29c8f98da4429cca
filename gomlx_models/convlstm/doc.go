// Package convlstm is the ConvLSTM video classifier of "Human Activity
// Recognition on UCF50 with ConvLSTM and LRCN" (../shared/papers/convlstm-lrcn-ucf50.txt,
// section 5.1 and its Figure 1 layer table), written as a GoMLX model.
//
// The layer table of Figure 1, not the prose of section 5.1, is the ground
// truth: the prose lists three ConvLSTM2D layers (4, 8, 14 filters, the last
// without return_sequences) while the table, and the parameter count the
// paper reports, have four (4, 8, 14, 16 filters, all returning sequences)
// followed by MaxPooling3D, Flatten (20x3x3x16 = 2880) and Dense(4).
//
// ConvLSTM2D is written here (GoMLX has none) with Keras's variable layout
// so that parameter counts equal Keras's exactly: a kernel [kh, kw, Cin, 4F]
// applied to the input with valid padding, a recurrent kernel [kh, kw, F, 4F]
// applied to the hidden state with same padding, and a bias [4F], the four
// gate blocks in Keras's order i, f, c, o.
//
// Differences from Keras, each a named choice: kernels and recurrent kernels
// start Glorot-uniform (Keras starts recurrent kernels orthogonal); the
// recurrent-dropout mask is shared by the four gates (Keras 3; tf.keras 2.x
// drew one per gate); the recurrent activation defaults to tf.keras 2.x's
// hard_sigmoid (Config.RecurrentActivation selects Keras 3's sigmoid). The
// Dense layer returns logits: its softmax is part of the loss.
package convlstm
