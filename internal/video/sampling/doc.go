// Package sampling picks the frames that each of AnimalMotionCLIP's M
// weight-sharing classifiers sees (Sec. 2 of
// ../shared/papers/animalmotionclip.txt and its Tab. 2).
//
// Its one job is frame indices. Classifier i of M owns a main window: the
// main windows split the T-frame video into M contiguous parts that do not
// overlap and together cover it (MainWindow). Each classifier then draws P
// frames by one of three schemes:
//
//   - Dense: the P frames evenly spaced inside the main window.
//   - SemiDense: P/2 frames evenly spaced inside the main window and P/2
//     evenly spaced over its complement (the contextual window: the frames
//     of the video outside the main window). With P odd the main window
//     gets the extra frame.
//   - Sparse: no main window; the whole video is cut into P equal
//     segments and one frame is drawn uniformly at random in each
//     ("random quasi-even"), so that each classifier, drawing from the same
//     seeded source in turn, sees a slightly different selection.
//
// "Evenly spaced" means the centres of P equal segments (TSN-style), the
// same rule as data.UniformIndices. Indices are returned in increasing
// (temporal) order. When a window has fewer frames than requested, frames
// repeat; when T < M, the main windows are single frames and may coincide
// (the only case where they overlap).
//
// The paper states neither M nor P. DefaultM = 4 and DefaultP = 8 are this
// project's choice (P = 8 is X-CLIP's usual frame count; M = 4 keeps four
// non-overlapping windows of a 2 s clip at 25 fps at 12 frames each), and the
// spec fields override them.
//
// The frozen data.WindowIndices is an earlier reading of the same schemes
// whose semi-dense context is drawn from the whole video rather than from the
// complement of the main window; this package follows the paper ("the
// contextual window covers the complementary frames of the main window").
package sampling
