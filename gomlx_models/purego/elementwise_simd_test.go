package purego

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSIMDElementwiseBitIdentical compares the AVX2 loops (binaryRun with simdElementwise on)
// with purego's scalar Go loops, bit for bit, for Add, Sub, Mul and Div with both operands
// full runs and with a size-1 operand on either side, at lengths around the 16-lane step,
// on values that include NaNs with different payloads (quiet and signalling, both signs),
// ±Inf, ±0, subnormals and values near overflow; and non-NaN results with the operation's
// definition (float32 of the float64 result: exact for one +, -, ×, ÷).
func TestSIMDElementwiseBitIdentical(t *testing.T) {
	if !simdElementwise {
		t.Skip("no AVX2 on this machine (or not amd64): the scalar loops run")
	}
	defer func() { simdElementwise = true }()
	specials := []uint32{0x7fc00001, 0x7fc00002, 0xffc00003, 0x7f800005, 0xff900007, // NaNs
		0x7f800000, 0xff800000, 0, 0x80000000, 1, 0x80000010, 0x007fffff, 0x7f7fffff, 0xff7fffff, 0x3f800000}
	rng := rand.New(rand.NewPCG(12, 5))
	gen := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			if rng.IntN(3) == 0 {
				x[i] = math.Float32frombits(specials[rng.IntN(len(specials))])
			} else {
				x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
			}
		}
		return x
	}
	def := func(k binKind, x, y float32) float32 {
		a, b := float64(x), float64(y)
		switch k {
		case binAdd:
			return float32(a + b)
		case binSub:
			return float32(a - b)
		case binMul:
			return float32(a * b)
		}
		return float32(a / b)
	}
	for _, k := range []binKind{binAdd, binSub, binMul, binDiv} {
		for _, n := range []int{16, 17, 31, 32, 33, 47, 256, 1001} {
			for _, form := range []string{"vv", "vs", "sv"} {
				t.Run(fmt.Sprintf("%v/%s/%d", binOpType[k], form, n), func(t *testing.T) {
					for range 20 {
						a, b := gen(n), gen(n)
						switch form {
						case "vs":
							b = b[:1]
						case "sv":
							a = a[:1]
						}
						simdElementwise = false
						want := make([]float32, n)
						binaryRun(k, a, b, want)
						simdElementwise = true
						got := make([]float32, n)
						binaryRun(k, a, b, got)
						for i := range got {
							x, y := a[min(i, len(a)-1)], b[min(i, len(b)-1)]
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("[%d] %v (%#x) op %v (%#x): AVX2 %#x, Go loop %#x", i, x, math.Float32bits(x), y, math.Float32bits(y), math.Float32bits(got[i]), math.Float32bits(want[i]))
							}
							if d := def(k, x, y); !math.IsNaN(float64(d)) && math.Float32bits(d) != math.Float32bits(got[i]) {
								t.Fatalf("[%d] %v op %v = %v, definition %v", i, x, y, got[i], d)
							}
						}
					}
				})
			}
		}
	}
}

// TestSIMDNaNPayload pins down which operand's NaN survives when both are NaN: the one the
// scalar Go loop keeps (its first source): x for x op y and x op c; for c op v, v for the
// commutative Add and Mul and c for Sub and Div. A loop with its sources swapped fails here.
func TestSIMDNaNPayload(t *testing.T) {
	n1, n2 := math.Float32frombits(0x7fc00001), math.Float32frombits(0x7fc00002)
	full1, full2 := make([]float32, 40), make([]float32, 40)
	for i := range full1 {
		full1[i], full2[i] = n1, n2
	}
	for _, simd := range []bool{false, true} {
		if simd && !simdElementwise {
			continue
		}
		old := simdElementwise
		simdElementwise = simd
		for _, c := range []struct {
			k    binKind
			a, b []float32
			want uint32
		}{
			{binAdd, full1, full2, 0x7fc00001}, {binSub, full1, full2, 0x7fc00001},
			{binMul, full1, full2, 0x7fc00001}, {binDiv, full1, full2, 0x7fc00001},
			{binAdd, full1, full2[:1], 0x7fc00001}, {binSub, full1, full2[:1], 0x7fc00001},
			{binMul, full1, full2[:1], 0x7fc00001}, {binDiv, full1, full2[:1], 0x7fc00001},
			{binAdd, full1[:1], full2, 0x7fc00002}, {binSub, full1[:1], full2, 0x7fc00001},
			{binMul, full1[:1], full2, 0x7fc00002}, {binDiv, full1[:1], full2, 0x7fc00001},
		} {
			out := make([]float32, 40)
			binaryRun(c.k, c.a, c.b, out)
			for i, v := range out {
				if math.Float32bits(v) != c.want {
					t.Errorf("simd %v, %v with operand lengths %d, %d: out[%d] = %#x, want %#x", simd, binOpType[c.k], len(c.a), len(c.b), i, math.Float32bits(v), c.want)
					break
				}
			}
		}
		simdElementwise = old
	}
}

// TestSIMDSignBitIdentical compares Sign with the AVX2 loop with the scalar loop and with
// Sign's definition (-1 below zero, 1 above, +0 for ±0 and NaN) on every class of value.
func TestSIMDSignBitIdentical(t *testing.T) {
	if !simdElementwise {
		t.Skip("no AVX2 on this machine (or not amd64)")
	}
	defer func() { simdElementwise = true }()
	specials := []uint32{0x7fc00001, 0xffc00003, 0x7f800005, 0xff900007, 0x7fffffff, 0xffffffff, // NaNs
		0x7f800000, 0xff800000, 0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000}
	rng := rand.New(rand.NewPCG(12, 6))
	for _, n := range []int{16, 17, 23, 24, 255, 1000} {
		x := make([]float32, n)
		for i := range x {
			if rng.IntN(2) == 0 {
				x[i] = math.Float32frombits(specials[rng.IntN(len(specials))])
			} else {
				x[i] = float32(rng.NormFloat64())
			}
		}
		simdElementwise = false
		want := make([]float32, n)
		signRun(x, want)
		simdElementwise = true
		got := make([]float32, n)
		signRun(x, got)
		for i, v := range x {
			def := float32(0)
			switch {
			case v < 0:
				def = -1
			case v > 0:
				def = 1
			}
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(got[i]) != math.Float32bits(def) {
				t.Fatalf("n=%d: Sign(%v (%#x)) = %#x with AVX2, %#x scalar, %#x by definition", n, v, math.Float32bits(v), math.Float32bits(got[i]), math.Float32bits(want[i]), math.Float32bits(def))
			}
		}
	}
}
