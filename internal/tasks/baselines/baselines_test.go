package baselines

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
)

const apTol = 1e-12

// TestLabelFrequencyAP: with all clips tied, scikit-learn's AP of a class is
// its prevalence in the evaluated split (hand calculation: one threshold,
// recall 1, precision = positives / n).
func TestLabelFrequencyAP(t *testing.T) {
	labels := [][]int{{0}, {0, 1}, {2}, {0}}
	scores := LabelFrequencyScores([]int{5, 1, 2}, 10, len(labels))
	ev, err := metrics.EvaluateMultiLabel(labels, 3, scores, []int{5, 1, 2}, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := (3.0/4 + 1.0/4 + 1.0/4) / 3
	if math.Abs(ev.Macro-want) > apTol || ev.Classes != 3 {
		t.Errorf("macro mAP %v want %v (classes %d)", ev.Macro, want, ev.Classes)
	}
}

func point(model string, extra map[string]any) runner.Point {
	d := map[string]any{"source": "synthetic", "max_train": int64(2000), "max_val": int64(500), "dim": int64(64), "difficulty": 0.1, "seed": int64(3)}
	for k, v := range extra {
		d[k] = v
	}
	return runner.Point{Config: map[string]any{
		"data":  d,
		"model": map[string]any{"name": model},
		"train": map[string]any{"c": 4.0, "max_iter": int64(500)},
	}}
}

// TestLogRegBeatsLabelFrequency trains on a small synthetic twin: the
// planted signal must lift the logistic regression clearly above the
// label-frequency baseline.
func TestLogRegBeatsLabelFrequency(t *testing.T) {
	const minGain = 0.15 // macro mAP points (0..1) the linear probe must add
	env := runner.Env{Backend: "purego"}
	lf, err := Task{}.Run(context.Background(), point(ModelLabelFrequency, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	lr, err := Task{}.Run(context.Background(), point(ModelLogReg, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	a, b := lf.Metrics["map_macro"], lr.Metrics["map_macro"]
	t.Logf("synthetic: label-frequency %.4f, logreg %.4f", a, b)
	if b-a < minGain {
		t.Errorf("logreg %.4f not %.2f above label-frequency %.4f", b, minGain, a)
	}
	if lr.DataSource != "synthetic" || lr.Params != 64*140+140 {
		t.Errorf("outcome: source %q params %d", lr.DataSource, lr.Params)
	}
	again, err := Task{}.Run(context.Background(), point(ModelLogReg, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	if again.Metrics["map_macro"] != b {
		t.Errorf("same seed, different mAP: %v vs %v", again.Metrics["map_macro"], b)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		p    runner.Point
		want string
	}{
		{"ok", point(ModelLogReg, nil), ""},
		{"unknown key", point(ModelLogReg, map[string]any{"colour": "red"}), "data.colour"},
		{"bad model", point("svm", nil), "model.name"},
		{"bad label text", point(ModelLogReg, map[string]any{"label_text": "x"}), "data.label_text"},
		{"bad source", point(ModelLogReg, map[string]any{"source": "web"}), "data.source"},
		{"bad eval", point(ModelLogReg, map[string]any{"eval": "fold5"}), "data.eval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Task{}.Validate(tc.p)
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRealNeedsDataRoot(t *testing.T) {
	t.Setenv("ACTREPRO_DATA", "")
	p := point(ModelLabelFrequency, map[string]any{"source": "real"})
	_, err := Task{}.Run(context.Background(), p, runner.Env{})
	if err == nil || !strings.Contains(err.Error(), "--data-root") {
		t.Errorf("err %v, want a hint naming --data-root", err)
	}
}
