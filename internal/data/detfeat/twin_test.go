package detfeat

import (
	"math"
	"strings"
	"testing"
)

// smallTwin is the default twin with 64 channels per stream and no
// difficulty, so tests run fast and the planted signal is clean.
func smallTwin() TwinConfig {
	c := DefaultTwinConfig()
	c.Dim = 64
	c.Difficulty = Difficulty{Ambiguous: 1}
	return c
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestTwinDeterministicAndLazy(t *testing.T) {
	root := writeTHUMOSRoot(t)
	a, err := NewTHUMOS14Twin(root, smallTwin())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTHUMOS14Twin(root, smallTwin())
	c2 := smallTwin()
	c2.Seed = 2
	c, _ := NewTHUMOS14Twin(root, c2)
	// generating another video first changes nothing (per-video seeds)
	if _, err := b.Features("video_test_0000002"); err != nil {
		t.Fatal(err)
	}
	fa, _ := a.Features("video_test_0000001")
	fb, _ := b.Features("video_test_0000001")
	fc, _ := c.Features("video_test_0000001")
	same, diff := true, false
	for i := range fa.Data {
		same = same && fa.Data[i] == fb.Data[i]
		diff = diff || fa.Data[i] != fc.Data[i]
	}
	if !same || !diff {
		t.Errorf("same seed identical: %v; other seed differs: %v", same, diff)
	}
	if a.Info().Fingerprint != b.Info().Fingerprint || a.Info().Fingerprint == c.Info().Fingerprint {
		t.Errorf("fingerprints %s %s %s", a.Info().Fingerprint, b.Info().Fingerprint, c.Info().Fingerprint)
	}
	if a.Info().Banner() != "synthetic features, real ground truth" {
		t.Errorf("banner %q", a.Info().Banner())
	}
}

// TestTwinSameShapesAsReal checks that the twin serves the real reader's
// videos, lengths and times.
func TestTwinSameShapesAsReal(t *testing.T) {
	root := writeTHUMOSRoot(t)
	writeFeatures(t, root, 0)
	r, err := OpenTHUMOS14(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultTwinConfig() // 1024 per stream, as the real file
	tw, err := NewTHUMOS14Twin(root, c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info().Dim != tw.Info().Dim || strings.Join(r.Info().Classes, ",") != strings.Join(tw.Info().Classes, ",") {
		t.Errorf("info real %+v twin %+v", r.Info(), tw.Info())
	}
	for _, v := range r.Videos() {
		fr, err := r.Features(v.ID)
		if err != nil {
			t.Fatal(err)
		}
		ft, err := tw.Features(v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fr.T != ft.T || fr.D != ft.D || fr.Offset != ft.Offset || fr.Step != ft.Step {
			t.Errorf("%s: real [%d,%d] %v+i·%v, twin [%d,%d] %v+i·%v", v.ID, fr.T, fr.D, fr.Offset, fr.Step, ft.T, ft.D, ft.Offset, ft.Step)
		}
	}
}

func TestTwinStreamsAreHalves(t *testing.T) {
	root := writeTHUMOSRoot(t)
	both, _ := NewTHUMOS14Twin(root, smallTwin())
	cr, cf := smallTwin(), smallTwin()
	cr.Stream, cf.Stream = RGB, Flow
	rgb, _ := NewTHUMOS14Twin(root, cr)
	flow, _ := NewTHUMOS14Twin(root, cf)
	fb, _ := both.Features("video_validation_0000001")
	fr, _ := rgb.Features("video_validation_0000001")
	ff, _ := flow.Features("video_validation_0000001")
	if fr.D != 64 || ff.D != 64 || fb.D != 128 {
		t.Fatalf("dims %d %d %d", fr.D, ff.D, fb.D)
	}
	for i := 0; i < fb.T; i++ {
		for j := 0; j < 64; j++ {
			if fb.Row(i)[j] != fr.Row(i)[j] || fb.Row(i)[64+j] != ff.Row(i)[j] {
				t.Fatalf("step %d channel %d: both %v/%v, rgb %v, flow %v", i, j, fb.Row(i)[j], fb.Row(i)[64+j], fr.Row(i)[j], ff.Row(i)[j])
			}
		}
	}
}

// TestTwinPlantsSignal checks that the projection on the class direction
// is high inside a real segment and low outside, and that flow (higher
// SNR) separates more than RGB.
func TestTwinPlantsSignal(t *testing.T) {
	root := writeTHUMOSRoot(t)
	c := smallTwin()
	c.Dim = 256
	c.VideoOffset = 0
	tw, _ := NewTHUMOS14Twin(root, c)
	f, _ := tw.Features("video_validation_0000001") // HighJump at [2, 5.5] and [20, 24]
	w, _ := tw.Weights("video_validation_0000001")
	hj := 0
	for i, n := range tw.Info().Classes {
		if n == "HighJump" {
			hj = i
		}
	}
	for si, s := range []Stream{RGB, Flow} {
		u, _ := tw.Direction(s, "HighJump")
		var in, out []float64
		for i := 0; i < f.T; i++ {
			p := dot(f.Row(i)[si*c.Dim:(si+1)*c.Dim], u)
			switch tm := f.Time(i); {
			case (tm > 2.6 && tm < 4.9) || (tm > 20.6 && tm < 23.4):
				in = append(in, p)
				if w[i][hj] < 0.69 { // gain ≥ 1 − GainSpread
					t.Errorf("step %d (%.2f s): weight %v inside a segment", i, tm, w[i][hj])
				}
			case tm < 1.5 || (tm > 6 && tm < 19.5) || tm > 24.5:
				out = append(out, p)
				if w[i][hj] != 0 {
					t.Errorf("step %d (%.2f s): weight %v outside", i, tm, w[i][hj])
				}
			}
		}
		mi, mo := mean(in), mean(out)
		snr := c.RGBSNR
		if s == Flow {
			snr = c.FlowSNR
		}
		// inside ≈ snr·gain, outside ≈ 0 (noise sd 1 per step; means over ≥ 30 steps)
		if mi < 0.6*snr || math.Abs(mo) > 0.5 {
			t.Errorf("%s: mean projection inside %.2f, outside %.2f (SNR %v)", s, mi, mo, snr)
		}
	}
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func TestTwinAmbiguousMixture(t *testing.T) {
	root := writeTHUMOSRoot(t)
	c := smallTwin()
	c.GainSpread = 0
	c.Difficulty.Pairs = [][2]string{{"HighJump", "LongJump"}}
	tw, _ := NewTHUMOS14Twin(root, c)
	// video_test_0000001 (LongJump only) has an Ambiguous instance at [12, 14]:
	// half LongJump, half its partner HighJump.
	w, _ := tw.Weights("video_test_0000001")
	f, _ := tw.Features("video_test_0000001")
	cls := tw.Info().Classes
	for i := range w {
		if tm := f.Time(i); tm > 12.5 && tm < 13.5 {
			for k, n := range cls {
				want := 0.0
				if n == "HighJump" || n == "LongJump" {
					want = 0.5
				}
				if math.Abs(w[i][k]-want) > 1e-12 {
					t.Errorf("%.2f s %s: weight %v, want %v", tm, n, w[i][k], want)
				}
			}
		}
	}
	c.Difficulty.Ambiguous = 0
	tw0, _ := NewTHUMOS14Twin(root, c)
	w0, _ := tw0.Weights("video_test_0000001")
	for i := range w0 {
		if tm := f.Time(i); tm > 12.5 && tm < 13.5 && (w0[i][0] != 0 || w0[i][1] != 0) {
			t.Errorf("Ambiguous 0: weights %v at %.2f s", w0[i], tm)
		}
	}
}

func TestTwinConfusionAndBlur(t *testing.T) {
	root := writeTHUMOSRoot(t)
	for _, rho := range []float64{0, 0.5, 0.8} {
		c := smallTwin()
		c.Dim = 2048
		c.Difficulty.Confusion = rho
		c.Difficulty.Pairs = [][2]string{{"HighJump", "LongJump"}}
		tw, err := NewTHUMOS14Twin(root, c)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := tw.Direction(RGB, "HighJump")
		b, _ := tw.Direction(RGB, "LongJump")
		// cos ≈ ρ up to the O(1/√Dim) overlap of independent directions
		if cos := dot(a, b); math.Abs(cos-rho) > 0.08 || math.Abs(dot(a, a)-1) > 1e-5 {
			t.Errorf("confusion %v: cos %v, |u|² %v", rho, cos, dot(a, a))
		}
	}
	// blur widens the support of a segment's weights
	support := func(blur float64) int {
		c := smallTwin()
		c.Difficulty.BoundaryBlur = blur
		c.Difficulty.Ambiguous = 0 // the video's Ambiguous instance would plant LongJump too
		tw, _ := NewTHUMOS14Twin(root, c)
		w, _ := tw.Weights("video_test_0000001")
		n := 0
		for i := range w {
			if w[i][1] > 0 { // LongJump
				n++
			}
		}
		return n
	}
	// [3, 9] at 25 fps: 6 s + a 0.64 s clip is ≈ 41 steps of 0.16 s; +2 s blur adds ≈ 12
	s0, s2 := support(0), support(2)
	if s0 < 39 || s0 > 43 || s2-s0 < 11 || s2-s0 > 14 {
		t.Errorf("support without blur %d steps, with 2 s blur %d", s0, s2)
	}
}

func TestTwinConfigErrors(t *testing.T) {
	root := writeTHUMOSRoot(t)
	for _, tc := range []struct {
		name string
		edit func(*TwinConfig)
		want string
	}{
		{"dim", func(c *TwinConfig) { c.Dim = 0 }, "Dim"},
		{"snr", func(c *TwinConfig) { c.FlowSNR = -1 }, "SNR"},
		{"snr-nan", func(c *TwinConfig) { c.RGBSNR = math.NaN() }, "SNR"},
		{"ar", func(c *TwinConfig) { c.AR = 1 }, "AR"},
		{"confusion", func(c *TwinConfig) { c.Difficulty.Confusion = 1 }, "Confusion"},
		{"blur", func(c *TwinConfig) { c.Difficulty.BoundaryBlur = -1 }, "BoundaryBlur"},
		{"stream", func(c *TwinConfig) { c.Stream = "audio" }, "audio"},
		{"pairs", func(c *TwinConfig) {
			c.Difficulty.Pairs = [][2]string{{"HighJump", "LongJump"}, {"LongJump", "HighJump"}}
		}, "one pair"},
	} {
		c := DefaultTwinConfig()
		tc.edit(&c)
		if _, err := NewTHUMOS14Twin(root, c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
	tw, _ := NewTHUMOS14Twin(root, DefaultTwinConfig())
	if _, err := tw.Features("video_test_9999999"); err == nil {
		t.Error("unknown video: no error")
	}
}

// TestTwinRealTHUMOS14 builds the twin on the real annotation files of the
// data root: 200 validation and 212 test videos with their real lengths.
func TestTwinRealTHUMOS14(t *testing.T) {
	root := dataRoot(t)
	c := DefaultTwinConfig()
	c.Dim = 8
	tw, err := NewTHUMOS14Twin(root, c)
	if err != nil {
		t.Fatal(err)
	}
	if nv, nt := len(Subset(tw, "Validation")), len(Subset(tw, "Test")); nv != 200 || nt != 212 {
		t.Errorf("%d validation, %d test videos; want 200, 212", nv, nt)
	}
	if n := len(tw.Info().Classes); n != 20 {
		t.Errorf("%d classes", n)
	}
	amb, segs := 0, 0
	for _, v := range tw.Videos() {
		amb += len(v.Ambiguous)
		segs += len(v.Segments)
	}
	// thumos14.json: 3,007 validation + 3,358 test instances; AFSD's
	// *_Annotation.csv: 89 + 99 Ambiguous rows, 3 of them on
	// video_test_0001292, which thumos14.json does not have
	if amb != 185 || segs != 6365 {
		t.Errorf("%d Ambiguous instances, %d segments", amb, segs)
	}
	v, _ := findVideo(tw.Videos(), "video_validation_0000051")
	// ActionFormer's file for this video is (1269, 2048) (ActionFormer issue #5)
	if v.Frames != 5091 || v.Steps != 1269 {
		t.Errorf("video_validation_0000051: %d frames, %d steps; want 5091, 1269", v.Frames, v.Steps)
	}
	f, err := tw.Features(v.ID)
	if err != nil || f.T != 1269 || f.D != 16 {
		t.Fatalf("features: %v", err)
	}
	if n := GridSteps(*v, AFSDRate); n != 1697 { // val_video_info.csv sample_count
		t.Errorf("10 fps grid: %d points, want 1697", n)
	}
}
