package data

import (
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDecodeVideo makes a tiny real video with ffmpeg's testsrc2 source
// (2 s at 10 fps, 64x48) and decodes it back.
func TestDecodeVideo(t *testing.T) {
	if !HaveFFmpeg() {
		t.Skipf("ffmpeg/ffprobe not in PATH: %s", FFmpegHint)
	}
	p := filepath.Join(t.TempDir(), "tiny.mp4")
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=2",
		"-pix_fmt", "yuv420p", p)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making the test video: %v: %s", err, out)
	}
	tests := []struct {
		name    string
		o       VideoOptions
		t, h, w int
	}{
		{"native", VideoOptions{}, 20, 48, 64},
		{"5 fps 32x24", VideoOptions{FPS: 5, Width: 32, Height: 24, Float: true}, 10, 24, 32},
		{"max frames", VideoOptions{MaxFrames: 3}, 3, 48, 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := DecodeVideo(p, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if v.T != tc.t || v.H != tc.h || v.W != tc.w || len(v.RGB) != v.T*v.H*v.W*3 {
				t.Fatalf("got T=%d H=%d W=%d (%d bytes)", v.T, v.H, v.W, len(v.RGB))
			}
			if tc.o.Float && (len(v.Float) != len(v.RGB) || v.Float[0] != float32(v.RGB[0])/255) {
				t.Error("Float frames do not match RGB/255")
			}
			var sum int
			for _, b := range v.Frame(v.T - 1) {
				sum += int(b)
			}
			if sum == 0 {
				t.Error("last frame is black: testsrc2 draws colours")
			}
		})
	}
	if _, err := DecodeVideo(filepath.Join(t.TempDir(), "missing.mp4"), VideoOptions{}); err == nil {
		t.Error("missing file decoded")
	}
	if _, err := DecodeVideo(p, VideoOptions{Width: 10}); err == nil {
		t.Error("width without height accepted")
	}
}

func TestSampling(t *testing.T) {
	eq := func(a, b []int) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	tests := []struct {
		name      string
		got, want []int
	}{
		// centres of 4 segments of 16 frames: 2, 6, 10, 14 (hand calculation)
		{"uniform", UniformIndices(16, 4), []int{2, 6, 10, 14}},
		{"uniform short video", UniformIndices(2, 4), []int{0, 0, 1, 1}},
		{"consecutive", ConsecutiveIndices(30, 5, 3), []int{3, 4, 5, 6, 7}},
		{"consecutive shifted to fit", ConsecutiveIndices(10, 5, 8), []int{5, 6, 7, 8, 9}},
		{"consecutive short video", ConsecutiveIndices(3, 5, 0), []int{0, 1, 2, 2, 2}},
	}
	for _, tc := range tests {
		if !eq(tc.got, tc.want) {
			t.Errorf("%s: got %v want %v", tc.name, tc.got, tc.want)
		}
	}
	// window w=1 of 4 over 40 frames is 10..19
	d, _ := WindowIndices(40, 4, 1, 5, SchemeDense, nil)
	if !eq(d, []int{11, 13, 15, 17, 19}) {
		t.Errorf("dense %v", d)
	}
	s, _ := WindowIndices(40, 4, 1, 4, SchemeSemiDense, nil)
	if !eq(s, []int{12, 17, 10, 30}) {
		t.Errorf("semi-dense %v", s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	sp, err := WindowIndices(40, 4, 1, 4, SchemeSparse, r)
	if err != nil || len(sp) != 4 {
		t.Fatal(err)
	}
	for i, x := range sp {
		if x < i*10 || x >= (i+1)*10 {
			t.Errorf("sparse index %d = %d outside its segment", i, x)
		}
	}
	if _, err := WindowIndices(40, 4, 1, 4, "other", nil); err == nil {
		t.Error("unknown scheme accepted")
	}
}
