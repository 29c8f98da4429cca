package gemm

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// determinismShapes cover every way the driver splits work: serial small products, one row
// block split into column-strip parts (m ≤ mcBlock), many row blocks, several kc slices of the
// reduction (k > kcBlock), several nc panels (n > ncBlock), ragged edges everywhere.
var determinismShapes = [][3]int{
	{7, 9, 5}, {37, 41, 300}, {168, 160, 256}, {169, 33, 513}, {340, 200, 300},
	{500, 17, 520}, {5, 5000, 20}, {9, 8, 8192}, {8192, 8, 9}, {20, 4100, 37},
	// row blocks rebalanced (rowBlocks): 4 blocks of a ragged 43-strip m, 3 rounded up to 4
	{512, 70, 300}, {400, 24, 260},
	// column groups (colGroups): few rows, k beyond 4 kc slices, ragged last strip
	{300, 150, 1100}, {13, 140, 1500},
}

// bitsOf returns the bits of the m×n result in c (row stride ldc).
func bitsOf(c []float32, m, n, ldc int) []uint32 {
	out := make([]uint32, 0, m*n)
	for i := range m {
		for _, v := range c[i*ldc : i*ldc+n] {
			out = append(out, math.Float32bits(v))
		}
	}
	return out
}

// TestBitIdenticalAcrossWorkers checks that every kernel gives the same bits with 1, 2, 3 and
// 8 workers, with the parallel threshold as shipped and lowered to 1 (every product
// split), in every packing mode: the driver splits over blocks of C only and each element
// sums its kc slices in the same order whoever computes it.
func TestBitIdenticalAcrossWorkers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	defer func(v int) { parallelMinWork = v }(parallelMinWork)
	defer func() { directMode = directAuto }()
	rng := rand.New(rand.NewPCG(21, 22))
	for _, kern := range kernels() {
		for idx, s := range determinismShapes {
			tr := [2]bool{idx&1 != 0, idx&2 != 0}
			p := newProblem(rng, tr[0], tr[1], s[0], s[1], s[2], 3)
			av := checkOperand("test", "A", p.transA, p.m, p.k, p.a, p.lda, 1, 0)
			bv := checkOperand("test", "B", p.transB, p.k, p.n, p.b, p.ldb, 1, 0)
			for _, mode := range []int{directAuto, directAlways, directNever} {
				directMode = mode
				for _, minWork := range []int{1 << 19, 1} {
					parallelMinWork = minWork
					var ref []uint32
					for _, workers := range []int{1, 2, 3, 8} {
						c := slices.Clone(p.c)
						gemm(kern, p.m, p.n, p.k, av, bv, c, p.ldc, workers)
						got := bitsOf(c, p.m, p.n, p.ldc)
						if ref == nil {
							ref = got
							continue
						}
						if i := firstDiff(got, ref); i >= 0 {
							t.Errorf("%s %v trans %v mode %d minWork %d: workers=%d differs from 1 worker at %d: %g, %g",
								kern.name, s, tr, mode, minWork, workers, i, math.Float32frombits(got[i]), math.Float32frombits(ref[i]))
						}
					}
				}
			}
		}
	}
}

// TestBatchBitIdenticalAcrossWorkers does the same for batches, which are split whole over
// the workers, or inside each product for the last batch%workers ones.
func TestBatchBitIdenticalAcrossWorkers(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rng := rand.New(rand.NewPCG(23, 24))
	for _, c := range []struct{ batch, m, n, k int }{{5, 17, 33, 16}, {7, 200, 150, 300}, {3, 64, 64, 64}, {2, 8192, 8, 9}} {
		for _, tr := range [][2]bool{{false, false}, {true, true}, {false, true}, {true, false}} {
			probs, a, strideA, b, strideB := batchProblems(rng, c.batch, tr[0], tr[1], c.m, c.n, c.k, 1, 2)
			p0 := probs[0]
			var ref []uint32
			for _, workers := range []int{1, 2, 3, 8} {
				cc, strideC := concatC(probs, 0)
				Float32Batch(c.batch, tr[0], tr[1], c.m, c.n, c.k, a, p0.lda, strideA, b, p0.ldb, strideB, cc, p0.ldc, strideC, workers)
				got := bitsOf(cc, c.batch*strideC/p0.ldc, p0.n, p0.ldc)
				if ref == nil {
					ref = got
					continue
				}
				if i := firstDiff(got, ref); i >= 0 {
					t.Errorf("%+v trans %v: workers=%d differs from 1 worker at %d", c, tr, workers, i)
				}
			}
		}
	}
}

func firstDiff(a, b []uint32) int {
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
