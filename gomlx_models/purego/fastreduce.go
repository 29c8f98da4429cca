package purego

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gopjrt/dtypes"
)

// Fast executors for the reductions (ReduceSum, ReduceMax, ReduceMin, ReduceProduct over any
// set of axes) and Transpose (issue 12 item 3). simplego v0.25.0 runs both with one odometer
// step per operand element on one core. Like the executors of fastops.go they are swapped
// into simplego's table (puregoExecutors), run only for purego's backends with the fast
// paths on, handle float32 and float64, and hand every other case to simplego's executor.
//
// Determinism. Work is split over output elements only, never over a reduction axis: each
// output element is computed by one goroutine, which takes its operand elements in the order
// simplego does (row-major over the reduced axes, starting from 0 for sums, 1 for products,
// the dtype's lowest/highest value for max/min, accumulating in the output's dtype with the
// same builtin max/min). So the results are bit-identical to simplego's executor, and
// therefore independent of the worker count (TestFastReduceBitIdentical checks both, for 1, 2
// and 8 workers). A small output (a scalar loss) is computed sequentially in that one order.
// Transpose only moves elements, so it is bit-identical by construction.

// fastReduceCalls and fastTransposeCalls count the ops run by these executors (for tests).
var fastReduceCalls, fastTransposeCalls atomic.Int64

func execReduceSum(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execReduceOp(b, n, in, o, backends.OpTypeReduceSum)
}

func execReduceMax(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execReduceOp(b, n, in, o, backends.OpTypeReduceMax)
}

func execReduceMin(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execReduceOp(b, n, in, o, backends.OpTypeReduceMin)
}

func execReduceProduct(b *simplego.Backend, n *simplego.Node, in []*simplego.Buffer, o []bool) (*simplego.Buffer, error) {
	return execReduceOp(b, n, in, o, backends.OpTypeReduceProduct)
}

// execReduceOp is the reduction executor for op (installed in op's slot only).
func execReduceOp(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool, op backends.OpType) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	axes, ok := data.([]int)
	in := bufferOf(inputs[0])
	if !isPure(backend) || !ok || len(axes) == 0 ||
		(outShape.DType != dtypes.Float32 && outShape.DType != dtypes.Float64) || in.shape.DType != outShape.DType {
		return simplegoOriginal[op](backend, node, inputs, owned)
	}
	reduced := make([]bool, in.shape.Rank())
	for _, a := range axes {
		if a < 0 || a >= len(reduced) || reduced[a] {
			return simplegoOriginal[op](backend, node, inputs, owned)
		}
		reduced[a] = true
	}
	if outShape.Size()*reducedSize(in.shape.Dimensions, axes) != in.shape.Size() {
		return simplegoOriginal[op](backend, node, inputs, owned)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego %s: backend already finalized", op)
	}
	fastReduceCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		reduceAxes(in.flat.([]float32), in.shape.Dimensions, reduced, flat, op)
	case []float64:
		reduceAxes(in.flat.([]float64), in.shape.Dimensions, reduced, flat, op)
	}
	return out, nil
}

func reducedSize(dims, axes []int) int {
	n := 1
	for _, a := range axes {
		if a >= 0 && a < len(dims) {
			n *= dims[a]
		}
	}
	return n
}

// reduceInit is simplego's initial value of each output element for op.
func reduceInit[T float32 | float64](op backends.OpType) T {
	switch op {
	case backends.OpTypeReduceProduct:
		return 1
	case backends.OpTypeReduceMax:
		return T(math.Inf(-1))
	case backends.OpTypeReduceMin:
		return T(math.Inf(1))
	}
	return 0
}

// reduceAxes reduces in (dims) over the axes marked in reduced into out with op. Adjacent axes
// of the same kind are merged first, so the operand is seen as alternating groups of kept and
// reduced axes. Then:
//   - innermost group kept (e.g. a bias gradient, a sum over the batch): each output row
//     (the inner kept run of n elements) gets the operand's rows added one after the other,
//     the reduced positions in row-major order; rows and column chunks split across cores;
//   - innermost group reduced (e.g. a softmax's sum over classes): each output element
//     accumulates its run(s) in row-major order; output elements split across cores.
func reduceAxes[T float32 | float64](in []T, dims []int, reduced []bool, out []T, op backends.OpType) {
	// Merge adjacent axes of the same kind; drop size-1 axes (they change no order).
	var gDims []int
	var gRed []bool
	for a, d := range dims {
		if d == 1 {
			continue
		}
		if n := len(gDims); n > 0 && gRed[n-1] == reduced[a] {
			gDims[n-1] *= d
			continue
		}
		gDims = append(gDims, d)
		gRed = append(gRed, reduced[a])
	}
	init := reduceInit[T](op)
	if len(out) == 0 {
		return
	}
	if len(in) == 0 {
		fill(out, init)
		return
	}
	rank := len(gDims)
	strides := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		strides[a] = s
		s *= gDims[a]
	}
	// Kept groups (outer to inner) and reduced groups, with their operand strides.
	var keptDims, keptStrides, redDims, redStrides []int
	for a := range rank {
		if gRed[a] {
			redDims, redStrides = append(redDims, gDims[a]), append(redStrides, strides[a])
		} else {
			keptDims, keptStrides = append(keptDims, gDims[a]), append(keptStrides, strides[a])
		}
	}
	// Operand offsets of the reduced positions, row-major over the reduced axes (the order in
	// which simplego adds them to each output element), except an innermost reduced run.
	innerRun := 1
	if rank > 0 && gRed[rank-1] {
		innerRun = gDims[rank-1]
		redDims, redStrides = redDims[:len(redDims)-1], redStrides[:len(redStrides)-1]
	}
	// Short kept rows summed with one strided reduced group need no offset list (a bias
	// gradient: one offset per pixel otherwise).
	columns8 := rank > 0 && !gRed[rank-1] && op == backends.OpTypeReduceSum && gDims[rank-1]%8 == 0 && gDims[rank-1] <= 256
	var offsets []int
	if !columns8 || len(redDims) != 1 {
		offsets = offsetsOf(redDims, redStrides)
	}

	if rank == 0 || gRed[rank-1] {
		// Innermost group reduced: out[o] = reduce over offsets, each a contiguous run.
		parallelRows(len(out), len(in), func(lo, hi int) {
			idx, base := positionOf(lo, keptDims, keptStrides)
			o := lo
			if len(offsets) == 1 && innerRun > 1 && reduceChains4 {
				// One run per output element (a softmax's or a layer norm's statistics):
				// four output elements at a time, four independent chains each in
				// simplego's order (the latency of one chain bound the loop).
				off := offsets[0]
				for ; o+4 <= hi; o += 4 {
					b0 := base + off
					base = nextPosition(idx, keptDims, keptStrides, base)
					b1 := base + off
					base = nextPosition(idx, keptDims, keptStrides, base)
					b2 := base + off
					base = nextPosition(idx, keptDims, keptStrides, base)
					b3 := base + off
					base = nextPosition(idx, keptDims, keptStrides, base)
					reduceRuns4(in[b0:b0+innerRun], in[b1:b1+innerRun], in[b2:b2+innerRun], in[b3:b3+innerRun], init, op, out[o:o+4])
				}
			}
			for ; o < hi; o++ {
				acc := init
				for _, off := range offsets {
					run := in[base+off : base+off+innerRun]
					switch op {
					case backends.OpTypeReduceSum:
						for _, v := range run {
							acc += v
						}
					case backends.OpTypeReduceProduct:
						for _, v := range run {
							acc *= v
						}
					case backends.OpTypeReduceMax:
						for _, v := range run {
							acc = max(acc, v)
						}
					case backends.OpTypeReduceMin:
						for _, v := range run {
							acc = min(acc, v)
						}
					}
				}
				out[o] = acc
				base = nextPosition(idx, keptDims, keptStrides, base)
			}
		})
		return
	}
	// Innermost group kept, n contiguous output elements per row.
	n := keptDims[len(keptDims)-1]
	outerDims, outerStrides := keptDims[:len(keptDims)-1], keptStrides[:len(keptStrides)-1]
	rows := len(out) / n
	if columns8 {
		// Short rows (a bias gradient over 16 to 256 channels): blocks of 8 columns, each
		// summed in registers over all reduced positions (the same additions, in the same
		// order, as below), blocks split across cores.
		blocks := n / 8
		parallelRows(rows*blocks, len(in), func(lo, hi int) {
			for u := lo; u < hi; u++ {
				row, c0 := u/blocks, (u%blocks)*8
				_, base := positionOf(row, outerDims, outerStrides)
				if len(redDims) == 1 { // one reduced group: offsets i*stride, not read from memory
					sumColumns8(in, base+c0, nil, redDims[0], redStrides[0], init, out[row*n+c0:row*n+c0+8])
				} else {
					sumColumns8(in, base+c0, offsets, 0, 0, init, out[row*n+c0:row*n+c0+8])
				}
			}
		})
		return
	}
	// Split each row into column chunks too when there are few rows (a bias gradient has one).
	chunks := 1
	if rows < 8 && n >= 2048 {
		chunks = min(8, n/1024) // (below 2048 columns splitting measured slower)
	}
	parallelRows(rows*chunks, len(in), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			row, c := u/chunks, u%chunks
			c0, c1 := n*c/chunks, n*(c+1)/chunks
			_, base := positionOf(row, outerDims, outerStrides)
			dst := out[row*n+c0 : row*n+c1]
			fill(dst, init)
			for _, off := range offsets {
				src := in[base+off+c0 : base+off+c1]
				switch op {
				case backends.OpTypeReduceSum:
					if d32, ok := any(dst).([]float32); ok && simdElementwise && len(d32) >= simdMin {
						// v + dst[j] with v as first source, as the loop below compiles
						// (TestFastReduceNaNPayload: which NaN survives an addition of two).
						addVV32(any(src).([]float32), d32, d32)
						continue
					}
					for j, v := range src {
						dst[j] += v
					}
				case backends.OpTypeReduceProduct:
					for j, v := range src {
						dst[j] *= v
					}
				case backends.OpTypeReduceMax:
					for j, v := range src {
						dst[j] = max(dst[j], v)
					}
				case backends.OpTypeReduceMin:
					for j, v := range src {
						dst[j] = min(dst[j], v)
					}
				}
			}
		}
	})
}

// sumColumns8 sets dst[j] = init + in[base+o0+j] + in[base+o1+j] + ... for j < 8, o0, o1,
// ... being offsets in that order or, when offsets is nil, 0, stride, 2*stride, ... (count
// of them), with the 8 sums held in registers.
func sumColumns8[T float32 | float64](in []T, base int, offsets []int, count, stride int, init T, dst []T) {
	a0, a1, a2, a3, a4, a5, a6, a7 := init, init, init, init, init, init, init, init
	if offsets != nil {
		count = len(offsets)
	}
	for i := range count {
		off := base + i*stride
		if offsets != nil {
			off = base + offsets[i]
		}
		s := in[off : off+8 : off+8]
		a0 += s[0]
		a1 += s[1]
		a2 += s[2]
		a3 += s[3]
		a4 += s[4]
		a5 += s[5]
		a6 += s[6]
		a7 += s[7]
	}
	dst = dst[:8]
	dst[0], dst[1], dst[2], dst[3], dst[4], dst[5], dst[6], dst[7] = a0, a1, a2, a3, a4, a5, a6, a7
}

// reduceChains4 turns the four-chain loop (reduceRuns4) on; tests and the interleaved
// benchmark turn it off to compare.
var reduceChains4 = true

// reduceRuns4 sets out[i] = init op r_i[0] op r_i[1] op ... for the four runs r_i (of equal
// length), each accumulated in order as simplego does; the four chains are independent.
func reduceRuns4[T float32 | float64](r0, r1, r2, r3 []T, init T, op backends.OpType, out []T) {
	n := len(r0)
	r1, r2, r3, out = r1[:n], r2[:n], r3[:n], out[:4]
	a0, a1, a2, a3 := init, init, init, init
	switch op {
	case backends.OpTypeReduceSum:
		for j, v := range r0 {
			a0 += v
			a1 += r1[j]
			a2 += r2[j]
			a3 += r3[j]
		}
	case backends.OpTypeReduceProduct:
		for j, v := range r0 {
			a0 *= v
			a1 *= r1[j]
			a2 *= r2[j]
			a3 *= r3[j]
		}
	case backends.OpTypeReduceMax:
		for j, v := range r0 {
			a0 = max(a0, v)
			a1 = max(a1, r1[j])
			a2 = max(a2, r2[j])
			a3 = max(a3, r3[j])
		}
	case backends.OpTypeReduceMin:
		for j, v := range r0 {
			a0 = min(a0, v)
			a1 = min(a1, r1[j])
			a2 = min(a2, r2[j])
			a3 = min(a3, r3[j])
		}
	}
	out[0], out[1], out[2], out[3] = a0, a1, a2, a3
}

// offsetsOf lists Σ_a i[a]*strides[a] for every multi-index i over dims, row-major (one
// offset 0 for no axes).
func offsetsOf(dims, strides []int) []int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	offs := make([]int, 0, n)
	idx := make([]int, len(dims))
	off := 0
	for range n {
		offs = append(offs, off)
		for a := len(dims) - 1; a >= 0; a-- {
			idx[a]++
			off += strides[a]
			if idx[a] < dims[a] {
				break
			}
			off -= idx[a] * strides[a]
			idx[a] = 0
		}
	}
	return offs
}

// positionOf decomposes the flat index r over dims (row-major) and returns the multi-index
// and its offset Σ idx[a]*strides[a].
func positionOf(r int, dims, strides []int) ([]int, int) {
	idx := make([]int, len(dims))
	off := 0
	for a := len(dims) - 1; a >= 0; a-- {
		idx[a] = r % dims[a]
		r /= dims[a]
		off += idx[a] * strides[a]
	}
	return idx, off
}

// nextPosition advances idx by one (row-major over dims) and returns the updated offset.
func nextPosition(idx, dims, strides []int, off int) int {
	for a := len(dims) - 1; a >= 0; a-- {
		idx[a]++
		off += strides[a]
		if idx[a] < dims[a] {
			return off
		}
		off -= idx[a] * strides[a]
		idx[a] = 0
	}
	return off
}

// execTranspose is purego's Transpose executor: simplego's node data is the permutation
// ([]int; output axis a is operand axis perm[a]); the output is a strided copy of the
// operand (one output row at a time, contiguous runs coalesced, rows split across cores).
func execTranspose(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	perm, ok := data.([]int)
	in := bufferOf(inputs[0])
	rank := outShape.Rank()
	if !isPure(backend) || !ok || (outShape.DType != dtypes.Float32 && outShape.DType != dtypes.Float64) ||
		rank == 0 || len(perm) != rank || in.shape.Rank() != rank || in.shape.DType != outShape.DType {
		return simplegoOriginal[opTranspose](backend, node, inputs, owned)
	}
	opStrides := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		opStrides[a] = s
		s *= in.shape.Dimensions[a]
	}
	inStrides := make([]int, rank)
	seen := make([]bool, rank)
	for a, p := range perm {
		if p < 0 || p >= rank || seen[p] || in.shape.Dimensions[p] != outShape.Dimensions[a] {
			return simplegoOriginal[opTranspose](backend, node, inputs, owned)
		}
		seen[p] = true
		inStrides[a] = opStrides[p]
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego Transpose: backend already finalized")
	}
	fastTransposeCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		if !transposeBlocked(in.flat.([]float32), inStrides, flat, outShape.Dimensions) {
			stridedCopy(in.flat.([]float32), 0, inStrides, flat, outShape.Dimensions)
		}
	case []float64:
		if !transposeBlocked(in.flat.([]float64), inStrides, flat, outShape.Dimensions) {
			stridedCopy(in.flat.([]float64), 0, inStrides, flat, outShape.Dimensions)
		}
	}
	return out, nil
}

const opTranspose = backends.OpTypeTranspose
