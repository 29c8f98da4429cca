package purego

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
)

// This file supplies the ops simplego v0.25.0 lacks. Each is a composition of ops simplego
// executes; the semantics are XLA's (https://openxla.org/xla/operation_semantics), which is
// what GoMLX's gradients assume.

func (b *Builder) shape(op backends.Op) (shapes.Shape, error) { return b.Builder.OpShape(op) }

// fill returns a tensor of the given dimensions filled with the scalar op v.
func (b *Builder) fill(v backends.Op, dims []int) (backends.Op, error) {
	vs, err := b.shape(v)
	if err != nil {
		return nil, err
	}
	return b.Builder.BroadcastInDim(v, shapes.Make(vs.DType, dims...), nil)
}

// prefixBroadcast returns x (shape dims) repeated n times along a new leading axis.
func (b *Builder) prefixBroadcast(x backends.Op, n int) (backends.Op, error) {
	xs, err := b.shape(x)
	if err != nil {
		return nil, err
	}
	axes := make([]int, xs.Rank())
	for i := range axes {
		axes[i] = i + 1
	}
	return b.Builder.BroadcastInDim(x, shapes.Make(xs.DType, append([]int{n}, xs.Dimensions...)...), axes)
}

func replaceAt(dims []int, axis, value int) []int {
	out := append([]int(nil), dims...)
	out[axis] = value
	return out
}

func iotaInts(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// slice is Builder.Slice with strides defaulting to 1 (simplego requires them).
func (b *Builder) slice(x backends.Op, starts, limits, strides []int) (backends.Op, error) {
	if strides == nil {
		strides = make([]int, len(starts))
		for i := range strides {
			strides[i] = 1
		}
	}
	return b.Builder.Slice(x, starts, limits, strides)
}

// sliceAxis slices x (shape dims) to [start, limit) on one axis.
func (b *Builder) sliceAxis(x backends.Op, dims []int, axis, start, limit int) (backends.Op, error) {
	starts := make([]int, len(dims))
	limits := append([]int(nil), dims...)
	starts[axis], limits[axis] = start, limit
	return b.slice(x, starts, limits, nil)
}

// padDims returns the padded dimensions when every edge and interior is non-negative.
func padDims(dims []int, axesConfig []backends.PadAxis) ([]int, bool) {
	out := append([]int(nil), dims...)
	for a, c := range axesConfig {
		if c.Start < 0 || c.End < 0 || c.Interior < 0 {
			return nil, false
		}
		if out[a] > 0 {
			out[a] += (out[a] - 1) * c.Interior
		}
		out[a] += c.Start + c.End
	}
	return out, true
}

// Pad implements backends.Builder: edge padding (negative values crop), then interior padding
// between elements, per axis, with fill (a scalar of x's dtype). As in XLA, interior padding is
// applied first and negative edges crop the interior-padded array.
func (b *Builder) Pad(x, fill backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	xs, err := b.shape(x)
	if err != nil {
		return nil, err
	}
	fs, err := b.shape(fill)
	if err != nil {
		return nil, err
	}
	if fs.Rank() != 0 || fs.DType != xs.DType {
		return nil, fmt.Errorf("purego Pad: fill value must be a scalar of dtype %s, got %s", xs.DType, fs)
	}
	if len(axesConfig) > xs.Rank() {
		return nil, fmt.Errorf("purego Pad: %d axes configured for an operand of rank %d (%s)", len(axesConfig), xs.Rank(), xs)
	}
	if outDims, ok := padDims(xs.Dimensions, axesConfig); ok {
		if n, ok := b.nativePad(x, fill, xs, outDims, axesConfig); ok {
			return n, nil // one native node (fastpool.go) instead of the composition below
		}
	}
	dims := append([]int(nil), xs.Dimensions...)
	for axis, cfg := range axesConfig {
		if cfg.Interior < 0 {
			return nil, fmt.Errorf("purego Pad: axis %d: negative interior padding %d", axis, cfg.Interior)
		}
		// Interior: [.., n, ..] -> [.., n, 1+interior, ..] -> [.., n*(1+interior), ..] -> crop the tail.
		if n := dims[axis]; cfg.Interior > 0 && n > 1 {
			expanded := make([]int, 0, len(dims)+1)
			expanded = append(expanded, dims[:axis+1]...)
			expanded = append(expanded, 1)
			expanded = append(expanded, dims[axis+1:]...)
			if x, err = b.Builder.Reshape(x, expanded...); err != nil {
				return nil, err
			}
			expanded[axis+1] = cfg.Interior
			block, err := b.fill(fill, expanded)
			if err != nil {
				return nil, err
			}
			if x, err = b.Builder.Concatenate(axis+1, x, block); err != nil {
				return nil, err
			}
			flat := replaceAt(dims, axis, n*(1+cfg.Interior))
			if x, err = b.Builder.Reshape(x, flat...); err != nil {
				return nil, err
			}
			newN := n + (n-1)*cfg.Interior
			if x, err = b.sliceAxis(x, flat, axis, 0, newN); err != nil {
				return nil, err
			}
			dims[axis] = newN
		}
		// Negative edges crop.
		start, limit := 0, dims[axis]
		if cfg.Start < 0 {
			start = -cfg.Start
		}
		if cfg.End < 0 {
			limit += cfg.End
		}
		if start > limit {
			return nil, fmt.Errorf("purego Pad: axis %d: negative padding (%d, %d) removes more than the %d elements",
				axis, cfg.Start, cfg.End, dims[axis])
		}
		empty := false
		if start == limit { // everything cropped: the result is made of edge padding only
			if cfg.Start <= 0 && cfg.End <= 0 {
				return nil, fmt.Errorf("purego Pad: axis %d: padding (%d, %d) leaves an empty axis, not supported", axis, cfg.Start, cfg.End)
			}
			empty = true
			dims[axis] = 0
		} else if start > 0 || limit < dims[axis] {
			if x, err = b.sliceAxis(x, dims, axis, start, limit); err != nil {
				return nil, err
			}
			dims[axis] = limit - start
		}
		// Positive edges concatenate blocks of fill.
		parts := make([]backends.Op, 0, 3)
		if cfg.Start > 0 {
			block, err := b.fill(fill, replaceAt(dims, axis, cfg.Start))
			if err != nil {
				return nil, err
			}
			parts = append(parts, block)
		}
		if !empty {
			parts = append(parts, x)
		}
		if cfg.End > 0 {
			block, err := b.fill(fill, replaceAt(dims, axis, cfg.End))
			if err != nil {
				return nil, err
			}
			parts = append(parts, block)
		}
		switch {
		case len(parts) == 1:
			x = parts[0]
		case len(parts) > 1:
			if x, err = b.Builder.Concatenate(axis, parts...); err != nil {
				return nil, err
			}
		}
		dims[axis] += max(cfg.Start, 0) + max(cfg.End, 0)
	}
	return x, nil
}

// Reverse implements backends.Builder: one Gather per reversed axis, with indices n-1..0.
func (b *Builder) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	xs, err := b.shape(x)
	if err != nil {
		return nil, err
	}
	rank := xs.Rank()
	for _, axis := range axes {
		if axis < 0 || axis >= rank {
			return nil, fmt.Errorf("purego Reverse: axis %d out of range for %s", axis, xs)
		}
		n := xs.Dimensions[axis]
		if n <= 1 {
			continue
		}
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(n - 1 - i)
		}
		indices, err := b.Builder.Constant(idx, n, 1)
		if err != nil {
			return nil, err
		}
		offsetAxes := make([]int, 0, rank-1)
		for a := range rank {
			if a != axis {
				offsetAxes = append(offsetAxes, a)
			}
		}
		x, err = b.Builder.Gather(x, indices, 1, offsetAxes, []int{axis}, []int{axis},
			replaceAt(xs.Dimensions, axis, 1), false)
		if err != nil {
			return nil, err
		}
	}
	return x, nil
}

// startVector converts the scalar start indices to one int32 vector [rank], each clamped to
// [0, dims[i]-sizes[i]] as XLA's DynamicSlice and DynamicUpdateSlice do.
func (b *Builder) startVector(op string, dims, sizes []int, starts []backends.Op) (backends.Op, error) {
	if len(starts) != len(dims) {
		return nil, fmt.Errorf("purego %s: %d start indices for an operand of rank %d", op, len(starts), len(dims))
	}
	parts := make([]backends.Op, len(dims))
	for i, s := range starts {
		ss, err := b.shape(s)
		if err != nil {
			return nil, err
		}
		if ss.Rank() != 0 || !ss.DType.IsInt() {
			return nil, fmt.Errorf("purego %s: start index #%d must be an integer scalar, got %s", op, i, ss)
		}
		if sizes[i] > dims[i] || sizes[i] < 0 {
			return nil, fmt.Errorf("purego %s: axis %d: size %d does not fit in dimension %d", op, i, sizes[i], dims[i])
		}
		if ss.DType != dtypes.Int32 {
			if s, err = b.Builder.ConvertDType(s, dtypes.Int32); err != nil {
				return nil, err
			}
		}
		lo, err := b.Builder.Constant([]int32{0})
		if err != nil {
			return nil, err
		}
		hi, err := b.Builder.Constant([]int32{int32(dims[i] - sizes[i])})
		if err != nil {
			return nil, err
		}
		if s, err = b.Builder.Max(s, lo); err != nil {
			return nil, err
		}
		if s, err = b.Builder.Min(s, hi); err != nil {
			return nil, err
		}
		if parts[i], err = b.Builder.Reshape(s, 1); err != nil {
			return nil, err
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return b.Builder.Concatenate(0, parts...)
}

// DynamicSlice implements backends.Builder with one Gather of a single slice.
func (b *Builder) DynamicSlice(operand backends.Op, startIndices []backends.Op, sliceDims []int) (backends.Op, error) {
	xs, err := b.shape(operand)
	if err != nil {
		return nil, err
	}
	if len(sliceDims) != xs.Rank() {
		return nil, fmt.Errorf("purego DynamicSlice: %d slice sizes for operand %s", len(sliceDims), xs)
	}
	if xs.Rank() == 0 {
		return b.Builder.Identity(operand)
	}
	start, err := b.startVector("DynamicSlice", xs.Dimensions, sliceDims, startIndices)
	if err != nil {
		return nil, err
	}
	all := iotaInts(xs.Rank())
	return b.Builder.Gather(operand, start, 0, all, nil, all, sliceDims, false)
}

// DynamicUpdateSlice implements backends.Builder: every operand position gathers the update
// element that would land on it, and Where keeps it inside the (Iota-built) update box.
// (simplego v0.25.0's ScatterSum misplaces multi-axis windows, so it is not used here.)
func (b *Builder) DynamicUpdateSlice(operand, update backends.Op, startIndices []backends.Op) (backends.Op, error) {
	xs, err := b.shape(operand)
	if err != nil {
		return nil, err
	}
	us, err := b.shape(update)
	if err != nil {
		return nil, err
	}
	if us.Rank() != xs.Rank() || us.DType != xs.DType {
		return nil, fmt.Errorf("purego DynamicUpdateSlice: update %s does not match operand %s", us, xs)
	}
	if xs.Rank() == 0 {
		return b.Builder.Identity(update)
	}
	start, err := b.startVector("DynamicUpdateSlice", xs.Dimensions, us.Dimensions, startIndices)
	if err != nil {
		return nil, err
	}
	// For every operand position i: mask[i] = AND_a start[a] <= i[a] < start[a]+update[a],
	// and idx[i, a] = clamp(i[a]-start[a], 0, update[a]-1) the update element to place there.
	var mask backends.Op
	posShape := shapes.Make(dtypes.Int32, xs.Dimensions...)
	idxDims := append(append([]int(nil), xs.Dimensions...), 1)
	idxParts := make([]backends.Op, xs.Rank())
	for a := range xs.Rank() {
		pos, err := b.Builder.Iota(posShape, a)
		if err != nil {
			return nil, err
		}
		sa, err := b.slice(start, []int{a}, []int{a + 1}, nil)
		if err != nil {
			return nil, err
		}
		if sa, err = b.Builder.Reshape(sa); err != nil {
			return nil, err
		}
		lo, err := b.fill(sa, xs.Dimensions)
		if err != nil {
			return nil, err
		}
		rel, err := b.Builder.Sub(pos, lo)
		if err != nil {
			return nil, err
		}
		zero, err := b.Builder.Constant([]int32{0})
		if err != nil {
			return nil, err
		}
		last, err := b.Builder.Constant([]int32{int32(us.Dimensions[a] - 1)})
		if err != nil {
			return nil, err
		}
		zeros, err := b.fill(zero, xs.Dimensions)
		if err != nil {
			return nil, err
		}
		lasts, err := b.fill(last, xs.Dimensions)
		if err != nil {
			return nil, err
		}
		ge, err := b.Builder.GreaterOrEqual(rel, zeros)
		if err != nil {
			return nil, err
		}
		le, err := b.Builder.LessOrEqual(rel, lasts)
		if err != nil {
			return nil, err
		}
		in, err := b.Builder.LogicalAnd(ge, le)
		if err != nil {
			return nil, err
		}
		if mask == nil {
			mask = in
		} else if mask, err = b.Builder.LogicalAnd(mask, in); err != nil {
			return nil, err
		}
		if rel, err = b.Builder.Max(rel, zeros); err != nil {
			return nil, err
		}
		if rel, err = b.Builder.Min(rel, lasts); err != nil {
			return nil, err
		}
		if idxParts[a], err = b.Builder.Reshape(rel, idxDims...); err != nil {
			return nil, err
		}
	}
	idx := idxParts[0]
	if len(idxParts) > 1 {
		if idx, err = b.Builder.Concatenate(xs.Rank(), idxParts...); err != nil {
			return nil, err
		}
	}
	all := iotaInts(xs.Rank())
	ones := make([]int, xs.Rank())
	for i := range ones {
		ones[i] = 1
	}
	placed, err := b.Builder.Gather(update, idx, xs.Rank(), nil, all, all, ones, false)
	if err != nil {
		return nil, err
	}
	return b.Builder.Where(mask, placed, operand)
}

// scalar returns a scalar constant of dtype with value v.
func (b *Builder) scalar(dtype dtypes.DType, v float64) (backends.Op, error) {
	c, err := b.Builder.Constant([]float64{v})
	if err != nil {
		return nil, err
	}
	if dtype == dtypes.Float64 {
		return c, nil
	}
	return b.Builder.ConvertDType(c, dtype)
}

type selectKind int

const (
	selectMax selectKind = iota
	selectMin
	selectAll // SelectAndScatterSum: every element of the window receives the source value.
)

// SelectAndScatterMax implements backends.Builder: the gradient of a max-pool. Each source
// value is added to the position of the first maximum (row-major order in the window, as XLA's
// GE select) of its window of the operand (padded with -Inf).
func (b *Builder) SelectAndScatterMax(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter("SelectAndScatterMax", selectMax, operand, source, windowDimensions, windowStrides, paddings)
}

// SelectAndScatterMin implements backends.Builder: as SelectAndScatterMax with the first minimum
// (padding is +Inf).
func (b *Builder) SelectAndScatterMin(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter("SelectAndScatterMin", selectMin, operand, source, windowDimensions, windowStrides, paddings)
}

// SelectAndScatterSum adds each source value to every operand position of its window: the
// gradient of a sum-pool. backends.Builder v0.25.0 has no such method (GoMLX builds that
// gradient from Pad and ReduceWindow); it is offered for completeness.
func (b *Builder) SelectAndScatterSum(operand, source backends.Op, windowDimensions, windowStrides []int, paddings [][2]int) (backends.Op, error) {
	return b.selectAndScatter("SelectAndScatterSum", selectAll, operand, source, windowDimensions, windowStrides, paddings)
}

func (b *Builder) selectAndScatter(op string, kind selectKind, operand, source backends.Op,
	window, strides []int, paddings [][2]int) (backends.Op, error) {
	xs, err := b.shape(operand)
	if err != nil {
		return nil, err
	}
	ss, err := b.shape(source)
	if err != nil {
		return nil, err
	}
	rank := xs.Rank()
	if !xs.DType.IsFloat() || ss.DType != xs.DType {
		return nil, fmt.Errorf("purego %s: operand %s and source %s must share a float dtype", op, xs, ss)
	}
	if len(window) != rank || ss.Rank() != rank {
		return nil, fmt.Errorf("purego %s: window %v, operand %s and source %s must have the same rank", op, window, xs, ss)
	}
	if strides == nil {
		strides = window
	}
	if paddings == nil {
		paddings = make([][2]int, rank)
	}
	if len(strides) != rank || len(paddings) != rank {
		return nil, fmt.Errorf("purego %s: strides %v and paddings %v must have %d values", op, strides, paddings, rank)
	}

	// Pad the operand so that padded positions are never selected.
	padValue := math.Inf(-1)
	if kind == selectMin {
		padValue = math.Inf(1)
	}
	padConf := make([]backends.PadAxis, rank)
	padded := make([]int, rank)
	out := make([]int, rank)
	numWindow := 1
	for a := range rank {
		if window[a] < 1 || strides[a] < 1 || paddings[a][0] < 0 || paddings[a][1] < 0 {
			return nil, fmt.Errorf("purego %s: axis %d: invalid window %d, stride %d or padding %v", op, a, window[a], strides[a], paddings[a])
		}
		padConf[a] = backends.PadAxis{Start: paddings[a][0], End: paddings[a][1]}
		padded[a] = xs.Dimensions[a] + paddings[a][0] + paddings[a][1]
		if padded[a] < window[a] {
			return nil, fmt.Errorf("purego %s: axis %d: window %d larger than padded dimension %d", op, a, window[a], padded[a])
		}
		out[a] = (padded[a]-window[a])/strides[a] + 1
		if ss.Dimensions[a] != out[a] {
			return nil, fmt.Errorf("purego %s: source %s, want dimension %d on axis %d for operand %s, window %v, strides %v, paddings %v",
				op, ss, out[a], a, xs, window, strides, paddings)
		}
		numWindow *= window[a]
	}
	if n, ok := b.nativeSelectAndScatter(kind, operand, source, xs, window, strides, paddings); ok {
		return n, nil // one native node (fastpool.go) instead of the composition below
	}
	fillPad, err := b.scalar(xs.DType, padValue)
	if err != nil {
		return nil, err
	}
	xp, err := b.Pad(operand, fillPad, padConf...)
	if err != nil {
		return nil, err
	}

	offsets := windowOffsets(window) // the positions inside a window, row-major
	limitsFor := func(off []int) []int {
		lim := make([]int, rank)
		for a := range rank {
			lim[a] = off[a] + strides[a]*(out[a]-1) + 1
		}
		return lim
	}

	// contrib[k] = source where window position k is selected, else 0: shape [numWindow, out...].
	withK := append([]int{numWindow}, out...)
	srcK, err := b.prefixBroadcast(source, numWindow)
	if err != nil {
		return nil, err
	}
	contrib := srcK
	if kind != selectAll {
		cands := make([]backends.Op, numWindow)
		for k, off := range offsets {
			c, err := b.slice(xp, off, limitsFor(off), strides)
			if err != nil {
				return nil, err
			}
			if cands[k], err = b.Builder.Reshape(c, append([]int{1}, out...)...); err != nil {
				return nil, err
			}
		}
		all := cands[0]
		if numWindow > 1 {
			if all, err = b.Builder.Concatenate(0, cands...); err != nil {
				return nil, err
			}
		}
		sel, err := b.firstExtremum(all, withK, kind == selectMin)
		if err != nil {
			return nil, err
		}
		zero, err := b.scalar(xs.DType, 0)
		if err != nil {
			return nil, err
		}
		zeros, err := b.fill(zero, withK)
		if err != nil {
			return nil, err
		}
		if contrib, err = b.Builder.Where(sel, srcK, zeros); err != nil {
			return nil, err
		}
	}

	// Scatter back: window position k of output element i sits at off_k + strides*i in the
	// padded operand, which is exactly interior padding (stride-1) after off_k leading pads.
	zero, err := b.scalar(xs.DType, 0)
	if err != nil {
		return nil, err
	}
	var sum backends.Op
	for k, off := range offsets {
		kStart := make([]int, rank+1)
		kStart[0] = k
		kLimit := append([]int{k + 1}, out...)
		c, err := b.slice(contrib, kStart, kLimit, nil)
		if err != nil {
			return nil, err
		}
		if c, err = b.Builder.Reshape(c, out...); err != nil {
			return nil, err
		}
		conf := make([]backends.PadAxis, rank)
		lim := limitsFor(off)
		for a := range rank {
			conf[a] = backends.PadAxis{Start: off[a], End: padded[a] - lim[a], Interior: strides[a] - 1}
		}
		if c, err = b.Pad(c, zero, conf...); err != nil {
			return nil, err
		}
		if sum == nil {
			sum = c
		} else if sum, err = b.Builder.Add(sum, c); err != nil {
			return nil, err
		}
	}
	starts := make([]int, rank)
	limits := make([]int, rank)
	for a := range rank {
		starts[a] = paddings[a][0]
		limits[a] = paddings[a][0] + xs.Dimensions[a]
	}
	return b.slice(sum, starts, limits, nil)
}

// firstExtremum returns a boolean mask [K, out...] true at the first (lowest k) maximum (or
// minimum) along axis 0 of cands.
func (b *Builder) firstExtremum(cands backends.Op, dims []int, isMin bool) (backends.Op, error) {
	arg, err := b.Builder.ArgMinMax(cands, 0, dtypes.Int32, isMin)
	if err != nil {
		return nil, err
	}
	argK, err := b.prefixBroadcast(arg, dims[0])
	if err != nil {
		return nil, err
	}
	k, err := b.Builder.Iota(shapes.Make(dtypes.Int32, dims...), 0)
	if err != nil {
		return nil, err
	}
	return b.Builder.Equal(k, argK)
}
