// Package gemm multiplies row-major float32 matrices for the purego backend: C = op(A)·op(B),
// where op optionally transposes its operand, for one product ([Float32]) or a batch of
// products of the same shapes ([Float32Batch]).
//
// It is a packed GEMM in the Goto/BLIS style (see driver.go): op(B) is copied kc×nc panel by
// panel into contiguous column strips of width NR, op(A) mc×kc block by block into row strips
// of height MR (pack.go), and a register-blocked micro-kernel multiplies one MR-row strip of A
// by one NR-column strip of B into an MR×NR tile of C. Transposed operands therefore cost
// nothing beyond the packing, and edge tiles go through a small temporary tile.
//
// The micro-kernel is the only assembly (kernel_amd64.s), chosen at start-up with
// golang.org/x/sys/cpu: on amd64 CPUs with AVX-512F it is a 12×32 kernel holding the tile in
// 24 ZMM registers (14×16 in 14 ZMM registers for products at most 16 columns wide); with
// AVX2 and FMA only, a 6×16 kernel holding the tile in 12 YMM registers. The assembly kernels
// all run the same per-element FMA chain over k, so they give the same bits. Everywhere else
// (other CPUs, other architectures, or the "purego" build tag) a portable 4×4 pure-Go kernel
// (kernel_generic.go) is used with the same driver, so results agree to float32 rounding on
// every platform.
//
// Large products are split over blocks of C and run on up to runtime.GOMAXPROCS(0)
// goroutines; small ones run serially on the calling goroutine. The operands must not
// overlap C.
package gemm

import (
	"fmt"
	"runtime"
)

// Float32 sets C = op(A)·op(B), overwriting C (C need not be zeroed: its old values, even
// NaN, never leak into the result).
//
// op(A) is m×k: A is m×k with row stride lda when !transA, or k×m with row stride lda when
// transA. op(B) is k×n: B is k×n with stride ldb when !transB, or n×k with stride ldb when
// transB. C is m×n with row stride ldc. It panics, with a message naming the argument, on
// negative sizes, too-short slices or strides smaller than the row length.
//
// Large products use up to runtime.GOMAXPROCS(0) goroutines, split over blocks of C.
func Float32(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkSizes("Float32", m, n, k)
	av := checkOperand("Float32", "A", transA, m, k, a, lda, 1, 0)
	bv := checkOperand("Float32", "B", transB, k, n, b, ldb, 1, 0)
	checkC("Float32", m, n, c, ldc, 1, 0)
	gemm(defaultKernel.forWidth(n), m, n, k, av, bv, c, ldc, runtime.GOMAXPROCS(0))
}

// Float32Batch does batch independent products of the same shapes: the i-th uses
// a[i*strideA:], b[i*strideB:] and c[i*strideC:]. It spreads the work over workers
// goroutines (1 means serial), splitting across the batch when the products are many and
// small, and inside each product when they are few and large.
//
// Each product follows the conventions of [Float32]. strideA and strideB may be 0 (the same
// operand for every product); the products' C matrices must not overlap, so strideC must be
// at least (m-1)*ldc+n when batch > 1. workers < 1 is treated as 1, and workers above
// runtime.GOMAXPROCS(0) as GOMAXPROCS.
func Float32Batch(batch int, transA, transB bool, m, n, k int, a []float32, lda, strideA int, b []float32, ldb, strideB int, c []float32, ldc, strideC int, workers int) {
	const fn = "Float32Batch"
	if batch < 0 {
		panic(fmt.Sprintf("gemm.%s: negative batch %d", fn, batch))
	}
	checkSizes(fn, m, n, k)
	av := checkOperand(fn, "A", transA, m, k, a, lda, batch, strideA)
	bv := checkOperand(fn, "B", transB, k, n, b, ldb, batch, strideB)
	checkC(fn, m, n, c, ldc, batch, strideC)
	workers = min(workers, runtime.GOMAXPROCS(0))
	batchGemm(defaultKernel.forWidth(n), batch, m, n, k, av, strideA, bv, strideB, c, ldc, strideC, max(workers, 1))
}

func checkSizes(fn string, m, n, k int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm.%s: negative size m=%d n=%d k=%d", fn, m, n, k))
	}
}

// checkOperand validates operand name (A or B) of logical shape rows×cols (op applied), stored
// transposed when trans, with row stride ld, repeated batch times every stride elements, and
// returns its strided view.
func checkOperand(fn, name string, trans bool, rows, cols int, x []float32, ld, batch, stride int) matView {
	storedRows, storedCols := rows, cols
	if trans {
		storedRows, storedCols = cols, rows
	}
	if ld < storedCols || ld < 0 {
		panic(fmt.Sprintf("gemm.%s: stride ld%s=%d smaller than the row length %d of %s (%d×%d, trans%s=%v)",
			fn, lower(name), ld, storedCols, name, storedRows, storedCols, name, trans))
	}
	if stride < 0 {
		panic(fmt.Sprintf("gemm.%s: negative stride%s=%d", fn, name, stride))
	}
	need := footprint(storedRows, storedCols, ld, batch, stride)
	if len(x) < need {
		panic(fmt.Sprintf("gemm.%s: %s has %d elements, need %d (%d×%d, ld%s=%d, batch=%d, stride%s=%d, trans%s=%v)",
			fn, name, len(x), need, storedRows, storedCols, lower(name), ld, batch, name, stride, name, trans))
	}
	if trans {
		return matView{data: x, rs: 1, cs: ld}
	}
	return matView{data: x, rs: ld, cs: 1}
}

func checkC(fn string, m, n int, c []float32, ldc, batch, stride int) {
	if ldc < n || ldc < 0 {
		panic(fmt.Sprintf("gemm.%s: stride ldc=%d smaller than the row length n=%d of C", fn, ldc, n))
	}
	one := footprint(m, n, ldc, 1, 0)
	if batch > 1 && stride < one {
		panic(fmt.Sprintf("gemm.%s: strideC=%d is smaller than one C matrix (%d elements for %d×%d, ldc=%d): the products' outputs would overlap",
			fn, stride, one, m, n, ldc))
	}
	need := footprint(m, n, ldc, batch, stride)
	if len(c) < need {
		panic(fmt.Sprintf("gemm.%s: C has %d elements, need %d (%d×%d, ldc=%d, batch=%d, strideC=%d)",
			fn, len(c), need, m, n, ldc, batch, stride))
	}
}

// footprint is the number of elements spanned by batch rows×cols matrices with row stride ld,
// each stride elements after the previous one.
func footprint(rows, cols, ld, batch, stride int) int {
	if rows == 0 || cols == 0 || batch == 0 {
		return 0
	}
	return (batch-1)*stride + (rows-1)*ld + cols
}

func lower(name string) string {
	if name == "A" {
		return "a"
	}
	return "b"
}
