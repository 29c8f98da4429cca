package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// problem is one product with its (possibly padded) operands.
type problem struct {
	transA, transB bool
	m, n, k        int
	lda, ldb, ldc  int
	a, b, c        []float32
}

// newProblem builds a random product with row strides padded by pad elements; padding and
// C are filled with NaN, so reading padding or C's prior content shows up in the result.
func newProblem(rng *rand.Rand, transA, transB bool, m, n, k, pad int) *problem {
	p := &problem{transA: transA, transB: transB, m: m, n: n, k: k}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = ac+pad, bc+pad, n+pad
	p.a = randMatrix(rng, ar, ac, p.lda)
	p.b = randMatrix(rng, br, bc, p.ldb)
	p.c = make([]float32, m*p.ldc)
	for i := range p.c {
		p.c[i] = float32(math.NaN())
	}
	return p
}

// randMatrix returns a rows×cols matrix with row stride ld: values in [-1, 1), NaN padding.
func randMatrix(rng *rand.Rand, rows, cols, ld int) []float32 {
	x := make([]float32, rows*ld)
	for i := range x {
		if i%ld < cols {
			x[i] = 2*rng.Float32() - 1
		} else {
			x[i] = float32(math.NaN())
		}
	}
	return x
}

// check compares C with a float64 reference at a tolerance relative to Σ|a·b| per element,
// and verifies that C's padding was not written.
func (p *problem) check(t testing.TB, c []float32) {
	t.Helper()
	tol := 1e-6 * (math.Sqrt(float64(p.k)) + 1)
	bad := 0
	for i := range p.m {
		for j := range p.n {
			var want, scale float64
			for q := range p.k {
				var av, bv float32
				if p.transA {
					av = p.a[q*p.lda+i]
				} else {
					av = p.a[i*p.lda+q]
				}
				if p.transB {
					bv = p.b[j*p.ldb+q]
				} else {
					bv = p.b[q*p.ldb+j]
				}
				want += float64(av) * float64(bv)
				scale += math.Abs(float64(av) * float64(bv))
			}
			got := float64(c[i*p.ldc+j])
			if !(math.Abs(got-want) <= tol*scale+1e-30) {
				if bad++; bad <= 5 {
					t.Errorf("C[%d][%d] = %v, want %v (scale %v)", i, j, got, want, scale)
				}
			}
		}
		for j := p.n; j < p.ldc; j++ {
			if !math.IsNaN(float64(c[i*p.ldc+j])) {
				t.Fatalf("padding C[%d][%d] was overwritten", i, j)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d wrong elements in all", bad)
	}
}

var testSizes = []int{1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 64, 65, 100, 257}

// shapes returns (m, n, k) triples mixing testSizes independently: every size in each
// dimension against a few others, plus a deterministic random sample.
func shapes(rng *rand.Rand, samples int) [][3]int {
	var out [][3]int
	for _, s := range testSizes {
		out = append(out, [3]int{s, 7, 17}, [3]int{17, s, 7}, [3]int{7, 17, s}, [3]int{s, s, s})
	}
	for range samples {
		pick := func() int { return testSizes[rng.IntN(len(testSizes))] }
		out = append(out, [3]int{pick(), pick(), pick()})
	}
	return out
}

func kernelName(k *microKernel) string { return k.name }

func TestFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sh := shapes(rng, 60)
	if testing.Short() {
		sh = sh[:40]
	}
	for _, kern := range kernels() {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			t.Run(fmt.Sprintf("%s/transA=%v/transB=%v", kernelName(kern), tr[0], tr[1]), func(t *testing.T) {
				for idx, s := range sh {
					pad := []int{0, 3, 16}[idx%3]
					p := newProblem(rng, tr[0], tr[1], s[0], s[1], s[2], pad)
					workers := 1 + idx%2
					av := checkOperand("test", "A", p.transA, p.m, p.k, p.a, p.lda, 1, 0)
					bv := checkOperand("test", "B", p.transB, p.k, p.n, p.b, p.ldb, 1, 0)
					gemm(kern, p.m, p.n, p.k, av, bv, p.c, p.ldc, workers)
					t.Run(fmt.Sprintf("m=%d,n=%d,k=%d,pad=%d", s[0], s[1], s[2], pad), func(t *testing.T) { p.check(t, p.c) })
				}
			})
		}
	}
}

// TestFloat32Public exercises the exported entry point (default kernel, GOMAXPROCS workers)
// on sizes that cross the blocking and parallel thresholds, and the in-place (direct)
// operand paths.
func TestFloat32Public(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][3]int{{300, 20, 600}, {4, 4100, 40}, {200, 300, 260}, {1000, 16, 36}, {37, 9, 300}, {2, 200, 520}} {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			p := newProblem(rng, tr[0], tr[1], s[0], s[1], s[2], 1)
			Float32(p.transA, p.transB, p.m, p.n, p.k, p.a, p.lda, p.b, p.ldb, p.c, p.ldc)
			t.Run(fmt.Sprintf("%v/%v/%v", s, tr[0], tr[1]), func(t *testing.T) { p.check(t, p.c) })
		}
	}
}

// TestPackingModes checks every product with operands packed, read in place when possible,
// and chosen automatically, for every kernel.
func TestPackingModes(t *testing.T) {
	defer func() { directMode = directAuto }()
	rng := rand.New(rand.NewPCG(5, 6))
	sh := shapes(rng, 20)
	for _, kern := range kernels() {
		for _, mode := range []int{directAuto, directAlways, directNever} {
			directMode = mode
			for idx, s := range sh {
				tr := [2]bool{idx&1 != 0, idx&2 != 0}
				p := newProblem(rng, tr[0], tr[1], s[0], s[1], s[2], []int{0, 2, 300}[idx%3])
				av := checkOperand("test", "A", p.transA, p.m, p.k, p.a, p.lda, 1, 0)
				bv := checkOperand("test", "B", p.transB, p.k, p.n, p.b, p.ldb, 1, 0)
				gemm(kern, p.m, p.n, p.k, av, bv, p.c, p.ldc, 1)
				t.Run(fmt.Sprintf("%s/mode=%d/%v/%v", kern.name, mode, s, tr), func(t *testing.T) { p.check(t, p.c) })
			}
		}
	}
}

// TestParallelSplit runs small products through the parallel path (threshold lowered) with
// several worker counts, so every task split (row blocks, column-strip parts) is covered.
func TestParallelSplit(t *testing.T) {
	defer func(v int) { parallelMinWork = v }(parallelMinWork)
	parallelMinWork = 1
	rng := rand.New(rand.NewPCG(11, 12))
	for _, kern := range kernels() {
		for _, workers := range []int{2, 3, 5} {
			for idx, s := range append(shapes(rng, 10), [3]int{400, 300, 300}, [3]int{5, 5000, 20}) {
				tr := [2]bool{idx&1 != 0, idx&2 != 0}
				p := newProblem(rng, tr[0], tr[1], s[0], s[1], s[2], 1)
				av := checkOperand("test", "A", p.transA, p.m, p.k, p.a, p.lda, 1, 0)
				bv := checkOperand("test", "B", p.transB, p.k, p.n, p.b, p.ldb, 1, 0)
				gemm(kern, p.m, p.n, p.k, av, bv, p.c, p.ldc, workers)
				t.Run(fmt.Sprintf("%s/workers=%d/%v/%v", kern.name, workers, s, tr), func(t *testing.T) { p.check(t, p.c) })
			}
		}
	}
}

func TestZeroSizes(t *testing.T) {
	for _, s := range [][3]int{{0, 0, 0}, {0, 5, 3}, {4, 0, 3}, {4, 5, 0}} {
		m, n, k := s[0], s[1], s[2]
		c := make([]float32, m*n)
		for i := range c {
			c[i] = float32(math.NaN())
		}
		Float32(false, false, m, n, k, make([]float32, m*k), k, make([]float32, k*n), n, c, n)
		for i, v := range c {
			if v != 0 {
				t.Errorf("%v: C[%d] = %v, want 0", s, i, v)
			}
		}
	}
	Float32(true, true, 0, 0, 0, nil, 0, nil, 0, nil, 0)
	Float32Batch(0, false, false, 3, 3, 3, nil, 3, 9, nil, 3, 9, nil, 3, 9, 2)
}

func TestFloat32Batch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type tc struct{ batch, m, n, k int }
	cases := []tc{{1, 5, 7, 9}, {5, 17, 33, 16}, {8, 65, 31, 100}, {3, 200, 150, 120}, {2, 300, 40, 257}, {7, 1, 1, 1}}
	for _, c := range cases {
		for _, tr := range [][2]bool{{false, false}, {true, true}, {false, true}, {true, false}} {
			probs, a, strideA, b, strideB := batchProblems(rng, c.batch, tr[0], tr[1], c.m, c.n, c.k, 2, 5)
			for _, workers := range []int{1, 2, 3, 8} {
				cc, strideC := concatC(probs, 4)
				p0 := probs[0]
				Float32Batch(c.batch, tr[0], tr[1], c.m, c.n, c.k, a, p0.lda, strideA, b, p0.ldb, strideB, cc, p0.ldc, strideC, workers)
				for i, p := range probs {
					t.Run(fmt.Sprintf("%+v/%v/workers=%d/item=%d", c, tr, workers, i), func(t *testing.T) {
						p.check(t, cc[i*strideC:])
						for j := i*strideC + len(p.c); j < (i+1)*strideC && j < len(cc); j++ {
							if !math.IsNaN(float64(cc[j])) {
								t.Fatalf("gap between C matrices overwritten at %d", j)
							}
						}
					})
				}
			}
		}
	}
}

// TestBatchBroadcast uses strideA = 0: one A for every product.
func TestBatchBroadcast(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	probs := make([]*problem, 4)
	for i := range probs {
		probs[i] = newProblem(rng, false, true, 20, 30, 40, 0)
		probs[i].a = probs[0].a
	}
	b, strideB := concat(probs, func(p *problem) []float32 { return p.b }, 0)
	c, strideC := concatC(probs, 0)
	Float32Batch(4, false, true, 20, 30, 40, probs[0].a, 40, 0, b, 40, strideB, c, 30, strideC, 2)
	for i, p := range probs {
		p.check(t, c[i*strideC:])
	}
}

// batchProblems draws batch problems of one shape (newProblem with pad, in order) and lays
// out their A matrices one after the other with aGap NaN elements between, and their B
// matrices with none.
func batchProblems(rng *rand.Rand, batch int, transA, transB bool, m, n, k, pad, aGap int) (probs []*problem, a []float32, strideA int, b []float32, strideB int) {
	probs = make([]*problem, batch)
	for i := range probs {
		probs[i] = newProblem(rng, transA, transB, m, n, k, pad)
	}
	a, strideA = concat(probs, func(p *problem) []float32 { return p.a }, aGap)
	b, strideB = concat(probs, func(p *problem) []float32 { return p.b }, 0)
	return probs, a, strideA, b, strideB
}

// concatC lays out the problems' C matrices one after the other with gap NaN elements between.
func concatC(probs []*problem, gap int) ([]float32, int) {
	return concat(probs, func(p *problem) []float32 { return p.c }, gap)
}

// concat lays out each problem's matrix one after the other with gap NaN elements between.
func concat(probs []*problem, get func(*problem) []float32, gap int) ([]float32, int) {
	stride := len(get(probs[0])) + gap
	out := make([]float32, 0, stride*len(probs))
	for _, p := range probs {
		out = append(out, get(p)...)
		for range gap {
			out = append(out, float32(math.NaN()))
		}
	}
	return out, stride
}

func TestPanics(t *testing.T) {
	f := make([]float32, 100)
	cases := []struct {
		name, want string
		call       func()
	}{
		{"negative m", "negative size", func() { Float32(false, false, -1, 2, 2, f, 2, f, 2, f, 2) }},
		{"negative k", "negative size", func() { Float32(false, false, 2, 2, -2, f, 2, f, 2, f, 2) }},
		{"short A", "A has 10 elements", func() { Float32(false, false, 4, 4, 4, f[:10], 4, f, 4, f, 4) }},
		{"short B transposed", "B has 10 elements", func() { Float32(false, true, 4, 3, 4, f, 4, f[:10], 4, f, 4) }},
		{"short C", "C has 10 elements", func() { Float32(false, false, 4, 4, 4, f, 4, f, 4, f[:10], 4) }},
		{"small lda", "stride lda=3", func() { Float32(false, false, 4, 4, 4, f, 3, f, 4, f, 4) }},
		{"small lda transposed", "stride lda=3", func() { Float32(true, false, 4, 4, 2, f, 3, f, 4, f, 4) }},
		{"small ldb", "stride ldb=1", func() { Float32(false, false, 4, 4, 4, f, 4, f, 1, f, 4) }},
		{"small ldc", "stride ldc=3", func() { Float32(false, false, 4, 4, 4, f, 4, f, 4, f, 3) }},
		{"negative batch", "negative batch", func() { Float32Batch(-1, false, false, 2, 2, 2, f, 2, 4, f, 2, 4, f, 2, 4, 1) }},
		{"negative strideA", "negative strideA", func() { Float32Batch(2, false, false, 2, 2, 2, f, 2, -4, f, 2, 4, f, 2, 4, 1) }},
		{"overlapping C", "would overlap", func() { Float32Batch(2, false, false, 2, 2, 2, f, 2, 4, f, 2, 4, f, 2, 3, 1) }},
		{"short batch B", "B has 11 elements", func() { Float32Batch(3, false, false, 2, 2, 2, f, 2, 4, f[:11], 2, 4, f, 2, 4, 1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("no panic, want one containing %q", c.want)
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, c.want) {
					t.Fatalf("panic %q, want one containing %q", msg, c.want)
				}
			}()
			c.call()
		})
	}
}
