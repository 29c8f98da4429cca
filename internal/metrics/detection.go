package metrics

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// GTSegment is one ground-truth action instance.
type GTSegment struct {
	Video, Label string
	Start, End   float64 // seconds (or any unit shared with the predictions)
}

// Detection is one predicted action instance with its confidence.
type Detection struct {
	Video, Label string
	Start, End   float64
	Score        float64
}

// TIoU is the temporal intersection over union of [s1,e1] and [s2,e2], as
// the ActivityNet evaluation computes it: lengths are e−s (no +1 term) and
// a negative overlap counts as 0. Two zero-length segments have an empty
// union; their tIoU is defined as 0 here (the official code would divide
// by zero).
func TIoU(s1, e1, s2, e2 float64) float64 {
	inter := math.Max(0, math.Min(e1, e2)-math.Max(s1, s2))
	union := (e1 - s1) + (e2 - s2) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// DetectionResult is the temporal detection mAP at each tIoU threshold.
type DetectionResult struct {
	TIoU    []float64            // thresholds, as given
	MAP     []float64            // mAP per threshold
	Average float64              // mean of MAP over thresholds
	Classes []string             // ground-truth classes, sorted
	AP      map[string][]float64 // per class, AP per threshold
}

// DetectionMAP evaluates predictions against ground truth with the
// ActivityNet protocol (Heilbron et al., CVPR 2015; official
// Evaluation/eval_detection.py):
//
//   - per class, predictions are taken in descending score; ties keep their
//     input order (a stable sort; the official code's argsort()[::-1] is not
//     stable, so exact ties may be ordered differently there);
//   - each prediction is matched to the unmatched ground-truth instance of
//     the same video and class with the highest tIoU (ties: the earlier
//     instance in input order); a match needs tIoU ≥ threshold, otherwise
//     the prediction is a false positive. A prediction whose video has no
//     ground truth of its class is a false positive;
//   - AP is the VOC-2011 interpolated area under precision-recall (precision
//     made monotone from the right, summed over recall steps, recall padded
//     to 1 with precision 0);
//   - mAP averages over every class in the ground truth; a class without
//     predictions has AP 0.
//
// A prediction whose label is not a ground-truth class is an error (the
// official code fails there too), as is an empty ground truth, a threshold
// outside (0, 1], a non-finite value or a segment ending before it starts.
func DetectionMAP(gt []GTSegment, pred []Detection, tious []float64) (*DetectionResult, error) {
	if len(gt) == 0 {
		return nil, errors.New("metrics: detection ground truth is empty")
	}
	if len(tious) == 0 {
		return nil, errors.New("metrics: no tIoU thresholds")
	}
	for _, t := range tious {
		if !(t > 0 && t <= 1) {
			return nil, fmt.Errorf("metrics: tIoU threshold %v outside (0, 1]", t)
		}
	}
	type gtList struct {
		byVideo map[string][]int // indices into segs
		segs    []GTSegment
	}
	classes := map[string]*gtList{}
	for i, g := range gt {
		if err := checkSegment(g.Start, g.End); err != nil {
			return nil, fmt.Errorf("metrics: ground truth %d (video %q, label %q): %w", i, g.Video, g.Label, err)
		}
		cl := classes[g.Label]
		if cl == nil {
			cl = &gtList{byVideo: map[string][]int{}}
			classes[g.Label] = cl
		}
		cl.byVideo[g.Video] = append(cl.byVideo[g.Video], len(cl.segs))
		cl.segs = append(cl.segs, g)
	}
	predBy := map[string][]Detection{}
	for i, p := range pred {
		if _, ok := classes[p.Label]; !ok {
			return nil, fmt.Errorf("metrics: prediction %d (video %q) has label %q, which is not a ground-truth class", i, p.Video, p.Label)
		}
		if err := checkSegment(p.Start, p.End); err != nil {
			return nil, fmt.Errorf("metrics: prediction %d (video %q, label %q): %w", i, p.Video, p.Label, err)
		}
		if math.IsNaN(p.Score) || math.IsInf(p.Score, 0) {
			return nil, fmt.Errorf("metrics: prediction %d (video %q, label %q): score %v is not finite", i, p.Video, p.Label, p.Score)
		}
		predBy[p.Label] = append(predBy[p.Label], p)
	}

	res := &DetectionResult{TIoU: append([]float64(nil), tious...), AP: map[string][]float64{}}
	for c := range classes {
		res.Classes = append(res.Classes, c)
	}
	sort.Strings(res.Classes)
	res.MAP = make([]float64, len(tious))
	for _, c := range res.Classes {
		cl := classes[c]
		ap := classAP(cl.segs, cl.byVideo, predBy[c], tious)
		res.AP[c] = ap
		for t := range tious {
			res.MAP[t] += ap[t]
		}
	}
	for t := range tious {
		res.MAP[t] /= float64(len(res.Classes))
		res.Average += res.MAP[t]
	}
	res.Average /= float64(len(tious))
	return res, nil
}

func checkSegment(s, e float64) error {
	if math.IsNaN(s) || math.IsInf(s, 0) || math.IsNaN(e) || math.IsInf(e, 0) {
		return fmt.Errorf("segment [%v, %v] is not finite", s, e)
	}
	if e < s {
		return fmt.Errorf("segment [%v, %v] ends before it starts", s, e)
	}
	return nil
}

// classAP is the AP of one class at each threshold.
func classAP(gt []GTSegment, byVideo map[string][]int, pred []Detection, tious []float64) []float64 {
	ap := make([]float64, len(tious))
	if len(pred) == 0 {
		return ap
	}
	sorted := append([]Detection(nil), pred...)
	sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].Score > sorted[b].Score })
	npos := float64(len(gt))
	for t, thr := range tious {
		locked := make([]bool, len(gt))
		tp := make([]bool, len(sorted))
		for i, p := range sorted {
			cands := byVideo[p.Video]
			best, bestIoU := -1, -1.0
			for _, g := range cands {
				if locked[g] {
					continue
				}
				iou := TIoU(p.Start, p.End, gt[g].Start, gt[g].End)
				if iou > bestIoU {
					best, bestIoU = g, iou
				}
			}
			if best >= 0 && bestIoU >= thr {
				locked[best] = true
				tp[i] = true
			}
		}
		ap[t] = interpolatedAP(tp, npos)
	}
	return ap
}

// interpolatedAP is the VOC-2011 interpolated AP of a ranked list of
// true/false positives with npos ground-truth instances.
func interpolatedAP(tp []bool, npos float64) float64 {
	n := len(tp)
	prec := make([]float64, n+2)
	rec := make([]float64, n+2)
	ctp, cfp := 0.0, 0.0
	for i, ok := range tp {
		if ok {
			ctp++
		} else {
			cfp++
		}
		prec[i+1] = ctp / (ctp + cfp)
		rec[i+1] = ctp / npos
	}
	rec[n+1] = 1
	for i := n; i >= 0; i-- {
		prec[i] = math.Max(prec[i], prec[i+1])
	}
	var ap float64
	for i := 1; i <= n+1; i++ {
		if rec[i] != rec[i-1] {
			ap += (rec[i] - rec[i-1]) * prec[i]
		}
	}
	return ap
}
