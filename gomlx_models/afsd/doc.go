// Package afsd is the anchor-free saliency-based temporal action detector of AFSD (Lin et al.,
// CVPR 2021; TencentYoutuResearch/ActionDetection-AFSD @ ed86a0d, AFSD/thumos14/) at feature
// level, the baseline the GAF paper (../shared/papers/gaf.txt, Tables I, III, V, VII) compares
// with and builds on. It builds GoMLX graphs (the coarse pyramid, its heads, the frame-level
// start/end branch, the refinement stage with boundary max-pooling and the quality branch), the
// training losses, and, in plain Go, the windowing, target assignment and post-processing
// (score fusion, Gaussian soft-NMS, top-k).
//
// The geometry is AFSD's: 256-step windows on a 10 fps grid, a 6-level pyramid of 64, 32, 16,
// 8, 4 and 2 points (126 in all, BDNet.py:16-18, 243-250), distances in frames of the window.
// The I3D backbone cannot be trained here: its two taps become temporal poolings of the fixed
// features (see [Taps]); the spatial 1×6×6 and 1×3×3 convolutions on them become 1×1.
//
// Inputs are windows x [B, ClipLength, D], one stream. Widths are options (Config): the paper's
// are 512 channels with GroupNorm(32); the reduced scales use fewer.
package afsd
