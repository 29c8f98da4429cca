package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one product shape the purego backend computes.
type benchShape struct {
	name           string
	batch          int
	transA, transB bool
	m, n, k        int
}

var benchShapes = []benchShape{
	{"NN_1248x2048x512", 1, false, false, 1248, 2048, 512},
	{"NT_1248x2048x512", 1, false, true, 1248, 2048, 512},
	{"TN_1248x2048x512", 1, true, false, 1248, 2048, 512},
	{"NN_1248x512x512", 1, false, false, 1248, 512, 512},
	{"TN_512x2048x4992", 1, true, false, 512, 2048, 4992}, // the head's weight gradients (B=32)
	{"TN_512x512x4992", 1, true, false, 512, 512, 4992},
	{"attn_64x156x156x64", 64, false, true, 156, 156, 64},
	{"conv_16384x16x36", 1, false, false, 16384, 16, 36},
}

// BenchmarkFloat32 measures GFLOP/s (2·m·n·k per product) of this package ("gemm", the
// default kernel), of each kernel usable on this machine (by name; the portable one on small
// single products only) and of gonum's Sgemm ("gonum") on the project's shapes. Run with
// -cpu 1,2 to compare single- and multi-core.
func BenchmarkFloat32(b *testing.B) {
	for _, s := range benchShapes {
		rng := rand.New(rand.NewPCG(1, 1))
		ar, ac := s.m, s.k
		if s.transA {
			ar, ac = s.k, s.m
		}
		br, bc := s.k, s.n
		if s.transB {
			br, bc = s.n, s.k
		}
		a := randMatrix(rng, s.batch*ar, ac, ac)
		bm := randMatrix(rng, s.batch*br, bc, bc)
		c := make([]float32, s.batch*s.m*s.n)
		sa, sb, sc := ar*ac, br*bc, s.m*s.n
		flops := 2 * float64(s.batch) * float64(s.m) * float64(s.n) * float64(s.k)
		// report gives GFLOP/s of wall time and of process CPU time: on a shared machine the
		// CPU figure (with -cpu 1 especially) is the steadier one.
		report := func(b *testing.B, cpu0 float64) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if cpu := cpuSeconds() - cpu0; cpu > 0 {
				b.ReportMetric(flops*float64(b.N)/cpu/1e9, "GFLOP/cpu-s")
			}
		}
		b.Run(s.name+"/gemm", func(b *testing.B) {
			cpu0 := cpuSeconds()
			for range b.N {
				if s.batch == 1 {
					Float32(s.transA, s.transB, s.m, s.n, s.k, a, ac, bm, bc, c, s.n)
				} else {
					Float32Batch(s.batch, s.transA, s.transB, s.m, s.n, s.k, a, ac, sa, bm, bc, sb, c, s.n, sc, runtime.GOMAXPROCS(0))
				}
			}
			report(b, cpu0)
		})
		// Each kernel on its own (the default one may hand narrow products to another).
		for _, kern := range kernels() {
			if kern == &genericKernel && (defaultKernel == &genericKernel || s.batch > 1 || s.m*s.n*s.k > 1<<29) {
				continue
			}
			b.Run(s.name+"/"+kern.name, func(b *testing.B) {
				av := checkOperand("bench", "A", s.transA, s.m, s.k, a, ac, s.batch, sa)
				bv := checkOperand("bench", "B", s.transB, s.k, s.n, bm, bc, s.batch, sb)
				cpu0 := cpuSeconds()
				for range b.N {
					batchGemm(kern, s.batch, s.m, s.n, s.k, av, sa, bv, sb, c, s.n, sc, runtime.GOMAXPROCS(0))
				}
				report(b, cpu0)
			})
		}
		b.Run(s.name+"/gonum", func(b *testing.B) {
			var impl gonum.Implementation
			ta, tb := blas.NoTrans, blas.NoTrans
			if s.transA {
				ta = blas.Trans
			}
			if s.transB {
				tb = blas.Trans
			}
			cpu0 := cpuSeconds()
			for range b.N {
				for i := range s.batch {
					impl.Sgemm(ta, tb, s.m, s.n, s.k, 1, a[i*sa:], ac, bm[i*sb:], bc, 0, c[i*sc:], s.n)
				}
			}
			report(b, cpu0)
		})
	}
}

// cpuSeconds is the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkKernel measures the micro-kernel alone on packed, L1-resident strips (an upper
// bound for the whole product).
func BenchmarkKernel(b *testing.B) {
	for _, kern := range kernels() {
		b.Run(kern.name, func(b *testing.B) {
			const kc = 256
			a := alignedFloats(kc * kern.mr)
			bb := alignedFloats(kc * kern.nr)
			c := make([]float32, kern.mr*kern.nr)
			for i := range b.N {
				kern.fn(kc, &a[0], 1, kern.mr, &bb[0], kern.nr, &c[0], kern.nr, i > 0)
			}
			b.ReportMetric(2*float64(kc*kern.mr*kern.nr)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func ExampleFloat32() {
	// C (2×2) = A (2×3) · Bᵀ, with B stored 2×3.
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 1, 0, 1, 0}
	c := make([]float32, 4)
	Float32(false, true, 2, 2, 3, a, 3, b, 3, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}
