package afsd

import "math"

// AFSD's THUMOS14 windowing (configs/thumos14.yaml; common/thumos_dataset.py:70-130;
// thumos14/test.py:67-75).
const (
	SampleFPS   = 10.0 // the frame grid (val/test_video_info.csv sample_fps)
	ClipLength  = 256  // clip_length
	TrainStride = 30   // training.clip_stride
	TestStride  = 128  // testing.clip_stride
)

// Segment is a ground-truth instance in frames of the 10 fps grid with its class 1..K
// (0 is the background).
type Segment struct {
	Start, End float64
	Label      int
}

// Window is one training clip: its offset in the video's grid, the segments inside it
// (window-relative frames, clipped), and the frame-level boundary masks.
type Window struct {
	Offset     int
	Annos      []Segment
	Start, End []float32 // [L]
}

// Offsets are the window starts of a video of n frames: 0 when n <= l, else every stride
// frames with the last window aligned to the end (thumos_dataset.py:83-91, test.py:70-75).
func Offsets(n, l, stride int) []int {
	if n <= l {
		return []int{0}
	}
	var out []int
	for o := 0; o <= n-l; o += stride {
		out = append(out, o)
	}
	if (n-l)%stride != 0 {
		out = append(out, n-l)
	}
	return out
}

// TrainWindows is split_videos (thumos_dataset.py:70-130) for one video of n frames with
// segments annos (frames): a window is kept only if it holds a whole segment (ioa >= 1 against
// the window [offset+1, offset+l], the code's one-based left edge); it carries every segment
// it covers by ioa >= 0.5, clipped to [1, l] in window frames, and boundary masks of width
// max(len/10, 2) around each start and end (L111-121).
func TrainWindows(n int, annos []Segment, l, stride int) []Window {
	var out []Window
	for _, off := range Offsets(n, l, stride) {
		left, right := float64(off+1), float64(off+l)
		var cur []Segment
		keep := false
		for _, a := range annos {
			ioa := (math.Min(right, a.End) - math.Max(left, a.Start)) / (a.End - a.Start)
			if ioa >= 1 {
				keep = true
			}
			if ioa >= 0.5 {
				cur = append(cur, Segment{Start: math.Max(a.Start-float64(off), 1), End: math.Min(a.End-float64(off), float64(l)), Label: a.Label})
			}
		}
		if !keep {
			continue
		}
		w := Window{Offset: off, Annos: cur}
		w.Start, w.End = Masks(cur, l)
		out = append(out, w)
	}
	return out
}

// Masks are the frame-level start and end targets of a window of l frames with segments annos
// (window frames): ones over [round(s - d/2), round(s + d/2)] around each start s and likewise
// around each end, d = max(len/10, 2), clipped to the window (thumos_dataset.py:111-121).
func Masks(annos []Segment, l int) (start, end []float32) {
	start, end = make([]float32, l), make([]float32, l)
	clip := func(v float64) int { return min(max(int(math.RoundToEven(v)), 0), l-1) }
	for _, a := range annos {
		d := math.Max((a.End-a.Start)/10, 2)
		for i := clip(a.Start - d/2); i < clip(a.Start+d/2)+1; i++ {
			start[i] = 1
		}
		for i := clip(a.End - d/2); i < clip(a.End+d/2)+1; i++ {
			end[i] = 1
		}
	}
	return start, end
}

// AssignTargets matches the points to a window's segments (multisegment_loss.py:150-175): a
// point whose centre lies in segments (start <= centre <= end) takes the shortest of them; its
// targets are the distances to that segment's start and end in frames and its class; other
// points are background (class 0, distances of the last best match, unused). Segments are in
// window frames (as [Window.Annos]); results are [P·2] and [P].
func AssignTargets(c Config, annos []Segment) (loc []float32, conf []int32) {
	priors := c.Priors()
	L := float64(c.ClipLength)
	loc = make([]float32, 2*len(priors))
	conf = make([]int32, len(priors))
	for i, p := range priors {
		best, bestArea := -1, 2*L
		for k, a := range annos {
			left := (p - a.Start/L) * L
			right := (a.End/L - p) * L
			area := left + right
			if left < 0 || right < 0 {
				area = 2 * L
			}
			if area < bestArea || best < 0 {
				if best < 0 || area < bestArea {
					best, bestArea = k, area
				}
			}
		}
		if best < 0 {
			continue
		}
		a := annos[best]
		loc[2*i] = float32((p - a.Start/L) * L)
		loc[2*i+1] = float32((a.End/L - p) * L)
		if bestArea < 2*L {
			conf[i] = int32(a.Label)
		}
	}
	return loc, conf
}
