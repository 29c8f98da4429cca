package detfeat_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/detfeat"
)

// A detector asks a Source for videos and features and never learns
// whether they are real (OpenTHUMOS14) or synthetic (NewTHUMOS14Twin,
// or NewTwin over any ground truth, as here); tables print
// Info().Banner().
func Example() {
	gt := &data.DetectionDataset{Videos: []data.DetectionVideo{{
		ID: "video_test_0000004", Subset: "Test", Duration: 33.73, FPS: 30,
		Segments: []data.DetectionSegment{{Label: "CricketBowling", Start: 0.2, End: 1.1}, {Label: "CricketShot", Start: 1.0, End: 1.5}},
	}}}
	c := detfeat.DefaultTwinConfig()
	c.Dim = 32
	var src detfeat.Source
	src, err := detfeat.NewTwin("thumos14", gt, detfeat.THUMOSI3D, 30, c)
	if err != nil {
		fmt.Println(err)
		return
	}
	v := detfeat.Subset(src, "test")[0]
	f, _ := src.Features(v.ID)
	grid, _ := detfeat.Resample(f, detfeat.AFSDRate, detfeat.GridSteps(v, detfeat.AFSDRate))
	fmt.Println(src.Info().Banner())
	fmt.Printf("%s: %d frames, %d steps of %d channels, step 0 at %.3f s, %d points at 10 fps\n",
		v.ID, v.Frames, f.T, f.D, f.Time(0), grid.T)
	// Output:
	// synthetic features, real ground truth
	// video_test_0000004: 1012 frames, 250 steps of 64 channels, step 0 at 0.267 s, 337 points at 10 fps
}
