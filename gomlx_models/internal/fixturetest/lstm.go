package fixturetest

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// KerasLSTMStep is one step of Keras's LSTM cell written out in float64 (the by-hand reference
// of the LSTM and ConvLSTM2D tests): z holds the gates' pre-activations in Keras's order
// (i, f, c, o), c the previous cell state, sig the recurrent activation. It returns the new
// output h and cell state.
func KerasLSTMStep(z []float64, c float64, sig func(float64) float64) (h, cNext float64) {
	cNext = sig(z[1])*c + sig(z[0])*math.Tanh(z[2])
	return sig(z[3]) * math.Tanh(cNext), cNext
}

// SetKerasLSTMWeights puts a Keras LSTM layer's kernel, recurrent_kernel and bias into ctx.
func SetKerasLSTMWeights(ctx *context.Context, kernel, recurrent *tensors.Tensor, bias []float32) {
	ctx.VariableWithValue("kernel", kernel)
	ctx.VariableWithValue("recurrent_kernel", recurrent)
	ctx.VariableWithValue("bias", bias)
}

// ExecFloat32 builds build on ctx, runs it on x and returns its float32 output, failing t on
// any error.
func ExecFloat32(t testing.TB, backend backends.Backend, ctx *context.Context, build func(ctx *context.Context, x *Node) *Node, x *tensors.Tensor) []float32 {
	t.Helper()
	exec, err := context.NewExec(backend, ctx, build)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(x)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out[0])
}
