package detfeat

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
)

// ErrNotPresent is wrapped by the errors of constructors whose files (the
// features or an optional annotation file) are not under the data root.
var ErrNotPresent = errors.New("not present under the data root")

// Stream selects the channels of a two-stream feature file.
type Stream string

// The streams of an I3D two-stream feature file.
const (
	RGB  Stream = "rgb"  // the first half of the channels
	Flow Stream = "flow" // the second half
	Both Stream = "both" // all channels, RGB first
)

// ParseStream reads "rgb", "flow" or "both" ("" means both).
func ParseStream(s string) (Stream, error) {
	switch Stream(strings.ToLower(strings.TrimSpace(s))) {
	case "", Both:
		return Both, nil
	case RGB:
		return RGB, nil
	case Flow:
		return Flow, nil
	}
	return "", fmt.Errorf("detfeat: stream %q: want rgb, flow or both", s)
}

// Layout is the clip geometry of a feature file: step i summarises frames
// [Stride·i, Stride·i + Clip) of the video.
type Layout struct {
	Stride int // frames between consecutive steps
	Clip   int // frames per clip
}

// THUMOSI3D is the layout of ActionFormer's THUMOS14 I3D features: 16-frame
// clips every 4 frames (ActionFormer configs/thumos_i3d.yaml feat_stride 4,
// num_frames 16).
var THUMOSI3D = Layout{Stride: 4, Clip: 16}

// ActivityNetI3D is the assumed layout of ActivityNet I3D features
// (ActionFormer configs/anet_i3d.yaml: feat_stride 16, num_frames 16 at
// ActivityNetFPS); features of another extractor set Options.Layout.
var ActivityNetI3D = Layout{Stride: 16, Clip: 16}

// ActivityNetFPS is the frame rate assumed for ActivityNet videos, whose
// annotation file gives none.
const ActivityNetFPS = 25.0

// Steps is the number of whole clips in a video of the given frame count
// (at least 1).
func (l Layout) Steps(frames int) int {
	if frames < l.Clip {
		return 1
	}
	return (frames-l.Clip)/l.Stride + 1
}

// Offset is the centre of step 0 and Step the spacing of step centres, in
// seconds, at fps.
func (l Layout) Offset(fps float64) float64 { return float64(l.Clip) / 2 / fps }

// StepSeconds is the time between two steps, in seconds, at fps.
func (l Layout) StepSeconds(fps float64) float64 { return float64(l.Stride) / fps }

// Video is one untrimmed video: its real metadata and real ground truth.
type Video struct {
	ID       string
	Subset   string  // as in the annotation file ("Validation", "Test"; "training", "validation"...)
	Duration float64 // seconds
	FPS      float64 // frame rate of the video (or of the layout when the file has none)
	Frames   int     // frames at FPS (AFSD's *_video_info.csv count when known)
	Steps    int     // feature steps: Layout.Steps(Frames)
	// Segments are the ground-truth instances of the annotation file
	// (thumos14.json for THUMOS14), in file order.
	Segments []data.DetectionSegment
	// Ambiguous are THUMOS14's "Ambiguous" instances (AFSD's
	// *_Annotation.csv), which no evaluation counts; empty elsewhere.
	Ambiguous []data.DetectionSegment
}

// Features is one video's feature sequence: T steps of D channels.
type Features struct {
	Video string
	T, D  int
	Data  []float32 // row-major [T, D]
	// Step i is centred at Offset + i·Step seconds.
	Offset, Step float64
}

// Row is step i's D channels (a slice of Data).
func (f *Features) Row(i int) []float32 { return f.Data[i*f.D : (i+1)*f.D] }

// Time is the centre of step i in seconds.
func (f *Features) Time(i int) float64 { return f.Offset + float64(i)*f.Step }

// Info describes a Source.
type Info struct {
	Dataset string // "thumos14" or "activitynet"
	// Kind is "i3d" for real features, "twin" for the synthetic twin.
	Kind string
	// Synthetic is true when the features are synthetic; SyntheticGT when
	// the ground truth is too (an ActivityNet twin on a synthetic
	// activity_net.v1-3.min.json written by `actrepro synth`).
	Synthetic, SyntheticGT bool
	Stream                 Stream
	Dim                    int // channels per step
	Layout                 Layout
	// Classes are the ground-truth labels, sorted by name (for THUMOS14 this
	// is also thumos14.json's label_id order).
	Classes     []string
	Fingerprint string // of the annotation files, the feature listing or the twin's settings
}

// Banner is the data-source line tables show: "real I3D features, real
// ground truth", "synthetic features, real ground truth" or "synthetic
// features, synthetic ground truth".
func (i Info) Banner() string {
	f, g := "real I3D features", "real ground truth"
	if i.Synthetic {
		f = "synthetic features"
	}
	if i.SyntheticGT {
		g = "synthetic ground truth"
	}
	return f + ", " + g
}

// Source serves the videos of a detection dataset and their features. The
// real reader (*Real) and the twin (*Twin) both implement it.
type Source interface {
	Info() Info
	// Videos lists every video of the annotation file, sorted by ID.
	Videos() []Video
	// Features returns a video's [T, Dim] features (T = Video.Steps for
	// the twin, the file's length for real features). Safe for
	// concurrent use; nothing is cached.
	Features(id string) (*Features, error)
}

// Subset returns the videos of src whose Subset equals name,
// case-insensitively ("test" matches "Test").
func Subset(src Source, name string) []Video {
	var out []Video
	for _, v := range src.Videos() {
		if strings.EqualFold(v.Subset, name) {
			out = append(out, v)
		}
	}
	return out
}

// videoSet builds the Video list of a detection ground truth: frames from
// info (AFSD's video info counts) when it has the video, else
// round(duration·fps); fps from the file, else defaultFPS.
func videoSet(gt *data.DetectionDataset, info map[string]data.VideoInfo, amb map[string][]data.DetectionSegment, l Layout, defaultFPS float64) []Video {
	out := make([]Video, 0, len(gt.Videos))
	for _, dv := range gt.Videos {
		v := Video{ID: dv.ID, Subset: dv.Subset, Duration: dv.Duration, FPS: dv.FPS,
			Segments: dv.Segments, Ambiguous: amb[dv.ID]}
		if v.FPS <= 0 {
			v.FPS = defaultFPS
		}
		if in, ok := info[dv.ID]; ok && in.Count > 0 {
			v.Frames = in.Count
		} else {
			v.Frames = int(math.Round(v.Duration * v.FPS))
		}
		v.Steps = l.Steps(v.Frames)
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func findVideo(vs []Video, id string) (*Video, bool) {
	i := sort.Search(len(vs), func(i int) bool { return vs[i].ID >= id })
	if i < len(vs) && vs[i].ID == id {
		return &vs[i], true
	}
	return nil, false
}

// streamRange is the channel range [lo, hi) of a stream in a file of c
// channels (RGB first).
func streamRange(s Stream, c int) (int, int) {
	switch s {
	case RGB:
		return 0, c / 2
	case Flow:
		return c / 2, c
	}
	return 0, c
}
