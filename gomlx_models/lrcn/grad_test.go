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

// TestGradientsMatchFiniteDifferences checks the gradients of a small LRCN
// (3 frames of 16x16, 2x2 pools) wrt its input and all variables against
// central differences in float64 (purego/gradcheck).
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Frames, cfg.Height, cfg.Width, cfg.Classes = 3, 16, 16, 3
	cfg.Filters, cfg.Pools, cfg.LSTMUnits = []int{2, 3, 3, 4}, []int{2, 2, 2, 2}, 3
	x := make([]float64, 2*3*16*16*3)
	for i := range x {
		x[i] = 0.5 + 0.4*math.Sin(0.37*float64(i))
	}
	res, err := gradcheck.Run(backend, gradcheck.Case{
		Name:   "lrcn",
		Inputs: []*tensors.Tensor{tensors.FromFlatDataAndDimensions(x, 2, 3, 16, 16, 3)},
		Build: func(ctx *context.Context, in []*Node) *Node {
			return Model(ctx, cfg, in[0])
		},
	}, gradcheck.DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d coordinates of %v, max error %.3g of tolerance", res.Checked, res.Targets, res.MaxError)
}
