package purego

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
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
		// Fewer output than input channels: matrix product first, then purego's col2im.
		{"2D same narrowing (col2im)", []int{2, 7, 6, 8}, []int{3, 3, 8, 3},
			func(x, k *Node) *Node { return Convolve(x, k).PadSame().Done() }, true},
		{"2D strides narrowing (col2im)", []int{2, 11, 10, 6}, []int{3, 2, 6, 2},
			func(x, k *Node) *Node { return Convolve(x, k).PadSame().StridePerAxis(2, 3).Done() }, true},
		{"2D kernel dilation narrowing (col2im)", []int{2, 11, 10, 6}, []int{3, 2, 6, 2},
			func(x, k *Node) *Node { return Convolve(x, k).NoPadding().DilationPerAxis(2, 3).Done() }, true},
		{"2D channels-first narrowing (col2im)", []int{2, 6, 5, 5}, []int{2, 6, 2, 2},
			func(x, k *Node) *Node {
				return Convolve(x, k).ChannelsAxis(timage.ChannelsFirst).NoPadding().Done()
			}, true},
		{"1D input dilation narrowing (col2im)", []int{2, 7, 5}, []int{3, 5, 2},
			func(x, k *Node) *Node {
				return Convolve(x, k).InputDilationPerAxis(2).PaddingPerDim([][2]int{{1, 2}}).Done()
			}, true},
		// A kernel larger than the output (GoMLX's kernel gradient): im2col over the output.
		{"2D kernel larger than output", []int{2, 6, 5, 3}, []int{5, 4, 3, 2},
			func(x, k *Node) *Node { return Convolve(x, k).NoPadding().Done() }, true},
		{"2D kernel larger than output, strides", []int{2, 9, 8, 3}, []int{4, 4, 3, 2},
			func(x, k *Node) *Node {
				return Convolve(x, k).PaddingPerDim([][2]int{{1, 0}, {0, 2}}).StridePerAxis(2, 3).Done()
			}, true},
		{"2D kernel larger than output, input and kernel dilation", []int{2, 4, 5, 2}, []int{4, 4, 2, 3},
			func(x, k *Node) *Node {
				return Convolve(x, k).InputDilationPerAxis(2, 1).DilationPerAxis(2, 1).PaddingPerDim([][2]int{{1, 1}, {0, 1}}).Done()
			}, true},
		{"grouped (left to simplego)", []int{1, 5, 5, 4}, []int{3, 3, 2, 4},
			func(x, k *Node) *Node { return Convolve(x, k).NoPadding().ChannelGroupCount(2).Done() }, false},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dtype, c.name), func(t *testing.T) {
				x := randomTensor(rng, dtype, c.input)
				k := randomTensor(rng, dtype, c.kern)
				before, before2, before3 := fastDotCalls.Load(), fastCol2ImCalls.Load(), fastIm2ColCalls.Load()
				before4 := kernelGradientLowerings.Load()
				got := MustExecOnce(pure, c.conv, x, k)
				if lowered := fastDotCalls.Load() > before; lowered != c.wantLowering {
					t.Fatalf("lowered to a matrix product: %v, want %v", lowered, c.wantLowering)
				}
				if col2im, want := fastCol2ImCalls.Load() > before2, strings.HasSuffix(c.name, "(col2im)"); col2im != want {
					t.Fatalf("lowered with col2im: %v, want %v", col2im, want)
				} else if im2col, want := fastIm2ColCalls.Load() > before3, c.wantLowering && !col2im; im2col != want {
					t.Fatalf("lowered with the native im2col: %v, want %v", im2col, want)
				}
				if swapped, want := kernelGradientLowerings.Load() > before4, strings.Contains(c.name, "kernel larger than output"); swapped != want {
					t.Fatalf("lowered with im2col over the output positions: %v, want %v", swapped, want)
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

// TestCol2ImWorkerIndependent runs a narrowing convolution big enough for col2im (and the
// matrix kernel) to split across goroutines with 1, 2 and 8 workers: the bits must not change.
func TestCol2ImWorkerIndependent(t *testing.T) {
	pure := testBackend(t)
	rng := rand.New(rand.NewPCG(41, 42))
	x := randomTensor(rng, dtypes.Float32, []int{4, 64, 64, 16})
	k := randomTensor(rng, dtypes.Float32, []int{3, 3, 16, 4})
	conv := func(x, k *Node) *Node { return Convolve(x, k).PadSame().Done() }
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var ref *tensors.Tensor
	for _, workers := range []int{1, 2, 8} {
		runtime.GOMAXPROCS(workers)
		before := fastCol2ImCalls.Load()
		got := MustExecOnce(pure, conv, x, k)
		if fastCol2ImCalls.Load() == before {
			t.Fatalf("%d workers: col2im did not run", workers)
		}
		x.ToLocal()
		k.ToLocal()
		if ref == nil {
			ref = got
			continue
		}
		assertBitEqual(t, got, ref)
	}
}
