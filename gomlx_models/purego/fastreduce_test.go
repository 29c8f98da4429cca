package purego

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// TestFastReduceBitIdentical runs ReduceSum/Max/Min/Product over every subset of axes of
// shapes with odd and size-1 dimensions, and over large shapes (split across goroutines: rows,
// column chunks of a few long rows, and output elements), on purego with 1, 2 and 8 workers
// (GOMAXPROCS) and on simplego ("go:ops_sequential", its own executor). The claim of
// fastreduce.go is that purego adds each output element's operand elements in simplego's
// order, so all four must be bit-identical; the fast executor must have run.
func TestFastReduceBitIdentical(t *testing.T) {
	pure := testBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	type reduceCase struct {
		dims     []int
		axes     [][]int // nil: every non-empty subset
		specials bool    // NaN, ±Inf, ±0 among the values
	}
	cases := []reduceCase{
		{[]int{7}, nil, false},
		{[]int{3, 5, 7, 2}, nil, false},
		{[]int{1, 9, 1, 4}, nil, false},
		{[]int{2, 3, 1, 5, 3}, nil, false},
		{[]int{80, 31, 31, 16}, [][]int{{0, 1, 2}, {3}, {0}, {1, 2}, {0, 1, 2, 3}}, false}, // bias gradient, per-pixel, batch
		{[]int{4, 8192}, [][]int{{0}, {1}}, false},                                         // few long rows: column chunks
		{[]int{3, 7, 2, 24}, [][]int{{0, 1, 2}, {1, 2}, {1}, {0, 2}}, false},               // short rows in blocks of 8
		{[]int{40, 33, 64}, [][]int{{0, 1}, {1}}, false},                                   // short rows, parallel
		{[]int{3, 50000}, [][]int{{0, 1}}, false},                                          // scalar loss: one sequential sum
		// Round 5 (head32): four output elements at a time over one run each, with a tail;
		// a few rows of 128 to 2047 columns; blocks of 8 columns
		// over one strided reduced group and over an offset list; NaN/±Inf/±0 values.
		{[]int{6, 13, 7, 29}, [][]int{{3}, {2, 3}, {1, 3}}, true},
		{[]int{5, 3, 2, 7, 31}, [][]int{{4}, {3, 4}}, true},
		{[]int{2, 6, 512}, [][]int{{0, 1}, {1}}, true},
		{[]int{40, 3, 136}, [][]int{{0, 1}, {0}}, true},
		{[]int{9, 11, 24}, [][]int{{0, 1}, {1}, {0}}, true},
		{[]int{4, 5, 3, 16}, [][]int{{0, 2}}, true},
		{[]int{64, 9, 157}, [][]int{{2}}, true},    // split across workers
		{[]int{3, 41, 520}, [][]int{{0, 1}}, true}, // split across workers: column chunks
		{[]int{5, 617, 48}, [][]int{{0, 1}}, true}, // split across workers: blocks of 8
	}
	ops := []struct {
		name string
		fn   func(b backends.Builder, x backends.Op, axes ...int) (backends.Op, error)
	}{
		{"ReduceSum", func(b backends.Builder, x backends.Op, a ...int) (backends.Op, error) { return b.ReduceSum(x, a...) }},
		{"ReduceMax", func(b backends.Builder, x backends.Op, a ...int) (backends.Op, error) { return b.ReduceMax(x, a...) }},
		{"ReduceMin", func(b backends.Builder, x backends.Op, a ...int) (backends.Op, error) { return b.ReduceMin(x, a...) }},
		{"ReduceProduct", func(b backends.Builder, x backends.Op, a ...int) (backends.Op, error) {
			return b.ReduceProduct(x, a...)
		}},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(31, 32))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			x := randomTensor(rng, dtype, c.dims)
			if c.specials {
				sprinkleSpecials(rng, x)
			}
			subsets := c.axes
			if subsets == nil {
				for m := 1; m < 1<<len(c.dims); m++ {
					var s []int
					for a := range c.dims {
						if m&(1<<a) != 0 {
							s = append(s, a)
						}
					}
					subsets = append(subsets, s)
				}
			}
			for _, axes := range subsets {
				for _, op := range ops {
					if op.name == "ReduceProduct" && x.Shape().Size() > 10000 {
						continue // all zeros or infinities: says nothing
					}
					t.Run(fmt.Sprintf("%s/%s/%v/axes%v", dtype, op.name, c.dims, axes), func(t *testing.T) {
						fn := func(b backends.Builder, xo backends.Op) (backends.Op, error) { return op.fn(b, xo, axes...) }
						want := runBuilderOp(t, sg, x, fn)
						for _, workers := range []int{1, 2, 8} {
							runtime.GOMAXPROCS(workers)
							before := fastReduceCalls.Load()
							got := runBuilderOp(t, pure, x, fn)
							if fastReduceCalls.Load() == before {
								t.Fatalf("%d workers: the fast reduction did not run", workers)
							}
							assertBitEqual(t, got, want)
						}
					})
				}
			}
		}
	}
}

// TestFastTransposeBitIdentical checks purego's Transpose against simplego's, bit for bit,
// for every permutation of rank-3 and rank-4 shapes with odd and size-1 dimensions and for
// the large layout changes of the convolutions (parallel), with 1, 2 and 8 workers.
func TestFastTransposeBitIdentical(t *testing.T) {
	pure := testBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	perms := func(n int) [][]int {
		var out [][]int
		var rec func(p []int, used int)
		rec = func(p []int, used int) {
			if len(p) == n {
				out = append(out, append([]int(nil), p...))
				return
			}
			for a := range n {
				if used&(1<<a) == 0 {
					rec(append(p, a), used|1<<a)
				}
			}
		}
		rec(nil, 0)
		return out
	}
	cases := []struct {
		dims  []int
		perms [][]int
	}{
		{[]int{2}, [][]int{{0}}},
		{[]int{3, 5, 7}, perms(3)},
		{[]int{2, 1, 3, 5}, perms(4)},
		{[]int{80, 31, 31, 16}, [][]int{{3, 0, 1, 2}, {0, 3, 1, 2}, {1, 2, 3, 0}}},
		{[]int{300, 257}, [][]int{{1, 0}}},
		// Round 5 (head32): 16×16 tiles with ragged edges, every permutation, parallel.
		{[]int{5, 17, 23, 20}, perms(4)},
		{[]int{3, 47, 300}, perms(3)},
		{[]int{33, 1, 1030}, perms(3)},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(33, 34))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			x := randomTensor(rng, dtype, c.dims)
			for _, p := range c.perms {
				t.Run(fmt.Sprintf("%s/%v/perm%v", dtype, c.dims, p), func(t *testing.T) {
					fn := func(b backends.Builder, xo backends.Op) (backends.Op, error) { return b.Transpose(xo, p...) }
					want := runBuilderOp(t, sg, x, fn)
					for _, workers := range []int{1, 2, 8} {
						runtime.GOMAXPROCS(workers)
						before := fastTransposeCalls.Load()
						got := runBuilderOp(t, pure, x, fn)
						if fastTransposeCalls.Load() == before {
							t.Fatalf("%d workers: the fast transpose did not run", workers)
						}
						assertBitEqual(t, got, want)
					}
				})
			}
		}
	}
}

// sprinkleSpecials sets about one value in 16 of x (float32 or float64) to NaN, ±Inf or ±0.
func sprinkleSpecials(rng *rand.Rand, x *tensors.Tensor) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}
	switch x.DType() {
	case dtypes.Float32:
		tensors.MutableFlatData(x, func(flat []float32) {
			for i := range flat {
				if rng.IntN(16) == 0 {
					flat[i] = float32(specials[rng.IntN(len(specials))])
				}
			}
		})
	case dtypes.Float64:
		tensors.MutableFlatData(x, func(flat []float64) {
			for i := range flat {
				if rng.IntN(16) == 0 {
					flat[i] = specials[rng.IntN(len(specials))]
				}
			}
		})
	}
}

// TestFastReduceNaNPayload sums and maximises columns and rows in which NaNs of different
// payloads meet (a positive quiet NaN, then a negative one, then a signalling one) with the
// round-5 loops (AVX2 column sums, four chains over rows) and with the scalar loops they
// replace, on 1, 2 and 8 workers, comparing the bits: which payload survives depends on the
// order of the operands of each addition, which the new loops must keep (a swapped order
// fails here). assertBitEqual takes any NaN for any other, so this test compares the bits
// itself. (purego's scalar loops and simplego's keep different payloads in some of these
// cases, before and after round 5: the values otherwise agree, checked with assertBitEqual.)
func TestFastReduceNaNPayload(t *testing.T) {
	pure := testBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	payloads := []uint32{0x7fc00001, 0xffc00002, 0x7f800003, 0x3f800000}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer func() { simdElementwise, reduceChains4 = simdAvailable, true }()
	for _, c := range []struct {
		dims []int
		axes []int
	}{
		{[]int{4, 520}, []int{0}},     // few long rows: AVX2 column sums
		{[]int{4, 4100}, []int{0}},    // column chunks
		{[]int{4, 64}, []int{0}},      // blocks of 8 columns
		{[]int{9, 4}, []int{1}},       // four chains over rows
		{[]int{90, 2, 400}, []int{2}}, // four chains, parallel
	} {
		x := tensors.FromShape(shapes.Make(dtypes.Float32, c.dims...))
		tensors.MutableFlatData(x, func(flat []float32) {
			inner := c.dims[len(c.dims)-1]
			for i := range flat {
				// Column sums meet the payloads row after row; row loops along the row.
				k := i / inner
				if c.axes[0] == len(c.dims)-1 {
					k = i % inner
				}
				flat[i] = math.Float32frombits(payloads[k%len(payloads)])
			}
		})
		for _, op := range []string{"ReduceSum", "ReduceMax"} {
			fn := func(b backends.Builder, xo backends.Op) (backends.Op, error) {
				if op == "ReduceMax" {
					return b.ReduceMax(xo, c.axes...)
				}
				return b.ReduceSum(xo, c.axes...)
			}
			simdElementwise, reduceChains4 = false, false
			runtime.GOMAXPROCS(1)
			scalar := runBuilderOp(t, pure, x, fn)
			simdElementwise, reduceChains4 = simdAvailable, true
			assertBitEqual(t, scalar, runBuilderOp(t, sg, x, fn))
			want := tensors.MustCopyFlatData[float32](scalar)
			for _, workers := range []int{1, 2, 8} {
				runtime.GOMAXPROCS(workers)
				t.Run(fmt.Sprintf("%s/%v/%d", op, c.dims, workers), func(t *testing.T) {
					got := tensors.MustCopyFlatData[float32](runBuilderOp(t, pure, x, fn))
					for i, w := range want {
						if math.Float32bits(got[i]) != math.Float32bits(w) {
							t.Fatalf("element %d: %#x, scalar loops %#x", i, math.Float32bits(got[i]), math.Float32bits(w))
						}
					}
				})
			}
		}
	}
}
