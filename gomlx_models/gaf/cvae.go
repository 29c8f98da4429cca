package gaf

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// The CVAE of the frame-level GAF (Eqs. 5-9) on single time steps: rows f [N, D] with their
// attention λ [N] (N = all valid steps of a batch, or [B, T, ...] flattened by the caller).

// Encode is q_φ(z | f, λ) (Eqs. 6 and 8): θ (a 1×1×1 convolution, here a dense layer D→C with
// ReLU), λ concatenated, then f_fc (C+1→C, ReLU) and f_z giving μ and log σ² [N, Latent]. The
// code's encoder is Conv3d+GN+ReLU, concat, FC 2C→C→C→2C (BDNet.py:520-560).
func Encode(ctx *context.Context, c Config, f, lambda *Node) (mu, logVar *Node) {
	ctx = ctx.In(CVAEScope).In("encoder")
	h := activations.Relu(layers.Dense(ctx.In("theta"), f, true, c.CVAEHidden))
	h = Concatenate([]*Node{h, InsertAxes(lambda, -1)}, -1)
	h = activations.Relu(layers.Dense(ctx.In("fc"), h, true, c.CVAEHidden))
	mu = layers.Dense(ctx.In("mu"), h, true, c.Latent)
	logVar = layers.Dense(ctx.In("logvar"), h, true, c.Latent)
	return mu, logVar
}

// Decode is p_ψ(f | λ, z) (Eq. 9): [z, λ] through f_fc (Latent+1→C, ReLU) and θ′ (C→D, the
// deconvolution that restores the channels). The code: FC 2C→C→C→C, ConvTranspose3d+GN+ReLU
// (BDNet.py:570-600); the final ReLU is dropped here because features need not be non-negative.
func Decode(ctx *context.Context, c Config, z, lambda *Node) *Node {
	ctx = ctx.In(CVAEScope).In("decoder")
	h := Concatenate([]*Node{z, InsertAxes(lambda, -1)}, -1)
	h = activations.Relu(layers.Dense(ctx.In("fc"), h, true, c.CVAEHidden))
	return layers.Dense(ctx.In("theta_prime"), h, true, c.FeatureDim)
}

// Reparameterize is z = μ + exp(½ log σ²)·ε, with ε [N, Latent] drawn by the caller (the
// training loops feed seeded draws, so that runs repeat bit for bit).
func Reparameterize(mu, logVar, eps *Node) *Node {
	return Add(mu, Mul(Exp(MulScalar(logVar, 0.5)), eps))
}

// PriorSample is the code's inference draw z = λ + ε, ε ~ N(0, I) (BDNet.py:683-691): a draw
// from the prior p_ψ(z | λ) = N(λ, I) of the KL term.
func PriorSample(lambda, eps *Node) *Node {
	return Add(InsertAxes(lambda, -1), eps)
}

// rowMean is the mean of per-row values v [N] over rows with weight w [N] (1 = valid, 0 = padding).
func rowMean(v, w *Node) *Node {
	return Div(ReduceAllSum(Mul(v, w)), ReduceAllSum(w))
}

// CVAELoss is L_CVAE (Eq. 7) as the code computes it (multisegment_loss.py:8-29): the mean
// squared reconstruction error over all valid elements plus β times the KL divergence
// KL(N(μ, σ²) ‖ N(λ, I)) averaged over the valid rows' latent elements:
// -½·mean(1 + log σ² - (μ-λ)² - σ²). f, fhat [N, D]; mu, logVar [N, Latent]; lambda, w [N].
// Returns (total, mse, kl), all scalars.
func CVAELoss(f, fhat, mu, logVar, lambda, w *Node, beta float64) (total, mse, kl *Node) {
	mse = rowMean(ReduceMean(Square(Sub(f, fhat)), -1), w)
	d := Sub(mu, InsertAxes(lambda, -1))
	klRow := MulScalar(ReduceMean(Sub(Sub(AddScalar(logVar, 1), Square(d)), Exp(logVar)), -1), -0.5)
	kl = rowMean(klRow, w)
	return Add(mse, MulScalar(kl, beta)), mse, kl
}

// ReconLoss is L_R (Eq. 15 with L = 1) as the code computes it (train.py:331-335): the mean over
// valid elements of (f - f_ψ(λ, z))², z = λ + ε, through a frozen decoder. The caller weights it
// (the code: 0.5·min(epoch, max_epoch)/max_epoch, train.py:340).
func ReconLoss(ctx *context.Context, c Config, f, lambda, eps, w *Node) *Node {
	fhat := Decode(ctx, c, PriorSample(lambda, eps), lambda)
	return rowMean(ReduceMean(Square(Sub(f, fhat)), -1), w)
}
