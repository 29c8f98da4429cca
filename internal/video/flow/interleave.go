package flow

import (
	"fmt"
	"sync"

	"github.com/actrepro/actrepro/internal/data"
)

// Interleave returns the paper's input order I1 F1 I2 F2 ... In Fn from n
// RGB frames and their n flow frames (any frame type: images, tensors,
// embeddings).
func Interleave[T any](rgb, flows []T) ([]T, error) {
	if len(rgb) != len(flows) {
		return nil, fmt.Errorf("flow: Interleave of %d RGB frames with %d flow frames", len(rgb), len(flows))
	}
	out := make([]T, 0, 2*len(rgb))
	for i := range rgb {
		out = append(out, rgb[i], flows[i])
	}
	return out, nil
}

// PairFor returns the video frames (a, b) whose flow F accompanies frame t
// of a video of n frames: the paper's F_i is computed between I_i and
// I_i+1, the next frame of the video (not the next sampled frame), so
// (t, t+1). The last frame has no successor and takes the flow of
// (n-2, n-1), the motion that ends the video; a one-frame video gives
// (0, 0), a zero flow.
func PairFor(t, n int) (a, b int) {
	if n <= 1 {
		return 0, 0
	}
	t = max(0, min(t, n-1))
	if t == n-1 {
		return n - 2, n - 1
	}
	return t, t + 1
}

// ForFrames returns the flow fields that accompany frames idx of v (field k
// is the flow of PairFor(idx[k], v.T)). A pair used twice is computed
// once. workers > 1 computes pairs concurrently; the fields do not depend
// on it.
func ForFrames(v *data.Video, idx []int, o Options, workers int) ([]*Field, error) {
	if v == nil || v.T < 1 {
		return nil, fmt.Errorf("flow: ForFrames of an empty video")
	}
	type pair struct{ a, b int }
	pairs := make([]pair, len(idx))
	uniq := map[pair]int{}
	var order []pair
	for k, t := range idx {
		if t < 0 || t >= v.T {
			return nil, fmt.Errorf("flow: frame %d outside a %d-frame video", t, v.T)
		}
		a, b := PairFor(t, v.T)
		pairs[k] = pair{a, b}
		if _, ok := uniq[pairs[k]]; !ok {
			uniq[pairs[k]] = len(order)
			order = append(order, pairs[k])
		}
	}
	fields := make([]*Field, len(order))
	errs := make([]error, len(order))
	workers = max(1, min(workers, len(order)))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				p := order[j]
				fields[j], errs[j] = ComputeRGB(v.Frame(p.a), v.Frame(p.b), v.W, v.H, o)
			}
		}()
	}
	for j := range order {
		next <- j
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := make([]*Field, len(idx))
	for k, p := range pairs {
		out[k] = fields[uniq[p]]
	}
	return out, nil
}

// Resize returns f resampled to w x h with its vectors rescaled to the new
// pixel size, so that the result is the flow of the frames resized to
// w x h. Shrinking (both sides no larger) averages each output pixel's
// footprint (area resampling, exact for fractional footprints); otherwise
// the field is interpolated bilinearly at aligned pixel centres.
func Resize(f *Field, w, h int) *Field {
	if w == f.W && h == f.H {
		return &Field{W: w, H: h, U: append([]float32(nil), f.U...), V: append([]float32(nil), f.V...)}
	}
	if w > f.W || h > f.H {
		return upsample(f, w, h)
	}
	rx, ry := float32(f.W)/float32(w), float32(f.H)/float32(h)
	wx, wy := areaWeights(f.W, w), areaWeights(f.H, h)
	o := NewField(w, h)
	tmpU := make([]float32, f.H*w)
	tmpV := make([]float32, f.H*w)
	for y := 0; y < f.H; y++ {
		for x, ws := range wx {
			var su, sv float32
			for _, c := range ws {
				su += c.w * f.U[y*f.W+c.i]
				sv += c.w * f.V[y*f.W+c.i]
			}
			tmpU[y*w+x], tmpV[y*w+x] = su, sv
		}
	}
	for y, ws := range wy {
		for x := 0; x < w; x++ {
			var su, sv float32
			for _, c := range ws {
				su += c.w * tmpU[c.i*w+x]
				sv += c.w * tmpV[c.i*w+x]
			}
			o.U[y*w+x], o.V[y*w+x] = su/rx, sv/ry
		}
	}
	return o
}

type tap struct {
	i int
	w float32
}

// areaWeights returns, for each of m output cells over n input cells
// (m <= n), the input cells it overlaps and the overlap fractions, summing
// to 1.
func areaWeights(n, m int) [][]tap {
	out := make([][]tap, m)
	scale := float64(n) / float64(m)
	for j := range out {
		lo, hi := float64(j)*scale, float64(j+1)*scale
		for i := int(lo); i < n && float64(i) < hi; i++ {
			ov := min(hi, float64(i+1)) - max(lo, float64(i))
			if ov > 1e-9 {
				out[j] = append(out[j], tap{i, float32(ov / scale)})
			}
		}
	}
	return out
}
