package gafdet

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	gafm "github.com/actrepro/actrepro/gomlx_models/gaf"
	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestGradients checks, against float64 central differences on purego, the λ head with both
// fore/background forms, and the CVAE pass (encoder, reparameterisation, decoder, L_CVAE)
// with respect to the features and every CVAE weight.
func TestGradients(t *testing.T) {
	backend := fixturetest.Backend(t)
	const b, l, d = 2, 8, 3
	cfg := func(pool string) Config {
		return Config{Detector: afsd.Config{FeatureDim: d, Channels: 4, Groups: 2, Classes: 2, ClipLength: 8, Levels: 2},
			LambdaHidden: 4, Pool: pool, BgWeight: 35, ReconTarget: ReconFeature,
			CVAE: gafm.Config{FeatureDim: d, Hidden: 1, CVAEHidden: 4, Latent: 2, Classes: 2, Beta: 0.1}}
	}
	var cases []gradcheck.Case
	for _, pool := range []string{PoolCode, PoolEq11} {
		c := cfg(pool)
		cases = append(cases, gradcheck.Case{
			Name:   "lambda and Eq. 11 (" + pool + ")",
			Inputs: []*tensors.Tensor{fixturetest.Smooth(0.3, 0.8, b, l, d)},
			Build: func(ctx *context.Context, in []*Node) *Node {
				lam := Lambda(ctx, c, in[0])
				fg, bg := ForeBack(c, in[0], lam)
				return Concatenate([]*Node{Reshape(fg, -1), Reshape(bg, -1), Reshape(lam, -1)}, 0)
			},
		})
	}
	c := cfg(PoolCode)
	cases = append(cases, gradcheck.Case{
		Name:   "cvae pass",
		Inputs: []*tensors.Tensor{fixturetest.Smooth(1.7, 0.8, b*l, 2)},
		Build: func(ctx *context.Context, in []*Node) *Node {
			// The pass trains the CVAE only: the features and λ are constants here (CVAEStep
			// stops their gradients); the noise ε and every CVAE weight are checked.
			x := Const(in[0].Graph(), fixturetest.Smooth(0.9, 0.8, b, l, d).Value())
			lam := Sigmoid(MulScalar(Reshape(Slice(x, AxisRange(), AxisRange(), AxisElem(0)), b, l), 2))
			return CVAEStep(ctx, c, x, lam, in[0])
		},
	})
	for _, cs := range cases {
		t.Run(cs.Name, func(t *testing.T) {
			cs.Seed, cs.Logf = 7, t.Logf
			fixturetest.GradReport(t)(gradcheck.Run(backend, cs, gradcheck.DefaultTolerance))
		})
	}
}
