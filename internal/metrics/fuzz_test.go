package metrics

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// FuzzReadMatrixCSV checks that no CSV input panics the reader or the
// metrics fed from it, and that what the reader accepts is rectangular.
func FuzzReadMatrixCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,0\n0,1\n", "0.5,0.25\n1e3,-2\n", "", "\n\n", "# c\n1\n", "1,2\n3\n",
		"x\n", "NaN,Inf\n", "\"1\",\"0\"\n", "1,\"0\n", "1,0\r\n0,1\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMatrixCSV(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		if len(m.Rows) == 0 || len(m.Rows) != len(m.Lines) {
			t.Fatalf("accepted %d rows with %d line numbers", len(m.Rows), len(m.Lines))
		}
		for _, r := range m.Rows {
			if len(r) != m.Cols() {
				t.Fatalf("ragged matrix accepted: %v", m.Rows)
			}
		}
		y, lerr := m.Labels()
		s, serr := m.Scores()
		if lerr == nil && serr == nil && m.Cols() > 0 {
			for _, a := range []Average{Macro, Micro, BatchMicro} {
				r, err := MeanAP(y, s, a, 2)
				if err == nil && (r.MAP < 0 || r.MAP > 1+1e-12) {
					t.Fatalf("%s mAP %v outside [0, 1]", a, r.MAP)
				}
				if err != nil && !errors.Is(err, ErrNoPositive) {
					t.Fatalf("valid matrix rejected: %v", err)
				}
			}
			if _, err := TopKMultiLabel(y, s, []int{1, 3}); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = m.ClassIndices(3)
		_, _ = m.Column()
	})
}

// FuzzActivityNetJSON checks that no JSON input panics the readers or the
// detection evaluation, and that accepted values are finite.
func FuzzActivityNetJSON(f *testing.F) {
	for _, s := range []string{
		`{"database": {"v": {"subset": "test", "annotations": [{"label": "a", "segment": [1, "2.5"]}]}}}`,
		`{"results": {"v": [{"label": "a", "segment": [1, 2], "score": "0.5"}]}}`,
		`{"database": {"v": {"annotations": [{"label": "a", "segment": [3, 1]}]}}}`,
		`{"database": []}`, `{"results": {"v": {}}}`, `{}`, ``, `[`, `{"database": {"v": null}}`,
		`{"database": {"v": {"annotations": [{"label": null, "segment": [null, 1]}]}}, "results": {"v": [{"label": "a", "segment": [0, 1e400], "score": 1}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		gt, gerr := ReadActivityNetGT(bytes.NewReader(data), "gt.json", "")
		pred, perr := ReadActivityNetResults(bytes.NewReader(data), "pred.json")
		for _, g := range gt {
			if math.IsNaN(g.Start) || math.IsInf(g.End, 0) || g.End < g.Start {
				t.Fatalf("bad segment accepted: %+v", g)
			}
		}
		if gerr == nil && perr == nil {
			r, err := DetectionMAP(gt, pred, []float64{0.3, 0.5})
			if err == nil {
				for _, m := range r.MAP {
					if !(m >= 0 && m <= 1+1e-12) {
						t.Fatalf("mAP %v outside [0, 1]", m)
					}
				}
			}
		}
	})
}
