package afsd

import (
	"math"
	"sort"
)

// Post-processing constants of AFSD's THUMOS14 test (configs/thumos14.yaml testing: and
// common/segment_utils.py:128).
const (
	ConfThresh     = 0.01  // testing.conf_thresh
	TopK           = 5000  // testing.top_k
	NMSSigmaAFSD   = 0.5   // testing.nms_sigma (AFSD)
	NMSSigmaGAF    = 0.01  // GAF's configs/thumos14.yaml nms_sigma
	NMSScoreThresh = 0.001 // softnms_v2 score_threshold
)

// Raw is one window's outputs for one stream, flattened: Loc and PropLoc [P·2], Conf and
// PropConf [P·(K+1)], Center [P].
type Raw struct {
	Loc, Conf, PropLoc, PropConf, Center []float32
}

// Fuse averages two streams' raw outputs (logits, distances and quality logits alike), as
// test.py:141-145 does for RGB and flow.
func Fuse(a, b Raw) Raw {
	avg := func(x, y []float32) []float32 {
		out := make([]float32, len(x))
		for i := range x {
			out[i] = (x[i] + y[i]) / 2
		}
		return out
	}
	return Raw{avg(a.Loc, b.Loc), avg(a.Conf, b.Conf), avg(a.PropLoc, b.PropLoc), avg(a.PropConf, b.PropConf), avg(a.Center, b.Center)}
}

// Box is a scored detection in seconds with its class 1..K.
type Box struct {
	Start, End, Score float64
	Class             int
}

// Decode turns one window's fused outputs into candidate boxes (test.py:154-182): the refined
// distances 0.5·w·prop + coarse around each prior, clamped to the window; scores
// (softmax(conf) + softmax(prop_conf))/2 · σ(quality); for each action class the points scoring
// above thresh, mapped to seconds as (frame + offset)/fps. Boxes whose refined end precedes
// their start are dropped.
func Decode(c Config, r Raw, offset int, fps, thresh float64) []Box {
	priors := c.Priors()
	L := float64(c.ClipLength)
	k1 := c.Classes + 1
	var out []Box
	sm := func(x []float32) []float64 {
		m := math.Inf(-1)
		for _, v := range x {
			m = math.Max(m, float64(v))
		}
		s := 0.0
		p := make([]float64, len(x))
		for i, v := range x {
			p[i] = math.Exp(float64(v) - m)
			s += p[i]
		}
		for i := range p {
			p[i] /= s
		}
		return p
	}
	for i, pr := range priors {
		l0, r0 := float64(r.Loc[2*i]), float64(r.Loc[2*i+1])
		w := l0 + r0
		l := 0.5*w*float64(r.PropLoc[2*i]) + l0
		rr := 0.5*w*float64(r.PropLoc[2*i+1]) + r0
		s := math.Min(math.Max(pr*L-l, 0), L)
		e := math.Min(math.Max(pr*L+rr, 0), L)
		if e < s {
			// A refinement can push the start past the end; AFSD keeps such boxes and its
			// evaluator scores them with a negative length. The harness's evaluator rejects
			// them (metrics.DetectionMAP), so they are dropped here.
			continue
		}
		p1 := sm(r.Conf[i*k1 : (i+1)*k1])
		p2 := sm(r.PropConf[i*k1 : (i+1)*k1])
		q := 1 / (1 + math.Exp(-float64(r.Center[i])))
		for cl := 1; cl < k1; cl++ {
			sc := (p1[cl] + p2[cl]) / 2 * q
			if sc > thresh {
				out = append(out, Box{Start: (s + float64(offset)) / fps, End: (e + float64(offset)) / fps, Score: sc, Class: cl})
			}
		}
	}
	return out
}

// SoftNMS is softnms_v2 (common/segment_utils.py:128-157) on one class's boxes of one video:
// repeatedly take the highest-scoring remaining box, decay the others' scores by
// exp(-IoU²/σ) and drop those under scoreThresh, until topK are taken. With afsdQuirk the loop
// runs while more than one box remains, as the code's `undone_mask.sum() > 1` (L135), so the
// last remaining box is dropped; without it the last box is kept. The result is in the
// boxes' input order, as the code's masks return them. IoU uses the kept box's length clamped
// at 1e-5 (L150).
func SoftNMS(boxes []Box, sigma, scoreThresh float64, topK int, afsdQuirk bool) []Box {
	n := len(boxes)
	score := make([]float64, n)
	undone := make([]bool, n)
	done := make([]bool, n)
	nUndone, nDone := 0, 0
	for i, b := range boxes {
		score[i] = b.Score
		if b.Score >= scoreThresh {
			undone[i] = true
			nUndone++
		}
	}
	floor := 0
	if afsdQuirk {
		floor = 1
	}
	for nUndone > floor && nDone < topK {
		idx := -1
		for i := range n {
			if undone[i] && (idx < 0 || score[i] > score[idx]) {
				idx = i
			}
		}
		undone[idx], done[idx] = false, true
		nUndone--
		nDone++
		ts, te := boxes[idx].Start, boxes[idx].End
		width := math.Max(te-ts, 1e-5)
		for i := range n {
			if !undone[i] {
				continue
			}
			inter := math.Max(math.Min(boxes[i].End, te)-math.Max(boxes[i].Start, ts), 0)
			iou := inter / (width + (boxes[i].End - boxes[i].Start) - inter)
			score[i] *= math.Exp(-iou * iou / sigma)
			if score[i] < scoreThresh {
				undone[i] = false
				nUndone--
			}
		}
	}
	var out []Box
	for i := range n {
		if done[i] {
			b := boxes[i]
			b.Score = score[i]
			out = append(out, b)
		}
	}
	return out
}

// VideoDetections is the per-video post-processing (test.py:186-215): soft-NMS per class over
// all windows' candidates, each class keeping at most topK boxes; boxes are returned sorted by
// class, then by descending score. preTopK > 0 first keeps only each class's preTopK
// best-scoring candidates (in their input order), a cap AFSD does not have: soft-NMS costs
// O(candidates × kept), and a weakly trained detector passes nearly every point and class over
// the 0.01 threshold (ActionFormer caps at 2,000 before NMS for the same reason).
func VideoDetections(cands []Box, classes int, sigma float64, topK, preTopK int, afsdQuirk bool) []Box {
	by := make([][]Box, classes+1)
	for _, b := range cands {
		by[b.Class] = append(by[b.Class], b)
	}
	var out []Box
	for cl := 1; cl <= classes; cl++ {
		if len(by[cl]) == 0 {
			continue
		}
		if preTopK > 0 && len(by[cl]) > preTopK {
			idx := make([]int, len(by[cl]))
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, b int) bool { return by[cl][idx[a]].Score > by[cl][idx[b]].Score })
			idx = idx[:preTopK]
			sort.Ints(idx)
			sel := make([]Box, len(idx))
			for i, j := range idx {
				sel[i] = by[cl][j]
			}
			by[cl] = sel
		}
		kept := SoftNMS(by[cl], sigma, NMSScoreThresh, topK, afsdQuirk)
		sort.SliceStable(kept, func(i, j int) bool { return kept[i].Score > kept[j].Score })
		for _, b := range kept {
			if b.Score > 0 {
				out = append(out, b)
			}
		}
	}
	return out
}
