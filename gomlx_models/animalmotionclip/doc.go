// Package animalmotionclip is the classifier of "AnimalMotionCLIP: Embedding motion in CLIP for
// Animal Behavior Analysis" (../shared/papers/animalmotionclip.txt, section 2, Fig. 1) at reduced
// width, trained from scratch: an X-CLIP classifier (Ni et al. 2022, the paper's [15]) that reads a
// sequence of frames (RGB frames interleaved with optical-flow images I1 F1 I2 F2 ..., or either
// modality alone), matches its video embedding against the embeddings of the class texts, and
// scores each label with a sigmoid; M such classifiers share their weights, each sees its own
// frame selection (the sampling schemes), and the aggregation module averages their scores
// (section 2, "Score Aggregation"), which a threshold turns into predictions.
//
// The pieces, as section 2 "Video Recognition module" names them:
//   - Patch embedding and positional encoding (PatchEmbed): non-overlapping p×p patches of each
//     frame projected to width D, a class token, learned positions (ViT, the paper's [4]). With
//     Config.Stem > 0 (this package's addition, not the paper's) a 3×3 convolutional stem
//     (ConvStem) is max-pooled over each patch into its token and over the frame into the class
//     token, so that a from-scratch encoder at 32×32 sees cues a few pixels wide.
//   - Frame-level encoder (FrameEncoder): ViT blocks with X-CLIP's cross-frame communication: each
//     block turns every frame's class token into a message token, lets the T message tokens of a
//     video attend to each other, and appends each frame's message to that frame's tokens for the
//     block's self-attention (X-CLIP's cross-frame communication Transformer, its section 3.2).
//   - Temporal attention (MIT): a Transformer over the T frame embeddings with learned temporal
//     positions, a residual around it and the mean over frames: one video embedding (X-CLIP's
//     multi-frame integration Transformer, section 3.2).
//   - Video-guided text encoder (VideoPrompt): the class-text embeddings come from a frozen text
//     encoder (here the project's TF-IDF + LSA encoder, internal/data/textenc, standing in for
//     CLIP's text Transformer, which cannot be had here) through a trainable projection; X-CLIP's
//     video-specific prompt generator then refines them by cross-attention to the video's visual
//     tokens, scaled by a learnable per-dimension α that starts at 0.1 (X-CLIP section 3.3).
//   - Matching (Logits): exp(τ)·cos(v, t_k) + b per class k, a sigmoid per label and the binary
//     cross-entropy (section 2: "a sigmoid activation function per label and the cross-entropy
//     loss"). The bias b is this package's choice: with 140 mostly-absent labels a cosine scaled
//     around 0 starts every sigmoid at 0.5; X-CLIP, single-label, uses a softmax and needs none.
//
// The package builds GoMLX graphs only; training loops live in the task
// (internal/tasks/animalmotionclip). There is no public AnimalMotionCLIP code: the layers follow
// the X-CLIP paper, and the widths, depths, the stem and the bias are choices stated in Config. The X-CLIP
// paper is not in ../shared/papers, so it is cited by section, not by equation number.
package animalmotionclip
