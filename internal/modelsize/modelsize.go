package modelsize

import (
	"fmt"

	model "github.com/actrepro/actrepro/gomlx_models/artemis"
)

// Linear is nn.Linear(in, out, bias).
func Linear(in, out int, bias bool) int64 {
	n := int64(in) * int64(out)
	if bias {
		n += int64(out)
	}
	return n
}

// LayerNorm is nn.LayerNorm(d): a weight and a bias of width d.
func LayerNorm(d int) int64 { return 2 * int64(d) }

// MultiheadAttention is nn.MultiheadAttention(d, heads) with biases:
// in_proj [3d, d] + [3d] and out_proj [d, d] + [d]; the head count does not
// change it.
func MultiheadAttention(d int) int64 { return Linear(d, 3*d, true) + Linear(d, d, true) }

// FeedForward is the two linear layers d -> ff -> d with biases.
func FeedForward(d, ff int) int64 { return Linear(d, ff, true) + Linear(ff, d, true) }

// EncoderLayer is nn.TransformerEncoderLayer(d, heads, ff): self-attention,
// feed-forward, two LayerNorms.
func EncoderLayer(d, ff int) int64 {
	return MultiheadAttention(d) + FeedForward(d, ff) + 2*LayerNorm(d)
}

// DecoderLayer is nn.TransformerDecoderLayer(d, heads, ff): self- and
// cross-attention, feed-forward, three LayerNorms.
func DecoderLayer(d, ff int) int64 {
	return 2*MultiheadAttention(d) + FeedForward(d, ff) + 3*LayerNorm(d)
}

// Transformer is nn.Transformer(d, heads, enc, dec, ff): the layers plus the
// encoder's and the decoder's final LayerNorm.
func Transformer(d, ff, enc, dec int) int64 {
	return int64(enc)*EncoderLayer(d, ff) + int64(dec)*DecoderLayer(d, ff) + 2*LayerNorm(d)
}

// LSTM is a one-layer nn.LSTM(in, hidden, bidirectional): per direction
// W_ih [4h, in], W_hh [4h, h] and two biases [4h].
func LSTM(in, hidden int, bidirectional bool) int64 { return recurrent(4, in, hidden, bidirectional) }

// GRU is a one-layer nn.GRU(in, hidden, bidirectional): three gates.
func GRU(in, hidden int, bidirectional bool) int64 { return recurrent(3, in, hidden, bidirectional) }

func recurrent(gates, in, hidden int, bidirectional bool) int64 {
	g := int64(gates) * int64(hidden)
	n := g*int64(in) + g*int64(hidden) + 2*g
	if bidirectional {
		n *= 2
	}
	return n
}

// ViT are the sizes of a vision transformer backbone.
type ViT struct {
	Width, FF, Layers int // hidden width, MLP width, blocks
	Patch, Image      int // patch and image side in pixels
	Frames            int // TimeSformer only: frames (time embeddings)
	Proj              int // CLIP only: output projection width (0: none, as CLIPVisionModel)
}

// ViTBase16 is ViT-B/16 at 224x224: width 768, MLP 3072, 12 blocks.
var ViTBase16 = ViT{Width: 768, FF: 3072, Layers: 12, Patch: 16, Image: 224}

// Tokens is the number of patch tokens per image plus the class token.
func (v ViT) Tokens() int { return (v.Image/v.Patch)*(v.Image/v.Patch) + 1 }

// CLIPVision is Hugging Face's CLIPVisionModel: patch convolution without
// bias, class embedding, position embedding, pre- and post-LayerNorm, and
// blocks of q/k/v/out projections, two LayerNorms and an MLP. With Proj > 0
// the visual projection (OpenAI CLIP's encode_image) is added.
func CLIPVision(v ViT) int64 {
	d := v.Width
	n := int64(3*v.Patch*v.Patch) * int64(d) // patch_embedding, bias=False
	n += int64(d)                            // class_embedding
	n += int64(v.Tokens()) * int64(d)        // position_embedding
	n += 2 * LayerNorm(d)                    // pre_layrnorm, post_layernorm
	block := 4*Linear(d, d, true) + 2*LayerNorm(d) + FeedForward(d, v.FF)
	n += int64(v.Layers) * block
	if v.Proj > 0 {
		n += Linear(d, v.Proj, false)
	}
	return n
}

// TimeSformer is Hugging Face's TimesformerModel with divided space-time
// attention: patch convolution with bias, CLS token, space and time
// embeddings, and blocks of spatial attention (qkv, output), temporal
// attention (LayerNorm, qkv, output) and temporal_dense, LayerNorms before
// and after, and the MLP; a final LayerNorm.
func TimeSformer(v ViT) int64 {
	d := v.Width
	n := Linear(3*v.Patch*v.Patch, d, true) // patch projection (Conv2d with bias)
	n += int64(d)                           // cls_token
	n += int64(v.Tokens()) * int64(d)       // position_embeddings
	n += int64(v.Frames) * int64(d)         // time_embeddings
	attn := Linear(d, 3*d, true) + Linear(d, d, true)
	block := LayerNorm(d) + attn + // spatial
		LayerNorm(d) + attn + Linear(d, d, true) + // temporal + temporal_dense
		LayerNorm(d) + FeedForward(d, v.FF)
	n += int64(v.Layers) * block
	n += LayerNorm(d)
	return n
}

// Head counts the ARTEMIS head that gomlx_models/artemis builds from c (the
// authors' artemis.py without its two backbones): Linear1 and Linear2
// (no bias), the text layer, the residual maps (R_Hv: t -> K, R_b and F_r:
// D -> E), the class queries L [K, E], the nn.Transformer fusion and the
// group-wise head (W [K, E], b [K]). Only the authors' code forms are
// counted (fusion "code", R_seq and R_b in code form, no TextOnly); other
// forms are an error.
func Head(c model.Config) (int64, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	switch {
	case c.Fusion != "" && c.Fusion != model.FusionCode:
		return 0, fmt.Errorf("modelsize: fusion %q is not counted (only %q, the authors' code)", c.Fusion, model.FusionCode)
	case c.RSeqForm == model.FormPaper:
		return 0, fmt.Errorf("modelsize: R_seq form %q is not counted", c.RSeqForm)
	case c.TextOnly:
		return 0, fmt.Errorf("modelsize: the text-only head (learned input constants) is not counted")
	case c.Align != "" && c.Align != model.AlignNone:
		return 0, fmt.Errorf("modelsize: alignment %q may add parameters; not counted", c.Align)
	}
	d, e, k := c.VideoDim, c.EmbedDim, c.NumClass
	img := c.ImageDim
	if img == 0 {
		img = e
	}
	n := Linear(d+e, e, false) + Linear(img+e, e, false) // Linear1 (Eq. 3), Linear2 (Eq. 11)
	switch c.TextLayer {
	case model.TextConv:
		n += 3 + 1 // nn.Conv1d(1, 1, 3)
	case model.TextBiLSTM:
		n += LSTM(e, c.TextHidden, true)
	case model.TextGRU:
		n += GRU(e, c.TextHidden, true)
	}
	if c.Residuals.Hv {
		n += Linear(c.Tokens, k, true)
	}
	if c.Residuals.Backbone {
		n += Linear(d, e, true)
	}
	if c.Residuals.F {
		n += Linear(img, e, true)
	}
	n += int64(k) * int64(e) // class queries
	enc, dec := c.LayersUsed()[0], c.LayersUsed()[1]
	n += Transformer(e, c.FFDim, enc, dec)
	n += int64(k)*int64(e) + int64(k) // GroupWiseLinear
	return n, nil
}

// Breakdown is a full ARTEMIS model's parameter count by part.
type Breakdown struct {
	TimeSformer int64 // video backbone (TimeSformer-base)
	CLIPVision  int64 // image backbone (CLIP ViT-B/16 vision tower, no projection)
	Fusion      int64 // the nn.Transformer inside the head
	Head        int64 // the whole head, Fusion included
}

// Total is the backbones plus the head.
func (b Breakdown) Total() int64 { return b.TimeSformer + b.CLIPVision + b.Head }

// ARTEMIS counts the model of artemis.py for c: TimeSformer-base with
// c.NumFrames frames, CLIP ViT-B/16's vision tower (pooler output, no
// projection, artemis.py:58,118) and the head. The head's video and image
// widths must be the backbones' (768).
func ARTEMIS(c model.Config) (Breakdown, error) {
	h, err := Head(c)
	if err != nil {
		return Breakdown{}, err
	}
	ts := ViTBase16
	ts.Frames = c.NumFrames
	if c.VideoDim != ts.Width || (c.ImageDim != 0 && c.ImageDim != ts.Width) {
		return Breakdown{}, fmt.Errorf("modelsize: the head's video/image widths (%d/%d) are not the backbones' %d", c.VideoDim, c.ImageDim, ts.Width)
	}
	enc, dec := c.LayersUsed()[0], c.LayersUsed()[1]
	return Breakdown{TimeSformer: TimeSformer(ts), CLIPVision: CLIPVision(ViTBase16),
		Fusion: Transformer(c.EmbedDim, c.FFDim, enc, dec), Head: h}, nil
}
