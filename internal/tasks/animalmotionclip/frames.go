package animalmotionclip

import (
	"fmt"
	"time"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/video/flow"
)

// PrepareVideo computes the flow images of every frame of v (frame t's image is the flow of
// flow.PairFor(t, T), at v's size) and returns the frames and flow images at s × s, with the
// seconds spent on flow. The flow is resized with flow.Resize (vectors rescaled to the new
// pixel size) and rendered with flow.Render(f, flowMax).
func PrepareVideo(v *data.Video, s int, flowMax float64) (*Clip, float64, error) {
	if v == nil || v.T < 1 || v.W < s || v.H < s {
		return nil, 0, fmt.Errorf("video of %d frames at %dx%d cannot give %dx%d frames", videoT(v), videoW(v), videoH(v), s, s)
	}
	idx := make([]int, v.T)
	for i := range idx {
		idx[i] = i
	}
	start := time.Now()
	fields, err := flow.ForFrames(v, idx, flow.DefaultOptions(), 1)
	if err != nil {
		return nil, 0, err
	}
	secs := time.Since(start).Seconds()
	n := s * s * 3
	c := &Clip{T: v.T, RGB: make([]uint8, v.T*n), Flow: make([]uint8, v.T*n)}
	for t := range v.T {
		copy(c.RGB[t*n:(t+1)*n], AreaResize(v.Frame(t), v.W, v.H, s, s))
		copy(c.Flow[t*n:(t+1)*n], flow.Render(flow.Resize(fields[t], s, s), flowMax))
	}
	return c, secs, nil
}

func videoT(v *data.Video) int {
	if v == nil {
		return 0
	}
	return v.T
}

func videoW(v *data.Video) int {
	if v == nil {
		return 0
	}
	return v.W
}

func videoH(v *data.Video) int {
	if v == nil {
		return 0
	}
	return v.H
}

// AreaResize shrinks an RGB24 image w × h to ow × oh by averaging each output pixel's
// source rectangle (weights by overlap), the area filter that keeps thin moving parts visible.
func AreaResize(rgb []uint8, w, h, ow, oh int) []uint8 {
	out := make([]uint8, ow*oh*3)
	if w == ow && h == oh {
		copy(out, rgb)
		return out
	}
	fx, fy := float64(w)/float64(ow), float64(h)/float64(oh)
	for oy := range oh {
		y0, y1 := float64(oy)*fy, float64(oy+1)*fy
		for ox := range ow {
			x0, x1 := float64(ox)*fx, float64(ox+1)*fx
			var acc [3]float64
			var wsum float64
			for y := int(y0); y < h && float64(y) < y1; y++ {
				wy := min(float64(y+1), y1) - max(float64(y), y0)
				for x := int(x0); x < w && float64(x) < x1; x++ {
					wx := min(float64(x+1), x1) - max(float64(x), x0)
					wgt := wx * wy
					p := (y*w + x) * 3
					for ch := range 3 {
						acc[ch] += wgt * float64(rgb[p+ch])
					}
					wsum += wgt
				}
			}
			for ch := range 3 {
				out[(oy*ow+ox)*3+ch] = uint8(acc[ch]/wsum + 0.5)
			}
		}
	}
	return out
}
