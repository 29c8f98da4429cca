package purego

import (
	"github.com/gomlx/gomlx/backends"
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

	// Input as [batch, spatial..., channels], dilated and padded on the spatial axes.
	perm := append(append([]int{axes.InputBatch}, axes.InputSpatial...), axes.InputChannels)
	x, err := b.transposeIfNeeded(input, perm)
	if err != nil {
		return nil, false, err
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
	if needPad {
		zero, err := b.scalar(xs.DType, 0)
		if err != nil {
			return nil, false, err
		}
		if x, err = b.Pad(x, zero, pad...); err != nil {
			return nil, false, err
		}
	}

	// One strided slice per kernel position, row-major over the kernel's spatial axes.
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

	// Kernel as [(spatial..., in), out].
	kperm := append(append([]int{}, axes.KernelSpatial...), axes.KernelInputChannels, axes.KernelOutputChannels)
	k, err := b.transposeIfNeeded(kernel, kperm)
	if err != nil {
		return nil, false, err
	}
	filters := ks.Dimensions[axes.KernelOutputChannels]
	if k, err = b.Builder.Reshape(k, len(patches)*channels, filters); err != nil {
		return nil, false, err
	}
	y, err := b.Builder.DotGeneral(cols, []int{d + 1}, nil, k, []int{0}, nil) // [batch, out..., filters]
	if err != nil {
		return nil, false, err
	}

	// Back to the requested output layout.
	operm := make([]int, d+2)
	operm[axes.OutputBatch] = 0
	operm[axes.OutputChannels] = d + 1
	for i, a := range axes.OutputSpatial {
		operm[a] = i + 1
	}
	y, err = b.transposeIfNeeded(y, operm)
	return y, true, err
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
