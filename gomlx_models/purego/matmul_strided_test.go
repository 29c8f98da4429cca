package purego

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego/gemm"
)

// TestDotStridedBatchBitIdentical runs dotGeneral on operands whose batch axes are not
// leading (read in place, matmul_strided.go) and compares every bit with the copying path
// (prepare's transposed copy) and with a float64 reference from DotGeneral's definition
// (within float32 rounding), for the attention products of a transformer head, odd sizes,
// size-1 axes and NaN/±Inf/±0 inputs, with 1, 2 and 8 workers.
func TestDotStridedBatchBitIdentical(t *testing.T) {
	type tc struct {
		name                           string
		lhsDims, rhsDims               []int
		lhsC, lhsB, rhsC, rhsB         []int
		special                        bool
		wantInPlaceLhs, wantInPlaceRhs bool
	}
	cases := []tc{
		// scores: [B,T,H,D]·[B,T,H,D] over D, batch (B,H)
		{"qk", []int{3, 7, 5, 16}, []int{3, 9, 5, 16}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}, false, false, false},
		// probabilities·values: [B,H,Tq,Tk]·[B,Tk,H,D] over Tk
		{"pv", []int{3, 5, 7, 9}, []int{3, 9, 5, 16}, []int{3}, []int{0, 1}, []int{1}, []int{0, 2}, false, true, true},
		// k beyond gemm's kc (split depth), m and n beyond one micro-tile
		{"pv-deep", []int{2, 3, 37, 600}, []int{2, 600, 3, 45}, []int{3}, []int{0, 1}, []int{1}, []int{0, 2}, true, true, true},
		// gradient of values: [B,Tq,H,Tk]·[B,Tq,H,D] over Tq
		{"dv", []int{2, 7, 4, 9}, []int{2, 7, 4, 17}, []int{1}, []int{0, 2}, []int{1}, []int{0, 2}, true, true, true},
		// batch axes in swapped order, odd sizes
		{"swapped", []int{5, 3, 11, 6}, []int{3, 5, 6, 13}, []int{3}, []int{1, 0}, []int{2}, []int{0, 1}, true, true, true},
		// two contracting axes that merge, one batch axis in the middle (lhs rows not dense); the rhs's cross axes
		// (1 and 4) do not merge: copied
		{"merge-k", []int{4, 3, 2, 5}, []int{3, 4, 2, 5, 7}, []int{2, 3}, []int{1}, []int{2, 3}, []int{0}, true, false, false},
		// contracting axes that do not merge (order reversed): copied
		{"k-reversed", []int{3, 4, 2, 5}, []int{3, 5, 2, 6}, []int{3, 2}, []int{0}, []int{1, 2}, []int{0}, false, false, true},
		// size-1 batch, cross and contracting axes
		{"ones", []int{1, 6, 1, 1, 5}, []int{6, 1, 5, 1, 4}, []int{4, 3}, []int{0, 1}, []int{2, 1}, []int{3, 0}, true, true, true},
		// no batch axes
		{"plain", []int{9, 7}, []int{5, 7}, []int{1}, nil, []int{1}, nil, true, true, true},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer func() { dotStridedBatch = true }()
	for _, c := range cases {
		rng := rand.New(rand.NewPCG(7, uint64(len(c.name))))
		fill := func(dims []int) []float32 {
			n := 1
			for _, d := range dims {
				n *= d
			}
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
				if c.special && rng.IntN(23) == 0 {
					x[i] = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}[rng.IntN(5)]
				}
			}
			return x
		}
		lhs, rhs := fill(c.lhsDims), fill(c.rhsDims)
		p := dotParamsOf(c.lhsDims, c.rhsDims, c.lhsC, c.lhsB, c.rhsC, c.rhsB)
		if got := !viewOperand(lhs, c.lhsDims, p.lhsContracting, p.lhsBatch, p.lhsCross, p.contracting).scratch; got != c.wantInPlaceLhs {
			t.Errorf("%s: lhs read in place %v, want %v", c.name, got, c.wantInPlaceLhs)
		}
		if got := !viewOperand(rhs, c.rhsDims, p.rhsContracting, p.rhsBatch, p.rhsCross, p.contracting).scratch; got != c.wantInPlaceRhs {
			t.Errorf("%s: rhs read in place %v, want %v", c.name, got, c.wantInPlaceRhs)
		}
		size := p.batch * p.lhsCross * p.rhsCross
		dotStridedBatch = false
		want := make([]float32, size)
		dotGeneral(c.lhsDims, lhs, c.rhsDims, rhs, p, want, gemm.Float32Batch)
		ref := dotReference(c.lhsDims, lhs, c.rhsDims, rhs, p)
		for i := range want {
			if d := math.Abs(float64(want[i]) - ref[i]); !(d <= 1e-4*(1+math.Abs(ref[i]))) && !(math.IsNaN(ref[i]) && math.IsNaN(float64(want[i]))) && !math.IsInf(ref[i], 0) {
				t.Fatalf("%s: copying path out[%d] = %v, reference %v", c.name, i, want[i], ref[i])
			}
		}
		dotStridedBatch = true
		for _, workers := range []int{1, 2, 8} {
			runtime.GOMAXPROCS(workers)
			got := make([]float32, size)
			for i := range got {
				got[i] = float32(math.NaN()) // every element must be written
			}
			dotGeneral(c.lhsDims, lhs, c.rhsDims, rhs, p, got, gemm.Float32Batch)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s, %d workers: out[%d] = %v (%#x), copying path %v (%#x)", c.name, workers, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
				}
			}
		}
	}
}

// dotParamsOf fills dotParams as simplego's DotGeneral does for the given axes.
func dotParamsOf(lhsDims, rhsDims, lhsC, lhsB, rhsC, rhsB []int) dotParams {
	p := dotParams{lhsContracting: lhsC, lhsBatch: lhsB, rhsContracting: rhsC, rhsBatch: rhsB, batch: 1, contracting: 1}
	for _, a := range lhsB {
		p.batch *= lhsDims[a]
	}
	for _, a := range lhsC {
		p.contracting *= lhsDims[a]
	}
	p.lhsCross = len1(lhsDims) / p.batch / p.contracting
	p.rhsCross = len1(rhsDims) / p.batch / p.contracting
	return p
}

func len1(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// dotReference is DotGeneral by its definition, in float64: out[b, i, j] = Σ_k lhs·rhs with
// b, i, k, j row-major over the batch, cross and contracting axes.
func dotReference(lhsDims []int, lhs []float32, rhsDims []int, rhs []float32, p dotParams) []float64 {
	index := func(dims []int, batch, cross, contr []int, b, i, k int) int {
		pos := make([]int, len(dims))
		set := func(axes []int, v int) {
			for x := len(axes) - 1; x >= 0; x-- {
				pos[axes[x]] = v % dims[axes[x]]
				v /= dims[axes[x]]
			}
		}
		set(batch, b)
		set(cross, i)
		set(contr, k)
		off := 0
		for a, d := range dims {
			off = off*d + pos[a]
		}
		return off
	}
	crossOf := func(dims, batch, contr []int) []int {
		used := map[int]bool{}
		for _, a := range append(append([]int{}, batch...), contr...) {
			used[a] = true
		}
		var c []int
		for a := range dims {
			if !used[a] {
				c = append(c, a)
			}
		}
		return c
	}
	lc, rc := crossOf(lhsDims, p.lhsBatch, p.lhsContracting), crossOf(rhsDims, p.rhsBatch, p.rhsContracting)
	out := make([]float64, p.batch*p.lhsCross*p.rhsCross)
	for b := range p.batch {
		for i := range p.lhsCross {
			for j := range p.rhsCross {
				s := 0.0
				for k := range p.contracting {
					s += float64(lhs[index(lhsDims, p.lhsBatch, lc, p.lhsContracting, b, i, k)]) * float64(rhs[index(rhsDims, p.rhsBatch, rc, p.rhsContracting, b, j, k)])
				}
				out[(b*p.lhsCross+i)*p.rhsCross+j] = s
			}
		}
	}
	return out
}

var _ = fmt.Sprint
