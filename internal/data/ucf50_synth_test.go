package data

import (
	"os/exec"
	"path/filepath"
	"testing"
)

func TestWriteSynthUCF50Deterministic(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg)")
	}
	o := SynthUCF50Options{Seed: 7, PerClass: []int{1, 1, 1, 1}, Width: 32, Height: 24, MinFrames: 6, MaxFrames: 8, Difficulty: 0.5}
	a, b := t.TempDir(), t.TempDir()
	fa, err := WriteSynthUCF50(a, o)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := WriteSynthUCF50(b, o)
	if err != nil {
		t.Fatal(err)
	}
	if fa != fb {
		t.Errorf("same seed, different fingerprints %s and %s", fa, fb)
	}
	u, err := LoadUCF50(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Classes) != 4 || len(u.Videos) != 4 {
		t.Errorf("LoadUCF50 read classes %v and %d videos, want 4 and 4", u.Classes, len(u.Videos))
	}
	v, err := DecodeVideo(filepath.Join(a, u.Videos[0].Path), VideoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.W != 32 || v.H != 24 || v.T < 6 || v.T > 8 {
		t.Errorf("decoded %dx%d x %d frames, want 32x24 x 6..8", v.W, v.H, v.T)
	}
	if !IsSynthUCF50(a) {
		t.Errorf("%s lacks %s", a, SynthUCF50Marker)
	}
	o.Seed = 8
	fc, err := WriteSynthUCF50(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	if fc == fa {
		t.Error("different seeds gave the same fingerprint")
	}
}

func TestSynthUCF50OptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    SynthUCF50Options
		want string
	}{
		{"per class", SynthUCF50Options{PerClass: []int{1}}, "synth ucf50: PerClass has 1 entries, want 4"},
		{"difficulty", SynthUCF50Options{Difficulty: 2}, "synth ucf50: Difficulty=2 must be in [0, 1]"},
		{"odd size", SynthUCF50Options{Width: 33}, "synth ucf50: frame size 33x120 must be even and at least 16x16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := WriteSynthUCF50(t.TempDir(), tc.o)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
