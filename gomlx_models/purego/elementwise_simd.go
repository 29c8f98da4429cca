package purego

// Vectorised float32 Add, Sub, Mul and Div (issue 12, round 5). purego's scalar loops
// (binaryRun) run one element per instruction; the fused elementwise nodes of a training
// step spend most of their time in them. On amd64 with AVX2 the loops of
// elementwise_amd64.s compute 8 lanes per instruction, each lane the same IEEE operation on
// the same operands as the scalar loop: same values, rounding and signed zeros, and, when
// both operands are NaN, the same surviving payload (x86 returns the first source operand's;
// each assembly loop takes as first source the operand the Go loop's compiled ADDSS/SUBSS/
// MULSS/DIVSS does, which TestSIMDElementwiseBitIdentical pins down with two NaN payloads).
// Max, Min and Pow stay scalar (Go's max/min semantics, math.Pow). float64 stays scalar.

// simdMin is the shortest run handed to the assembly loops.
const simdMin = 16

// binaryRunSIMD is binaryRun for float32 with the AVX2 loops; it reports false (and does
// nothing) for the ops it does not vectorise.
func binaryRunSIMD(k binKind, a, b, out []float32) bool {
	n := len(out)
	switch {
	case len(a) == n && len(b) == n:
		switch k {
		case binAdd:
			addVV32(a[:n], b[:n], out)
		case binSub:
			subVV32(a[:n], b[:n], out)
		case binMul:
			mulVV32(a[:n], b[:n], out)
		case binDiv:
			divVV32(a[:n], b[:n], out)
		default:
			return false
		}
	case len(b) == 1:
		c := b[0]
		a = a[:n]
		switch k {
		case binAdd:
			addXS32(a, c, out)
		case binSub:
			subXS32(a, c, out)
		case binMul:
			mulXS32(a, c, out)
		case binDiv:
			divXS32(a, c, out)
		default:
			return false
		}
	default: // len(a) == 1, b a full run
		c := a[0]
		b = b[:n]
		switch k {
		case binAdd: // the Go loop's c + v has v as first source
			addXS32(b, c, out)
		case binMul:
			mulXS32(b, c, out)
		case binSub:
			subSX32(b, c, out)
		case binDiv:
			divSX32(b, c, out)
		default:
			return false
		}
	}
	return true
}
