package detfeat

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/npy"
)

// Feature directories and file names under the data root.
const (
	THUMOSFeatureDir      = "i3d_features" // <root>/thumos14/i3d_features/<video>.npy
	ActivityNetFeatureDir = "i3d_features" // <root>/activitynet/i3d_features/v_<id>.npy
	ActivityNetPrefix     = "v_"
	// THUMOSChannels is the width of a two-stream I3D feature file.
	THUMOSChannels = 2048
	// DefaultTolerance is how many steps a file's length may differ from
	// the length the frame count implies.
	DefaultTolerance = 2
)

// Options configure the real feature readers. The zero value reads both
// streams of the default directory with the dataset's default layout.
type Options struct {
	Stream Stream // default Both
	// Dir overrides the feature directory (default
	// <root>/<dataset>/i3d_features).
	Dir string
	// Layout overrides the clip geometry (default THUMOSI3D or
	// ActivityNetI3D); Channels the expected file width (default 2048).
	Layout   Layout
	Channels int
	// Tolerance is the allowed |T − expected| in steps (default 2; for
	// ActivityNet, whose file gives durations and no frame counts, 2 plus
	// 2% of the expected length).
	Tolerance int
	// SkipMissing keeps only the videos that have a feature file, instead
	// of failing on the first missing one (ActivityNet releases lack some
	// videos).
	SkipMissing bool
}

// Real serves precomputed features from .npy files.
type Real struct {
	dataset  string
	dir      string
	prefix   string
	opts     Options
	videos   []Video
	classes  []string
	fp       string
	relTol   float64
	synthGT  bool
	infoFrom string
}

// OpenTHUMOS14 opens ActionFormer-layout THUMOS14 I3D features under
// root/thumos14/i3d_features with the videos and ground truth of
// root/thumos14/thumos14.json and the frame counts of
// root/thumos14/{val,test}_video_info.csv (without them, lengths are
// checked against round(duration·fps)). Every video of thumos14.json
// needs a feature file unless o.SkipMissing. Lengths are checked when a
// video's features are read.
func OpenTHUMOS14(root string, o Options) (*Real, error) {
	m, err := loadTHUMOSMeta(root)
	if err != nil {
		return nil, err
	}
	if o.Layout == (Layout{}) {
		o.Layout = THUMOSI3D
	}
	r := &Real{dataset: "thumos14", prefix: "", opts: o, classes: m.gt.Labels(), infoFrom: m.infoFrom}
	r.dir = o.Dir
	if r.dir == "" {
		r.dir = filepath.Join(root, data.THUMOSDir, THUMOSFeatureDir)
	}
	r.videos = videoSet(m.gt, m.info, m.amb, o.Layout, 0)
	if err := r.open(m.fp, "ActionFormer's THUMOS14 I3D release ([T, 2048] float32 per video, RGB then flow)"); err != nil {
		return nil, err
	}
	return r, nil
}

// OpenActivityNet opens ActivityNet v1.3 features under
// root/activitynet/i3d_features/v_<id>.npy with the videos and ground truth
// of root/activitynet/activity_net.v1-3.min.json. Either missing is an
// error wrapping ErrNotPresent. Frame counts are round(duration·25)
// (ActivityNetFPS); videos without a file are an error unless
// o.SkipMissing.
func OpenActivityNet(root string, o Options) (*Real, error) {
	gt, synth, err := loadActivityNetGT(root)
	if err != nil {
		return nil, err
	}
	if o.Layout == (Layout{}) {
		o.Layout = ActivityNetI3D
	}
	r := &Real{dataset: "activitynet", prefix: ActivityNetPrefix, opts: o, classes: gt.Labels(), relTol: 0.02, synthGT: synth,
		infoFrom: "durations"}
	r.dir = o.Dir
	if r.dir == "" {
		r.dir = filepath.Join(root, data.ActivityNetDir, ActivityNetFeatureDir)
	}
	r.videos = videoSet(gt, nil, nil, o.Layout, ActivityNetFPS)
	if err := r.open(gt.Fingerprint, "ActivityNet I3D features (v_<id>.npy, [T, 2048] float32, RGB then flow)"); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Real) open(gtFP, what string) error {
	o := &r.opts
	var err error
	if o.Stream, err = ParseStream(string(o.Stream)); err != nil {
		return err
	}
	if o.Channels == 0 {
		o.Channels = THUMOSChannels
	}
	if o.Channels%2 != 0 && o.Stream != Both {
		return fmt.Errorf("detfeat: %d channels cannot be split into RGB and flow halves", o.Channels)
	}
	if o.Tolerance == 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.Layout.Stride <= 0 || o.Layout.Clip <= 0 {
		return fmt.Errorf("detfeat: layout %+v: stride and clip must be positive", o.Layout)
	}
	st, err := os.Stat(r.dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("detfeat: %s features: directory %s: %w (put %s there)", r.dataset, r.dir, ErrNotPresent, what)
	}
	kept := r.videos[:0]
	var missing []string
	for _, v := range r.videos {
		if _, err := os.Stat(r.path(v.ID)); err != nil {
			missing = append(missing, v.ID)
			continue
		}
		kept = append(kept, v)
	}
	if len(missing) > 0 && !o.SkipMissing {
		show := missing[:min(3, len(missing))]
		return fmt.Errorf("detfeat: %s features: %d of %d videos have no file in %s (first: %s)",
			r.dataset, len(missing), len(r.videos), r.dir, strings.Join(show, ", "))
	}
	r.videos = kept
	if len(r.videos) == 0 {
		return fmt.Errorf("detfeat: %s features: no video of the annotation file has a file in %s: %w", r.dataset, r.dir, ErrNotPresent)
	}
	listing, err := data.FeatureStore{Dir: r.dir}.Fingerprint()
	if err != nil {
		return err
	}
	h := sha256.New()
	fmt.Fprintf(h, "real %s\ngt %s\nfeatures %s\nstream %s\nlayout %d/%d\nchannels %d\nvideos %d\n",
		r.dataset, gtFP, listing, o.Stream, o.Layout.Stride, o.Layout.Clip, o.Channels, len(r.videos))
	r.fp = hex.EncodeToString(h.Sum(nil))[:16]
	return nil
}

func (r *Real) path(id string) string { return filepath.Join(r.dir, r.prefix+id+".npy") }

// Path is the feature file of a video.
func (r *Real) Path(id string) string { return r.path(id) }

// Info describes the reader.
func (r *Real) Info() Info {
	lo, hi := streamRange(r.opts.Stream, r.opts.Channels)
	return Info{Dataset: r.dataset, Kind: "i3d", SyntheticGT: r.synthGT, Stream: r.opts.Stream, Dim: hi - lo,
		Layout: r.opts.Layout, Classes: append([]string(nil), r.classes...), Fingerprint: r.fp}
}

// Videos lists the videos that have features, sorted by ID.
func (r *Real) Videos() []Video { return append([]Video(nil), r.videos...) }

// Features reads a video's file and checks its shape: [T, Channels] with
// |T − Video.Steps| ≤ Tolerance. Video.Steps comes from the video info
// frame count (THUMOS14) or the duration. Errors name the file.
func (r *Real) Features(id string) (*Features, error) {
	v, ok := findVideo(r.videos, id)
	if !ok {
		return nil, fmt.Errorf("detfeat: %s: no video %q", r.dataset, id)
	}
	p := r.path(id)
	a, err := npy.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("detfeat: %w", err)
	}
	if len(a.Shape) != 2 || a.Shape[1] != r.opts.Channels {
		return nil, fmt.Errorf("detfeat: %s: shape %v, want [T, %d] (%s)", p, a.Shape, r.opts.Channels, r.dataset)
	}
	t := a.Shape[0]
	tol := r.opts.Tolerance + int(r.relTol*float64(v.Steps))
	if d := t - v.Steps; d > tol || d < -tol {
		return nil, fmt.Errorf("detfeat: %s: %d steps, but %d frames at a stride of %d frames of %d-frame clips give %d (from %s; tolerance ±%d)",
			p, t, v.Frames, r.opts.Layout.Stride, r.opts.Layout.Clip, v.Steps, r.infoFrom, tol)
	}
	lo, hi := streamRange(r.opts.Stream, r.opts.Channels)
	d := hi - lo
	f := &Features{Video: id, T: t, D: d, Offset: r.opts.Layout.Offset(v.FPS), Step: r.opts.Layout.StepSeconds(v.FPS)}
	if d == r.opts.Channels {
		f.Data = a.Data
		return f, nil
	}
	f.Data = make([]float32, t*d)
	for i := 0; i < t; i++ {
		copy(f.Data[i*d:(i+1)*d], a.Data[i*r.opts.Channels+lo:i*r.opts.Channels+hi])
	}
	return f, nil
}

// Verify reads every video's features, returning the first error.
func (r *Real) Verify() error {
	for _, v := range r.videos {
		if _, err := r.Features(v.ID); err != nil {
			return err
		}
	}
	return nil
}

// thumosMeta is what both THUMOS14 sources read from the annotation files.
type thumosMeta struct {
	gt       *data.DetectionDataset
	info     map[string]data.VideoInfo
	amb      map[string][]data.DetectionSegment
	fp       string
	infoFrom string
}

// loadTHUMOSMeta reads root/thumos14: thumos14.json (required), the video
// info files and the Ambiguous rows of {val,test}_Annotation.csv.
func loadTHUMOSMeta(root string) (*thumosMeta, error) {
	dir := filepath.Join(root, data.THUMOSDir)
	if _, err := os.Stat(filepath.Join(dir, data.THUMOSActionFormer)); err != nil {
		return nil, fmt.Errorf("detfeat: %s: %w (the THUMOS14 annotations of ActionFormer's release)",
			filepath.Join(dir, data.THUMOSActionFormer), ErrNotPresent)
	}
	t, err := data.LoadTHUMOS14(dir)
	if err != nil {
		return nil, err
	}
	m := &thumosMeta{gt: t.ActionFormer, info: map[string]data.VideoInfo{}, amb: map[string][]data.DetectionSegment{},
		fp: t.Fingerprint, infoFrom: "round(duration·fps)"}
	for _, name := range []string{data.THUMOSValInfo, data.THUMOSTestInfo} {
		for _, in := range t.VideoInfo[name] {
			m.info[in.Video] = in
			m.infoFrom = "*_video_info.csv"
		}
	}
	for _, name := range []string{data.THUMOSValAnnotation, data.THUMOSTestAnnotation} {
		for _, a := range t.Annotations[name] {
			if a.Type == "Ambiguous" {
				m.amb[a.Video] = append(m.amb[a.Video], data.DetectionSegment{Label: a.Type, LabelID: -1, Start: a.Start, End: a.End})
			}
		}
	}
	return m, nil
}

// loadActivityNetGT reads root/activitynet/activity_net.v1-3.min.json; the
// second result says whether it is a synthetic twin's (SYNTHETIC.txt beside it).
func loadActivityNetGT(root string) (*data.DetectionDataset, bool, error) {
	dir := filepath.Join(root, data.ActivityNetDir)
	p := filepath.Join(dir, data.ActivityNetFile)
	if _, err := os.Stat(p); err != nil {
		return nil, false, fmt.Errorf("detfeat: %s: %w (download it from activity-net.org, or write a synthetic one with `actrepro synth activitynet --out %s`)",
			p, ErrNotPresent, root)
	}
	gt, err := data.ReadDetectionJSON(p, nil)
	if err != nil {
		return nil, false, err
	}
	_, serr := os.Stat(filepath.Join(dir, data.SynthMarker))
	return gt, serr == nil, nil
}
