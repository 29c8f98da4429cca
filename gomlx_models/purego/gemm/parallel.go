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
	gemmBlocked(kern, m, n, k, a, b, c, ldc, max(workers, 1))
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
