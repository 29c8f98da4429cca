package purego

import (
	"fmt"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	timage "github.com/gomlx/gomlx/pkg/core/tensors/images"
	"github.com/gomlx/gopjrt/dtypes"
)

// TestConvIm2colEqualsSimplego compares purego's convolution (lowered to one matrix product)
// with simplego's direct convolution ("purego:conv_direct") on layouts, strides, paddings and dilations.
func TestConvIm2colEqualsSimplego(t *testing.T) {
	pure := testBackend(t)
	direct, err := New("purego:conv_direct")
	if err != nil {
		t.Fatal(err)
	}
	type build = func(x, k *Node) *Node
	cases := []struct {
		name         string
		input, kern  []int
		conv         build
		wantLowering bool
	}{
		{"2D valid channels-last", []int{2, 7, 6, 3}, []int{3, 3, 3, 4},
			func(x, k *Node) *Node { return Convolve(x, k).NoPadding().Done() }, true},
		{"2D same stride 2", []int{2, 9, 8, 3}, []int{3, 3, 3, 5},
			func(x, k *Node) *Node { return Convolve(x, k).PadSame().StridePerAxis(2, 2).Done() }, true},
		{"2D channels-first", []int{2, 3, 6, 5}, []int{4, 3, 2, 2},
			func(x, k *Node) *Node {
				return Convolve(x, k).ChannelsAxis(timage.ChannelsFirst).NoPadding().Done()
			}, true},
		{"2D kernel dilation", []int{1, 9, 9, 2}, []int{3, 3, 2, 3},
			func(x, k *Node) *Node { return Convolve(x, k).NoPadding().DilationPerAxis(2, 1).Done() }, true},
		{"2D input dilation and explicit padding", []int{1, 4, 5, 2}, []int{2, 3, 2, 3},
			func(x, k *Node) *Node {
				return Convolve(x, k).InputDilationPerAxis(2, 3).PaddingPerDim([][2]int{{1, 0}, {2, 1}}).Done()
			}, true},
		{"1D same", []int{3, 10, 2}, []int{5, 2, 3},
			func(x, k *Node) *Node { return Convolve(x, k).PadSame().Done() }, true},
		{"3D same 1x3x3", []int{1, 4, 6, 6, 2}, []int{1, 3, 3, 2, 3},
			func(x, k *Node) *Node { return Convolve(x, k).PadSame().Done() }, true},
		{"grouped (left to simplego)", []int{1, 5, 5, 4}, []int{3, 3, 2, 4},
			func(x, k *Node) *Node { return Convolve(x, k).NoPadding().ChannelGroupCount(2).Done() }, false},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dtype, c.name), func(t *testing.T) {
				x := randomTensor(rng, dtype, c.input)
				k := randomTensor(rng, dtype, c.kern)
				before := fastDotCalls.Load()
				got := MustExecOnce(pure, c.conv, x, k)
				if lowered := fastDotCalls.Load() > before; lowered != c.wantLowering {
					t.Fatalf("lowered to a matrix product: %v, want %v", lowered, c.wantLowering)
				}
				x.ToLocal()
				k.ToLocal()
				want := MustExecOnce(direct, c.conv, x, k)
				tol := 1e-12
				if dtype == dtypes.Float32 {
					tol = 1e-5
				}
				assertClose(t, got, want, tol)
			})
		}
	}
}
