package purego

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// specialTensor returns a random normal tensor in which about one element in eight is a
// special value: NaN, ±Inf, ±0, a subnormal, ±1, a huge value.
func specialTensor(rng *rand.Rand, dtype dtypes.DType, dims []int) *tensors.Tensor {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e-310, -1, 1, 3e38, -3e38}
	x := randomTensor(rng, dtype, dims)
	pick := func() (float64, bool) {
		if rng.IntN(8) != 0 {
			return 0, false
		}
		return specials[rng.IntN(len(specials))], true
	}
	switch dtype {
	case dtypes.Float32:
		tensors.MutableFlatData(x, func(flat []float32) {
			for i := range flat {
				if v, ok := pick(); ok {
					flat[i] = float32(v)
				}
			}
		})
	case dtypes.Float64:
		tensors.MutableFlatData(x, func(flat []float64) {
			for i := range flat {
				if v, ok := pick(); ok {
					flat[i] = v
				}
			}
		})
	}
	return x
}

// runBuilderOps builds, compiles and runs fn on constants xs with backend bk. With owned, each
// constant first goes through Neg(Neg(x)) (exact), so the op's inputs are temporaries the
// executor owns and may overwrite in place.
func runBuilderOps(t *testing.T, bk backends.Backend, xs []*tensors.Tensor, owned bool, fn func(backends.Builder, []backends.Op) (backends.Op, error)) *tensors.Tensor {
	t.Helper()
	b := bk.Builder("ops")
	ops := make([]backends.Op, len(xs))
	for i, x := range xs {
		var err error
		x.MustConstFlatData(func(flat any) { ops[i], err = b.Constant(flat, x.Shape().Dimensions...) })
		if err == nil && owned {
			if ops[i], err = b.Neg(ops[i]); err == nil {
				ops[i], err = b.Neg(ops[i])
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	y, err := fn(b, ops)
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

// assertSameBits requires identical shapes and identical bit patterns (NaN payloads and the
// sign of zeros included).
func assertSameBits(t *testing.T, got, want *tensors.Tensor) {
	t.Helper()
	if !got.Shape().Equal(want.Shape()) {
		t.Fatalf("shape %s, want %s", got.Shape(), want.Shape())
	}
	switch got.DType() {
	case dtypes.Float32:
		g, w := tensors.MustCopyFlatData[float32](got), tensors.MustCopyFlatData[float32](want)
		for i := range g {
			if math.Float32bits(g[i]) != math.Float32bits(w[i]) {
				t.Fatalf("element %d of %d: %v (%#08x), want %v (%#08x)", i, len(g), g[i], math.Float32bits(g[i]), w[i], math.Float32bits(w[i]))
			}
		}
	case dtypes.Float64:
		g, w := tensors.MustCopyFlatData[float64](got), tensors.MustCopyFlatData[float64](want)
		for i := range g {
			if math.Float64bits(g[i]) != math.Float64bits(w[i]) {
				t.Fatalf("element %d of %d: %v (%#016x), want %v (%#016x)", i, len(g), g[i], math.Float64bits(g[i]), w[i], math.Float64bits(w[i]))
			}
		}
	default:
		t.Fatalf("dtype %s not compared", got.DType())
	}
}

// unfusedBackend is a purego backend without the fusion pass (option "no_fusion"), so that
// every op runs through its own executor (fuse_test.go tests the fused nodes).
func unfusedBackend(t *testing.T) backends.Backend {
	t.Helper()
	b, err := New(Name + ":no_fusion")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// elementwiseWorkers are the GOMAXPROCS values purego's executors run with in these tests (the
// elements are split over that many goroutines): 1, 2 (this machine) and 8 (oversubscribed).
var elementwiseWorkers = []int{1, 2, 8}

func withWorkers(w int, fn func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(w))
	fn()
}

var binaryBuilderOps = []struct {
	name string
	fn   func(b backends.Builder, x, y backends.Op) (backends.Op, error)
}{
	{"Add", backends.Builder.Add}, {"Sub", backends.Builder.Sub}, {"Mul", backends.Builder.Mul},
	{"Div", backends.Builder.Div}, {"Max", backends.Builder.Max}, {"Min", backends.Builder.Min},
	{"Pow", backends.Builder.Pow},
}

// TestFastBinaryEqualsSimplego runs each binary op on purego (its executor) and on simplego
// ("go:ops_sequential", simplego's executors) and requires bit-identical results, with 1, 2
// and 8 workers, with constant (not owned) and temporary (owned: computed in place) inputs.
// Shapes: equal (small, odd, and split across goroutines), the head's broadcasts (bias
// [B,T,D]+[1,1,D], layer-norm/softmax statistics [B,T,1], [B,T,H,1]), a broadcast on a middle
// axis, both operands broadcast ([4,1,6] op [1,5,6]), scalars and size-1 operands on either
// side. Inputs include NaN, ±Inf, ±0, subnormals and huge values.
func TestFastBinaryEqualsSimplego(t *testing.T) {
	pure := unfusedBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		x, y []int
	}{
		{"equal shapes", []int{3, 4}, []int{3, 4}},
		{"equal odd shapes", []int{7, 1, 13}, []int{7, 1, 13}},
		{"equal shapes (parallel)", []int{80, 31, 31, 2}, []int{80, 31, 31, 2}},
		{"bias", []int{3, 5, 33}, []int{1, 1, 33}},
		{"bias (parallel)", []int{16, 37, 160}, []int{1, 1, 160}},
		{"bias on the left", []int{1, 1, 33}, []int{3, 5, 33}},
		{"row statistics", []int{3, 5, 33}, []int{3, 5, 1}},
		{"row statistics on the left (parallel)", []int{16, 37, 8, 1}, []int{16, 37, 8, 39}},
		{"middle axis", []int{4, 1, 6}, []int{4, 5, 6}},
		{"both broadcast", []int{4, 1, 6}, []int{1, 5, 6}},
		{"both broadcast (parallel)", []int{300, 1, 7}, []int{1, 33, 7}},
		{"scalar rhs", []int{5, 7}, []int{}},
		{"scalar lhs", []int{}, []int{5, 7}},
		{"size-1 lhs", []int{1, 1}, []int{3, 4}},
		{"size-1 rhs (parallel)", []int{200, 301}, []int{1, 1}},
		{"scalars", []int{}, []int{}},
	}
	rng := rand.New(rand.NewPCG(31, 32))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, op := range binaryBuilderOps {
			for _, c := range cases {
				x, y := specialTensor(rng, dtype, c.x), specialTensor(rng, dtype, c.y)
				fn := func(b backends.Builder, o []backends.Op) (backends.Op, error) { return op.fn(b, o[0], o[1]) }
				for _, owned := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/%s/%s/owned=%v", dtype, op.name, c.name, owned), func(t *testing.T) {
						want := runBuilderOps(t, sg, []*tensors.Tensor{x, y}, owned, fn)
						for _, w := range elementwiseWorkers {
							withWorkers(w, func() {
								before := fastBinaryCalls.Load()
								got := runBuilderOps(t, pure, []*tensors.Tensor{x, y}, owned, fn)
								if fastBinaryCalls.Load() == before {
									t.Fatalf("purego's %s executor did not run", op.name)
								}
								assertSameBits(t, got, want)
							})
						}
					})
				}
			}
		}
	}
}

var unaryBuilderOps = []struct {
	name string
	fn   func(b backends.Builder, x backends.Op) (backends.Op, error)
}{
	{"Neg", backends.Builder.Neg}, {"Abs", backends.Builder.Abs}, {"Sign", backends.Builder.Sign},
	{"Exp", backends.Builder.Exp}, {"Expm1", backends.Builder.Expm1}, {"Log", backends.Builder.Log},
	{"Log1p", backends.Builder.Log1p}, {"Sqrt", backends.Builder.Sqrt}, {"Rsqrt", backends.Builder.Rsqrt},
	{"Tanh", backends.Builder.Tanh}, {"Logistic", backends.Builder.Logistic},
	{"Sin", backends.Builder.Sin}, {"Cos", backends.Builder.Cos},
}

// TestFastUnaryEqualsSimplego does the same for the unary ops: a scalar, small and odd
// shapes, and sizes split across goroutines, inputs with NaN, ±Inf, ±0, subnormals and huge
// values (negative ones for Log and Sqrt), 1, 2 and 8 workers, owned and not.
func TestFastUnaryEqualsSimplego(t *testing.T) {
	pure := unfusedBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	dims := [][]int{{}, {1}, {3, 7}, {5, 1, 13}, {70, 1001}}
	rng := rand.New(rand.NewPCG(41, 42))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, op := range unaryBuilderOps {
			for _, d := range dims {
				x := specialTensor(rng, dtype, d)
				fn := func(b backends.Builder, o []backends.Op) (backends.Op, error) { return op.fn(b, o[0]) }
				for _, owned := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/%s/%v/owned=%v", dtype, op.name, d, owned), func(t *testing.T) {
						want := runBuilderOps(t, sg, []*tensors.Tensor{x}, owned, fn)
						for _, w := range elementwiseWorkers {
							withWorkers(w, func() {
								before := fastUnaryCalls.Load()
								got := runBuilderOps(t, pure, []*tensors.Tensor{x}, owned, fn)
								if fastUnaryCalls.Load() == before {
									t.Fatalf("purego's %s executor did not run", op.name)
								}
								assertSameBits(t, got, want)
							})
						}
					})
				}
			}
		}
	}
}

// TestElementwiseFallbacks: integer operands, backend "go" and purego with the fast paths
// off all run simplego's own executors (the counters do not move), with the same results.
func TestElementwiseFallbacks(t *testing.T) {
	pure := unfusedBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(51, 52))
	ints := tensors.FromFlatDataAndDimensions([]int32{3, -4, 5, 0, 7, -1}, 2, 3)
	bias := tensors.FromFlatDataAndDimensions([]int32{1, 2, 3}, 1, 3)
	x, y := specialTensor(rng, dtypes.Float32, []int{4, 5, 6}), specialTensor(rng, dtypes.Float32, []int{4, 1, 6})
	add := func(b backends.Builder, o []backends.Op) (backends.Op, error) { return b.Add(o[0], o[1]) }
	mulExp := func(b backends.Builder, o []backends.Op) (backends.Op, error) {
		m, err := b.Mul(o[0], o[1])
		if err != nil {
			return nil, err
		}
		return b.Exp(m)
	}
	calls := func() int64 { return fastBinaryCalls.Load() + fastUnaryCalls.Load() }
	cases := []struct {
		name string
		run  func(t *testing.T) (got, want *tensors.Tensor)
	}{
		{"int32 Add on purego", func(t *testing.T) (*tensors.Tensor, *tensors.Tensor) {
			xs := []*tensors.Tensor{ints, bias}
			return runBuilderOps(t, pure, xs, false, add), runBuilderOps(t, sg, xs, false, add)
		}},
		{"float32 on backend go", func(t *testing.T) (*tensors.Tensor, *tensors.Tensor) {
			xs := []*tensors.Tensor{x, y}
			return runBuilderOps(t, sg, xs, true, mulExp), runBuilderOps(t, sg, xs, true, mulExp)
		}},
		{"float32 on purego with the fast paths off", func(t *testing.T) (got, want *tensors.Tensor) {
			xs := []*tensors.Tensor{x, y}
			withFastPathsOff(func() { got = runBuilderOps(t, pure, xs, true, mulExp) })
			return got, runBuilderOps(t, sg, xs, true, mulExp)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := calls()
			got, want := c.run(t)
			if calls() != before {
				t.Fatalf("purego's elementwise executors ran %d times, want 0", calls()-before)
			}
			if got.DType() == dtypes.Int32 {
				if g, w := tensors.MustCopyFlatData[int32](got), tensors.MustCopyFlatData[int32](want); fmt.Sprint(g) != fmt.Sprint(w) {
					t.Fatalf("got %v, want %v", g, w)
				}
				return
			}
			assertSameBits(t, got, want)
		})
	}
}

// TestMergeAxes checks the axis merging the binary executor iterates over.
func TestMergeAxes(t *testing.T) {
	cases := []struct {
		name                string
		dims, ls, rs        []int
		wantD, wantL, wantR []int
	}{
		{"contiguous", []int{2, 3, 4}, []int{12, 4, 1}, []int{12, 4, 1}, []int{24}, []int{1}, []int{1}},
		{"bias", []int{2, 3, 4}, []int{12, 4, 1}, []int{0, 0, 1}, []int{6, 4}, []int{4, 1}, []int{0, 1}},
		{"row statistic", []int{2, 3, 4}, []int{12, 4, 1}, []int{3, 1, 0}, []int{6, 4}, []int{4, 1}, []int{1, 0}},
		{"size-1 axes dropped", []int{2, 1, 4}, []int{4, 4, 1}, []int{0, 0, 0}, []int{8}, []int{1}, []int{0}},
		{"middle broadcast", []int{4, 5, 6}, []int{6, 0, 1}, []int{30, 6, 1}, []int{4, 5, 6}, []int{6, 0, 1}, []int{30, 6, 1}},
		{"one element", []int{1, 1}, []int{0, 0}, []int{0, 0}, []int{1}, []int{0}, []int{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, l, r := mergeAxes(c.dims, c.ls, c.rs)
			if fmt.Sprint(d, l, r) != fmt.Sprint(c.wantD, c.wantL, c.wantR) {
				t.Fatalf("mergeAxes = %v %v %v, want %v %v %v", d, l, r, c.wantD, c.wantL, c.wantR)
			}
		})
	}
}

// TestOperandStrides: shapes simplego's broadcasting would reject are left to simplego.
func TestOperandStrides(t *testing.T) {
	cases := []struct {
		name   string
		s      shapes.Shape
		out    []int
		want   []int
		wantOK bool
	}{
		{"same", shapes.Make(dtypes.Float32, 2, 3), []int{2, 3}, []int{3, 1}, true},
		{"broadcast", shapes.Make(dtypes.Float32, 2, 1), []int{2, 3}, []int{1, 0}, true},
		{"scalar", shapes.Make(dtypes.Float32), []int{2, 3}, []int{0, 0}, true},
		{"rank mismatch", shapes.Make(dtypes.Float32, 3), []int{2, 3}, nil, false},
		{"dimension mismatch", shapes.Make(dtypes.Float32, 2, 2), []int{2, 3}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := operandStrides(c.s, c.out)
			if ok != c.wantOK || (ok && fmt.Sprint(got) != fmt.Sprint(c.want)) {
				t.Fatalf("operandStrides = %v, %v; want %v, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

// TestFakeVersionElementwiseOff: with a fake GoMLX version (the guard of guard.go fails, as
// in TestFakeVersionFallsBack), purego's elementwise executors do not run, and the results of
// a broadcast binary op and a unary op are simplego's.
func TestFakeVersionElementwiseOff(t *testing.T) {
	pure := unfusedBackend(t)
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(61, 62))
	xs := []*tensors.Tensor{specialTensor(rng, dtypes.Float32, []int{4, 5, 6}), specialTensor(rng, dtypes.Float32, []int{4, 5, 1})}
	fn := func(b backends.Builder, o []backends.Op) (backends.Op, error) {
		d, err := b.Div(o[0], o[1])
		if err != nil {
			return nil, err
		}
		return b.Tanh(d)
	}
	calls := func() int64 { return fastBinaryCalls.Load() + fastUnaryCalls.Load() }
	before := calls()
	want := runBuilderOps(t, pure, xs, true, fn)
	if calls()-before != 6 { // 2 Negs per input, Div, Tanh
		t.Fatalf("with the real version, %d elementwise fast calls, want 6", calls()-before)
	}
	fakeGoMLXVersion(t, "v0.26.0")
	if FastPathsError() == nil {
		t.Fatal("fake version did not turn the fast paths off")
	}
	before = calls()
	got := runBuilderOps(t, pure, xs, true, fn)
	if calls() != before {
		t.Fatalf("with GoMLX v0.26.0, purego's elementwise executors ran %d times, want 0", calls()-before)
	}
	assertSameBits(t, got, want)
	assertSameBits(t, got, runBuilderOps(t, sg, xs, true, fn))
}
