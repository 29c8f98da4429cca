package gaf

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// gradSeed seeds the gradient checks' contexts (gradcheck.Case.Seed); the module installs no
// initialisers of its own, so gradcheck's deterministic Initializer sets every weight.
const gradSeed = 3

// gradCfg is the small module of the gradient checks; dropout off (the check differentiates a
// deterministic function).
func gradCfg() Config {
	return Config{FeatureDim: 3, Hidden: 4, CVAEHidden: 4, Latent: 2, Classes: 3, Beta: 0.1, BgWeight: 1.5}
}

// TestGradients checks, against float64 central differences on purego, the gradients of the
// segment step (λ head, Eq. 11 pooling, the classifier, L_clf of Eq. 12 and L_R of Eq. 15
// through the decoder) and of the frame step (the CVAE encoder, reparameterisation, decoder
// and L_CVAE of Eq. 7), with respect to the inputs and every variable; and the I3D baseline.
func TestGradients(t *testing.T) {
	backend := fixturetest.Backend(t)
	cfg := gradCfg()
	const b, steps = 2, 4
	mask := tensors.FromValue([][]float64{{1, 1, 1, 1}, {1, 1, 1, 0}})
	labels := tensors.FromValue([]int32{2, 3})
	cases := []gradcheck.Case{
		{
			Name:   "segment step",
			Inputs: []*tensors.Tensor{fixturetest.Smooth(0.3, 0.8, b, steps, cfg.FeatureDim), mask, labels, fixturetest.Smooth(1.1, 0.8, b*steps, cfg.Latent)},
			Build: func(ctx *context.Context, in []*Node) *Node {
				x, m, y, eps := in[0], in[1], in[2], in[3]
				out := Forward(ctx, cfg, x, m)
				clf := ClfLoss(out.LogitsAI, out.LogitsNAI, y, cfg.BgWeight)
				recon := ReconLoss(ctx, cfg, Reshape(x, b*steps, cfg.FeatureDim), Reshape(out.Lambda, b*steps), eps, Reshape(m, b*steps))
				return Concatenate([]*Node{clf, Reshape(recon, 1), Reshape(out.Lambda, b*steps)}, 0)
			},
		},
		{
			Name:   "frame step",
			Inputs: []*tensors.Tensor{fixturetest.Smooth(0.9, 0.8, b*steps, cfg.FeatureDim), fixturetest.Smooth(2.0, 0.8, b*steps), fixturetest.Smooth(0.5, 0.8, b*steps, cfg.Latent)},
			Build: func(ctx *context.Context, in []*Node) *Node {
				f, lraw, eps := in[0], in[1], in[2]
				lam := Sigmoid(lraw)
				w := Reshape(Const(f.Graph(), []float64{1, 1, 1, 1, 1, 1, 1, 0}), b*steps)
				mu, logVar := Encode(ctx, cfg, f, lam)
				fhat := Decode(ctx, cfg, Reparameterize(mu, logVar, eps), lam)
				total, mse, kl := CVAELoss(f, fhat, mu, logVar, lam, w, cfg.Beta)
				return Stack([]*Node{total, mse, kl}, 0)
			},
		},
		{
			Name:   "i3d baseline",
			Inputs: []*tensors.Tensor{fixturetest.Smooth(0.2, 0.8, b, steps, cfg.FeatureDim), mask},
			Build: func(ctx *context.Context, in []*Node) *Node {
				return Baseline(ctx, cfg, in[0], in[1])
			},
		},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			c.Seed, c.Logf = gradSeed, t.Logf
			fixturetest.GradReport(t)(gradcheck.Run(backend, c, gradcheck.DefaultTolerance))
		})
	}
}
