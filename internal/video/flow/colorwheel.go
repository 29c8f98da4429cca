package flow

import "math"

// Numbers of hues between the six primary and secondary colours of the
// Middlebury colour wheel (Baker et al., "A Database and Evaluation
// Methodology for Optical Flow", IJCV 2011, and its computeColor.m; RAFT's
// flow_viz.make_colorwheel uses the same): red→yellow 15, yellow→green 6,
// green→cyan 4, cyan→blue 11, blue→magenta 13, magenta→red 6; 55 in all.
const (
	wheelRY = 15
	wheelYG = 6
	wheelGC = 4
	wheelCB = 11
	wheelBM = 13
	wheelMR = 6
)

// ColorWheel returns the 55 colours of the Middlebury wheel in order,
// starting at pure red. Within each of the six arcs one channel ramps
// linearly, floor(255*i/n) for i = 0..n-1, while another stays at 255.
func ColorWheel() [][3]uint8 {
	var cw [][3]uint8
	ramp := func(i, n int) uint8 { return uint8(math.Floor(255 * float64(i) / float64(n))) }
	for i := 0; i < wheelRY; i++ {
		cw = append(cw, [3]uint8{255, ramp(i, wheelRY), 0})
	}
	for i := 0; i < wheelYG; i++ {
		cw = append(cw, [3]uint8{255 - ramp(i, wheelYG), 255, 0})
	}
	for i := 0; i < wheelGC; i++ {
		cw = append(cw, [3]uint8{0, 255, ramp(i, wheelGC)})
	}
	for i := 0; i < wheelCB; i++ {
		cw = append(cw, [3]uint8{0, 255 - ramp(i, wheelCB), 255})
	}
	for i := 0; i < wheelBM; i++ {
		cw = append(cw, [3]uint8{ramp(i, wheelBM), 0, 255})
	}
	for i := 0; i < wheelMR; i++ {
		cw = append(cw, [3]uint8{255, 0, 255 - ramp(i, wheelMR)})
	}
	return cw
}

var wheel = ColorWheel()

// Color returns the wheel colour of a flow vector (u, v) already divided by
// the normalising magnitude. The angle of (-u, -v) picks a position on the
// wheel (interpolated linearly between its two nearest colours); a vector
// of length r <= 1 is blended towards white as 1 - r*(1 - c), a longer one
// is drawn at 75 % of the colour (out of range); each channel is then
// floor(255 * c). Zero motion is white.
func Color(u, v float64) [3]uint8 {
	n := len(wheel)
	rad := math.Sqrt(u*u + v*v)
	a := math.Atan2(-v, -u) / math.Pi
	fk := (a + 1) / 2 * float64(n-1)
	k0 := int(math.Floor(fk))
	k1 := k0 + 1
	if k1 == n {
		k1 = 0
	}
	f := fk - float64(k0)
	var out [3]uint8
	for c := 0; c < 3; c++ {
		col0, col1 := float64(wheel[k0][c])/255, float64(wheel[k1][c])/255
		col := (1-f)*col0 + f*col1
		if rad <= 1 {
			col = 1 - rad*(1-col)
		} else {
			col *= 0.75
		}
		out[c] = uint8(math.Floor(255 * col))
	}
	return out
}

// normEps is added to the field's largest magnitude before dividing by it,
// as RAFT's flow_to_image does, so that a zero field renders white.
const normEps = 1e-5

// Render draws f as packed RGB24 (H*W*3 bytes, the layout of
// data.Video.Frame). With maxMag > 0 every vector is divided by maxMag (a
// fixed scale: speeds compare across frames and clips; longer vectors
// saturate). With maxMag <= 0 vectors are divided by the field's largest
// magnitude (+1e-5), the default of RAFT's flow_viz.flow_to_image, which
// shows direction and relative speed within one frame only.
func Render(f *Field, maxMag float64) []uint8 {
	scale := maxMag
	if maxMag <= 0 {
		var m float64
		for i := range f.U {
			m = math.Max(m, math.Hypot(float64(f.U[i]), float64(f.V[i])))
		}
		scale = m + normEps
	}
	out := make([]uint8, f.W*f.H*3)
	for i := range f.U {
		c := Color(float64(f.U[i])/scale, float64(f.V[i])/scale)
		copy(out[3*i:], c[:])
	}
	return out
}
