package artemis

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gopjrt/dtypes"
)

// Scope is the context scope under which the model creates its variables.
const Scope = "artemis"

// ClassQueriesName is the variable holding the class queries L [K, E]
// (Eq. 10): trainable, initialised from the class-name text embeddings when
// SetClassQueries is called before the first graph is built.
const ClassQueriesName = "class_queries"

// Output is what Build returns.
type Output struct {
	Logits *Node // [B, K]: y_i of Eq. 16, before the sigmoid.
	// Fb1 and Fb2 are the outputs of the two branches that section 3.3
	// aligns: H_v^final [B, t, E] and H_q^final [B, K, E].
	Fb1, Fb2 *Node
	// Fb1K is Fb1 mapped to the K class tokens by W_j (the R_Hv map), [B, K, E].
	Fb1K *Node
}

// SetClassQueries initialises the class queries L [K, E] with emb (the class
// names through the text encoder). Call it before the first Build; the
// variable stays trainable, as in the authors' code.
func SetClassQueries(ctx *context.Context, emb [][]float32) error {
	if len(emb) == 0 || len(emb[0]) == 0 {
		return fmt.Errorf("artemis: empty class-query embedding")
	}
	k, e := len(emb), len(emb[0])
	flat := make([]float32, 0, k*e)
	for i, row := range emb {
		if len(row) != e {
			return fmt.Errorf("artemis: class-query row %d has width %d, want %d", i, len(row), e)
		}
		flat = append(flat, row...)
	}
	ctx.In(Scope).VariableWithValue(ClassQueriesName, tensors.FromFlatDataAndDimensions(flat, k, e))
	return nil
}

// Build builds the model graph for one batch. In the default mode video is
// X [B, T, D] (VideoFrames) or [B, 1+P*T, D] (VideoTimeSformer), image is F
// [B, ImageDim] and desc is S [B, E]; with TextOnly, video and image are
// ignored (pass nil) and replaced by learned constants. Dropout is active
// when ctx is in training mode (context.SetTraining).
func (c Config) Build(ctx *context.Context, video, image, desc *Node) Output {
	if err := c.Validate(); err != nil {
		panic(err)
	}
	ctx = ctx.In(Scope)
	g := desc.Graph()
	dt := desc.DType()
	b := desc.Shape().Dimensions[0]
	E, K, t := c.EmbedDim, c.NumClass, c.Tokens
	nTok, fDim := c.videoTokens(), c.imageDim()
	c.dp = nil
	if c.Dropout > 0 && ctx.IsTraining(g) {
		c.dp = &dropper{u: ctx.RandomUniform(g, shapes.Make(dt, c.dropoutElems(b)))}
		defer func() {
			if c.dp.off != c.dp.u.Shape().Dimensions[0] {
				panic(fmt.Errorf("artemis: dropout pool %d, used %d: dropoutElems is out of step with Build", c.dp.u.Shape().Dimensions[0], c.dp.off))
			}
		}()
	}

	if c.TextOnly {
		// The text track has no visual inputs: X and F are learned constants
		// shared by every clip (labelled "text-only" wherever shown).
		cx := ctx.In("text_only")
		xc := cx.WithInitializer(initializers.RandomNormalFn(cx, 0.02)).
			VariableWithShape("video_const", shapes.Make(dt, nTok, c.VideoDim)).ValueGraph(g)
		video = BroadcastToDims(InsertAxes(xc, 0), b, nTok, c.VideoDim)
		fc := cx.WithInitializer(initializers.RandomNormalFn(cx, 0.02)).
			VariableWithShape("image_const", shapes.Make(dt, fDim)).ValueGraph(g)
		image = BroadcastToDims(InsertAxes(fc, 0), b, fDim)
	}
	if video == nil || image == nil {
		panic(fmt.Errorf("artemis: Build needs video and image inputs unless TextOnly is set"))
	}
	if d := video.Shape().Dimensions; len(d) != 3 || d[1] != nTok || d[2] != c.VideoDim {
		panic(fmt.Errorf("artemis: video is %s, config wants [B, %d, %d] (layout %q)", video.Shape(), nTok, c.VideoDim, c.VideoLayout))
	}
	if d := image.Shape().Dimensions; len(d) != 2 || d[1] != fDim {
		panic(fmt.Errorf("artemis: image is %s, config wants [B, %d] (ImageDim)", image.Shape(), fDim))
	}

	// ---- Video-text fusion branch (section 3.1.1). ----
	// Eq. 1: X' = AdaptiveAvgPool1D(X^T, t)^T (artemis.py:99), as a constant
	// [t, tokens] pooling matrix with PyTorch's window bounds.
	pool := ConvertDType(Const(g, c.poolMatrix()), dt)
	xPooled := Einsum("st,btd->bsd", pool, video) // [B, t, D]

	// Eq. 2: the text layer on S.
	s := c.textLayer(ctx.In("text"), desc) // [B, E]
	// Eq. 3: S' ⊗ 1_t.
	sRep := BroadcastToDims(InsertAxes(s, 1), b, t, E)
	// Eq. 4: H_v = Z W_1, Z = concat(X', S'), no bias (artemis.py:26, Eq. 4).
	z := Concatenate([]*Node{xPooled, sRep}, -1)
	hv := linear(ctx.In("linear1"), z, E, false) // [B, t, E]

	// Eq. 5-7: residuals added to the output of Linear1 (Table 1 caption,
	// artemis.py:104-109). With both off H_v passes through unchanged.
	hvFinal := hv
	if c.Residuals.Backbone {
		// R_backbone = Pool(X W_res1 + b) (artemis.py:43-44,85-86). Pooling
		// commutes with the affine map (pool rows sum to 1), so the map is
		// applied to the pooled tokens.
		if c.RbForm == FormPaper {
			// Eq. 5 as printed, "averaged over time": one vector, broadcast.
			mean := ConvertDType(Const(g, c.meanMatrix()), dt)
			rb := linear(ctx.In("res_backbone"), Einsum("st,btd->bsd", mean, video), E, true) // [B, 1, E]
			hvFinal = Add(hvFinal, BroadcastToDims(rb, b, t, E))
		} else {
			hvFinal = Add(hvFinal, linear(ctx.In("res_backbone"), xPooled, E, true)) // [B, t, E]
		}
	}
	if c.Residuals.Seq {
		if c.RSeqForm == FormPaper {
			// Eq. 6 as printed: R_sequence = H_v W_seq.
			hvFinal = Add(hvFinal, linear(ctx.In("res_sequence"), hv, E, true))
		} else {
			// The code (artemis.py:107-109) and Table 1's caption ("the
			// residual from the sequence processing layer"): S' ⊗ 1_t.
			hvFinal = Add(hvFinal, sRep)
		}
	}
	// Eq. 8: H_v^pos = R_total + PE(t), sinusoidal, then the positional
	// encoding's dropout (PositionalEncoding, artemis.py:294-311).
	pe := ConvertDType(Const(g, sinusoidalPE(t, E)), dt)
	hvFinal = c.drop(ctx.In("pos_encoding"), Add(hvFinal, BroadcastToDims(InsertAxes(pe, 0), b, t, E))) // [B, t, E]

	// ---- Image-text fusion branch (section 3.1.2). ----
	L := classQueries(ctx, g, dt, K, E) // [K, E]
	// Eq. 10: Q = concat(L, F ⊗ 1_K).
	fRep := BroadcastToDims(InsertAxes(image, 1), b, K, fDim)
	q := Concatenate([]*Node{BroadcastToDims(InsertAxes(L, 0), b, K, E), fRep}, -1)
	// Eq. 11: H_q = Q W_2, no bias (Eq. 11; artemis.py:58-59).
	hqFinal := linear(ctx.In("linear2"), q, E, false) // [B, K, E]
	if c.Residuals.F {
		// Eq. 12-13: F_residual = F W_res2 + b, repeated over the K tokens
		// (artemis.py:49-50,120-121,129-130).
		fr := linear(ctx.In("res_image"), image, E, true)
		hqFinal = Add(hqFinal, BroadcastToDims(InsertAxes(fr, 1), b, K, E))
	}

	// ---- Late fusion (section 3.1.3). ----
	enc, dec := c.layers()
	var fused *Node // [B, K, E]
	switch c.Fusion {
	case FusionPaper:
		// Eq. 14: H_concat = concat(H_v^final, H_q^final) in R^{(t+K)xE};
		// Eq. 15: a transformer layer; H_fused keeps the K query tokens.
		h := Concatenate([]*Node{hvFinal, hqFinal}, 1)
		for i := 0; i < enc; i++ {
			h = c.encoderLayer(ctx.Inf("fusion_enc_%d", i), h)
		}
		// Keep the last K tokens with a constant selection matrix.
		sel := ConvertDType(Const(g, selectLast(t+K, K)), dt)
		fused = Einsum("kn,bne->bke", sel, h)
	default:
		// Authors' code: nn.Transformer(src = video-text tokens, tgt = class
		// queries), artemis.py:74,145; final LayerNorms on both stacks.
		mem := hvFinal
		for i := 0; i < enc; i++ {
			mem = c.encoderLayer(ctx.Inf("fusion_enc_%d", i), mem)
		}
		mem = layerNorm(ctx.In("fusion_enc_norm"), mem)
		h := hqFinal
		for i := 0; i < dec; i++ {
			h = c.decoderLayer(ctx.Inf("fusion_dec_%d", i), h, mem)
		}
		fused = layerNorm(ctx.In("fusion_dec_norm"), h)
	}

	// H'_fused = H_fused + H_q^final + H_v^final W_j. The code's W_j is
	// nn.Linear(16, K) over the token axis, with a bias (artemis.py:54,
	// 114-116, 147-148); the paper's W_j in R^{t x K} has none.
	var fb1K *Node
	if c.Residuals.Hv || c.Align != AlignNone && c.Align != "" && c.alignUsesFb1K() {
		fb1K = linear(ctx.In("res_hv"), Transpose(hvFinal, 1, 2), K, true) // [B, E, K]
		fb1K = Transpose(fb1K, 1, 2)                                       // [B, K, E]
	}
	if c.Residuals.Hv {
		fused = Add(fused, fb1K)
	}
	if c.Residuals.Hq {
		fused = Add(fused, hqFinal)
	}

	// Eq. 16: y_i = H'_fused,i W_i + b_i (GroupWiseLinear, artemis.py:314-342:
	// W and b both U(±1/sqrt(E))).
	hctx := ctx.In("head")
	bound := 1 / math.Sqrt(float64(E))
	w := uniformVar(hctx, g, fused, "W", bound, K, E)
	bias := uniformVar(hctx, g, fused, "b", bound, K)
	logits := Add(ReduceSum(Mul(fused, BroadcastToDims(InsertAxes(w, 0), b, K, E)), -1), BroadcastToDims(InsertAxes(bias, 0), b, K))
	return Output{Logits: logits, Fb1: hvFinal, Fb2: hqFinal, Fb1K: fb1K}
}

// alignUsesFb1K reports whether the configured alignment loss reads the
// W_j-mapped H_v^final (the code's fb1, artemis_contrastive.py:189-190,228).
func (c Config) alignUsesFb1K() bool {
	switch c.Align {
	case AlignCosine:
		return c.CosineAxis != CosineFeature
	case AlignContrastive:
		return c.ContrastiveForm != FormPaper
	case AlignCCA:
		return c.CCAForm != FormPaper
	}
	return false
}

// poolMatrix is Eq. 1's [t, tokens] pooling of X (see TokenPool).
func (c Config) poolMatrix() *tensors.Tensor {
	if c.VideoLayout != VideoTimeSformer || c.TokenPool != FormPaper {
		return adaptivePoolMatrix(c.videoTokens(), c.Tokens)
	}
	return timePoolMatrix(c.adaptive(c.NumFrames, c.Tokens), c.NumFrames, c.Patches)
}

// meanMatrix is the [1, tokens] average "over time" of RbForm = FormPaper.
func (c Config) meanMatrix() *tensors.Tensor {
	if c.VideoLayout != VideoTimeSformer {
		return adaptivePoolMatrix(c.NumFrames, 1)
	}
	return timePoolMatrix(c.adaptive(c.NumFrames, 1), c.NumFrames, c.Patches)
}

func (c Config) adaptive(T, t int) []float32 {
	var out []float32
	tensors.ConstFlatData(adaptivePoolMatrix(T, t), func(f []float32) { out = append(out, f...) })
	return out
}

// timePoolMatrix maps Hugging Face TimeSformer tokens (CLS, then patch p of
// frame f at 1 + p*T + f) to t time tokens: the P patches of each frame
// averaged, then framePool [t, T] over the frames; the CLS token is dropped.
func timePoolMatrix(framePool []float32, T, P int) *tensors.Tensor {
	t := len(framePool) / T
	n := 1 + P*T
	m := make([]float32, t*n)
	for i := 0; i < t; i++ {
		for p := 0; p < P; p++ {
			for f := 0; f < T; f++ {
				m[i*n+1+p*T+f] = framePool[i*T+f] / float32(P)
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(m, t, n)
}

func classQueries(ctx *context.Context, g *Graph, dt dtypes.DType, k, e int) *Node {
	v := ctx.InspectVariable(ctx.Scope(), ClassQueriesName)
	if v == nil {
		v = ctx.WithInitializer(initializers.RandomNormalFn(ctx, 0.02)).
			VariableWithShape(ClassQueriesName, shapes.Make(dt, k, e))
	}
	if got := v.Shape(); got.Rank() != 2 || got.Dimensions[0] != k || got.Dimensions[1] != e {
		panic(fmt.Errorf("artemis: class queries have shape %s, config wants [%d, %d]", got, k, e))
	}
	return v.ValueGraph(g)
}

// encoderLayer is PyTorch's nn.TransformerEncoderLayer (post-norm, ReLU,
// dropout 0.1 on the attention weights and after attention, inside and after
// the feed-forward): x = LN(x + Drop(SelfAttn(x))); x = LN(x + Drop(FF(x))).
func (c Config) encoderLayer(ctx *context.Context, x *Node) *Node {
	a := c.attention(ctx.In("self_attn"), x, x)
	x = layerNorm(ctx.In("norm1"), Add(x, c.drop(ctx, a)))
	return layerNorm(ctx.In("norm2"), Add(x, c.drop(ctx, c.feedForward(ctx, x))))
}

// decoderLayer is PyTorch's nn.TransformerDecoderLayer (post-norm, ReLU):
// self-attention over the queries, cross-attention to mem, feed-forward,
// each followed by dropout, the residual sum and a LayerNorm.
func (c Config) decoderLayer(ctx *context.Context, x, mem *Node) *Node {
	a := c.attention(ctx.In("self_attn"), x, x)
	x = layerNorm(ctx.In("norm1"), Add(x, c.drop(ctx, a)))
	a = c.attention(ctx.In("cross_attn"), x, mem)
	x = layerNorm(ctx.In("norm2"), Add(x, c.drop(ctx, a)))
	return layerNorm(ctx.In("norm3"), Add(x, c.drop(ctx, c.feedForward(ctx, x))))
}

func (c Config) feedForward(ctx *context.Context, x *Node) *Node {
	h := xavierLinear(ctx.In("ff1"), x, c.FFDim)
	h = c.drop(ctx, Max(h, ZerosLike(h))) // ReLU
	return xavierLinear(ctx.In("ff2"), h, c.EmbedDim)
}

// dropper hands out the dropout masks of one graph from a single random
// draw (one RNG call per step instead of one per dropout: on purego each
// call costs more than the masking itself).
type dropper struct {
	u   *Node // [total] uniform in [0, 1)
	off int
}

// drop is inverted dropout at rate Dropout (PyTorch's nn.Dropout: zero with
// probability p, scale the rest by 1/(1-p)), active in training only.
func (c Config) drop(_ *context.Context, x *Node) *Node {
	if c.dp == nil {
		return x
	}
	n := x.Shape().Size()
	if c.dp.off+n > c.dp.u.Shape().Dimensions[0] {
		panic(fmt.Errorf("artemis: dropout pool exhausted (%d + %d > %d): dropoutElems is out of step with Build", c.dp.off, n, c.dp.u.Shape().Dimensions[0]))
	}
	u := Reshape(Slice(c.dp.u, AxisRange(c.dp.off, c.dp.off+n)), x.Shape().Dimensions...)
	c.dp.off += n
	keep := ConvertDType(GreaterOrEqual(u, Scalar(x.Graph(), x.DType(), c.Dropout)), x.DType())
	return Mul(x, MulScalar(keep, 1/(1-c.Dropout)))
}

// dropoutElems is the number of dropout draws of one Build for batch b: the
// positional encoding, then per encoder layer the attention weights, the
// attention output, the feed-forward hidden layer and output; per decoder
// layer the same for self- and cross-attention.
func (c Config) dropoutElems(b int) int {
	E, K, t, h, ff := c.EmbedDim, c.NumClass, c.Tokens, c.Heads, c.FFDim
	enc, dec := c.layers()
	n := t
	if c.Fusion == FusionPaper {
		n = t + K
	}
	total := b * t * E
	total += enc * b * (h*n*n + 2*n*E + n*ff)
	total += dec * b * (h*K*K + h*K*t + 3*K*E + K*ff)
	return total
}

// adaptivePoolMatrix returns the [t, T] matrix of AdaptiveAvgPool1d from T
// to t: row i averages inputs floor(i*T/t) .. ceil((i+1)*T/t)-1.
func adaptivePoolMatrix(T, t int) *tensors.Tensor {
	m := make([]float32, t*T)
	for i := 0; i < t; i++ {
		start := (i * T) / t
		end := ((i+1)*T + t - 1) / t
		for j := start; j < end; j++ {
			m[i*T+j] = 1 / float32(end-start)
		}
	}
	return tensors.FromFlatDataAndDimensions(m, t, T)
}

// sinusoidalPE is the positional encoding of Vaswani et al. used in Eq. 8:
// PE(p, 2i) = sin(p / 10000^(2i/E)), PE(p, 2i+1) = cos(p / 10000^(2i/E)).
func sinusoidalPE(t, e int) *tensors.Tensor {
	m := make([]float32, t*e)
	for p := 0; p < t; p++ {
		for i := 0; i < e; i += 2 {
			div := math.Pow(10000, float64(i)/float64(e))
			m[p*e+i] = float32(math.Sin(float64(p) / div))
			if i+1 < e {
				m[p*e+i+1] = float32(math.Cos(float64(p) / div))
			}
		}
	}
	return tensors.FromFlatDataAndDimensions(m, t, e)
}

// selectLast returns the [k, n] 0/1 matrix picking the last k of n tokens.
func selectLast(n, k int) *tensors.Tensor {
	m := make([]float32, k*n)
	for i := 0; i < k; i++ {
		m[i*n+(n-k+i)] = 1
	}
	return tensors.FromFlatDataAndDimensions(m, k, n)
}
