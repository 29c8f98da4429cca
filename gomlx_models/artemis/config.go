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
	// FusionCode (the default) is the authors' public code (edofazza/ARTEMIS
	// artemis_code/models/artemis.py:74,145): a PyTorch nn.Transformer
	// encoder-decoder (6 encoder + 6 decoder layers, post-norm, final
	// LayerNorms) with the t video-text tokens as source and the K class
	// queries as target.
	FusionCode = "code"
	// FusionPaper is section 3.1.3 as printed: one transformer (encoder)
	// layer over the t+K concatenated tokens (Eq. 14-15), keeping the K query
	// tokens as H_fused.
	FusionPaper = "paper"
)

// Forms of the parts where the paper and the authors' code compute different
// functions. FormCode is the default everywhere; FormPaper is the paper's
// reading, kept as a named option.
const (
	FormCode  = "code"
	FormPaper = "paper"
)

// Feature-alignment losses of section 3.3.
const (
	AlignNone        = "none"
	AlignContrastive = "contrastive" // Eq. 17 (ContrastiveForm).
	AlignCosine      = "cosine"      // Eq. 18 (CosineAxis).
	AlignCCA         = "cca"         // Eq. 19 (CCAForm).
)

// Axis along which the cosine alignment loss compares fb1 and fb2.
const (
	// CosineClass (the authors' code, the default): nn.CosineSimilarity(dim=1)
	// on the [B, K, E] features fb1 = H_v^final mapped by W_j and fb2 =
	// H_q^final (artemis_contrastive.py:31,228,298), one value per feature,
	// averaged.
	CosineClass = "class"
	// CosineFeature (the paper, Eq. 18): fb1 and fb2 are the branch outputs
	// averaged over their tokens, compared along the E feature axis.
	CosineFeature = "feature"
)

// Layouts of the video tokens X.
const (
	// VideoFrames: X is [B, T, D], one token per frame in time order (the
	// synthetic twin's layout). Eq. 1 pools the T frames to t tokens; code
	// and paper agree.
	VideoFrames = "frames"
	// VideoTimeSformer: X is Hugging Face TimesformerModel's
	// last_hidden_state, [B, 1+P*T, D] with P patches per frame (196 at
	// 224x224): the CLS token, then the patch tokens patch-major (for each
	// patch, its T frames). This is what the authors' code feeds to Eq. 1 and
	// R_b (artemis.py:82,86,99). Use it for real TimeSformer features.
	VideoTimeSformer = "timesformer"
)

// Residuals are the five residual connections of Table 1.
type Residuals struct {
	Hv       bool // R_Hv: H_v^final W_j added to the transformer output (Eq. after 15; artemis.py:54,114-116,147-148).
	Seq      bool // R_seq: added to the output of Linear1 (RSeqForm: S' in the code, H_v W_seq in Eq. 6).
	Backbone bool // R_b: R_backbone = Pool(X W_res1) added to the output of Linear1 (RbForm; Eq. 5, 7).
	Hq       bool // R_Hq: H_q^final added to the transformer output (Eq. after 15; artemis.py:150-151).
	F        bool // F_r: F_residual = F W_res2 added to the output of Linear2 (Eq. 12-13; artemis.py:49-50,120-121,129-130).
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

// Config holds every size and switch of the model. CodeConfig (=
// DefaultConfig) returns the authors' code at the paper's sizes; PaperConfig
// switches every option to the paper's reading. Smoke runs shrink the sizes.
//
// Empty option strings mean the code's form, and EncLayers/DecLayers 0 mean
// the fusion's own depth (code: 6+6; paper: 1), so a Config literal that
// sets only sizes builds the authors' model.
//
// Initialisation is PyTorch's default everywhere (see init.go): nn.Linear and
// nn.Conv1d U(±1/sqrt(fan_in)) for weights and biases; nn.LSTM/nn.GRU
// U(±1/sqrt(hidden)); inside nn.Transformer xavier_uniform_ on every matrix
// (nn.Transformer._reset_parameters), zero attention biases, LayerNorm 1/0;
// the group-wise head U(±1/sqrt(E)) for W and b (artemis.py:329-335).
type Config struct {
	NumFrames int // T: frames of the video (X has T tokens with VideoFrames, 1+Patches*T with VideoTimeSformer).
	VideoDim  int // D: width of the video tokens (768 for TimeSformer).
	ImageDim  int // width of the image embedding F (768: CLIP ViT-B/16's pooler output, artemis.py:58,118); 0 means EmbedDim.
	EmbedDim  int // E: width of text and fused embeddings (512 for CLIP).
	NumClass  int // K: action classes (140 in Animal Kingdom).
	Tokens    int // t: tokens after adaptive pooling (16, hard-coded in the authors' code).

	// VideoLayout is VideoFrames (default) or VideoTimeSformer; Patches is
	// P, the patch tokens per frame of VideoTimeSformer (196).
	VideoLayout string
	Patches     int
	// TokenPool is how Eq. 1 and R_b pool X with VideoTimeSformer. FormCode:
	// AdaptiveAvgPool1d over the flat 1+P*T token sequence, as the code does
	// (artemis.py:86,99), which yields spatial bands rather than time steps.
	// FormPaper: the paper's "averaged over time" reading, the P patches of
	// each frame averaged first (CLS dropped), then the T frames pooled to t.
	// Ignored with VideoFrames, where both agree.
	TokenPool string

	TextLayer  string // one of TextLayers.
	TextHidden int    // units per direction of biLSTM/GRU (256); 2*TextHidden must equal EmbedDim.
	// TextAcrossBatch reproduces a quirk of the authors' code: the
	// description enters nn.LSTM/nn.GRU as a (B, 1, E) tensor without
	// batch_first (artemis.py:31,33,88-90), so PyTorch reads a sequence of
	// length B with batch 1 and the recurrence runs across the clips of the
	// batch (a clip's S' depends on the clips before and after it in the
	// batch). Off by default: the per-clip meaning of Eq. 2 (a length-1
	// sequence from a zero state), which is also what the code's weights
	// compute for a batch of one.
	TextAcrossBatch bool
	Residuals       Residuals
	// RSeqForm: FormCode (default) adds S' ⊗ 1_t, the output of the
	// sequence-processing layer (artemis.py:107-109; Table 1's caption:
	// "the residual from the sequence processing layer"). FormPaper adds
	// H_v W_seq (Eq. 6), which is linear in Z and so redundant with Linear1.
	RSeqForm string
	// RbForm: FormCode (default) keeps the t pooled tokens of X W_res1
	// (nn.AdaptiveAvgPool1d(16), artemis.py:43-44,85-86). FormPaper averages
	// X W_res1 over all of X's tokens ("averaged over time", Eq. 5) and
	// broadcasts the one vector over the t tokens.
	RbForm string

	Fusion    string  // FusionCode (default) or FusionPaper.
	Heads     int     // attention heads (8).
	FFDim     int     // transformer feed-forward width (2048).
	EncLayers int     // encoder layers; 0: 6 for FusionCode, 1 for FusionPaper.
	DecLayers int     // decoder layers of FusionCode; 0: 6. Ignored by FusionPaper.
	Dropout   float64 // every dropout of the code (0.1): positional encoding (artemis.py:294-310), attention weights, the transformer layers'.

	// TextOnly replaces the video tokens X and the image embedding F by
	// learned constants: the model then reads only the description S (and
	// the class queries). Used on the real Animal Kingdom text track, whose
	// visual inputs are absent.
	TextOnly bool

	Align       string  // AlignNone, AlignContrastive, AlignCosine or AlignCCA.
	AlignWeight float64 // weight of the alignment loss (0.1; 1e-4 for CCA).
	CosineAxis  string  // CosineClass (code, default) or CosineFeature (paper).
	// ContrastiveForm: FormCode (default) is artemis_contrastive.py:14-23,296:
	// per class, between fb1 = H_v^final mapped by W_j and fb2 = H_q^final
	// ([B, K, E]), squared distances, and the multi-hot label y of the class
	// in the paper's inverted role: mean((1-y) d^2 + y max(0, 1-d)^2).
	// FormPaper is Eq. 17 over pairs of clips of the batch on the
	// token-averaged branch outputs, unsquared distance, y = 1 when two clips
	// share a label.
	ContrastiveForm string
	// CCAForm: FormCode (default) is artemis_contrastive.py:39-84: minus the
	// sum of the singular values of Σ11⁻¹ Σ12 Σ22⁻¹ (ridge CCARidge) on the
	// class-averaged fb1, fb2, computed here without eigen/SVD ops (see
	// ccaCode). FormPaper is Eq. 19 as printed, a trace ratio with learned
	// projections W_fb1, W_fb2 of width CCADim.
	CCAForm  string
	CCADim   int     // FormPaper: output width of W_fb1, W_fb2 (0 means EmbedDim).
	CCARidge float64 // ridge added to the auto-covariances (1e-4, artemis_contrastive.py:40).
	// CCAIters is the number of Newton–Schulz iterations of FormCode (0: 30).
	CCAIters int

	dp *dropper // set by Build in training mode
}

// CodeConfig returns the authors' code (edofazza/ARTEMIS @ a1ec8b6) at the
// paper's sizes with the given text layer and residuals: nn.Transformer 6+6
// (d_model 512, 8 heads, FF 2048, dropout 0.1), F of width 768, and every
// form at FormCode.
func CodeConfig(text string, r Residuals) Config {
	return Config{
		NumFrames: 16, VideoDim: 768, ImageDim: 768, EmbedDim: 512, NumClass: 140, Tokens: 16,
		VideoLayout: VideoFrames, Patches: 196, TokenPool: FormCode,
		TextLayer: text, TextHidden: 256, Residuals: r, RSeqForm: FormCode, RbForm: FormCode,
		Fusion: FusionCode, Heads: 8, FFDim: 2048, EncLayers: 6, DecLayers: 6, Dropout: 0.1,
		Align: AlignNone, CosineAxis: CosineClass, ContrastiveForm: FormCode, CCAForm: FormCode, CCARidge: 1e-4,
	}
}

// DefaultConfig is CodeConfig: the authors' code is the default.
func DefaultConfig(text string, r Residuals) Config { return CodeConfig(text, r) }

// PaperConfig is CodeConfig with every option at the paper's reading: one
// fusion layer over t+K tokens, R_seq = H_v W_seq, R_b averaged over time,
// the feature-axis cosine, the pair contrastive loss and Eq. 19 as printed.
func PaperConfig(text string, r Residuals) Config {
	c := CodeConfig(text, r)
	c.Fusion, c.EncLayers, c.DecLayers = FusionPaper, 1, 0
	c.RSeqForm, c.RbForm, c.TokenPool = FormPaper, FormPaper, FormPaper
	c.CosineAxis, c.ContrastiveForm, c.CCAForm = CosineFeature, FormPaper, FormPaper
	return c
}

// LayersUsed returns the encoder and decoder depths Build uses: EncLayers
// and DecLayers, 0 meaning the fusion's own (code 6+6, paper 1+0).
func (c Config) LayersUsed() []int {
	e, d := c.layers()
	return []int{e, d}
}

// layers returns the encoder and decoder depths, 0 meaning the fusion's own.
func (c Config) layers() (enc, dec int) {
	enc, dec = c.EncLayers, c.DecLayers
	if c.Fusion == FusionPaper {
		if enc == 0 {
			enc = 1
		}
		return enc, 0
	}
	if enc == 0 {
		enc = 6
	}
	if dec == 0 {
		dec = 6
	}
	return enc, dec
}

func (c Config) imageDim() int {
	if c.ImageDim == 0 {
		return c.EmbedDim
	}
	return c.ImageDim
}

// videoTokens is the number of tokens of X.
func (c Config) videoTokens() int {
	if c.VideoLayout == VideoTimeSformer {
		return 1 + c.Patches*c.NumFrames
	}
	return c.NumFrames
}

func isForm(s string) bool { return s == "" || s == FormCode || s == FormPaper }

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
	case FusionPaper, FusionCode, "":
	default:
		return fmt.Errorf("artemis: Fusion %q is not %q or %q", c.Fusion, FusionCode, FusionPaper)
	}
	if c.EncLayers < 0 || c.DecLayers < 0 {
		return fmt.Errorf("artemis: EncLayers and DecLayers must be >= 0 (0: the fusion's own depth), got %d and %d", c.EncLayers, c.DecLayers)
	}
	for _, f := range []struct{ v, n string }{{c.RSeqForm, "RSeqForm"}, {c.RbForm, "RbForm"}, {c.TokenPool, "TokenPool"},
		{c.ContrastiveForm, "ContrastiveForm"}, {c.CCAForm, "CCAForm"}} {
		if !isForm(f.v) {
			return fmt.Errorf("artemis: %s %q is not %q or %q", f.n, f.v, FormCode, FormPaper)
		}
	}
	switch c.VideoLayout {
	case "", VideoFrames:
	case VideoTimeSformer:
		if c.Patches < 1 {
			return fmt.Errorf("artemis: VideoLayout %q needs Patches >= 1, got %d", c.VideoLayout, c.Patches)
		}
	default:
		return fmt.Errorf("artemis: VideoLayout %q is not %q or %q", c.VideoLayout, VideoFrames, VideoTimeSformer)
	}
	if c.ImageDim < 0 || c.CCAIters < 0 {
		return fmt.Errorf("artemis: ImageDim and CCAIters must be >= 0, got %d and %d", c.ImageDim, c.CCAIters)
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
