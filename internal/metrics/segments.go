package metrics

import (
	"fmt"
	"math"
)

// Segment is a class-frequency group of a long-tailed dataset.
type Segment string

// The segments of Animal Kingdom's action recognition benchmark, by the
// number of positive training samples of a class.
const (
	Head   Segment = "head"   // more than HeadMin positives
	Middle Segment = "middle" // MiddleMin..HeadMin positives, both ends included
	Tail   Segment = "tail"   // fewer than MiddleMin positives
)

// Thresholds of the Animal Kingdom segments (Ng et al., CVPR 2022):
// head > 500, middle 100..500, tail < 100 training positives.
const (
	HeadMin   = 500
	MiddleMin = 100
)

// SegmentOf returns the segment of a class with count training positives.
func SegmentOf(count int) Segment {
	switch {
	case count > HeadMin:
		return Head
	case count >= MiddleMin:
		return Middle
	default:
		return Tail
	}
}

// TrainCounts counts the positives of each class in a training label matrix.
func TrainCounts(y [][]bool) []int {
	if len(y) == 0 {
		return nil
	}
	counts := make([]int, len(y[0]))
	for _, row := range y {
		for j, v := range row {
			if v && j < len(counts) {
				counts[j]++
			}
		}
	}
	return counts
}

// SegmentMAP is the mean of per-class APs within each segment.
type SegmentMAP struct {
	Head, Middle, Tail float64 // NaN when the segment has no class with an evaluation positive
	// Classes counts the classes of each segment (from the training counts,
	// whether or not they have evaluation positives).
	Classes map[Segment]int
}

// SegmentMeans averages perClass (as from PerClassAP; NaN entries, classes
// without evaluation positives, are skipped) within the head, middle and
// tail segments defined by trainCounts.
func SegmentMeans(perClass []float64, trainCounts []int) (SegmentMAP, error) {
	if len(perClass) != len(trainCounts) {
		return SegmentMAP{}, fmt.Errorf("metrics: %d classes of AP but %d training counts", len(perClass), len(trainCounts))
	}
	groups := map[Segment][]float64{}
	res := SegmentMAP{Classes: map[Segment]int{Head: 0, Middle: 0, Tail: 0}}
	for c, n := range trainCounts {
		if n < 0 {
			return SegmentMAP{}, fmt.Errorf("metrics: class %d has negative training count %d", c, n)
		}
		s := SegmentOf(n)
		res.Classes[s]++
		groups[s] = append(groups[s], perClass[c])
	}
	mean := func(s Segment) float64 {
		m, ok := nanMean(groups[s])
		if !ok {
			return math.NaN()
		}
		return m
	}
	res.Head, res.Middle, res.Tail = mean(Head), mean(Middle), mean(Tail)
	return res, nil
}
