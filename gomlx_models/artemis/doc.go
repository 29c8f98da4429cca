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
// The default (CodeConfig = DefaultConfig) is the authors' public code
// (edofazza/ARTEMIS @ a1ec8b6): nn.Transformer 6+6 fusion, R_seq adding S',
// R_b keeping the pooled tokens, PyTorch-default initialisation, every
// dropout of the code, the code's per-class contrastive loss and its CCA
// (sum of canonical correlations, computed with Newton–Schulz iterations, no
// SVD). Where the paper reads differently, the paper's reading is a named
// option (FormPaper, FusionPaper, CosineFeature; PaperConfig sets them all),
// each with a comment citing the equation and the code line. testdata/ holds
// reference fixtures from an independent PyTorch implementation
// (gen_fixtures.py) that the tests match within 1e-5.
//
// The package knows nothing of specs, data files or the command line.
package artemis
