package purego_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

var (
	pureBackend = sync.OnceValue(func() backends.Backend { return mustBackend("purego") })
	// "go" compared in its sequential mode: its default parallel executor deadlocks (issue 2, item 3;
	// it hung this very test on small DotGenerals).
	goBackend = sync.OnceValue(func() backends.Backend { return mustBackend("go:ops_sequential") })
)

func mustBackend(config string) backends.Backend {
	b, err := purego.New(config)
	if err != nil {
		panic(err)
	}
	return b
}

// ref is a dense row-major N-d array used to compute expected values in plain Go.
type ref struct {
	dims []int
	data []float64
}

func newRef(dims ...int) *ref {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return &ref{dims: dims, data: make([]float64, n)}
}

func (r *ref) index(idx []int) int {
	flat := 0
	for a, i := range idx {
		flat = flat*r.dims[a] + i
	}
	return flat
}

// each calls fn with every multi-index of dims in row-major order.
func each(dims []int, fn func(idx []int)) {
	n := 1
	for _, d := range dims {
		n *= d
	}
	idx := make([]int, len(dims))
	for k := 0; k < n; k++ {
		r := k
		for a := len(dims) - 1; a >= 0; a-- {
			idx[a] = r % dims[a]
			r /= dims[a]
		}
		fn(idx)
	}
}

// sample returns deterministic distinct-ish values (no ties) for dims.
func sample(seed int, dims ...int) *ref {
	r := newRef(dims...)
	for i := range r.data {
		// A multiplicative hash mod a prime gives distinct values in [-1, 1).
		r.data[i] = float64((i*7919+seed*104729+13)%1009)/504.5 - 1
	}
	return r
}

func (r *ref) tensor() *tensors.Tensor { return tensors.FromFlatDataAndDimensions(r.data, r.dims...) }

func refPad(x *ref, fill float64, conf []backends.PadAxis) *ref {
	dims := make([]int, len(x.dims))
	for a, d := range x.dims {
		c := conf[a]
		dims[a] = c.Start + c.End + d + max(d-1, 0)*c.Interior
	}
	out := newRef(dims...)
	for i := range out.data {
		out.data[i] = fill
	}
	each(x.dims, func(idx []int) {
		o := make([]int, len(idx))
		for a, i := range idx {
			o[a] = conf[a].Start + i*(conf[a].Interior+1)
			if o[a] < 0 || o[a] >= dims[a] {
				return
			}
		}
		out.data[out.index(o)] = x.data[x.index(idx)]
	})
	return out
}

func runOn(t *testing.T, b backends.Backend, fn func(g *Graph) *Node) ([]float64, []int) {
	t.Helper()
	out, err := ExecOnce(b, fn)
	if err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return tensors.MustCopyFlatData[float64](out), out.Shape().Dimensions
}

// exactTol: these ops only move values, so results must be bit-identical.
const exactTol = 0

func compare(t *testing.T, what string, got []float64, gotDims []int, want *ref, tol float64) {
	t.Helper()
	if len(gotDims) != len(want.dims) {
		t.Fatalf("%s: dims %v, want %v", what, gotDims, want.dims)
	}
	for a := range gotDims {
		if gotDims[a] != want.dims[a] {
			t.Fatalf("%s: dims %v, want %v", what, gotDims, want.dims)
		}
	}
	for i := range got {
		if d := got[i] - want.data[i]; d > tol || d < -tol {
			t.Fatalf("%s: element %d = %g, want %g", what, i, got[i], want.data[i])
		}
	}
}

func TestPad(t *testing.T) {
	cases := []struct {
		name string
		dims []int
		conf []backends.PadAxis
	}{
		{"edges", []int{3, 4}, []backends.PadAxis{{Start: 1, End: 2}, {Start: 0, End: 1}}},
		{"interior", []int{3, 4}, []backends.PadAxis{{Interior: 2}, {Start: 1, Interior: 1}}},
		{"negative edges", []int{5, 4}, []backends.PadAxis{{Start: -1, End: -2}, {Start: 2, End: -1}}},
		{"negative with interior", []int{4, 3, 2}, []backends.PadAxis{{Start: -2, End: 1, Interior: 1}, {}, {Start: 1, End: -1, Interior: 3}}},
		{"fewer axes than rank", []int{2, 3, 2}, []backends.PadAxis{{Start: 1, End: 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := sample(1, c.dims...)
			conf := append(append([]backends.PadAxis(nil), c.conf...), make([]backends.PadAxis, len(c.dims)-len(c.conf))...)
			want := refPad(x, -7, conf)
			got, dims := runOn(t, pureBackend(), func(g *Graph) *Node {
				return Pad(Const(g, x.tensor()), Scalar(g, x.tensor().DType(), -7), c.conf...)
			})
			compare(t, "Pad", got, dims, want, exactTol)
		})
	}
}

func TestReverse(t *testing.T) {
	for _, axes := range [][]int{{0}, {1}, {0, 2}, {2}} {
		x := sample(2, 3, 4, 2)
		want := newRef(x.dims...)
		each(x.dims, func(idx []int) {
			src := append([]int(nil), idx...)
			for _, a := range axes {
				src[a] = x.dims[a] - 1 - idx[a]
			}
			want.data[want.index(idx)] = x.data[x.index(src)]
		})
		got, dims := runOn(t, pureBackend(), func(g *Graph) *Node { return Reverse(Const(g, x.tensor()), axes...) })
		compare(t, "Reverse", got, dims, want, exactTol)
	}
}

func TestDynamicSliceAndUpdate(t *testing.T) {
	x := sample(3, 4, 5)
	upd := sample(4, 2, 3)
	cases := []struct {
		name      string
		start     [2]int32
		wantStart [2]int // after XLA's clamping
	}{
		{"inside", [2]int32{1, 2}, [2]int{1, 2}},
		{"clamped high", [2]int32{3, 9}, [2]int{2, 2}},
		{"clamped negative", [2]int32{-1, 1}, [2]int{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantSlice := newRef(2, 3)
			each(wantSlice.dims, func(idx []int) {
				wantSlice.data[wantSlice.index(idx)] = x.data[x.index([]int{idx[0] + c.wantStart[0], idx[1] + c.wantStart[1]})]
			})
			got, dims := runOn(t, pureBackend(), func(g *Graph) *Node {
				return DynamicSlice(Const(g, x.tensor()), []*Node{Const(g, c.start[0]), Const(g, c.start[1])}, []int{2, 3})
			})
			compare(t, "DynamicSlice", got, dims, wantSlice, exactTol)

			wantUpd := newRef(x.dims...)
			copy(wantUpd.data, x.data)
			each(upd.dims, func(idx []int) {
				wantUpd.data[wantUpd.index([]int{idx[0] + c.wantStart[0], idx[1] + c.wantStart[1]})] = upd.data[upd.index(idx)]
			})
			got, dims = runOn(t, pureBackend(), func(g *Graph) *Node {
				return DynamicUpdateSlice(Const(g, x.tensor()), Const(g, upd.tensor()), []*Node{Const(g, int64(c.start[0])), Const(g, int64(c.start[1]))})
			})
			compare(t, "DynamicUpdateSlice", got, dims, wantUpd, exactTol)
		})
	}
}

// refSelectAndScatter is XLA's SelectAndScatter with a GE (max) or LE (min) select: the first
// extremum in row-major window order, padded positions never selected.
func refSelectAndScatter(x, src *ref, window, strides []int, pads [][2]int, isMin, sum bool) *ref {
	out := newRef(x.dims...)
	each(src.dims, func(o []int) {
		best, bestIdx := 0.0, []int(nil)
		each(window, func(w []int) {
			pos := make([]int, len(w))
			for a := range w {
				pos[a] = o[a]*strides[a] + w[a] - pads[a][0]
				if pos[a] < 0 || pos[a] >= x.dims[a] {
					return
				}
			}
			if sum {
				out.data[out.index(pos)] += src.data[src.index(o)]
				return
			}
			v := x.data[x.index(pos)]
			if bestIdx == nil || (!isMin && v > best) || (isMin && v < best) {
				best, bestIdx = v, pos
			}
		})
		if bestIdx != nil {
			out.data[out.index(bestIdx)] += src.data[src.index(o)]
		}
	})
	return out
}

func TestSelectAndScatter(t *testing.T) {
	cases := []struct {
		name                  string
		dims, window, strides []int
		pads                  [][2]int
	}{
		{"2x2 stride 2", []int{1, 4, 4, 1}, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}, [][2]int{{0, 0}, {0, 0}, {0, 0}, {0, 0}}},
		{"3x3 stride 1 same", []int{2, 5, 4}, []int{1, 3, 3}, []int{1, 1, 1}, [][2]int{{0, 0}, {1, 1}, {1, 1}}},
		{"2x2 stride 2 padded end", []int{5, 5}, []int{2, 2}, []int{2, 2}, [][2]int{{0, 1}, {0, 1}}},
		{"1x2x2 overlapping", []int{2, 4, 5}, []int{1, 2, 2}, []int{1, 1, 2}, [][2]int{{0, 0}, {0, 0}, {0, 1}}},
	}
	for _, c := range cases {
		for _, kind := range []string{"max", "min", "sum"} {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				x := sample(5, c.dims...)
				srcDims := make([]int, len(c.dims))
				for a := range srcDims {
					srcDims[a] = (c.dims[a]+c.pads[a][0]+c.pads[a][1]-c.window[a])/c.strides[a] + 1
				}
				src := sample(6, srcDims...)
				want := refSelectAndScatter(x, src, c.window, c.strides, c.pads, kind == "min", kind == "sum")
				var got []float64
				var dims []int
				if kind == "sum" {
					got, dims = selectAndScatterSum(t, x, src, c.window, c.strides, c.pads)
				} else {
					// GoMLX differentiates a max (min) ReduceWindow with SelectAndScatterMax (Min):
					// d/dx sum(ReduceWindow(x) * src) = SelectAndScatter(x, src).
					reduce := backends.ReduceOpMax
					if kind == "min" {
						reduce = backends.ReduceOpMin
					}
					got, dims = runOn(t, pureBackend(), func(g *Graph) *Node {
						xn := Const(g, x.tensor())
						pooled := BackendReduceWindow(xn, reduce, c.window, c.strides, nil, nil, c.pads)
						return Gradient(ReduceAllSum(Mul(pooled, Const(g, src.tensor()))), xn)[0]
					})
				}
				compare(t, "SelectAndScatter", got, dims, want, sumTol)
			})
		}
	}
}

// sumTol: several source values may add up at one position, in a different order than the
// reference's.
const sumTol = 1e-12

// selectAndScatterSum calls the backend-level op directly: backends.Builder v0.25.0 has no
// SelectAndScatterSum, so GoMLX's graph never emits it.
func selectAndScatterSum(t *testing.T, x, src *ref, window, strides []int, pads [][2]int) ([]float64, []int) {
	t.Helper()
	bk := pureBackend()
	b := bk.Builder("select_and_scatter_sum").(*purego.Builder)
	xo, err := b.Constant(x.data, x.dims...)
	if err != nil {
		t.Fatal(err)
	}
	so, err := b.Constant(src.data, src.dims...)
	if err != nil {
		t.Fatal(err)
	}
	op, err := b.SelectAndScatterSum(xo, so, window, strides, pads)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := b.Compile([]backends.Op{op}, nil)
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
	flat := make([]float64, shape.Size())
	if err := bk.BufferToFlatData(outs[0], flat); err != nil {
		t.Fatal(err)
	}
	return flat, shape.Dimensions
}

func TestCapabilities(t *testing.T) {
	caps := pureBackend().Capabilities()
	for _, op := range purego.SuppliedOps {
		if !caps.Operations[op] {
			t.Errorf("purego Capabilities lacks %s", op)
		}
	}
	if pureBackend().String() != purego.Name || !strings.Contains(pureBackend().Description(), "sequential") {
		t.Errorf("purego backend identifies as %q / %q", pureBackend().String(), pureBackend().Description())
	}
}
