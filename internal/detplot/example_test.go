package detplot_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/detplot"
	"github.com/actrepro/actrepro/internal/metrics"
)

// A notebook draws one test video: its ground truth above the top 5
// predictions of each model.
func ExampleVideoTimeline() {
	gt := []metrics.GTSegment{{Video: "video_test_0000004", Label: "CricketBowling", Start: 0.2, End: 1.1},
		{Video: "video_test_0000004", Label: "CricketShot", Start: 1.0, End: 1.5}}
	afsd := []metrics.Detection{{Video: "video_test_0000004", Label: "CricketBowling", Start: 0.3, End: 1.2, Score: 0.8},
		{Video: "video_test_0000004", Label: "CricketShot", Start: 0.9, End: 1.6, Score: 0.6}}
	f, err := detplot.VideoTimeline("video_test_0000004 (example data)", "video_test_0000004", 5, gt,
		[]detplot.Model{{Name: "AFSD", Pred: afsd}}, 5)
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "detplot")
	defer os.RemoveAll(dir)
	files, err := f.Save(filepath.Join(dir, "timeline"))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range files {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// timeline.svg
	// timeline.png
	// timeline.pdf
}
