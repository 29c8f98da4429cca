package detfeat

import (
	"fmt"
	"math"
)

// AFSDRate is AFSD's and GAF's sampling rate: videos are decoded at 10 fps
// (AFSD thumos_annotations/*_video_info.csv sample_fps; GAF video2npy.py
// L25), so a 256-frame window spans 25.6 s.
const AFSDRate = 10.0

// GridSteps is the number of points of a rate-Hz grid over a video, as
// AFSD counts them: floor(Frames·rate/FPS) (its sample_count column, e.g.
// 5,091 frames at 30 fps give 1,697 points at 10 fps).
func GridSteps(v Video, rate float64) int {
	return max(1, int(math.Floor(float64(v.Frames)*rate/v.FPS+1e-9)))
}

// Resample puts f on the grid t_k = k/rate, k = 0…n−1, by linear
// interpolation between the two step centres around t_k; points before
// the first centre or after the last take the end step's value.
func Resample(f *Features, rate float64, n int) (*Features, error) {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("detfeat: resample rate %v: want a positive rate", rate)
	}
	if n <= 0 {
		return nil, fmt.Errorf("detfeat: resample to %d points: want > 0", n)
	}
	if f.T <= 0 || !(f.Step > 0) {
		return nil, fmt.Errorf("detfeat: resample %s: %d steps of %v s", f.Video, f.T, f.Step)
	}
	out := &Features{Video: f.Video, T: n, D: f.D, Data: make([]float32, n*f.D), Offset: 0, Step: 1 / rate}
	for k := 0; k < n; k++ {
		x := (float64(k)/rate - f.Offset) / f.Step
		row := out.Row(k)
		switch {
		case x <= 0:
			copy(row, f.Row(0))
		case x >= float64(f.T-1):
			copy(row, f.Row(f.T-1))
		default:
			i := int(math.Floor(x))
			a := float32(x - float64(i))
			r0, r1 := f.Row(i), f.Row(i+1)
			for j := range row {
				row[j] = r0[j] + a*(r1[j]-r0[j])
			}
		}
	}
	return out, nil
}

// OnGrid is src's features of video v resampled to the rate-Hz grid of
// GridSteps(v, rate) points (AFSD: OnGrid(src, v, AFSDRate)).
func OnGrid(src Source, v Video, rate float64) (*Features, error) {
	f, err := src.Features(v.ID)
	if err != nil {
		return nil, err
	}
	return Resample(f, rate, GridSteps(v, rate))
}
