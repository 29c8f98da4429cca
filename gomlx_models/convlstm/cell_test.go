package convlstm

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// cellTol allows for float32 arithmetic in the graph against float64 here.
const cellTol = 1e-5

// TestConvLSTM2DCellByHand checks the gate order (i, f, c, o), the forget
// bias and both recurrent activations on a 1x1 kernel, where ConvLSTM2D is a
// per-pixel LSTM that a few lines of float64 arithmetic (Keras's equations,
// written out below) reproduce.
func TestConvLSTM2DCellByHand(t *testing.T) {
	backend := fixturetest.Backend(t)
	w := []float32{0.5, -0.3, 0.8, 0.2}  // kernel [1,1,1,4]: i, f, c, o
	u := []float32{0.1, 0.4, -0.6, 0.9}  // recurrent_kernel [1,1,1,4]
	b := []float32{0.05, 1.0, -0.1, 0.2} // bias [4]
	xs := []float32{0.7, -0.4}           // two frames of one 1x1x1 pixel
	for _, act := range []string{ActivationHardSigmoid, ActivationSigmoid} {
		sig := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
		if act == ActivationHardSigmoid {
			sig = func(z float64) float64 { return math.Max(0, math.Min(1, 0.2*z+0.5)) }
		}
		var h, c float64
		var want []float64
		for _, x := range xs {
			z := make([]float64, 4)
			for g := range z {
				z[g] = float64(w[g])*float64(x) + float64(u[g])*h + float64(b[g])
			}
			h, c = fixturetest.KerasLSTMStep(z, c, sig)
			want = append(want, h)
		}

		ctx := context.New().Checked(false)
		fixturetest.SetKerasLSTMWeights(ctx.In("cell"), tensors.FromFlatDataAndDimensions(w, 1, 1, 1, 4), tensors.FromFlatDataAndDimensions(u, 1, 1, 1, 4), b)
		got := fixturetest.ExecFloat32(t, backend, ctx, func(ctx *context.Context, x *Node) *Node {
			return ConvLSTM2D(ctx.In("cell"), x, 1, 1, 0, act)
		}, tensors.FromFlatDataAndDimensions(xs, 1, 2, 1, 1, 1))
		for i := range want {
			if math.Abs(float64(got[i])-want[i]) > cellTol {
				t.Errorf("%s: h_%d = %g, by hand %g", act, i+1, got[i], want[i])
			}
		}
	}
}
