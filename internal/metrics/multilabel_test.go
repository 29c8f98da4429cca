package metrics

import (
	"math"
	"testing"
)

func TestScaledTrainCounts(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		n      int
		want   []int
	}{
		{"full split unchanged", []int{501, 500, 99}, AKTrainClips, []int{501, 500, 99}},
		{"subset of 2,400 scales by 24004/2400", []int{60, 10, 5}, 2400, []int{600, 100, 50}},
		{"unknown size unchanged", []int{7}, 0, []int{7}},
	}
	for _, tc := range tests {
		got := ScaledTrainCounts(tc.counts, tc.n)
		for i := range tc.want {
			if got[i] != tc.want[i] {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

// TestEvaluateMultiLabel: hand calculation on 4 samples × 3 classes.
func TestEvaluateMultiLabel(t *testing.T) {
	const tol = 1e-12
	labels := [][]int{{0}, {0, 1}, {2}, {0}}
	scores := [][]float64{{0.9, 0.1, 0.2}, {0.8, 0.7, 0.1}, {0.1, 0.2, 0.3}, {0.2, 0.6, 0.4}}
	// class 0: positives 0,1,3 ranked 1,2,3 -> AP 1. class 1: positive 1 ranked 1st -> 1.
	// class 2: positive 2 (0.3) ranked 2nd after sample 3 (0.4) -> 1/2.
	ev, err := EvaluateMultiLabel(labels, 3, scores, []int{600, 200, 10}, AKTrainClips, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"map_macro": 2.5 / 3, "map_head": 1, "map_middle": 1, "map_tail": 0.5, "val_classes": 3}
	got := ev.Metrics()
	for k, w := range want {
		if math.Abs(got[k]-w) > tol {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if _, ok := got["map_batch_micro"]; !ok {
		t.Error("batch-micro missing with evalBatch 2")
	}
	ev, _ = EvaluateMultiLabel(labels, 3, scores, []int{600, 200, 10}, AKTrainClips, 0)
	if _, ok := ev.Metrics()["map_batch_micro"]; ok {
		t.Error("batch-micro present without a batch size")
	}
	if _, err := EvaluateMultiLabel(labels, 3, scores, []int{1, 2}, 10, 0); err == nil {
		t.Error("2 training counts for 3 classes accepted")
	}
}
