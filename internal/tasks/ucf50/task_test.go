package ucf50

import (
	"context"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
)

// smokePoint is a tiny synthetic run: 8 short videos per class.
func smokePoint(t *testing.T, model string, epochs int) runner.Point {
	return runner.Point{ExperimentID: "ucf50-test", Scale: "smoke", Config: map[string]any{
		"data": map[string]any{
			"dataset": "ucf50", "source": "synthetic", "dir": t.TempDir() + "/twin",
			"per_class": []any{int64(8), int64(8), int64(8), int64(8)}, "min_frames": int64(20), "max_frames": int64(30),
			"width": int64(96), "height": int64(72), "difficulty": 0.1,
		},
		"model": map[string]any{"name": model},
		"train": map[string]any{"epochs": int64(epochs), "patience": int64(3)},
	}}
}

func TestRunSmoke(t *testing.T) {
	if !data.HaveFFmpeg() {
		t.Skip("ffmpeg not installed: " + data.FFmpegHint)
	}
	for _, m := range []string{ModelConvLSTM} {
		p := smokePoint(t, m, 2)
		if err := (Task{}).Validate(p); err != nil {
			t.Fatal(err)
		}
		out, err := Task{}.Run(context.Background(), p, runner.Env{Backend: "purego"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: metrics %v\ncurves %v\nextra confusion %v\nnotes %q", m, out.Metrics, out.Curves, out.Extra["confusion"], out.Notes)
	}
}
