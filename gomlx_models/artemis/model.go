package artemis

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/layers"
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
// X [B, T, D], image is F [B, E] and desc is S [B, E]; with TextOnly, video
// and image are ignored (pass nil) and replaced by learned constants.
func (c Config) Build(ctx *context.Context, video, image, desc *Node) Output {
	if err := c.Validate(); err != nil {
		panic(err)
	}
	ctx = ctx.In(Scope)
	g := desc.Graph()
	dt := desc.DType()
	b := desc.Shape().Dimensions[0]
	E, K, t := c.EmbedDim, c.NumClass, c.Tokens

	if c.TextOnly {
		// The text track has no visual inputs: X and F are learned constants
		// shared by every clip (labelled "text-only" wherever shown).
		cx := ctx.In("text_only")
		xc := cx.WithInitializer(initializers.RandomNormalFn(cx, 0.02)).
			VariableWithShape("video_const", shapes.Make(dt, c.NumFrames, c.VideoDim)).ValueGraph(g)
		video = BroadcastToDims(InsertAxes(xc, 0), b, c.NumFrames, c.VideoDim)
		fc := cx.WithInitializer(initializers.RandomNormalFn(cx, 0.02)).
			VariableWithShape("image_const", shapes.Make(dt, E)).ValueGraph(g)
		image = BroadcastToDims(InsertAxes(fc, 0), b, E)
	}
	if video == nil || image == nil {
		panic(fmt.Errorf("artemis: Build needs video and image inputs unless TextOnly is set"))
	}

	// ---- Video-text fusion branch (section 3.1.1). ----
	// Eq. 1: X' = AdaptiveAvgPool1D(X^T, t)^T, as a constant [t, T] pooling
	// matrix with PyTorch's window bounds.
	pool := Const(g, adaptivePoolMatrix(c.NumFrames, t))
	pool = ConvertDType(pool, dt)
	xPooled := Einsum("st,btd->bsd", pool, video) // [B, t, D]

	// Eq. 2: the text layer on S (per clip).
	s := c.textLayer(ctx.In("text"), desc) // [B, E]
	// Eq. 3: S' ⊗ 1_t.
	sRep := BroadcastToDims(InsertAxes(s, 1), b, t, E)
	// Eq. 4: H_v = Z W_1, Z = concat(X', S'), W_1 in R^{(D+E)xE}, no bias (authors' code).
	z := Concatenate([]*Node{xPooled, sRep}, -1)
	hv := layers.Dense(ctx.In("linear1"), z, false, E) // [B, t, E]

	// Eq. 5-7: residuals added to the output of Linear1 (Table 1 caption).
	// With both residuals off H_v passes through unchanged.
	hvFinal := hv
	if c.Residuals.Backbone {
		// Eq. 5: R_backbone = AvgPool(X W_res1): averaged over the T input
		// tokens, broadcast over the t output tokens.
		rb := ReduceMean(layers.Dense(ctx.In("res_backbone"), video, true, E), 1) // [B, E]
		hvFinal = Add(hvFinal, BroadcastToDims(InsertAxes(rb, 1), b, t, E))
	}
	if c.Residuals.Seq {
		// Eq. 6: R_sequence = H_v W_seq. (Table 1's caption calls it "the
		// residual from the sequence processing layer"; Eq. 6 and the issue
		// define it on H_v, which is what is built here.)
		hvFinal = Add(hvFinal, layers.Dense(ctx.In("res_sequence"), hv, true, E))
	}
	// Eq. 8: H_v^pos = R_total + PE(t), sinusoidal.
	pe := ConvertDType(Const(g, sinusoidalPE(t, E)), dt)
	hvFinal = Add(hvFinal, InsertAxes(pe, 0)) // [B, t, E]

	// ---- Image-text fusion branch (section 3.1.2). ----
	L := classQueries(ctx, g, dt, K, E) // [K, E]
	// Eq. 10: Q = concat(L, F ⊗ 1_K).
	fRep := BroadcastToDims(InsertAxes(image, 1), b, K, image.Shape().Dimensions[1])
	q := Concatenate([]*Node{BroadcastToDims(InsertAxes(L, 0), b, K, E), fRep}, -1)
	// Eq. 11: H_q = Q W_2.
	hqFinal := layers.Dense(ctx.In("linear2"), q, true, E) // [B, K, E]
	if c.Residuals.F {
		// Eq. 12-13: F_residual = F W_res2, repeated over the K tokens.
		fr := layers.Dense(ctx.In("res_image"), image, true, E)
		hqFinal = Add(hqFinal, BroadcastToDims(InsertAxes(fr, 1), b, K, E))
	}

	// ---- Late fusion (section 3.1.3). ----
	var fused *Node // [B, K, E]
	switch c.Fusion {
	case FusionPaper:
		// Eq. 14: H_concat = concat(H_v^final, H_q^final) in R^{(t+K)xE};
		// Eq. 15: a transformer layer; H_fused keeps the K query tokens.
		h := Concatenate([]*Node{hvFinal, hqFinal}, 1)
		for i := 0; i < c.EncLayers; i++ {
			h = c.encoderLayer(ctx.Inf("fusion_enc_%d", i), h)
		}
		// Keep the last K tokens with a constant selection matrix (a Slice
		// would need Pad in its gradient, which simplego lacks).
		sel := ConvertDType(Const(g, selectLast(t+K, K)), dt)
		fused = Einsum("kn,bne->bke", sel, h)
	case FusionCode:
		// Authors' code: nn.Transformer(src = video-text tokens, tgt = class queries).
		mem := hvFinal
		for i := 0; i < c.EncLayers; i++ {
			mem = c.encoderLayer(ctx.Inf("fusion_enc_%d", i), mem)
		}
		mem = layers.LayerNormalization(ctx.In("fusion_enc_norm"), mem, -1).Epsilon(1e-5).Done()
		h := hqFinal
		for i := 0; i < c.DecLayers; i++ {
			h = c.decoderLayer(ctx.Inf("fusion_dec_%d", i), h, mem)
		}
		fused = layers.LayerNormalization(ctx.In("fusion_dec_norm"), h, -1).Epsilon(1e-5).Done()
	}

	// H'_fused = H_fused + H_q^final + H_v^final W_j, W_j in R^{t x K}.
	var fb1K *Node
	if c.Residuals.Hv || c.Align == AlignCosine && c.CosineAxis == CosineClass {
		wj := ctx.In("res_hv").WithInitializer(initializers.XavierUniformFn(ctx)).
			VariableWithShape("W_j", shapes.Make(dt, t, K)).ValueGraph(g)
		fb1K = Einsum("tk,bte->bke", wj, hvFinal)
	}
	if c.Residuals.Hv {
		fused = Add(fused, fb1K)
	}
	if c.Residuals.Hq {
		fused = Add(fused, hqFinal)
	}

	// Eq. 16: y_i = H'_fused,i W_i + b_i, one linear map per class (group-wise linear).
	hctx := ctx.In("head")
	w := hctx.WithInitializer(initializers.XavierUniformFn(hctx)).
		VariableWithShape("W", shapes.Make(dt, K, E)).ValueGraph(g)
	bias := hctx.WithInitializer(initializers.Zero).VariableWithShape("b", shapes.Make(dt, K)).ValueGraph(g)
	logits := Add(ReduceSum(Mul(fused, InsertAxes(w, 0)), -1), InsertAxes(bias, 0))
	return Output{Logits: logits, Fb1: hvFinal, Fb2: hqFinal, Fb1K: fb1K}
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

// encoderLayer is PyTorch's nn.TransformerEncoderLayer (post-norm, ReLU):
// x = LN(x + Drop(SelfAttn(x))); x = LN(x + Drop(FF(x))).
func (c Config) encoderLayer(ctx *context.Context, x *Node) *Node {
	a := layers.MultiHeadAttention(ctx.In("self_attn"), x, x, x, c.Heads, c.EmbedDim/c.Heads).Done()
	x = layers.LayerNormalization(ctx.In("norm1"), Add(x, c.drop(ctx, a)), -1).Epsilon(1e-5).Done()
	x = layers.LayerNormalization(ctx.In("norm2"), Add(x, c.drop(ctx, c.feedForward(ctx, x))), -1).Epsilon(1e-5).Done()
	return x
}

// decoderLayer is PyTorch's nn.TransformerDecoderLayer (post-norm, ReLU):
// self-attention over the queries, cross-attention to mem, feed-forward.
func (c Config) decoderLayer(ctx *context.Context, x, mem *Node) *Node {
	a := layers.MultiHeadAttention(ctx.In("self_attn"), x, x, x, c.Heads, c.EmbedDim/c.Heads).Done()
	x = layers.LayerNormalization(ctx.In("norm1"), Add(x, c.drop(ctx, a)), -1).Epsilon(1e-5).Done()
	a = layers.MultiHeadAttention(ctx.In("cross_attn"), x, mem, mem, c.Heads, c.EmbedDim/c.Heads).Done()
	x = layers.LayerNormalization(ctx.In("norm2"), Add(x, c.drop(ctx, a)), -1).Epsilon(1e-5).Done()
	x = layers.LayerNormalization(ctx.In("norm3"), Add(x, c.drop(ctx, c.feedForward(ctx, x))), -1).Epsilon(1e-5).Done()
	return x
}

func (c Config) feedForward(ctx *context.Context, x *Node) *Node {
	h := layers.Dense(ctx.In("ff1"), x, true, c.FFDim)
	h = c.drop(ctx, Max(h, ZerosLike(h))) // ReLU
	return layers.Dense(ctx.In("ff2"), h, true, c.EmbedDim)
}

func (c Config) drop(ctx *context.Context, x *Node) *Node {
	return layers.DropoutStatic(ctx, x, c.Dropout)
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
