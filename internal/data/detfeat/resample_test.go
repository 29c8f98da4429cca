package detfeat

import (
	"math"
	"testing"
)

func TestResample(t *testing.T) {
	// 5 steps of 2 channels, centred at 0.5 + 0.25·i s; channel 0 = step, channel 1 = −step
	f := &Features{Video: "v", T: 5, D: 2, Offset: 0.5, Step: 0.25}
	for i := 0; i < 5; i++ {
		f.Data = append(f.Data, float32(i), -float32(i))
	}
	g, err := Resample(f, 10, 20)
	if err != nil {
		t.Fatal(err)
	}
	if g.T != 20 || g.D != 2 || g.Offset != 0 || g.Step != 0.1 {
		t.Fatalf("grid [%d,%d] %v+i·%v", g.T, g.D, g.Offset, g.Step)
	}
	for k := 0; k < 20; k++ {
		tm := float64(k) / 10
		want := math.Max(0, math.Min(4, (tm-0.5)/0.25)) // clamped at both ends
		if got := float64(g.Row(k)[0]); math.Abs(got-want) > 1e-6 || g.Row(k)[1] != -g.Row(k)[0] {
			t.Errorf("t=%.1f: %v, %v; want %v", tm, g.Row(k)[0], g.Row(k)[1], want)
		}
	}
	for _, tc := range []struct {
		rate float64
		n    int
	}{{0, 5}, {math.Inf(1), 5}, {10, 0}} {
		if _, err := Resample(f, tc.rate, tc.n); err == nil {
			t.Errorf("rate %v n %d: no error", tc.rate, tc.n)
		}
	}
}

func TestGridSteps(t *testing.T) {
	for _, tc := range []struct {
		frames int
		fps    float64
		want   int
	}{
		{5091, 30, 1697}, // val_video_info.csv, video_validation_0000051
		{1012, 30, 337},  // test_video_info.csv, video_test_0000004
		{600, 25, 240},
		{3, 30, 1},
	} {
		if got := GridSteps(Video{Frames: tc.frames, FPS: tc.fps}, AFSDRate); got != tc.want {
			t.Errorf("%d frames at %v fps: %d points, want %d", tc.frames, tc.fps, got, tc.want)
		}
	}
}

func TestOnGrid(t *testing.T) {
	root := writeTHUMOSRoot(t)
	c := smallTwin()
	tw, err := NewTHUMOS14Twin(root, c)
	if err != nil {
		t.Fatal(err)
	}
	v := Subset(tw, "Validation")[0] // 1012 frames at 30 fps: 250 steps, 337 points at 10 fps
	g, err := OnGrid(tw, v, AFSDRate)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := tw.Features(v.ID)
	if g.T != 337 || g.D != f.D || g.Step != 0.1 {
		t.Fatalf("grid [%d,%d] step %v", g.T, g.D, g.Step)
	}
	// step i is centred at (4i+8)/30 s: grid point 12 (1.2 s) is step 7,
	// grid point 10 (1.0 s) halfway between steps 5 and 6
	for j := 0; j < f.D; j++ {
		mid := (f.Row(5)[j] + f.Row(6)[j]) / 2
		if math.Abs(float64(g.Row(12)[j]-f.Row(7)[j])) > 1e-5 || math.Abs(float64(g.Row(10)[j]-mid)) > 1e-5 {
			t.Fatalf("channel %d: %v at 1.2 s (step 7 %v), %v at 1.0 s (mid %v)", j, g.Row(12)[j], f.Row(7)[j], g.Row(10)[j], mid)
		}
	}
	if _, err := OnGrid(tw, Video{ID: "nope", Frames: 100, FPS: 30}, AFSDRate); err == nil {
		t.Error("unknown video: no error")
	}
}
