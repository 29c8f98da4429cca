package detfeat

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/actrepro/actrepro/internal/data"
)

// TwinVersion names the twin's generator; it enters the fingerprint, so a
// change to the generator must change it.
const TwinVersion = "detfeat-twin-1"

// THUMOSConfusablePairs are THUMOS14 class pairs that look alike (same
// sport or the same motion); Difficulty.Confusion makes each pair share
// part of its direction. The pairs are disjoint.
var THUMOSConfusablePairs = [][2]string{
	{"CricketBowling", "CricketShot"},
	{"HighJump", "LongJump"},
	{"HammerThrow", "ThrowDiscus"},
	{"CliffDiving", "Diving"},
	{"JavelinThrow", "PoleVault"},
	{"BasketballDunk", "VolleyballSpiking"},
}

// Difficulty holds the twin's difficulty knobs.
type Difficulty struct {
	// BoundaryBlur (seconds) widens each step's window on both sides by
	// half of it, so the planted signal ramps up and down over the clip
	// length plus BoundaryBlur around each boundary.
	BoundaryBlur float64
	// Confusion in [0, 1) is the cosine similarity between the directions
	// of the two classes of each pair in Pairs.
	Confusion float64
	// Pairs are the confusable class pairs (nil: THUMOSConfusablePairs for
	// THUMOS14, none for ActivityNet). Names not in the ground truth are
	// ignored; a class may be in one pair only.
	Pairs [][2]string
	// Ambiguous is the weight of the class mixture planted in Ambiguous
	// instances: equal parts of the video's annotated classes (and, when it
	// has only one, of that class and its confusable partner or the next
	// class by name). 0 leaves Ambiguous instances as background.
	Ambiguous float64
}

// DifficultyLevel maps a level in [0, 1] (the harness's --difficulty) to
// knobs: BoundaryBlur 2·level s, Confusion 0.8·level, Ambiguous 1.
func DifficultyLevel(level float64) Difficulty {
	level = math.Max(0, math.Min(1, level))
	return Difficulty{BoundaryBlur: 2 * level, Confusion: 0.8 * level, Ambiguous: 1}
}

// TwinConfig configures a twin. Start from DefaultTwinConfig: every field
// is used as given (0 is a valid SNR or blur).
type TwinConfig struct {
	Seed   uint64
	Stream Stream
	// Dim is the number of channels per stream (I3D: 1024), so Both gives
	// 2·Dim channels, RGB first.
	Dim int
	// RGBSNR and FlowSNR are the planted amplitude of each stream along a
	// unit class direction, in units of the per-channel noise standard
	// deviation: a single step's projection on its class direction is
	// separated from background by this many standard deviations,
	// whatever Dim is.
	RGBSNR, FlowSNR float64
	// AR in [0, 1) is the lag-1 autocorrelation of the (unit-variance) noise
	// along time, as consecutive overlapping clips are correlated.
	AR float64
	// VideoOffset is the standard deviation of a per-video constant added
	// to every channel (scene appearance).
	VideoOffset float64
	// GainSpread in [0, 1) varies each instance's amplitude uniformly in
	// [1 − GainSpread, 1 + GainSpread].
	GainSpread float64
	Difficulty Difficulty
}

// DefaultTwinConfig is the twin the specs start from: both streams of
// 1,024 channels, flow stronger than RGB (as I3D flow is on THUMOS14),
// correlated noise, difficulty level 0.5.
func DefaultTwinConfig() TwinConfig {
	return TwinConfig{Seed: 1, Stream: Both, Dim: 1024, RGBSNR: 1.5, FlowSNR: 2.5, AR: 0.6, VideoOffset: 0.5,
		GainSpread: 0.3, Difficulty: DifficultyLevel(0.5)}
}

// Validate checks the ranges of the fields.
func (c TwinConfig) Validate() error {
	switch {
	case c.Dim <= 0:
		return fmt.Errorf("detfeat: twin Dim %d: want > 0", c.Dim)
	case !(c.RGBSNR >= 0) || !(c.FlowSNR >= 0) || math.IsInf(c.RGBSNR, 0) || math.IsInf(c.FlowSNR, 0):
		return fmt.Errorf("detfeat: twin SNR rgb %v flow %v: want finite and >= 0", c.RGBSNR, c.FlowSNR)
	case !(c.AR >= 0 && c.AR < 1):
		return fmt.Errorf("detfeat: twin AR %v: want [0, 1)", c.AR)
	case !(c.VideoOffset >= 0) || math.IsInf(c.VideoOffset, 0):
		return fmt.Errorf("detfeat: twin VideoOffset %v: want finite and >= 0", c.VideoOffset)
	case !(c.GainSpread >= 0 && c.GainSpread < 1):
		return fmt.Errorf("detfeat: twin GainSpread %v: want [0, 1)", c.GainSpread)
	case !(c.Difficulty.BoundaryBlur >= 0) || math.IsInf(c.Difficulty.BoundaryBlur, 0):
		return fmt.Errorf("detfeat: twin BoundaryBlur %v: want finite and >= 0", c.Difficulty.BoundaryBlur)
	case !(c.Difficulty.Confusion >= 0 && c.Difficulty.Confusion < 1):
		return fmt.Errorf("detfeat: twin Confusion %v: want [0, 1)", c.Difficulty.Confusion)
	case !(c.Difficulty.Ambiguous >= 0) || math.IsInf(c.Difficulty.Ambiguous, 0):
		return fmt.Errorf("detfeat: twin Ambiguous %v: want finite and >= 0", c.Difficulty.Ambiguous)
	}
	_, err := ParseStream(string(c.Stream))
	return err
}

// Twin is a ground-truth-anchored synthetic feature source: real videos,
// real segments, synthetic features.
type Twin struct {
	dataset string
	cfg     TwinConfig
	layout  Layout
	videos  []Video
	classes []string
	classIx map[string]int
	partner []int          // confusable partner of each class, -1 if none
	dirs    [2][][]float32 // [stream][class] unit directions, Dim each
	synthGT bool
	fp      string
}

// NewTHUMOS14Twin builds the twin of the THUMOS14 videos of
// root/thumos14/thumos14.json (required; frame counts from the video info
// files and Ambiguous instances from {val,test}_Annotation.csv when
// present), in the THUMOSI3D layout.
func NewTHUMOS14Twin(root string, c TwinConfig) (*Twin, error) {
	m, err := loadTHUMOSMeta(root)
	if err != nil {
		return nil, err
	}
	if c.Difficulty.Pairs == nil {
		c.Difficulty.Pairs = THUMOSConfusablePairs
	}
	return newTwin("thumos14", videoSet(m.gt, m.info, m.amb, THUMOSI3D, 0), m.gt.Labels(), THUMOSI3D, c, m.fp, false)
}

// NewActivityNetTwin builds the twin of the videos of
// root/activitynet/activity_net.v1-3.min.json: the real file when the user
// supplied it, or the synthetic one `actrepro synth activitynet` writes
// (then Info().SyntheticGT is true). Without the file the error wraps
// ErrNotPresent. Layout ActivityNetI3D at ActivityNetFPS.
func NewActivityNetTwin(root string, c TwinConfig) (*Twin, error) {
	gt, synth, err := loadActivityNetGT(root)
	if err != nil {
		return nil, err
	}
	return newTwin("activitynet", videoSet(gt, nil, nil, ActivityNetI3D, ActivityNetFPS), gt.Labels(), ActivityNetI3D, c, gt.Fingerprint, synth)
}

// NewTwin builds a twin over any detection ground truth (videos without
// a frame rate get defaultFPS); dataset names it in Info.
func NewTwin(dataset string, gt *data.DetectionDataset, l Layout, defaultFPS float64, c TwinConfig) (*Twin, error) {
	if l.Stride <= 0 || l.Clip <= 0 {
		return nil, fmt.Errorf("detfeat: layout %+v: stride and clip must be positive", l)
	}
	return newTwin(dataset, videoSet(gt, nil, nil, l, defaultFPS), gt.Labels(), l, c, gt.Fingerprint, false)
}

func newTwin(dataset string, videos []Video, classes []string, l Layout, c TwinConfig, gtFP string, synthGT bool) (*Twin, error) {
	var err error
	if c.Stream, err = ParseStream(string(c.Stream)); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if len(classes) == 0 {
		return nil, fmt.Errorf("detfeat: %s twin: the ground truth has no labelled segment", dataset)
	}
	t := &Twin{dataset: dataset, cfg: c, layout: l, videos: videos, classes: classes, classIx: map[string]int{}, synthGT: synthGT}
	for i, name := range classes {
		t.classIx[name] = i
	}
	t.partner = make([]int, len(classes))
	for i := range t.partner {
		t.partner[i] = -1
	}
	for _, p := range c.Difficulty.Pairs {
		a, okA := t.classIx[p[0]]
		b, okB := t.classIx[p[1]]
		if !okA || !okB {
			continue
		}
		if a == b || t.partner[a] >= 0 || t.partner[b] >= 0 {
			return nil, fmt.Errorf("detfeat: confusable pair %v: a class may be in one pair only, with another class", p)
		}
		t.partner[a], t.partner[b] = b, a
	}
	// Class directions per stream: unit Gaussian vectors; a confusable
	// pair (a, b) shares a unit vector s: u = √(1−ρ)·g + √ρ·s, so that
	// cos(u_a, u_b) ≈ ρ.
	rho := c.Difficulty.Confusion
	for s := 0; s < 2; s++ {
		r := rand.New(rand.NewPCG(c.Seed, 0xD1EC0000+uint64(s)))
		g := make([][]float64, len(classes))
		for i := range g {
			g[i] = unitNormal(r, c.Dim)
		}
		shared := make([][]float64, len(classes))
		for i := range classes {
			if j := t.partner[i]; j > i {
				shared[i] = unitNormal(r, c.Dim)
				shared[j] = shared[i]
			}
		}
		t.dirs[s] = make([][]float32, len(classes))
		for i := range classes {
			u := make([]float64, c.Dim)
			for k := range u {
				u[k] = g[i][k]
				if shared[i] != nil {
					u[k] = math.Sqrt(1-rho)*g[i][k] + math.Sqrt(rho)*shared[i][k]
				}
			}
			n := norm(u)
			t.dirs[s][i] = make([]float32, c.Dim)
			for k := range u {
				t.dirs[s][i][k] = float32(u[k] / n)
			}
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\ngt %s\n%+v\nlayout %+v\n", TwinVersion, dataset, gtFP, c, l)
	t.fp = hex.EncodeToString(h.Sum(nil))[:16]
	return t, nil
}

// Info describes the twin (Synthetic is true).
func (t *Twin) Info() Info {
	d := t.cfg.Dim
	if t.cfg.Stream == Both {
		d *= 2
	}
	return Info{Dataset: t.dataset, Kind: "twin", Synthetic: true, SyntheticGT: t.synthGT, Stream: t.cfg.Stream, Dim: d,
		Layout: t.layout, Classes: append([]string(nil), t.classes...), Fingerprint: t.fp}
}

// Config is the twin's configuration (with defaults filled in).
func (t *Twin) Config() TwinConfig { return t.cfg }

// Videos lists every video of the annotation file, sorted by ID.
func (t *Twin) Videos() []Video { return append([]Video(nil), t.videos...) }

// Direction is the unit direction planted for class (stream RGB or Flow),
// for tests and figures.
func (t *Twin) Direction(s Stream, class string) ([]float32, bool) {
	i, ok := t.classIx[class]
	if !ok || s == Both {
		return nil, false
	}
	si := 0
	if s == Flow {
		si = 1
	}
	return append([]float32(nil), t.dirs[si][i]...), true
}

// Weights is the planted class weight of every step of a video, [Steps][K]
// with K = len(Info().Classes): each real instance contributes its gain
// times the fraction of the step's (blurred) window it covers, normalised
// so that an instance reaches its full gain where it fills the window (or
// the window covers it, for instances shorter than the window); weights of
// overlapping instances of one class take the maximum. Ambiguous
// instances add Difficulty.Ambiguous split equally over their mixture.
func (t *Twin) Weights(id string) ([][]float64, error) {
	v, ok := findVideo(t.videos, id)
	if !ok {
		return nil, fmt.Errorf("detfeat: %s twin: no video %q", t.dataset, id)
	}
	return t.weights(v), nil
}

func (t *Twin) weights(v *Video) [][]float64 {
	k := len(t.classes)
	w := make([][]float64, v.Steps)
	flat := make([]float64, v.Steps*k)
	for i := range w {
		w[i] = flat[i*k : (i+1)*k]
	}
	off, step := t.layout.Offset(v.FPS), t.layout.StepSeconds(v.FPS)
	half := float64(t.layout.Clip)/2/v.FPS + t.cfg.Difficulty.BoundaryBlur/2
	gr := rand.New(rand.NewPCG(videoSeed(t.cfg.Seed, v.ID), 0x6A1))
	plant := func(s, e float64, mix map[int]float64) {
		if e < s {
			return
		}
		norm := math.Min(2*half, math.Max(e-s, 1/v.FPS))
		i0 := max(0, int(math.Floor((s-half-off)/step)))
		i1 := min(v.Steps-1, int(math.Ceil((e+half-off)/step)))
		for i := i0; i <= i1; i++ {
			c := off + float64(i)*step
			ov := math.Min(c+half, e) - math.Max(c-half, s)
			if ov <= 0 {
				continue
			}
			f := math.Min(1, ov/norm)
			for cl, m := range mix {
				w[i][cl] = math.Max(w[i][cl], m*f)
			}
		}
	}
	classesOf := map[int]bool{}
	for _, sg := range v.Segments {
		ci, ok := t.classIx[sg.Label]
		if !ok {
			continue
		}
		classesOf[ci] = true
		g := 1 + t.cfg.GainSpread*(2*gr.Float64()-1)
		plant(sg.Start, sg.End, map[int]float64{ci: g})
	}
	if amb := t.cfg.Difficulty.Ambiguous; amb > 0 && len(v.Ambiguous) > 0 {
		var mixc []int
		for c := range classesOf {
			mixc = append(mixc, c)
		}
		sort.Ints(mixc)
		switch len(mixc) {
		case 0:
			mixc = []int{int(videoSeed(t.cfg.Seed, v.ID+"/ambiguous") % uint64(k))}
			fallthrough
		case 1:
			p := t.partner[mixc[0]]
			if p < 0 {
				p = (mixc[0] + 1) % k
			}
			if p != mixc[0] {
				mixc = append(mixc, p)
			}
		}
		mix := map[int]float64{}
		for _, c := range mixc {
			mix[c] = amb / float64(len(mixc))
		}
		for _, sg := range v.Ambiguous {
			plant(sg.Start, sg.End, mix)
		}
	}
	return w
}

// Features generates a video's [Steps, Dim] features: per stream, a
// per-video offset plus AR(1) unit-variance noise plus SNR × Σ_c w_c(t)·u_c.
// The RGB and flow halves come from independent random streams, so a
// twin with Stream RGB returns exactly the first half of Both.
func (t *Twin) Features(id string) (*Features, error) {
	v, ok := findVideo(t.videos, id)
	if !ok {
		return nil, fmt.Errorf("detfeat: %s twin: no video %q", t.dataset, id)
	}
	w := t.weights(v)
	var streams []int
	switch t.cfg.Stream {
	case RGB:
		streams = []int{0}
	case Flow:
		streams = []int{1}
	default:
		streams = []int{0, 1}
	}
	dim := t.cfg.Dim
	d := dim * len(streams)
	f := &Features{Video: id, T: v.Steps, D: d, Data: make([]float32, v.Steps*d),
		Offset: t.layout.Offset(v.FPS), Step: t.layout.StepSeconds(v.FPS)}
	a := t.cfg.AR
	innov := math.Sqrt(1 - a*a)
	seed := videoSeed(t.cfg.Seed, id)
	prev := make([]float64, dim)
	mu := make([]float64, dim)
	for col, s := range streams {
		snr := t.cfg.RGBSNR
		if s == 1 {
			snr = t.cfg.FlowSNR
		}
		r := rand.New(rand.NewPCG(seed, 0x5EED0000+uint64(s)))
		for j := range mu {
			mu[j] = t.cfg.VideoOffset * r.NormFloat64()
			prev[j] = r.NormFloat64() // stationary start
		}
		for i := 0; i < v.Steps; i++ {
			row := f.Data[i*d+col*dim : i*d+(col+1)*dim]
			for j := range row {
				if i > 0 {
					prev[j] = a*prev[j] + innov*r.NormFloat64()
				}
				row[j] = float32(mu[j] + prev[j])
			}
			for c, wc := range w[i] {
				if wc == 0 {
					continue
				}
				amp := float32(snr * wc)
				for j, u := range t.dirs[s][c] {
					row[j] += amp * u
				}
			}
		}
	}
	return f, nil
}

// videoSeed derives a video's seed from the twin's seed and the video id.
func videoSeed(seed uint64, id string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(id))
	return h.Sum64()
}

func unitNormal(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	s := norm(v)
	for i := range v {
		v[i] /= s
	}
	return v
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
