package data

// The synthetic twin of the four UCF50 classes of the ConvLSTM/LRCN paper
// (../shared/papers/convlstm-lrcn-ucf50.txt): real .avi files, one folder per
// class as UCF50 ships them, rendered in Go and encoded by ffmpeg.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/actrepro/actrepro/internal/atomicfile"
)

// UCF50Classes are the four UCF50 classes the paper classifies, in the
// order of the authors' CLASSES_LIST.
var UCF50Classes = []string{"WalkingWithDog", "TaiChi", "Swing", "HorseRace"}

// UCF50FullCounts are the numbers of videos of UCF50Classes in UCF50
// (WalkingWithDog 123, TaiChi 100, Swing 137, HorseRace 198): the
// full-scale synthetic twin has as many.
var UCF50FullCounts = []int{123, 100, 137, 198}

// SynthUCF50Version names the generator's output: change it whenever a
// change to this file changes the bytes written, so that cached twins
// (keyed by it) are rewritten.
const SynthUCF50Version = "v4"

// SynthUCF50Marker is the file a synthetic UCF50 twin carries at its root;
// readers report such a directory as synthetic.
const SynthUCF50Marker = "SYNTHETIC.txt"

func init() { RegisterSynth("ucf50", synthUCF50) }

// UCF50SmokePerClass is the number of videos per class of the smoke-scale
// twin (`actrepro synth ucf50 --scale smoke`).
var UCF50SmokePerClass = []int{10, 10, 10, 10}

// SynthUCF50ScaleOptions are the generator options of a scale: smoke is 10
// short clips per class, full has UCF50's counts.
func SynthUCF50ScaleOptions(scale string, seed uint64, difficulty float64) SynthUCF50Options {
	o := SynthUCF50Options{Seed: seed, Difficulty: difficulty}
	if scale == ScaleSmoke {
		o.PerClass = UCF50SmokePerClass
		o.MinFrames, o.MaxFrames = 24, 40
	}
	return o
}

func synthUCF50(dir string, so SynthOptions) (string, error) {
	if err := so.Validate(); err != nil {
		return "", fmt.Errorf("synth ucf50: %w", err)
	}
	o := SynthUCF50ScaleOptions(so.Scale, uint64(so.Seed), so.Difficulty)
	// Like every twin, under DIR/<dataset>/, so that DIR works as a data root.
	fp, err := WriteSynthUCF50(filepath.Join(dir, UCF50Dir), o)
	if err != nil {
		return "", err
	}
	n := 0
	for _, k := range o.PerClass {
		n += k
	}
	if o.PerClass == nil {
		for _, k := range UCF50FullCounts {
			n += k
		}
	}
	return fmt.Sprintf("synthetic UCF50 twin: %d .avi videos of classes %v (difficulty %g, seed %d), %s", n, UCF50Classes, so.Difficulty, so.Seed, fp), nil
}

// SynthUCF50Options configures WriteSynthUCF50.
type SynthUCF50Options struct {
	Seed       uint64
	PerClass   []int   // videos per class (len 4); nil means UCF50FullCounts
	Width      int     // frame width (default 160; UCF50 is 320x240)
	Height     int     // frame height (default 120)
	MinFrames  int     // shortest clip (default 40)
	MaxFrames  int     // longest clip (default 90)
	FPS        int     // frame rate (default 25, UCF50's)
	Difficulty float64 // 0 (easy) .. 1 (hard): noise, clutter, distractors, overlapping motion
}

func (o *SynthUCF50Options) defaults() error {
	if o.PerClass == nil {
		o.PerClass = UCF50FullCounts
	}
	if o.Width == 0 {
		o.Width = 160
	}
	if o.Height == 0 {
		o.Height = 120
	}
	if o.MinFrames == 0 {
		o.MinFrames = 40
	}
	if o.MaxFrames == 0 {
		o.MaxFrames = 90
	}
	if o.FPS == 0 {
		o.FPS = 25
	}
	switch {
	case len(o.PerClass) != len(UCF50Classes):
		return fmt.Errorf("synth ucf50: PerClass has %d entries, want %d", len(o.PerClass), len(UCF50Classes))
	case o.Width < 16 || o.Height < 16 || o.Width%2 != 0 || o.Height%2 != 0:
		return fmt.Errorf("synth ucf50: frame size %dx%d must be even and at least 16x16", o.Width, o.Height)
	case o.MinFrames < 1 || o.MaxFrames < o.MinFrames:
		return fmt.Errorf("synth ucf50: frames range [%d, %d] invalid", o.MinFrames, o.MaxFrames)
	case o.FPS < 1:
		return fmt.Errorf("synth ucf50: FPS=%d must be positive", o.FPS)
	case o.Difficulty < 0 || o.Difficulty > 1 || math.IsNaN(o.Difficulty):
		return fmt.Errorf("synth ucf50: Difficulty=%g must be in [0, 1]", o.Difficulty)
	}
	for i, n := range o.PerClass {
		if n < 0 {
			return fmt.Errorf("synth ucf50: PerClass[%d]=%d is negative", i, n)
		}
	}
	return nil
}

// WriteSynthUCF50 writes the synthetic twin under dir as
// dir/<Class>/v_<Class>_gGG_cCC.avi (MPEG-4 part 2 in AVI, as UCF50's
// Xvid files) plus SynthUCF50Marker, and returns a fingerprint (SHA-256 of
// the options and every file's bytes). The same options give the same bytes
// (ffmpeg runs single-threaded with +bitexact).
//
// The classes differ by motion, so that some can only be told apart over
// time:
//   - WalkingWithDog: a tall blob and a small one walking together at a
//     steady pace across the frame.
//   - TaiChi: one blob drifting slowly on a small circle.
//   - Swing: one blob (same look as TaiChi's) swinging back and forth as a
//     pendulum: a single frame of Swing and of TaiChi have the same
//     distribution; only their motion separates them.
//   - HorseRace: three or four blobs running fast in the same direction.
//
// Scenes (background colours) hint at the class, as UCF50's do, but TaiChi
// and Swing share theirs. Difficulty blends the scene colours with random
// ones, raises pixel noise and static clutter, adds a randomly moving
// distractor blob to some clips, and brings the Swing amplitude and the
// TaiChi radius closer together.
func WriteSynthUCF50(dir string, o SynthUCF50Options) (string, error) {
	if err := o.defaults(); err != nil {
		return "", err
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return "", fmt.Errorf("synth ucf50: ffmpeg not found on PATH (install it: apt-get install ffmpeg): %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "synth-ucf50 %s %+v\n", SynthUCF50Version, o)
	for c, class := range UCF50Classes {
		cdir := filepath.Join(dir, class)
		if err := os.MkdirAll(cdir, 0o755); err != nil {
			return "", fmt.Errorf("synth ucf50: %w", err)
		}
		for i := 0; i < o.PerClass[c]; i++ {
			name := fmt.Sprintf("v_%s_g%02d_c%02d.avi", class, i%25+1, i/25+1)
			r := rand.New(rand.NewPCG(o.Seed, uint64(c)<<32|uint64(i)))
			frames, w, hh, fps := renderUCF50Clip(r, c, o)
			path := filepath.Join(cdir, name)
			b, err := ucf50EncodeAVI(frames, w, hh, fps)
			if err != nil {
				return "", fmt.Errorf("synth ucf50: encoding %s: %w", path, err)
			}
			if err := atomicfile.Write(path, b); err != nil {
				return "", fmt.Errorf("synth ucf50: %w", err)
			}
			fmt.Fprintf(h, "%s/%s %x\n", class, name, sha256.Sum256(b))
		}
	}
	fp := "sha256:" + hex.EncodeToString(h.Sum(nil))
	marker := fmt.Sprintf("Synthetic twin of 4 UCF50 classes written by actrepro (internal/data/ucf50_synth.go).\n"+
		"Not real video: every clip is rendered motion of coloured blobs.\nseed=%d per_class=%v size=%dx%d frames=%d..%d fps=%d difficulty=%g\nfingerprint=%s\n",
		o.Seed, o.PerClass, o.Width, o.Height, o.MinFrames, o.MaxFrames, o.FPS, o.Difficulty, fp)
	if err := atomicfile.Write(filepath.Join(dir, SynthUCF50Marker), []byte(marker)); err != nil {
		return "", fmt.Errorf("synth ucf50: %w", err)
	}
	return fp, nil
}

// IsSynthUCF50 reports whether dir is a synthetic twin written by
// WriteSynthUCF50.
func IsSynthUCF50(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, SynthUCF50Marker))
	return err == nil
}

// ucf50Scenes are the top and bottom background colours of each class's
// scene; TaiChi and Swing share theirs, so only motion separates them.
var ucf50Scenes = [][2][3]float64{
	{{70, 170, 70}, {40, 140, 40}},   // WalkingWithDog: a park
	{{80, 80, 90}, {50, 50, 55}},     // TaiChi: a grey courtyard
	{{80, 80, 90}, {50, 50, 55}},     // Swing: the same courtyard
	{{220, 150, 70}, {190, 120, 40}}, // HorseRace: a dirt track
}

type ucf50Blob struct {
	rx, ry  float64 // radii
	r, g, b byte
}

// renderUCF50Clip draws one clip of class c as RGB24 frames.
func renderUCF50Clip(r *rand.Rand, c int, o SynthUCF50Options) (frames [][]byte, w, h, fps int) {
	w, h, fps = o.Width, o.Height, o.FPS
	n := o.MinFrames + r.IntN(o.MaxFrames-o.MinFrames+1)
	d := o.Difficulty
	sx, sy := float64(w), float64(h)

	// Static background: a random colour gradient and some clutter boxes.
	// The scene hints at the class, as UCF50's do (grass for walking a dog, a
	// track for horse races), except that TaiChi and Swing share one scene;
	// with difficulty the scene colours become random.
	bg := make([]byte, w*h*3)
	mix := 0.15 + 0.85*d
	scene := ucf50Scenes[c]
	var c0, c1 [3]float64
	for k := 0; k < 3; k++ {
		c0[k] = (1-mix)*scene[0][k] + mix*(40+120*r.Float64())
		c1[k] = (1-mix)*scene[1][k] + mix*(40+120*r.Float64())
	}
	for y := 0; y < h; y++ {
		a := float64(y) / sy
		for x := 0; x < w; x++ {
			for k := 0; k < 3; k++ {
				bg[(y*w+x)*3+k] = byte(c0[k]*(1-a) + c1[k]*a)
			}
		}
	}
	for i := 0; i < int(2+8*d*r.Float64()*2); i++ {
		bx, by := r.IntN(w), r.IntN(h)
		bw, bh := 4+r.IntN(w/6), 4+r.IntN(h/6)
		col := [3]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))}
		for y := by; y < min(h, by+bh); y++ {
			for x := bx; x < min(w, bx+bw); x++ {
				copy(bg[(y*w+x)*3:], col[:])
			}
		}
	}

	newBlob := func(scale float64) ucf50Blob {
		return ucf50Blob{rx: scale * sx * (0.05 + 0.02*r.Float64()), ry: scale * sy * (0.12 + 0.04*r.Float64()),
			r: byte(r.IntN(256)), g: byte(r.IntN(256)), b: byte(r.IntN(256))}
	}
	dir := 1.0
	if r.IntN(2) == 0 {
		dir = -1
	}
	// Each class is a set of blobs with a trajectory pos(frame) in pixels.
	type actor struct {
		b   ucf50Blob
		pos func(t float64) (float64, float64)
	}
	var actors []actor
	cx, cy := sx*(0.3+0.4*r.Float64()), sy*(0.35+0.3*r.Float64())
	phase := 2 * math.Pi * r.Float64()
	switch UCF50Classes[c] {
	case "WalkingWithDog":
		v := dir * sx * (0.006 + 0.004*r.Float64()) // px per frame
		x0 := cx - v*float64(n)/2
		person, dog := newBlob(1), newBlob(0.5)
		actors = append(actors,
			actor{person, func(t float64) (float64, float64) { return x0 + v*t, cy }},
			actor{dog, func(t float64) (float64, float64) {
				return x0 + v*t + dir*sx*0.08, cy + sy*0.1 + sy*0.01*math.Sin(t*0.8+phase)
			}})
	case "TaiChi":
		// Slow circular drift; its radius grows towards Swing's amplitude with difficulty.
		rad := sx * (0.02 + 0.05*d) * (0.8 + 0.4*r.Float64())
		period := float64(fps) * (3 + 2*r.Float64())
		actors = append(actors, actor{newBlob(1), func(t float64) (float64, float64) {
			a := 2*math.Pi*t/period + phase
			return cx + rad*math.Cos(a), cy + 0.5*rad*math.Sin(a)
		}})
	case "Swing":
		// Pendulum: x = A sin(2πt/P), y rises at both ends of the arc.
		amp := sx * (0.2 - 0.1*d) * (0.8 + 0.4*r.Float64())
		period := float64(fps) * (1.2 + 0.8*r.Float64())
		actors = append(actors, actor{newBlob(1), func(t float64) (float64, float64) {
			s := math.Sin(2*math.Pi*t/period + phase)
			return cx + amp*s, cy - 0.25*amp*s*s
		}})
	case "HorseRace":
		k := 3 + r.IntN(2)
		for j := 0; j < k; j++ {
			v := dir * sx * (0.02 + 0.01*r.Float64())
			x0 := sx*r.Float64() - v*float64(n)/2
			y := sy * (0.2 + 0.6*float64(j)/float64(k))
			bob := 0.5 + r.Float64()
			actors = append(actors, actor{newBlob(0.7), func(t float64) (float64, float64) {
				return ucf50Wrap(x0+v*t, sx), y + sy*0.015*math.Sin(bob*t)
			}})
		}
	}
	if r.Float64() < 0.5*d { // a distractor wandering at random
		x, y := sx*r.Float64(), sy*r.Float64()
		vx, vy := sx*0.01*(r.Float64()-0.5), sy*0.01*(r.Float64()-0.5)
		actors = append(actors, actor{newBlob(0.6), func(t float64) (float64, float64) { return x + vx*t, y + vy*t }})
	}

	noise := 50 * d
	frames = make([][]byte, n)
	for t := 0; t < n; t++ {
		f := make([]byte, len(bg))
		copy(f, bg)
		for _, a := range actors {
			px, py := a.pos(float64(t))
			ucf50Ellipse(f, w, h, px, py, a.b)
		}
		if noise > 0 {
			for i := range f {
				v := float64(f[i]) + noise*(r.Float64()-0.5)*2
				f[i] = byte(math.Max(0, math.Min(255, v)))
			}
		}
		frames[t] = f
	}
	return frames, w, h, fps
}

func ucf50Wrap(x, m float64) float64 {
	x = math.Mod(x, m)
	if x < 0 {
		x += m
	}
	return x
}

func ucf50Ellipse(f []byte, w, h int, cx, cy float64, b ucf50Blob) {
	for y := max(0, int(cy-b.ry)); y <= min(h-1, int(cy+b.ry)); y++ {
		for x := max(0, int(cx-b.rx)); x <= min(w-1, int(cx+b.rx)); x++ {
			dx, dy := (float64(x)-cx)/b.rx, (float64(y)-cy)/b.ry
			if dx*dx+dy*dy <= 1 {
				i := (y*w + x) * 3
				f[i], f[i+1], f[i+2] = b.r, b.g, b.b
			}
		}
	}
}

// ucf50EncodeAVI pipes RGB24 frames through ffmpeg into an MPEG-4 AVI, returning
// its bytes. Single-threaded and +bitexact so the bytes depend only on the
// frames (and the ffmpeg build).
func ucf50EncodeAVI(frames [][]byte, w, h, fps int) ([]byte, error) {
	tmp, err := os.CreateTemp("", "actrepro-synth-*.avi")
	if err != nil {
		return nil, err
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)
	cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "rawvideo", "-pix_fmt", "rgb24", "-s", fmt.Sprintf("%dx%d", w, h), "-r", fmt.Sprint(fps), "-i", "-",
		"-c:v", "mpeg4", "-q:v", "3", "-pix_fmt", "yuv420p", "-threads", "1",
		"-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1", "-f", "avi", tmpName)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var werr error
	for _, f := range frames {
		if _, werr = stdin.Write(f); werr != nil {
			break
		}
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	if werr != nil && werr != io.EOF {
		return nil, fmt.Errorf("writing frames to ffmpeg: %w", werr)
	}
	return os.ReadFile(tmpName)
}
