package flow

import (
	"reflect"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
)

func TestInterleave(t *testing.T) {
	got, err := Interleave([]string{"I1", "I2", "I3"}, []string{"F1", "F2", "F3"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"I1", "F1", "I2", "F2", "I3", "F3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Interleave = %v, want %v", got, want)
	}
	if _, err := Interleave([]int{1, 2}, []int{1}); err == nil {
		t.Error("no error for 2 RGB frames and 1 flow frame")
	}
}

func TestPairFor(t *testing.T) {
	cases := []struct{ t, n, a, b int }{
		{0, 10, 0, 1},
		{4, 10, 4, 5},
		{9, 10, 8, 9}, // the last frame borrows the last pair
		{0, 1, 0, 0},  // a still image: zero flow
		{12, 10, 8, 9},
	}
	for _, c := range cases {
		if a, b := PairFor(c.t, c.n); a != c.a || b != c.b {
			t.Errorf("PairFor(%d, %d) = (%d, %d), want (%d, %d)", c.t, c.n, a, b, c.a, c.b)
		}
	}
}

// ForFrames on a video whose frames are a texture moving 2 px right per
// frame: each field is about (2, 0), repeated pairs are shared, and the
// result does not depend on the number of workers.
func TestForFrames(t *testing.T) {
	tex := newTexture(4)
	w, h, n := 64, 48, 5
	v := &data.Video{T: n, H: h, W: w, RGB: make([]uint8, n*h*w*3)}
	for f := 0; f < n; f++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g := uint8(tex.at(float64(x)-2*float64(f), float64(y)))
				i := ((f*h+y)*w + x) * 3
				v.RGB[i], v.RGB[i+1], v.RGB[i+2] = g, g, g
			}
		}
	}
	idx := []int{0, 3, 4, 4}
	f1, err := ForFrames(v, idx, Options{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := ForFrames(v, idx, Options{}, 3)
	if f1[2] != f1[3] {
		t.Error("frames 4 and 4 do not share their field")
	}
	truth := NewField(w, h)
	for i := range truth.U {
		truth.U[i] = 2
	}
	for k := range idx {
		if !reflect.DeepEqual(f1[k], f2[k]) {
			t.Errorf("field %d depends on the number of workers", k)
		}
		e, _ := EPE(f1[k], truth, 8)
		if e > 0.2 { // 10 % of the motion; 8-bit quantisation of a 64x48 frame
			t.Errorf("field %d: EPE %.3f px against a 2 px translation", k, e)
		}
	}
	if _, err := ForFrames(v, []int{5}, Options{}, 1); err == nil {
		t.Error("no error for frame 5 of a 5-frame video")
	}
}

func TestResize(t *testing.T) {
	// A 4x2 field shrunk to 2x1: each output pixel averages a 2x2 block and
	// the vectors halve (pixels are twice as large).
	f := &Field{W: 4, H: 2, U: []float32{1, 3, 5, 7, 1, 3, 5, 7}, V: []float32{2, 2, 4, 4, 6, 6, 8, 8}}
	g := Resize(f, 2, 1)
	if want := []float32{1, 3}; !reflect.DeepEqual(g.U, want) {
		t.Errorf("U = %v, want %v (means 2 and 6, halved)", g.U, want)
	}
	if want := []float32{2, 3}; !reflect.DeepEqual(g.V, want) {
		t.Errorf("V = %v, want %v (means 4 and 6, halved)", g.V, want)
	}
	// A uniform field stays uniform (scaled) under fractional shrinking and
	// under enlarging.
	u := NewField(7, 5)
	for i := range u.U {
		u.U[i], u.V[i] = 3, -1
	}
	for _, sz := range [][2]int{{3, 2}, {5, 5}, {14, 10}} {
		r := Resize(u, sz[0], sz[1])
		wu, wv := 3*float32(sz[0])/7, -1*float32(sz[1])/5
		for i := range r.U {
			if d := r.U[i] - wu; d > 1e-5 || d < -1e-5 {
				t.Fatalf("%dx%d: U[%d] = %v, want %v", sz[0], sz[1], i, r.U[i], wu)
			}
			if d := r.V[i] - wv; d > 1e-5 || d < -1e-5 {
				t.Fatalf("%dx%d: V[%d] = %v, want %v", sz[0], sz[1], i, r.V[i], wv)
			}
		}
	}
}
