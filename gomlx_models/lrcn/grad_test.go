package lrcn

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
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
// of whole patches and put the conv2d_1 pre-activations there exactly on the ReLU's kink,
// where no finite difference can check a gradient: 17 of seeds 1..200 do, seed 1 among them
// (852 of 1152 conv2d_1 pre-activations exactly 0), seed 2 none (TestSeedScan,
// ACTREPRO_LRCN_SEED_SCAN=200). Before gradcheck seeded the RNG every run drew new weights,
// and about one run in twelve failed (issue 12).
const gradCheckSeed = 2

// TestGradientsMatchFiniteDifferences checks the gradients of a small LRCN
// (3 frames of 16x16, 2x2 pools) wrt its input and all variables against
// central differences in float64 (purego/gradcheck).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	cfg := gradCheckConfig()
	res, err := gradcheck.Run(backend, gradcheck.Case{
		Name:   "lrcn",
		Inputs: []*tensors.Tensor{gradCheckInput()},
		Build: func(ctx *context.Context, in []*Node) *Node {
			return Model(ctx, cfg, in[0])
		},
		Seed: gradCheckSeed,
		Logf: t.Logf,
	}, gradcheck.DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d coordinates of %v, max error %.3g of tolerance, %d kinks skipped", res.Checked, res.Targets, res.MaxError, len(res.Kinks))
}
