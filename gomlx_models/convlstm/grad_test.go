package convlstm

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestGradientsMatchFiniteDifferences checks the gradients of a small
// ConvLSTM (two layers, 3 frames of 8x8) wrt its input and all variables
// against central differences in float64 (purego/gradcheck).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	backend := fixturetest.Backend(t)
	cfg := DefaultConfig()
	cfg.Frames, cfg.Height, cfg.Width, cfg.Classes, cfg.Filters = 3, 8, 8, 3, []int{2, 3}
	cfg.RecurrentActivation = ActivationSigmoid // smooth: finite differences need no kinks
	x := make([]float64, 2*3*8*8*3)
	for i := range x {
		x[i] = 0.5 + 0.4*math.Sin(0.3*float64(i))
	}
	fixturetest.GradReport(t)(gradcheck.Run(backend, gradcheck.Case{
		Name:   "convlstm",
		Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, 2, 3, 8, 8, 3)},
		Build: func(ctx *context.Context, in []*Node) *Node {
			return Model(ctx, cfg, in[0])
		},
		Logf: t.Logf, // Seed: gradcheck.DefaultSeed draws the Glorot weights
	}, gradcheck.DefaultTolerance))
}
