package animalmotionclip

import (
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// Scope is the root variable scope of the model.
const Scope = "animalmotionclip"

// embedStd is the standard deviation of the class token and positional embeddings at start
// (CLIP's width^-½ at D = 512 is 0.044; at reduced width a fixed 0.02 as in ViT).
const embedStd = 0.02

// PatchEmbed is the "Patch embedding and Positional encoding" submodule (section 2): frames
// [N, H, W, C] cut into non-overlapping p×p patches, each flattened (row, column, channel) and
// projected to D ("conv1" as a linear map), a class token prepended, learned positions added,
// then CLIP's ln_pre. Result [N, 1+P, D] with P = (H/p)·(W/p).
//
// With Config.Stem = S > 0 a convolutional stem with spatial pooling adds to both (this
// reproduction's, not the paper's, which fine-tunes a pre-trained CLIP): a 3×3 convolution
// (zero padding 1) from C to S channels and QuickGELU at every pixel (ConvStem), max-pooled
// over each patch and projected to D ("stem_patch") and added to the patch's token, and
// max-pooled over the whole frame and projected to D ("stem_cls") and added to the class
// token. A from-scratch ViT at 32×32 does not find a few-pixel cue (a leaf, wings) whose
// patch token is averaged with 15 others; a max-pooled local detector marks it in its patch's
// token and in the class token.
func PatchEmbed(ctx *context.Context, c Config, frames *Node) *Node {
	ctx = ctx.In("patch_embed")
	g := frames.Graph()
	n, p, s := frames.Shape().Dimensions[0], c.Patch, c.ImageSize/c.Patch
	x := Reshape(frames, n, s, p, s, p, c.Channels)
	x = TransposeAllDims(x, 0, 1, 3, 2, 4, 5) // [N, rows, cols, p, p, C]
	x = linear(ctx.In("conv1"), Reshape(x, n, s*s, p*p*c.Channels), c.Width)
	cls := variable(ctx, g, x, "class_embedding", initializers.RandomNormalFn(ctx, embedStd), c.Width)
	cls = BroadcastToDims(Reshape(cls, 1, 1, c.Width), n, 1, c.Width)
	if c.Stem > 0 {
		f := Reshape(ConvStem(ctx.In("stem"), c, frames), n, s, p, s, p, c.Stem)
		local := Reshape(ReduceMax(f, 2, 4), n, s*s, c.Stem) // max over each patch's p×p pixels
		x = Add(x, linear(ctx.In("stem_patch"), local, c.Width))
		global := Reshape(ReduceMax(local, 1), n, 1, c.Stem) // max over the frame
		cls = Add(cls, linear(ctx.In("stem_cls"), global, c.Width))
	}
	x = Concatenate([]*Node{cls, x}, 1)
	pos := variable(ctx, g, x, "positional_embedding", initializers.RandomNormalFn(ctx, embedStd), s*s+1, c.Width)
	x = Add(x, BroadcastToDims(InsertAxes(pos, 0), n, s*s+1, c.Width))
	return layerNorm(ctx.In("ln_pre"), x)
}

// ConvStem is the stem's 3×3 convolution with zero padding 1, C → Config.Stem channels, then
// QuickGELU, on frames [N, H, W, C]: [N, H, W, Stem]. The 3×3 neighbourhood of every pixel is
// gathered by slicing the padded frames (row offset, column offset, channel order: a PyTorch
// conv2d kernel [S, C, 3, 3] permuted to [3, 3, C, S]) and mapped by one linear layer.
func ConvStem(ctx *context.Context, c Config, frames *Node) *Node {
	dims := frames.Shape().Dimensions
	n, h, w, ch := dims[0], dims[1], dims[2], dims[3]
	zr := ZerosLike(Slice(frames, AxisRange(), AxisRange(0, 1), AxisRange(), AxisRange()))
	x := Concatenate([]*Node{zr, frames, zr}, 1) // [N, H+2, W, C]
	zc := ZerosLike(Slice(x, AxisRange(), AxisRange(), AxisRange(0, 1), AxisRange()))
	x = Concatenate([]*Node{zc, x, zc}, 2) // [N, H+2, W+2, C]
	nb := make([]*Node, 0, 9)
	for dy := range 3 {
		for dx := range 3 {
			nb = append(nb, Slice(x, AxisRange(), AxisRange(dy, dy+h), AxisRange(dx, dx+w), AxisRange()))
		}
	}
	x = Reshape(Concatenate(nb, 3), n, h*w, 9*ch)
	return Reshape(quickGELU(linear(ctx, x, c.Stem)), n, h, w, c.Stem)
}

// crossFrameBlock is one frame-level block with X-CLIP's cross-frame communication (X-CLIP
// section 3.2): each frame's class token becomes a message token m_t (a linear map);
// the T messages of a video exchange information, m += MSA(LN(m)); each frame's tokens
// are extended by its own message and go through the block's self-attention (the message dropped
// afterwards), then the MLP. x is [N·T, L, D] with the T frames of a video consecutive.
func crossFrameBlock(ctx *context.Context, c Config, x *Node, frames int) *Node {
	nt, l, d := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	n := nt / frames
	cls := Reshape(Slice(x, AxisRange(), AxisElem(0), AxisRange()), n, frames, d)
	msg := linear(ctx.In("message_fc"), cls, d)
	mh := layerNorm(ctx.In("message_ln"), msg)
	msg = Add(msg, attention(ctx.In("message_attn"), c.Heads, mh, mh)) // the T messages of a video attend to each other
	x = Concatenate([]*Node{x, Reshape(msg, nt, 1, d)}, 1)             // [N·T, L+1, D]
	h := layerNorm(ctx.In("ln_1"), x)
	x = Add(x, attention(ctx.In("attn"), c.Heads, h, h)) // each frame's tokens and its message
	x = Slice(x, AxisRange(), AxisRange(0, l), AxisRange())
	return Add(x, mlp(ctx.In("mlp"), c.MLPRatio, layerNorm(ctx.In("ln_2"), x)))
}

// FrameEncoder is the "Frame-level Encoder" submodule (section 2): the cross-frame blocks, then
// CLIP's ln_post and output projection on every token. tokens [N·T, 1+P, D] (PatchEmbed's);
// returns the frame embeddings (class tokens) [N, T, D] and the visual tokens (patches) [N, T, P, D].
func FrameEncoder(ctx *context.Context, c Config, tokens *Node, frames int) (cls, patches *Node) {
	ctx = ctx.In("frame_encoder")
	x := tokens
	for i := range c.Layers {
		x = crossFrameBlock(ctx.Inf("block_%d", i), c, x, frames)
	}
	x = linear(ctx.In("proj"), layerNorm(ctx.In("ln_post"), x), c.Width)
	nt, l, d := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	n := nt / frames
	x = Reshape(x, n, frames, l, d)
	cls = Reshape(Slice(x, AxisRange(), AxisRange(), AxisElem(0), AxisRange()), n, frames, d)
	patches = Slice(x, AxisRange(), AxisRange(), AxisRange(1, l), AxisRange())
	return cls, patches
}

// MIT is the "Temporal Attention" submodule (section 2), X-CLIP's multi-frame integration
// Transformer (section 3.2): learned temporal positions added to the frame embeddings f [N, T, D],
// Transformer blocks, a residual to f, and the mean over the T frames: the video embedding [N, D].
func MIT(ctx *context.Context, c Config, f *Node) *Node {
	ctx = ctx.In("mit")
	n, t, d := f.Shape().Dimensions[0], f.Shape().Dimensions[1], f.Shape().Dimensions[2]
	pos := variable(ctx, f.Graph(), f, "positional_embedding", initializers.RandomNormalFn(ctx, embedStd), t, d)
	x := Add(f, BroadcastToDims(InsertAxes(pos, 0), n, t, d))
	for i := range c.MITLayers {
		x = residualBlock(ctx.Inf("block_%d", i), c, x)
	}
	return ReduceMean(Add(x, f), 1)
}

// TextEmbed projects the frozen text encoder's class embeddings text [K, E] to the matching
// space [K, D] (a trainable linear map: the frozen encoder's width differs from D).
func TextEmbed(ctx *context.Context, c Config, text *Node) *Node {
	return linear(ctx.In("text_proj"), text, c.Width)
}

// VideoPrompt is the "Video-Text alignment" submodule (section 2), X-CLIP's video-specific
// prompt generator (X-CLIP section 3.3): the visual tokens, averaged over the frames,
// pass X-CLIP's prompts_visual_ln and prompts_visual_proj and a LayerNorm; each class embedding
// t [N, K, D] is then refined by PromptLayers layers of t += CrossAttn(LN(t), visual) and
// t += MLP(LN(t)); the result, scaled per dimension by the learnable α (starting at
// Config.PromptAlpha), is added to t. patches [N, T, P, D]; returns [N, K, D].
func VideoPrompt(ctx *context.Context, c Config, text, patches *Node) *Node {
	if c.PromptLayers == 0 {
		return text
	}
	ctx = ctx.In("prompt")
	visual := ReduceMean(patches, 1) // [N, P, D]
	visual = linear(ctx.In("visual_proj"), layerNorm(ctx.In("visual_ln"), visual), c.Width)
	visual = layerNorm(ctx.In("norm"), visual)
	q := text
	for i := range c.PromptLayers {
		lctx := ctx.Inf("layer_%d", i)
		q = Add(q, attention(lctx.In("cross_attn"), c.Heads, layerNorm(lctx.In("norm1"), q), visual))
		q = Add(q, mlp(lctx.In("mlp"), c.MLPRatio, layerNorm(lctx.In("norm3"), q)))
	}
	alpha := variable(ctx, text.Graph(), text, "alpha", constInit(c.PromptAlpha), c.Width)
	return Add(text, Mul(q, broadcastLast(alpha, q.Shape().Dimensions)))
}

// unit divides x by its L2 norm on the last axis.
func unit(x *Node) *Node {
	return Div(x, BroadcastToDims(Sqrt(ReduceAndKeep(Square(x), ReduceSum, -1)), x.Shape().Dimensions...))
}

// Logits is the video–text matching: exp(τ)·cos(v, t_k) + b for every class k (CLIP's
// logit_scale; b this package's bias, see the package doc). v [N, D], t [N, K, D]; [N, K].
func Logits(ctx *context.Context, c Config, v, t *Node) *Node {
	ctx = ctx.In("match")
	g := v.Graph()
	scale := variable(ctx, g, v, "logit_scale", constInit(c.LogitScale))
	bias := variable(ctx, g, v, "logit_bias", constInit(c.LogitBias))
	cos := Einsum("nd,nkd->nk", unit(v), unit(t))
	return Add(Mul(cos, Exp(scale)), bias)
}

// Output is the forward pass of the M classifiers on a batch of B videos.
type Output struct {
	Logits *Node // [B, M, K]: each classifier's matching logits (the sigmoid's inputs)
	Scores *Node // [B, K]: the Score Aggregation module's average of the M sigmoid score vectors
	Video  *Node // [B, M, D]: each classifier's video embedding
}

// Forward runs the M weight-sharing classifiers (section 2, Fig. 1) on frames
// [B, M, T, H, W, C] (classifier m's T frames, values in [0, 1]; interleaved I1 F1 I2 F2 ...
// for RGB+flow) against the frozen class-text embeddings text [K, E], and aggregates their
// scores: Scores = (1/M) Σ_m σ(Logits[:, m]).
func Forward(ctx *context.Context, c Config, frames, text *Node) Output {
	ctx = ctx.In(Scope)
	dims := frames.Shape().Dimensions
	b, m, t := dims[0], dims[1], dims[2]
	n := b * m
	x := Reshape(frames, n*t, c.ImageSize, c.ImageSize, c.Channels)
	cls, patches := FrameEncoder(ctx, c, PatchEmbed(ctx, c, x), t)
	video := MIT(ctx, c, cls) // [N, D]
	tk := TextEmbed(ctx, c, text)
	k := tk.Shape().Dimensions[0]
	tn := BroadcastToDims(InsertAxes(tk, 0), n, k, c.Width)
	tn = VideoPrompt(ctx, c, tn, patches)
	logits := Reshape(Logits(ctx, c, video, tn), b, m, k)
	return Output{Logits: logits, Scores: ReduceMean(Sigmoid(logits), 1), Video: Reshape(video, b, m, c.Width)}
}

// Loss is the binary cross-entropy of every classifier's logits [B, M, K] against the video's
// labels y [B, K] (multi-hot), averaged over videos, classifiers and labels (section 2: "a
// sigmoid activation function per label and the cross-entropy loss"; each classifier is
// trained on its own frame selection, all against the video's labels). In the stable form
// max(z, 0) − z·y + log(1 + e^{−|z|}).
func Loss(logits, y *Node) *Node {
	m := logits.Shape().Dimensions[1]
	yb := BroadcastToDims(InsertAxes(y, 1), y.Shape().Dimensions[0], m, y.Shape().Dimensions[1])
	l := Add(Sub(Max(logits, ZerosLike(logits)), Mul(logits, yb)), Log1P(Exp(Neg(Abs(logits)))))
	return ReduceAllMean(l)
}

// CountParams is the number of trainable parameters under the model's scope in ctx (after a
// graph has been built with it).
func CountParams(ctx *context.Context) int64 {
	var n int64
	for v := range ctx.IterVariables() {
		if v.Trainable && strings.HasPrefix(v.Scope(), "/"+Scope) {
			n += int64(v.Shape().Size())
		}
	}
	return n
}
