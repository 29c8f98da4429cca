package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestReadMatrixCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "no data rows"},
		{"header only", "a,b\n", "no data rows"},
		{"ragged", "1,0\n0,1,1\n", "f.csv:2: 3 columns, want 2"},
		{"ragged vs header", "a,b\n1\n", "f.csv:2: 1 columns, want 2 (as in line 1)"},
		{"not a number", "1,0\n0,x\n", "f.csv:2: column 2: \"x\" is not a number"},
		{"quote", "1,\"0\n", "f.csv:1"},
		{"bom then ragged", "\ufeff1,0\n1\n", "f.csv:2: 1 columns, want 2 (as in line 1)"},
	} {
		_, err := ReadMatrixCSV(strings.NewReader(tc.in), "f.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestMatrixInterpretationErrors(t *testing.T) {
	read := func(s string) *Matrix {
		m, err := ReadMatrixCSV(strings.NewReader(s), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"label 2", second(read("c1,c2\n1,0\n2,0\n").Labels()), "f.csv:3: column 1: label 2 is not 0 or 1"},
		{"NaN score", second(read("1,NaN\n").Scores()), "f.csv:1: column 2: score NaN is not a finite number"},
		{"index range", second(read("0\n3\n").ClassIndices(3)), "f.csv:2: class index 3"},
		{"index fraction", second(read("0.5\n").ClassIndices(3)), "not an integer"},
		{"two columns", second(read("1,2\n").Column()), "2 columns, want 1"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestMeanAPErrors(t *testing.T) {
	y := [][]bool{{true, false}, {false, false}}
	s := [][]float64{{0.1, 0.2}, {0.3, 0.4}}
	for _, tc := range []struct {
		name string
		y    [][]bool
		s    [][]float64
		avg  Average
		want string
	}{
		{"no samples", nil, nil, Macro, "no samples"},
		{"rows", y, s[:1], Macro, "2 label rows but 1 score rows"},
		{"nan", y, [][]float64{{math.NaN(), 0}, {0, 0}}, Micro, "row 0 column 0"},
		{"batch", y, s, BatchMicro, "batch size"},
		{"average", y, s, "weird", "unknown average"},
		{"no positive", [][]bool{{false}}, [][]float64{{1}}, Macro, "no positive"},
	} {
		_, err := MeanAP(tc.y, tc.s, tc.avg, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
	if _, err := AveragePrecision([]bool{false}, []float64{1}); !errors.Is(err, ErrNoPositive) {
		t.Errorf("AveragePrecision without positives: %v, want ErrNoPositive", err)
	}
}

func TestDetectionErrors(t *testing.T) {
	gt := []GTSegment{{Video: "v", Label: "a", Start: 0, End: 1}}
	for _, tc := range []struct {
		name  string
		gt    []GTSegment
		pred  []Detection
		tious []float64
		want  string
	}{
		{"empty gt", nil, nil, []float64{0.5}, "ground truth is empty"},
		{"no tiou", gt, nil, nil, "no tIoU"},
		{"tiou range", gt, nil, []float64{0}, "outside (0, 1]"},
		{"unknown class", gt, []Detection{{Video: "v", Label: "b", End: 1}}, []float64{0.5}, `label "b", which is not a ground-truth class`},
		{"reversed", gt, []Detection{{Video: "v", Label: "a", Start: 2, End: 1}}, []float64{0.5}, "ends before it starts"},
		{"nan score", gt, []Detection{{Video: "v", Label: "a", End: 1, Score: math.NaN()}}, []float64{0.5}, "not finite"},
	} {
		_, err := DetectionMAP(tc.gt, tc.pred, tc.tious)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestActivityNetJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		gt             bool
	}{
		{"empty", "", "gt.json: empty file", true},
		{"syntax", "{\n\"database\": {,}", "gt.json: line 2", true},
		{"no database", `{"results": {}}`, `missing top-level "database"`, true},
		{"bad segment", `{"database": {"v1": {"annotations": [{"label": "a", "segment": ["x", 2]}]}}}`, `database.v1.annotations[0].segment: "x" is not a number`, true},
		{"one value", `{"database": {"v1": {"annotations": [{"label": "a", "segment": [1]}]}}}`, "want [start, end]", true},
		{"no label", `{"database": {"v1": {"annotations": [{"segment": [1, 2]}]}}}`, `missing "label"`, true},
		{"subset empty", `{"database": {"v1": {"subset": "train", "annotations": [{"label": "a", "segment": [1, 2]}]}}}`, `no ground-truth annotation in subset "test"`, true},
		{"no score", `{"results": {"v1": [{"label": "a", "segment": [1, 2]}]}}`, `results.v1[0]: missing "score"`, false},
		{"null score", `{"results": {"v1": [{"label": "a", "segment": [1, 2], "score": null}]}}`, `null is not a number`, false},
		{"not a list", `{"results": {"v1": {"label": "a"}}}`, "want a list of predictions", false},
	} {
		var err error
		if tc.gt {
			subset := ""
			if strings.Contains(tc.name, "subset") {
				subset = "test"
			}
			_, err = ReadActivityNetGT(strings.NewReader(tc.in), "gt.json", subset)
		} else {
			_, err = ReadActivityNetResults(strings.NewReader(tc.in), "pred.json")
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}
