package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name→content files into a temp dir and returns a
// function resolving a name to its path ("" stays "").
func writeFiles(t *testing.T, files map[string]string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return func(name string) string { return filepath.Join(dir, name) }
}

var evalFiles = map[string]string{
	"Y.csv":       "walk,run,eat\n1,0,0\n0,1,1\n1,0,0\n0,0,1\n",
	"S.csv":       "0.9,0.2,0.1\n0.3,0.4,0.7\n0.2,0.8,0.2\n0.1,0.3,0.9\n",
	"T.csv":       "walk,run,eat\n" + strings.Repeat("1,1,0\n", 150) + strings.Repeat("1,0,0\n", 400),
	"y.csv":       "2\n0\n1\n0\n",
	"Snan.csv":    "0.9,0.2,0.1\n0.3,NaN,0.7\n0.2,0.8,0.2\n0.1,0.3,0.9\n",
	"Ybad.csv":    "1,0,0\n0,2,1\n1,0,0\n0,0,1\n",
	"Yragged.csv": "1,0,0\n0,1\n1,0,0\n0,0,1\n",
	"Yother.csv":  "walk,fly,eat\n1,0,0\n0,1,1\n1,0,0\n0,0,1\n",
	"Y0.csv":      "0,0,0\n0,0,0\n0,0,0\n0,0,0\n",
	"empty.csv":   "",
	"gt.json":     `{"database": {"v1": {"subset": "test", "annotations": [{"label": "HighJump", "segment": ["10", "20"]}, {"label": "LongJump", "segment": [30, 40]}]}}}`,
	"pred.json":   `{"results": {"v1": [{"label": "HighJump", "segment": [11, 21], "score": 0.9}, {"label": "LongJump", "segment": [33, 41], "score": 0.7}], "v9": [{"label": "LongJump", "segment": [1, 2], "score": 0.95}]}}`,
	"unk.json":    `{"results": {"v1": [{"label": "Diving", "segment": [11, 21], "score": 0.9}]}}`,
	"broken.json": "{\"results\": {\n\"v1\": [",
	"A.csv":       "model_a\n77.3\n76.9\n78.1\n77.8\n76.5\n77.9\n78.4\n77.0\n",
	"B.csv":       "76.8\n77.1\n77.2\n77.0\n76.1\n77.5\n77.6\n76.9\n",
	"B3.csv":      "1\n2\n3\n",
}

func TestEvalCLI(t *testing.T) {
	p := writeFiles(t, evalFiles)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want map[string]float64 // JSON number fields expected in stdout
		err  string             // substring of the single stderr line
	}{
		{"map macro", []string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("S.csv")}, 0,
			map[string]float64{"map": 7.0 / 9}, ""},
		{"map micro", []string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("S.csv"), "--average", "micro"}, 0,
			map[string]float64{"map": 0.81}, ""},
		{"map batch-micro", []string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("S.csv"), "--average", "batch-micro", "--batch", "2"}, 0,
			map[string]float64{"map": 0.85}, ""},
		// T.csv: walk 550 (head), run 150 (middle), eat 0 (tail).
		{"map segments", []string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("S.csv"), "--train-labels", p("T.csv")}, 0,
			map[string]float64{"head": 5.0 / 6, "middle": 0.5, "tail": 1}, ""},
		{"topk", []string{"eval", "topk", "--labels", p("y.csv"), "--scores", p("S.csv"), "--k", "1,2"}, 0,
			map[string]float64{"top1": 0.25, "top2": 0.25}, ""},
		{"topk multi", []string{"eval", "topk", "--labels", p("Y.csv"), "--scores", p("S.csv"), "--k", "1"}, 0,
			map[string]float64{"top1": 0.75}, ""},
		// HighJump AP 1; LongJump: the false positive on v9 ranks first, so
		// AP = 1/2 at tIoU 0.5 and 0 at 0.7.
		{"detection", []string{"eval", "detection", "--gt", p("gt.json"), "--pred", p("pred.json"), "--tiou", "0.5,0.7", "--subset", "test"}, 0,
			map[string]float64{"average": (0.75 + 0.5) / 2, "dropped_no_gt": 0, "evaluated": 3}, ""},
		// afsd drops the prediction on v9 (no ground truth): LongJump AP 1 at 0.5.
		{"detection afsd", []string{"eval", "detection", "--gt", p("gt.json"), "--pred", p("pred.json"), "--tiou", "0.5,0.7", "--subset", "test", "--protocol", "afsd"}, 0,
			map[string]float64{"average": (1 + 0.5) / 2, "dropped_no_gt": 1, "dropped_label": 0, "evaluated": 2}, ""},
		{"unknown class afsd", []string{"eval", "detection", "--gt", p("gt.json"), "--pred", p("unk.json"), "--protocol", "AFSD"}, 0,
			map[string]float64{"average": 0, "dropped_label": 1, "evaluated": 0}, ""},
		{"bad protocol", []string{"eval", "detection", "--gt", p("gt.json"), "--pred", p("pred.json"), "--protocol", "thumos"}, 2, nil, `--protocol: detection protocol "thumos"`},
		{"paired", []string{"stats", "paired", "--a", p("A.csv"), "--b", p("B.csv")}, 0,
			map[string]float64{"n": 8}, ""},

		{"no metric", []string{"eval"}, 2, nil, ""},
		{"unknown metric", []string{"eval", "auc"}, 2, nil, `unknown metric "auc"`},
		{"bad flag", []string{"eval", "map", "--nope"}, 2, nil, "flag provided but not defined"},
		{"missing labels", []string{"eval", "map", "--scores", p("S.csv")}, 2, nil, "--labels is required"},
		{"missing file", []string{"eval", "map", "--labels", p("none.csv"), "--scores", p("S.csv")}, 2, nil, "none.csv"},
		{"nan score", []string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("Snan.csv")}, 2, nil, "Snan.csv:2: column 2: score NaN is not a finite number"},
		{"label 2", []string{"eval", "map", "--labels", p("Ybad.csv"), "--scores", p("S.csv")}, 2, nil, "Ybad.csv:2: column 2: label 2 is not 0 or 1"},
		{"ragged", []string{"eval", "map", "--labels", p("Yragged.csv"), "--scores", p("S.csv")}, 2, nil, "Yragged.csv:2: 2 columns, want 3"},
		{"header mismatch", []string{"eval", "map", "--labels", p("Yother.csv"), "--scores", p("S.csv"), "--train-labels", p("T.csv")}, 2, nil, `column 2 is "run"`},
		{"no positives", []string{"eval", "map", "--labels", p("Y0.csv"), "--scores", p("S.csv")}, 2, nil, "no positive label"},
		{"empty", []string{"eval", "map", "--labels", p("empty.csv"), "--scores", p("S.csv")}, 2, nil, "empty.csv: no data rows"},
		{"batch missing", []string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("S.csv"), "--average", "batch-micro"}, 2, nil, "needs --batch"},
		{"average", []string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("S.csv"), "--average", "weighted"}, 2, nil, `--average "weighted"`},
		{"k zero", []string{"eval", "topk", "--labels", p("y.csv"), "--scores", p("S.csv"), "--k", "0"}, 2, nil, "not a positive integer"},
		{"k text", []string{"eval", "topk", "--labels", p("y.csv"), "--scores", p("S.csv"), "--k", "one"}, 2, nil, `"one" is not valid`},
		{"unknown class", []string{"eval", "detection", "--gt", p("gt.json"), "--pred", p("unk.json")}, 2, nil, `label "Diving", which is not a ground-truth class`},
		{"broken json", []string{"eval", "detection", "--gt", p("gt.json"), "--pred", p("broken.json")}, 2, nil, "line 2"},
		{"tiou range", []string{"eval", "detection", "--gt", p("gt.json"), "--pred", p("pred.json"), "--tiou", "1.5"}, 2, nil, "outside (0, 1]"},
		{"paired lengths", []string{"stats", "paired", "--a", p("A.csv"), "--b", p("B3.csv")}, 2, nil, "samples must be paired"},
		{"paired identical", []string{"stats", "paired", "--a", p("B.csv"), "--b", p("B.csv")}, 2, nil, "every difference"},
		{"paired columns", []string{"stats", "paired", "--a", p("S.csv"), "--b", p("S.csv")}, 2, nil, "want 1"},
		{"stats unknown", []string{"stats", "anova"}, 2, nil, `unknown test "anova"`},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tc.name, code, tc.code, errb.String())
			continue
		}
		if tc.err != "" {
			msg := errb.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.err) {
				t.Errorf("%s: stderr %q, want one line containing %q", tc.name, msg, tc.err)
			}
		}
		if tc.want != nil {
			var got map[string]any
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("%s: stdout is not JSON: %v\n%s", tc.name, err, out.String())
			}
			for k, want := range tc.want {
				v, ok := got[k].(float64)
				if !ok || math.Abs(v-want) > 1e-12 {
					t.Errorf("%s: %s = %v, want %v", tc.name, k, got[k], want)
				}
			}
		}
	}
}

func TestEvalHelp(t *testing.T) {
	for _, args := range [][]string{
		{"eval", "--help"}, {"eval", "map", "--help"}, {"eval", "topk", "-h"},
		{"eval", "detection", "--help"}, {"stats", "--help"}, {"stats", "paired", "--help"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 || out.Len() == 0 {
			t.Errorf("%v: exit %d, %d bytes of help", args, code, out.Len())
		}
	}
	var out, errb bytes.Buffer
	run([]string{"eval", "detection", "--help"}, &out, &errb)
	if !strings.Contains(out.String(), "stable sort") {
		t.Error("detection help does not say that score ties keep file order")
	}
}

func TestEvalOutFileIsAtomic(t *testing.T) {
	p := writeFiles(t, evalFiles)
	dst := p("map.json")
	var out, errb bytes.Buffer
	if code := run([]string{"eval", "map", "--labels", p("Y.csv"), "--scores", p("S.csv"), "--out", dst}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout not empty with --out: %q", out.String())
	}
	b, err := os.ReadFile(dst)
	if err != nil || !json.Valid(b) {
		t.Fatalf("output file: %v %q", err, b)
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
