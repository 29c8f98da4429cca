package ucf50

import (
	"context"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
)

// tinyPoint is the whole pipeline at toy size: a twin of 3 short videos per
// class, 8 frames of 32x32, one epoch. It checks plumbing, not learning
// (the spec's smoke scale, run by the notebook in CI, checks learning).
func tinyPoint(dir, model string) runner.Point {
	return runner.Point{ExperimentID: "ucf50-test", Scale: "smoke", Config: map[string]any{
		"data": map[string]any{
			"dataset": "ucf50", "source": "synthetic", "dir": dir,
			"per_class": []any{int64(3), int64(3), int64(3), int64(3)}, "min_frames": int64(8), "max_frames": int64(10),
			"width": int64(48), "height": int64(36), "frames": int64(8), "size": int64(32),
		},
		"model": map[string]any{"name": model, "pools": []any{int64(2), int64(4), int64(2), int64(2)}},
		"train": map[string]any{"epochs": int64(1)},
	}}
}

func TestRunTinyPipeline(t *testing.T) {
	if !data.HaveFFmpeg() {
		t.Skip("ffmpeg not installed: " + data.FFmpegHint)
	}
	dir := t.TempDir() + "/twin"
	for _, m := range []string{ModelConvLSTM, ModelLRCN} {
		t.Run(m, func(t *testing.T) {
			p := tinyPoint(dir, m)
			if err := (Task{}).Validate(p); err != nil {
				t.Fatal(err)
			}
			out, err := Task{}.Run(context.Background(), p, runner.Env{Backend: "purego"})
			if err != nil {
				t.Fatal(err)
			}
			if out.DataSource != "synthetic" || !strings.HasPrefix(out.Notes[0], "SYNTHETIC") {
				t.Errorf("data source %q, first note %q: a synthetic run must say so", out.DataSource, out.Notes[0])
			}
			if out.Params <= 0 || out.Metrics["params"] != float64(out.Params) {
				t.Errorf("params %d, metric %g", out.Params, out.Metrics["params"])
			}
			for _, c := range []string{"train_loss", "train_accuracy", "val_loss", "val_accuracy"} {
				if len(out.Curves[c]) != 1 {
					t.Errorf("curve %s has %d points, want 1 (one epoch)", c, len(out.Curves[c]))
				}
			}
			sum := 0
			for _, row := range out.Extra["confusion"].([][]int) {
				for _, v := range row {
					sum += v
				}
			}
			// 12 clips: test ceil(3) = 3, rest 9 -> train 7, val 2.
			if sum != 3 || out.Metrics["n_test"] != 3 || out.Metrics["n_train"] != 7 || out.Metrics["n_val"] != 2 {
				t.Errorf("confusion counts %d clips; n_train/val/test = %v/%v/%v, want 7/2/3", sum, out.Metrics["n_train"], out.Metrics["n_val"], out.Metrics["n_test"])
			}
			if acc := out.Metrics["test_accuracy"]; acc < 0 || acc > 1 {
				t.Errorf("test accuracy %g outside [0,1]", acc)
			}
		})
	}
}

func TestValidateNamesKey(t *testing.T) {
	for _, tc := range []struct {
		name, section, key string
		value              any
		want               string
	}{
		{"model", "model", "name", "resnet", `model.name: want "convlstm" or "lrcn", got "resnet"`},
		{"protocol", "train", "protocol", "keras", `train.protocol: want "paper" or "tutorial", got "keras"`},
		{"unknown key", "train", "epoch", int64(3), "train.epoch"},
		{"fraction", "data", "test_fraction", 1.5, "data.test_fraction: must be in (0,1), got 1.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tinyPoint("", ModelLRCN)
			p.Config[tc.section].(map[string]any)[tc.key] = tc.value
			err := (Task{}).Validate(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
