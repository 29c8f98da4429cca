package kernel

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// ucf50Record is the shape of a UCF50 point's record metrics: headline
// scalars, per-class scores and a 4x4 confusion matrix cell by cell.
func ucf50Record() map[string]float64 {
	m := map[string]float64{
		"test_accuracy": 0.7, "test_loss": 0.3507, "f1_macro": 0.625, "best_epoch": 11, "epochs_run": 12,
		"f1_HorseRace": 1, "f1_Swing": 0.5, "precision_macro": 0.5938, "recall_macro": 0.6875, "n_test": 20,
	}
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			m[fmt.Sprintf("confusion_%d_%d", i, j)] = float64(i * j)
		}
	}
	return m
}

func TestHeadline(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    map[string]float64
		n    int
		want []string
	}{
		{"ucf50 record", ucf50Record(), 3, []string{"test_accuracy", "f1_macro", "test_loss"}},
		{"ucf50 epoch", map[string]float64{"loss": 1, "acc": 0.3, "val_loss": 1, "val_acc": 0.4}, 3, []string{"val_acc", "acc", "val_loss"}},
		{"ucf50 epoch, curve", map[string]float64{"loss": 1, "acc": 0.3, "val_loss": 1, "val_acc": 0.4}, 4, []string{"val_acc", "acc", "val_loss", "loss"}},
		{"artemis epoch", map[string]float64{"loss": 0.2, "map_batch_micro": 0.6, "map_head": 0.4, "map_macro": 0.26, "map_tail": 0.03}, 3, []string{"map_batch_micro", "map_macro", "loss"}},
		{"demo epoch", map[string]float64{"train_loss": 1, "val_acc": 0.5}, 3, []string{"val_acc", "train_loss"}},
		{"nothing preferred: first by name, no matrix cell", map[string]float64{"z": 1, "a_0_0": 1, "a_0_1": 1, "a_1_0": 1, "a_1_1": 1, "b": 2}, 3, []string{"b", "z"}},
		{"empty", nil, 3, nil},
	} {
		if got := headline(tc.m, tc.n); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: headline = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMatrices(t *testing.T) {
	m := ucf50Record()
	m["pair_0_1"] = 1 // too few cells for a matrix: a scalar
	mats := matrices(m)
	if len(mats) != 1 || mats[0].name != "confusion" || mats[0].rows != 4 || mats[0].cols != 4 || mats[0].v[[2]int{2, 3}] != 6 {
		t.Fatalf("matrices = %+v", mats)
	}
	if cells := matrixCells(m); len(cells) != 16 || cells["pair_0_1"] {
		t.Errorf("matrix cells %v", cells)
	}
}

func TestFormatMetrics(t *testing.T) {
	for _, tc := range []struct {
		m    map[string]float64
		want string
	}{
		{ucf50Record(), "test_accuracy=0.7 f1_macro=0.625 test_loss=0.3507 (+23 more)"},
		{map[string]float64{"loss": 1.0 / 3}, "loss=0.3333"},
		{nil, ""},
	} {
		if got := formatMetrics(tc.m); got != tc.want {
			t.Errorf("formatMetrics = %q, want %q", got, tc.want)
		}
	}
}

func TestCompactNote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"done    name=convlstm (19.6s) best_epoch=11 confusion_0_0=6 test_accuracy=0.7", "done    name=convlstm (19.6s)"},
		{"done    F_r=false R_b=true text_layer=none (0.8s) epoch=4 map_macro=0.2748", "done    F_r=false R_b=true text_layer=none (0.8s)"},
		{"cached  hidden=0 signal=1", "cached  hidden=0 signal=1"}, // a label is not metrics
		{"FAILED  hidden=0: boom x=1", "FAILED  hidden=0: boom x=1"},
		{"done    x (2s)", "done    x (2s)"},
	} {
		if got := compactNote(tc.in); got != tc.want {
			t.Errorf("compactNote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestProgressHTML drives a Progress through a two-point sweep with
// UCF50-like metrics and checks what a notebook would show: a compact
// table (no metric wall), the full metrics folded in <details> with the
// confusion matrix as a matrix, and live curves of at most
// curveMetricsN series.
func TestProgressHTML(t *testing.T) {
	p := NewProgress("ucf50-table1 smoke")
	p.live = true
	p.Start("ucf50-table1 smoke", 2)
	var live string
	for i, label := range []string{"name=convlstm", "name=lrcn"} {
		p.Label(label)
		p.Start("train", 3)
		for e := 1; e <= 3; e++ {
			p.Step(e, map[string]float64{"loss": 1.4 / float64(e), "acc": 0.3 * float64(e), "val_loss": 1.5 / float64(e), "val_acc": 0.25 * float64(e)})
		}
		if i == 1 {
			live = p.liveHTML()
		}
		p.Finish()
		rec := ucf50Record()
		p.Note("done    " + label + " (19.6s)" + " confusion_0_0=6 test_accuracy=0.7")
		p.Step(i+1, rec)
	}
	// Live, during the second point's training.
	visible, _, _ := strings.Cut(live, "<details")
	for _, want := range []string{"<table", ">train<", ">name=lrcn<", "val_acc</span>&nbsp;<b>0.75</b>", "3/3 (100%)", "test_accuracy</span>&nbsp;<b>0.7</b>"} {
		if !strings.Contains(visible, want) {
			t.Errorf("live block lacks %q:\n%s", want, visible)
		}
	}
	if strings.Contains(visible, "confusion_") {
		t.Error("the live block shows matrix cells outside the folded metrics")
	}
	if !strings.Contains(live, "all 26 metrics of ucf50-table1 smoke") {
		t.Error("the sweep's full metrics are not folded away")
	}
	if n := strings.Count(live, "<svg"); n != 1 {
		t.Errorf("%d live curves, want 1", n)
	}
	p.Finish()
	sum := p.summaryHTML()
	for _, want := range []string{
		">test_accuracy</th>", ">f1_macro</th>", ">test_loss</th>", ">name=lrcn</td>",
		"confusion (4&times;4", "training phases (2)", "log (2 lines)", "done    name=lrcn (19.6s)</div>",
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if strings.Contains(sum, "confusion_0_0=6") {
		t.Error("the summary prints a note's metric wall")
	}
	txt := p.summaryText()
	if !strings.Contains(txt, "name=convlstm: test_accuracy=0.7 f1_macro=0.625 test_loss=0.3507 (+23 more)") {
		t.Errorf("summary text:\n%s", txt)
	}
}
