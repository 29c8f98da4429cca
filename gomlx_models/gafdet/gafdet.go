// Package gafdet is the detection form of GAF ("Generative Attention-based Feature model for
// video action analysis", ../shared/papers/gaf.txt, section III; Generative-Feature-Model/GAF
// @ adf91d1, GAF/thumos14/, a fork of AFSD) on top of the AFSD detector of gomlx_models/afsd:
// the frame-level attention λ, the fore- and background features (Eq. 11), the action-instance
// and non-action losses L_ai and L_n-ai (Eqs. 12-14 as coded), and the CVAE with L_CVAE (Eq. 7)
// and L_R (Eq. 15), reusing the CVAE of gomlx_models/gaf (Encode, Decode, CVAELoss, ReconLoss).
//
// Differences from the code, all forced by fixed features (the code fine-tunes I3D): λ is one
// value per step of the 10 fps window (the paper's frame-level λ_t, Eqs. 2-4), computed from the
// window's features and applied before the two taps, where the code computes a λ per channel and
// step for each tap (BDNet.py:388-417); the CVAE acts on single steps with dense layers
// (gomlx_models/gaf) where the code's encoder and decoder are 3-D convolutions on I3D maps.
package gafdet

import (
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// Fore/background forms (option pool).
const (
	// PoolCode is the code's form (GAF/thumos14/train.py:248-254): F⊙λ / Σλ and F⊙(1-λ) / Σ(1-λ)
	// with the sums over the whole tensor, no pooling in time. Here the sum runs over the
	// window's steps and channels (the code's test-time batch of one window).
	PoolCode = "code"
	// PoolEq11 is the paper's weighted average (Eq. 11) kept as a sequence: F⊙λ·T / Σ_t λ_t, so
	// that the weights average to one over the window (a uniform λ returns F).
	PoolEq11 = "eq11"
)

// Recon targets of L_R (option recon_target).
const (
	// ReconBackground is what the code compares the decoder's output with: train.py:272-273
	// stores the background features into feat_dict, which is the same dict object as
	// video_feature, so L333-335's video_feature['Mixed_*'] are the background features.
	ReconBackground = "background"
	// ReconFeature is Eq. 15's ‖f - f_ψ(λ, z)‖²: the features themselves.
	ReconFeature = "feature"
)

// LambdaScope holds the λ head's variables.
const LambdaScope = "lambda"

// Config sizes GAF's detection module for one stream.
type Config struct {
	Detector     afsd.Config
	LambdaHidden int // λ head width (the code: 512)
	CVAE         gafm.Config
	Pool         string  // PoolCode or PoolEq11
	BgWeight     float64 // weight of L_n-ai: 35 on THUMOS14 (train.py:293), 700 on ActivityNet
	ReconTarget  string  // ReconBackground (the code) or ReconFeature (Eq. 15)
}

// Validate checks the options.
func (c Config) Validate() error {
	if err := c.Detector.Validate(); err != nil {
		return err
	}
	switch {
	case c.LambdaHidden < 1 || c.CVAE.CVAEHidden < 1 || c.CVAE.Latent < 1:
		return fmt.Errorf("gafdet: widths must be positive: λ hidden %d, cvae hidden %d, latent %d", c.LambdaHidden, c.CVAE.CVAEHidden, c.CVAE.Latent)
	case c.LambdaHidden%c.Detector.Groups != 0:
		return fmt.Errorf("gafdet: λ hidden %d not divisible into %d groups", c.LambdaHidden, c.Detector.Groups)
	case c.Pool != PoolCode && c.Pool != PoolEq11:
		return fmt.Errorf("gafdet: pool %q: want %q or %q", c.Pool, PoolCode, PoolEq11)
	case c.ReconTarget != ReconBackground && c.ReconTarget != ReconFeature:
		return fmt.Errorf("gafdet: recon target %q: want %q or %q", c.ReconTarget, ReconBackground, ReconFeature)
	case c.BgWeight < 0 || c.CVAE.Beta < 0:
		return fmt.Errorf("gafdet: bg weight %g and beta %g must be >= 0", c.BgWeight, c.CVAE.Beta)
	}
	return nil
}

// Lambda is the frame-level attention head: a k3 convolution to LambdaHidden with GroupNorm and
// ReLU, a 1×1 convolution to one channel, a sigmoid (the code's Att_Head: Unit1D k3 + GN + ReLU,
// Linear, Sigmoid, BDNet.py:404-418). x [B, L, D] → λ [B, L] in (0, 1).
func Lambda(ctx *context.Context, c Config, x *Node) *Node {
	ctx = ctx.In(LambdaScope)
	h := afsd.Conv1D(ctx.In("conv"), x, c.LambdaHidden, 3, 1)
	h = activations.Relu(afsd.GroupNorm(ctx.In("gn"), h, c.Detector.Groups))
	l := afsd.Conv1D(ctx.In("out"), h, 1, 1, 1)
	return Sigmoid(Squeeze(l, -1))
}

// ForeBack is Eq. 11 in the form c.Pool selects: the action-instance features F⊙λ and the
// non-action features F⊙(1-λ), normalised. x [B, L, D], lambda [B, L]; both results [B, L, D].
func ForeBack(c Config, x, lambda *Node) (fg, bg *Node) {
	d := x.Shape().Dimensions
	l3 := InsertAxes(lambda, -1)
	n3 := OneMinus(l3)
	fgNum, bgNum := Mul(x, l3), Mul(x, n3)
	sum := func(w *Node) *Node { return AddScalar(ReduceSum(w, 1), gafm.PoolEps) } // [B]
	var fgDen, bgDen *Node
	switch c.Pool {
	case PoolEq11:
		fgDen = DivScalar(sum(lambda), float64(d[1]))
		bgDen = DivScalar(sum(OneMinus(lambda)), float64(d[1]))
	default:
		fgDen = MulScalar(sum(lambda), float64(d[2]))
		bgDen = MulScalar(sum(OneMinus(lambda)), float64(d[2]))
	}
	return Div(fgNum, Reshape(fgDen, d[0], 1, 1)), Div(bgNum, Reshape(bgDen, d[0], 1, 1))
}

// Output is one stream's GAF forward pass on a batch of windows.
type Output struct {
	Lambda *Node // [B, L]
	FG, BG *Node // [B, L, D]
	Det    afsd.Output
	BGDet  *afsd.Output // the detector on the background features (training only)
}

// Forward runs λ, Eq. 11 and the detector (shared weights) on the foreground features and,
// when withBackground, on the background features too.
func Forward(ctx *context.Context, c Config, x *Node, withBackground bool) Output {
	lam := Lambda(ctx, c, x)
	fg, bg := ForeBack(c, x, lam)
	dctx := ctx.In("detector")
	t4, t5 := afsd.Taps(fg)
	out := Output{Lambda: lam, FG: fg, BG: bg, Det: afsd.Forward(dctx, c.Detector, t4, t5)}
	if withBackground {
		b4, b5 := afsd.Taps(bg)
		o := afsd.Forward(dctx, c.Detector, b4, b5)
		out.BGDet = &o
	}
	return out
}

// Loss is the segment-level objective as coded (train.py:278-340): L_ai (every AFSD loss on the
// foreground features) + BgWeight·L_n-ai (afsd.BackgroundLoss on the background features) +
// wr·L_R, where L_R is the squared error of the frozen decoder's reconstruction from z = λ + ε
// against the target c.ReconTarget names, over all steps (eps [B·L, Latent]); wr = 0 drops it.
// Returns the total and the three parts.
func Loss(ctx *context.Context, c Config, x *Node, out Output, t afsd.Targets, eps, wr *Node) (total, ai, nai, recon *Node) {
	ai = afsd.ComputeLosses(out.Det, t).Total
	total = ai
	if out.BGDet != nil && c.BgWeight > 0 {
		nai = afsd.BackgroundLoss(*out.BGDet)
		total = Add(total, MulScalar(nai, c.BgWeight))
	}
	if eps != nil {
		d := x.Shape().Dimensions
		n := d[0] * d[1]
		target := x
		if c.ReconTarget == ReconBackground {
			target = out.BG
		}
		w := OnesLike(Reshape(out.Lambda, n))
		recon = gafm.ReconLoss(ctx, c.CVAE, Reshape(target, n, d[2]), Reshape(out.Lambda, n), eps, w)
		total = Add(total, Mul(wr, recon))
	}
	return total, ai, nai, recon
}

// CVAEStep is L_CVAE (Eq. 7, gomlx_models/gaf.CVAELoss: MSE + β·KL against N(λ, I)) of the
// features x [B, L, D] at the attention lam [B, L] (fed, gradient-free), with the
// reparameterisation noise eps [B·L, Latent]: the first pass of each epoch (Fig. 2, step 1).
func CVAEStep(ctx *context.Context, c Config, x, lam, eps *Node) *Node {
	d := x.Shape().Dimensions
	n := d[0] * d[1]
	f := Reshape(StopGradient(x), n, d[2])
	l := Reshape(StopGradient(lam), n)
	mu, logVar := gafm.Encode(ctx, c.CVAE, f, l)
	fhat := gafm.Decode(ctx, c.CVAE, gafm.Reparameterize(mu, logVar, eps), l)
	total, _, _ := gafm.CVAELoss(f, fhat, mu, logVar, l, OnesLike(l), c.CVAE.Beta)
	return total
}
