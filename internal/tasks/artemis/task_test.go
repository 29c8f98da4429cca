package artemis

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	model "github.com/actrepro/actrepro/gomlx_models/artemis"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
)

// smokePoint is a tiny synthetic point, the sizes of the smoke scale.
func smokePoint(model map[string]any) runner.Point {
	m := map[string]any{"text_layer": "conv", "tokens": 4, "heads": 2, "ff_dim": 32, "enc_layers": 1, "dec_layers": 1}
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
		{"r_seq_form", map[string]any{"r_seq_form": "s"}},
		{"r_b_form", map[string]any{"r_b_form": "mean"}},
		{"contrastive_form", map[string]any{"contrastive_form": "pairs"}},
		{"cca_form", map[string]any{"cca_form": "svd"}},
		{"image_dim on the twin", map[string]any{"image_dim": 768}},
		{"video_layout without a track", map[string]any{"video_layout": "timesformer"}},
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

// TestDefaultsAreTheCode: a spec that names no option gets the authors'
// code (nn.Transformer 6+6, every form "code", cosine on the class axis,
// 50 frozen + 200 epochs of a 2,500-clip sample), and switching fusion alone
// gives the paper's one layer, never 1+6.
func TestDefaultsAreTheCode(t *testing.T) {
	p := smokePoint(nil)
	m := p.Config["model"].(map[string]any)
	delete(m, "enc_layers")
	delete(m, "dec_layers")
	p.Config["train"] = map[string]any{"seed": 1}
	c, err := Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	mc := c.ModelConfig(8, 16, 16, 32)
	cases := []struct{ name, got, want string }{
		{"fusion", mc.Fusion, model.FusionCode},
		{"r_seq_form", mc.RSeqForm, model.FormCode},
		{"r_b_form", mc.RbForm, model.FormCode},
		{"contrastive_form", mc.ContrastiveForm, model.FormCode},
		{"cca_form", mc.CCAForm, model.FormCode},
		{"cosine_axis", mc.CosineAxis, model.CosineClass},
		{"video_layout", mc.VideoLayout, model.VideoFrames},
		{"text_across_batch", fmt.Sprint(mc.TextAcrossBatch), "false"},
		{"dropout", fmt.Sprint(mc.Dropout), "0.1"},
		{"layers", fmt.Sprint(mc.LayersUsed()), "[6 6]"},
		{"image_dim (twin: E)", fmt.Sprint(mc.ImageDim), "16"},
		{"epochs", fmt.Sprint(c.Train.FrozenEpochs, "+", c.Train.Epochs, " of ", c.Train.EpochSize), "50+200 of 2500"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, tc.got, tc.want)
		}
	}
	m["fusion"] = model.FusionPaper
	c, err = Decode(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.ModelConfig(8, 16, 16, 32).LayersUsed()); got != "[1 0]" {
		t.Errorf("fusion = paper alone: layers %s, want [1 0]", got)
	}
}
