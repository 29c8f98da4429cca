//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// avx2Kernel is the 6×16 AVX2+FMA assembly kernel (kernel_amd64.s).
var avx2Kernel = microKernel{name: "avx2fma6x16", mr: 6, nr: 16, fn: kernel6x16AVX2}

// hasAVX2FMA reports whether the CPU and OS support AVX2 and FMA (x/sys/cpu checks that the
// OS saves the YMM registers).
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// defaultKernel is the AVX2 kernel when available, else the portable one.
var defaultKernel = func() *microKernel {
	if hasAVX2FMA {
		return &avx2Kernel
	}
	return &genericKernel
}()

// kernels lists the kernels usable on this machine (for tests and benchmarks).
func kernels() []*microKernel {
	if hasAVX2FMA {
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
