package akmotion_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/data/akmotion"
)

func ExampleClassesOfCue() {
	for _, cue := range []akmotion.Cue{akmotion.CueMotion, akmotion.CueAppearance, akmotion.CueInteraction} {
		var names []string
		for _, id := range akmotion.ClassesOfCue(cue) {
			c := akmotion.Classes[id]
			names = append(names, fmt.Sprintf("%s (AK %d)", c.Name, c.AKID))
		}
		fmt.Println(cue, names)
	}
	// Output:
	// motion [Keeping still (AK 68) Walking (AK 133) Running (AK 100) Shaking (AK 103)]
	// appearance [Swimming (AK 123) Eating (AK 40) Spreading Wings (AK 114)]
	// interaction [Attacking (AK 1) Retreating (AK 97)]
}

func ExamplePlans() {
	// The clips of a twin, without rendering or encoding them.
	plans, err := akmotion.Plans(akmotion.ScaleOptions("smoke", 1, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range plans[:4] {
		var names []string
		for _, l := range p.Labels {
			names = append(names, akmotion.Classes[l].Name)
		}
		fmt.Printf("%s %d frames %v, %.2f px/frame\n", p.ID, p.Frames, names, p.VX)
	}
	// Output:
	// KOVTBNMQ 16 frames [Shaking], 0.00 px/frame
	// IIOHRUTY 21 frames [Walking], -0.38 px/frame
	// ESVHQNJB 22 frames [Running], -1.51 px/frame
	// SZFUEYEU 18 frames [Walking Attacking], -0.44 px/frame
}
