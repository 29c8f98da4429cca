// Package progress draws the progress of long work in a terminal: a bar
// over the points of a sweep with, beside it, a bar over the epochs of the
// point being trained. When the output is not a terminal (CI logs, pipes)
// it writes plain lines instead, a few per phase, never control codes.
//
// A Bar implements runner.Progress; phases nest (Start inside Start), so
// the harness opens a "sweep" phase and the task opens its "train" phase
// within it.
package progress
