package purego

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX's own idiom for graph code.
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// ConvParams are the parameters of a ConvGeneral node, as given to graph.ConvGeneral.
type ConvParams struct {
	Axes                               backends.ConvolveAxesConfig
	Strides                            []int
	Paddings                           [][2]int
	InputDilations, KernelDilations    []int
	ChannelGroupCount, BatchGroupCount int
}

// readField copies the value of an unexported struct field (read only).
func readField(s reflect.Value, name string, dst any) error {
	f := s.FieldByName(name)
	d := reflect.ValueOf(dst).Elem()
	if !f.IsValid() || f.Type() != d.Type() {
		return fmt.Errorf("purego: %s has no field %q of type %s (GoMLX layout changed; written against v0.25.0)", s.Type(), name, d.Type())
	}
	d.Set(reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem())
	return nil
}

// ReadConvParams reads the parameters of a ConvGeneral node from GoMLX's unexported node
// inputs, through reflection, without modifying anything.
func ReadConvParams(node *Node) (ConvParams, error) {
	var p ConvParams
	if node == nil || node.Type() != NodeTypeConvGeneral {
		return p, fmt.Errorf("purego: ReadConvParams needs a ConvGeneral node, got %v", node)
	}
	in := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !in.IsValid() || in.Kind() != reflect.Interface || in.IsNil() || in.Elem().Kind() != reflect.Pointer {
		return p, fmt.Errorf("purego: graph.Node.inputs missing or not a pointer (GoMLX layout changed; written against v0.25.0)")
	}
	s := in.Elem().Elem()
	if s.Kind() != reflect.Struct {
		return p, fmt.Errorf("purego: ConvGeneral node inputs is %s (GoMLX layout changed)", s.Type())
	}
	for _, f := range []struct {
		name string
		dst  any
	}{
		{"axes", &p.Axes}, {"strides", &p.Strides}, {"paddings", &p.Paddings},
		{"inputDilations", &p.InputDilations}, {"kernelDilations", &p.KernelDilations},
		{"channelGroupCount", &p.ChannelGroupCount}, {"batchGroupCount", &p.BatchGroupCount},
	} {
		if err := readField(s, f.name, f.dst); err != nil {
			return p, err
		}
	}
	x := node.Inputs()[0]
	if len(p.Axes.InputSpatial) != x.Rank()-2 || len(p.Axes.KernelSpatial) != x.Rank()-2 || len(p.Axes.OutputSpatial) != x.Rank()-2 {
		return p, fmt.Errorf("purego: ConvGeneral axes read %+v inconsistent with input %s (GoMLX layout changed)", p.Axes, x.Shape())
	}
	return p, nil
}

func ints(v []int, i, def int) int {
	if len(v) == 0 {
		return def
	}
	return v[i]
}

// ConvGeneralVJP is GoMLX's convolution gradient with one correction: for kernels whose
// effective (dilated) spatial size is even, GoMLX v0.25.0's gradient with respect to the input
// pads the transposed convolution by (k-2-p_lo, ...) instead of (k-1-p_lo, ...), giving wrong
// values (found by this package's finite-difference tests). For those, the input gradient is
// recomputed as the convolution of the stride-dilated output gradient with the spatially
// reversed kernel (input/output channels swapped), padded by k_eff-1-p_lo before and
// n-1-(o-1)*s+p_lo after each spatial axis (n input size, o output size, s stride). The
// kernel gradient is GoMLX's (correct). Grouped convolutions keep GoMLX's gradient.
//
// Like the DotGeneral gradient, the correction applies only to graphs built for a purego
// backend with the fast paths on (see installGradients): under "go" or "xla:*" the gradient
// is GoMLX's own, with v0.25.0's even-kernel error.
func ConvGeneralVJP(node *Node, vjpOutputs []*Node, outputShape shapes.Shape) []*Node {
	if usePuregoVJP(node) && outputShape.Rank() == 0 {
		if g := channelsLastConvVJP(node, vjpOutputs[0]); g != nil {
			return g
		}
	}
	grads := originalConvVJP(node, vjpOutputs, outputShape)
	if !usePuregoVJP(node) {
		return grads
	}
	p, err := ReadConvParams(node)
	if err != nil || outputShape.Rank() != 0 || p.ChannelGroupCount > 1 || p.BatchGroupCount > 1 || len(p.InputDilations) > 0 {
		return grads
	}
	x, kernel := node.Inputs()[0], node.Inputs()[1]
	n := len(p.Axes.InputSpatial)
	even := false
	pads := make([][2]int, n)
	for a := range n {
		k := kernel.Shape().Dim(p.Axes.KernelSpatial[a])
		kEff := (k-1)*ints(p.KernelDilations, a, 1) + 1
		even = even || kEff%2 == 0
		pLo := 0
		if len(p.Paddings) > 0 {
			pLo = p.Paddings[a][0]
		}
		in, out, s := x.Shape().Dim(p.Axes.InputSpatial[a]), node.Shape().Dim(p.Axes.OutputSpatial[a]), ints(p.Strides, a, 1)
		pads[a] = [2]int{kEff - 1 - pLo, in - 1 - (out-1)*s + pLo}
		if pads[a][0] < 0 || pads[a][1] < 0 {
			return grads // padding larger than the kernel: keep GoMLX's gradient
		}
	}
	if !even {
		return grads
	}
	var rev backends.ConvolveAxesConfig
	rev.InputBatch, rev.InputChannels, rev.InputSpatial = p.Axes.OutputBatch, p.Axes.OutputChannels, p.Axes.OutputSpatial
	rev.KernelInputChannels, rev.KernelOutputChannels = p.Axes.KernelOutputChannels, p.Axes.KernelInputChannels
	rev.KernelSpatial = p.Axes.KernelSpatial
	rev.OutputBatch, rev.OutputChannels, rev.OutputSpatial = p.Axes.InputBatch, p.Axes.InputChannels, p.Axes.InputSpatial
	var inputDilations []int
	if len(p.Strides) > 0 {
		inputDilations = p.Strides
	}
	dx := ConvGeneral(vjpOutputs[0], Reverse(kernel, p.Axes.KernelSpatial...), rev, nil, pads, inputDilations, p.KernelDilations, 1, 1)
	if !dx.Shape().Equal(x.Shape()) {
		return grads
	}
	overrideCalls.Add(1)
	return []*Node{dx, grads[1]}
}

// channelsLastConvVJP is purego's gradient of an ungrouped convolution without input
// dilation in the channels-last layout (input [batch, spatial..., in], kernel [spatial...,
// in, out], output [batch, spatial..., out]: graph.Convolve's default, the models'
// convolutions), or nil for any other configuration (then GoMLX's gradient, corrected as
// above, is used). GoMLX's kernel gradient is a convolution whose kernel is the output
// gradient: its spatial size is the output's (62x62 in the ConvLSTM), which purego's im2col
// lowering would turn into thousands of slices. Here:
//
//	dkernel[j, c, f] = Σ_(b, o) xpad[b, o·s + j·d, c] · v[b, o, f]      (GoMLX's convolution, lowered as one im2col and one product)
//	dx               = the convolution of v, stride-dilated, with the spatially reversed kernel
//	                   (in/out swapped), padded k_eff-1-p_lo before and n-1-(o-1)·s+p_lo after
//
// the same sums as GoMLX's gradient in another order (and, for even kernels, v0.25.0's input
// gradient corrected as in [ConvGeneralVJP]). The input gradient has fewer output than
// input channels whenever the convolution widens its channels, and purego lowers it as a
// matrix product and a col2im (see [Builder.ConvGeneral]).
func channelsLastConvVJP(node *Node, v *Node) []*Node {
	p, err := ReadConvParams(node)
	if err != nil || p.ChannelGroupCount > 1 || p.BatchGroupCount > 1 || len(p.InputDilations) > 0 {
		return nil
	}
	x, kernel := node.Inputs()[0], node.Inputs()[1]
	d := x.Rank() - 2
	a := p.Axes
	if a.InputBatch != 0 || a.InputChannels != d+1 || a.KernelInputChannels != d || a.KernelOutputChannels != d+1 ||
		a.OutputBatch != 0 || a.OutputChannels != d+1 {
		return nil
	}
	for i := range d {
		if a.InputSpatial[i] != i+1 || a.KernelSpatial[i] != i || a.OutputSpatial[i] != i+1 {
			return nil
		}
	}
	xPads := make([]backends.PadAxis, d+2)
	dxPads := make([][2]int, d)
	for i := range d {
		var pad [2]int
		if len(p.Paddings) > 0 {
			pad = p.Paddings[i]
		}
		if pad[0] < 0 || pad[1] < 0 {
			return nil
		}
		xPads[i+1] = backends.PadAxis{Start: pad[0], End: pad[1]}
		k := kernel.Shape().Dim(i)
		kEff := (k-1)*ints(p.KernelDilations, i, 1) + 1
		in, out, s := x.Shape().Dim(i+1), node.Shape().Dim(i+1), ints(p.Strides, i, 1)
		dxPads[i] = [2]int{kEff - 1 - pad[0], in - 1 - (out-1)*s + pad[0]}
		if dxPads[i][0] < 0 || dxPads[i][1] < 0 {
			return nil
		}
	}

	// Kernel gradient: GoMLX's formulation, a convolution of x (batch and channels swapped)
	// with v as its kernel, strides and kernel dilations exchanged, the end padding cut to
	// give exactly the kernel's size. Its kernel (v) is larger than its output, so purego
	// lowers it as one native im2col of x and one product (see convKernelGradient).
	var kAxes backends.ConvolveAxesConfig
	kAxes.InputBatch, kAxes.InputChannels, kAxes.InputSpatial = a.InputChannels, a.InputBatch, a.InputSpatial
	kAxes.KernelInputChannels, kAxes.KernelOutputChannels, kAxes.KernelSpatial = a.OutputBatch, a.OutputChannels, a.OutputSpatial
	kAxes.OutputBatch, kAxes.OutputChannels, kAxes.OutputSpatial = a.KernelInputChannels, a.KernelOutputChannels, a.KernelSpatial
	kPads := make([][2]int, d)
	kStrides, kDilations := make([]int, d), make([]int, d)
	for i := range d {
		k, kd, s := kernel.Shape().Dim(i), ints(p.KernelDilations, i, 1), ints(p.Strides, i, 1)
		in, out := x.Shape().Dim(i+1), node.Shape().Dim(i+1)
		lo := int(xPads[i+1].Start)
		hi := (k-1)*kd + (out-1)*s + 1 - in - lo // exactly k outputs
		if hi < 0 {
			return nil
		}
		kPads[i] = [2]int{lo, hi}
		kStrides[i], kDilations[i] = kd, s
	}
	dk := ConvGeneral(x, v, kAxes, kStrides, kPads, nil, kDilations, 1, 1)

	// Input gradient: the transposed convolution.
	var rev backends.ConvolveAxesConfig
	rev.InputBatch, rev.InputChannels, rev.InputSpatial = a.OutputBatch, a.OutputChannels, a.OutputSpatial
	rev.KernelInputChannels, rev.KernelOutputChannels = a.KernelOutputChannels, a.KernelInputChannels
	rev.KernelSpatial = a.KernelSpatial
	rev.OutputBatch, rev.OutputChannels, rev.OutputSpatial = a.InputBatch, a.InputChannels, a.InputSpatial
	var inputDilations []int
	if len(p.Strides) > 0 {
		inputDilations = p.Strides
	}
	spatial := make([]int, d)
	for i := range spatial {
		spatial[i] = i
	}
	dx := ConvGeneral(v, Reverse(kernel, spatial...), rev, nil, dxPads, inputDilations, p.KernelDilations, 1, 1)
	if !dx.Shape().Equal(x.Shape()) || !dk.Shape().Equal(kernel.Shape()) {
		return nil
	}
	overrideCalls.Add(1)
	return []*Node{dx, dk}
}
