package report

import (
	"context"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestScreenshot renders the fixture's page in headless Chromium (Debian's
// package chromium) and checks that it is not blank: the CSS applied (the
// SYNTHETIC banner's yellow and the REAL banner's green are on screen) and
// the inline SVG figures drawn (the first curve's blue). The screenshot
// stays in the test's temporary directory. Skipped with -short or without
// chromium on PATH.
func TestScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no chromium on PATH (Debian: apt-get install chromium)")
	}
	root := fixture(t)
	if _, err := Write(Options{Root: root, Commit: "abc123"}); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "page.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--window-size=1280,4000", "--screenshot="+shot,
		"file://"+filepath.Join(root, "results", HTMLFile))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Colours from the page's CSS and plots.Palette[0]; tolerance for
	// anti-aliasing and colour management.
	const tol = 6
	want := map[string]color.RGBA{
		"SYNTHETIC banner": {0xff, 0xf4, 0xc2, 0xff},
		"REAL banner":      {0xe4, 0xf4, 0xe7, 0xff},
		"curve blue":       {0x00, 0x72, 0xb2, 0xff},
	}
	found := map[string]bool{}
	nonWhite, total := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			total++
			if c.R < 245 || c.G < 245 || c.B < 245 {
				nonWhite++
			}
			for name, w := range want {
				if near(c, w, tol) {
					found[name] = true
				}
			}
		}
	}
	if frac := float64(nonWhite) / float64(total); frac < 0.03 {
		t.Errorf("the page is nearly blank: %.1f%% of pixels are not white", 100*frac)
	}
	for name := range want {
		if !found[name] {
			t.Errorf("no %s on the screenshot (%v)", name, b)
		}
	}
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}
