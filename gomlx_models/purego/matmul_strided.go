package purego

import "runtime"

// Strided batch operands of DotGeneral (issue 12, round 5). prepare (matmul.go) copies an
// operand whose batch axes are not its leading axes into [batch, cross, contracting] order:
// in the attention of a transformer head the per-head products take [B, T, H, D] operands
// with batch axes (0, 2), so each of those products transposed 2.5M to 6.2M elements first.
// The matrices of such an operand are still ordinary strided matrices (rows at one stride,
// columns contiguous, or the reverse); only the step from one batch matrix to the next is
// not one stride. dotGeneral reads them in place instead: one batched gemm call per index of
// the outer batch axes, each over the innermost (merged) batch axis at its own stride.
//
// Bit-identity: gemm computes every output element as the same sequence of multiply-adds
// whatever the operand strides (it packs or reads strips in place, and its kc split
// depends on k only), and the batch products are independent; TestDotStridedBatchBitIdentical
// compares against the copying path on odd shapes, NaN/±Inf/±0 and 1, 2 and 8 workers.

// dotStridedBatch turns the in-place path on (tests turn it off to compare).
var dotStridedBatch = true

// batchView is one operand of a DotGeneral: its matrix layout (as operand) and the stride
// of each batch axis (in the order of the node's batch axes).
type batchView[T float32 | float64] struct {
	operand[T]
	batchStrides []int
}

// viewOperand returns x as a batchView: in place when its cross axes and its contracting axes
// each merge into one strided axis, and either the cross axis is contiguous or the rows
// (contracting axis contiguous) are dense; else prepare's [batch, cross, contracting] copy.
// Rows with gaps (a [B,T,H,D] operand contracted over D, row stride H·D) are copied: gemm
// packs such an operand's transposed B strips from rows 2 KiB apart, which measured 2x
// slower than copying first (BenchmarkDotStridedBatch, "qk"); reading contiguous columns
// in place measured 1.0x to 1.8x faster ("pv", "dv", "dp").
func viewOperand[T float32 | float64](x []T, dims, contracting, batchAxes []int, cross, contract int) batchView[T] {
	rank := len(dims)
	strides := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		strides[a] = s
		s *= dims[a]
	}
	if dotStridedBatch {
		isCross := make([]bool, rank)
		for i := range isCross {
			isCross[i] = true
		}
		for _, a := range contracting {
			isCross[a] = false
		}
		for _, a := range batchAxes {
			isCross[a] = false
		}
		var crossAxes []int
		for a, c := range isCross {
			if c {
				crossAxes = append(crossAxes, a)
			}
		}
		cs, okC := mergedStride(dims, strides, crossAxes)
		ks, okK := mergedStride(dims, strides, contracting)
		bs := make([]int, len(batchAxes))
		for i, a := range batchAxes {
			bs[i] = strides[a]
		}
		if cross <= 1 {
			cs = contract // one row: any row stride will do
		}
		if contract <= 1 {
			ks = 1
		}
		if okC && okK && cross > 0 && contract > 0 {
			switch {
			case ks == 1 && cs == contract: // dense rows: batch axes out of order only
				return batchView[T]{operand[T]{data: x, ld: cs}, bs}
			case cs == 1 && ks >= cross && cross > 1:
				return batchView[T]{operand[T]{data: x, trans: true, ld: ks}, bs}
			}
		}
	}
	o := prepare(x, dims, contracting, batchAxes, cross, contract)
	bs := make([]int, len(batchAxes))
	st := cross * contract
	for i := len(batchAxes) - 1; i >= 0; i-- {
		bs[i] = st
		st *= dims[batchAxes[i]]
	}
	return batchView[T]{o, bs}
}

// mergedStride returns the stride of axes (in their order) seen as one axis: each axis's
// stride must be the next one's stride times its size (size-1 axes are skipped). No axes, or
// only size-1 ones, give stride 0 (the merged axis has size 1).
func mergedStride(dims, strides, axes []int) (int, bool) {
	st, size := 0, 0 // stride and size of the merged axis so far (from the innermost)
	for i := len(axes) - 1; i >= 0; i-- {
		a := axes[i]
		if dims[a] == 1 {
			continue
		}
		if size == 0 {
			st, size = strides[a], dims[a]
			continue
		}
		if strides[a] != st*size {
			return 0, false
		}
		size *= dims[a]
	}
	return st, true
}

// dotBatched runs mm over the batch: the batch axes (sizes bdims, output order) are merged
// where both operands and the output (batch strides cs, row stride ldc) allow, the innermost
// merged axis is one batched call and the outer ones are iterated.
func dotBatched[T float32 | float64](a, b batchView[T], bdims []int, m, n, k int, out []T, cs []int, ldc int, mm batchedGemm[T]) {
	// Merge batch axes from the innermost while all strides allow it.
	var gd, ga, gb, gc []int // merged batch axes: size, lhs, rhs and output strides (outer to inner)
	for i := len(bdims) - 1; i >= 0; i-- {
		d := bdims[i]
		if d == 1 {
			continue
		}
		if g := len(gd); g > 0 && a.batchStrides[i] == ga[0]*gd[0] && b.batchStrides[i] == gb[0]*gd[0] && cs[i] == gc[0]*gd[0] {
			gd[0] *= d
			continue
		}
		gd = append([]int{d}, gd...)
		ga = append([]int{a.batchStrides[i]}, ga...)
		gb = append([]int{b.batchStrides[i]}, gb...)
		gc = append([]int{cs[i]}, gc...)
	}
	inner, sa, sb, sc := 1, 0, 0, 0
	if g := len(gd); g > 0 {
		inner, sa, sb, sc = gd[g-1], ga[g-1], gb[g-1], gc[g-1]
		gd, ga, gb, gc = gd[:g-1], ga[:g-1], gb[:g-1], gc[:g-1]
	}
	outer := 1
	for _, d := range gd {
		outer *= d
	}
	if inner > 1 && sc < (m-1)*ldc+n {
		// Interleaved output matrices (a batch axis inside the rows of the output, a
		// transposed attention result): one gemm call per product, the products spread
		// over the cores whole.
		gd, ga, gb, gc = append(gd, inner), append(ga, sa), append(gb, sb), append(gc, sc)
		outer *= inner
		parallelRows(outer, outer*m*n, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				offA, offB, offC := 0, 0, 0
				r := o
				for x := len(gd) - 1; x >= 0; x-- {
					i := r % gd[x]
					r /= gd[x]
					offA += i * ga[x]
					offB += i * gb[x]
					offC += i * gc[x]
				}
				mm(1, a.trans, !b.trans, m, n, k, a.data[offA:], a.ld, 0, b.data[offB:], b.ld, 0, out[offC:], ldc, 0, 1)
			}
		})
		return
	}
	idx := make([]int, len(gd))
	offA, offB, offC := 0, 0, 0
	workers := runtime.GOMAXPROCS(0)
	for range outer {
		mm(inner, a.trans, !b.trans, m, n, k, a.data[offA:], a.ld, sa, b.data[offB:], b.ld, sb, out[offC:], ldc, sc, workers)
		for x := len(gd) - 1; x >= 0; x-- { // odometer over the outer batch axes
			idx[x]++
			offA += ga[x]
			offB += gb[x]
			offC += gc[x]
			if idx[x] < gd[x] {
				break
			}
			offA -= idx[x] * ga[x]
			offB -= idx[x] * gb[x]
			offC -= idx[x] * gc[x]
			idx[x] = 0
		}
	}
}
