package aclipeval

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/metrics"
)

// TestSklearnFixture: macro mAP, F1@3 overall and per class equal the scikit-learn reference
// (testdata/gen_fixtures.py) to 1e-12.
func TestSklearnFixture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []struct {
			K          int
			Y          [][]int
			Scores     [][]float64
			MAP        float64 `json:"map"`
			F1         []float64
			F1PerClass []float64 `json:"f1_per_class"`
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 4 {
		t.Fatalf("%d cases", len(f.Cases))
	}
	for i, c := range f.Cases {
		y := make([][]bool, len(c.Y))
		for r := range c.Y {
			y[r] = make([]bool, len(c.Y[r]))
			for j, v := range c.Y[r] {
				y[r][j] = v == 1
			}
		}
		m, err := metrics.MeanAP(y, c.Scores, metrics.Macro, 0)
		if err != nil {
			t.Fatal(err)
		}
		o, err := F1Overall(y, c.Scores, c.K)
		if err != nil {
			t.Fatal(err)
		}
		p, err := F1PerClass(y, c.Scores, c.K)
		if err != nil {
			t.Fatal(err)
		}
		got := []float64{m.MAP, o.P, o.R, o.F1, p.P, p.R, p.F1}
		want := append(append([]float64{c.MAP}, c.F1...), c.F1PerClass...)
		for j := range got {
			if math.Abs(got[j]-want[j]) > 1e-12 {
				t.Errorf("case %d value %d: got %.15g, want %.15g", i, j, got[j], want[j])
			}
		}
	}
}

func TestTopKAndErrors(t *testing.T) {
	s := [][]float64{{0.1, 0.5, 0.5, 0.2}, {4, 3, 2, 1}}
	got := TopK(s, 2)
	want := [][]bool{{false, true, true, false}, {true, true, false, false}}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("TopK = %v, want %v", got, want)
			}
		}
	}
	if tie := TopK([][]float64{{1, 1, 1}}, 1); !tie[0][2] {
		t.Fatalf("a tie goes to the higher index: %v", tie)
	}
	y := [][]bool{{true, false, false, false}, {false, false, true, true}}
	for _, c := range []struct {
		name string
		y    [][]bool
		s    [][]float64
		k    int
	}{
		{"k too large", y, s, 5}, {"k zero", y, s, 0}, {"rows", y[:1], s, 3}, {"ragged", [][]bool{{true}, {false, true, true, true}}, s, 1},
	} {
		if _, err := F1Overall(c.y, c.s, c.k); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	// the per-class mean counts a class without positives (class 1) as 0: val.py's quirk
	s2 := [][]float64{{0.9, 0.5, 0.1, 0.2}, {0.1, 0.2, 0.8, 0.3}}
	p, err := F1PerClass(y, s2, 2)
	if err != nil {
		t.Fatal(err)
	}
	o, err := F1Overall(y, s2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.F1 != 0.75 || p.P != 0.75 || o.P != 0.75 || o.R != 1 || math.Abs(o.F1-6.0/7) > 1e-15 {
		t.Fatalf("per class %+v, overall %+v", p, o)
	}
}

// lt_map's lists (utils/tools.py:792-794) and its 13 missing val classes (:788): the
// segments of the Animal Kingdom thresholds on train_light.csv's counts give them exactly.
func TestLTMapListsAreTheThresholds(t *testing.T) {
	root := data.DataRoot("")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "data")
	}
	p := filepath.Join(root, "animalkingdom", "train_light.csv")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("train_light.csv not found under %s (set %s)", root, data.EnvDataRoot)
	}
	clips, err := data.ReadAKSplit(p, 140, nil)
	if err != nil {
		t.Fatal(err)
	}
	counts := data.LabelCounts(clips, 140)
	head := []int{1, 2, 15, 38, 40, 48, 52, 67, 68, 69, 78, 90, 100, 102, 104, 123, 128, 133}
	middle := []int{5, 7, 8, 10, 13, 16, 25, 26, 27, 32, 39, 45, 46, 47, 49, 51, 58, 65, 80, 84, 96, 97, 99, 103, 105, 108, 112, 114, 116, 118, 120, 135}
	seg := map[int]metrics.Segment{}
	for _, c := range head {
		seg[c] = metrics.Head
	}
	for _, c := range middle {
		seg[c] = metrics.Middle
	}
	for c := 0; c < 140; c++ {
		want, ok := seg[c]
		if !ok {
			want = metrics.Tail
		}
		if got := metrics.SegmentOf(counts[c]); got != want {
			t.Errorf("class %d (%d train positives): segment %s, lt_map says %s", c, counts[c], got, want)
		}
	}
}
