package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
)

// FFmpegHint tells a user how to get the video decoder.
const FFmpegHint = "install the Debian package ffmpeg (apt-get install ffmpeg), which provides ffmpeg and ffprobe"

// ErrNoFFmpeg is returned (wrapped) when ffmpeg or ffprobe is not in PATH.
var ErrNoFFmpeg = errors.New("ffmpeg not found in PATH")

// HaveFFmpeg reports whether ffmpeg and ffprobe can be run.
func HaveFFmpeg() bool {
	_, e1 := exec.LookPath("ffmpeg")
	_, e2 := exec.LookPath("ffprobe")
	return e1 == nil && e2 == nil
}

// VideoOptions select how a video is decoded. Zero values keep the source's.
type VideoOptions struct {
	FPS           float64 // resample to this frame rate (ffmpeg fps filter); 0 keeps every frame
	Width, Height int     // resize to this size (both or neither); 0 keeps the source size
	MaxFrames     int     // stop after this many frames; 0 decodes all
	Float         bool    // also fill Video.Float with RGB values in [0,1]
}

// Video is a decoded clip: T frames of H x W RGB pixels, row-major
// [T, H, W, 3].
type Video struct {
	T, H, W int
	FPS     float64   // frame rate of the decoded frames
	RGB     []uint8   // T*H*W*3 bytes
	Float   []float32 // same values / 255 when VideoOptions.Float, else nil
}

// Frame returns frame t as H*W*3 bytes (a view into RGB).
func (v *Video) Frame(t int) []uint8 {
	n := v.H * v.W * 3
	return v.RGB[t*n : (t+1)*n]
}

// DecodeVideo decodes path with ffmpeg into RGB frames.
func DecodeVideo(path string, o VideoOptions) (*Video, error) {
	return DecodeVideoContext(context.Background(), path, o)
}

// DecodeVideoContext is DecodeVideo with cancellation.
func DecodeVideoContext(ctx context.Context, path string, o VideoOptions) (*Video, error) {
	if (o.Width > 0) != (o.Height > 0) || o.Width < 0 || o.Height < 0 {
		return nil, fmt.Errorf("DecodeVideo %s: give both Width and Height or neither (got %dx%d)", path, o.Width, o.Height)
	}
	if o.FPS < 0 || o.MaxFrames < 0 {
		return nil, fmt.Errorf("DecodeVideo %s: negative FPS or MaxFrames", path)
	}
	if !HaveFFmpeg() {
		return nil, fmt.Errorf("DecodeVideo %s: %w: %s", path, ErrNoFFmpeg, FFmpegHint)
	}
	w, h, fps, err := probe(ctx, path)
	if err != nil {
		return nil, err
	}
	if o.Width > 0 {
		w, h = o.Width, o.Height
	}
	var filters []string
	if o.FPS > 0 {
		filters = append(filters, "fps="+strconv.FormatFloat(o.FPS, 'g', -1, 64))
		fps = o.FPS
	}
	if o.Width > 0 {
		filters = append(filters, fmt.Sprintf("scale=%d:%d", w, h))
	}
	args := []string{"-nostdin", "-v", "error", "-i", path}
	if len(filters) > 0 {
		args = append(args, "-vf", strings.Join(filters, ","))
	}
	if o.MaxFrames > 0 {
		args = append(args, "-frames:v", strconv.Itoa(o.MaxFrames))
	}
	args = append(args, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1")
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("DecodeVideo %s: ffmpeg: %v: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	frame := w * h * 3
	if frame == 0 || out.Len()%frame != 0 {
		return nil, fmt.Errorf("DecodeVideo %s: ffmpeg wrote %d bytes, not a whole number of %dx%d RGB frames", path, out.Len(), w, h)
	}
	v := &Video{T: out.Len() / frame, H: h, W: w, FPS: fps, RGB: out.Bytes()}
	if v.T == 0 {
		return nil, fmt.Errorf("DecodeVideo %s: no frames decoded", path)
	}
	if o.Float {
		v.Float = make([]float32, len(v.RGB))
		for i, b := range v.RGB {
			v.Float[i] = float32(b) / 255
		}
	}
	return v, nil
}

// probe returns the size and frame rate of the first video stream.
func probe(ctx context.Context, path string) (w, h int, fps float64, err error) {
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height,r_frame_rate", "-of", "csv=p=0", path)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return 0, 0, 0, fmt.Errorf("DecodeVideo %s: ffprobe: %v: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	f := strings.Split(strings.TrimSpace(out.String()), ",")
	if len(f) < 3 {
		return 0, 0, 0, fmt.Errorf("DecodeVideo %s: no video stream (ffprobe said %q)", path, out.String())
	}
	w, e1 := strconv.Atoi(f[0])
	h, e2 := strconv.Atoi(f[1])
	if e1 != nil || e2 != nil || w <= 0 || h <= 0 {
		return 0, 0, 0, fmt.Errorf("DecodeVideo %s: bad size %q", path, out.String())
	}
	num, den, ok := strings.Cut(f[2], "/")
	n, _ := strconv.ParseFloat(num, 64)
	d := 1.0
	if ok {
		d, _ = strconv.ParseFloat(den, 64)
	}
	if d > 0 {
		fps = n / d
	}
	return w, h, fps, nil
}

// UniformIndices picks n frame indices of a T-frame video at the centres of
// n equal segments (TSN-style "uniform 16"); frames repeat when T < n.
func UniformIndices(t, n int) []int {
	if t <= 0 || n <= 0 {
		return nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = min(int((float64(i)+0.5)*float64(t)/float64(n)), t-1)
	}
	return idx
}

// ConsecutiveIndices picks n consecutive frames starting at start (the
// "20 consecutive frames" of the UCF50 ConvLSTM/LRCN paper), shifted back to
// fit inside the video; the last frame repeats when T < n.
func ConsecutiveIndices(t, n, start int) []int {
	if t <= 0 || n <= 0 {
		return nil
	}
	start = max(0, min(start, t-n))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = min(start+i, t-1)
	}
	return idx
}

// Frame-selection schemes of AnimalMotionCLIP (Tab. 2).
const (
	SchemeDense     = "dense"      // all n frames evenly inside the classifier's main window
	SchemeSemiDense = "semi-dense" // half evenly in the main window, half evenly over the whole video (context)
	SchemeSparse    = "sparse"     // one quasi-random frame in each of n equal segments of the whole video
)

// WindowIndices picks n frames for classifier w of numWindows classifiers
// whose main windows split the T-frame video into non-overlapping, covering
// parts (AnimalMotionCLIP, Sec. 2). The paper describes the schemes in words
// only; the exact split of semi-dense (half and half) is this project's
// reading. r seeds the sparse scheme and may be nil for the others.
func WindowIndices(t, numWindows, w, n int, scheme string, r *rand.Rand) ([]int, error) {
	if t <= 0 || n <= 0 || numWindows <= 0 || w < 0 || w >= numWindows {
		return nil, fmt.Errorf("WindowIndices: bad arguments T=%d windows=%d w=%d n=%d", t, numWindows, w, n)
	}
	lo := w * t / numWindows
	hi := max((w+1)*t/numWindows, lo+1)
	main := func(k int) []int {
		idx := UniformIndices(hi-lo, k)
		for i := range idx {
			idx[i] += lo
		}
		return idx
	}
	switch scheme {
	case SchemeDense:
		return main(n), nil
	case SchemeSemiDense:
		a := (n + 1) / 2
		return append(main(a), UniformIndices(t, n-a)...), nil
	case SchemeSparse:
		if r == nil {
			return nil, errors.New("WindowIndices: the sparse scheme needs a random source")
		}
		idx := make([]int, n)
		for i := range idx {
			s := i * t / n
			e := max((i+1)*t/n, s+1)
			idx[i] = min(s+r.IntN(e-s), t-1)
		}
		return idx, nil
	}
	return nil, fmt.Errorf("WindowIndices: unknown scheme %q (want %q, %q or %q)", scheme, SchemeDense, SchemeSemiDense, SchemeSparse)
}
