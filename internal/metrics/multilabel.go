package metrics

import (
	"fmt"
	"math"
)

// AKTrainClips is the size of Animal Kingdom's official action-recognition
// train split (train_light.csv), the split whose label counts define the
// head/middle/tail segments.
const AKTrainClips = 24004

// ScaledTrainCounts is THE rule of the project for the training counts that
// define head/middle/tail: a class's positives among the nTrain clips a
// model was trained on, scaled by AKTrainClips/nTrain and rounded, so that
// a class keeps the segment its frequency gives it on the full split. On
// the full real split (nTrain = AKTrainClips) the counts are unchanged and
// the segments are the official ones (18 head / 32 middle / 90 tail); on a
// seeded subset or a synthetic twin of another size they approximate them.
// nTrain <= 0 returns a copy of counts.
func ScaledTrainCounts(counts []int, nTrain int) []int {
	out := append([]int(nil), counts...)
	if nTrain <= 0 || nTrain == AKTrainClips {
		return out
	}
	f := float64(AKTrainClips) / float64(nTrain)
	for i, c := range counts {
		out[i] = int(math.Round(float64(c) * f))
	}
	return out
}

// MultiLabelEval holds the numbers every Animal Kingdom task reports.
type MultiLabelEval struct {
	Macro      float64 // official mAP: mean AP over classes with >= 1 evaluation positive
	Micro      float64
	BatchMicro float64 // the ARTEMIS/MSQNet code's metric; NaN unless a batch size was given
	// Head, Middle, Tail are the macro means within the segments of
	// ScaledTrainCounts(trainCounts, nTrain).
	Head, Middle, Tail float64
	PerClass           []float64 // NaN for classes without an evaluation positive
	Classes            int       // classes with >= 1 evaluation positive (the macro mean's support)
	SegmentClasses     map[Segment]int
}

// EvaluateMultiLabel is the one evaluator of the Animal Kingdom tasks
// (baselines and ARTEMIS alike). labels holds each evaluated sample's class
// indices (< k), scores its k scores (any monotone score: logits rank as
// probabilities do, without float saturation ties), trainCounts the
// per-class positives of the nTrain training clips. evalBatch > 0 also
// computes the batch-micro mAP over consecutive batches of that size.
func EvaluateMultiLabel(labels [][]int, k int, scores [][]float64, trainCounts []int, nTrain, evalBatch int) (MultiLabelEval, error) {
	ev := MultiLabelEval{BatchMicro: math.NaN()}
	if len(trainCounts) != k {
		return ev, fmt.Errorf("metrics: %d training counts for %d classes", len(trainCounts), k)
	}
	y, err := MultiHot(labels, k)
	if err != nil {
		return ev, err
	}
	ma, err := MeanAP(y, scores, Macro, 0)
	if err != nil {
		return ev, err
	}
	mi, err := MeanAP(y, scores, Micro, 0)
	if err != nil {
		return ev, err
	}
	ev.Macro, ev.Micro, ev.PerClass = ma.MAP, mi.MAP, ma.PerClass
	if evalBatch > 0 {
		bm, err := MeanAP(y, scores, BatchMicro, evalBatch)
		if err != nil {
			return ev, err
		}
		ev.BatchMicro = bm.MAP
	}
	seg, err := SegmentMeans(ma.PerClass, ScaledTrainCounts(trainCounts, nTrain))
	if err != nil {
		return ev, err
	}
	ev.Head, ev.Middle, ev.Tail, ev.SegmentClasses = seg.Head, seg.Middle, seg.Tail, seg.Classes
	for _, ap := range ma.PerClass {
		if !math.IsNaN(ap) {
			ev.Classes++
		}
	}
	return ev, nil
}

// Metrics returns the evaluation under the record keys the tasks share:
// map_macro, map_micro, map_head, map_middle, map_tail, val_classes, and
// map_batch_micro when it was computed.
func (e MultiLabelEval) Metrics() map[string]float64 {
	m := map[string]float64{"map_macro": e.Macro, "map_micro": e.Micro, "map_head": e.Head,
		"map_middle": e.Middle, "map_tail": e.Tail, "val_classes": float64(e.Classes)}
	if !math.IsNaN(e.BatchMicro) {
		m["map_batch_micro"] = e.BatchMicro
	}
	return m
}

// SegmentNote says how the segments were defined, for a record's notes
// ("" on the full split, where they are the official ones).
func SegmentNote(nTrain int) string {
	if nTrain <= 0 || nTrain == AKTrainClips {
		return ""
	}
	return fmt.Sprintf("head/middle/tail from train counts scaled by %d/%d to the real train split's size (metrics.ScaledTrainCounts)", AKTrainClips, nTrain)
}
