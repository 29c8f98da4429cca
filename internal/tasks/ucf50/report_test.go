package ucf50

import (
	"math"
	"testing"
)

// scoreTol is far below the 4 decimals the hand calculation keeps.
const scoreTol = 1e-4

func TestScoresHandComputed(t *testing.T) {
	// Labels 0,0,0,1,1,2 predicted 0,0,1,1,2,2: by hand, class 0 P=1 R=2/3
	// F1=0.8; class 1 P=0.5 R=0.5 F1=0.5; class 2 P=0.5 R=1 F1=2/3.
	probs := [][]float64{{1, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}}
	labels := []int{0, 0, 0, 1, 1, 2}
	conf := Confusion(probs, labels, 3)
	want := [][]int{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}}
	for i := range want {
		for j := range want[i] {
			if conf[i][j] != want[i][j] {
				t.Fatalf("confusion %v, want %v", conf, want)
			}
		}
	}
	per, macro := Scores(conf)
	for i, w := range []ClassScores{{1, 2.0 / 3, 0.8, 3}, {0.5, 0.5, 0.5, 2}, {0.5, 1, 2.0 / 3, 1}} {
		g := per[i]
		if math.Abs(g.Precision-w.Precision) > scoreTol || math.Abs(g.Recall-w.Recall) > scoreTol || math.Abs(g.F1-w.F1) > scoreTol || g.Support != w.Support {
			t.Errorf("class %d: %+v, want %+v", i, g, w)
		}
	}
	if math.Abs(macro.F1-(0.8+0.5+2.0/3)/3) > scoreTol {
		t.Errorf("macro F1 %g", macro.F1)
	}
}

func TestSkipIndicesAndSplit(t *testing.T) {
	for _, tc := range []struct {
		t, n int
		want []int
		ok   bool
	}{
		{20, 20, nil, true}, {45, 20, nil, true}, {19, 20, nil, false},
	} {
		idx, ok := SkipIndices(tc.t, tc.n)
		if ok != tc.ok {
			t.Errorf("SkipIndices(%d,%d) ok=%v", tc.t, tc.n, ok)
			continue
		}
		if ok {
			skip := max(tc.t/tc.n, 1)
			if idx[len(idx)-1] != (tc.n-1)*skip || idx[len(idx)-1] >= tc.t {
				t.Errorf("SkipIndices(%d,%d) = %v", tc.t, tc.n, idx)
			}
		}
	}
	// 558 videos (UCF50's four classes): test ceil(139.5)=140, rest 418,
	// train floor(418*0.8)=334, val 84.
	tr, va, te := Split(558, 0.25, 0.2, 27)
	if len(te) != 140 || len(tr) != 334 || len(va) != 84 {
		t.Errorf("split sizes %d/%d/%d, want 334/84/140", len(tr), len(va), len(te))
	}
	seen := map[int]bool{}
	for _, s := range [][]int{tr, va, te} {
		for _, i := range s {
			if seen[i] {
				t.Fatalf("clip %d in two splits", i)
			}
			seen[i] = true
		}
	}
}
