// Package detprotocol evaluates temporal action detections under a named
// protocol: "activitynet", the official ActivityNet evaluation, or "afsd",
// the variant AFSD's and GAF's evaluation scripts run, which silently drops
// some predictions first. Its one job is to apply that filter, call
// metrics.DetectionMAP and report what was dropped; the matching and AP
// arithmetic are metrics.DetectionMAP's.
//
// The two protocols differ only in predictions the ground truth cannot
// score:
//
//   - activitynet (activitynet/ActivityNet @ 2795199,
//     Evaluation/eval_detection.py): a prediction on a video with no
//     ground-truth instance (of the evaluated subset) is a false positive
//     of its class (compute_average_precision_detection: the
//     ground_truth_gbvn.get_group lookup fails and fp is set to 1). A
//     prediction whose label is not a ground-truth class cannot be a false
//     positive of any class; the official code raises KeyError on it
//     (_import_prediction, activity_index[result['label']]), and so does
//     this package (an error).
//   - afsd (TencentYoutuResearch/ActionDetection-AFSD @ ed86a0d,
//     AFSD/evaluation/eval_detection.py L136–137 and L139–140; identical in
//     Generative-Feature-Model/GAF @ adf91d1, GAF/evaluation/eval_detection.py
//     L131–132 and L134–135): predictions on a video that has no
//     ground-truth instance in the subset are dropped before evaluation
//     (the video check comes first), and so are predictions whose label is
//     not a ground-truth class.
//
// Under both, a ground-truth class without any prediction has AP 0, as in
// AFSD's _get_predictions_with_label (L154–163, an empty prediction list);
// the official code at 2795199 raises KeyError there instead.
//
// On THUMOS14, AFSD's test.py predicts on all 212 test videos while
// thumos_gt.json's test subset holds 210 (video_test_0000270 and
// video_test_0001496 are absent), so the two protocols give different
// numbers for the same predictions.
package detprotocol

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/metrics"
)

// Protocol names an evaluation protocol.
type Protocol string

// The protocols.
const (
	ActivityNet Protocol = "activitynet"
	AFSD        Protocol = "afsd"
)

// Protocols lists the protocols in a fixed order.
var Protocols = []Protocol{ActivityNet, AFSD}

// Parse reads a protocol name (case-insensitive).
func Parse(s string) (Protocol, error) {
	switch p := Protocol(strings.ToLower(strings.TrimSpace(s))); p {
	case ActivityNet, AFSD:
		return p, nil
	}
	return "", fmt.Errorf("detection protocol %q: want %q or %q", s, ActivityNet, AFSD)
}

// Note is a one-line description of the protocol for a table's notes.
func (p Protocol) Note() string {
	switch p {
	case ActivityNet:
		return "ActivityNet protocol (official eval_detection.py): predictions on videos without ground truth are false positives"
	case AFSD:
		return "AFSD/GAF protocol (AFSD evaluation/eval_detection.py L136-140): predictions on videos without ground truth, and with unknown labels, are dropped"
	}
	return string(p)
}

// THUMOSTIoU are the thresholds the GAF tables report on THUMOS14 (0.1 to
// 0.7; AFSD's eval.py uses 0.3–0.7, GAF's 0.1–0.6, GAF's Table VII 0.3–0.7).
var THUMOSTIoU = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}

// ActivityNetTIoU are ActivityNet's thresholds 0.5:0.05:0.95.
var ActivityNetTIoU = []float64{0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95}

// Result is a detection evaluation with what the protocol dropped.
type Result struct {
	metrics.DetectionResult
	Protocol    Protocol
	Predictions int // predictions given
	Evaluated   int // predictions scored
	// DroppedNoGT counts predictions dropped because their video has no
	// ground-truth instance, DroppedLabel those dropped for a label that is
	// not a ground-truth class (afsd only; both 0 under activitynet).
	DroppedNoGT, DroppedLabel int
	// DroppedVideos are the distinct videos of the DroppedNoGT predictions,
	// sorted.
	DroppedVideos []string
}

// Evaluate scores pred against gt at each tIoU threshold under protocol p.
// Errors are metrics.DetectionMAP's (an empty ground truth, a bad
// threshold or segment; under activitynet, an unknown label).
func Evaluate(p Protocol, gt []metrics.GTSegment, pred []metrics.Detection, tious []float64) (*Result, error) {
	if _, err := Parse(string(p)); err != nil {
		return nil, err
	}
	res := &Result{Protocol: p, Predictions: len(pred)}
	kept := pred
	if p == AFSD {
		videos, labels := map[string]bool{}, map[string]bool{}
		for _, g := range gt {
			videos[g.Video], labels[g.Label] = true, true
		}
		kept = make([]metrics.Detection, 0, len(pred))
		dropped := map[string]bool{}
		for _, d := range pred {
			switch {
			case !videos[d.Video]: // L136–137: checked before the label
				res.DroppedNoGT++
				dropped[d.Video] = true
			case !labels[d.Label]: // L139–140
				res.DroppedLabel++
			default:
				kept = append(kept, d)
			}
		}
		for v := range dropped {
			res.DroppedVideos = append(res.DroppedVideos, v)
		}
		sort.Strings(res.DroppedVideos)
	}
	r, err := metrics.DetectionMAP(gt, kept, tious)
	if err != nil {
		return nil, fmt.Errorf("%s protocol: %w", p, err)
	}
	res.DetectionResult = *r
	res.Evaluated = len(kept)
	return res, nil
}

// Index is the position of threshold t in TIoU (within 1e-9), or -1.
func (r *Result) Index(t float64) int {
	for i, x := range r.TIoU {
		if math.Abs(x-t) < 1e-9 {
			return i
		}
	}
	return -1
}

// PerClassAt is every class's AP at threshold t (Table III reports t = 0.5).
func (r *Result) PerClassAt(t float64) (map[string]float64, error) {
	i := r.Index(t)
	if i < 0 {
		return nil, fmt.Errorf("detprotocol: tIoU %v was not evaluated (have %v)", t, r.TIoU)
	}
	out := make(map[string]float64, len(r.AP))
	for c, ap := range r.AP {
		out[c] = ap[i]
	}
	return out, nil
}

// Ground-truth files of THUMOS14 under the data root.
const (
	// THUMOSGT is AFSD's thumos_gt.json, the file AFSD's and GAF's eval.py
	// read by default; its "test" subset has 210 videos and 3,311 instances.
	THUMOSGT       = "thumos14/thumos_gt.json"
	THUMOSGTSubset = "test"
	// THUMOSActionFormerGT is thumos14.json, whose "Test" subset has all
	// 212 test videos (3,358 instances).
	THUMOSActionFormerGT = "thumos14/thumos14.json"
)

// ReadGT reads an ActivityNet-schema ground truth file, keeping the videos
// of subset (case-insensitive; "" keeps all).
func ReadGT(path, subset string) ([]metrics.GTSegment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return metrics.ReadActivityNetGT(f, path, subset)
}

// THUMOS14GT reads the ground truth the GAF tables are evaluated against:
// root/thumos14/thumos_gt.json, subset "test".
func THUMOS14GT(root string) ([]metrics.GTSegment, error) {
	return ReadGT(filepath.Join(root, filepath.FromSlash(THUMOSGT)), THUMOSGTSubset)
}

// Restrict keeps the ground truth of the given videos (a smoke-scale run
// that predicts on a dozen test videos is scored against their instances
// only; classes without an instance there leave the mAP's average).
func Restrict(gt []metrics.GTSegment, videos []string) []metrics.GTSegment {
	keep := make(map[string]bool, len(videos))
	for _, v := range videos {
		keep[v] = true
	}
	var out []metrics.GTSegment
	for _, g := range gt {
		if keep[g.Video] {
			out = append(out, g)
		}
	}
	return out
}
