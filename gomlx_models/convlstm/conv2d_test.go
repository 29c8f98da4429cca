package convlstm

import (
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// convTol bounds float32 rounding differences between two summation orders.
const convTol = 1e-5

// TestConv2DMatchesConvolve checks the im2col convolution against GoMLX's
// own graph.Convolve (forward) on the purego backend.
func TestConv2DMatchesConvolve(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 2*5*6*3)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)))
	}
	k := make([]float32, 3*3*3*4)
	for i := range k {
		k[i] = float32(math.Cos(float64(i) * 0.7))
	}
	for _, same := range []bool{false, true} {
		got, err := ExecOnce(backend, func(x, k *Node) *Node { return Conv2D(x, k, same) },
			tensors.FromFlatDataAndDimensions(x, 2, 5, 6, 3), tensors.FromFlatDataAndDimensions(k, 3, 3, 3, 4))
		if err != nil {
			t.Fatal(err)
		}
		want, err := ExecOnce(backend, func(x, k *Node) *Node {
			if same {
				return Convolve(x, k).Strides(1).PadSame().Done()
			}
			return Convolve(x, k).Strides(1).NoPadding().Done()
		},
			tensors.FromFlatDataAndDimensions(x, 2, 5, 6, 3), tensors.FromFlatDataAndDimensions(k, 3, 3, 3, 4))
		if err != nil {
			t.Fatal(err)
		}
		g, w := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](want)
		if len(g) != len(w) {
			t.Fatalf("same=%v: %d values, want %d", same, len(g), len(w))
		}
		for i := range g {
			if math.Abs(float64(g[i]-w[i])) > convTol*(1+math.Abs(float64(w[i]))) {
				t.Fatalf("same=%v: value %d = %g, Convolve gives %g", same, i, g[i], w[i])
			}
		}
	}
}
