package ensmember

import (
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
)

func point(train map[string]any, model map[string]any) runner.Point {
	return runner.Point{Config: map[string]any{
		"data":  map[string]any{"dataset": "animalkingdom", "source": "synthetic", "track": "synthetic"},
		"model": model, "train": train,
	}}
}

func TestDecodeExcludeFold(t *testing.T) {
	cases := []struct {
		train  map[string]any
		model  map[string]any
		want   int
		errKey string
	}{
		{map[string]any{}, map[string]any{"preset": "best1"}, -1, ""},
		{map[string]any{"exclude_fold": int64(3)}, map[string]any{"preset": "best1"}, 3, ""},
		{map[string]any{"exclude_fold": int64(5)}, map[string]any{"preset": "best1"}, 0, "train.exclude_fold"},
		{map[string]any{"exclude_fold": "0"}, map[string]any{"preset": "best1"}, 0, "train.exclude_fold"},
		{map[string]any{}, map[string]any{"preset": "logreg"}, 0, "model.preset"},
		{map[string]any{"select": "best"}, map[string]any{"preset": "best1"}, 0, "train.select"},
		{map[string]any{"epochz": int64(3)}, map[string]any{"preset": "best1"}, 0, "epochz"},
	}
	for _, c := range cases {
		got, err := Decode(point(c.train, c.model))
		if c.errKey != "" {
			if err == nil || !strings.Contains(err.Error(), c.errKey) {
				t.Errorf("%v %v: error %v, want one naming %s", c.train, c.model, err, c.errKey)
			}
			continue
		}
		if err != nil || got.ExcludeFold != c.want {
			t.Errorf("%v: exclude_fold %d (%v), want %d", c.train, got.ExcludeFold, err, c.want)
		}
	}
}

func TestFoldsOfTheTwin(t *testing.T) {
	tr := &data.AKTrack{Source: "synthetic"}
	tr.Train.IDs = make([]string, 12)
	f, _, err := Folds(tr, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range f {
		if x != i%5 {
			t.Fatalf("clip %d in fold %d, want %d (data.WriteTwins' assignment)", i, x, i%5)
		}
	}
}
