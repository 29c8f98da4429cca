package gemm

import "testing"

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
