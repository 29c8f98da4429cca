package gaftables

import (
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/runner"
)

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		table, row string
		want       string
	}{
		{"II", "gaf", `model.table: want "I", "III", "IV", "V", "VI", "VII" or "figures"`},
		{"VI", "gaf", `data.dataset: Table VI: want "activitynet"`},
		{"VI", "gaf-ai", `model.row: want a model of the ActivityNet runs`},
		{"I", "bsn", `model.row: want a model of the runs`},
		{"III", "", `model.row: want a THUMOS14 class or "mAP"`},
		{"figures", "pr", "model.row: want one of [timeline ap_bars lambda]"},
	}
	for _, c := range cases {
		cfg := map[string]any{
			"data":  map[string]any{"dataset": "thumos14", "source": "synthetic"},
			"model": map[string]any{"table": c.table, "row": c.row},
		}
		err := Task{}.Validate(runner.Point{Config: cfg})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("table %q row %q: error %v, want %q", c.table, c.row, err, c.want)
		}
	}
	ok := map[string]any{"data": map[string]any{"dataset": "thumos14", "source": "synthetic"}, "model": map[string]any{"table": "V", "row": "afsd"}}
	if err := (Task{}).Validate(runner.Point{Config: ok}); err != nil {
		t.Errorf("valid config: %v", err)
	}
}
