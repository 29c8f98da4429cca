package data

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/data/npy"
)

// UCF101 I3D feature layouts under <root>/ucf101/i3d_features (UCF101FeatureDir).
const (
	UCF101FeatureDir = "i3d_features"
	// LayoutJoint is one <Class>/<video>.npy [T, 2D] per video, RGB in the first D channels and
	// flow in the last D (the layout of ActionFormer's I3D releases, D = 1024).
	LayoutJoint = "joint"
	// LayoutStreams is <Class>/<video>_rgb.npy and <Class>/<video>_flow.npy, [T, D] each (the
	// output of v-iashin/video_features' I3D extractor).
	LayoutStreams = "streams"
)

// UCF101Features is a checked directory of per-video I3D features: every video of the loaded
// split lists has its file(s), and no file belongs to a video outside them.
type UCF101Features struct {
	Dir    string
	Layout string // LayoutJoint or LayoutStreams
	// Fingerprint hashes the listing (relative paths and sizes), not the feature bytes.
	Fingerprint string
}

// videoStem is a listed video's path without the extension, e.g. "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01".
func videoStem(v UCFVideo) string { return strings.TrimSuffix(v.Path, filepath.Ext(v.Path)) }

// listedVideos is every video of u's split lists, by stem, with the list that names it first.
func listedVideos(u *UCF101) (map[string]string, error) {
	out := map[string]string{}
	add := func(kind string, s int, vids []UCFVideo) {
		for _, v := range vids {
			if _, ok := out[videoStem(v)]; !ok {
				out[videoStem(v)] = fmt.Sprintf("%slist%02d.txt", kind, s+1)
			}
		}
	}
	for s := range u.Train {
		add("train", s, u.Train[s])
	}
	for s := range u.Test {
		add("test", s, u.Test[s])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ucf101 features: the split lists name no videos")
	}
	return out, nil
}

// OpenUCF101Features checks dir (usually <root>/ucf101/i3d_features) against u's split lists and
// detects its layout. A video of the lists without features, a feature file of no listed video, a
// stream file without its partner, or a mix of layouts is an error naming the file or video.
func OpenUCF101Features(dir string, u *UCF101) (*UCF101Features, error) {
	listed, err := listedVideos(u)
	if err != nil {
		return nil, err
	}
	var rel []string
	sizes := map[string]int64{}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".npy") {
			return nil
		}
		r, _ := filepath.Rel(dir, p)
		r = filepath.ToSlash(r)
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel = append(rel, r)
		sizes[r] = info.Size()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ucf101 features: %w", err)
	}
	if len(rel) == 0 {
		return nil, fmt.Errorf("ucf101 features: %s holds no .npy files", dir)
	}
	sort.Strings(rel)
	// A file is a stream file when it ends in _rgb/_flow and its stem without the suffix is a
	// listed video; a joint file when its stem is a listed video.
	joint, streams := map[string]bool{}, map[string][2]bool{}
	for _, r := range rel {
		stem := strings.TrimSuffix(r, ".npy")
		if _, ok := listed[stem]; ok {
			joint[stem] = true
			continue
		}
		if s, ok := strings.CutSuffix(stem, "_rgb"); ok {
			if _, ok := listed[s]; ok {
				p := streams[s]
				p[0] = true
				streams[s] = p
				continue
			}
		}
		if s, ok := strings.CutSuffix(stem, "_flow"); ok {
			if _, ok := listed[s]; ok {
				p := streams[s]
				p[1] = true
				streams[s] = p
				continue
			}
		}
		return nil, fmt.Errorf("ucf101 features: extra file %s: no video of the split lists is named %s", filepath.Join(dir, r), stem)
	}
	f := &UCF101Features{Dir: dir, Layout: LayoutJoint}
	if len(streams) > 0 {
		f.Layout = LayoutStreams
		if len(joint) > 0 {
			var j, s string
			for k := range joint {
				j = k
				break
			}
			for k := range streams {
				s = k
				break
			}
			return nil, fmt.Errorf("ucf101 features: %s mixes layouts: %s.npy is RGB‖flow, %s_{rgb,flow}.npy are per stream", dir, j, s)
		}
	}
	stems := make([]string, 0, len(listed))
	for s := range listed {
		stems = append(stems, s)
	}
	sort.Strings(stems)
	for _, s := range stems {
		switch {
		case f.Layout == LayoutJoint && !joint[s]:
			return nil, fmt.Errorf("ucf101 features: missing %s for video %s (listed in %s)", filepath.Join(dir, s+".npy"), s, listed[s])
		case f.Layout == LayoutStreams && !streams[s][0]:
			return nil, fmt.Errorf("ucf101 features: missing %s for video %s (listed in %s)", filepath.Join(dir, s+"_rgb.npy"), s, listed[s])
		case f.Layout == LayoutStreams && !streams[s][1]:
			return nil, fmt.Errorf("ucf101 features: missing %s for video %s (listed in %s)", filepath.Join(dir, s+"_flow.npy"), s, listed[s])
		}
	}
	var fp Fingerprinter
	for _, r := range rel {
		fp.AddString(r, fmt.Sprint(sizes[r]))
	}
	f.Fingerprint = fp.Sum()
	return f, nil
}

// Load reads one video's features as T rows of 2D values, RGB then flow.
func (f *UCF101Features) Load(v UCFVideo) ([][]float32, error) {
	stem := filepath.Join(f.Dir, filepath.FromSlash(videoStem(v)))
	if f.Layout == LayoutJoint {
		m, err := loadMatrix(stem + ".npy")
		if err != nil {
			return nil, err
		}
		if len(m[0])%2 != 0 {
			return nil, fmt.Errorf("%s: %d channels, want an even RGB‖flow width (e.g. 2048)", stem+".npy", len(m[0]))
		}
		return m, nil
	}
	rgb, err := loadMatrix(stem + "_rgb.npy")
	if err != nil {
		return nil, err
	}
	flow, err := loadMatrix(stem + "_flow.npy")
	if err != nil {
		return nil, err
	}
	if len(rgb) != len(flow) || len(rgb[0]) != len(flow[0]) {
		return nil, fmt.Errorf("%s_flow.npy: shape [%d, %d], but %s_rgb.npy is [%d, %d]", stem, len(flow), len(flow[0]), stem, len(rgb), len(rgb[0]))
	}
	out := make([][]float32, len(rgb))
	for t := range rgb {
		out[t] = append(append(make([]float32, 0, 2*len(rgb[t])), rgb[t]...), flow[t]...)
	}
	return out, nil
}

func loadMatrix(p string) ([][]float32, error) {
	a, err := npy.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 || a.Shape[0] < 1 || a.Shape[1] < 1 {
		return nil, fmt.Errorf("%s: shape %v, want [T, C] with T, C >= 1", p, a.Shape)
	}
	m, err := a.Matrix32()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return m, nil
}

// FeatureTwinOptions shape the UCF101 feature-level twin.
type FeatureTwinOptions struct {
	Seed               uint64
	Dim                int     // D per stream (each video is [T, 2D], RGB‖flow)
	MinSteps, MaxSteps int     // each video's T is drawn uniformly from [MinSteps, MaxSteps]
	MinWindow          float64 // the planted action window covers a fraction of T drawn from
	MaxWindow          float64 // [MinWindow, MaxWindow] (at least one step)
	Signal             float64 // per-channel scale of the class direction in the window, RGB stream
	FlowSignal         float64 // the same for the flow stream
	Scene              float64 // per-channel scale of the (class, group) scene vector on background steps
	Backgrounds        int     // shared background prototypes (unit per-channel scale)
}

// DefaultFeatureTwinOptions is the full-scale twin.
func DefaultFeatureTwinOptions() FeatureTwinOptions {
	return FeatureTwinOptions{Seed: 1, Dim: 64, MinSteps: 12, MaxSteps: 32, MinWindow: 0.2, MaxWindow: 0.5,
		Signal: 0.5, FlowSignal: 0.4, Scene: 1, Backgrounds: 8}
}

// Validate checks the options.
func (o FeatureTwinOptions) Validate() error {
	switch {
	case o.Dim < 1 || o.Dim > 4096:
		return fmt.Errorf("feature twin: dim must be 1..4096, got %d", o.Dim)
	case o.MinSteps < 2 || o.MaxSteps < o.MinSteps || o.MaxSteps > 4096:
		return fmt.Errorf("feature twin: steps must satisfy 2 <= min <= max <= 4096, got %d..%d", o.MinSteps, o.MaxSteps)
	case !(o.MinWindow > 0 && o.MinWindow <= o.MaxWindow && o.MaxWindow <= 1):
		return fmt.Errorf("feature twin: window fractions must satisfy 0 < min <= max <= 1, got %g..%g", o.MinWindow, o.MaxWindow)
	case o.Signal < 0 || o.FlowSignal < 0 || o.Scene < 0:
		return fmt.Errorf("feature twin: signal %g, flow signal %g and scene %g must be >= 0", o.Signal, o.FlowSignal, o.Scene)
	case o.Backgrounds < 1:
		return fmt.Errorf("feature twin: need at least one background prototype, got %d", o.Backgrounds)
	}
	return nil
}

// FeatureTwin is the UCF101 feature-level twin tied to the real split lists: the videos, classes
// and train/test membership are u's; each video's features are drawn from a generator seeded by
// the twin's seed and the video's path (so a video has the same features in every split).
//
// Video v of class c and group g has T ~ U[MinSteps, MaxSteps] steps and a planted window
// [Start, End) covering a fraction U[MinWindow, MaxWindow] of them. Inside the window, step t is
// Signal·μ_c + N(0, I) per stream (μ_c ~ N(0, I), one per class and stream); outside it, a
// background step is b_k + Scene·s_{c,g} + N(0, I), with b_k one of Backgrounds shared
// prototypes drawn per video and s_{c,g} ~ N(0, I) a scene vector shared by the videos of one
// class and group. Splits never share a group, so the scene helps on training videos only: a
// model must find the window to generalise, which is what the temporal attention λ is for.
type FeatureTwin struct {
	U           *UCF101
	Opt         FeatureTwinOptions
	Fingerprint string
	class       [][]float64 // [class][2D]
	bg          [][]float64 // [prototype][2D]
}

// NewFeatureTwin prepares the twin's class directions and background prototypes.
func NewFeatureTwin(u *UCF101, o FeatureTwinOptions) (*FeatureTwin, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if len(u.Classes) == 0 {
		return nil, fmt.Errorf("feature twin: no classes")
	}
	r := rand.New(rand.NewPCG(o.Seed, 0xF0C101))
	w := 2 * o.Dim
	draw := func() []float64 {
		v := make([]float64, w)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return v
	}
	t := &FeatureTwin{U: u, Opt: o}
	for range u.Classes {
		t.class = append(t.class, draw())
	}
	for range o.Backgrounds {
		t.bg = append(t.bg, draw())
	}
	var fp Fingerprinter
	fp.AddString("ucf101 feature twin v1", fmt.Sprintf("%+v", o))
	fp.AddString("split lists", u.Fingerprint)
	t.Fingerprint = fp.Sum()
	return t, nil
}

// TwinVideo is one video of the twin.
type TwinVideo struct {
	Steps      [][]float32 // [T][2D], RGB‖flow
	Start, End int         // the planted window [Start, End)
}

func seedOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// Video draws video v's features (the same for every call).
func (t *FeatureTwin) Video(v UCFVideo) TwinVideo {
	o := t.Opt
	r := rand.New(rand.NewPCG(o.Seed, seedOf("video", strings.ToLower(v.Path))))
	sr := rand.New(rand.NewPCG(o.Seed, seedOf("scene", fmt.Sprint(v.Class), fmt.Sprint(v.Group))))
	w := 2 * o.Dim
	scene := make([]float64, w)
	for i := range scene {
		scene[i] = sr.NormFloat64()
	}
	n := o.MinSteps + r.IntN(o.MaxSteps-o.MinSteps+1)
	frac := o.MinWindow + (o.MaxWindow-o.MinWindow)*r.Float64()
	win := max(1, min(n, int(math.Round(frac*float64(n)))))
	start := r.IntN(n - win + 1)
	bg := t.bg[r.IntN(len(t.bg))]
	mu := t.class[v.Class]
	out := TwinVideo{Steps: make([][]float32, n), Start: start, End: start + win}
	for s := range n {
		row := make([]float32, w)
		in := s >= start && s < start+win
		for i := range row {
			x := r.NormFloat64()
			if in {
				sig := o.Signal
				if i >= o.Dim {
					sig = o.FlowSignal
				}
				x += sig * mu[i]
			} else {
				x += bg[i] + o.Scene*scene[i]
			}
			row[i] = float32(x)
		}
		out.Steps[s] = row
	}
	return out
}

// WriteFeatureTwin writes the twin's videos vids as .npy files under dir in the given layout
// (float32), for tests of the reader and for users who want the twin on disk.
func (t *FeatureTwin) WriteFeatureTwin(dir, layout string, vids []UCFVideo) error {
	if layout != LayoutJoint && layout != LayoutStreams {
		return fmt.Errorf("feature twin: layout %q, want %q or %q", layout, LayoutJoint, LayoutStreams)
	}
	for _, v := range vids {
		tv := t.Video(v)
		stem := filepath.Join(dir, filepath.FromSlash(videoStem(v)))
		if err := os.MkdirAll(filepath.Dir(stem), 0o755); err != nil {
			return err
		}
		write := func(p string, lo, hi int) error {
			rows := make([][]float32, len(tv.Steps))
			for s, row := range tv.Steps {
				rows[s] = row[lo:hi]
			}
			a, err := npy.FromMatrix(rows)
			if err != nil {
				return err
			}
			return npy.WriteFile(p, a)
		}
		d := t.Opt.Dim
		var err error
		if layout == LayoutJoint {
			err = write(stem+".npy", 0, 2*d)
		} else if err = write(stem+"_rgb.npy", 0, d); err == nil {
			err = write(stem+"_flow.npy", d, 2*d)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
