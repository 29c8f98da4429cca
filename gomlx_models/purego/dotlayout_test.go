package purego

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// TestDotOutLayoutBitIdentical builds Transpose(DotGeneral) graphs as GoMLX's attention does
// (per-head products of [B,T,H,D] operands, the [B,H,Tq,n] result transposed to [B,Tq,H,n]),
// and others the rewrite must leave alone (n not innermost, batch axes swapped), and
// compares the bits of purego (the DotGeneral written in the transposed layout) with purego
// "no_fusion" (product, then transpose) for float32 and float64, odd sizes, NaN/±Inf/±0
// values and 1, 2 and 8 workers, and with a float64 reference from the ops' definition.
func TestDotOutLayoutBitIdentical(t *testing.T) {
	pure := testBackend(t)
	unfused, err := New("purego:no_fusion")
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		name                   string
		lhsDims, rhsDims       []int
		lhsC, lhsB, rhsC, rhsB []int
		perm                   []int
		absorbed               bool
	}
	cases := []tc{
		// scores: [B,Tq,H,D]·[B,Tk,H,D] over D → [B,H,Tq,Tk] → [B,Tq,H,Tk]
		{"qk", []int{3, 7, 5, 16}, []int{3, 9, 5, 16}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}, []int{0, 2, 1, 3}, true},
		// probabilities·values: [B,H,Tq,Tk]·[B,Tk,H,D] → [B,H,Tq,D] → [B,Tq,H,D]
		{"pv", []int{3, 5, 7, 9}, []int{3, 9, 5, 16}, []int{3}, []int{0, 1}, []int{1}, []int{0, 2}, []int{0, 2, 1, 3}, true},
		// larger, parallel, k beyond gemm's kc
		{"big", []int{4, 37, 6, 300}, []int{4, 41, 6, 300}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}, []int{0, 2, 1, 3}, true},
		// batch axes swapped in the output: still a strided matrix per product
		{"swap-batch", []int{3, 7, 5, 16}, []int{3, 9, 5, 16}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}, []int{1, 0, 2, 3}, true},
		// n not innermost: left to Transpose
		{"n-moved", []int{3, 7, 5, 16}, []int{3, 9, 5, 16}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}, []int{0, 3, 1, 2}, false},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(91, 92))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			gen := func(dims []int) *tensors.Tensor {
				x := randomTensor(rng, dtype, dims)
				sprinkleSpecials(rng, x)
				return x
			}
			lhs, rhs := gen(c.lhsDims), gen(c.rhsDims)
			fn := func(b backends.Builder, ops []backends.Op) (backends.Op, error) {
				d, err := b.DotGeneral(ops[0], c.lhsC, c.lhsB, ops[1], c.rhsC, c.rhsB)
				if err != nil {
					return nil, err
				}
				return b.Transpose(d, c.perm...)
			}
			want := runBuilderOps(t, unfused, []*tensors.Tensor{lhs, rhs}, false, fn)
			ref := dotTransposeReference(lhs, rhs, c.lhsC, c.lhsB, c.rhsC, c.rhsB, c.perm)
			for _, workers := range []int{1, 2, 8} {
				t.Run(fmt.Sprintf("%s/%s/%d", dtype, c.name, workers), func(t *testing.T) {
					runtime.GOMAXPROCS(workers)
					built, ran := dotOutBuilt.Load(), dotOutCalls.Load()
					got := runBuilderOps(t, pure, []*tensors.Tensor{lhs, rhs}, false, fn)
					if absorbed := dotOutBuilt.Load() > built && dotOutCalls.Load() > ran; absorbed != c.absorbed {
						t.Fatalf("absorbed %v, want %v", absorbed, c.absorbed)
					}
					if !got.Shape().Equal(want.Shape()) {
						t.Fatalf("shape %s, want %s", got.Shape(), want.Shape())
					}
					g, w := flatBits(got), flatBits(want)
					for i := range g {
						if g[i] != w[i] {
							t.Fatalf("element %d: bits %#x, product then transpose %#x", i, g[i], w[i])
						}
					}
					for i, v := range flat64(got) {
						if r := ref[i]; !math.IsNaN(r) && !math.IsInf(r, 0) && math.Abs(v-r) > 1e-3*(1+math.Abs(r)) {
							t.Fatalf("element %d: %v, definition %v", i, v, r)
						}
					}
				})
			}
		}
	}
}

// flatBits returns a float32 or float64 tensor's values as bit patterns.
func flatBits(x *tensors.Tensor) []uint64 {
	var out []uint64
	switch x.DType() {
	case dtypes.Float32:
		for _, v := range tensors.MustCopyFlatData[float32](x) {
			out = append(out, uint64(math.Float32bits(v)))
		}
	case dtypes.Float64:
		for _, v := range tensors.MustCopyFlatData[float64](x) {
			out = append(out, math.Float64bits(v))
		}
	}
	return out
}

// dotTransposeReference is Transpose(DotGeneral(lhs, rhs), perm) by the definitions, in
// float64 (DotGeneral's output: batch axes, lhs cross axes, rhs cross axes, in axis order).
func dotTransposeReference(lhs, rhs *tensors.Tensor, lhsC, lhsB, rhsC, rhsB, perm []int) []float64 {
	ld, rd := lhs.Shape().Dimensions, rhs.Shape().Dimensions
	p := dotParamsOf(ld, rd, lhsC, lhsB, rhsC, rhsB)
	l32, r32 := make([]float32, len1(ld)), make([]float32, len1(rd))
	for i, v := range flat64(lhs) {
		l32[i] = float32(v)
	}
	for i, v := range flat64(rhs) {
		r32[i] = float32(v)
	}
	d := dotReference(ld, l32, rd, r32, p) // [batch, m, n] (float32 inputs: the float64 case is compared loosely)
	var dims []int
	for _, a := range lhsB {
		dims = append(dims, ld[a])
	}
	dims = append(dims, p.lhsCross, p.rhsCross)
	out := make([]float64, len(d))
	outDims := make([]int, len(perm))
	for a, pa := range perm {
		outDims[a] = dims[pa]
	}
	inStrides := contiguous(dims)
	idx := make([]int, len(perm))
	for o := range out {
		r := o
		for a := len(perm) - 1; a >= 0; a-- {
			idx[a] = r % outDims[a]
			r /= outDims[a]
		}
		off := 0
		for a, pa := range perm {
			off += idx[a] * inStrides[pa]
		}
		out[o] = d[off]
	}
	return out
}

var _ = shapes.Make
