package detplot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/metrics"
)

var (
	gt = []metrics.GTSegment{
		{Video: "v1", Label: "Diving", Start: 5, End: 12},
		{Video: "v1", Label: "CliffDiving", Start: 30, End: 41},
		{Video: "v2", Label: "Diving", Start: 1, End: 2},
	}
	pred = []metrics.Detection{
		{Video: "v1", Label: "Diving", Start: 6, End: 13, Score: 0.5},
		{Video: "v1", Label: "Diving", Start: 29, End: 40, Score: 0.9},
		{Video: "v2", Label: "Diving", Start: 1, End: 2, Score: 0.99},
		{Video: "v1", Label: "CliffDiving", Start: 31, End: 70, Score: 0.7},
		{Video: "v1", Label: "Diving", Start: 50, End: 51, Score: 0.1},
	}
)

func TestTop(t *testing.T) {
	for _, tc := range []struct {
		k    int
		want []float64
	}{{2, []float64{0.9, 0.7}}, {0, []float64{0.9, 0.7, 0.5, 0.1}}, {10, []float64{0.9, 0.7, 0.5, 0.1}}} {
		got := Top(pred, "v1", tc.k)
		if len(got) != len(tc.want) {
			t.Fatalf("k=%d: %d predictions", tc.k, len(got))
		}
		for i := range got {
			if got[i].Score != tc.want[i] || got[i].Video != "v1" {
				t.Errorf("k=%d: #%d = %+v", tc.k, i, got[i])
			}
		}
	}
}

func TestVideoTimeline(t *testing.T) {
	f, err := VideoTimeline("v1 (synthetic features, real ground truth)", "v1", 60, gt,
		[]Model{{"AFSD", pred}, {"GAF", pred[:2]}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	files, err := f.Save(filepath.Join(t.TempDir(), "timeline"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Errorf("saved %v, want SVG, PNG and PDF", files)
	}
	svg, _ := os.ReadFile(files[0])
	for _, want := range []string{"ground truth", "AFSD top 3", "GAF top 3", "CliffDiving"} {
		if !strings.Contains(string(svg)+strings.Join(files, " "), want) {
			t.Errorf("the figure lacks %q", want)
		}
	}
	if _, err := VideoTimeline("none", "v9", 0, gt, nil, 3); err == nil || !strings.Contains(err.Error(), "v9") {
		t.Errorf("video without ground truth: %v", err)
	}
}
