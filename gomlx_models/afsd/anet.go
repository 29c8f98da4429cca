package afsd

// ANetBounds are AFSD's ActivityNet regression ranges per pyramid level, in frames of the
// 768-frame clip (AFSD/anet/multisegment_loss.py:128): a point of level i may take a segment
// only if the larger of its distances to the segment's ends lies in (lo, hi].
var ANetBounds = [][2]float64{{0, 30}, {15, 60}, {30, 120}, {60, 240}, {96, 768}, {256, 768}}

// AssignTargetsANet is the ActivityNet matching (AFSD/anet/multisegment_loss.py:198-219):
// as [AssignTargets] (a point inside segments takes the shortest), but a point of level i
// ignores the segments whose larger distance max(left, right) is <= ANetBounds[i][0] or
// > ANetBounds[i][1]. Levels past the table's end use its last row.
func AssignTargetsANet(c Config, annos []Segment) (loc []float32, conf []int32) {
	priors := c.Priors()
	L := float64(c.ClipLength)
	loc = make([]float32, 2*len(priors))
	conf = make([]int32, len(priors))
	level := make([]int, 0, len(priors))
	for i, t := range c.LevelLengths() {
		for range t {
			level = append(level, i)
		}
	}
	for i, p := range priors {
		b := ANetBounds[min(level[i], len(ANetBounds)-1)]
		best, bestArea := -1, 2*L
		for k, a := range annos {
			left := (p - a.Start/L) * L
			right := (a.End/L - p) * L
			area := left + right
			md := max(left, right)
			if left < 0 || right < 0 || md <= b[0] || md > b[1] {
				area = 2 * L
			}
			if best < 0 || area < bestArea { // torch's min keeps the first of equal areas
				best, bestArea = k, area
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

// ANetWindow is AFSD's ActivityNet training sample (AFSD/common/anet_dataset.py:44-101): one
// window at offset 0 holding every segment of a video already resampled to l frames
// (segments with end <= start dropped), with the boundary masks of [Masks]; ok is false when
// no segment is left (the video is skipped).
func ANetWindow(annos []Segment, l int) (w Window, ok bool) {
	var cur []Segment
	for _, a := range annos {
		if a.End > a.Start {
			cur = append(cur, a)
		}
	}
	if len(cur) == 0 {
		return w, false
	}
	w = Window{Offset: 0, Annos: cur}
	w.Start, w.End = Masks(cur, l)
	return w, true
}
