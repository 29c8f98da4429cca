package artemistables_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/tasks/artemistables"
)

func sizePoint(preset, backend string, reps int) runner.Point {
	return runner.Point{Scale: "smoke", Config: map[string]any{
		"data":  map[string]any{"dataset": "animalkingdom", "source": "synthetic"},
		"model": map[string]any{"preset": preset, "timing_backend": backend},
		"train": map[string]any{"reps": int64(reps), "warmup": int64(0)},
	}}
}

// The counts are the brief's Table 6 reading (sums of PyTorch counts,
// internal/modelsize/testdata/counts.json): BEST2 253,055,196; the
// ensemble BEST1 + BEST3 + ARTEMIS-biLSTM 761,529,000.
func TestSizeCountsAndUnavailableBackend(t *testing.T) {
	for _, tc := range []struct {
		preset string
		want   float64
	}{{"best2", 253055196}, {"ensemble", 253448924 + 253055196 + 255025880}} {
		out, err := artemistables.SizeTask{}.Run(context.Background(), sizePoint(tc.preset, "xla:nosuchdevice", 1), runner.Env{})
		if err != nil {
			t.Fatal(err)
		}
		if out.Metrics["params"] != tc.want || math.Abs(out.Metrics["params_printed_m"]-(tc.want/1e6+10700)) > 1e-9 {
			t.Errorf("%s: %v, want %v parameters", tc.preset, out.Metrics, tc.want)
		}
		if _, has := out.Metrics["time_s"]; has || !strings.Contains(strings.Join(out.Notes, " "), "unavailable") {
			t.Errorf("%s: an unavailable backend must leave the time empty and say so: %v %v", tc.preset, out.Metrics, out.Notes)
		}
	}
}

// One timed clip of the BEST1 head at the paper's widths on purego: the
// GoMLX head's variables equal the analytic count, and a time is recorded
// (its value is not asserted).
func TestSizeTimesTheFullWidthHead(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 46 M-parameter head")
	}
	out, err := artemistables.SizeTask{}.Run(context.Background(), sizePoint("best1", "purego", 1), runner.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Metrics["params_go_head"] != 46384604 || out.Params != 46384604 {
		t.Errorf("head: %v", out.Metrics["params_go_head"])
	}
	if v, ok := out.Metrics["time_s"]; !ok || !(v > 0) || len(out.Curves["time_s"]) != 1 {
		t.Errorf("time: %v %v", out.Metrics, out.Curves)
	}
	if m, _ := out.Extra["machine"].(map[string]any); m == nil || m["cores"] == nil {
		t.Errorf("machine not recorded: %v", out.Extra)
	}
}

func TestSizeValidate(t *testing.T) {
	for name, p := range map[string]runner.Point{
		"preset":  sizePoint("best7", "purego", 1),
		"reps":    sizePoint("best1", "purego", -1),
		"unknown": {Config: map[string]any{"data": map[string]any{"dataset": "animalkingdom", "source": "synthetic"}, "model": map[string]any{"preset": "best1", "widht": int64(3)}}},
		"source":  {Config: map[string]any{"data": map[string]any{"dataset": "animalkingdom", "source": "real"}, "model": map[string]any{"preset": "best1"}}},
	} {
		if err := (artemistables.SizeTask{}).Validate(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := (artemistables.SizeTask{}).Validate(sizePoint("ensemble", "xla:cuda", 100)); err != nil {
		t.Error(err)
	}
}
