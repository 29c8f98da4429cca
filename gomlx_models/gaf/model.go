package gaf

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// Variable scopes. The CVAE's variables are all under CVAEScope, so that a training loop can
// freeze it (the paper's step 2, Fig. 2) and train it alone (step 1).
const (
	LambdaScope     = "lambda"
	ClassifierScope = "classifier"
	CVAEScope       = "cvae"
	BaselineScope   = "i3d"
)

// PoolEps keeps Eq. 11's denominators positive when λ saturates in float32 (σ(x) = 1 exactly
// for x > 17, so Σ(1-λ) can be 0). The paper has no ε; 1e-6 is below float32 resolution of any
// sum of at least one unsaturated λ.
const PoolEps = 1e-6

// Config sizes the module for one stream.
type Config struct {
	FeatureDim int     // D, the per-stream feature width (I3D: 1024)
	Hidden     int     // width of the λ head's hidden layer
	CVAEHidden int     // C, the CVAE's hidden width (the code: the feature channels, 1024 / 832)
	Latent     int     // width of z_t (the code: C)
	Classes    int     // action classes; the GAF classifier has Classes+1 outputs, 0 = background
	Dropout    float64 // dropout before each classifier (training mode only)
	Beta       float64 // β of Eq. 7 (the code: 0.1, multisegment_loss.py:29)
	BgWeight   float64 // weight of L_clf_n-ai in Eq. 12 (the paper: 1; the detection code uses 35, train.py:293)
}

// DefaultConfig is the paper's and code's choices at the given sizes.
func DefaultConfig(featureDim, classes int) Config {
	return Config{FeatureDim: featureDim, Hidden: featureDim / 2, CVAEHidden: featureDim, Latent: featureDim,
		Classes: classes, Dropout: 0.5, Beta: 0.1, BgWeight: 1}
}

// Validate checks the sizes.
func (c Config) Validate() error {
	switch {
	case c.FeatureDim < 1 || c.Hidden < 1 || c.CVAEHidden < 1 || c.Latent < 1:
		return fmt.Errorf("gaf: sizes must be positive: feature %d, hidden %d, cvae hidden %d, latent %d", c.FeatureDim, c.Hidden, c.CVAEHidden, c.Latent)
	case c.Classes < 2:
		return fmt.Errorf("gaf: need at least 2 classes, got %d", c.Classes)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("gaf: dropout must be in [0, 1), got %g", c.Dropout)
	case c.Beta < 0 || c.BgWeight < 0:
		return fmt.Errorf("gaf: beta %g and bg weight %g must be >= 0", c.Beta, c.BgWeight)
	}
	return nil
}

// Lambda is the frame-level attention head: λ_t = σ(w₂ᵀ ReLU(W₁ f_t + b₁) + b₂) ∈ (0, 1) for every
// step (Eqs. 2-4 ask λ ∈ [0, 1]; the code's head ends in a Linear and a sigmoid, BDNet.py:388-417).
// x is [B, T, D]; the result is [B, T].
func Lambda(ctx *context.Context, c Config, x *Node) *Node {
	ctx = ctx.In(LambdaScope)
	h := activations.Relu(layers.Dense(ctx.In("hidden"), x, true, c.Hidden))
	l := layers.Dense(ctx.In("out"), h, true, 1)
	return Sigmoid(Squeeze(l, -1))
}

// Pool is Eq. 11: the action-instance feature f_ai = Σ_t λ_t f_t / Σ_t λ_t and the non-action
// feature f_n-ai with 1-λ in place of λ, over the valid steps of each video (mask [B, T]). x is
// [B, T, D], lambda [B, T]; both results are [B, D].
func Pool(x, lambda, mask *Node) (fai, fnai *Node) {
	wp := Mul(lambda, mask)
	wn := Mul(OneMinus(lambda), mask)
	pool := func(w *Node) *Node {
		num := ReduceSum(Mul(x, InsertAxes(w, -1)), 1) // [B, D]
		den := AddScalar(ReduceSum(w, 1), PoolEps)     // [B]
		return Div(num, InsertAxes(den, -1))
	}
	return pool(wp), pool(wn)
}

// MaskedMean is the time average of x [B, T, D] over the valid steps: [B, D].
func MaskedMean(x, mask *Node) *Node {
	num := ReduceSum(Mul(x, InsertAxes(mask, -1)), 1)
	return Div(num, InsertAxes(ReduceSum(mask, 1), -1))
}

// Classifier is the GAF classifier p_ω: dropout, then a linear map to Classes+1 logits (index 0
// is the background class of Eq. 12). f is [B, D].
func Classifier(ctx *context.Context, c Config, f *Node) *Node {
	ctx = ctx.In(ClassifierScope)
	if c.Dropout > 0 {
		f = layers.Dropout(ctx, f, Scalar(f.Graph(), f.DType(), c.Dropout))
	}
	return layers.Dense(ctx, f, true, c.Classes+1)
}

// ClfLoss is Eq. 12 per video: -log p_ω(c | f_ai) - BgWeight·log p_ω(0 | f_n-ai) under a softmax
// over the Classes+1 outputs. labels [B] (int32) are action classes 1..Classes (0 is background).
// The result is [B]. Footnote 2: recognition trains with L_clf only (no L_reg).
func ClfLoss(logitsAI, logitsNAI, labels *Node, bgWeight float64) *Node {
	lsAI := LogSoftmax(logitsAI)
	lsNAI := LogSoftmax(logitsNAI)
	k := logitsAI.Shape().Dimensions[1]
	onehot := OneHot(labels, k, logitsAI.DType())
	ai := Neg(ReduceSum(Mul(lsAI, onehot), -1))
	nai := Neg(Squeeze(Slice(lsNAI, AxisRange(), AxisElem(0)), -1))
	return Add(ai, MulScalar(nai, bgWeight))
}

// Baseline is the I3D row of Table II for one stream: dropout and a linear classifier on the
// time-averaged features. x [B, T, D], mask [B, T]; logits [B, Classes].
func Baseline(ctx *context.Context, c Config, x, mask *Node) *Node {
	ctx = ctx.In(BaselineScope)
	f := MaskedMean(x, mask)
	if c.Dropout > 0 {
		f = layers.Dropout(ctx, f, Scalar(f.Graph(), f.DType(), c.Dropout))
	}
	return layers.Dense(ctx, f, true, c.Classes)
}

// Output is one stream's GAF forward pass.
type Output struct {
	Lambda       *Node // [B, T]
	FAI, FNAI    *Node // [B, D], Eq. 11
	LogitsAI     *Node // [B, Classes+1]
	LogitsNAI    *Node // [B, Classes+1]
	ActionLogits *Node // [B, Classes]: LogitsAI without the background column (the recognition scores)
}

// Forward runs the λ head, Eq. 11 pooling and the classifier on one stream.
func Forward(ctx *context.Context, c Config, x, mask *Node) Output {
	lam := Lambda(ctx, c, x)
	fai, fnai := Pool(x, lam, mask)
	la := Classifier(ctx, c, fai)
	ln := Classifier(ctx, c, fnai)
	return Output{Lambda: lam, FAI: fai, FNAI: fnai, LogitsAI: la, LogitsNAI: ln,
		ActionLogits: Slice(la, AxisRange(), AxisRange(1))}
}
