package lrcn

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// lstmTol allows for float32 arithmetic in the graph against float64 here.
const lstmTol = 1e-5

// TestLSTMByHand checks the gate order (i, f, c, o) and the last-step
// output of a one-unit LSTM against Keras's equations in float64.
func TestLSTMByHand(t *testing.T) {
	w := []float32{0.5, -0.3, 0.8, 0.2, -0.1, 0.6, 0.3, -0.7} // kernel [2,4]
	u := []float32{0.1, 0.4, -0.6, 0.9}                       // recurrent_kernel [1,4]
	b := []float32{0.05, 1.0, -0.1, 0.2}                      // bias [4]
	xs := []float32{0.7, -0.2, -0.4, 0.9, 0.3, 0.3}           // 3 steps of 2 features
	sig := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	var h, c float64
	for s := 0; s < 3; s++ {
		z := make([]float64, 4)
		for g := range z {
			z[g] = float64(xs[2*s])*float64(w[g]) + float64(xs[2*s+1])*float64(w[4+g]) + float64(u[g])*h + float64(b[g])
		}
		h, c = fixturetest.KerasLSTMStep(z, c, sig)
	}
	ctx := context.New().Checked(false)
	fixturetest.SetKerasLSTMWeights(ctx.In("lstm"), tensors.FromFlatDataAndDimensions(w, 2, 4), tensors.FromFlatDataAndDimensions(u, 1, 4), b)
	out := fixturetest.ExecFloat32(t, fixturetest.Backend(t), ctx, func(ctx *context.Context, x *Node) *Node {
		return LSTM(ctx.In("lstm"), x, 1)
	}, tensors.FromFlatDataAndDimensions(xs, 1, 3, 2))
	if got := out[0]; math.Abs(float64(got)-h) > lstmTol {
		t.Errorf("h_3 = %g, by hand %g", got, h)
	}
}
