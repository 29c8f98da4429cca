package flow_test

import (
	"fmt"

	"github.com/actrepro/actrepro/internal/video/flow"
)

func ExampleInterleave() {
	rgb := []string{"I1", "I2", "I3"}
	var flows []string
	for _, t := range []int{0, 1, 2} {
		a, b := flow.PairFor(t, 3) // F_i is the flow from I_i to the video's next frame
		flows = append(flows, fmt.Sprintf("F(%d->%d)", a, b))
	}
	seq, _ := flow.Interleave(rgb, flows)
	fmt.Println(seq)
	// Output: [I1 F(0->1) I2 F(1->2) I3 F(1->2)]
}

func ExampleColor() {
	// Hue gives the direction, saturation the speed relative to the maximum.
	fmt.Println(flow.Color(0, 0), flow.Color(1, 0), flow.Color(0.5, 0), flow.Color(2, 0))
	// Output: [255 255 255] [255 0 0] [255 127 127] [191 0 0]
}

func ExampleCompute() {
	// A bright square moves 2 px right and 1 px down between two frames.
	w, h := 48, 48
	draw := func(ox, oy int) *flow.Gray {
		g := &flow.Gray{W: w, H: h, Pix: make([]float32, w*h)}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if x >= 16+ox && x < 30+ox && y >= 16+oy && y < 30+oy {
					g.Pix[y*w+x] = float32(150 + 5*((x-ox)%4) + 7*((y-oy)%3))
				} else {
					g.Pix[y*w+x] = 40
				}
			}
		}
		return g
	}
	f, _ := flow.Compute(draw(0, 0), draw(2, 1), flow.Options{})
	i := 22*w + 22 // the square's centre in the first frame
	fmt.Printf("flow at the centre: (%.1f, %.1f)\n", f.U[i], f.V[i])
	// Output: flow at the centre: (2.0, 1.0)
}
