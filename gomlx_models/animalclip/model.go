package animalclip

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// Variable scopes.
const (
	GCNScope         = "graph"
	TextPromptScope  = "prompts_generator1"
	VideoPromptScope = "prompts_generator2"
	VideoScope       = "video"
)

// Config sizes the head and switches its modules (the ablations).
type Config struct {
	Dim          int     // D, the text/video embedding width (the code: 512)
	GCNHidden    int     // the GCN's hidden width (the code: 256, model_builder.py:174)
	PromptLayers int     // PromptGeneratorLayers per prompt module (xclip_load's default 3, model_builder.py:383)
	Heads        int     // attention heads of the prompt modules (the code: Dim/64, prompt.py:82)
	Alpha        float64 // initial per-dimension prompt scale (the code: 0.1, model_builder.py:383)
	LeakySlope   float64 // the GCN's LeakyReLU slope (0.1, model_builder.py:56)

	VideoIn     int // width of the video branch's input features
	VideoLayers int // MIT layers of the video branch (the code: 1, model_builder.py:383); 0: mean of the projected frames

	// Module switches (all true in the authors' model).
	UseGCN, UseTextPrompt, UseVideoPrompt bool
}

// CodeConfig is the authors' head at width dim (heads = dim/64, at least 1)
// with a video branch taking videoIn-wide frame features.
func CodeConfig(dim, videoIn int) Config {
	h := dim / 64
	if h < 1 {
		h = 1
	}
	return Config{Dim: dim, GCNHidden: dim / 2, PromptLayers: 3, Heads: h, Alpha: 0.1, LeakySlope: 0.1,
		VideoIn: videoIn, VideoLayers: 1, UseGCN: true, UseTextPrompt: true, UseVideoPrompt: true}
}

// Validate names the first bad field.
func (c Config) Validate() error {
	switch {
	case c.Dim < 1 || c.GCNHidden < 1 || c.VideoIn < 1:
		return fmt.Errorf("animalclip: widths must be positive: dim %d, gcn hidden %d, video in %d", c.Dim, c.GCNHidden, c.VideoIn)
	case c.PromptLayers < 1:
		return fmt.Errorf("animalclip: prompt layers must be >= 1, got %d", c.PromptLayers)
	case c.Heads < 1 || c.Dim%c.Heads != 0:
		return fmt.Errorf("animalclip: heads %d must divide dim %d", c.Heads, c.Dim)
	case c.VideoLayers < 0:
		return fmt.Errorf("animalclip: video layers must be >= 0, got %d", c.VideoLayers)
	case c.LeakySlope < 0 || c.LeakySlope >= 1:
		return fmt.Errorf("animalclip: leaky slope must be in [0, 1), got %g", c.LeakySlope)
	}
	return nil
}

// variable creates (or reuses) name [dims] of like's dtype under ctx.
func variable(ctx *context.Context, like *Node, init initializers.VariableInitializer, name string, dims ...int) *Node {
	return ctx.WithInitializer(init).VariableWithShape(name, shapes.Make(like.DType(), dims...)).ValueGraph(like.Graph())
}

// constInit fills a variable with v.
func constInit(v float64) initializers.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node { return MulScalar(Ones(g, shape), v) }
}

// linear is nn.Linear on the last axis with the prompt modules' and MIT's
// initialisation: weight trunc_normal_(std=.02) (timm truncates at ±2, i.e.
// at 100 std: a plain normal here), bias 0 (prompt.py:87-91, mit.py:47-51).
// Variables "weights" [in, out] (PyTorch's weight transposed), "biases".
func linear(ctx *context.Context, x *Node, out int, bias bool) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[x.Rank()-1]
	w := ctx.WithInitializer(initializers.RandomNormalFn(ctx, 0.02)).VariableWithShape("weights", shapes.Make(x.DType(), in, out)).ValueGraph(g)
	dims := append([]int(nil), x.Shape().Dimensions...)
	dims[len(dims)-1] = out
	y := Reshape(MatMul(Reshape(x, -1, in), w), dims...)
	if bias {
		b := ctx.WithInitializer(initializers.Zero).VariableWithShape("biases", shapes.Make(x.DType(), out)).ValueGraph(g)
		y = Add(y, bcastLast(b, dims))
	}
	return y
}

// layerNorm is nn.LayerNorm(last axis, eps 1e-5), weight 1 and bias 0 at start.
func layerNorm(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	e := x.Shape().Dimensions[x.Rank()-1]
	dims := x.Shape().Dimensions
	mean := BroadcastToDims(ReduceAndKeep(x, ReduceMean, -1), dims...)
	xc := Sub(x, mean)
	v := BroadcastToDims(ReduceAndKeep(Square(xc), ReduceMean, -1), dims...)
	y := Div(xc, Sqrt(AddScalar(v, 1e-5)))
	gain := ctx.WithInitializer(initializers.One).VariableWithShape("weight", shapes.Make(x.DType(), e)).ValueGraph(g)
	off := ctx.WithInitializer(initializers.Zero).VariableWithShape("bias", shapes.Make(x.DType(), e)).ValueGraph(g)
	return Add(Mul(y, bcastLast(gain, dims)), bcastLast(off, dims))
}

// bcastLast broadcasts v [e] along the leading axes of dims (whose last is e).
func bcastLast(v *Node, dims []int) *Node {
	bd := make([]int, len(dims))
	for i := range bd {
		bd[i] = 1
	}
	bd[len(bd)-1] = dims[len(dims)-1]
	return BroadcastToDims(Reshape(v, bd...), dims...)
}

// quickGELU is CLIP's x·σ(1.702x) (clip/model.py QuickGELU).
func quickGELU(x *Node) *Node { return Mul(x, Sigmoid(MulScalar(x, 1.702))) }

func leaky(x *Node, slope float64) *Node { return Max(x, MulScalar(x, slope)) }

// gcnWeight is GraphConvolution's weight [in, out], torch.randn: N(0, 1)
// (model_builder.py:55), under scope "layer<i>".
func gcnWeight(ctx *context.Context, like *Node, i, in, out int) *Node {
	return variable(ctx.In(fmt.Sprintf("layer%d", i)), like, initializers.RandomNormalFn(ctx, 1), "weight", in, out)
}

// gcnNorm is the LayerNorm of GraphConvolution i (model_builder.py:57,80).
func gcnNorm(ctx *context.Context, i int, x *Node) *Node {
	return layerNorm(ctx.In(fmt.Sprintf("layer%d", i)).In("norm"), x)
}

// gcnAct applies the LeakyReLU of a layer in→out: the code applies it when
// out <= in (model_builder.py:78-79), so after the 512→256 layer and not
// after the 256→512 one.
func (c Config) gcnAct(x *Node, in, out int) *Node {
	if out <= in {
		return leaky(x, c.LeakySlope)
	}
	return x
}

// GCNDense is the text refinement exactly as the code computes it
// (XCLIP.forward, model_builder.py:309-322; GCNModel with 2 layers,
// model_builder.py:52-102,174): node features X_b = [m_b ⊙ animals;
// actions] (the animal text features scaled by the clip's species multi-hot
// m_b), then per layer H = LayerNorm(act(A · H W)) with the unnormalised 0/1
// adjacency A (both directions of every animal–action edge and a self-loop
// on every node, utils/tools.py:169-178, model_builder.py:61-69). The
// output's action rows replace the action features (no residual).
//
// animals [NA, D], actions [NC, D], adj [NA+NC, NA+NC], species [B, NA];
// the result is [B, NC, D]. It costs O(B (NA+NC)² D): use GCN to train.
func (c Config) GCNDense(ctx *context.Context, animals, actions, adj, species *Node) *Node {
	ctx = ctx.In(GCNScope)
	b := species.Shape().Dimensions[0]
	na, d := animals.Shape().Dimensions[0], animals.Shape().Dimensions[1]
	nc := actions.Shape().Dimensions[0]
	n := na + nc
	an := Mul(BroadcastToDims(InsertAxes(animals, 0), b, na, d), BroadcastToDims(InsertAxes(species, -1), b, na, d))
	x := Concatenate([]*Node{an, BroadcastToDims(InsertAxes(actions, 0), b, nc, d)}, 1) // [B, N, D]
	a := BroadcastToDims(InsertAxes(adj, 0), b, n, n)
	widths := []int{d, c.GCNHidden, c.Dim}
	for i := 0; i < 2; i++ {
		w := gcnWeight(ctx, animals, i, widths[i], widths[i+1])
		xw := Einsum("bnd,de->bne", x, w)
		x = gcnNorm(ctx, i, c.gcnAct(Einsum("bnm,bme->bne", a, xw), widths[i], widths[i+1]))
	}
	return Slice(x, AxisRange(), AxisRange(na, n), AxisRange())
}

// GCN computes the same [B, NC, D] as GCNDense without the dense adjacency,
// by exploiting its structure: A = I + [[0, R], [Rᵀ, 0]] with R [NA, NC]
// the 0/1 relation, and X_b's animal rows are zero except for the clip's
// species. With W1, W2 the two weights and f = LayerNorm ∘ act:
//
//	H1 animal rows  = f1(m_b ⊙ F_a W1 + R F_c W1): for an absent animal the
//	                  constant H0 = f1(R F_c W1);
//	H1 action rows  = f1(F_c W1 + Σ_{s∈b} R[s]ᵀ (F_a W1)[s]);
//	out action rows = f2(H1_c W2 + Rᵀ H0 W2 + Σ_{s∈b} R[s]ᵀ ((H1_s − H0_s) W2)).
//
// sel [B, S, NA] selects each clip's species, one one-hot row per species
// (an all-zero row pads a clip with fewer than S species; a clip must not
// list an animal twice, the multi-hot being 0/1); rel is R.
func (c Config) GCN(ctx *context.Context, animals, actions, rel, sel *Node) *Node {
	ctx = ctx.In(GCNScope)
	d := animals.Shape().Dimensions[1]
	b, s := sel.Shape().Dimensions[0], sel.Shape().Dimensions[1]
	nc := actions.Shape().Dimensions[0]
	h := c.GCNHidden
	w1 := gcnWeight(ctx, animals, 0, d, h)
	w2 := gcnWeight(ctx, animals, 1, h, c.Dim)
	f1 := func(x *Node) *Node { return gcnNorm(ctx, 0, c.gcnAct(x, d, h)) }
	faw := MatMul(animals, w1)              // [NA, h]
	fcw := MatMul(actions, w1)              // [NC, h]
	rfc := MatMul(rel, fcw)                 // [NA, h]
	h0 := f1(rfc)                           // [NA, h]
	present := ReduceSum(sel, -1)           // [B, S] 1 for a species, 0 for padding
	gfaw := Einsum("bsn,nh->bsh", sel, faw) // (F_a W1)[s]
	grfc := Einsum("bsn,nh->bsh", sel, rfc) // (R F_c W1)[s]
	gh0 := Einsum("bsn,nh->bsh", sel, h0)   // H0[s]
	grel := Einsum("bsn,nc->bsc", sel, rel) // R[s]
	hs := f1(Add(gfaw, grfc))               // H1 at the clip's species [B, S, h]
	actIn := Add(BroadcastToDims(InsertAxes(fcw, 0), b, nc, h), Einsum("bsc,bsh->bch", grel, gfaw))
	hc := f1(actIn) // [B, NC, h]
	diff := Mul(Sub(hs, gh0), BroadcastToDims(InsertAxes(present, -1), b, s, h))
	shared := MatMul(Transpose(rel, 0, 1), MatMul(h0, w2)) // Rᵀ H0 W2 [NC, D]
	out := Add(Einsum("bch,he->bce", hc, w2), BroadcastToDims(InsertAxes(shared, 0), b, nc, c.Dim))
	out = Add(out, Einsum("bsc,bse->bce", grel, Einsum("bsh,he->bse", diff, w2)))
	return gcnNorm(ctx, 1, c.gcnAct(out, h, c.Dim))
}

// SpeciesPrompt is AnimalSpecificPrompt (prompt.py:78-104): the key/value
// tokens are LayerNorm'ed once, then PromptLayers PromptGeneratorLayers
// (prompt.py:49-75) each do x += CrossAttn(LN1(x), kv, kv) and x +=
// MLP(LN3(x)) with a ×4 QuickGELU MLP, and the module returns α ⊙ x with a
// learnable per-dimension α starting at Alpha. The caller adds the result
// to its input (model_builder.py:324,328): note the returned α ⊙ x carries
// the input itself, so the update is x + α ⊙ layers(x).
//
// x [B, N, D], kv [B, M, D]; the result is [B, N, D].
func (c Config) SpeciesPrompt(ctx *context.Context, x, kv *Node) *Node {
	kv = layerNorm(ctx.In("norm"), kv)
	for i := 0; i < c.PromptLayers; i++ {
		lctx := ctx.In(fmt.Sprintf("decoder%d", i))
		x = Add(x, c.crossAttention(lctx.In("cross_attn"), layerNorm(lctx.In("norm1"), x), kv))
		m := linear(lctx.In("mlp_fc"), layerNorm(lctx.In("norm3"), x), 4*c.Dim, true)
		x = Add(x, linear(lctx.In("mlp_proj"), quickGELU(m), c.Dim, true))
	}
	alpha := variable(ctx, x, constInit(c.Alpha), "alpha", c.Dim)
	return Mul(x, bcastLast(alpha, x.Shape().Dimensions))
}

// crossAttention is MulitHeadAttention (prompt.py:15-46): q, k, v
// projections without bias, softmax(q kᵀ / sqrt(D/heads)), an output
// projection with bias. With a single key token (Animal-CLIP's case: the
// summed species feature) the softmax is exactly 1, so the output is
// proj(v) for every query and q has no effect (its gradient is 0): the
// query projection is then skipped (TestSingleKeyShortcut checks the two
// paths agree).
func (c Config) crossAttention(ctx *context.Context, q, kv *Node) *Node {
	b, n, d := q.Shape().Dimensions[0], q.Shape().Dimensions[1], q.Shape().Dimensions[2]
	m := kv.Shape().Dimensions[1]
	v := linear(ctx.In("v_proj"), kv, d, false)
	if m == 1 {
		// proj(v) once per clip, then broadcast to the n queries.
		return BroadcastToDims(linear(ctx.In("proj"), v, d, true), b, n, d)
	}
	return linear(ctx.In("proj"), c.attend(ctx, q, kv, v, false), d, true)
}

// attend is softmax(q Wq (kv Wk)ᵀ / sqrt(D/heads)) v per head; bias adds
// the q/k projections' biases (nn.MultiheadAttention's in_proj_bias).
func (c Config) attend(ctx *context.Context, q, kv, v *Node, bias bool) *Node {
	b, n, d := q.Shape().Dimensions[0], q.Shape().Dimensions[1], q.Shape().Dimensions[2]
	m := kv.Shape().Dimensions[1]
	h, dh := c.Heads, d/c.Heads
	qq := Reshape(linear(ctx.In("q_proj"), q, d, bias), b, n, h, dh)
	kk := Reshape(linear(ctx.In("k_proj"), kv, d, bias), b, m, h, dh)
	vv := Reshape(v, b, m, h, dh)
	w := Softmax(MulScalar(Einsum("bnhd,bmhd->bhnm", qq, kk), 1/math.Sqrt(float64(dh))), -1)
	return Reshape(Einsum("bhnm,bmhd->bnhd", w, vv), b, n, d)
}

// VideoBranch turns frame features [B, T, VideoIn] into a video feature
// [B, D]: a linear frame projection (standing in for the cross-frame ViT
// with its visual projection) then the multi-frame integration transformer
// (mit.py:36-65): x + positional embedding (trunc_normal .02), VideoLayers
// pre-LN residual attention blocks (mit.py:10-33: x += MHA(LN1 x), x +=
// MLP(LN2 x), QuickGELU ×4, Dim/64 heads), plus the block's input, averaged
// over frames.
func (c Config) VideoBranch(ctx *context.Context, frames *Node) *Node {
	ctx = ctx.In(VideoScope)
	t := frames.Shape().Dimensions[1]
	x := linear(ctx.In("frame_proj"), frames, c.Dim, true)
	if c.VideoLayers > 0 {
		ori := x
		pos := variable(ctx.In("mit"), frames, initializers.RandomNormalFn(ctx, 0.02), "positional_embedding", t, c.Dim)
		x = Add(x, BroadcastToDims(InsertAxes(pos, 0), x.Shape().Dimensions...))
		for i := 0; i < c.VideoLayers; i++ {
			lctx := ctx.In("mit").In(fmt.Sprintf("block%d", i))
			y := layerNorm(lctx.In("ln_1"), x)
			a := c.attend(lctx.In("attn"), y, y, linear(lctx.In("attn").In("v_proj"), y, c.Dim, true), true)
			x = Add(x, linear(lctx.In("attn").In("out_proj"), a, c.Dim, true))
			m := linear(lctx.In("c_fc"), layerNorm(lctx.In("ln_2"), x), 4*c.Dim, true)
			x = Add(x, linear(lctx.In("c_proj"), quickGELU(m), c.Dim, true))
		}
		x = Add(x, ori)
	}
	return ReduceMean(x, 1)
}

// Inputs of the head. Text features are the frozen encoder's outputs.
type Inputs struct {
	Video   *Node // [B, D] video feature (from VideoBranch, or given)
	Classes *Node // [NC, D] external-prompt features of the classes
	Animals *Node // [NA, D] animal-name features
	Rel     *Node // [NA, NC] 0/1 animal–action relation (GCN)
	Sel     *Node // [B, S, NA] one-hot species rows (GCN, and the species token)
}

// Output of the head.
type Output struct {
	Logits *Node // [B, NC] exp(logit_scale) · cosine
	Video  *Node // [B, D] the normalised video feature
	Text   *Node // [B, NC, D] the normalised per-clip class features
}

// Forward is XCLIP.forward after encode_video (model_builder.py:309-334):
// the species token a_b = Σ_{s∈b} animal features (the multi-hot times the
// animal features, model_builder.py:312-314), the GCN refinement of the
// class features, text += P1(text, a), video += P2(video, a), both
// L2-normalised, logits = exp(logit_scale) · video · textᵀ with logit_scale
// starting at ln(1/0.07) (model_builder.py:167,280,333).
func (c Config) Forward(ctx *context.Context, in Inputs) Output {
	b := in.Video.Shape().Dimensions[0]
	nc, d := in.Classes.Shape().Dimensions[0], in.Classes.Shape().Dimensions[1]
	a := ReduceAndKeep(Einsum("bsn,nd->bsd", in.Sel, in.Animals), ReduceSum, 1) // [B, 1, D]
	var text *Node
	if c.UseGCN {
		text = c.GCN(ctx, in.Animals, in.Classes, in.Rel, in.Sel)
	} else {
		text = BroadcastToDims(InsertAxes(in.Classes, 0), b, nc, d)
	}
	if c.UseTextPrompt {
		text = Add(text, c.SpeciesPrompt(ctx.In(TextPromptScope), text, a))
	}
	video := InsertAxes(in.Video, 1)
	if c.UseVideoPrompt {
		video = Add(video, c.SpeciesPrompt(ctx.In(VideoPromptScope), video, a))
	}
	video = Reshape(video, b, d)
	scale := variable(ctx, in.Video, constInit(math.Log(1/0.07)), "logit_scale")
	return Logits(video, text, scale)
}

// Logits L2-normalises video [B, D] and text [B, NC, D] and returns
// exp(scale) · cosine (model_builder.py:330-333).
func Logits(video, text, scale *Node) Output {
	vn := l2(video)
	tn := l2(text)
	l := Mul(Einsum("bd,bkd->bk", vn, tn), BroadcastToDims(Exp(scale), vn.Shape().Dimensions[0], tn.Shape().Dimensions[1]))
	return Output{Logits: l, Video: vn, Text: tn}
}

func l2(x *Node) *Node {
	n := Sqrt(ReduceAndKeep(Square(x), ReduceSum, -1))
	return Div(x, BroadcastToDims(n, x.Shape().Dimensions...))
}

// Loss is nn.CrossEntropyLoss with probability targets (main.py:118-119 with
// the multi-hot labels of datasets/build.py:154-156): −Σ_c y_c log
// softmax(logits)_c averaged over the batch. The targets are the 0/1
// multi-hot (mixup/label smoothing, which the code adds on images, is not
// applied).
func Loss(logits, targets *Node) *Node {
	return Neg(ReduceAllMean(ReduceSum(Mul(targets, LogSoftmax(logits, -1)), -1)))
}

// Scores are the evaluation scores of val.py:113: softmax over classes.
func Scores(logits *Node) *Node { return Softmax(logits, -1) }
