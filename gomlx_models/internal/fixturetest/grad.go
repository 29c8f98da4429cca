package fixturetest

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego/gradcheck"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Smooth is a float64 tensor of the given dims with order-one values amp·sin(phase + 0.71·i),
// i the flat index: the inputs of the gradient checks.
func Smooth(phase, amp float64, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = amp * math.Sin(phase+0.71*float64(i))
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

// GradReport returns a function taking gradcheck.Run's results, used as
// GradReport(t)(gradcheck.Run(backend, c, tol)): an error (a gradient out of tolerance, a
// panic) is fatal, otherwise it logs what was checked. Callers keep the gradcheck.Run call in
// their own test file: .ci/stress.sh finds the packages to stress by grepping for it.
func GradReport(t testing.TB) func(res *gradcheck.Result, err error) {
	return func(res *gradcheck.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("checked %d coordinates of %v, max error %.3g of tolerance, %d kinks skipped", res.Checked, res.Targets, res.MaxError, len(res.Kinks))
	}
}
