package gemm

import (
	"math/rand/v2"
	"testing"
)

// FuzzFloat32 derives a small product (sizes up to 40, transpositions, padding, kernel,
// workers, packing mode, seed, parallel split) from the fuzzer's bytes and compares it with the float64 reference.
func FuzzFloat32(f *testing.F) {
	f.Add([]byte{3, 4, 5, 0, 0, 0})
	f.Add([]byte{17, 33, 7, 3, 5, 1, 42})
	f.Add([]byte{6, 16, 40, 1, 0, 3, 9})
	f.Add([]byte{1, 1, 1, 2, 15, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		get := func(i int) int {
			if i < len(data) {
				return int(data[i])
			}
			return 0
		}
		m, n, k := get(0)%41, get(1)%41, get(2)%41
		flags := get(3)
		pad := get(4) % 17
		kerns := kernels()
		kern := kerns[(flags>>2)%len(kerns)]
		workers := 1 + (flags>>4)%3
		seed := uint64(get(5)) | uint64(get(6))<<8
		p := newProblem(rand.New(rand.NewPCG(seed, 1)), flags&1 != 0, flags&2 != 0, m, n, k, pad)
		av := checkOperand("fuzz", "A", p.transA, m, k, p.a, p.lda, 1, 0)
		bv := checkOperand("fuzz", "B", p.transB, k, n, p.b, p.ldb, 1, 0)
		directMode = (flags >> 6) % 3
		defer func() { directMode = directAuto }()
		if get(7)&1 != 0 {
			defer func(v int) { parallelMinWork = v }(parallelMinWork)
			parallelMinWork = 1
		}
		gemm(kern, m, n, k, av, bv, p.c, p.ldc, workers)
		p.check(t, p.c)
	})
}
