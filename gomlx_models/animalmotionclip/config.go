package animalmotionclip

import (
	"fmt"
	"math"
)

// Config sizes one classifier (all M share it, and its weights).
type Config struct {
	ImageSize int // H = W of every frame (RGB and flow images alike)
	Channels  int // C: 3 (RGB frames and colour-wheel flow images)
	Patch     int // p: patch side; ImageSize must be a multiple
	// Stem is the channel count of the convolutional stem with spatial pooling (PatchEmbed);
	// 0 (the default) is CLIP's plain linear patch embedding. This reproduction's addition for a
	// from-scratch encoder at 32×32 (REPRODUCE.md, AnimalMotionCLIP), not the paper's.
	Stem      int
	Width     int // D: token width of the frame encoder, the MIT and the matching space
	Heads     int // attention heads of every block (D must be a multiple)
	Layers    int // frame-level encoder blocks (with cross-frame communication)
	MITLayers int // temporal attention (MIT) blocks
	// PromptLayers is the video-specific prompt generator's depth (X-CLIP: 2); 0 turns the
	// video-guided text refinement off (an ablation: plain class-text embeddings).
	PromptLayers int
	MLPRatio     int     // hidden width of every MLP, in units of D (CLIP: 4)
	TextDim      int     // E: width of the frozen text encoder's embeddings
	Classes      int     // K labels
	Frames       int     // T: frames each classifier reads (2P for interleaved RGB+flow, P for one modality)
	Classifiers  int     // M weight-sharing classifiers whose scores are averaged
	PromptAlpha  float64 // initial α of the prompt generator (X-CLIP: 0.1)
	LogitScale   float64 // initial τ of exp(τ)·cos (CLIP: ln(1/0.07))
	LogitBias    float64 // initial b of the matching logits (this package's; see DefaultConfig)
}

// DefaultConfig is the reduced-width classifier used by the tables: 32×32 frames in 8×8
// patches, D = 64, 4 heads, one frame-level block, one MIT block, one prompt layer. The paper
// states none of these (it fine-tunes a CLIP ViT of unstated size); they are sized for 2 CPU
// cores. The initial bias ln(1/(K-1)) starts each sigmoid at about 1/K, the prior of one label
// among K (b is learned).
func DefaultConfig(textDim, classes, frames, classifiers int) Config {
	c := Config{ImageSize: 32, Channels: 3, Patch: 8, Width: 64, Heads: 4, Layers: 1, MITLayers: 1, PromptLayers: 1,
		MLPRatio: 4, TextDim: textDim, Classes: classes, Frames: frames, Classifiers: classifiers,
		PromptAlpha: 0.1, LogitScale: math.Log(1 / 0.07)}
	if classes > 1 {
		c.LogitBias = -math.Log(float64(classes - 1))
	}
	return c
}

// Tokens is the number of patches per frame.
func (c Config) Tokens() int { return (c.ImageSize / c.Patch) * (c.ImageSize / c.Patch) }

// Validate checks the sizes.
func (c Config) Validate() error {
	switch {
	case c.ImageSize < 1 || c.Patch < 1 || c.ImageSize%c.Patch != 0:
		return fmt.Errorf("animalmotionclip: image size %d must be a positive multiple of the patch %d", c.ImageSize, c.Patch)
	case c.Stem < 0:
		return fmt.Errorf("animalmotionclip: stem channels must be >= 0, got %d", c.Stem)
	case c.Channels < 1:
		return fmt.Errorf("animalmotionclip: channels must be >= 1, got %d", c.Channels)
	case c.Width < 1 || c.Heads < 1 || c.Width%c.Heads != 0:
		return fmt.Errorf("animalmotionclip: width %d must be a positive multiple of heads %d", c.Width, c.Heads)
	case c.Layers < 1 || c.MITLayers < 0 || c.PromptLayers < 0 || c.MLPRatio < 1:
		return fmt.Errorf("animalmotionclip: layers %d (>= 1), MIT layers %d, prompt layers %d (>= 0), MLP ratio %d (>= 1)", c.Layers, c.MITLayers, c.PromptLayers, c.MLPRatio)
	case c.TextDim < 1 || c.Classes < 1:
		return fmt.Errorf("animalmotionclip: text width %d and classes %d must be >= 1", c.TextDim, c.Classes)
	case c.Frames < 1 || c.Classifiers < 1:
		return fmt.Errorf("animalmotionclip: frames %d and classifiers %d must be >= 1", c.Frames, c.Classifiers)
	case math.IsNaN(c.PromptAlpha) || math.IsNaN(c.LogitScale) || math.IsNaN(c.LogitBias):
		return fmt.Errorf("animalmotionclip: NaN initial value")
	}
	return nil
}
