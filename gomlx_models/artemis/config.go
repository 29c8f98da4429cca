package artemis

import (
	"fmt"
	"strings"
)

// Text layers applied to the description embedding S (Eq. 2). The names are
// the spec values.
const (
	TextNone   = "none"   // S is used as is ("–" in Table 1).
	TextBiLSTM = "bilstm" // bidirectional LSTM, TextHidden units per direction.
	TextGRU    = "gru"    // bidirectional GRU, TextHidden units per direction.
	TextConv   = "conv"   // 1-D convolution over the E features: one channel, kernel 3, padding 1.
)

// TextLayers lists the text layers in the order of Table 1.
var TextLayers = []string{TextNone, TextBiLSTM, TextGRU, TextConv}

// Late-fusion variants (Eq. 14-15).
const (
	// FusionPaper is section 3.1.3: one transformer (encoder) layer over the
	// t+K concatenated tokens, keeping the K query tokens as H_fused.
	FusionPaper = "paper"
	// FusionCode is the authors' public code (edofazza/ARTEMIS): a PyTorch
	// nn.Transformer encoder-decoder (6 encoder + 6 decoder layers at full
	// size) with the t video-text tokens as source and the K class queries as
	// target.
	FusionCode = "code"
)

// Feature-alignment losses of section 3.3.
const (
	AlignNone        = "none"
	AlignContrastive = "contrastive" // Eq. 17, Euclidean distance, margin 1.
	AlignCosine      = "cosine"      // Eq. 18.
	AlignCCA         = "cca"         // Eq. 19.
)

// Axis along which the cosine alignment loss compares fb1 and fb2.
const (
	// CosineFeature (the paper, Eq. 18): fb1 and fb2 are the branch outputs
	// averaged over their tokens, compared along the E feature axis.
	CosineFeature = "feature"
	// CosineClass (the authors' code): the cosine is taken along the class
	// axis of the [K, E] features (fb1 = W_j-mapped H_v^final, fb2 =
	// H_q^final), one value per feature, averaged.
	CosineClass = "class"
)

// Residuals are the five residual connections of Table 1.
type Residuals struct {
	Hv       bool // R_Hv: H_v^final W_j added to the transformer output (Eq. after 15).
	Seq      bool // R_seq: R_sequence = H_v W_seq added to the output of Linear1 (Eq. 6-7).
	Backbone bool // R_b: R_backbone = AvgPool(X W_res1) added to the output of Linear1 (Eq. 5, 7).
	Hq       bool // R_Hq: H_q^final added to the transformer output (Eq. after 15).
	F        bool // F_r: F_residual = F W_res2 added to the output of Linear2 (Eq. 12-13).
}

// AllResiduals has every residual on (the "ARTEMIS" rows of Table 1).
var AllResiduals = Residuals{Hv: true, Seq: true, Backbone: true, Hq: true, F: true}

// String lists the residuals that are on, e.g. "R_Hv,R_b,F_r", or "none".
func (r Residuals) String() string {
	var on []string
	for _, x := range []struct {
		b bool
		n string
	}{{r.Hv, "R_Hv"}, {r.Seq, "R_seq"}, {r.Backbone, "R_b"}, {r.Hq, "R_Hq"}, {r.F, "F_r"}} {
		if x.b {
			on = append(on, x.n)
		}
	}
	if len(on) == 0 {
		return "none"
	}
	return strings.Join(on, ",")
}

// Config holds every size and switch of the model. PaperConfig returns the
// sizes of the paper; smoke runs shrink them.
type Config struct {
	NumFrames int // T: video tokens from the backbone (X is [T, D]).
	VideoDim  int // D: width of the video tokens (768 for TimeSformer).
	EmbedDim  int // E: width of text, image and fused embeddings (512 for CLIP).
	NumClass  int // K: action classes (140 in Animal Kingdom).
	Tokens    int // t: tokens after adaptive pooling (16, hard-coded in the authors' code).

	TextLayer  string // one of TextLayers.
	TextHidden int    // units per direction of biLSTM/GRU (256); 2*TextHidden must equal EmbedDim.
	Residuals  Residuals

	Fusion    string  // FusionPaper or FusionCode.
	Heads     int     // attention heads (8).
	FFDim     int     // transformer feed-forward width (2048).
	EncLayers int     // encoder layers: 1 for FusionPaper, 6 for FusionCode.
	DecLayers int     // decoder layers of FusionCode (6); ignored by FusionPaper.
	Dropout   float64 // transformer dropout (0.1, PyTorch's default).

	// TextOnly replaces the video tokens X and the image embedding F by
	// learned constants: the model then reads only the description S (and
	// the class queries). Used on the real Animal Kingdom text track, whose
	// visual inputs are absent.
	TextOnly bool

	Align       string  // AlignNone, AlignContrastive, AlignCosine or AlignCCA.
	AlignWeight float64 // weight of the alignment loss (0.1; 1e-4 for CCA).
	CosineAxis  string  // CosineFeature (paper) or CosineClass (authors' code).
	CCADim      int     // output width of W_fb1, W_fb2 in Eq. 19 (0 means EmbedDim).
	CCARidge    float64 // ridge added to the auto-covariances of Eq. 19 (1e-4).
}

// PaperConfig returns the full-size model of the paper with the given text
// layer and residuals, and the "paper" fusion.
func PaperConfig(text string, r Residuals) Config {
	return Config{
		NumFrames: 16, VideoDim: 768, EmbedDim: 512, NumClass: 140, Tokens: 16,
		TextLayer: text, TextHidden: 256, Residuals: r,
		Fusion: FusionPaper, Heads: 8, FFDim: 2048, EncLayers: 1, DecLayers: 0, Dropout: 0.1,
		Align: AlignNone, CosineAxis: CosineFeature, CCARidge: 1e-4,
	}
}

// CodeConfig is PaperConfig with the encoder-decoder fusion of the authors'
// code (d_model 512, 8 heads, FF 2048, 6+6 layers, dropout 0.1).
func CodeConfig(text string, r Residuals) Config {
	c := PaperConfig(text, r)
	c.Fusion, c.EncLayers, c.DecLayers = FusionCode, 6, 6
	c.CosineAxis = CosineClass
	return c
}

// DefaultAlignWeight is the weight section 3.3 gives each alignment loss:
// 0.1, except 0.0001 for CCA.
func DefaultAlignWeight(align string) float64 {
	switch align {
	case AlignCCA:
		return 1e-4
	case AlignNone, "":
		return 0
	}
	return 0.1
}

// Validate reports the first inconsistent field by name.
func (c Config) Validate() error {
	pos := []struct {
		v int
		n string
	}{{c.NumFrames, "NumFrames (T)"}, {c.VideoDim, "VideoDim (D)"}, {c.EmbedDim, "EmbedDim (E)"},
		{c.NumClass, "NumClass (K)"}, {c.Tokens, "Tokens (t)"}, {c.Heads, "Heads"}, {c.FFDim, "FFDim"}}
	for _, p := range pos {
		if p.v <= 0 {
			return fmt.Errorf("artemis: %s must be positive, got %d", p.n, p.v)
		}
	}
	switch c.TextLayer {
	case TextNone, TextConv:
	case TextBiLSTM, TextGRU:
		if 2*c.TextHidden != c.EmbedDim {
			return fmt.Errorf("artemis: TextHidden (%d per direction) times 2 must equal EmbedDim (%d) so that Eq. 2 keeps the width E", c.TextHidden, c.EmbedDim)
		}
	default:
		return fmt.Errorf("artemis: TextLayer %q is not one of %v", c.TextLayer, TextLayers)
	}
	if c.EmbedDim%c.Heads != 0 {
		return fmt.Errorf("artemis: EmbedDim %d is not divisible by Heads %d", c.EmbedDim, c.Heads)
	}
	switch c.Fusion {
	case FusionPaper:
		if c.EncLayers < 1 {
			return fmt.Errorf("artemis: EncLayers must be >= 1 for fusion %q, got %d", c.Fusion, c.EncLayers)
		}
	case FusionCode:
		if c.EncLayers < 1 || c.DecLayers < 1 {
			return fmt.Errorf("artemis: fusion %q needs EncLayers and DecLayers >= 1, got %d and %d", c.Fusion, c.EncLayers, c.DecLayers)
		}
	default:
		return fmt.Errorf("artemis: Fusion %q is not %q or %q", c.Fusion, FusionPaper, FusionCode)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		return fmt.Errorf("artemis: Dropout must be in [0,1), got %g", c.Dropout)
	}
	switch c.Align {
	case AlignNone, "", AlignContrastive, AlignCosine, AlignCCA:
	default:
		return fmt.Errorf("artemis: Align %q is not one of none, contrastive, cosine, cca", c.Align)
	}
	switch c.CosineAxis {
	case CosineFeature, CosineClass, "":
	default:
		return fmt.Errorf("artemis: CosineAxis %q is not %q or %q", c.CosineAxis, CosineFeature, CosineClass)
	}
	if c.AlignWeight < 0 || c.CCARidge < 0 || c.CCADim < 0 {
		return fmt.Errorf("artemis: AlignWeight, CCARidge and CCADim must be >= 0")
	}
	return nil
}
