package flow

import (
	"encoding/json"
	"os"
	"testing"
)

// colorwheel.json is written by testdata/gen_colorwheel.py, an independent
// numpy implementation of the Middlebury / flow_viz convention (numpy
// 1.24.2). The Go rendering must match it byte for byte; where float32 and
// float64 rounding could put a channel on either side of an integer the
// test allows one unit.
func TestRenderMatchesNumpy(t *testing.T) {
	b, err := os.ReadFile("testdata/colorwheel.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Wheel [][3]int `json:"wheel"`
		Cases []struct {
			Name   string    `json:"name"`
			W      int       `json:"w"`
			H      int       `json:"h"`
			MaxMag float64   `json:"max_mag"`
			U      []float32 `json:"u"`
			V      []float32 `json:"v"`
			RGB    []int     `json:"rgb"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	cw := ColorWheel()
	if len(cw) != 55 || len(fx.Wheel) != 55 {
		t.Fatalf("wheel has %d colours, fixture %d; want 55", len(cw), len(fx.Wheel))
	}
	for i := range cw {
		for c := 0; c < 3; c++ {
			if int(cw[i][c]) != fx.Wheel[i][c] {
				t.Fatalf("wheel colour %d = %v, numpy %v", i, cw[i], fx.Wheel[i])
			}
		}
	}
	for _, tc := range fx.Cases {
		if len(tc.U) != tc.W*tc.H || len(tc.RGB) != 3*tc.W*tc.H {
			t.Fatalf("%s: fixture sizes do not match %dx%d", tc.Name, tc.W, tc.H)
		}
		f := &Field{W: tc.W, H: tc.H, U: tc.U, V: tc.V}
		got := Render(f, tc.MaxMag)
		for i := range got {
			d := int(got[i]) - tc.RGB[i]
			if d < -1 || d > 1 {
				t.Errorf("%s: pixel %d channel %d = %d, numpy %d", tc.Name, i/3, i%3, got[i], tc.RGB[i])
			}
		}
	}
}

func TestColorConvention(t *testing.T) {
	cases := []struct {
		name string
		u, v float64
		want [3]uint8
	}{
		// Hand calculations from the convention: atan2(-v,-u)/π = a, position (a+1)/2*54.
		{"no motion is white", 0, 0, [3]uint8{255, 255, 255}},
		// u=-1, v=0: a = atan2(0, 1) = 0, position 27 = wheel[27] (cyan→blue arc, i=2: G=255-floor(255*2/11)=209).
		{"leftwards, full", -1, 0, [3]uint8{0, 209, 255}},
		// u=+1, v=0: a = atan2(-0, -1)/π = -1 (-v is -0), position 0 = red.
		{"rightwards (v=-0), full", 1, 0, [3]uint8{255, 0, 0}},
		// Half length: 1 - 0.5*(1-c): red (1,0,0) -> (1, .5, .5) -> 255, 127, 127.
		{"rightwards, half", 0.5, 0, [3]uint8{255, 127, 127}},
		// Beyond the maximum: 0.75 of the colour: red -> 191.
		{"rightwards, saturated", 2, 0, [3]uint8{191, 0, 0}},
	}
	for _, tc := range cases {
		if got := Color(tc.u, tc.v); got != tc.want {
			t.Errorf("%s: Color(%g, %g) = %v, want %v", tc.name, tc.u, tc.v, got, tc.want)
		}
	}
}
