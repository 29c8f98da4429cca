package afsd

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// gradSeed seeds the gradient checks' contexts (gradcheck.Case.Seed).
const gradSeed = 5

// smooth fills a tensor of the given dims with order-one values, offset by shift.
func smooth(phase, shift float64, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = shift + 0.8*math.Sin(phase+0.71*float64(i)+0.05*float64(i*i))
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// TestGradients checks, against float64 central differences on purego, the gradients of the
// new differentiable pieces: boundary max-pooling (ranges that clamp, reverse and stay inside),
// GroupNorm with its affine weights, the softmax focal loss (background and action targets),
// the GIoU loss, and the quality BCE whose tIoU target carries a gradient.
func TestGradients(t *testing.T) {
	backend := fixturetest.Backend(t)
	cases := []gradcheck.Case{
		{
			Name:   "boundary max-pool",
			Inputs: []*tensors.Tensor{smooth(0.2, 0, 2, 10, 4)},
			Build: func(ctx *context.Context, in []*Node) *Node {
				segs := Const(in[0].Graph(), [][][]float64{{{-3, 2, 4, 12}, {5, 3, 0, 0}, {2, 7, 9, 9}}, {{0, 0, 1, 8}, {8, 20, -1, 4}, {3, 3, 6, 2}}})
				return BoundaryMaxPool(in[0], segs)
			},
		},
		{
			Name:   "group norm",
			Inputs: []*tensors.Tensor{smooth(0.4, 0.1, 2, 5, 4)},
			Build: func(ctx *context.Context, in []*Node) *Node {
				return GroupNorm(ctx.In("gn"), in[0], 2)
			},
		},
		{
			Name:   "softmax focal",
			Inputs: []*tensors.Tensor{smooth(0.9, 0, 6, 4), tensors.FromValue([]int32{0, 1, 3, 0, 2, 3})},
			Build: func(ctx *context.Context, in []*Node) *Node {
				return SoftmaxFocal(in[0], in[1])
			},
		},
		{
			Name:   "giou",
			Inputs: []*tensors.Tensor{smooth(1.3, 2.5, 5, 2)},
			Build: func(ctx *context.Context, in []*Node) *Node {
				target := Const(in[0].Graph(), [][]float64{{1, 4}, {3.3, 0.7}, {2.05, 2.6}, {0.4, 0.9}, {5, 5}})
				return GIoULoss(in[0], target)
			},
		},
		{
			Name:   "quality bce",
			Inputs: []*tensors.Tensor{smooth(0.1, 0, 5), smooth(2.1, 2, 5, 2), smooth(0.7, 0, 5, 2)},
			Build: func(ctx *context.Context, in []*Node) *Node {
				target := Const(in[0].Graph(), [][]float64{{1, 4}, {3.3, 0.7}, {2.05, 2.6}, {0.4, 0.9}, {5, 5}})
				a, b := lastSplit(in[1])
				w := InsertAxes(Add(a, b), -1)
				cur := Add(Mul(MulScalar(w, 0.5), MulScalar(in[2], 0.3)), in[1])
				return BCEWithLogits(in[0], MaxScalar(SegmentIoU(cur, target), 0))
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
