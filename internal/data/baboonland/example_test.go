package baboonland_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data/baboonland"
)

// A mini-scene of 40 frames: the authors' follow-up code sees 16 of them
// (the middle of 16 equal segments), so a behaviour on frame index 2 only
// counts under the union rule.
func ExampleClip_Labels() {
	clip := baboonland.Clip{ID: "B0001.1"}
	for f := 0; f < 40; f++ {
		label := 1 // Sitting/Standing
		if f == 2 {
			label = 9 // Drinking, on one unsampled frame
		}
		clip.Frames = append(clip.Frames, baboonland.Frame{ID: f + 1, Labels: []int{label}})
	}
	fmt.Println("sampled frames:", baboonland.SampleIndices(40, 16))
	union, _ := clip.Labels(baboonland.RuleUnion, 0)
	sampled, _ := clip.Labels(baboonland.RuleSampled, 16)
	fmt.Println("union:", union, "sampled:", sampled)
	// Output:
	// sampled frames: [1 3 6 8 11 13 16 18 21 23 26 28 31 33 36 38]
	// union: [1 9] sampled: [1]
}
