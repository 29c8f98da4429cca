package metrics_test

import (
	"fmt"
	"strings"

	"github.com/actrepro/actrepro/internal/metrics"
)

// Animal Kingdom's official mAP on four clips and three classes, with the
// micro and batch-micro variants. The numbers equal scikit-learn 1.2.1's
// average_precision_score on the same arrays.
func ExampleMeanAP() {
	y := [][]bool{
		{true, false, false},
		{false, true, true},
		{true, false, false},
		{false, false, true},
	}
	s := [][]float64{
		{0.9, 0.2, 0.1},
		{0.3, 0.4, 0.7},
		{0.2, 0.8, 0.2},
		{0.1, 0.3, 0.9},
	}
	macro, _ := metrics.MeanAP(y, s, metrics.Macro, 0)
	micro, _ := metrics.MeanAP(y, s, metrics.Micro, 0)
	batch, _ := metrics.MeanAP(y, s, metrics.BatchMicro, 2)
	fmt.Printf("per class %.4f\n", macro.PerClass)
	fmt.Printf("macro %.4f micro %.4f batch-micro %.4f\n", macro.MAP, micro.MAP, batch.MAP)
	// Output:
	// per class [0.8333 0.5000 1.0000]
	// macro 0.7778 micro 0.8100 batch-micro 0.8500
}

// Head, middle and tail mAP group classes by their training positives.
func ExampleSegmentMeans() {
	perClass := []float64{0.9, 0.6, 0.4, 0.2}
	trainCounts := []int{1200, 300, 100, 12}
	seg, _ := metrics.SegmentMeans(perClass, trainCounts)
	fmt.Printf("head %.2f middle %.2f tail %.2f\n", seg.Head, seg.Middle, seg.Tail)
	// Output:
	// head 0.90 middle 0.50 tail 0.20
}

func ExampleTopK() {
	labels := []int{2, 0, 1}
	scores := [][]float64{
		{0.1, 0.3, 0.6},
		{0.2, 0.5, 0.3},
		{0.7, 0.2, 0.1},
	}
	acc, _ := metrics.TopK(labels, scores, []int{1, 2})
	fmt.Printf("top-1 %.3f top-2 %.3f\n", acc[0], acc[1])
	// Output:
	// top-1 0.333 top-2 0.667
}

// Temporal detection mAP under the ActivityNet protocol, from files in the
// ActivityNet schemas. HighJump: the first prediction overlaps its ground
// truth with tIoU 9/11, the second hits nothing (AP 1 at every threshold);
// LongJump's only prediction has tIoU 7/11 ≈ 0.64 (a miss at 0.7).
func ExampleDetectionMAP() {
	gtJSON := `{"database": {"v1": {"subset": "test", "annotations": [
		{"label": "HighJump", "segment": ["10.0", "20.0"]},
		{"label": "LongJump", "segment": [30, 40]}]}}}`
	predJSON := `{"results": {"v1": [
		{"label": "HighJump", "segment": [11, 21], "score": 0.9},
		{"label": "HighJump", "segment": [50, 55], "score": 0.8},
		{"label": "LongJump", "segment": [33, 41], "score": 0.7}]}}`
	gt, _ := metrics.ReadActivityNetGT(strings.NewReader(gtJSON), "gt.json", "test")
	pred, _ := metrics.ReadActivityNetResults(strings.NewReader(predJSON), "pred.json")
	r, _ := metrics.DetectionMAP(gt, pred, []float64{0.3, 0.5, 0.7})
	for i, t := range r.TIoU {
		fmt.Printf("mAP@%.1f = %.3f\n", t, r.MAP[i])
	}
	fmt.Printf("average %.3f\n", r.Average)
	// Output:
	// mAP@0.3 = 1.000
	// mAP@0.5 = 1.000
	// mAP@0.7 = 0.500
	// average 0.833
}
