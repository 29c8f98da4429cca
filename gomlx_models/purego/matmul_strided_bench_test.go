package purego

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego/gemm"
)

// BenchmarkDotStridedBatch times the attention products of the ARTEMIS head at B=32 with
// operands read in place ("inplace") and copied first ("copy").
func BenchmarkDotStridedBatch(b *testing.B) {
	type tc struct {
		name                   string
		lhsDims, rhsDims       []int
		lhsC, lhsB, rhsC, rhsB []int
	}
	cases := []tc{
		{"qk", []int{32, 156, 8, 64}, []int{32, 156, 8, 64}, []int{3}, []int{0, 2}, []int{3}, []int{0, 2}},
		{"pv", []int{32, 8, 156, 156}, []int{32, 156, 8, 64}, []int{3}, []int{0, 1}, []int{1}, []int{0, 2}},
		{"dv", []int{32, 156, 8, 156}, []int{32, 156, 8, 64}, []int{1}, []int{0, 2}, []int{1}, []int{0, 2}},
		{"dp", []int{32, 8, 156, 64}, []int{32, 156, 8, 156}, []int{2}, []int{0, 1}, []int{1}, []int{0, 2}},
	}
	defer func() { dotStridedBatch = true }()
	for _, c := range cases {
		lhs, rhs := make([]float32, len1(c.lhsDims)), make([]float32, len1(c.rhsDims))
		for i := range lhs {
			lhs[i] = float32(i%7) - 3
		}
		for i := range rhs {
			rhs[i] = float32(i%5) - 2
		}
		p := dotParamsOf(c.lhsDims, c.rhsDims, c.lhsC, c.lhsB, c.rhsC, c.rhsB)
		out := make([]float32, p.batch*p.lhsCross*p.rhsCross)
		for _, inPlace := range []bool{true, false} {
			name := c.name + "/copy"
			if inPlace {
				name = c.name + "/inplace"
			}
			b.Run(name, func(b *testing.B) {
				dotStridedBatch = inPlace
				for range b.N {
					dotGeneral(c.lhsDims, lhs, c.rhsDims, rhs, p, out, gemm.Float32Batch)
				}
			})
		}
	}
}
