package gemm

import "unsafe"

// genericKernel is the portable micro-kernel: a 4×4 tile held in 16 scalar accumulators.
var genericKernel = microKernel{name: "generic4x4", mr: 4, nr: 4, fn: kernel4x4Go}

// kernel4x4Go is the pure-Go kernelFunc with MR = NR = 4.
func kernel4x4Go(kc int, a *float32, ars, aks int, b *float32, bks int, c *float32, ldc int, accum bool) {
	// The driver guarantees the strips are in bounds; unsafe loads avoid the bounds checks
	// in the inner loop. Pointers are formed from offsets only when in bounds (advancing a
	// pointer past its allocation is invalid even if it is never dereferenced).
	pa, pb := unsafe.Pointer(a), unsafe.Pointer(b)
	ra, ka, kb := uintptr(ars)*4, uintptr(aks)*4, uintptr(bks)*4
	var oa, ob uintptr
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	for range kc {
		bp := (*[4]float32)(unsafe.Add(pb, ob))
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0 := *(*float32)(unsafe.Add(pa, oa))
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := *(*float32)(unsafe.Add(pa, oa+ra))
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := *(*float32)(unsafe.Add(pa, oa+2*ra))
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := *(*float32)(unsafe.Add(pa, oa+3*ra))
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		oa += ka
		ob += kb
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	r0 := cs[0:4:4]
	r1 := cs[ldc : ldc+4 : ldc+4]
	r2 := cs[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := cs[3*ldc : 3*ldc+4 : 3*ldc+4]
	if accum {
		r0[0], r0[1], r0[2], r0[3] = r0[0]+c00, r0[1]+c01, r0[2]+c02, r0[3]+c03
		r1[0], r1[1], r1[2], r1[3] = r1[0]+c10, r1[1]+c11, r1[2]+c12, r1[3]+c13
		r2[0], r2[1], r2[2], r2[3] = r2[0]+c20, r2[1]+c21, r2[2]+c22, r2[3]+c23
		r3[0], r3[1], r3[2], r3[3] = r3[0]+c30, r3[1]+c31, r3[2]+c32, r3[3]+c33
		return
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}
