package convlstm

import (
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Conv2D convolves x [N, H, W, Cin] with kernel [k, k, Cin, F] (stride 1;
// Keras's cross-correlation), with "same" zero padding when same is true
// and "valid" (none) otherwise, returning [N, H', W', F].
//
// It is written as im2col (k*k shifted slices concatenated along channels,
// then one matrix product) rather than graph.Convolve: GoMLX v0.25.0's
// Convolve gradient builds a convolution with unset strides that simplego
// rejects, and GoMLX has no gradient for Pad, while Slice, Concatenate and
// DotGeneral differentiate on the purego backend (padding here is a
// concatenation of zeros). The result equals graph.Convolve's (see
// conv2d_test.go) and its gradients match finite differences (grad_test.go).
func Conv2D(x, kernel *Node, same bool) *Node {
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
