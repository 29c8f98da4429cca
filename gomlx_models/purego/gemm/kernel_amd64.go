//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// avx2Kernel is the 6×16 AVX2+FMA assembly kernel (kernel_amd64.s).
var avx2Kernel = microKernel{name: "avx2fma6x16", mr: 6, nr: 16, fn: kernel6x16AVX2}

// hasAVX2FMA reports whether the CPU and OS support AVX2 and FMA (x/sys/cpu checks that the
// OS saves the YMM registers).
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// avx512Kernel is the 12×32 AVX-512F assembly kernel (kernel_amd64.s). Products at most 16
// columns wide use the 14×16 one instead (narrow): a 32-wide tile would be half padding.
var avx512Kernel = microKernel{name: "avx512f12x32", mr: 12, nr: 32, fn: kernel12x32AVX512, narrow: &avx512NarrowKernel}

// avx512NarrowKernel is the 14×16 AVX-512F assembly kernel, for narrow products.
var avx512NarrowKernel = microKernel{name: "avx512f14x16", mr: 14, nr: 16, fn: kernel14x16AVX512}

// hasAVX512F reports whether the CPU and OS support AVX-512F (x/sys/cpu checks that the OS
// saves the ZMM and opmask registers). The kernels use AVX-512F instructions only; AVX2+FMA
// (present on every AVX-512F CPU) is required too, as the reference the tests compare with.
var hasAVX512F = cpu.X86.HasAVX512F && hasAVX2FMA

// useAVX512 selects the AVX-512 kernel as the default when the CPU has it (tests and
// benchmarks run every kernel in kernels() regardless).
const useAVX512 = true

// defaultKernel is the AVX-512 kernel when available (and enabled by useAVX512), else the
// AVX2 kernel when available, else the portable one.
var defaultKernel = func() *microKernel {
	switch {
	case hasAVX512F && useAVX512:
		return &avx512Kernel
	case hasAVX2FMA:
		return &avx2Kernel
	}
	return &genericKernel
}()

// kernels lists the kernels usable on this machine (for tests and benchmarks).
func kernels() []*microKernel {
	switch {
	case hasAVX512F:
		return []*microKernel{&avx512Kernel, &avx512NarrowKernel, &avx2Kernel, &genericKernel}
	case hasAVX2FMA:
		return []*microKernel{&avx2Kernel, &genericKernel}
	}
	return []*microKernel{&genericKernel}
}

// kernel6x16AVX2 is the kernelFunc with MR = 6, NR = 16: the 6×16 tile is held in 12 YMM
// registers (two per row); at each depth step it loads 16 floats of B into two registers,
// broadcasts each of the 6 values of A and issues 12 fused multiply-adds.
//
//go:noescape
func kernel6x16AVX2(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)

// kernel12x32AVX512 is the kernelFunc with MR = 12, NR = 32: the 12×32 tile is held in 24 ZMM
// registers (two per row); at each depth step it loads 32 floats of B into two registers,
// broadcasts each of the 12 values of A and issues 24 fused multiply-adds. Every lane runs
// the same FMA chain as kernel6x16AVX2, so both give the same bits.
//
//go:noescape
func kernel12x32AVX512(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)

// kernel14x16AVX512 is the kernelFunc with MR = 14, NR = 16: one ZMM register per tile row; at
// each depth step it loads 16 floats of B, broadcasts each of the 14 values of A and issues 14
// fused multiply-adds, each lane running the FMA chain of kernel6x16AVX2.
//
//go:noescape
func kernel14x16AVX512(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool)
