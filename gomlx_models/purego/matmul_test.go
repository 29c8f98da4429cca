package purego

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// TestFastMatmulEnabled fails loudly when a GoMLX upgrade changes the simplego internals the
// fast DotGeneral executor reads, which silently falls back to simplego's slow kernel.
func TestFastMatmulEnabled(t *testing.T) {
	if err := FastMatmulError(); err != nil {
		t.Fatalf("purego's fast DotGeneral kernel is DISABLED: %v", err)
	}
}

// TestTranspose checks the axis permutation used to normalise DotGeneral operands against a
// direct index computation.
func TestTranspose(t *testing.T) {
	for _, c := range []struct{ dims, perm []int }{
		{[]int{3}, []int{0}},
		{[]int{2, 3}, []int{1, 0}},
		{[]int{2, 3, 4}, []int{2, 0, 1}},
		{[]int{2, 3, 4, 5}, []int{1, 3, 0, 2}},
		{[]int{1, 4, 1, 3}, []int{3, 2, 1, 0}},
	} {
		n := 1
		for _, d := range c.dims {
			n *= d
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i)
		}
		got := transpose(x, c.dims, c.perm)
		// Walk the result in order, checking each element's source index.
		out := make([]int, len(c.dims))
		for i := range out {
			out[i] = c.dims[c.perm[i]]
		}
		idx := make([]int, len(c.dims))
		for o := range got {
			src := make([]int, len(c.dims))
			for i, a := range c.perm {
				src[a] = idx[i]
			}
			flat := 0
			for a, d := range c.dims {
				flat = flat*d + src[a]
			}
			if got[o] != float32(flat) {
				t.Fatalf("dims %v perm %v: element %d is %v, want %d", c.dims, c.perm, o, got[o], flat)
			}
			for a := len(idx) - 1; a >= 0; a-- {
				if idx[a]++; idx[a] < out[a] {
					break
				}
				idx[a] = 0
			}
		}
	}
}

// TestFastDotGeneralEqualsSimplego runs every DotGeneral layout (plus sizes large enough for
// the packed kernel's blocking) on purego and on simplego ("go:ops_sequential", its own
// kernel) and compares the outputs.
func TestFastDotGeneralEqualsSimplego(t *testing.T) {
	pure := testBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	cases := slices.Clone(dotCases)
	cases = append(cases,
		struct {
			name                   string
			lhsDims, rhsDims       []int
			lhsC, lhsB, rhsC, rhsB []int
		}{"large matmul", []int{70, 300}, []int{300, 130}, []int{1}, nil, []int{0}, nil},
		struct {
			name                   string
			lhsDims, rhsDims       []int
			lhsC, lhsB, rhsC, rhsB []int
		}{"large batched transposed", []int{3, 257, 65}, []int{3, 33, 257}, []int{1}, []int{0}, []int{2}, []int{0}},
	)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dtype, c.name), func(t *testing.T) {
				lhs := randomTensor(rng, dtype, c.lhsDims)
				rhs := randomTensor(rng, dtype, c.rhsDims)
				f := func(l, r *Node) *Node { return DotGeneral(l, c.lhsC, c.lhsB, r, c.rhsC, c.rhsB) }
				before := fastDotCalls.Load()
				got := MustExecOnce(pure, f, lhs, rhs)
				if fastDotCalls.Load() == before {
					t.Fatal("purego did not run its own DotGeneral kernel")
				}
				lhs.ToLocal()
				rhs.ToLocal()
				want := MustExecOnce(sg, f, lhs, rhs)
				k := 1
				for _, a := range c.lhsC {
					k *= c.lhsDims[a]
				}
				tol := 1e-12 * float64(k)
				if dtype == dtypes.Float32 {
					tol = 2e-6 * math.Sqrt(float64(k))
				}
				assertClose(t, got, want, tol)
			})
		}
	}
}

// randomTensor returns a dtype tensor of standard normal values.
func randomTensor(rng *rand.Rand, dtype dtypes.DType, dims []int) *tensors.Tensor {
	x := tensors.FromShape(shapes.Make(dtype, dims...))
	switch dtype {
	case dtypes.Float32:
		tensors.MutableFlatData(x, func(flat []float32) {
			for i := range flat {
				flat[i] = float32(rng.NormFloat64())
			}
		})
	case dtypes.Float64:
		tensors.MutableFlatData(x, func(flat []float64) {
			for i := range flat {
				flat[i] = rng.NormFloat64()
			}
		})
	}
	return x
}

// flat64 returns a float32 or float64 tensor's values as float64.
func flat64(x *tensors.Tensor) []float64 {
	var out []float64
	switch x.DType() {
	case dtypes.Float32:
		for _, v := range tensors.MustCopyFlatData[float32](x) {
			out = append(out, float64(v))
		}
	case dtypes.Float64:
		out = tensors.MustCopyFlatData[float64](x)
	}
	return out
}

// assertClose fails unless got and want have the same shape and every element agrees to tol
// relative to 1+|want|.
func assertClose(t *testing.T, got, want *tensors.Tensor, tol float64) {
	t.Helper()
	if !slices.Equal(got.Shape().Dimensions, want.Shape().Dimensions) {
		t.Fatalf("shape %s, want %s", got.Shape(), want.Shape())
	}
	g, w := flat64(got), flat64(want)
	for i := range g {
		if d := math.Abs(g[i] - w[i]); d > tol*(1+math.Abs(w[i])) {
			t.Fatalf("element %d: got %g, want %g (tolerance %g)", i, g[i], w[i], tol)
		}
	}
}
