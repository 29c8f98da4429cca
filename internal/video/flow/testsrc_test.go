package flow

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
)

// testsrcFrame renders one 320x240 frame of ffmpeg's testsrc2 pattern
// (colour bars, gradients, text and a moving shape: sharp edges and flat
// areas, harder than the smooth texture) as gray levels.
func testsrcFrame(t *testing.T, pattern string) *Gray {
	t.Helper()
	if !data.HaveFFmpeg() {
		t.Skipf("ffmpeg not found: skipping the ffmpeg %s test (%s)", pattern, data.FFmpegHint)
	}
	w, h := 320, 240
	var out, stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", pattern+"=size=320x240:rate=25:duration=1",
		"-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %s: %v: %s", pattern, err, stderr.String())
	}
	g, err := GrayFromRGB(out.Bytes(), w, h)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// crop returns the w x h window of g whose top-left corner is (x0, y0).
func crop(g *Gray, x0, y0, w, h int) *Gray {
	c := &Gray{W: w, H: h, Pix: make([]float32, w*h)}
	for y := 0; y < h; y++ {
		copy(c.Pix[y*w:(y+1)*w], g.Pix[(y+y0)*g.W+x0:(y+y0)*g.W+x0+w])
	}
	return c
}

// TestFFmpegTestsrc crops two 224x224 windows of one testsrc/testsrc2
// frame at different offsets: an exact integer translation of real
// rendered content. Window 1 at (x1, y1) and window 2 at (x2, y2) see the
// same source pixel at positions differing by (x1-x2, y1-y2): that is the
// true flow everywhere.
//
// Threshold: the patterns are mostly flat colour areas, where brightness
// constancy says nothing and the flow is filled in by smoothness, and
// sharp edges, which the pre-smoothing blurs; the EPE must stay under 10 %
// of the displacement (and a fifth of the zero-flow baseline, as in
// TestKnownFlow).
func TestFFmpegTestsrc(t *testing.T) {
	cases := []struct {
		pattern        string
		x1, y1, x2, y2 int
		maxEPE         float64
	}{
		{"testsrc2", 40, 8, 43, 6, 0.36},
		{"testsrc2", 50, 8, 44, 12, 0.72},
		{"testsrc", 40, 8, 36, 10, 0.45},
	}
	for _, tc := range cases {
		src := testsrcFrame(t, tc.pattern)
		a, b := crop(src, tc.x1, tc.y1, 224, 224), crop(src, tc.x2, tc.y2, 224, 224)
		truth := NewField(224, 224)
		for i := range truth.U {
			truth.U[i], truth.V[i] = float32(tc.x1-tc.x2), float32(tc.y1-tc.y2)
		}
		est, err := Compute(a, b, Options{})
		if err != nil {
			t.Fatal(err)
		}
		e, _ := EPE(est, truth, 16)
		base := meanMag(truth, 16)
		t.Logf("%s shifted by (%d, %d): EPE %.3f px (zero-flow baseline %.3f, threshold %.2f)", tc.pattern, tc.x1-tc.x2, tc.y1-tc.y2, e, base, tc.maxEPE)
		if e > tc.maxEPE || e > base/5 {
			t.Errorf("%s: EPE %.3f over %.2f (or a fifth of %.3f)", tc.pattern, e, tc.maxEPE, base)
		}
	}
}
