package purego

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
)

// Fast executors for the data-movement ops that dominate the convolutional models' training
// steps after the matrix kernel (issue 12: `go test -cpuprofile` of an LRCN step at UCF50
// full shapes spent 34% in simplego's Slice, which moves one element per odometer step, and
// 21% in its Concatenate, one memmove per inner block). Like the DotGeneral executor they are
// swapped into simplego's table (see puregoExecutors), run only for purego's backends with the
// fast paths on, handle float32 and float64, and hand every other case to simplego's own
// executor. They only copy elements, so their results are bit-identical to simplego's
// whatever the number of workers.

// minParallelElems is the output size from which the copies are split across goroutines
// (below it the goroutine start-up costs more than the copy).
const minParallelElems = 1 << 15

// fastSliceCalls and fastConcatCalls count the ops run by the fast executors (for tests).
var fastSliceCalls, fastConcatCalls atomic.Int64

// nodeOf returns the shape and data of a simplego node (offsets checked by checkSimplegoLayout).
func nodeOf(node *simplego.Node) (shapes.Shape, any) {
	p := unsafe.Pointer(node)
	return *(*shapes.Shape)(unsafe.Add(p, nodeShapeOffset)), *(*any)(unsafe.Add(p, nodeDataOffset))
}

// isPure reports whether backend is wrapped by purego and the fast paths are on.
func isPure(backend *simplego.Backend) bool {
	_, ok := pureInner.Load(backend)
	return ok && fastPathsOn()
}

// parallelRows calls fn on contiguous chunks [lo, hi) of rows rows, on up to GOMAXPROCS
// goroutines when elems (the elements moved) is large enough, else inline. The caller's
// goroutine runs the first chunk (one goroutine fewer to start and wake per call).
func parallelRows(rows, elems int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if elems < minParallelElems || workers < 2 || rows < 2 {
		fn(0, rows)
		return
	}
	workers = min(workers, rows)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		lo, hi := rows*w/workers, rows*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	fn(0, rows/workers)
	wg.Wait()
}

// Slice ------------------------------------------------------------------------------------

var (
	sliceFieldsOnce sync.Once
	sliceFields     [3]int // indices of starts, limits, strides in simplego's sliceNode
	sliceFieldsErr  error
)

// readSliceParams reads simplego's *sliceNode {starts, limits, strides []int} (v0.25.0,
// backends/simplego/ops.go) by reflection, checking names and types.
func readSliceParams(data any) (starts, strides []int, err error) {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("Slice node data is %T, not a pointer to a struct", data)
	}
	v = v.Elem()
	sliceFieldsOnce.Do(func() {
		t := v.Type()
		for i, name := range []string{"starts", "limits", "strides"} {
			f, ok := t.FieldByName(name)
			if !ok || f.Type != reflect.TypeFor[[]int]() {
				sliceFieldsErr = fmt.Errorf("simplego's %s has no field %s []int", t, name)
				return
			}
			sliceFields[i] = f.Index[0]
		}
	})
	if sliceFieldsErr != nil {
		return nil, nil, sliceFieldsErr
	}
	ints := func(i int) []int {
		s := v.Field(sliceFields[i])
		out := make([]int, s.Len())
		for j := range out {
			out[j] = int(s.Index(j).Int())
		}
		return out
	}
	return ints(0), ints(2), nil
}

// execSlice is purego's Slice executor: for each output row (all axes but the last) one
// contiguous copy, or a strided loop when the last axis is strided; rows split across cores.
func execSlice(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	if !isPure(backend) || (outShape.DType != dtypes.Float32 && outShape.DType != dtypes.Float64) || outShape.Rank() == 0 {
		return simplegoOriginal[opSlice](backend, node, inputs, owned)
	}
	starts, strides, err := readSliceParams(data)
	in := bufferOf(inputs[0])
	if err != nil || len(starts) != outShape.Rank() || len(strides) != outShape.Rank() || in.shape.Rank() != outShape.Rank() {
		return simplegoOriginal[opSlice](backend, node, inputs, owned)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego Slice: backend already finalized")
	}
	fastSliceCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		sliceCopy(in.flat.([]float32), in.shape.Dimensions, flat, outShape.Dimensions, starts, strides)
	case []float64:
		sliceCopy(in.flat.([]float64), in.shape.Dimensions, flat, outShape.Dimensions, starts, strides)
	}
	return out, nil
}

// sliceCopy writes out[o] = in[starts + o*strides] for every output multi-index o.
func sliceCopy[T float32 | float64](in []T, inDims []int, out []T, outDims, starts, strides []int) {
	rank := len(outDims)
	inStrides := make([]int, rank) // flat step in `in` per output step on each axis
	base := 0
	s := 1
	for a := rank - 1; a >= 0; a-- {
		base += starts[a] * s
		inStrides[a] = s * strides[a]
		s *= inDims[a]
	}
	stridedCopy(in, base, inStrides, out, outDims)
}

// stridedCopy writes out[o] = in[base + Σ_a o[a]*inStrides[a]] for every output multi-index
// o (strides may be 0: broadcasting), one output row (last axis) at a time, rows split
// across cores.
func stridedCopy[T float32 | float64](in []T, base int, inStrides []int, out []T, outDims []int) {
	if len(out) == 0 {
		return
	}
	// Coalesce trailing axes into longer rows while the row stays one copy, fill or stride:
	// axis a joins when its stride is the row's stride times the row length (0 for a
	// broadcast axis, contiguous for a copy).
	rank := len(outDims)
	n := outDims[rank-1]
	step := inStrides[rank-1]
	for rank > 1 && inStrides[rank-2] == step*n {
		rank--
		n *= outDims[rank-1]
	}
	outDims, inStrides = outDims[:rank], inStrides[:rank]
	rows := len(out) / n
	if rows == 1 && (step == 0 || step == 1) {
		// One long row (a scalar broadcast to a whole tensor, a contiguous copy): chunks of
		// it split across cores.
		const chunk = 1 << 14
		parallelRows((n+chunk-1)/chunk, n, func(lo, hi int) {
			dst := out[lo*chunk : min(hi*chunk, n)]
			if step == 0 {
				fill(dst, in[base])
			} else {
				copy(dst, in[base+lo*chunk:])
			}
		})
		return
	}
	parallelRows(rows, len(out), func(lo, hi int) {
		// Position of row lo over the output's outer axes, and its first operand element.
		idx, src := positionOf(lo, outDims[:rank-1], inStrides[:rank-1])
		src += base
		for row := lo; row < hi; row++ {
			dst := out[row*n : row*n+n]
			switch {
			case step == 1 && n > 16:
				copy(dst, in[src:src+n])
			case step == 1: // short rows (channels): a loop beats a memmove call
				for j, v := range in[src : src+n] {
					dst[j] = v
				}
			case step == 0:
				fill(dst, in[src])
			default:
				for j, k := 0, src; j < n; j, k = j+1, k+step {
					dst[j] = in[k]
				}
			}
			src = nextPosition(idx, outDims[:rank-1], inStrides[:rank-1], src) // odometer over the outer axes
		}
	})
}

// fill sets every element of dst to v: a short loop, then doubling copies (memmove) up to
// 1024 elements, then copies of those first 1024 (which stay in the L1 cache).
func fill[T float32 | float64](dst []T, v T) {
	k := min(len(dst), 16)
	for j := range dst[:k] {
		dst[j] = v
	}
	for k < len(dst) {
		k += copy(dst[k:], dst[:min(k, 1024)])
	}
}

// BroadcastInDim ---------------------------------------------------------------------------

// fastBroadcastCalls counts the BroadcastInDims run by the fast executor (for tests).
var fastBroadcastCalls atomic.Int64

// execBroadcastInDim is purego's BroadcastInDim executor: simplego's node data is the
// []int of output axes the operand's axes map to (v0.25.0, backends/simplego/ops.go); each
// output row is a copy, a fill or a strided gather of the operand.
func execBroadcastInDim(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	axes, ok := data.([]int)
	in := bufferOf(inputs[0])
	if !isPure(backend) || !ok || (outShape.DType != dtypes.Float32 && outShape.DType != dtypes.Float64) ||
		outShape.Rank() == 0 || len(axes) != in.shape.Rank() {
		return simplegoOriginal[opBroadcastInDim](backend, node, inputs, owned)
	}
	rank := outShape.Rank()
	inStrides := make([]int, rank)
	s := 1
	for i := len(axes) - 1; i >= 0; i-- {
		a, d := axes[i], in.shape.Dimensions[i]
		// simplego v0.25.0 reads the operand as if its axes mapped in increasing order
		// (it reshapes, never transposes); decreasing mappings stay with simplego, so the
		// results are always simplego's.
		if a < 0 || a >= rank || (d != 1 && d != outShape.Dimensions[a]) || (i > 0 && axes[i-1] >= a) {
			return simplegoOriginal[opBroadcastInDim](backend, node, inputs, owned)
		}
		if d != 1 {
			inStrides[a] = s
		}
		s *= d
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego BroadcastInDim: backend already finalized")
	}
	fastBroadcastCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		stridedCopy(in.flat.([]float32), 0, inStrides, flat, outShape.Dimensions)
	case []float64:
		stridedCopy(in.flat.([]float64), 0, inStrides, flat, outShape.Dimensions)
	}
	return out, nil
}

// Concatenate ------------------------------------------------------------------------------

// execConcatenate is purego's Concatenate executor: outer blocks split across cores, and
// small inner blocks copied with a typed loop instead of one memmove call each.
func execConcatenate(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	axis, ok := data.(int)
	if !isPure(backend) || !ok || (outShape.DType != dtypes.Float32 && outShape.DType != dtypes.Float64) ||
		axis < 0 || axis >= outShape.Rank() {
		return simplegoOriginal[opConcatenate](backend, node, inputs, owned)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego Concatenate: backend already finalized")
	}
	fastConcatCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		concatCopy(inputs, flat, outShape.Dimensions, axis)
	case []float64:
		concatCopy(inputs, flat, outShape.Dimensions, axis)
	}
	return out, nil
}

// concatCopy concatenates the inputs' flat data along axis into out (dims outDims).
func concatCopy[T float32 | float64](inputs []*simplego.Buffer, out []T, outDims []int, axis int) {
	outer, inner := 1, 1
	for a := range axis {
		outer *= outDims[a]
	}
	for a := axis + 1; a < len(outDims); a++ {
		inner *= outDims[a]
	}
	ins := make([][]T, len(inputs))
	blocks := make([]int, len(inputs)) // elements per outer block of each input
	for i, b := range inputs {
		l := bufferOf(b)
		ins[i] = l.flat.([]T)
		blocks[i] = l.shape.Dimensions[axis] * inner
	}
	rowLen := outDims[axis] * inner
	parallelRows(outer, len(out), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			dst := out[o*rowLen : (o+1)*rowLen]
			for i, src := range ins {
				n := blocks[i]
				s := src[o*n : o*n+n]
				if n <= 16 {
					for j, v := range s {
						dst[j] = v
					}
				} else {
					copy(dst, s)
				}
				dst = dst[n:]
			}
		}
	})
}

// ReduceWindow -----------------------------------------------------------------------------

// fastReduceWindowCalls counts the ReduceWindows run by the fast executor (for tests).
var fastReduceWindowCalls atomic.Int64

// reduceWindowParams are the fields of simplego's reduceWindowNode (v0.25.0,
// backends/simplego/ops.go) that the fast executor reads.
type reduceWindowParams struct {
	reduceType                                                int // backends.ReduceOpType
	windowDimensions, strides, baseDilations, windowDilations []int
	paddings                                                  [][2]int
}

var (
	rwFieldsOnce sync.Once
	rwFields     map[string]int
	rwFieldsErr  error
)

func readReduceWindowParams(data any) (p reduceWindowParams, err error) {
	v := reflect.ValueOf(data)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return p, fmt.Errorf("ReduceWindow node data is %T, not a pointer to a struct", data)
	}
	v = v.Elem()
	rwFieldsOnce.Do(func() {
		t := v.Type()
		rwFields = map[string]int{}
		for name, want := range map[string]reflect.Type{
			"reductionType":    reflect.TypeFor[backendsReduceOpType](),
			"windowDimensions": reflect.TypeFor[[]int](), "strides": reflect.TypeFor[[]int](),
			"baseDilations": reflect.TypeFor[[]int](), "windowDilations": reflect.TypeFor[[]int](),
			"paddings": reflect.TypeFor[[][2]int](),
		} {
			f, ok := t.FieldByName(name)
			if !ok || f.Type != want {
				rwFieldsErr = fmt.Errorf("simplego's %s has no field %s of type %s", t, name, want)
				return
			}
			rwFields[name] = f.Index[0]
		}
	})
	if rwFieldsErr != nil {
		return p, rwFieldsErr
	}
	ints := func(name string) []int {
		s := v.Field(rwFields[name])
		if s.IsNil() {
			return nil
		}
		out := make([]int, s.Len())
		for j := range out {
			out[j] = int(s.Index(j).Int())
		}
		return out
	}
	p.reduceType = int(v.Field(rwFields["reductionType"]).Int())
	p.windowDimensions, p.strides = ints("windowDimensions"), ints("strides")
	p.baseDilations, p.windowDilations = ints("baseDilations"), ints("windowDilations")
	if s := v.Field(rwFields["paddings"]); !s.IsNil() {
		p.paddings = make([][2]int, s.Len())
		for j := range p.paddings {
			p.paddings[j] = [2]int{int(s.Index(j).Index(0).Int()), int(s.Index(j).Index(1).Int())}
		}
	}
	return p, nil
}

func allOnes(v []int) bool {
	for _, x := range v {
		if x != 1 {
			return false
		}
	}
	return true
}

// execReduceWindow is purego's ReduceWindow executor for max and sum windows without
// dilations (max-pool, and the sum pooling of mean-pool and its gradient). It computes what
// simplego's does, in the same order (each output starts at -Inf for max or 0 for sum and
// takes the window's in-range operand elements in row-major order, so sums are
// bit-identical), but moves whole trailing runs of axes the window does not touch (the
// channels of a pooling) at once and splits the outputs across cores.
func execReduceWindow(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	in := bufferOf(inputs[0])
	rank := outShape.Rank()
	if !isPure(backend) || (outShape.DType != dtypes.Float32 && outShape.DType != dtypes.Float64) || rank == 0 || in.shape.Rank() != rank {
		return simplegoOriginal[opReduceWindow](backend, node, inputs, owned)
	}
	p, err := readReduceWindowParams(data)
	if err != nil || (p.reduceType != reduceMax && p.reduceType != reduceSum) || len(p.windowDimensions) != rank ||
		!allOnes(p.baseDilations) || !allOnes(p.windowDilations) {
		return simplegoOriginal[opReduceWindow](backend, node, inputs, owned)
	}
	if p.strides == nil {
		p.strides = p.windowDimensions
	}
	if p.paddings == nil {
		p.paddings = make([][2]int, rank)
	}
	if len(p.strides) != rank || len(p.paddings) != rank {
		return simplegoOriginal[opReduceWindow](backend, node, inputs, owned)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego ReduceWindow: backend already finalized")
	}
	fastReduceWindowCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		reduceWindow(in.flat.([]float32), in.shape.Dimensions, flat, outShape.Dimensions, p)
	case []float64:
		reduceWindow(in.flat.([]float64), in.shape.Dimensions, flat, outShape.Dimensions, p)
	}
	return out, nil
}

func reduceWindow[T float32 | float64](in []T, inDims []int, out []T, outDims []int, p reduceWindowParams) {
	k, inner, inStrides, offsets := windowLayout(inDims, outDims, p.windowDimensions, p.strides, p.paddings)
	numWin := len(offsets)
	isMax := p.reduceType == reduceMax
	var init T
	if isMax {
		init = T(math.Inf(-1))
	}
	outer := len(out) / max(inner, 1)
	if inner == 0 || len(out) == 0 {
		return
	}
	if reduceWindowInRange(in, inDims, out, outDims, p, k, inner, inStrides, offsets, init, isMax) {
		return
	}
	parallelRows(outer, len(out)*numWin, func(lo, hi int) {
		idx, _ := positionOf(lo, outDims[:k], inStrides) // output lo's index over the outer axes
		for o := lo; o < hi; o++ {
			dst := out[o*inner : (o+1)*inner]
			for j := range dst {
				dst[j] = init
			}
		window:
			for _, off := range offsets {
				src := 0
				for a := range k {
					i := idx[a]*p.strides[a] - p.paddings[a][0] + off[a]
					if i < 0 || i >= inDims[a] {
						continue window // padding: nothing to reduce
					}
					src += i * inStrides[a]
				}
				x := in[src : src+inner]
				if isMax {
					for j, v := range x {
						dst[j] = max(dst[j], v)
					}
				} else {
					for j, v := range x {
						dst[j] += v
					}
				}
			}
			for a := k - 1; a >= 0; a-- { // next output position over the outer axes
				if idx[a]++; idx[a] < outDims[a] {
					break
				}
				idx[a] = 0
			}
		}
	})
}

// windowLayout describes a windowed op (ReduceWindow, SelectAndScatter) over an operand of
// dims xDims with outputs of dims outDims: the trailing axes the window passes through
// unchanged (window 1, stride 1, no padding, the same size: the channels of a pooling) join
// into contiguous runs of inner elements; the k leading axes are the window's. xStrides are
// the operand's flat strides of those k axes (in elements), and offsets the window positions
// over them in row-major order (simplego's order; each a k-vector).
func windowLayout(xDims, outDims, window, strides []int, paddings [][2]int) (k, inner int, xStrides []int, offsets [][]int) {
	rank := len(xDims)
	k = rank
	for k > 0 && window[k-1] == 1 && strides[k-1] == 1 && paddings[k-1] == [2]int{} && xDims[k-1] == outDims[k-1] {
		k--
	}
	inner = 1
	for a := k; a < rank; a++ {
		inner *= xDims[a]
	}
	xStrides = make([]int, k)
	s := inner
	for a := k - 1; a >= 0; a-- {
		xStrides[a] = s
		s *= xDims[a]
	}
	return k, inner, xStrides, windowOffsets(window[:k])
}

// windowOffsets enumerates the positions inside a window of dims window in row-major order.
func windowOffsets(window []int) [][]int {
	n := 1
	for _, d := range window {
		n *= d
	}
	offsets := make([][]int, n)
	for w := range n {
		off := make([]int, len(window))
		r := w
		for a := len(window) - 1; a >= 0; a-- {
			off[a] = r % window[a]
			r /= window[a]
		}
		offsets[w] = off
	}
	return offsets
}

// flatOffsets returns the window offsets as flat offsets into the operand.
func flatOffsets(offsets [][]int, xStrides []int) []int {
	woff := make([]int, len(offsets))
	for w, off := range offsets {
		for a, o := range off {
			woff[w] += o * xStrides[a]
		}
	}
	return woff
}

// reduceWindowInRange is reduceWindow's loop when no window reaches into the padding (the
// poolings of the models): the window offsets are flat offsets from each output's base and
// the outputs are walked with an odometer, with the same operations in the same order as the
// general loop (init, then each window position in row-major order). ok is false when some
// window reaches into the padding.
func reduceWindowInRange[T float32 | float64](in []T, inDims []int, out []T, outDims []int, p reduceWindowParams,
	k, inner int, inStrides []int, offsets [][]int, init T, isMax bool) bool {
	for a := range k {
		if p.paddings[a] != [2]int{} || p.strides[a] < 1 || (outDims[a]-1)*p.strides[a]+p.windowDimensions[a] > inDims[a] {
			return false
		}
	}
	woff := flatOffsets(offsets, inStrides)
	posStrides := make([]int, k)
	for a := range k {
		posStrides[a] = p.strides[a] * inStrides[a]
	}
	posDims := outDims[:k]
	if in32, ok := any(in).([]float32); ok && isMax && inner%8 == 0 && len(woff) > 0 {
		reduceWindowMax8(in32, any(out).([]float32), inner, woff, posDims, posStrides)
		return true
	}
	parallelRows(len(out)/inner, len(out)*len(woff), func(lo, hi int) {
		idx, base := positionOf(lo, posDims, posStrides)
		for o := lo; o < hi; o++ {
			dst := out[o*inner : (o+1)*inner]
			for j := range dst {
				dst[j] = init
			}
			for _, off := range woff {
				x := in[base+off : base+off+inner]
				x = x[:len(dst)]
				if isMax {
					for j, v := range x {
						dst[j] = max(dst[j], v)
					}
				} else {
					for j, v := range x {
						dst[j] += v
					}
				}
			}
			base = nextPosition(idx, posDims, posStrides, base)
		}
	})
	return true
}

// reduceWindowMax8 is reduceWindowInRange's max loop for float32 runs of a multiple of 8
// values (the channels of LRCN's and the ConvLSTM's poolings): each block of 8 outputs is
// kept in 8 variables (registers) over the whole window, starting at -Inf and taking the
// window positions in order with the same max, so the same values as the generic loop.
func reduceWindowMax8(in, out []float32, inner int, woff, posDims, posStrides []int) {
	ninf := float32(math.Inf(-1))
	last := woff[len(woff)-1]
	parallelRows(len(out)/inner, len(out)*len(woff), func(lo, hi int) {
		idx, base := positionOf(lo, posDims, posStrides)
		for o := lo; o < hi; o++ {
			dst := out[o*inner : (o+1)*inner]
			xb := in[base : base+last+inner]
			for j := 0; j < inner; j += 8 {
				a0, a1, a2, a3, a4, a5, a6, a7 := ninf, ninf, ninf, ninf, ninf, ninf, ninf, ninf
				for _, off := range woff {
					v := (*[8]float32)(xb[off+j : off+j+8])
					a0, a1, a2, a3 = max(a0, v[0]), max(a1, v[1]), max(a2, v[2]), max(a3, v[3])
					a4, a5, a6, a7 = max(a4, v[4]), max(a5, v[5]), max(a6, v[6]), max(a7, v[7])
				}
				d := (*[8]float32)(dst[j : j+8])
				d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7] = a0, a1, a2, a3, a4, a5, a6, a7
			}
			base = nextPosition(idx, posDims, posStrides, base)
		}
	})
}

type backendsReduceOpType = backends.ReduceOpType

const (
	reduceMax = int(backends.ReduceOpMax)
	reduceSum = int(backends.ReduceOpSum)
)

// Elementwise ops ---------------------------------------------------------------------------

// fastBinaryCalls counts the binary ops (Add, Sub, Mul, Div, Max, Min, Pow) run by purego's
// elementwise executor (elementwise.go), for tests.
var fastBinaryCalls atomic.Int64
