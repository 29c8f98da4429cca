package detprotocol_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/metrics/detprotocol"
)

// The same predictions scored under both protocols: a detection on a video
// that the ground truth does not have (as AFSD's test.py produces for
// video_test_0000270) is a false positive under activitynet and is dropped
// under afsd.
func ExampleEvaluate() {
	gt := []metrics.GTSegment{
		{Video: "video_test_0000004", Label: "CricketBowling", Start: 0.2, End: 1.1},
		{Video: "video_test_0000004", Label: "CricketBowling", Start: 11.4, End: 12.2},
	}
	pred := []metrics.Detection{
		{Video: "video_test_0000270", Label: "CricketBowling", Start: 5, End: 6, Score: 0.9},
		{Video: "video_test_0000004", Label: "CricketBowling", Start: 0.2, End: 1.0, Score: 0.8},
		{Video: "video_test_0000004", Label: "CricketBowling", Start: 11.5, End: 12.2, Score: 0.7},
	}
	for _, p := range detprotocol.Protocols {
		r, err := detprotocol.Evaluate(p, gt, pred, []float64{0.3, 0.5, 0.7})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-11s mAP %.3f %.3f %.3f  average %.3f  dropped %d %v\n", p, r.MAP[0], r.MAP[1], r.MAP[2], r.Average, r.DroppedNoGT, r.DroppedVideos)
	}
	// Output:
	// activitynet mAP 0.667 0.667 0.667  average 0.667  dropped 0 []
	// afsd        mAP 1.000 1.000 1.000  average 1.000  dropped 1 [video_test_0000270]
}
