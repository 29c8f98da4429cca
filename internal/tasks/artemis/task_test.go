package artemis

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
)

// smokePoint is a tiny synthetic point, the sizes of the smoke scale.
func smokePoint(model map[string]any) runner.Point {
	m := map[string]any{"text_layer": "conv", "tokens": 4, "heads": 2, "ff_dim": 32}
	for k, v := range model {
		m[k] = v
	}
	return runner.Point{Config: map[string]any{
		"data": map[string]any{"dataset": "animalkingdom", "source": "synthetic", "track": "synthetic",
			"n_train": 256, "n_val": 128, "classes": 32, "frames": 8, "video_dim": 16, "embed_dim": 16, "difficulty": 0.3, "seed": 1},
		"model": m,
		"train": map[string]any{"epochs": 4, "frozen_epochs": 0, "batch": 16, "epoch_size": 0, "lr": 3e-3, "restart_every": 10, "seed": 1},
	}}
}

func TestRunSmokeDeterministic(t *testing.T) {
	p := smokePoint(map[string]any{"R_Hv": true, "R_b": true, "F_r": true, "align": "cosine"})
	env := runner.Env{Backend: "purego"}
	start := time.Now()
	a, err := Task{}.Run(context.Background(), p, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one smoke run: %v, metrics %v", time.Since(start), a.Metrics)
	b, err := Task{}.Run(context.Background(), p, env)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Metrics) != fmt.Sprint(b.Metrics) {
		t.Errorf("same seed, different metrics:\n%v\n%v", a.Metrics, b.Metrics)
	}
	for _, k := range []string{"map_batch_micro", "map_macro", "map_micro", "map_head", "map_middle", "map_tail"} {
		if v, ok := a.Metrics[k]; !ok || !(v >= 0 && v <= 1) {
			t.Errorf("metric %s = %v (present %v), want a value in [0,1]", k, v, ok)
		}
	}
	if a.DataSource != "synthetic" || a.Params <= 0 {
		t.Errorf("DataSource %q Params %d", a.DataSource, a.Params)
	}
}

func TestValidateErrors(t *testing.T) {
	cases := []struct {
		name  string
		model map[string]any
	}{
		{"text layer", map[string]any{"text_layer": "transformer"}},
		{"fusion", map[string]any{"fusion": "late"}},
		{"align", map[string]any{"align": "kl"}},
		{"unknown key", map[string]any{"R_hv": true}},
		{"heads", map[string]any{"heads": 3}},
	}
	for _, tc := range cases {
		if err := (Task{}).Validate(smokePoint(tc.model)); err == nil {
			t.Errorf("%s: Validate accepted %v", tc.name, tc.model)
		}
	}
	if err := (Task{}).Validate(smokePoint(nil)); err != nil {
		t.Errorf("good point: %v", err)
	}
}

func TestAKTextSmoke(t *testing.T) {
	root := data.DataRoot("")
	if root == "" {
		t.Skipf("no data root: set $%s to the folder holding animalkingdom/ to run the real text track", data.EnvDataRoot)
	}
	if _, err := os.Stat(root + "/animalkingdom/summaries.csv"); err != nil {
		t.Skipf("data root %s has no animalkingdom/summaries.csv", root)
	}
	p := smokePoint(map[string]any{"text_layer": "bilstm", "frames": 4, "video_dim": 8})
	d := p.Config["data"].(map[string]any)
	d["track"], d["source"], d["max_train"], d["max_val"], d["embed_dim"] = "ak-text", "real", 512, 256, 32
	delete(d, "n_train")
	delete(d, "n_val")
	p.Config["train"].(map[string]any)["epochs"] = 2
	out, err := Task{}.Run(context.Background(), p, runner.Env{Backend: "purego", DataRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	if out.DataSource != "real" {
		t.Errorf("DataSource %q, want real", out.DataSource)
	}
	t.Logf("ak-text smoke: %v", out.Metrics)
}
