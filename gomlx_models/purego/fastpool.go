package purego

import (
	"fmt"
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
)

// A native SelectAndScatterMax/Min (the gradient of max/min pooling). ops.go builds it from
// K strided Slices, a Concatenate, an ArgMinMax, a Where and K Pads and Adds (K the window
// size: 16 for LRCN's 4x4 pools), which moves the operand about 3K times. Here one simplego
// node of type OpTypeSelectAndScatterMax/Min (slots simplego v0.25.0 leaves empty) runs
// purego's executor: one pass to find each window's selected position, one scatter-add. The
// node is created with simplego's unexported Builder.newNode (go:linkname, checked by symbol
// in checkExecutorTable) and only when the fast paths are on; its data is purego's own
// *selectScatterParams.
//
// Same results as the composition: the first maximum (minimum) of each window in row-major
// order, padding reads as -Inf (+Inf) and a padding position selected drops its value, NaN
// selected as simplego's ArgMinMax does (a NaN replaces the current best), and each operand
// element sums its contributions in the composition's order (ascending window position).

// simplegoNewNode is simplego's node constructor.
//
//go:linkname simplegoNewNode github.com/gomlx/gomlx/backends/simplego.(*Builder).newNode
func simplegoNewNode(b *simplego.Builder, opType backends.OpType, shape shapes.Shape, inputs ...*simplego.Node) *simplego.Node

// selectScatterParams is the data of purego's SelectAndScatter nodes.
type selectScatterParams struct {
	isMin    bool
	window   []int
	strides  []int
	paddings [][2]int
}

// fastSelectScatterCalls counts SelectAndScatters run by the native executor (for tests).
var fastSelectScatterCalls atomic.Int64

// nativeSelectAndScatter returns the native node, or ok=false when the composition must be
// used (fast paths off, dtype other than float32/float64, ops not simplego's). Arguments
// have been validated by selectAndScatter.
func (b *Builder) nativeSelectAndScatter(kind selectKind, operand, source backends.Op, xs shapes.Shape,
	window, strides []int, paddings [][2]int) (backends.Op, bool) {
	if !fastPathsOn() || kind == selectAll || (xs.DType != dtypes.Float32 && xs.DType != dtypes.Float64) {
		return nil, false
	}
	sb, ok1 := b.Builder.(*simplego.Builder)
	on, ok2 := operand.(*simplego.Node)
	sn, ok3 := source.(*simplego.Node)
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	op := backends.OpTypeSelectAndScatterMax
	if kind == selectMin {
		op = backends.OpTypeSelectAndScatterMin
	}
	node := simplegoNewNode(sb, op, xs.Clone(), on, sn)
	*(*any)(unsafe.Add(unsafe.Pointer(node), nodeDataOffset)) = &selectScatterParams{
		isMin: kind == selectMin, window: append([]int(nil), window...),
		strides: append([]int(nil), strides...), paddings: append([][2]int(nil), paddings...)}
	return node, true
}

// execSelectAndScatter runs purego's SelectAndScatter nodes (they exist only when purego
// built them, so no fallback is needed at run time).
func execSelectAndScatter(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, _ []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	p, ok := data.(*selectScatterParams)
	if !ok {
		return nil, fmt.Errorf("purego SelectAndScatter: node data is %T, want purego's parameters", data)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego SelectAndScatter: backend already finalized")
	}
	x, src := bufferOf(inputs[0]), bufferOf(inputs[1])
	fastSelectScatterCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		selectAndScatter(x.flat.([]float32), x.shape.Dimensions, src.flat.([]float32), src.shape.Dimensions, flat, p)
	case []float64:
		selectAndScatter(x.flat.([]float64), x.shape.Dimensions, src.flat.([]float64), src.shape.Dimensions, flat, p)
	default:
		return nil, fmt.Errorf("purego SelectAndScatter: dtype %s not supported", outShape.DType)
	}
	return out, nil
}

func selectAndScatter[T float32 | float64](x []T, xDims []int, src []T, srcDims []int, out []T, p *selectScatterParams) {
	if selectScatterTiled(x, xDims, src, srcDims, out, p) {
		return
	}
	const chunk = 1 << 14
	parallelRows((len(out)+chunk-1)/chunk, len(out), func(lo, hi int) {
		clear(out[lo*chunk : min(hi*chunk, len(out))])
	})
	if len(src) == 0 || len(x) == 0 {
		return
	}
	k, inner, xStrides, offsets := windowLayout(xDims, srcDims, p.window, p.strides, p.paddings)
	numWin := len(offsets)
	outer := len(src) / inner
	// position returns the flat operand offset of window offset w of output o (its outer
	// multi-index idx), or -1 in the padding.
	position := func(idx []int, w int) int {
		pos := 0
		for a := range k {
			i := idx[a]*p.strides[a] - p.paddings[a][0] + offsets[w][a]
			if i < 0 || i >= xDims[a] {
				return -1
			}
			pos += i * xStrides[a]
		}
		return pos
	}
	unravel := func(o int, idx []int) {
		for a := k - 1; a >= 0; a-- {
			idx[a] = o % srcDims[a]
			o /= srcDims[a]
		}
	}
	next := func(idx []int) {
		for a := k - 1; a >= 0; a-- {
			if idx[a]++; idx[a] < srcDims[a] {
				return
			}
			idx[a] = 0
		}
	}
	pad := T(math.Inf(-1))
	if p.isMin {
		pad = T(math.Inf(1))
	}
	disjoint := true
	for a := range k {
		disjoint = disjoint && p.strides[a] >= p.window[a]
	}
	if disjoint {
		selectScatterDisjoint(x, src, out, p.isMin, pad, k, inner, outer, numWin, position, unravel, next)
		return
	}
	sel := make([]int32, len(src)) // selected window offset of each (output, channel)
	parallelRows(outer, len(src)*numWin, func(lo, hi int) {
		idx := make([]int, k)
		unravel(lo, idx)
		best := make([]T, inner)
		for o := lo; o < hi; o++ {
			arg := sel[o*inner : (o+1)*inner]
			for w := range numWin {
				pos := position(idx, w)
				for j := range inner {
					v := pad
					if pos >= 0 {
						v = x[pos+j]
					}
					better := v > best[j]
					if p.isMin {
						better = v < best[j]
					}
					if w == 0 || better || v != v {
						best[j], arg[j] = v, int32(w)
					}
				}
			}
			next(idx)
		}
	})
	// Scatter in ascending window offset, as the composition sums its K padded terms; within
	// one offset the targets of different outputs are distinct, so outputs split safely.
	for w := range numWin {
		parallelRows(outer, len(src), func(lo, hi int) {
			idx := make([]int, k)
			unravel(lo, idx)
			for o := lo; o < hi; o++ {
				if pos := position(idx, w); pos >= 0 {
					arg, s := sel[o*inner:(o+1)*inner], src[o*inner:(o+1)*inner]
					for j := range inner {
						if arg[j] == int32(w) {
							out[pos+j] += s[j]
						}
					}
				}
				next(idx)
			}
		})
	}
}

// selectScatterDisjoint is selectAndScatter when no two windows overlap (strides at least
// the window on every axis: every pooling of the models): each operand element is reached
// by at most one output, so one pass per output both selects (the same comparisons, in the
// same order, as the general path) and scatters its value (0 + value, as the composition's
// sum of one term and zeros), outputs split across cores; the result is the general path's,
// bit for bit, whatever the worker count.
func selectScatterDisjoint[T float32 | float64](x, src, out []T, isMin bool, pad T, k, inner, outer, numWin int,
	position func([]int, int) int, unravel func(int, []int), next func([]int)) {
	parallelRows(outer, len(src)*numWin, func(lo, hi int) {
		idx := make([]int, k)
		unravel(lo, idx)
		best := make([]T, inner)
		arg := make([]int32, inner)
		poss := make([]int, numWin)
		for o := lo; o < hi; o++ {
			for w := range numWin {
				poss[w] = position(idx, w)
			}
			for w, pos := range poss {
				for j := range inner {
					v := pad
					if pos >= 0 {
						v = x[pos+j]
					}
					better := v > best[j]
					if isMin {
						better = v < best[j]
					}
					if w == 0 || better || v != v {
						best[j], arg[j] = v, int32(w)
					}
				}
			}
			s := src[o*inner : (o+1)*inner]
			for j := range inner {
				if pos := poss[arg[j]]; pos >= 0 {
					out[pos+j] += s[j]
				}
			}
			next(idx)
		}
	})
}

// Pad --------------------------------------------------------------------------------------

// padParams is the data of purego's native Pad nodes: per axis the leading edge and the
// interior padding (edges and interiors non-negative).
type padParams struct {
	starts, interiors []int
}

// fastPadCalls counts the Pads run by the native executor (for tests).
var fastPadCalls atomic.Int64

// nativePad returns one native Pad node (fill, then one strided copy of x) instead of ops.go's
// composition (one fill-and-Concatenate of the whole tensor per padded axis), or ok=false:
// fast paths off, dtype other than float32/float64, a negative edge (cropping), or ops not
// simplego's. outDims are the padded dimensions.
func (b *Builder) nativePad(x, fill backends.Op, xs shapes.Shape, outDims []int, axesConfig []backends.PadAxis) (backends.Op, bool) {
	if !fastPathsOn() || (xs.DType != dtypes.Float32 && xs.DType != dtypes.Float64) || xs.Rank() == 0 {
		return nil, false
	}
	p := &padParams{starts: make([]int, xs.Rank()), interiors: make([]int, xs.Rank())}
	for a, c := range axesConfig {
		if c.Start < 0 || c.End < 0 || c.Interior < 0 {
			return nil, false
		}
		p.starts[a], p.interiors[a] = c.Start, c.Interior
	}
	sb, ok1 := b.Builder.(*simplego.Builder)
	xn, ok2 := x.(*simplego.Node)
	fn, ok3 := fill.(*simplego.Node)
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	node := simplegoNewNode(sb, backends.OpTypePad, shapes.Make(xs.DType, outDims...), xn, fn)
	*(*any)(unsafe.Add(unsafe.Pointer(node), nodeDataOffset)) = p
	return node, true
}

// execPad runs purego's Pad nodes (they exist only when purego built them).
func execPad(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, _ []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	p, ok := data.(*padParams)
	if !ok {
		return nil, fmt.Errorf("purego Pad: node data is %T, want purego's parameters", data)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego Pad: backend already finalized")
	}
	x, fill := bufferOf(inputs[0]), bufferOf(inputs[1])
	fastPadCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		pad(x.flat.([]float32), x.shape.Dimensions, fill.flat.([]float32)[0], flat, outShape.Dimensions, p)
	case []float64:
		pad(x.flat.([]float64), x.shape.Dimensions, fill.flat.([]float64)[0], flat, outShape.Dimensions, p)
	default:
		return nil, fmt.Errorf("purego Pad: dtype %s not supported", outShape.DType)
	}
	return out, nil
}

// pad fills out with v, then writes x[i] at out[starts + i*(interiors+1)].
func pad[T float32 | float64](x []T, xDims []int, v T, out []T, outDims []int, p *padParams) {
	if padEdges(x, xDims, v, out, outDims, p) {
		return
	}
	parallelRows(len(out)/max(outDims[len(outDims)-1], 1), len(out), func(lo, hi int) {
		n := outDims[len(outDims)-1]
		fill(out[lo*n:hi*n], v)
	})
	if len(x) == 0 {
		return
	}
	rank := len(xDims)
	outStrides := make([]int, rank) // flat step in `out` per step of x on each axis
	base, s := 0, 1
	for a := rank - 1; a >= 0; a-- {
		base += p.starts[a] * s
		outStrides[a] = s * (p.interiors[a] + 1)
		s *= outDims[a]
	}
	n := xDims[rank-1]
	step := outStrides[rank-1]
	parallelRows(len(x)/n, len(x), func(lo, hi int) {
		idx, dst := positionOf(lo, xDims[:rank-1], outStrides[:rank-1])
		dst += base
		for row := lo; row < hi; row++ {
			src := x[row*n : row*n+n]
			if step == 1 {
				copy(out[dst:dst+n], src)
			} else {
				for j, k := 0, dst; j < n; j, k = j+1, k+step {
					out[k] = src[j]
				}
			}
			dst = nextPosition(idx, xDims[:rank-1], outStrides[:rank-1], dst)
		}
	})
}

// selectScatterTiled is selectAndScatter when the windows tile the operand exactly (no
// padding, strides equal to the window, every operand dimension the output's times the
// window: LRCN's and the ConvLSTM's poolings), so that every operand element lies in exactly
// one window. Then one pass per output selects (the same comparisons, in the same order, as
// the general path) and writes its whole window: 0 + value at the selected position (the
// general path's zero plus one term), 0 elsewhere; no separate zeroing pass. Outputs are
// split across cores and each operand element is written by one output, so the result is the
// general path's, bit for bit, whatever the worker count. ok is false when the windows do not
// tile the operand.
func selectScatterTiled[T float32 | float64](x []T, xDims []int, src []T, srcDims []int, out []T, p *selectScatterParams) bool {
	rank := len(xDims)
	if len(src) == 0 || len(x) == 0 || len(srcDims) != rank || len(p.window) != rank || len(p.strides) != rank || len(p.paddings) != rank {
		return false
	}
	for a := range rank {
		if p.paddings[a] != [2]int{} || p.strides[a] != p.window[a] || p.window[a] < 1 || xDims[a] != srcDims[a]*p.window[a] {
			return false
		}
	}
	// Trailing axes with window 1 form contiguous runs of `inner` (channels); woff are the
	// flat offsets of the window positions, row-major (the general path's order).
	k, inner, xStrides, offsets := windowLayout(xDims, srcDims, p.window, p.strides, p.paddings)
	woff := flatOffsets(offsets, xStrides)
	// Output positions over the outer axes and their window's base offset in x.
	posDims := srcDims[:k]
	posStrides := make([]int, k)
	for a := range k {
		posStrides[a] = p.strides[a] * xStrides[a]
	}
	outer := len(src) / inner
	isMin := p.isMin
	parallelRows(outer, len(x), func(lo, hi int) {
		idx, base := positionOf(lo, posDims, posStrides)
		best := make([]T, inner)
		arg := make([]int32, inner)
		var zero T
		for o := lo; o < hi; o++ {
			// Select, zeroing the window's outputs on the way; then write each selected value.
			copy(best, x[base:base+inner])
			clear(arg)
			clear(out[base : base+inner])
			for w, off := range woff[1:] {
				xs := x[base+off : base+off+inner]
				zs := out[base+off : base+off+inner]
				zs = zs[:len(xs)]
				if isMin {
					for j, v := range xs {
						zs[j] = zero
						if v < best[j] || v != v {
							best[j], arg[j] = v, int32(w+1)
						}
					}
				} else {
					// Branch-free: arg by a conditional move; best by max, which differs from
					// the selected value only between ±0 (equal in every later comparison)
					// and in which NaN it holds (any NaN compares false).
					bs, as := best[:len(xs)], arg[:len(xs)]
					for j, v := range xs {
						zs[j] = zero
						b := bs[j]
						take := -(b2i32(v > b) | b2i32(v != v)) // all ones when selected
						as[j] ^= (as[j] ^ int32(w+1)) & take
						bs[j] = max(b, v)
					}
				}
			}
			sv := src[o*inner : (o+1)*inner]
			for j, w := range arg {
				out[base+woff[w]+j] = zero + sv[j]
			}
			base = nextPosition(idx, posDims, posStrides, base)
		}
	})
	return true
}

// b2i32 is 1 for true, 0 for false (compiled to a flag set, no branch).
func b2i32(c bool) int32 {
	if c {
		return 1
	}
	return 0
}

// padEdges is pad without interior padding: each output element is written once, either
// from x or with v (the same values as fill-then-copy). The trailing axes that are not
// padded join the row, so a channels-last spatial padding moves whole rows of pixels: an
// output row is v, then x's row, then v; a row outside x is all v. Rows split across cores.
// ok is false when some axis has interior padding.
func padEdges[T float32 | float64](x []T, xDims []int, v T, out []T, outDims []int, p *padParams) bool {
	rank := len(xDims)
	if rank == 0 || len(outDims) != rank {
		return false
	}
	for a := range rank {
		if p.interiors[a] != 0 {
			return false
		}
	}
	// The row axis L is the last padded axis; the axes after it form units of u elements.
	L := rank - 1
	u := 1
	for L > 0 && p.starts[L] == 0 && outDims[L] == xDims[L] {
		u *= xDims[L]
		L--
	}
	outRow, xRow, lead := outDims[L]*u, xDims[L]*u, p.starts[L]*u
	if outRow == 0 || len(out) == 0 {
		return true
	}
	rows := len(out) / outRow
	xStrides := make([]int, L) // flat stride of x's outer axes
	s := xRow
	for a := L - 1; a >= 0; a-- {
		xStrides[a] = s
		s *= xDims[a]
	}
	parallelRows(rows, len(out), func(lo, hi int) {
		idx, _ := positionOf(lo, outDims[:L], xStrides) // row lo's index over the outer axes
		for row := lo; row < hi; row++ {
			dst := out[row*outRow : (row+1)*outRow]
			src, inside := 0, len(x) > 0
			for a := range L {
				i := idx[a] - p.starts[a]
				if i < 0 || i >= xDims[a] {
					inside = false
					break
				}
				src += i * xStrides[a]
			}
			if inside {
				fill(dst[:lead], v)
				copy(dst[lead:lead+xRow], x[src:src+xRow])
				fill(dst[lead+xRow:], v)
			} else {
				fill(dst, v)
			}
			for a := L - 1; a >= 0; a-- {
				if idx[a]++; idx[a] < outDims[a] {
					break
				}
				idx[a] = 0
			}
		}
	})
	return true
}
