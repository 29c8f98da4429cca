package gemm

import (
	"sync"
	"sync/atomic"
)

// parallelMinWork is the smallest product (m·n·k multiply-adds) worth splitting over
// goroutines: below it the goroutine start-up and the duplicated A packing cost more than
// the split saves.
var parallelMinWork = 1 << 19

// atomicCounter hands out task numbers 0, 1, 2, ... to concurrent workers.
type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) take() int { return int(c.n.Add(1) - 1) }

// gemm computes C = op(A)·op(B) with up to workers goroutines, handling the degenerate sizes.
func gemm(kern *microKernel, m, n, k int, a, b matView, c []float32, ldc int, workers int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	if m*n*k < parallelMinWork {
		workers = 1
	}
	if g := rowGroups(kern, m, n, workers); g > 1 {
		gemmRowGroups(kern, g, m, n, k, a, b, c, ldc)
		return
	}
	if g := colGroups(kern, m, n, k, workers); g > 1 {
		gemmColGroups(kern, g, m, n, k, a, b, c, ldc)
		return
	}
	gemmBlocked(kern, m, n, k, a, b, c, ldc, max(workers, 1))
}

// colGroups returns into how many groups of whole NR-wide column strips to split a product
// with few rows and a long k (the head's weight gradients: 512×512 and 512×2048 with
// k = 4992), or 1 to keep gemmBlocked's split. gemmBlocked synchronises its workers twice per
// kc slice (the shared B panel is packed, then multiplied), and with m ≤ 2·workers·mcBlock a
// slice gives each worker only one or two short tasks: the 512×512 products reached 1.6
// cores. Split by columns, each group runs gemmBlocked over all of k on one core with no
// synchronisation, packing only its own B strips (A, m×kc per slice, is packed by every
// group). Every C element keeps its computation: the same kernel (chosen for the full
// width), the same kc slices chained through C, and the same tile grid (groups start at
// multiples of NR, so the only ragged column strip is still the last one).
func colGroups(kern *microKernel, m, n, k, workers int) int {
	if workers < 2 || k <= 4*kcBlock || n > ncBlock || (m+mcBlock-1)/mcBlock > 2*workers {
		return 1
	}
	if (n+kern.nr-1)/kern.nr < 2*workers {
		return 1
	}
	return workers
}

// colBand returns the first column and the width of column group g of groups over n columns
// in whole NR-wide strips.
func colBand(nr, n, groups, g int) (j0, nb int) {
	strips := (n + nr - 1) / nr
	j0 = g * strips / groups * nr
	return j0, min((g+1)*strips/groups*nr, n) - j0
}

// gemmColGroups computes C = op(A)·op(B) as groups column bands of whole NR-wide strips, one
// goroutine each, each band with gemmBlocked on one core.
func gemmColGroups(kern *microKernel, groups, m, n, k int, a, b matView, c []float32, ldc int) {
	band := func(g int) {
		j0, nb := colBand(kern.nr, n, groups, g)
		gemmBlocked(kern, m, nb, k, a, b.sub(0, j0), c[j0:], ldc, 1)
	}
	var wg sync.WaitGroup
	for g := 1; g < groups; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			band(g)
		}()
	}
	band(0)
	wg.Wait()
}

// rowGroups returns into how many groups of whole MR-high row strips to split a product that
// gemmBlocked would split into fewer tasks than workers per kc slice (a narrow m×n output with
// a long k, as a convolution's kernel gradient: 27×16 with k = 327,680), or 1 to keep
// gemmBlocked's split. Each group then runs its own gemmBlocked over all of k on one core.
// Every C element keeps its computation: the same kernel, the same kc slices chained through
// C, and the same tile grid (groups start at multiples of MR, so the only ragged row strip is
// still the last one); only which goroutine computes it changes.
func rowGroups(kern *microKernel, m, n, workers int) int {
	if workers < 2 {
		return 1
	}
	nIC := (m + mcBlock - 1) / mcBlock
	nStrips := (min(n, ncBlock) + kern.nr - 1) / kern.nr
	parts := 1
	if nIC < 2*workers {
		parts = min((2*workers+nIC-1)/nIC, nStrips)
	}
	if nIC*parts >= workers {
		return 1
	}
	return min(workers, (m+kern.mr-1)/kern.mr)
}

// gemmRowGroups computes C = op(A)·op(B) as groups row bands of whole MR-high strips, one
// goroutine each, each band with gemmBlocked on one core.
func gemmRowGroups(kern *microKernel, groups, m, n, k int, a, b matView, c []float32, ldc int) {
	strips := (m + kern.mr - 1) / kern.mr
	band := func(g int) {
		i0 := g * strips / groups * kern.mr
		i1 := min((g+1)*strips/groups*kern.mr, m)
		gemmBlocked(kern, i1-i0, n, k, a.sub(i0, 0), b, c[i0*ldc:], ldc, 1)
	}
	var wg sync.WaitGroup
	for g := 1; g < groups; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			band(g)
		}()
	}
	band(0)
	wg.Wait()
}

// batchGemm runs batch products C_i = op(A_i)·op(B_i) with up to workers goroutines. Small
// products are distributed over the workers whole (dynamically, one product at a time).
// Large ones are distributed whole in rounds of workers products, and the remaining
// batch%workers products are each split inside over all workers, so that no worker idles.
func batchGemm(kern *microKernel, batch, m, n, k int, a matView, strideA int, b matView, strideB int, c []float32, ldc, strideC int, workers int) {
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	one := func(i, w int) {
		av, bv := a, b
		av.data = a.data[i*strideA:]
		bv.data = b.data[i*strideB:]
		gemm(kern, m, n, k, av, bv, c[i*strideC:], ldc, w)
	}
	if workers <= 1 {
		for i := range batch {
			one(i, 1)
		}
		return
	}
	whole := batch // products computed whole, one per worker at a time
	if m*n*k >= parallelMinWork {
		whole -= batch % workers
	}
	if whole > 0 {
		var next atomicCounter
		var wg sync.WaitGroup
		for range min(workers, whole) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.take(); i < whole; i = next.take() {
					one(i, 1)
				}
			}()
		}
		wg.Wait()
	}
	for i := whole; i < batch; i++ {
		one(i, workers)
	}
}
