package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// refTol is the agreement required with the reference tools (scikit-learn
// 1.2.1, numpy 1.24.2; see testdata/gen_fixtures.py), absolute or relative.
const refTol = 1e-9

func agrees(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	d := math.Abs(got - want)
	return d <= refTol || d <= refTol*math.Abs(want)
}

func loadFixture(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading fixture: %v (regenerate with testdata/gen_fixtures.py)", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func toBool(m [][]int) [][]bool {
	out := make([][]bool, len(m))
	for i, r := range m {
		out[i] = make([]bool, len(r))
		for j, v := range r {
			out[i][j] = v == 1
		}
	}
	return out
}

func nanIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func TestMeanAPMatchesSklearn(t *testing.T) {
	var fx struct {
		Cases []struct {
			Name               string
			Labels             [][]int
			Scores             [][]float64
			PerClass           []*float64 `json:"per_class"`
			Macro, Micro       float64
			Batch              int
			BatchMicro         float64 `json:"batch_micro"`
			TrainCounts        []int   `json:"train_counts"`
			Head, Middle, Tail *float64
		}
	}
	loadFixture(t, "testdata/ap_cases.json", &fx)
	if len(fx.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range fx.Cases {
		y := toBool(c.Labels)
		for _, tc := range []struct {
			avg  Average
			want float64
		}{{Macro, c.Macro}, {Micro, c.Micro}, {BatchMicro, c.BatchMicro}} {
			r, err := MeanAP(y, c.Scores, tc.avg, c.Batch)
			if err != nil {
				t.Fatalf("%s %s: %v", c.Name, tc.avg, err)
			}
			if !agrees(r.MAP, tc.want) {
				t.Errorf("%s %s: mAP = %.17g, sklearn %.17g", c.Name, tc.avg, r.MAP, tc.want)
			}
			for j, p := range c.PerClass {
				if !agrees(r.PerClass[j], nanIfNil(p)) {
					t.Errorf("%s class %d: AP = %v, sklearn %v", c.Name, j, r.PerClass[j], nanIfNil(p))
				}
			}
		}
		r, _ := MeanAP(y, c.Scores, Macro, 0)
		seg, err := SegmentMeans(r.PerClass, c.TrainCounts)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			name      string
			got, want float64
		}{{"head", seg.Head, nanIfNil(c.Head)}, {"middle", seg.Middle, nanIfNil(c.Middle)}, {"tail", seg.Tail, nanIfNil(c.Tail)}} {
			if !agrees(s.got, s.want) {
				t.Errorf("%s %s: %v, reference %v", c.Name, s.name, s.got, s.want)
			}
		}
	}
}

func TestTopKMatchesSklearn(t *testing.T) {
	var fx struct {
		Cases []struct {
			Name       string
			Labels     []int
			Multilabel [][]int
			Scores     [][]float64
			K          []int
			Accuracy   []float64
		}
	}
	loadFixture(t, "testdata/topk_cases.json", &fx)
	for _, c := range fx.Cases {
		var got []float64
		var err error
		if c.Multilabel != nil {
			got, err = TopKMultiLabel(toBool(c.Multilabel), c.Scores, c.K)
		} else {
			got, err = TopK(c.Labels, c.Scores, c.K)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for i := range c.K {
			if !agrees(got[i], c.Accuracy[i]) {
				t.Errorf("%s top-%d: %v, reference %v", c.Name, c.K[i], got[i], c.Accuracy[i])
			}
		}
	}
}

func TestDetectionMAPMatchesReference(t *testing.T) {
	var fx struct {
		Cases []struct {
			Name     string
			Subset   string
			TIoU     []float64
			GT       json.RawMessage
			Pred     json.RawMessage
			MAP      []float64
			Average  float64
			PerClass map[string][]float64 `json:"per_class"`
		}
	}
	loadFixture(t, "testdata/detection_cases.json", &fx)
	for _, c := range fx.Cases {
		gt, err := ReadActivityNetGT(bytes.NewReader(c.GT), c.Name+"/gt", c.Subset)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := ReadActivityNetResults(bytes.NewReader(c.Pred), c.Name+"/pred")
		if err != nil {
			t.Fatal(err)
		}
		r, err := DetectionMAP(gt, pred, c.TIoU)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for i := range c.TIoU {
			if !agrees(r.MAP[i], c.MAP[i]) {
				t.Errorf("%s mAP@%v = %v, reference %v", c.Name, c.TIoU[i], r.MAP[i], c.MAP[i])
			}
		}
		if !agrees(r.Average, c.Average) {
			t.Errorf("%s average = %v, reference %v", c.Name, r.Average, c.Average)
		}
		if len(r.AP) != len(c.PerClass) {
			t.Errorf("%s: %d classes, reference %d", c.Name, len(r.AP), len(c.PerClass))
		}
		for cl, want := range c.PerClass {
			for i := range want {
				if !agrees(r.AP[cl][i], want[i]) {
					t.Errorf("%s %s@%v = %v, reference %v", c.Name, cl, c.TIoU[i], r.AP[cl][i], want[i])
				}
			}
		}
	}
}
