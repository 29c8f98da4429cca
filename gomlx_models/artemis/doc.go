// Package artemis builds the ARTEMIS multimodal action-recognition model
// described in "ARTEMIS: Animal Recognition Through Enhanced Multimodal
// Integration System" (International Journal of Machine Learning and
// Cybernetics) as a GoMLX graph.
//
// The model has a video-text fusion branch (Eq. 1-8), an image-text fusion
// branch (Eq. 9-13) and a late-fusion transformer with a per-class linear
// head (Eq. 14-16); Loss adds binary cross-entropy and, optionally, one of the
// three feature-alignment losses of section 3.3 (Eq. 17-19).
//
// Config holds every size and switch: the text layer (none, biLSTM, GRU,
// conv), the five residual flags of Table 1, the fusion variant ("paper": one
// transformer layer over the t+K tokens; "code": the encoder-decoder
// transformer of the authors' public code) and the text-only mode used on the
// real Animal Kingdom text track, where the visual inputs are learned
// constants. Where the paper and the authors' code differ the difference is a
// named option whose comment says which source each value comes from.
//
// The package knows nothing of specs, data files or the command line.
package artemis
