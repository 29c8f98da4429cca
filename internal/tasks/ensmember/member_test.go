package ensmember

import (
	"slices"
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

func TestFitCandidates(t *testing.T) {
	folds := make([]int, 100)
	for i := range folds {
		folds[i] = i % 5
	}
	folds[7] = -1 // a clip in no fold (4 such clips on the real split)
	cases := []struct {
		exclude, perFold, want int
	}{
		{-1, 0, 99}, // every fold, every clip
		{-1, 5, 25}, // 5 per fold
		{0, 0, 20},  // the leak-free member: its excluded fold only
		{0, 5, 5},
		{2, 50, 19}, // fold 2 minus clip 7
	}
	for _, c := range cases {
		got := fitCandidates(folds, c.exclude, c.perFold, 1)
		if len(got) != c.want {
			t.Errorf("exclude %d per fold %d: %d clips, want %d", c.exclude, c.perFold, len(got), c.want)
		}
		for j, i := range got {
			if j > 0 && got[j-1] >= i {
				t.Fatalf("not in split order: %v", got)
			}
			if folds[i] < 0 || (c.exclude >= 0 && folds[i] != c.exclude) {
				t.Fatalf("exclude %d: clip %d of fold %d chosen", c.exclude, i, folds[i])
			}
		}
	}
	a, b := fitCandidates(folds, -1, 5, 1), fitCandidates(folds, -1, 5, 1)
	c := fitCandidates(folds, -1, 5, 2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("the subset is not a function of the seed: %v %v %v", a, b, c)
	}
}
