package purego

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gopjrt/dtypes"
)

// ConvGeneral implements backends.Builder. An ungrouped convolution is lowered to one matrix
// product (im2col): the input is moved to [batch, spatial..., channels], dilated and padded
// with Pad, and each of the kernel's positions contributes one strided Slice of it; the
// slices, concatenated on the channel axis, form the patch matrix
//
//	patches[b, o..., (j, c)] = padded[b, o·s + j·d, c]          (j: kernel position, d: kernel dilation)
//	out[b, o..., f]          = Σ_(j,c) patches[b, o..., (j, c)] · kernel[j, c, f]
//
// which runs on purego's matrix kernel, instead of simplego's direct convolution loops
// (two to three times slower on the project's convolutional models). Grouped convolutions, and
// configurations whose output would be empty, go to simplego's ConvGeneral (as does every
// convolution of a backend configured "purego:conv_direct", and every convolution when the
// fast paths are off, see [FastPathsError]); every call
// replaces nil strides and dilations with ones, because GoMLX's kernel gradient passes the
// forward kernel dilations (nil when unused) as strides, which simplego v0.25.0 reads as
// stride 0 and rejects.
func (b *Builder) ConvGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int,
	channelGroupCount, batchGroupCount int) (backends.Op, error) {
	d := len(axes.InputSpatial)
	ones := func(v []int) []int {
		if v != nil {
			return v
		}
		o := make([]int, d)
		for i := range o {
			o[i] = 1
		}
		return o
	}
	strides, inputDilations, kernelDilations = ones(strides), ones(inputDilations), ones(kernelDilations)
	if paddings == nil {
		paddings = make([][2]int, d)
	}
	if !b.convDirect && fastPathsOn() && max(channelGroupCount, 1) == 1 && max(batchGroupCount, 1) == 1 {
		out, ok, err := b.convIm2col(input, kernel, axes, strides, paddings, inputDilations, kernelDilations)
		if ok || err != nil {
			return out, err
		}
	}
	return b.Builder.ConvGeneral(input, kernel, axes, strides, paddings, inputDilations, kernelDilations,
		channelGroupCount, batchGroupCount)
}

// convIm2col is the lowering described at [Builder.ConvGeneral]; ok is false when the
// configuration is left to simplego.
func (b *Builder) convIm2col(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int) (out backends.Op, ok bool, err error) {
	xs, err := b.shape(input)
	if err != nil {
		return nil, false, err
	}
	ks, err := b.shape(kernel)
	if err != nil {
		return nil, false, err
	}
	d := len(axes.InputSpatial)
	if len(strides) != d || len(paddings) != d || len(inputDilations) != d || len(kernelDilations) != d ||
		len(axes.KernelSpatial) != d || len(axes.OutputSpatial) != d {
		return nil, false, nil // let simplego report the inconsistency
	}

	batch, channels := xs.Dimensions[axes.InputBatch], xs.Dimensions[axes.InputChannels]
	if ks.Dimensions[axes.KernelInputChannels] != channels {
		return nil, false, nil // let simplego report the mismatch
	}

	padded := make([]int, d)
	kernelSize := make([]int, d)
	outSize := make([]int, d)
	pad := make([]backends.PadAxis, d+2)
	needPad := false
	for i := range d {
		n := xs.Dimensions[axes.InputSpatial[i]]
		dilated := (n-1)*inputDilations[i] + 1
		padded[i] = dilated + paddings[i][0] + paddings[i][1]
		kernelSize[i] = ks.Dimensions[axes.KernelSpatial[i]]
		effective := (kernelSize[i]-1)*kernelDilations[i] + 1
		if strides[i] < 1 || inputDilations[i] < 1 || kernelDilations[i] < 1 || padded[i] < effective {
			return nil, false, nil
		}
		outSize[i] = (padded[i]-effective)/strides[i] + 1
		pad[i+1] = backends.PadAxis{Start: paddings[i][0], End: paddings[i][1], Interior: inputDilations[i] - 1}
		needPad = needPad || pad[i+1] != (backends.PadAxis{})
	}
	outPositions, kernelPositions := 1, 1
	for i := range d {
		outPositions *= outSize[i]
		kernelPositions *= kernelSize[i]
	}
	if kernelPositions > outPositions {
		// A kernel larger than the output: GoMLX's kernel gradient, whose kernel is the
		// output gradient. Its im2col runs over the output positions instead.
		if y, ok, err := b.convKernelGradient(input, kernel, xs, ks, axes, pad, needPad, padded, outSize, kernelSize,
			strides, kernelDilations); ok || err != nil {
			return y, ok, err
		}
	}

	// Input as [batch, spatial..., channels], dilated and padded on the spatial axes.
	perm := append(append([]int{axes.InputBatch}, axes.InputSpatial...), axes.InputChannels)
	x, err := b.paddedInput(input, perm, pad, needPad, xs.DType)
	if err != nil {
		return nil, false, err
	}

	filters := ks.Dimensions[axes.KernelOutputChannels]
	if filters < channels {
		// Fewer output than input channels (the input gradient of a convolution that widens
		// its channels): the matrix product first, then one native col2im node.
		if y, ok, err := b.convMatmulFirst(x, kernel, ks, axes, outSize, strides, kernelDilations, channels, filters); ok || err != nil {
			if err != nil {
				return nil, false, err
			}
			y, err = b.transposeIfNeeded(y, outputPerm(axes, d))
			return y, true, err
		}
	}

	// The patch matrix: one native im2col node, or one strided slice per kernel position
	// (row-major over the kernel's spatial axes) concatenated.
	numPositions := 1
	for i := range d {
		numPositions *= kernelSize[i]
	}
	if cols, ok := b.nativeIm2col(x, xs.DType, batch, padded, channels, outSize, kernelSize, strides, kernelDilations); ok {
		return b.patchesTimesKernel(cols, kernel, ks, axes, numPositions, channels, d)
	}
	var patches []backends.Op
	pos := make([]int, d)
	for {
		starts := make([]int, d+2)
		limits := append(append([]int{batch}, padded...), channels)
		steps := append(append([]int{1}, strides...), 1)
		for i := range d {
			starts[i+1] = pos[i] * kernelDilations[i]
			limits[i+1] = starts[i+1] + (outSize[i]-1)*strides[i] + 1
		}
		p, err := b.slice(x, starts, limits, steps)
		if err != nil {
			return nil, false, err
		}
		patches = append(patches, p)
		i := d - 1
		for ; i >= 0; i-- {
			if pos[i]++; pos[i] < kernelSize[i] {
				break
			}
			pos[i] = 0
		}
		if i < 0 {
			break
		}
	}
	cols := patches[0]
	if len(patches) > 1 {
		if cols, err = b.Builder.Concatenate(d+1, patches...); err != nil {
			return nil, false, err
		}
	}

	return b.patchesTimesKernel(cols, kernel, ks, axes, len(patches), channels, d)
}

// patchesTimesKernel multiplies the patch matrix cols [batch, out..., (positions, in)] by the
// kernel and returns the product in the requested output layout.
func (b *Builder) patchesTimesKernel(cols, kernel backends.Op, ks shapes.Shape, axes backends.ConvolveAxesConfig,
	positions, channels, d int) (backends.Op, bool, error) {
	filters := ks.Dimensions[axes.KernelOutputChannels]
	// Kernel as [(spatial..., in), out].
	kperm := append(append([]int{}, axes.KernelSpatial...), axes.KernelInputChannels, axes.KernelOutputChannels)
	k, err := b.transposeIfNeeded(kernel, kperm)
	if err != nil {
		return nil, false, err
	}
	if k, err = b.Builder.Reshape(k, positions*channels, filters); err != nil {
		return nil, false, err
	}
	y, err := b.Builder.DotGeneral(cols, []int{d + 1}, nil, k, []int{0}, nil) // [batch, out..., filters]
	if err != nil {
		return nil, false, err
	}

	// Back to the requested output layout.
	y, err = b.transposeIfNeeded(y, outputPerm(axes, d))
	return y, true, err
}

// outputPerm is the permutation from [batch, spatial..., channels] to the output layout.
func outputPerm(axes backends.ConvolveAxesConfig, d int) []int {
	operm := make([]int, d+2)
	operm[axes.OutputBatch] = 0
	operm[axes.OutputChannels] = d + 1
	for i, a := range axes.OutputSpatial {
		operm[a] = i + 1
	}
	return operm
}

// transposeIfNeeded is Transpose, skipped for the identity permutation.
func (b *Builder) transposeIfNeeded(x backends.Op, perm []int) (backends.Op, error) {
	for i, p := range perm {
		if p != i {
			return b.Builder.Transpose(x, perm...)
		}
	}
	return x, nil
}

// Matrix product first, then col2im -----------------------------------------------------------

// convMatmulFirst lowers the convolution of x ([batch, padded spatial..., channels], already
// dilated and padded) as y = x · kernel[c, (j, f)], one matrix product over the channels for
// all K kernel positions j at once, followed by one native col2im node:
//
//	y[b, p..., (j, f)] = Σ_c x[b, p..., c] · kernel[j, c, f]
//	out[b, o..., f]    = Σ_j y[b, o·s + j·d, (j, f)]          (j in row-major order)
//
// The same sum as the im2col lowering, grouped differently (float rounding differs). im2col
// moves K·channels values per output position, this K·filters per input position, so it is
// chosen when filters < channels: the input gradient of the models' convolutions (GoMLX's
// transposed convolution, see [ConvGeneralVJP]), which as im2col moved 4 to 8 times more.
// ok is false when the native node cannot be built (fast paths off, dtype, not simplego ops).
func (b *Builder) convMatmulFirst(x, kernel backends.Op, ks shapes.Shape, axes backends.ConvolveAxesConfig,
	outSize, strides, kernelDilations []int, channels, filters int) (backends.Op, bool, error) {
	xs, err := b.shape(x)
	if err != nil {
		return nil, false, err
	}
	sb, ok := b.Builder.(*simplego.Builder)
	if !ok || !fastPathsOn() || (xs.DType != dtypes.Float32 && xs.DType != dtypes.Float64) {
		return nil, false, nil
	}
	d := len(outSize)
	kernelSize := make([]int, d)
	positions := 1
	for i := range d {
		kernelSize[i] = ks.Dimensions[axes.KernelSpatial[i]]
		positions *= kernelSize[i]
	}
	// Kernel as [in, (spatial..., out)].
	kperm := append(append([]int{axes.KernelInputChannels}, axes.KernelSpatial...), axes.KernelOutputChannels)
	k, err := b.transposeIfNeeded(kernel, kperm)
	if err != nil {
		return nil, false, err
	}
	if k, err = b.Builder.Reshape(k, channels, positions*filters); err != nil {
		return nil, false, err
	}
	y, err := b.Builder.DotGeneral(x, []int{d + 1}, nil, k, []int{0}, nil) // [batch, padded..., K*filters]
	if err != nil {
		return nil, false, err
	}
	yn, ok := y.(*simplego.Node)
	if !ok {
		return nil, false, nil
	}
	outDims := append(append([]int{xs.Dimensions[0]}, outSize...), filters)
	node := simplegoNewNode(sb, opCol2Im, shapes.Make(xs.DType, outDims...), yn)
	*(*any)(unsafe.Add(unsafe.Pointer(node), nodeDataOffset)) = &col2imParams{
		kernelSize: kernelSize, strides: append([]int(nil), strides...),
		dilations: append([]int(nil), kernelDilations...), filters: filters}
	return node, true, nil
}

// opCol2Im is the executor slot of purego's col2im nodes: OpTypeSelectAndScatterSum, which
// simplego v0.25.0 leaves empty and purego builds no native node of (its SelectAndScatterSum
// is a composition of simplego ops). col2im is such a scatter-sum: each value of y is added to
// the one output position its window covers.
const opCol2Im = backends.OpTypeSelectAndScatterSum

// col2imParams is the data of purego's col2im nodes.
type col2imParams struct {
	kernelSize, strides, dilations []int
	filters                        int
}

// fastCol2ImCalls counts col2im nodes run (for tests).
var fastCol2ImCalls atomic.Int64

// execCol2Im runs purego's col2im nodes (they exist only when purego built them).
func execCol2Im(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, _ []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	p, ok := data.(*col2imParams)
	if !ok {
		return nil, fmt.Errorf("purego col2im: node data is %T, want purego's parameters", data)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego col2im: backend already finalized")
	}
	y := bufferOf(inputs[0])
	fastCol2ImCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		col2im(y.flat.([]float32), y.shape.Dimensions, flat, outShape.Dimensions, p)
	case []float64:
		col2im(y.flat.([]float64), y.shape.Dimensions, flat, outShape.Dimensions, p)
	default:
		return nil, fmt.Errorf("purego col2im: dtype %s not supported", outShape.DType)
	}
	return out, nil
}

// col2im writes out[b, o..., f] = Σ_j y[b, o·s + j·d, (j, f)], the kernel positions j in
// row-major order, starting from j = 0's value. Output positions are split across cores;
// each output value is summed by one goroutine in that fixed order, so the result does not
// depend on the worker count.
func col2im[T float32 | float64](y []T, yDims []int, out []T, outDims []int, p *col2imParams) {
	d := len(p.kernelSize)
	f := p.filters
	if len(out) == 0 {
		return
	}
	yStrides := make([]int, d+1) // flat stride of y's batch and spatial axes
	s := yDims[d+1]
	for a := d; a >= 0; a-- {
		yStrides[a] = s
		s *= yDims[a]
	}
	// Offsets of the kernel positions in y, row-major.
	var offsets []int
	pos := make([]int, d)
	for j := 0; ; j++ {
		off := j * f
		for a := range d {
			off += pos[a] * p.dilations[a] * yStrides[a+1]
		}
		offsets = append(offsets, off)
		a := d - 1
		for ; a >= 0; a-- {
			if pos[a]++; pos[a] < p.kernelSize[a] {
				break
			}
			pos[a] = 0
		}
		if a < 0 {
			break
		}
	}
	// Output positions [batch, out spatial...] and their base offsets in y.
	posDims := outDims[:d+1]
	posStrides := make([]int, d+1)
	posStrides[0] = yStrides[0]
	for a := range d {
		posStrides[a+1] = p.strides[a] * yStrides[a+1]
	}
	parallelRows(len(out)/f, len(out)*len(offsets), func(lo, hi int) {
		idx, base := positionOf(lo, posDims, posStrides)
		for o := lo; o < hi; o++ {
			dst := out[o*f : (o+1)*f]
			copy(dst, y[base+offsets[0]:base+offsets[0]+f])
			for _, off := range offsets[1:] {
				for i, v := range y[base+off : base+off+f] {
					dst[i] += v
				}
			}
			base = nextPosition(idx, posDims, posStrides, base)
		}
	})
}

// Native im2col ---------------------------------------------------------------------------------

// kernelGradientLowerings counts convolutions lowered by convKernelGradient (for tests).
var kernelGradientLowerings atomic.Int64

// opIm2Col is the executor slot of purego's im2col nodes: OpTypeFFT, which simplego v0.25.0
// leaves empty and purego does not offer (its capabilities exclude it), so no other node has
// this type.
const opIm2Col = backends.OpTypeFFT

// im2colParams is the data of purego's im2col nodes.
type im2colParams struct {
	kernelSize, strides, dilations []int
}

// fastIm2ColCalls counts im2col nodes run (for tests).
var fastIm2ColCalls atomic.Int64

// nativeIm2col returns one native node computing the patch matrix
//
//	cols[b, o..., (j, c)] = x[b, o·s + j·d, c]          (x: [batch, padded..., channels])
//
// of the ungrouped convolution lowering, in place of K strided Slices and a Concatenate (each
// patch row is written once, the channels of consecutive kernel positions copied as one run),
// or ok=false (fast paths off, dtype, not simplego's ops).
func (b *Builder) nativeIm2col(x backends.Op, dtype dtypes.DType, batch int, padded []int, channels int,
	outSize, kernelSize, strides, dilations []int) (backends.Op, bool) {
	sb, ok1 := b.Builder.(*simplego.Builder)
	xn, ok2 := x.(*simplego.Node)
	if !ok1 || !ok2 || !fastPathsOn() || (dtype != dtypes.Float32 && dtype != dtypes.Float64) {
		return nil, false
	}
	key := sharedKey{kind: "im2col", op: x, params: fmt.Sprint(batch, padded, channels, outSize, kernelSize, strides, dilations)}
	if channels > sharedMaxChannels {
		key = sharedKey{} // not shared
	} else if cols, ok := b.shared[key]; ok {
		sharedIm2colHits.Add(1)
		return cols, true
	}
	positions := 1
	for _, k := range kernelSize {
		positions *= k
	}
	outDims := append(append([]int{batch}, outSize...), positions*channels)
	node := simplegoNewNode(sb, opIm2Col, shapes.Make(dtype, outDims...), xn)
	*(*any)(unsafe.Add(unsafe.Pointer(node), nodeDataOffset)) = &im2colParams{
		kernelSize: append([]int(nil), kernelSize...), strides: append([]int(nil), strides...),
		dilations: append([]int(nil), dilations...)}
	if key != (sharedKey{}) {
		b.share(key, node)
	}
	return node, true
}

// Shared nodes ---------------------------------------------------------------------------------

// sharedKey names a node that convIm2col may build more than once in one graph: the padded
// input ("pad": operand, permutation and padding) and the patch matrix ("im2col": padded
// operand and the im2col parameters). A convolution's kernel gradient (convKernelGradient)
// pads the forward input the same way and builds the same patch matrix as the forward
// product (its output positions are the forward kernel positions and vice versa, strides and
// dilations exchanged back), so the training step computes both once: for LRCN's first layer
// a 35 MB patch matrix and its padded input. The nodes are pure functions of their inputs, so
// sharing them changes no value.
type sharedKey struct {
	kind   string
	op     backends.Op
	params string
}

// sharedMaxChannels is the most input channels for which the padded input and the patch
// matrix are shared. Sharing keeps them alive from the forward product to the backward pass;
// it pays for few-channel inputs (the video frames: 3 channels), whose patch matrix is 9
// times the input and is copied in runs of 3 values per kernel position, the slowest im2col
// per value. Measured on the ConvLSTM (B=4, 20x64x64x3): sharing every convolution's raised
// its peak RSS from 199 to 295 MiB for no CPU gain; LRCN gained the same from the first
// layer alone.
var sharedMaxChannels = 3 // a variable for the tests only

// sharedIm2colHits and sharedPadHits count reused nodes (for tests).
var sharedIm2colHits, sharedPadHits atomic.Int64

func (b *Builder) share(key sharedKey, op backends.Op) {
	if b.shared == nil {
		b.shared = map[sharedKey]backends.Op{}
	}
	b.shared[key] = op
}

// paddedInput returns input transposed by perm and, when needPad, padded with zeros by pad,
// built once per graph for the same operand and configuration.
func (b *Builder) paddedInput(input backends.Op, perm []int, pad []backends.PadAxis, needPad bool, dtype dtypes.DType) (backends.Op, error) {
	key := sharedKey{kind: "pad", op: input, params: fmt.Sprint(perm, pad, needPad)}
	is, err := b.shape(input)
	if err != nil {
		return nil, err
	}
	if len(perm) == 0 || is.Dimensions[perm[len(perm)-1]] > sharedMaxChannels {
		key = sharedKey{} // not shared
	} else if x, ok := b.shared[key]; ok {
		sharedPadHits.Add(1)
		return x, nil
	}
	x, err := b.transposeIfNeeded(input, perm)
	if err != nil {
		return nil, err
	}
	if needPad {
		zero, err := b.scalar(dtype, 0)
		if err != nil {
			return nil, err
		}
		if x, err = b.Pad(x, zero, pad...); err != nil {
			return nil, err
		}
	}
	if key != (sharedKey{}) {
		b.share(key, x)
	}
	return x, nil
}

// execIm2Col runs purego's im2col nodes (they exist only when purego built them).
func execIm2Col(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, _ []bool) (*simplego.Buffer, error) {
	outShape, data := nodeOf(node)
	p, ok := data.(*im2colParams)
	if !ok {
		return nil, fmt.Errorf("purego im2col: node data is %T, want purego's parameters", data)
	}
	out := simplegoGetBuffer(backend, outShape)
	if out == nil {
		return nil, fmt.Errorf("purego im2col: backend already finalized")
	}
	x := bufferOf(inputs[0])
	fastIm2ColCalls.Add(1)
	switch flat := bufferOf(out).flat.(type) {
	case []float32:
		im2col(x.flat.([]float32), x.shape.Dimensions, flat, outShape.Dimensions, p)
	case []float64:
		im2col(x.flat.([]float64), x.shape.Dimensions, flat, outShape.Dimensions, p)
	default:
		return nil, fmt.Errorf("purego im2col: dtype %s not supported", outShape.DType)
	}
	return out, nil
}

// im2col fills out [batch, out..., (j, c)] from x [batch, padded..., c]; it only copies.
func im2col[T float32 | float64](x []T, xDims []int, out []T, outDims []int, p *im2colParams) {
	d := len(p.kernelSize)
	c := xDims[d+1]
	row := outDims[d+1] // positions * c
	if len(out) == 0 || c == 0 {
		return
	}
	xStrides := make([]int, d+1) // flat stride of x's batch and spatial axes
	s := c
	for a := d; a >= 0; a-- {
		xStrides[a] = s
		s *= xDims[a]
	}
	// Runs of the patch row: consecutive kernel positions whose channels are contiguous in x.
	type run struct{ src, dst, n int }
	var runs []run
	pos := make([]int, d)
	for j := 0; ; j++ {
		off := 0
		for a := range d {
			off += pos[a] * p.dilations[a] * xStrides[a+1]
		}
		if n := len(runs); n > 0 && runs[n-1].src+runs[n-1].n == off {
			runs[n-1].n += c
		} else {
			runs = append(runs, run{off, j * c, c})
		}
		a := d - 1
		for ; a >= 0; a-- {
			if pos[a]++; pos[a] < p.kernelSize[a] {
				break
			}
			pos[a] = 0
		}
		if a < 0 {
			break
		}
	}
	posDims := outDims[:d+1]
	posStrides := make([]int, d+1)
	posStrides[0] = xStrides[0]
	for a := range d {
		posStrides[a+1] = p.strides[a] * xStrides[a+1]
	}
	if x32, ok := any(x).([]float32); ok && len(runs) == 3 && runs[0].n == 9 && runs[1].n == 9 && runs[2].n == 9 {
		im2colRuns3x9(x32, any(out).([]float32), runs[0].src, runs[1].src, runs[2].src, row, posDims, posStrides)
		return
	}
	parallelRows(len(out)/row, len(out), func(lo, hi int) {
		idx, base := positionOf(lo, posDims, posStrides)
		for o := lo; o < hi; o++ {
			dst := out[o*row : (o+1)*row]
			for _, r := range runs {
				src := x[base+r.src : base+r.src+r.n]
				copySmall(dst[r.dst:r.dst+r.n], src)
			}
			base = nextPosition(idx, posDims, posStrides, base)
		}
	})
}

// im2colRuns3x9 is im2col's loop for float32 patch rows of three runs of 9 values (a 3x3
// kernel over 3 channels: the video frames), at row offsets 0, 9 and 18 from x offsets s0,
// s1 and s2 past each position's base: fixed-size array moves (a few vector moves each,
// where generic code calls memmove), the same values in the same places.
func im2colRuns3x9(x, out []float32, s0, s1, s2, row int, posDims, posStrides []int) {
	parallelRows(len(out)/row, len(out), func(lo, hi int) {
		idx, base := positionOf(lo, posDims, posStrides)
		for o := lo; o < hi; o++ {
			dst := out[o*row : (o+1)*row]
			*(*[9]float32)(dst[0:9]) = *(*[9]float32)(x[base+s0 : base+s0+9])
			*(*[9]float32)(dst[9:18]) = *(*[9]float32)(x[base+s1 : base+s1+9])
			*(*[9]float32)(dst[18:27]) = *(*[9]float32)(x[base+s2 : base+s2+9])
			base = nextPosition(idx, posDims, posStrides, base)
		}
	})
}

// copySmall is copy(dst, src) for len(dst) == len(src): unrolled element moves for the run
// lengths of few-channel im2cols (3 kernel positions of 1 to 4 channels; a fixed-size array
// assignment compiles to a memmove call in generic code), a loop for other short runs,
// memmove for long ones.
func copySmall[T float32 | float64](dst, src []T) {
	switch len(src) {
	case 3:
		d, s := dst[:3], src[:3]
		d[0], d[1], d[2] = s[0], s[1], s[2]
	case 6:
		d, s := dst[:6], src[:6]
		d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
	case 9:
		d, s := dst[:9], src[:9]
		d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8] = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]
	case 12:
		d, s := dst[:12], src[:12]
		d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
		d[6], d[7], d[8], d[9], d[10], d[11] = s[6], s[7], s[8], s[9], s[10], s[11]
	default:
		if len(src) > 16 {
			copy(dst, src)
			return
		}
		for i, v := range src {
			dst[i] = v
		}
	}
}

// convKernelGradient lowers a convolution whose kernel has more spatial positions than its
// output (GoMLX's kernel gradient: input x with batch and channels swapped, kernel the
// output gradient v, output shaped like the forward kernel; see [ConvGeneralVJP]) with the
// roles of the two position sets swapped:
//
//	out[b, p, f] = Σ_(q, c) in[b, p·s + q·d, c] · kernel[q, c, f]
//	cols[c, q, (p, b)] = in[b, p·s + q·d, c]                     (native im2col over p)
//	out[(p, b), f] = Σ_(c, q) cols[c, q, (p, b)] · kernel[c, q, f]  (one matrix product)
//
// For the kernel gradient, in is x as laid out in the forward pass ([batch, spatial...,
// channels], c its batch, b its channels) and kernel is v as laid out ([batch, out...,
// filters]): no transpose, one im2col of x over the forward kernel's few positions, one
// product contracting batch and positions.
func (b *Builder) convKernelGradient(input, kernel backends.Op, xs, ks shapes.Shape, axes backends.ConvolveAxesConfig,
	pad []backends.PadAxis, needPad bool, padded, outSize, kernelSize, strides, kernelDilations []int) (backends.Op, bool, error) {
	d := len(outSize)
	perm := append(append([]int{axes.InputChannels}, axes.InputSpatial...), axes.InputBatch)
	x, err := b.paddedInput(input, perm, pad, needPad, xs.DType) // [c, spatial..., b]
	if err != nil {
		return nil, false, err
	}
	cs, bs := xs.Dimensions[axes.InputChannels], xs.Dimensions[axes.InputBatch]
	kernelGradientLowerings.Add(1)
	// im2col over the output positions p (step: the strides), at the kernel positions q
	// (step: the kernel dilations).
	cols, ok := b.nativeIm2col(x, xs.DType, cs, padded, bs, kernelSize, outSize, kernelDilations, strides)
	if !ok {
		return nil, false, nil
	}
	kperm := append(append([]int{axes.KernelInputChannels}, axes.KernelSpatial...), axes.KernelOutputChannels)
	k, err := b.transposeIfNeeded(kernel, kperm) // [c, q..., f]
	if err != nil {
		return nil, false, err
	}
	contract := make([]int, d+1)
	for i := range contract {
		contract[i] = i
	}
	y, err := b.Builder.DotGeneral(cols, contract, nil, k, contract, nil) // [(p, b), f]
	if err != nil {
		return nil, false, err
	}
	filters := ks.Dimensions[axes.KernelOutputChannels]
	if y, err = b.Builder.Reshape(y, append(append(append([]int{}, outSize...), bs), filters)...); err != nil {
		return nil, false, err
	}
	operm := make([]int, d+2) // [p..., b, f] to the output layout
	operm[axes.OutputBatch] = d
	operm[axes.OutputChannels] = d + 1
	for i, a := range axes.OutputSpatial {
		operm[a] = i
	}
	y, err = b.transposeIfNeeded(y, operm)
	return y, true, err
}
