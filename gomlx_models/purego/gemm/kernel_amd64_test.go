//go:build amd64 && !purego

package gemm

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// avx512Shapes mix edge tiles in both dimensions (m not a multiple of 12 or 6, n not a
// multiple of 32 or 16), several kc slices (k > kcBlock, so later slices accumulate into C),
// and the benchmark's layouts.
var avx512Shapes = [][3]int{
	{1, 1, 1}, {11, 31, 3}, {12, 32, 256}, {13, 33, 257}, {25, 65, 513}, {6, 16, 7},
	{17, 15, 40}, {100, 100, 100}, {156, 156, 64}, {169, 200, 300}, {240, 97, 1000},
	{37, 4100, 19}, {300, 17, 36},
}

// TestAVX512BitIdenticalToAVX2 checks that the AVX-512 kernel gives exactly the bits of the
// AVX2 kernel for every transposition, packing mode and worker count, for single products
// and batches: both run the same per-lane FMA chain over k, so the default kernel can
// change without changing any result.
func TestAVX512BitIdenticalToAVX2(t *testing.T) {
	if !hasAVX512F {
		t.Skip("no AVX-512F on this CPU")
	}
	defer func() { directMode = directAuto }()
	rng := rand.New(rand.NewPCG(31, 32))
	for _, s := range avx512Shapes {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			p := newProblem(rng, tr[0], tr[1], s[0], s[1], s[2], 5)
			av := checkOperand("test", "A", p.transA, p.m, p.k, p.a, p.lda, 1, 0)
			bv := checkOperand("test", "B", p.transB, p.k, p.n, p.b, p.ldb, 1, 0)
			for _, mode := range []int{directAuto, directAlways, directNever} {
				directMode = mode
				for _, workers := range []int{1, 2} {
					c2 := slices.Clone(p.c)
					gemm(&avx2Kernel, p.m, p.n, p.k, av, bv, c2, p.ldc, workers)
					want := bitsOf(c2, p.m, p.n, p.ldc)
					for _, kern := range []*microKernel{&avx512Kernel, &avx512NarrowKernel} {
						c5 := slices.Clone(p.c)
						gemm(kern, p.m, p.n, p.k, av, bv, c5, p.ldc, workers)
						got := bitsOf(c5, p.m, p.n, p.ldc)
						if i := firstDiff(got, want); i >= 0 {
							t.Errorf("%s %v trans %v mode %d workers %d: differs from AVX2 at %d: %g, %g",
								kern.name, s, tr, mode, workers, i, math.Float32frombits(got[i]), math.Float32frombits(want[i]))
						}
					}
				}
			}
		}
	}
	// Batches, split whole over the workers or inside the last products.
	for _, c := range []struct{ batch, m, n, k int }{{5, 17, 33, 16}, {7, 156, 156, 64}, {3, 200, 150, 300}} {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}} {
			probs, a, strideA, b, strideB := batchProblems(rng, c.batch, tr[0], tr[1], c.m, c.n, c.k, 1, 2)
			p0 := probs[0]
			av := checkOperand("test", "A", tr[0], c.m, c.k, a, p0.lda, c.batch, strideA)
			bv := checkOperand("test", "B", tr[1], c.k, c.n, b, p0.ldb, c.batch, strideB)
			var ref []uint32
			for _, kern := range []*microKernel{&avx2Kernel, &avx512Kernel, &avx512NarrowKernel} {
				cc, strideC := concatC(probs, 0)
				batchGemm(kern, c.batch, c.m, c.n, c.k, av, strideA, bv, strideB, cc, p0.ldc, strideC, 2)
				got := bitsOf(cc, c.batch*strideC/p0.ldc, p0.n, p0.ldc)
				if ref == nil {
					ref = got
					continue
				}
				if i := firstDiff(got, ref); i >= 0 {
					t.Errorf("%s batch %+v trans %v: differs from AVX2 at %d", kern.name, c, tr, i)
				}
			}
		}
	}
}

// TestAVX512KernelAccum drives the assembly kernels directly on one packed tile, with accum
// off and on (C holding values of both signs, zeros, infinities and NaN), for depths around
// the 4-step unrolling, and requires the bits of AVX2 6×16 tiles covering the same rows.
func TestAVX512KernelAccum(t *testing.T) {
	if !hasAVX512F {
		t.Skip("no AVX-512F on this CPU")
	}
	rng := rand.New(rand.NewPCG(33, 34))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e30, -1e-30}
	for _, kern := range []*microKernel{&avx512Kernel, &avx512NarrowKernel} {
		mr, nr := kern.mr, kern.nr
		mr6 := (mr + 5) / 6 * 6 // rows covered by AVX2 tiles
		for _, kc := range []int{1, 2, 3, 4, 5, 7, 8, 9, 63, 256} {
			a := alignedFloats(kc * mr6)
			b := alignedFloats(kc * nr)
			for i := range a {
				a[i] = 2*rng.Float32() - 1
			}
			for i := range b {
				b[i] = 2*rng.Float32() - 1
			}
			a[0], b[1] = 1e30, 1e30 // an overflow to +Inf in the tile
			for _, accum := range []bool{false, true} {
				ldc := nr + 3
				c0 := make([]float32, mr6*ldc)
				for i := range c0 {
					c0[i] = 2*rng.Float32() - 1
					if i%7 == 0 {
						c0[i] = special[(i/7)%len(special)]
					}
				}
				c5 := slices.Clone(c0)
				kern.fn(kc, &a[0], 1, mr6, &b[0], nr, &c5[0], ldc, accum)
				c2 := slices.Clone(c0)
				for h := 0; h < mr6; h += 6 {
					for j := 0; j < nr; j += 16 {
						kernel6x16AVX2(kc, &a[h], 1, mr6, &b[j], nr, &c2[h*ldc+j], ldc, accum)
					}
				}
				if i := firstDiff(bitsOf(c5, mr, ldc, ldc), bitsOf(c2, mr, ldc, ldc)); i >= 0 {
					t.Errorf("%s kc %d accum %v: differs from AVX2 at %d: %g, %g", kern.name, kc, accum, i, c5[i], c2[i])
				}
				if i := firstDiff(bitsOf(c5[mr*ldc:], mr6-mr, ldc, ldc), bitsOf(c0[mr*ldc:], mr6-mr, ldc, ldc)); i >= 0 {
					t.Errorf("%s kc %d: wrote C below its %d rows", kern.name, kc, mr)
				}
			}
		}
	}
}

// TestForWidth checks that narrow products go to the 14×16 kernel and that the default kernel
// is the widest one available.
func TestForWidth(t *testing.T) {
	if !hasAVX512F {
		t.Skip("no AVX-512F on this CPU")
	}
	for _, c := range []struct {
		n    int
		want *microKernel
	}{{1, &avx512NarrowKernel}, {16, &avx512NarrowKernel}, {17, &avx512Kernel}, {4096, &avx512Kernel}} {
		if got := avx512Kernel.forWidth(c.n); got != c.want {
			t.Errorf("forWidth(%d) = %s, want %s", c.n, got.name, c.want.name)
		}
	}
	if useAVX512 && defaultKernel != &avx512Kernel {
		t.Errorf("default kernel %s, want %s", defaultKernel.name, avx512Kernel.name)
	}
}
