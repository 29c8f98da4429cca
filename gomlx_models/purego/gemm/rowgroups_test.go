package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestRowGroups checks the split of narrow products with a long k (a convolution's kernel
// gradient) into bands of row strips: which products take it, and that each gives the bits of
// one worker, and of a float64 reference summed in the same kc slices (so that a band starting
// off the MR grid, dropping a kc slice or a row, fails).
func TestRowGroups(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kern := range kernels() {
		cases := []struct {
			m, n, k, workers, want int
		}{
			// n = NR: one column strip, so gemmBlocked has one task per kc slice.
			{27, kern.nr, 3000, 2, 2}, // first LRCN layer (k shortened)
			{144, kern.nr, 700, 2, 2}, // second layer
			{144, kern.nr, 700, 8, min(8, (144+kern.mr-1)/kern.mr)},
			{kern.mr, kern.nr, 2000, 2, 1},          // one row strip: nothing to split
			{27, kern.nr, 3000, 1, 1},               // one worker
			{400, kern.nr, 3000, 2, 1},              // enough row blocks: gemmBlocked's split
			{27, 4 * kern.nr, 3000, 2, 1},           // enough column strips: gemmBlocked's split
			{2*kern.mr + 1, kern.nr - 3, 900, 3, 3}, // ragged last row strip alone in the last band
		}
		for _, c := range cases {
			if got := rowGroups(kern, c.m, c.n, c.workers); got != c.want {
				t.Errorf("%s rowGroups(m=%d, n=%d, workers=%d) = %d, want %d", kern.name, c.m, c.n, c.workers, got, c.want)
			}
			p := newProblem(rng, true, false, c.m, c.n, c.k, 3)
			checkWorkers(t, kern, p, c.workers, fmt.Sprint(c))
		}
	}
}

// checkWorkers runs problem p with 1 and with `workers` workers: the products must be
// bit-identical and near a float64 reference (a split that drops or repeats a tile fails).
func checkWorkers(t *testing.T, kern *microKernel, p *problem, workers int, label string) {
	t.Helper()
	av := checkOperand("test", "A", p.transA, p.m, p.k, p.a, p.lda, 1, 0)
	bv := checkOperand("test", "B", p.transB, p.k, p.n, p.b, p.ldb, 1, 0)
	one := slices.Clone(p.c)
	gemm(kern, p.m, p.n, p.k, av, bv, one, p.ldc, 1)
	got := slices.Clone(p.c)
	gemm(kern, p.m, p.n, p.k, av, bv, got, p.ldc, workers)
	if i := firstDiff(bitsOf(got, p.m, p.n, p.ldc), bitsOf(one, p.m, p.n, p.ldc)); i >= 0 {
		t.Errorf("%s %s: %d workers differ from 1 at %d", kern.name, label, workers, i)
	}
	for i := range p.m {
		for j := range p.n {
			var ref float64
			for l := range p.k {
				ref += float64(av.data[i*av.rs+l*av.cs]) * float64(bv.data[l*bv.rs+j*bv.cs])
			}
			if v := float64(got[i*p.ldc+j]); math.Abs(v-ref) > 1e-3*(1+math.Abs(ref)) {
				t.Fatalf("%s %s: C[%d,%d] = %g, want %g", kern.name, label, i, j, v, ref)
			}
		}
	}
}

// TestTransposedADirectBits checks that reading a transposed A in place (useDirectA for narrow
// panels) gives the bits of packing it: the micro-kernel does the same multiply-adds in the
// same order whatever the strides it reads A with. Ragged row strips, several kc slices, one
// and several column strips.
func TestTransposedADirectBits(t *testing.T) {
	defer func() { directMode = directAuto }()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kern := range kernels() {
		for _, s := range [][3]int{{27, 16, 700}, {144, 32, 600}, {kern.mr + 3, 2*kern.nr + 5, 300}, {5, 7, 9}} {
			p := newProblem(rng, true, false, s[0], s[1], s[2], 2)
			av := checkOperand("test", "A", p.transA, p.m, p.k, p.a, p.lda, 1, 0)
			bv := checkOperand("test", "B", p.transB, p.k, p.n, p.b, p.ldb, 1, 0)
			var ref []uint32
			for _, mode := range []int{directNever, directAlways, directAuto} {
				directMode = mode
				c := slices.Clone(p.c)
				gemm(kern, p.m, p.n, p.k, av, bv, c, p.ldc, 1)
				got := bitsOf(c, p.m, p.n, p.ldc)
				if ref == nil {
					ref = got
				} else if i := firstDiff(got, ref); i >= 0 {
					t.Errorf("%s %v: mode %d differs from packing at %d", kern.name, s, mode, i)
				}
			}
		}
	}
}
