package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
)

const quickstart = "../../../experiments/demo/quickstart.toml"

// TestQuickstartLearns runs the quickstart spec at smoke scale: with a
// planted signal both models beat chance clearly; without it neither can.
func TestQuickstartLearns(t *testing.T) {
	out := t.TempDir()
	rep, err := harness.Run(context.Background(), quickstart, harness.Options{Scale: "smoke", OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ran != 4 {
		t.Fatalf("ran %d points, want 4", rep.Ran)
	}
	const (
		learnedMin = 0.6  // chance is 1/3; the Bayes rate at signal 1, 8 features is far higher
		controlMax = 0.45 // chance 0.333 plus sampling noise of 120 validation samples
	)
	for _, r := range rep.Records {
		acc := r.Metrics["val_accuracy"]
		signal, _ := spec.GetPath(r.Config, "data.signal")
		if spec.Equal(signal, 1.0) && acc < learnedMin {
			t.Errorf("%s: val accuracy %.3f, want >= %.2f", r.Label, acc, learnedMin)
		}
		if spec.Equal(signal, 0.0) && acc > controlMax {
			t.Errorf("%s: control val accuracy %.3f, want <= %.2f", r.Label, acc, controlMax)
		}
		if len(r.Curves["train_loss"]) != 8 || len(r.Curves["val_accuracy"]) != 8 {
			t.Errorf("%s: curves %v", r.Label, r.Curves)
		}
		if r.DataSource != "synthetic" || r.Params <= 0 {
			t.Errorf("%s: source %q params %d", r.Label, r.DataSource, r.Params)
		}
	}
	if !strings.HasPrefix(rep.Tables[0].Banner, "SYNTHETIC DATA") {
		t.Errorf("banner %q", rep.Tables[0].Banner)
	}
	// Same seed, same numbers.
	rep2, err := harness.Run(context.Background(), quickstart, harness.Options{Scale: "smoke", OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rep.Records {
		if a, b := rep.Records[i].Metrics["val_loss"], rep2.Records[i].Metrics["val_loss"]; a != b {
			t.Errorf("%s: val loss %v then %v: not deterministic", rep.Records[i].Label, a, b)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		key  string
		val  any
		want string
	}{
		{"model.hidden", int64(-1), "model.hidden: must be 0..4096"},
		{"model.depth", int64(2), "model.depth: unknown key"},
		{"train.optimizer", "lbfgs", `train.optimizer: want "adam" or "sgd"`},
		{"data.source", "real", "data.source: the planted-signal dataset is synthetic"},
		{"train.learning_rate", "fast", `train.learning_rate: want a number, got string "fast"`},
	}
	for _, c := range cases {
		cfg := map[string]any{
			"data":  map[string]any{"dataset": "planted-signal", "source": "synthetic"},
			"model": map[string]any{}, "train": map[string]any{},
		}
		root, leaf, _ := strings.Cut(c.key, ".")
		cfg[root].(map[string]any)[leaf] = c.val
		err := Task{}.Validate(runner.Point{Config: cfg})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%v: error %v, want %q", c.key, c.val, err, c.want)
		}
	}
}
