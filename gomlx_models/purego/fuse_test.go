package purego

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gopjrt/dtypes"
)

// runBuilderGraph builds, compiles and runs fn on constants xs with backend bk and returns
// every output. With owned, each constant first goes through an identity Transpose (a
// temporary the executors own, and which fusion does not absorb), so fused nodes may write in
// place.
func runBuilderGraph(t *testing.T, bk backends.Backend, xs []*tensors.Tensor, owned bool,
	fn func(backends.Builder, []backends.Op) ([]backends.Op, error)) []*tensors.Tensor {
	t.Helper()
	b := bk.Builder("fuse")
	ops := make([]backends.Op, len(xs))
	for i, x := range xs {
		var err error
		x.MustConstFlatData(func(flat any) { ops[i], err = b.Constant(flat, x.Shape().Dimensions...) })
		if err == nil && owned && x.Rank() > 0 {
			perm := make([]int, x.Rank())
			for a := range perm {
				perm[a] = a
			}
			ops[i], err = b.Transpose(ops[i], perm...)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	ys, err := fn(b, ops)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := b.Compile(ys, nil)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exe.Execute(nil, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := make([]*tensors.Tensor, len(outs))
	for i, o := range outs {
		shape, err := bk.BufferShape(o)
		if err != nil {
			t.Fatal(err)
		}
		res[i] = tensors.FromShape(shape)
		res[i].MustMutableFlatData(func(flat any) { err = bk.BufferToFlatData(o, flat) })
		if err != nil {
			t.Fatal(err)
		}
	}
	return res
}

// chain is a small builder DSL for the test graphs: it keeps the first error.
type chain struct {
	b   backends.Builder
	err error
}

func (c *chain) bin(f func(backends.Builder, backends.Op, backends.Op) (backends.Op, error), x, y backends.Op) backends.Op {
	if c.err != nil {
		return nil
	}
	var r backends.Op
	r, c.err = f(c.b, x, y)
	return r
}

func (c *chain) un(f func(backends.Builder, backends.Op) (backends.Op, error), x backends.Op) backends.Op {
	if c.err != nil {
		return nil
	}
	var r backends.Op
	r, c.err = f(c.b, x)
	return r
}

func (c *chain) bcast(x backends.Op, dtype dtypes.DType, dims []int, axes ...int) backends.Op {
	if c.err != nil {
		return nil
	}
	var r backends.Op
	r, c.err = c.b.BroadcastInDim(x, shapes.Make(dtype, dims...), axes)
	return r
}

func (c *chain) dims(x backends.Op) []int {
	if c.err != nil {
		return nil
	}
	s, err := c.b.OpShape(x)
	c.err = err
	return s.Dimensions
}

func (c *chain) reshape(x backends.Op, dims ...int) backends.Op {
	if c.err != nil {
		return nil
	}
	var r backends.Op
	r, c.err = c.b.Reshape(x, dims...)
	return r
}

type B = backends.Builder

// fuseCases are graphs with chains the pass fuses: the head's layer norm, softmax, ReLU and
// its gradient, an Adam update with scalars on the left, broadcasts read in place (explicit
// BroadcastInDim, Broadcast, Reshape, implicit statistics and biases), a result constant along
// the inner axis, an interior node that is also an output (not absorbed), an operand used
// twice, and every unary and binary op.
var fuseCases = []struct {
	name   string
	dims   [][]int // inputs
	minOps int     // at least this many ops replaced by fused nodes
	fn     func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op
}{
	{"layernorm", [][]int{{4, 33, 70}, {4, 33, 1}, {4, 33, 1}, {70}, {70}}, 6,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			d := c.dims(o[0])
			xc := c.bin(B.Sub, o[0], o[1])
			inv := c.un(B.Rsqrt, c.bin(B.Add, o[2], o[2]))
			y := c.bin(B.Mul, xc, inv)
			y = c.bin(B.Mul, y, c.bcast(o[3], dt, d, 2))
			return []backends.Op{c.bin(B.Add, y, c.bcast(o[4], dt, d, 2))}
		}},
	{"softmax", [][]int{{3, 5, 41, 41}, {3, 5, 41, 1}, {3, 5, 41}}, 2,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			e := c.un(B.Exp, c.bin(B.Sub, o[0], o[1]))
			return []backends.Op{c.bin(B.Div, e, c.reshape(o[2], c.dims(o[1])...))}
		}},
	{"relu and gradient", [][]int{{9, 1000}, {9, 1000}, {}}, 3,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			r := c.bin(B.Max, o[0], o[2])            // ReLU (a scalar operand)
			g := c.bin(B.Mul, o[1], c.un(B.Sign, r)) // gradient through Sign
			return []backends.Op{c.bin(B.Mul, r, g)}
		}},
	{"adam", [][]int{{257, 131}, {257, 131}, {257, 131}, {257, 131}, {}, {}, {}}, 12,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			w, g, m, v, b1, b2, lr := o[0], o[1], o[2], o[3], o[4], o[5], o[6]
			m2 := c.bin(B.Add, c.bin(B.Mul, b1, m), c.bin(B.Mul, c.bin(B.Sub, b2, b1), g))
			v2 := c.bin(B.Add, c.bin(B.Mul, b2, v), c.bin(B.Mul, c.bin(B.Sub, b1, b2), c.bin(B.Mul, g, g)))
			w2 := c.bin(B.Sub, w, c.bin(B.Div, c.bin(B.Mul, lr, m2), c.bin(B.Add, c.un(B.Sqrt, c.un(B.Abs, v2)), lr)))
			return []backends.Op{m2, v2, w2}
		}},
	{"constant along rows", [][]int{{6}, {6}, {6, 300}}, 3,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			d := []int{6, 300}
			s := c.un(B.Exp, c.bin(B.Add, c.bcast(o[0], dt, d, 0), c.bcast(o[1], dt, d, 0)))
			return []backends.Op{c.bin(B.Mul, s, o[2])}
		}},
	{"all constant", [][]int{{}, {1, 1}}, 2,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			d := []int{5, 7}
			return []backends.Op{c.un(B.Neg, c.bin(B.Sub, c.bcast(o[0], dt, d), c.bcast(o[1], dt, d, 0, 1)))}
		}},
	{"interior output", [][]int{{50, 60}, {50, 60}}, 3,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			t := c.un(B.Tanh, c.bin(B.Mul, o[0], o[1]))
			return []backends.Op{t, c.un(B.Logistic, c.bin(B.Sub, t, o[0]))}
		}},
	{"broadcast middle and leading", [][]int{{7, 1, 9}, {5, 9}, {9}}, 3,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			p := c.bcast(o[2], dt, []int{7, 5, 9}, 2)
			y := c.bin(B.Add, o[0], c.bcast(o[1], dt, []int{7, 5, 9}, 1, 2))
			return []backends.Op{c.bin(B.Min, c.un(B.Cos, y), c.un(B.Sin, p))}
		}},
	// Short innermost axis (13 channels) with a bias and a per-(batch, channel) statistic
	// repeated over the positions: fusedTiling's layout (blocks of whole periods, tiled
	// copies refilled when the statistic's batch changes); 46,371 elements, so 2 and 8
	// workers split it at positions that are not multiples of the period.
	{"short channels with bias", [][]int{{3, 29, 41, 13}, {13}, {3, 1, 1, 13}, {}}, 3,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			d := c.dims(o[0])
			y := c.bin(B.Max, c.bin(B.Add, o[0], c.bcast(o[1], dt, d, 3)), o[3])
			return []backends.Op{c.bin(B.Mul, y, o[2])}
		}},
	{"broadcast of a reshape", [][]int{{6, 50}, {6}}, 2,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			s := c.bcast(c.reshape(o[1], 6, 1), dt, []int{6, 50}, 0, 1)
			return []backends.Op{c.un(B.Exp, c.bin(B.Sub, o[0], s))}
		}},
	{"scalar on the left", [][]int{{40, 30}, {}, {1, 1}}, 7,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			x, s, u := o[0], o[1], o[2]
			z := c.bin(B.Sub, s, x)
			z = c.bin(B.Div, u, z)
			z = c.bin(B.Max, s, z)
			z = c.bin(B.Min, u, z)
			z = c.bin(B.Pow, s, c.un(B.Abs, z))
			return []backends.Op{c.bin(B.Add, s, c.bin(B.Mul, u, z))}
		}},
	{"every op", [][]int{{3, 1, 401}, {3, 2, 401}}, 19,
		func(c *chain, dt dtypes.DType, o []backends.Op) []backends.Op {
			x, y := o[0], o[1]
			z := c.bin(B.Add, x, y)
			z = c.bin(B.Sub, z, x)
			z = c.bin(B.Mul, c.un(B.Neg, z), y)
			z = c.bin(B.Div, z, c.un(B.Exp, y))
			z = c.bin(B.Max, z, c.un(B.Expm1, x))
			z = c.bin(B.Min, c.un(B.Log, c.un(B.Abs, z)), c.un(B.Log1p, z))
			z = c.bin(B.Pow, c.un(B.Sqrt, c.un(B.Abs, z)), c.un(B.Tanh, y))
			z = c.un(B.Rsqrt, c.un(B.Logistic, c.un(B.Sign, z)))
			return []backends.Op{c.bin(B.Add, c.un(B.Sin, z), c.un(B.Cos, y))}
		}},
}

// TestFusedEqualsUnfused runs each case on purego (fused), purego with "no_fusion" and
// simplego ("go:ops_sequential", simplego's own executors), float32 and float64, inputs with
// NaN, ±Inf, ±0, subnormals and huge values, constant and owned (in place) inputs, 1, 2 and 8
// workers, and requires the same bits; it also checks the pass did fuse.
func TestFusedEqualsUnfused(t *testing.T) {
	pure := testBackend(t)
	unfused, err := New("purego:no_fusion")
	if err != nil {
		t.Fatal(err)
	}
	sg, err := simplego.New("ops_sequential")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(71, 72))
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, fc := range fuseCases {
			xs := make([]*tensors.Tensor, len(fc.dims))
			for i, d := range fc.dims {
				xs[i] = specialTensor(rng, dt, d)
			}
			fn := func(b backends.Builder, o []backends.Op) ([]backends.Op, error) {
				c := &chain{b: b}
				ys := fc.fn(c, dt, o)
				return ys, c.err
			}
			for _, owned := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/owned=%v", dt, fc.name, owned), func(t *testing.T) {
					want := runBuilderGraph(t, sg, xs, owned, fn)
					built := fusedBuilt.Load()
					before := fusedOpsBuilt.Load()
					ran := fastFusedCalls.Load()
					for i, got := range runBuilderGraph(t, unfused, xs, owned, fn) {
						assertSameBits(t, got, want[i])
					}
					if fusedBuilt.Load() != built || fastFusedCalls.Load() != ran {
						t.Fatal("fusion ran under option no_fusion")
					}
					for _, w := range elementwiseWorkers {
						withWorkers(w, func() {
							before = fusedOpsBuilt.Load()
							ran = fastFusedCalls.Load()
							tiled := fusedTiledRuns.Load()
							for i, got := range runBuilderGraph(t, pure, xs, owned, fn) {
								assertSameBits(t, got, want[i])
							}
							if strings.HasPrefix(fc.name, "short channels") && fusedTiledRuns.Load() == tiled {
								t.Fatal("the fused node did not run in fusedTiling's layout")
							}
							if n := fusedOpsBuilt.Load() - before; n < int64(fc.minOps) || fastFusedCalls.Load() == ran {
								t.Fatalf("%d ops fused (want at least %d), %d fused nodes run", n, fc.minOps, fastFusedCalls.Load()-ran)
							}
						})
					}
				})
			}
		}
	}
}

// TestFusionBoundaries: what the pass must not fuse. An op with two consumers is computed
// once (not absorbed), outputs stay, int32 chains and mixed dtypes are left to the executors.
func TestFusionBoundaries(t *testing.T) {
	pure := testBackend(t)
	rng := rand.New(rand.NewPCG(73, 74))
	x := specialTensor(rng, dtypes.Float32, []int{10, 20})
	ints := tensors.FromFlatDataAndDimensions([]int32{3, -4, 5, 0, 7, -1}, 2, 3)
	cases := []struct {
		name    string
		xs      []*tensors.Tensor
		wantOps int64 // ops replaced by fused nodes
		fn      func(c *chain, o []backends.Op) []backends.Op
	}{
		{"two consumers", []*tensors.Tensor{x}, 3, func(c *chain, o []backends.Op) []backends.Op {
			e := c.un(B.Exp, o[0]) // used twice: computed by its own executor
			return []backends.Op{c.un(B.Neg, c.bin(B.Mul, e, c.un(B.Tanh, e)))}
		}},
		{"single op", []*tensors.Tensor{x}, 0, func(c *chain, o []backends.Op) []backends.Op {
			return []backends.Op{c.un(B.Exp, o[0])}
		}},
		{"int32", []*tensors.Tensor{ints}, 0, func(c *chain, o []backends.Op) []backends.Op {
			return []backends.Op{c.un(B.Neg, c.bin(B.Add, o[0], o[0]))}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := fusedOpsBuilt.Load()
			fn := func(b backends.Builder, o []backends.Op) ([]backends.Op, error) {
				c := &chain{b: b}
				ys := tc.fn(c, o)
				return ys, c.err
			}
			got := runBuilderGraph(t, pure, tc.xs, false, fn)
			if n := fusedOpsBuilt.Load() - before; n != tc.wantOps {
				t.Fatalf("%d ops fused, want %d", n, tc.wantOps)
			}
			sg, err := simplego.New("ops_sequential")
			if err != nil {
				t.Fatal(err)
			}
			want := runBuilderGraph(t, sg, tc.xs, false, fn)
			if got[0].DType() == dtypes.Int32 {
				if g, w := tensors.MustCopyFlatData[int32](got[0]), tensors.MustCopyFlatData[int32](want[0]); !slices.Equal(g, w) {
					t.Fatalf("got %v, want %v", g, w)
				}
				return
			}
			assertSameBits(t, got[0], want[0])
		})
	}
}

// TestFakeVersionFusionOff: with a fake GoMLX version the pass does not run (no fused node
// is built or executed) and the results keep their bits.
func TestFakeVersionFusionOff(t *testing.T) {
	pure := testBackend(t)
	rng := rand.New(rand.NewPCG(75, 76))
	fc := fuseCases[0]
	xs := make([]*tensors.Tensor, len(fc.dims))
	for i, d := range fc.dims {
		xs[i] = specialTensor(rng, dtypes.Float32, d)
	}
	fn := func(b backends.Builder, o []backends.Op) ([]backends.Op, error) {
		c := &chain{b: b}
		ys := fc.fn(c, dtypes.Float32, o)
		return ys, c.err
	}
	built, ran := fusedBuilt.Load(), fastFusedCalls.Load()
	want := runBuilderGraph(t, pure, xs, false, fn)
	if fusedBuilt.Load() == built || fastFusedCalls.Load() == ran {
		t.Fatal("with the real version, no fused node was built and run")
	}
	fakeGoMLXVersion(t, "v0.26.0")
	if FastPathsError() == nil {
		t.Fatal("fake version did not turn the fast paths off")
	}
	built, ran = fusedBuilt.Load(), fastFusedCalls.Load()
	got := runBuilderGraph(t, pure, xs, false, fn)
	if fusedBuilt.Load() != built || fastFusedCalls.Load() != ran {
		t.Fatalf("with GoMLX v0.26.0, %d fused nodes built and %d run, want 0", fusedBuilt.Load()-built, fastFusedCalls.Load()-ran)
	}
	assertSameBits(t, got[0], want[0])
}

// TestMergeAxesN checks the axis merge of several views.
func TestMergeAxesN(t *testing.T) {
	cases := []struct {
		dims     []int
		strides  [][]int
		wantDims []int
		wantStr  [][]int
	}{
		{[]int{4, 5, 6}, [][]int{{30, 6, 1}, {0, 0, 1}}, []int{20, 6}, [][]int{{6, 1}, {0, 1}}},
		{[]int{4, 5, 6}, [][]int{{30, 6, 1}, {30, 6, 1}}, []int{120}, [][]int{{1}, {1}}},
		{[]int{4, 1, 6}, [][]int{{6, 0, 1}, {1, 0, 0}}, []int{4, 6}, [][]int{{6, 1}, {1, 0}}},
		{[]int{1, 1}, [][]int{{0, 0}}, []int{1}, [][]int{{0}}},
		{[]int{3, 4}, [][]int{{0, 0}, {4, 1}}, []int{12}, [][]int{{0}, {1}}},
		{[]int{3, 4}, [][]int{{1, 0}, {4, 1}}, []int{3, 4}, [][]int{{1, 0}, {4, 1}}},
	}
	for _, c := range cases {
		d, s := mergeAxesN(c.dims, c.strides)
		if fmt.Sprint(d, s) != fmt.Sprint(c.wantDims, c.wantStr) {
			t.Errorf("mergeAxesN(%v, %v) = %v %v, want %v %v", c.dims, c.strides, d, s, c.wantDims, c.wantStr)
		}
	}
}

// processCPU returns the CPU seconds (user + system) used by this process so far.
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkFusedChains times chains of the head's B=32 step (layer norm on [32,156,512], the
// softmax pieces on [32,8,156,156], an Adam update of a [2048,512] weight), fused and with
// the option "no_fusion", in one process (same load for both).
func BenchmarkFusedChains(b *testing.B) {
	rng := rand.New(rand.NewPCG(77, 78))
	for _, bc := range []struct {
		name string
		fc   int
		dims [][]int
	}{
		{"layernorm", 0, [][]int{{32, 156, 512}, {32, 156, 1}, {32, 156, 1}, {512}, {512}}},
		{"softmax", 1, [][]int{{32, 8, 156, 156}, {32, 8, 156, 1}, {32, 8, 156}}},
		{"adam", 3, [][]int{{2048, 512}, {2048, 512}, {2048, 512}, {2048, 512}, {}, {}, {}}},
		{"relu", 2, [][]int{{32 * 156, 2048}, {32 * 156, 2048}, {}}},
	} {
		fc := fuseCases[bc.fc]
		for _, opts := range []string{"", ":no_fusion"} {
			b.Run(bc.name+opts, func(b *testing.B) {
				bk, err := New(Name + opts)
				if err != nil {
					b.Fatal(err)
				}
				defer bk.Finalize()
				bld := bk.Builder("bench")
				var ops []backends.Op
				for _, d := range bc.dims {
					x := randomTensor(rng, dtypes.Float32, d)
					var op backends.Op
					x.MustConstFlatData(func(flat any) { op, err = bld.Constant(flat, d...) })
					if err != nil {
						b.Fatal(err)
					}
					ops = append(ops, op)
				}
				c := &chain{b: bld}
				ys := fc.fn(c, dtypes.Float32, ops)
				if c.err != nil {
					b.Fatal(c.err)
				}
				exe, err := bld.Compile(ys, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				c0 := processCPU()
				for range b.N {
					outs, err := exe.Execute(nil, nil, 0)
					if err != nil {
						b.Fatal(err)
					}
					for _, o := range outs {
						_ = bk.BufferFinalize(o)
					}
				}
				b.ReportMetric((processCPU()-c0)*1e3/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
