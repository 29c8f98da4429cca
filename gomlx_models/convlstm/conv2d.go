package convlstm

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Conv2D convolves x [N, H, W, Cin] with kernel [k, k, Cin, F] (stride 1;
// Keras's cross-correlation), with "same" zero padding when same is true
// (TensorFlow's rule: the odd pixel at the end) and "valid" (none) otherwise,
// returning [N, H', W', F].
//
// It is one graph.ConvGeneral in the channels-last layout. On the purego
// backend that is lowered to im2col and one matrix product (as this function
// used to build in the graph), and its gradient is purego's: one im2col
// product for the kernel and a transposed convolution (matrix product, then
// col2im) for the input, instead of the nine Pads and eight Adds of the
// in-graph im2col's gradient (gomlx_models/purego/convgrad.go,
// channelsLastConvVJP). The result equals the in-graph im2col's within float32
// rounding (conv2d_test.go) and its gradients match finite differences
// (grad_test.go).
func Conv2D(x, kernel *Node, same bool) *Node {
	kd := kernel.Shape().Dimensions
	pads := [][2]int{{0, 0}, {0, 0}}
	if same {
		for i := range pads {
			pads[i] = [2]int{(kd[i] - 1) / 2, kd[i] / 2} // TensorFlow puts the odd pixel at the end
		}
	}
	axes := ConvolveAxesConfig{
		InputBatch: 0, InputSpatial: []int{1, 2}, InputChannels: 3,
		KernelSpatial: []int{0, 1}, KernelInputChannels: 2, KernelOutputChannels: 3,
		OutputBatch: 0, OutputSpatial: []int{1, 2}, OutputChannels: 3,
	}
	return ConvGeneral(x, kernel, axes, []int{1, 1}, pads, nil, nil, 1, 1)
}

// conv2DIm2col is the in-graph im2col formulation Conv2D used before (k*k
// shifted slices concatenated along channels, then one matrix product); the
// tests compare Conv2D with it.
func conv2DIm2col(x, kernel *Node, same bool) *Node {
	kd := kernel.Shape().Dimensions
	k, cin, f := kd[0], kd[2], kd[3]
	if same && k > 1 {
		lo, hi := (k-1)/2, k/2 // TensorFlow puts the odd pixel at the end
		x = zeroPad(zeroPad(x, 1, lo, hi), 2, lo, hi)
	}
	d := x.Shape().Dimensions
	n, oh, ow := d[0], d[1]-k+1, d[2]-kd[1]+1
	patches := make([]*Node, 0, k*kd[1])
	for dy := 0; dy < k; dy++ {
		for dx := 0; dx < kd[1]; dx++ {
			patches = append(patches, Slice(x, AxisRange(), AxisRange(dy, dy+oh), AxisRange(dx, dx+ow), AxisRange()))
		}
	}
	cols := patches[0]
	if len(patches) > 1 {
		cols = Concatenate(patches, -1) // [N, oh, ow, k*k*Cin], ordered (dy, dx, c) as the kernel
	}
	out := Dot(Reshape(cols, n*oh*ow, k*kd[1]*cin), Reshape(kernel, k*kd[1]*cin, f))
	return Reshape(out, n, oh, ow, f)
}

// zeroPad adds lo zeros before and hi zeros after x along axis.
func zeroPad(x *Node, axis, lo, hi int) *Node {
	parts := []*Node{x}
	zeros := func(n int) *Node {
		d := append([]int(nil), x.Shape().Dimensions...)
		d[axis] = n
		return Zeros(x.Graph(), shapes.Make(x.DType(), d...))
	}
	if lo > 0 {
		parts = append([]*Node{zeros(lo)}, parts...)
	}
	if hi > 0 {
		parts = append(parts, zeros(hi))
	}
	if len(parts) == 1 {
		return x
	}
	return Concatenate(parts, axis)
}
