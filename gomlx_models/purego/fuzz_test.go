package purego_test

import (
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// FuzzPad compares purego's Pad with the plain-Go reference on random small shapes and
// configurations (negative edges included); configurations that remove more than the axis
// holds must give an error, never a panic.
func FuzzPad(f *testing.F) {
	f.Add(uint8(2), uint8(3), int8(1), int8(-1), uint8(1), int8(0), int8(2), uint8(0))
	f.Add(uint8(1), uint8(4), int8(-3), int8(-2), uint8(0), int8(1), int8(1), uint8(2))
	f.Fuzz(func(t *testing.T, d0, d1 uint8, s0, e0 int8, i0 uint8, s1, e1 int8, i1 uint8) {
		dims := []int{int(d0%4) + 1, int(d1%4) + 1}
		conf := []backends.PadAxis{
			{Start: int(s0 % 4), End: int(e0 % 4), Interior: int(i0 % 3)},
			{Start: int(s1 % 4), End: int(e1 % 4), Interior: int(i1 % 3)},
		}
		valid := true
		for a, c := range conf {
			n := dims[a] + (dims[a]-1)*c.Interior
			if n+c.Start+c.End <= 0 || (c.Start < 0 && c.End < 0 && -c.Start-c.End > n) || -c.Start > n || -c.End > n {
				valid = false
			}
		}
		x := sample(9, dims...)
		out, err := ExecOnce(pureBackend(), func(g *Graph) *Node {
			return Pad(Const(g, x.tensor()), Scalar(g, x.tensor().DType(), 5), conf...)
		})
		if !valid {
			return // an error (or an empty result) is acceptable; not panicking is the check
		}
		if err != nil {
			t.Fatalf("dims %v conf %+v: %v", dims, conf, err)
		}
		want := refPad(x, 5, conf)
		compare(t, "Pad", tensors.MustCopyFlatData[float64](out), out.Shape().Dimensions, want, exactTol)
	})
}
