package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestRowBlocks checks rowBlocks' split of m rows into row blocks: the blocks tile [0, m) in
// order, each starts at a multiple of MR (so the ragged strip, if any, is still the last one
// and the tile grid is the one of a single block), none is empty or higher than mcBlock,
// there are no fewer than the mcBlock-high blocks of the plain split, their heights differ by
// at most one strip, and with several workers (and more than one block) their number is a
// multiple of the workers when there are enough strips.
func TestRowBlocks(t *testing.T) {
	for _, mr := range []int{6, 12, 14} {
		for _, m := range []int{1, 5, 12, 13, 167, 168, 169, 337, 400, 511, 512, 513, 1000, 2048, 4992} {
			for _, workers := range []int{1, 2, 3, 8} {
				nIC, blockRows := rowBlocks(mr, m, workers)
				strips := (m + mr - 1) / mr
				plain := (strips + mcBlock/mr - 1) / (mcBlock / mr)
				if nIC < plain || nIC > strips {
					t.Errorf("mr=%d m=%d workers=%d: %d blocks, want between %d and %d", mr, m, workers, nIC, plain, strips)
				}
				if workers > 1 && plain > 1 && nIC%workers != 0 && nIC != strips {
					t.Errorf("mr=%d m=%d workers=%d: %d blocks, not a multiple of the workers", mr, m, workers, nIC)
				}
				next, minS, maxS := 0, strips, 0
				for b := range nIC {
					ic, mc := blockRows(b)
					if ic != next || ic%mr != 0 || mc <= 0 || mc > mcBlock {
						t.Fatalf("mr=%d m=%d workers=%d: block %d = rows [%d, %d), after row %d", mr, m, workers, b, ic, ic+mc, next)
					}
					s := (mc + mr - 1) / mr
					minS, maxS = min(minS, s), max(maxS, s)
					next = ic + mc
				}
				if next != m {
					t.Errorf("mr=%d m=%d workers=%d: blocks end at row %d", mr, m, workers, next)
				}
				if maxS-minS > 1 {
					t.Errorf("mr=%d m=%d workers=%d: blocks of %d to %d strips", mr, m, workers, minS, maxS)
				}
			}
		}
	}
}

// TestColGroups checks when products are split into column groups, and colBand's bands: they
// tile [0, n) in order, each starts at a multiple of NR (so the only ragged strip is still the
// last one), none is empty, and their widths differ by at most one strip.
func TestColGroups(t *testing.T) {
	for _, c := range []struct {
		m, n, k, workers, want int
	}{
		{512, 2048, 4992, 2, 2}, {512, 512, 4992, 2, 2}, {512, 512, 4992, 8, 8}, {13, 140, 1500, 2, 2},
		{512, 512, 4992, 1, 1},  // one worker
		{512, 512, 1024, 2, 1},  // k ≤ 4 kc slices
		{2048, 512, 4992, 2, 1}, // enough row blocks
		{512, 96, 4992, 2, 1},   // too few column strips (NR = 32 below)
		{512, 5000, 4992, 2, 1}, // several nc panels
	} {
		if got := colGroups(&microKernel{mr: 12, nr: 32}, c.m, c.n, c.k, c.workers); got != c.want {
			t.Errorf("colGroups(%d, %d, %d, workers=%d) = %d, want %d", c.m, c.n, c.k, c.workers, got, c.want)
		}
	}
	// Bits as with one worker, values as a float64 reference, on every kernel.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kern := range kernels() {
		for _, c := range []struct{ m, n, k, workers int }{
			{13, 5*kern.nr - 3, 1100, 2}, {2*kern.mr + 5, 9 * kern.nr, 1300, 3}, {50, 16*kern.nr + 1, 1050, 8},
		} {
			if g := colGroups(kern, c.m, c.n, c.k, c.workers); g != c.workers {
				t.Fatalf("%s %v: colGroups = %d, want %d", kern.name, c, g, c.workers)
			}
			for _, transA := range []bool{false, true} {
				p := newProblem(rng, transA, false, c.m, c.n, c.k, 3)
				checkWorkers(t, kern, p, c.workers, fmt.Sprintf("%v transA %v", c, transA))
			}
		}
	}
	for _, nr := range []int{16, 32} {
		for _, n := range []int{64, 65, 70, 100, 512, 513, 2048, 4031} {
			for _, groups := range []int{2, 3, 8} {
				if (n+nr-1)/nr < groups {
					continue
				}
				next, minS, maxS := 0, n, 0
				for g := range groups {
					j0, nb := colBand(nr, n, groups, g)
					if j0 != next || j0%nr != 0 || nb <= 0 {
						t.Fatalf("nr=%d n=%d groups=%d: band %d = columns [%d, %d), after column %d", nr, n, groups, g, j0, j0+nb, next)
					}
					s := (nb + nr - 1) / nr
					minS, maxS = min(minS, s), max(maxS, s)
					next = j0 + nb
				}
				if next != n || maxS-minS > 1 {
					t.Errorf("nr=%d n=%d groups=%d: bands end at %d, %d to %d strips", nr, n, groups, next, minS, maxS)
				}
			}
		}
	}
}
