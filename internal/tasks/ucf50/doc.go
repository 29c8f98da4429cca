// Package ucf50 is the task "ucf50" that reproduces Table 1 and Figures 3 to
// 6 of "Human Activity Recognition on UCF50 with ConvLSTM and LRCN"
// (../shared/papers/convlstm-lrcn-ucf50.txt): it reads a UCF50-layout
// directory of .avi files (the real dataset or its synthetic twin written by
// `actrepro synth ucf50`), samples 20 frames per video evenly, resizes them
// to 64x64 in [0, 1], splits 25% test (shuffled, seed 27) then 20% of the
// rest for validation, trains the ConvLSTM or LRCN model with Adam and
// categorical cross-entropy (batch 4, early stopping on validation loss) and
// reports test accuracy and loss, per-class precision, recall and F1, the
// confusion matrix and the per-epoch curves.
package ucf50
