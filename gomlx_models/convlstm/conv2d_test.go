package convlstm

import (
	"fmt"
	"math"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// convTol bounds float32 rounding differences between two summation orders.
const convTol = 1e-5

// TestConv2DMatchesIm2col checks Conv2D (one ConvGeneral, purego's lowering and gradient)
// against the in-graph im2col formulation it replaced and against graph.Convolve, forward and
// the gradients wrt input and kernel of a weighted sum of the output, on the purego backend,
// for odd and even kernels, same and valid padding, and channel counts that widen (the
// models' case: the input gradient is lowered as matrix product + col2im) and narrow.
func TestConv2DMatchesIm2col(t *testing.T) {
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ k, cin, f int }{{3, 3, 8}, {3, 6, 2}, {2, 3, 5}, {1, 4, 4}} {
		x := make([]float32, 2*5*6*c.cin)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)))
		}
		k := make([]float32, c.k*c.k*c.cin*c.f)
		for i := range k {
			k[i] = float32(math.Cos(float64(i) * 0.7))
		}
		for _, same := range []bool{false, true} {
			t.Run(fmt.Sprintf("k%d_cin%d_f%d_same%v", c.k, c.cin, c.f, same), func(t *testing.T) {
				run := func(conv func(x, k *Node) *Node) [][]float32 {
					outs := MustExecOnceN(backend, func(x, k *Node) []*Node {
						y := conv(x, k)
						w := Sin(Iota(x.Graph(), y.Shape(), 0))
						loss := ReduceAllSum(Mul(y, Add(w, Cos(Iota(x.Graph(), y.Shape(), 3)))))
						return append([]*Node{y}, Gradient(loss, x, k)...)
					}, tensors.FromFlatDataAndDimensions(x, 2, 5, 6, c.cin), tensors.FromFlatDataAndDimensions(k, c.k, c.k, c.cin, c.f))
					var flat [][]float32
					for _, o := range outs {
						flat = append(flat, tensors.MustCopyFlatData[float32](o))
					}
					return flat
				}
				got := run(func(x, k *Node) *Node { return Conv2D(x, k, same) })
				refs := map[string][][]float32{
					"in-graph im2col": run(func(x, k *Node) *Node { return conv2DIm2col(x, k, same) }),
				}
				if c.k%2 == 1 {
					refs["graph.Convolve"] = run(func(x, k *Node) *Node {
						if same {
							return Convolve(x, k).Strides(1).PadSame().Done()
						}
						return Convolve(x, k).Strides(1).NoPadding().Done()
					})
				}
				for name, want := range refs {
					for o, what := range []string{"output", "d/dx", "d/dkernel"} {
						g, w := got[o], want[o]
						if len(g) != len(w) {
							t.Fatalf("%s: %d values, %s gives %d", what, len(g), name, len(w))
						}
						for i := range g {
							if math.Abs(float64(g[i]-w[i])) > convTol*(1+math.Abs(float64(w[i]))) {
								t.Fatalf("%s value %d = %g, %s gives %g", what, i, g[i], name, w[i])
							}
						}
					}
				}
			})
		}
	}
}
