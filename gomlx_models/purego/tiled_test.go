package purego

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gopjrt/dtypes"
)

// Kernel-level tests of the LRCN round's fast paths (fastpool.go, fastops.go): each against a
// naive reference written from the op's definition, bit for bit, float32 and float64, odd
// shapes, special values (NaN, ±Inf, ±0, ties), 1, 2 and 8 workers, and sizes split across
// goroutines.

// specialValues returns n values, mostly normal with ties, and NaN, ±Inf, ±0 sprinkled in.
func specialValues(rng *rand.Rand, n int) []float64 {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1)}
	v := make([]float64, n)
	for i := range v {
		switch r := rng.IntN(40); {
		case r < len(specials):
			v[i] = specials[r]
		case r < 15:
			v[i] = math.Round(rng.NormFloat64()) // ties
		default:
			v[i] = rng.NormFloat64()
		}
	}
	return v
}

func convertTo[T float32 | float64](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

func sameBits[T float32 | float64](t *testing.T, got, want []T) {
	t.Helper()
	bits := func(v T) uint64 {
		if f, ok := any(v).(float32); ok {
			return uint64(math.Float32bits(f))
		}
		return math.Float64bits(float64(v))
	}
	if len(got) != len(want) {
		t.Fatalf("%d elements, want %d", len(got), len(want))
	}
	for i := range want {
		if bits(got[i]) != bits(want[i]) {
			t.Fatalf("element %d: %v (bits %x), want %v (bits %x)", i, got[i], bits(got[i]), want[i], bits(want[i]))
		}
	}
}

// flatIndex is the row-major flat index of idx over dims.
func flatIndex(idx, dims []int) int {
	f := 0
	for a, i := range idx {
		f = f*dims[a] + i
	}
	return f
}

// forEachIndex calls fn with every multi-index over dims, row-major.
func forEachIndex(dims []int, fn func(idx []int)) {
	n := 1
	for _, d := range dims {
		n *= d
	}
	idx := make([]int, len(dims))
	for range n {
		fn(idx)
		for a := len(dims) - 1; a >= 0; a-- {
			if idx[a]++; idx[a] < dims[a] {
				break
			}
			idx[a] = 0
		}
	}
}

// refSelectScatter is the composition's definition for windows without padding: out starts
// at +0; each output's window (row-major) selects its first extremum (a NaN replaces the
// current best), and the selected operand position gets its source value added.
func refSelectScatter[T float32 | float64](x []T, xDims []int, src []T, srcDims []int, window, strides []int, isMin bool) []T {
	out := make([]T, len(x))
	forEachIndex(srcDims, func(o []int) {
		var best T
		sel := -1
		forEachIndex(window, func(w []int) {
			pos := make([]int, len(o))
			for a := range o {
				pos[a] = o[a]*strides[a] + w[a]
			}
			p := flatIndex(pos, xDims)
			v := x[p]
			better := v > best
			if isMin {
				better = v < best
			}
			if sel < 0 || better || v != v {
				best, sel = v, p
			}
		})
		out[sel] += src[flatIndex(o, srcDims)]
	})
	return out
}

func TestSelectScatterTiled(t *testing.T) {
	cases := []struct {
		xDims, window []int
		tiled         bool
	}{
		{[]int{2, 8, 8, 3}, []int{1, 4, 4, 1}, true},
		{[]int{3, 6, 9, 5}, []int{1, 2, 3, 1}, true},
		{[]int{4, 6, 3}, []int{2, 3, 1}, true},          // window over the leading axis
		{[]int{6, 10}, []int{3, 5}, true},               // no channels
		{[]int{8, 64, 64, 16}, []int{1, 4, 4, 1}, true}, // split across goroutines
		{[]int{2, 7, 8, 3}, []int{1, 2, 2, 1}, false},   // 7 is not a multiple of 2
	}
	rng := rand.New(rand.NewPCG(71, 72))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range cases {
		for _, isMin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/%v/min=%v", c.xDims, c.window, isMin), func(t *testing.T) {
				srcDims := make([]int, len(c.xDims))
				n, m := 1, 1
				for a, d := range c.xDims {
					srcDims[a] = d / c.window[a]
					n *= d
					m *= srcDims[a]
				}
				xv, sv := specialValues(rng, n), specialValues(rng, m)
				p := &selectScatterParams{isMin: isMin, window: c.window, strides: c.window, paddings: make([][2]int, len(c.xDims))}
				for _, workers := range []int{1, 2, 8} {
					runtime.GOMAXPROCS(workers)
					x32, s32 := convertTo[float32](xv), convertTo[float32](sv)
					out32 := make([]float32, n)
					for i := range out32 {
						out32[i] = 7 // garbage: every element must be written
					}
					if ok := selectScatterTiled(x32, c.xDims, s32, srcDims, out32, p); ok != c.tiled {
						t.Fatalf("tiled path taken: %v, want %v", ok, c.tiled)
					}
					if !c.tiled {
						return
					}
					sameBits(t, out32, refSelectScatter(x32, c.xDims, s32, srcDims, c.window, c.window, isMin))
					x64, s64 := convertTo[float64](xv), convertTo[float64](sv)
					out64 := make([]float64, n)
					selectAndScatter(x64, c.xDims, s64, srcDims, out64, p)
					sameBits(t, out64, refSelectScatter(x64, c.xDims, s64, srcDims, c.window, c.window, isMin))
				}
			})
		}
	}
}

// refReduceWindow is ReduceWindow's definition without padding: init, then the window's
// elements in row-major order.
func refReduceWindow[T float32 | float64](x []T, xDims []int, outDims, window, strides []int, isMax bool) []T {
	out := make([]T, 0)
	forEachIndex(outDims, func(o []int) {
		var acc T
		if isMax {
			acc = T(math.Inf(-1))
		}
		forEachIndex(window, func(w []int) {
			pos := make([]int, len(o))
			for a := range o {
				pos[a] = o[a]*strides[a] + w[a]
			}
			v := x[flatIndex(pos, xDims)]
			if isMax {
				acc = max(acc, v)
			} else {
				acc += v
			}
		})
		out = append(out, acc)
	})
	return out
}

func TestReduceWindowInRange(t *testing.T) {
	cases := []struct{ xDims, window, strides []int }{
		{[]int{2, 8, 8, 3}, []int{1, 4, 4, 1}, []int{1, 4, 4, 1}},
		{[]int{3, 7, 9, 5}, []int{1, 2, 3, 1}, []int{1, 2, 3, 1}}, // a row of x left out
		{[]int{2, 7, 6, 2}, []int{1, 3, 3, 1}, []int{1, 1, 2, 1}}, // overlapping
		{[]int{5, 6, 4}, []int{2, 3, 1}, []int{2, 2, 1}},          // window over the leading axis
		{[]int{8, 64, 64, 16}, []int{1, 4, 4, 1}, []int{1, 4, 4, 1}},
		{[]int{2, 4, 6, 300}, []int{1, 2, 2, 1}, []int{1, 2, 2, 1}}, // long channel runs, not a multiple of 8
		{[]int{3, 6, 9, 24}, []int{1, 3, 2, 1}, []int{1, 3, 2, 1}},  // three blocks of 8 (reduceWindowMax8)
		{[]int{2, 5, 5, 8}, []int{1, 2, 2, 1}, []int{1, 1, 2, 1}},   // overlapping windows, one block of 8
		{[]int{2, 5, 4, 3}, []int{1, 1, 1, 1}, []int{1, 2, 1, 1}},   // window of one element
	}
	rng := rand.New(rand.NewPCG(73, 74))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range cases {
		for _, isMax := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v/%v/%v/max=%v", c.xDims, c.window, c.strides, isMax), func(t *testing.T) {
				outDims := make([]int, len(c.xDims))
				n, m := 1, 1
				for a, d := range c.xDims {
					outDims[a] = (d-c.window[a])/c.strides[a] + 1
					n *= d
					m *= outDims[a]
				}
				p := reduceWindowParams{reduceType: reduceSum, windowDimensions: c.window, strides: c.strides,
					paddings: make([][2]int, len(c.xDims))}
				if isMax {
					p.reduceType = reduceMax
				}
				xv := specialValues(rng, n)
				for _, workers := range []int{1, 2, 8} {
					runtime.GOMAXPROCS(workers)
					x32, out32 := convertTo[float32](xv), make([]float32, m)
					reduceWindow(x32, c.xDims, out32, outDims, p)
					sameBits(t, out32, refReduceWindow(x32, c.xDims, outDims, c.window, c.strides, isMax))
					x64, out64 := convertTo[float64](xv), make([]float64, m)
					reduceWindow(x64, c.xDims, out64, outDims, p)
					sameBits(t, out64, refReduceWindow(x64, c.xDims, outDims, c.window, c.strides, isMax))
				}
			})
		}
	}
}

// TestPadEdges compares padEdges with fill-then-copy (pad's definition) on edge paddings,
// bit for bit (a -0 fill and -0 values included), 1, 2 and 8 workers.
func TestPadEdges(t *testing.T) {
	cases := []struct {
		xDims  []int
		starts []int
		ends   []int
	}{
		{[]int{5}, []int{2}, []int{1}},
		{[]int{2, 6, 5, 3}, []int{0, 1, 0, 0}, []int{0, 1, 1, 0}},
		{[]int{3, 4, 5}, []int{1, 0, 2}, []int{0, 2, 3}},
		{[]int{2, 3, 4}, []int{0, 0, 0}, []int{0, 0, 0}},             // nothing padded
		{[]int{2, 3, 4}, []int{0, 0, 0}, []int{0, 2, 0}},             // padded at the end only
		{[]int{8, 62, 62, 16}, []int{0, 1, 1, 0}, []int{0, 1, 1, 0}}, // parallel
		{[]int{2, 0, 3}, []int{1, 1, 0}, []int{0, 1, 1}},             // empty operand
	}
	rng := rand.New(rand.NewPCG(75, 76))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range cases {
		for _, v := range []float64{0, math.Copysign(0, -1), -1.5} {
			t.Run(fmt.Sprintf("%v/%v/%v/fill%v", c.xDims, c.starts, c.ends, v), func(t *testing.T) {
				rank := len(c.xDims)
				outDims := make([]int, rank)
				n, m := 1, 1
				for a, d := range c.xDims {
					outDims[a] = c.starts[a] + d + c.ends[a]
					n *= d
					m *= outDims[a]
				}
				p := &padParams{starts: c.starts, interiors: make([]int, rank)}
				xv := specialValues(rng, n)
				want := make([]float64, m)
				for i := range want {
					want[i] = v
				}
				forEachIndex(c.xDims, func(i []int) {
					o := make([]int, rank)
					for a := range i {
						o[a] = i[a] + c.starts[a]
					}
					want[flatIndex(o, outDims)] = xv[flatIndex(i, c.xDims)]
				})
				for _, workers := range []int{1, 2, 8} {
					runtime.GOMAXPROCS(workers)
					out32 := make([]float32, m)
					pad(convertTo[float32](xv), c.xDims, float32(v), out32, outDims, p)
					sameBits(t, out32, convertTo[float32](want))
					out64 := make([]float64, m)
					if !padEdges(xv, c.xDims, v, out64, outDims, p) {
						t.Fatal("padEdges declined an edge padding")
					}
					sameBits(t, out64, want)
				}
			})
		}
	}
}

// TestIm2colShared checks that a convolution of a few-channel input and its kernel gradient
// share one padded input and one patch matrix (and that wider inputs do not), and that the
// forward output and the kernel gradient are bit-identical to those of the same graph built
// with sharing off.
func TestIm2colShared(t *testing.T) {
	if FastPathsError() != nil {
		t.Skipf("fast paths off: %v", FastPathsError())
	}
	pure := testBackend(t)
	rng := rand.New(rand.NewPCG(77, 78))
	defer func(m int) { sharedMaxChannels = m }(sharedMaxChannels)
	for _, c := range []struct {
		channels int
		shared   bool
	}{{3, true}, {1, true}, {8, false}} {
		t.Run(fmt.Sprintf("channels=%d", c.channels), func(t *testing.T) {
			x := randomTensor(rng, dtypes.Float32, []int{2, 9, 7, c.channels})
			k := randomTensor(rng, dtypes.Float32, []int{3, 3, c.channels, 5})
			both := func(x, k *Node) []*Node {
				y := Convolve(x, k).PadSame().Done()
				return []*Node{y, Gradient(ReduceAllSum(Mul(y, y)), k)[0]}
			}
			sharedMaxChannels = 3
			im2col, pads := sharedIm2colHits.Load(), sharedPadHits.Load()
			got := MustExecOnceN(pure, both, x, k)
			hit := sharedIm2colHits.Load() > im2col && sharedPadHits.Load() > pads
			if hit != c.shared {
				t.Fatalf("patch matrix and padded input shared: %v, want %v", hit, c.shared)
			}
			sharedMaxChannels = -1
			im2col = sharedIm2colHits.Load()
			want := MustExecOnceN(pure, both, x, k)
			if sharedIm2colHits.Load() != im2col {
				t.Fatal("shared with sharing off")
			}
			for i := range want {
				assertBitEqual(t, got[i], want[i])
			}
		})
	}
}

// TestParallelRows checks parallelRows' split: the chunks partition [0, rows) at
// rows*w/workers (the boundaries the executors' bit-identity arguments rely on), each run
// once, with min(GOMAXPROCS, rows) chunks above minParallelElems and one chunk below it.
func TestParallelRows(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, workers := range []int{1, 2, 3, 8} {
		for _, rows := range []int{0, 1, 2, 3, 7, 100} {
			for _, elems := range []int{minParallelElems - 1, minParallelElems} {
				runtime.GOMAXPROCS(workers)
				var mu sync.Mutex
				var got [][2]int
				parallelRows(rows, elems, func(lo, hi int) {
					mu.Lock()
					got = append(got, [2]int{lo, hi})
					mu.Unlock()
				})
				slices.SortFunc(got, func(a, b [2]int) int { return a[0] - b[0] })
				n := 1
				if elems >= minParallelElems && workers > 1 && rows > 1 {
					n = min(workers, rows)
				}
				want := make([][2]int, n)
				for w := range n {
					want[w] = [2]int{rows * w / n, rows * (w + 1) / n}
				}
				if !slices.Equal(got, want) {
					t.Errorf("workers %d, rows %d, elems %d: chunks %v, want %v", workers, rows, elems, got, want)
				}
			}
		}
	}
}

// TestIm2colRuns3x9 compares im2col with its definition, out[b, o0, o1, (k0, k1, c)] =
// x[b, o0·s0 + k0·d0, o1·s1 + k1·d1, c], bit for bit (NaN, ±Inf, ±0 moved unchanged), for 3x3
// kernels over 3 channels (float32: the array-move path im2colRuns3x9) and their neighbours
// that take the generic loop (float64, 2 or 4 channels, a dilated kernel), strides 1 and 2,
// odd sizes, 1, 2 and 8 workers, sizes split across goroutines.
func TestIm2colRuns3x9(t *testing.T) {
	cases := []struct {
		xDims, kernel, strides, dilations []int
	}{
		{[]int{2, 7, 9, 3}, []int{3, 3}, []int{1, 1}, []int{1, 1}},
		{[]int{3, 11, 8, 3}, []int{3, 3}, []int{2, 1}, []int{1, 1}},
		{[]int{8, 66, 66, 3}, []int{3, 3}, []int{1, 1}, []int{1, 1}}, // parallel (the LRCN frames)
		{[]int{2, 9, 9, 3}, []int{3, 3}, []int{1, 1}, []int{2, 1}},   // dilated: runs of 3
		{[]int{2, 7, 6, 2}, []int{3, 3}, []int{1, 1}, []int{1, 1}},
		{[]int{2, 7, 6, 4}, []int{3, 3}, []int{1, 2}, []int{1, 1}},
	}
	rng := rand.New(rand.NewPCG(77, 78))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v/%v/%v", c.xDims, c.strides, c.dilations), func(t *testing.T) {
			ch := c.xDims[3]
			outDims := []int{c.xDims[0], 0, 0, 9 * ch}
			for a := range 2 {
				outDims[a+1] = (c.xDims[a+1]-(c.kernel[a]-1)*c.dilations[a]-1)/c.strides[a] + 1
			}
			n := c.xDims[0] * c.xDims[1] * c.xDims[2] * ch
			m := outDims[0] * outDims[1] * outDims[2] * outDims[3]
			xv := specialValues(rng, n)
			p := &im2colParams{kernelSize: c.kernel, strides: c.strides, dilations: c.dilations}
			ref := func(x []float64) []float64 {
				out := make([]float64, 0, m)
				for b := range outDims[0] {
					for o0 := range outDims[1] {
						for o1 := range outDims[2] {
							for k0 := range 3 {
								for k1 := range 3 {
									i0, i1 := o0*c.strides[0]+k0*c.dilations[0], o1*c.strides[1]+k1*c.dilations[1]
									base := ((b*c.xDims[1]+i0)*c.xDims[2] + i1) * ch
									out = append(out, x[base:base+ch]...)
								}
							}
						}
					}
				}
				return out
			}
			want := ref(xv)
			for _, workers := range []int{1, 2, 8} {
				runtime.GOMAXPROCS(workers)
				x32, out32 := convertTo[float32](xv), make([]float32, m)
				im2col(x32, c.xDims, out32, outDims, p)
				sameBits(t, out32, convertTo[float32](want))
				x64, out64 := convertTo[float64](xv), make([]float64, m)
				im2col(x64, c.xDims, out64, outDims, p)
				sameBits(t, out64, want)
			}
		})
	}
}
