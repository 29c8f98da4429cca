package ucf50

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/actrepro/actrepro/internal/runner"
)

type logProgress struct{ t *testing.T }

func (l logProgress) Start(p string, n int)                 { l.t.Logf("start %s %d", p, n) }
func (l logProgress) Step(d int, m map[string]float64)      { if m != nil { l.t.Logf("step %d %v", d, m) } }
func (l logProgress) Finish()                               {}

func TestExplore(t *testing.T) {
	model := os.Getenv("UX_MODEL")
	if model == "" {
		t.Skip()
	}
	atoi := func(k string) int64 { v, _ := strconv.Atoi(os.Getenv(k)); return int64(v) }
	pc := atoi("UX_PC")
	diff, _ := strconv.ParseFloat(os.Getenv("UX_DIFF"), 64)
	p := runner.Point{Config: map[string]any{
		"data": map[string]any{"dataset": "ucf50", "source": "synthetic", "dir": "/tmp/u/twin" + os.Getenv("UX_TAG") + "-" + os.Getenv("UX_PC") + "-" + os.Getenv("UX_DIFF"),
			"per_class": []any{pc, pc, pc, pc}, "min_frames": int64(24), "max_frames": int64(40), "difficulty": diff, "frames": atoi("UX_FRAMES"), "size": int64(32)},
		"model": map[string]any{"name": model, "pools": []any{int64(2), int64(4), int64(2), int64(2)}},
		"train": map[string]any{"epochs": atoi("UX_EPOCHS"), "patience": atoi("UX_EPOCHS"), "learning_rate": 0.003},
	}}
	out, err := Task{}.Run(context.Background(), p, runner.Env{Backend: "purego", Progress: logProgress{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: metrics %v\nconfusion %v", model, out.Metrics, out.Extra["confusion"])
}
