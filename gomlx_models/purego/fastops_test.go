package purego

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// TestFastSliceConcatEqualSimplego runs Slice and Concatenate on purego (fast executors) and on
// simplego ("go:ops_sequential", its own executors) and requires bit-identical outputs: both
// only copy elements. Shapes cover ranks 1 to 5, strides on inner and outer axes, unit and
// non-unit last-axis strides, the im2col slices of the convolutional models, and sizes above
// minParallelElems (split across goroutines).
func TestFastSliceConcatEqualSimplego(t *testing.T) {
	pure := testBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	type sliceCase struct {
		name   string
		dims   []int
		ranges []SliceAxisSpec
	}
	sliceCases := []sliceCase{
		{"rank 1 strided", []int{11}, []SliceAxisSpec{AxisRange(1, 10).Stride(3)}},
		{"rank 2 inner", []int{5, 7}, []SliceAxisSpec{AxisRange(1, 4), AxisRange(2, 7)}},
		{"rank 3 last axis strided", []int{3, 4, 9}, []SliceAxisSpec{AxisRange(), AxisRange(1, 4), AxisRange(0, 9).Stride(2)}},
		{"rank 4 im2col position (1,2), stride 2", []int{2, 9, 10, 3}, []SliceAxisSpec{AxisRange(), AxisRange(1, 8).Stride(2), AxisRange(2, 10).Stride(2), AxisRange()}},
		{"rank 5 every axis strided", []int{3, 4, 5, 6, 7}, []SliceAxisSpec{AxisRange(0, 3).Stride(2), AxisRange(1, 4), AxisRange(0, 5).Stride(2), AxisRange(1, 6).Stride(3), AxisRange(2, 7).Stride(2)}},
		{"large im2col (parallel)", []int{8, 66, 66, 16}, []SliceAxisSpec{AxisRange(), AxisRange(2, 66), AxisRange(1, 65), AxisRange()}},
		{"large last axis strided (parallel)", []int{64, 2048}, []SliceAxisSpec{AxisRange(), AxisRange(1, 2048).Stride(2)}},
	}
	type concatCase struct {
		name string
		dims [][]int
		axis int
	}
	concatCases := []concatCase{
		{"rank 1", [][]int{{3}, {5}}, 0},
		{"axis 0", [][]int{{2, 3}, {4, 3}, {1, 3}}, 0},
		{"middle axis", [][]int{{2, 3, 4}, {2, 1, 4}}, 1},
		{"last axis, small blocks", [][]int{{2, 5, 3}, {2, 5, 3}, {2, 5, 1}}, 2},
		{"last axis, blocks over 16", [][]int{{3, 40}, {3, 17}}, 1},
		{"im2col patches (parallel)", [][]int{{8, 64, 64, 16}, {8, 64, 64, 16}, {8, 64, 64, 16}}, 3},
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range sliceCases {
			t.Run(fmt.Sprintf("%s/Slice %s", dtype, c.name), func(t *testing.T) {
				x := randomTensor(rng, dtype, c.dims)
				fn := func(x *Node) *Node { return Slice(x, c.ranges...) }
				before := fastSliceCalls.Load()
				got := MustExecOnce(pure, fn, x)
				if fastSliceCalls.Load() == before {
					t.Fatal("purego's fast Slice did not run")
				}
				x.ToLocal()
				want := MustExecOnce(sg, fn, x)
				assertBitEqual(t, got, want)
			})
		}
		for _, c := range concatCases {
			t.Run(fmt.Sprintf("%s/Concatenate %s", dtype, c.name), func(t *testing.T) {
				xs := make([]any, len(c.dims))
				for i, d := range c.dims {
					xs[i] = randomTensor(rng, dtype, d)
				}
				fn := func(x []*Node) *Node { return Concatenate(x, c.axis) }
				before := fastConcatCalls.Load()
				got := MustExecOnce(pure, fn, xs...)
				if fastConcatCalls.Load() == before {
					t.Fatal("purego's fast Concatenate did not run")
				}
				for _, x := range xs {
					x.(*tensors.Tensor).ToLocal()
				}
				want := MustExecOnce(sg, fn, xs...)
				assertBitEqual(t, got, want)
			})
		}
	}
}

func assertBitEqual(t *testing.T, got, want *tensors.Tensor) {
	t.Helper()
	if !got.Shape().Equal(want.Shape()) {
		t.Fatalf("shape %s, want %s", got.Shape(), want.Shape())
	}
	switch got.DType() {
	case dtypes.Float32:
		g, w := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](want)
		for i := range g {
			if g[i] != w[i] && !(g[i] != g[i] && w[i] != w[i]) {
				t.Fatalf("element %d: %v, want %v", i, g[i], w[i])
			}
		}
	case dtypes.Float64:
		g, w := tensors.MustCopyFlatData[float64](got), tensors.MustCopyFlatData[float64](want)
		for i := range g {
			if g[i] != w[i] && !(g[i] != g[i] && w[i] != w[i]) {
				t.Fatalf("element %d: %v, want %v", i, g[i], w[i])
			}
		}
	default:
		t.Fatalf("dtype %s not compared", got.DType())
	}
}

// TestFastReduceWindowEqualsSimplego compares purego's ReduceWindow executor with simplego's
// on max and sum windows: pooling layouts of the convolutional models, "same" padding with
// odd sizes (windows partly or wholly in the padding), overlapping windows, windows over
// every axis, and a size split across goroutines. Both take the same elements in the same
// order, so the results must be bit-identical. Dilated windows stay with simplego
// (checked: the fast executor does not run).
func TestFastReduceWindowEqualsSimplego(t *testing.T) {
	pure := testBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name            string
		dims            []int
		reduce          ReduceOpType
		window, strides []int
		windowDil       []int
		paddings        [][2]int
		wantFast        bool
	}{
		{"max 2x2/2 NHWC", []int{2, 6, 8, 3}, backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil, nil, true},
		{"max 4x4/4 LRCN", []int{4, 64, 64, 16}, backends.ReduceOpMax, []int{1, 4, 4, 1}, []int{1, 4, 4, 1}, nil, nil, true},
		{"max 2x2/2 same odd (ConvLSTM)", []int{3, 7, 5, 4}, backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil, [][2]int{{0, 0}, {0, 1}, {0, 1}, {0, 0}}, true},
		{"max 3x3/1 padded overlapping", []int{2, 5, 6, 2}, backends.ReduceOpMax, []int{1, 3, 3, 1}, []int{1, 1, 1, 1}, nil, [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}, true},
		{"max window wholly in padding", []int{1, 2, 2, 1}, backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil, [][2]int{{0, 0}, {0, 2}, {2, 0}, {0, 0}}, true},
		{"sum 3x3/1 padded", []int{2, 5, 6, 3}, backends.ReduceOpSum, []int{1, 3, 3, 1}, []int{1, 1, 1, 1}, nil, [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}, true},
		{"sum window over every axis", []int{3, 4, 5}, backends.ReduceOpSum, []int{2, 2, 3}, []int{1, 2, 1}, nil, [][2]int{{1, 0}, {0, 1}, {2, 2}}, true},
		{"max rank 5 (1,2,2) pool", []int{2, 3, 6, 6, 2}, backends.ReduceOpMax, []int{1, 1, 2, 2, 1}, []int{1, 1, 2, 2, 1}, nil, nil, true},
		{"max rank 1", []int{9}, backends.ReduceOpMax, []int{3}, []int{2}, nil, [][2]int{{1, 1}}, true},
		{"dilated window (simplego)", []int{1, 7, 7, 1}, backends.ReduceOpMax, []int{1, 2, 2, 1}, []int{1, 1, 1, 1}, []int{1, 2, 2, 1}, nil, false},
	}
	rng := rand.New(rand.NewPCG(13, 14))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dtype, c.name), func(t *testing.T) {
				x := randomTensor(rng, dtype, c.dims)
				fn := func(x *Node) *Node {
					return BackendReduceWindow(x, c.reduce, c.window, c.strides, nil, c.windowDil, c.paddings)
				}
				before := fastReduceWindowCalls.Load()
				got := MustExecOnce(pure, fn, x)
				if ran := fastReduceWindowCalls.Load() > before; ran != c.wantFast {
					t.Fatalf("fast ReduceWindow ran: %v, want %v", ran, c.wantFast)
				}
				x.ToLocal()
				want := MustExecOnce(sg, fn, x)
				assertBitEqual(t, got, want)
			})
		}
	}
}

// withFastPathsOff runs fn with the fast paths turned off (as a failed guard would), then
// restores the guard's state.
func withFastPathsOff(fn func()) {
	setFastErr(errors.New("turned off by a test"))
	defer setFastErr(installErr)
	fn()
}

// TestNativeSelectAndScatterEqualsComposition compares the native SelectAndScatterMax/Min
// node (fastpool.go) with the composition of simplego ops it replaces (ops.go, built when
// the fast paths are off), through GoMLX's gradient of a max (min) ReduceWindow. Cases: the
// pooling of both models, "same" padding, overlapping windows (several contributions add up
// at one position, in the same order in both), windows over every axis, ties (the first
// extremum wins: inputs rounded to a coarse grid), a NaN, and a size split across
// goroutines. Bit-identical results are required.
func TestNativeSelectAndScatterEqualsComposition(t *testing.T) {
	pure := testBackend(t)
	cases := []struct {
		name            string
		dims            []int
		window, strides []int
		pads            [][2]int
		ties, nan       bool
	}{
		{"LRCN 4x4/4", []int{2, 16, 16, 8}, []int{1, 4, 4, 1}, []int{1, 4, 4, 1}, nil, false, false},
		{"ConvLSTM 2x2/2 same odd", []int{3, 7, 5, 4}, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, [][2]int{{0, 0}, {0, 1}, {0, 1}, {0, 0}}, false, false},
		{"3x3/1 same overlapping", []int{2, 6, 5, 3}, []int{1, 3, 3, 1}, []int{1, 1, 1, 1}, [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}, false, false},
		{"window over every axis", []int{3, 4, 5}, []int{2, 2, 3}, []int{1, 2, 1}, [][2]int{{1, 0}, {0, 1}, {2, 2}}, false, false},
		{"ties", []int{2, 8, 8, 2}, []int{1, 2, 2, 1}, []int{1, 1, 1, 1}, nil, true, false},
		{"NaN", []int{1, 4, 4, 1}, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, nil, false, true},
		{"large (parallel)", []int{8, 64, 64, 16}, []int{1, 4, 4, 1}, []int{1, 4, 4, 1}, nil, false, false},
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			for _, reduce := range []backends.ReduceOpType{backends.ReduceOpMax, backends.ReduceOpMin} {
				t.Run(fmt.Sprintf("%s/%s/%s", dtype, c.name, reduce), func(t *testing.T) {
					n := 1
					for _, d := range c.dims {
						n *= d
					}
					vals := make([]float64, n)
					for i := range vals {
						vals[i] = rng.NormFloat64()
						if c.ties {
							vals[i] = math.Round(vals[i]) // many equal values per window
						}
					}
					if c.nan {
						vals[5] = math.NaN()
					}
					var x *tensors.Tensor
					if dtype == dtypes.Float32 {
						v32 := make([]float32, n)
						for i, v := range vals {
							v32[i] = float32(v)
						}
						x = tensors.FromFlatDataAndDimensions(v32, c.dims...)
					} else {
						x = tensors.FromFlatDataAndDimensions(vals, c.dims...)
					}
					fn := func(x *Node) *Node {
						pooled := BackendReduceWindow(x, reduce, c.window, c.strides, nil, nil, c.pads)
						w := Sin(Iota(x.Graph(), pooled.Shape(), pooled.Rank()-1)) // distinct source values
						return Gradient(ReduceAllSum(Mul(pooled, w)), x)[0]
					}
					before := fastSelectScatterCalls.Load()
					got := MustExecOnce(pure, fn, x)
					if fastSelectScatterCalls.Load() == before {
						t.Fatal("native SelectAndScatter did not run")
					}
					x.ToLocal()
					var want *tensors.Tensor
					withFastPathsOff(func() {
						before = fastSelectScatterCalls.Load()
						want = MustExecOnce(pure, fn, x)
						if fastSelectScatterCalls.Load() != before {
							t.Fatal("native SelectAndScatter ran with the fast paths off")
						}
					})
					assertBitEqual(t, got, want)
				})
			}
		}
	}
}

// TestFastBroadcastInDimEqualsSimplego compares purego's BroadcastInDim executor with
// simplego's (bit-identical: copies only) on the broadcasts of the models: a bias over the
// channels, a scalar, size-1 axes of the operand, a permuted mapping of the operand's axes, and
// a size split across goroutines.
func TestFastBroadcastInDimEqualsSimplego(t *testing.T) {
	pure := testBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		in, out  []int
		axes     []int
		wantFast bool
	}{
		{"bias over channels", []int{5}, []int{2, 3, 4, 5}, []int{3}, true},
		{"scalar", []int{}, []int{3, 4}, []int{}, true},
		{"size-1 axes", []int{1, 4, 1}, []int{3, 4, 5}, []int{0, 1, 2}, true},
		{"leading axis", []int{4, 5}, []int{3, 4, 5}, []int{1, 2}, true},
		{"middle axis only", []int{4}, []int{3, 4, 5}, []int{1}, true},
		// simplego v0.25.0 ignores the order of a decreasing mapping (see execBroadcastInDim):
		// left to it.
		{"decreasing mapping (simplego)", []int{5, 4}, []int{4, 3, 5}, []int{2, 0}, false},
		{"large (parallel)", []int{64}, []int{80, 32, 32, 64}, []int{3}, true},
	}
	rng := rand.New(rand.NewPCG(17, 18))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dtype, c.name), func(t *testing.T) {
				x := randomTensor(rng, dtype, c.in)
				fn := func(b backends.Builder, x backends.Op) (backends.Op, error) {
					return b.BroadcastInDim(x, shapes.Make(dtype, c.out...), c.axes)
				}
				before := fastBroadcastCalls.Load()
				got := runBuilderOp(t, pure, x, fn)
				if ran := fastBroadcastCalls.Load() > before; ran != c.wantFast {
					t.Fatalf("purego's fast BroadcastInDim ran: %v, want %v", ran, c.wantFast)
				}
				assertBitEqual(t, got, runBuilderOp(t, sg, x, fn))
			})
		}
	}
}

// runBuilderOp builds, compiles and runs one backend-level op on constant x.
func runBuilderOp(t *testing.T, bk backends.Backend, x *tensors.Tensor, op func(backends.Builder, backends.Op) (backends.Op, error)) *tensors.Tensor {
	t.Helper()
	b := bk.Builder("op")
	var c backends.Op
	var err error
	x.MustConstFlatData(func(flat any) { c, err = b.Constant(flat, x.Shape().Dimensions...) })
	if err != nil {
		t.Fatal(err)
	}
	y, err := op(b, c)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := b.Compile([]backends.Op{y}, nil)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exe.Execute(nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	shape, err := bk.BufferShape(outs[0])
	if err != nil {
		t.Fatal(err)
	}
	out := tensors.FromShape(shape)
	out.MustMutableFlatData(func(flat any) { err = bk.BufferToFlatData(outs[0], flat) })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNativePadEqualsComposition compares the native Pad node (fastpool.go) with the
// composition it replaces (ops.go, built with the fast paths off): edges, interior padding
// (the strided-convolution gradients), both, untouched axes, rank 1 to 5, a non-zero fill,
// and a size split across goroutines; bit-identical (copies only). Negative edges (crops)
// keep the composition.
func TestNativePadEqualsComposition(t *testing.T) {
	pure := testBackend(t)
	cases := []struct {
		name     string
		dims     []int
		config   []backends.PadAxis
		fill     float64
		wantFast bool
	}{
		{"rank 1 edges", []int{5}, []backends.PadAxis{{Start: 2, End: 1}}, 0, true},
		{"rank 2 interior", []int{3, 4}, []backends.PadAxis{{}, {Interior: 2}}, 0, true},
		{"same padding NHWC", []int{2, 6, 5, 3}, []backends.PadAxis{{}, {Start: 1, End: 1}, {Start: 0, End: 1}, {}}, 0, true},
		{"edges and interior, fill -1.5", []int{2, 3, 4}, []backends.PadAxis{{Start: 1}, {Start: 2, End: 1, Interior: 1}, {End: 3, Interior: 2}}, -1.5, true},
		{"rank 5 partial config", []int{1, 2, 3, 4, 2}, []backends.PadAxis{{}, {Start: 1}, {End: 2, Interior: 1}}, 0, true},
		{"large (parallel)", []int{8, 62, 62, 16}, []backends.PadAxis{{}, {Start: 1, End: 1}, {Start: 1, End: 1}, {}}, 0, true},
		{"negative edge (composition)", []int{4, 5}, []backends.PadAxis{{Start: -1, End: 2}, {}}, 0, false},
	}
	rng := rand.New(rand.NewPCG(19, 20))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dtype, c.name), func(t *testing.T) {
				x := randomTensor(rng, dtype, c.dims)
				fn := func(b backends.Builder, x backends.Op) (backends.Op, error) {
					f, err := b.Constant([]float64{c.fill})
					if err != nil {
						return nil, err
					}
					if dtype != dtypes.Float64 {
						if f, err = b.ConvertDType(f, dtype); err != nil {
							return nil, err
						}
					}
					return b.Pad(x, f, c.config...)
				}
				before := fastPadCalls.Load()
				got := runBuilderOp(t, pure, x, fn)
				if ran := fastPadCalls.Load() > before; ran != c.wantFast {
					t.Fatalf("native Pad ran: %v, want %v", ran, c.wantFast)
				}
				var want *tensors.Tensor
				withFastPathsOff(func() {
					before = fastPadCalls.Load()
					want = runBuilderOp(t, pure, x, fn)
					if fastPadCalls.Load() != before {
						t.Fatal("native Pad ran with the fast paths off")
					}
				})
				assertBitEqual(t, got, want)
			})
		}
	}
}

// The Add and Mul tests moved to elementwise_test.go (TestFastBinaryEqualsSimplego), with
// the other elementwise ops and broadcasting.
