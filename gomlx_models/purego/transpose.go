package purego

// Blocked transposes (issue 12, round 5). stridedCopy (fastops.go) writes each output row
// from a strided read: when the output's innermost axis is not the operand's, every read of
// a row lands on another cache line (a [2048,512] weight transposed: 2048 lines per row of
// 2048 values), and the copy runs at a fraction of memory speed. transposeBlocked copies in
// 16×16 tiles instead, so each cache line read or written is used 16 times while it is
// loaded. It only moves elements: bit-identical by construction (TestFastTransposeBitIdentical).

const transposeTile = 16

// transposeTiles turns transposeBlocked on; the interleaved benchmark turns it off to compare.
var transposeTiles = true

// transposeBlocked fills out (outDims) with out[pos] = in[Σ pos[a]·inStrides[a]] when that
// is a 2-D transpose per outer position: the output's last axis is strided in the operand
// and some other output axis q is the operand's contiguous one. It reports false (and does
// nothing) for other layouts, and for tiles too small to gain.
func transposeBlocked[T float32 | float64](in []T, inStrides []int, out []T, outDims []int) bool {
	rank := len(outDims)
	if !transposeTiles || rank < 2 || len(out) < minParallelElems {
		return false
	}
	last := rank - 1
	q := -1
	for a := range last {
		if inStrides[a] == 1 && outDims[a] > 1 {
			q = a
		}
	}
	if q < 0 || outDims[q] < transposeTile || outDims[last] < transposeTile || inStrides[last] == 1 {
		return false
	}
	outStrides := make([]int, rank)
	s := 1
	for a := last; a >= 0; a-- {
		outStrides[a] = s
		s *= outDims[a]
	}
	// Outer positions: every axis but q and last.
	var oDims, oIn, oOut []int
	for a := range last {
		if a != q {
			oDims, oIn, oOut = append(oDims, outDims[a]), append(oIn, inStrides[a]), append(oOut, outStrides[a])
		}
	}
	nOuter := 1
	for _, d := range oDims {
		nOuter *= d
	}
	ni, nj := outDims[q], outDims[last]
	si, sj := outStrides[q], inStrides[last] // output stride along q, operand stride along last
	iTiles := (ni + transposeTile - 1) / transposeTile
	parallelRows(nOuter*iTiles, len(out), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			o, it := u/iTiles, u%iTiles
			inBase, outBase := 0, 0
			for a := len(oDims) - 1; a >= 0; a-- {
				x := o % oDims[a]
				o /= oDims[a]
				inBase += x * oIn[a]
				outBase += x * oOut[a]
			}
			i0, i1 := it*transposeTile, min(ni, (it+1)*transposeTile)
			for j0 := 0; j0 < nj; j0 += transposeTile {
				j1 := min(nj, j0+transposeTile)
				for i := i0; i < i1; i++ {
					dst := out[outBase+i*si+j0 : outBase+i*si+j1]
					k := inBase + i + j0*sj
					for j := range dst {
						dst[j] = in[k]
						k += sj
					}
				}
			}
		}
	})
	return true
}
