package lrcn

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// gradCheckConfig is the small LRCN of the gradient tests: 3 frames of 16x16, 2x2 pools.
func gradCheckConfig() Config {
	cfg := DefaultConfig()
	cfg.Frames, cfg.Height, cfg.Width, cfg.Classes = 3, 16, 16, 3
	cfg.Filters, cfg.Pools, cfg.LSTMUnits = []int{2, 3, 3, 4}, []int{2, 2, 2, 2}, 3
	return cfg
}

// gradCheckInput is the fixed video batch of the gradient tests, [2, 3, 16, 16, 3].
func gradCheckInput() *tensors.Tensor {
	x := make([]float64, 2*3*16*16*3)
	for i := range x {
		x[i] = 0.5 + 0.4*math.Sin(0.37*float64(i))
	}
	return tensors.FromFlatDataAndDimensions(x, 2, 3, 16, 16, 3)
}

// gradCheckSeed seeds the Glorot draws of the checked LRCN. The model is piecewise smooth
// (ReLU, max-pool) and its biases start at 0, so some draws switch off every conv2d_0 unit
// over whole patches, which puts conv2d_1's pre-activations there exactly on the ReLU's kink
// (0 + zero bias), where no finite difference can check a gradient. TestSeedScan
// (ACTREPRO_LRCN_SEED_SCAN=200, purego, 2026-11-29): 19 of seeds 1..200 put a checked
// coordinate on a kink, each a failure of the check before kink detection; 17 of them put
// every coordinate of a bias on one (13 at conv2d_1, with 288 to 1140 of its 1152
// pre-activations exactly 0; 4 at conv2d_2), which gradcheck now reports as unfit; seed 1 is
// one of them, seed 2 is smooth. Before gradcheck seeded the RNG, every run drew new
// weights and 14 of 161 runs failed (issue 12), idle or loaded alike.
const gradCheckSeed = 2

// TestGradientsMatchFiniteDifferences checks the gradients of a small LRCN
// (3 frames of 16x16, 2x2 pools) wrt its input and all variables against
// central differences in float64 (purego/gradcheck).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	backend := fixturetest.Backend(t)
	cfg := gradCheckConfig()
	fixturetest.GradReport(t)(gradcheck.Run(backend, gradcheck.Case{
		Name:   "lrcn",
		Inputs: []*tensors.Tensor{gradCheckInput()},
		Build: func(ctx *context.Context, in []*Node) *Node {
			return Model(ctx, cfg, in[0])
		},
		Seed: gradCheckSeed,
		Logf: t.Logf,
	}, gradcheck.DefaultTolerance))
}
