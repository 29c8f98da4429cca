package baboonland

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/textenc"
)

// TrackOptions configure Twin and LoadText. Zero values take the defaults
// noted.
type TrackOptions struct {
	Root   string // data root holding baboonland/ (summaries.csv; train.csv and val.csv for LoadText)
	Rule   string // RuleUnion or RuleSampled (default RuleSampled, the authors' code)
	Frames int    // T: frames sampled per clip (default 16), the video tokens of the twin
	E      int    // text/image width (default 64)
	Seed   int64

	// Twin only.
	D            int     // video width (default 64)
	NTrain, NVal int     // clips (default: all real summary ids, split 75/25)
	Difficulty   float64 // noise level in [0,1] (sigma = 0.1 + 1.4*Difficulty), as data.SynthAK
}

func (o *TrackOptions) defaults() {
	if o.Rule == "" {
		o.Rule = RuleSampled
	}
	if o.Frames <= 0 {
		o.Frames = 16
	}
	if o.E <= 0 {
		o.E = 64
	}
	if o.D <= 0 {
		o.D = 64
	}
}

// LabelFilesPresent reports whether root/baboonland holds both official
// label files.
func LabelFilesPresent(root string) bool {
	for _, f := range []string{TrainFile, ValFile} {
		if _, err := os.Stat(filepath.Join(root, Dir, f)); err != nil {
			return false
		}
	}
	return true
}

// readSummaries reads the real descriptions (ARTEMIS's
// baboonland_summary.csv), first row per id.
func readSummaries(root string, fp *data.Fingerprinter) (map[string]string, string, error) {
	if root == "" {
		return nil, "", fmt.Errorf("baboonland: no data root (set --data-root or $%s): the descriptions are read from <root>/%s/%s", data.EnvDataRoot, Dir, SummariesFile)
	}
	p := filepath.Join(root, Dir, SummariesFile)
	s, err := data.ReadSummaries(p, fp)
	return s, p, err
}

// twinWeights are the twin's behaviour frequencies per frame segment, in
// Classes order. A guess: locomotion and sitting dominate, then foraging and
// Occluded; grooming variants, infant-carrying, drinking, mounting and
// sleeping are rare (the real per-class counts are in the label files,
// which are not here).
var twinWeights = []float64{30, 30, 3, 5, 4, 4, 2, 4, 12, 1, 1, 2, 6}

// Twin builds the synthetic BaboonLand twin: BaboonLand's 13 classes and
// real clip ids and descriptions, with planted frame-level labels. Each
// clip gets 16 to 64 frames cut into 1 to 3 behaviour segments (labels
// drawn by twinWeights); its labels follow o.Rule over those frames. Video
// token t is the direction of the behaviour of sampled frame t
// (SampleIndices) plus noise, so a behaviour confined to unsampled frames
// is invisible to the model (the union rule still counts it); the image F
// is the sampled behaviours' image directions plus noise; the description
// S is the real summary's text embedding plus the text directions of the
// clip's behaviours (union) plus noise, unit length. Class queries start at
// the text directions, as in data.SynthAK. Same options, same values.
func Twin(o TrackOptions) (*data.AKTrack, []Clip, error) {
	o.defaults()
	if o.Difficulty < 0 || o.Difficulty > 1 || math.IsNaN(o.Difficulty) {
		return nil, nil, fmt.Errorf("baboonland.Twin: difficulty %v outside [0,1]", o.Difficulty)
	}
	if o.Rule != RuleUnion && o.Rule != RuleSampled {
		return nil, nil, fmt.Errorf("baboonland.Twin: unknown rule %q", o.Rule)
	}
	var fp data.Fingerprinter
	sums, _, err := readSummaries(o.Root, &fp)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, 0, len(sums))
	for id := range sums {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0xBAB0_7A1))
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	nTrain, nVal := o.NTrain, o.NVal
	if nTrain <= 0 && nVal <= 0 {
		nTrain = len(ids) * 3 / 4
		nVal = len(ids) - nTrain
	}
	if nTrain <= 0 || nVal <= 0 || nTrain+nVal > len(ids) {
		return nil, nil, fmt.Errorf("baboonland.Twin: %d train + %d val clips, but the descriptions have %d ids", nTrain, nVal, len(ids))
	}
	k := len(Classes)
	sigma := 0.1 + 1.4*o.Difficulty
	videoDir := make([][]float64, k)
	textDir := make([][]float64, k)
	imageDir := make([][]float64, k)
	track := &data.AKTrack{Name: "baboonland-twin", Source: "synthetic", Classes: append([]string(nil), Classes...), T: o.Frames, D: o.D, E: o.E}
	for c := 0; c < k; c++ {
		videoDir[c] = unit(r, o.D)
		textDir[c] = unit(r, o.E)
		noise := unit(r, o.E)
		imageDir[c] = make([]float64, o.E)
		for j := range imageDir[c] {
			imageDir[c][j] = textDir[c][j] + 0.5*noise[j]
		}
		normalize(imageDir[c])
		track.LabelEmb = append(track.LabelEmb, f32(textDir[c]))
	}
	trainTexts := make([]string, nTrain)
	for i := range trainTexts {
		trainTexts[i] = sums[ids[i]]
	}
	enc, err := textenc.Fit(trainTexts, o.E)
	if err != nil {
		return nil, nil, fmt.Errorf("baboonland.Twin: fitting the text encoder: %w", err)
	}
	var all []Clip
	gen := func(ids []string) (data.AKSplit, error) {
		var s data.AKSplit
		for _, id := range ids {
			c := twinClip(r, id)
			labels, err := c.Labels(o.Rule, o.Frames)
			if err != nil {
				return s, err
			}
			union, _ := c.Labels(RuleUnion, 0)
			all = append(all, c)
			idx := SampleIndices(len(c.Frames), o.Frames)
			video := make([]float32, o.Frames*o.D)
			img := make([]float64, o.E)
			for t, fi := range idx {
				for _, l := range c.Frames[fi].Labels {
					for j := 0; j < o.D; j++ {
						video[t*o.D+j] += float32(videoDir[l][j])
					}
					for j := 0; j < o.E; j++ {
						img[j] += imageDir[l][j] / float64(o.Frames)
					}
				}
			}
			for j := range video {
				video[j] += float32(sigma * r.NormFloat64())
			}
			desc := make([]float64, o.E)
			for j, v := range enc.Encode(sums[id]) {
				desc[j] = float64(v)
			}
			for _, l := range union {
				for j := range desc {
					desc[j] += textDir[l][j]
				}
			}
			for j := range desc {
				desc[j] += sigma * r.NormFloat64()
				img[j] += sigma * r.NormFloat64()
			}
			normalize(desc)
			normalize(img)
			s.IDs = append(s.IDs, id)
			s.Labels = append(s.Labels, labels)
			s.Video = append(s.Video, video)
			s.Image = append(s.Image, f32(img))
			s.Desc = append(s.Desc, f32(desc))
		}
		return s, nil
	}
	if track.Train, err = gen(ids[:nTrain]); err != nil {
		return nil, nil, err
	}
	if track.Val, err = gen(ids[nTrain : nTrain+nVal]); err != nil {
		return nil, nil, err
	}
	track.TrainCounts = counts(track.Train.Labels, k)
	fp.AddString("twin", fmt.Sprintf("v1 %+v", TrackOptions{Rule: o.Rule, Frames: o.Frames, E: o.E, Seed: o.Seed, D: o.D, NTrain: nTrain, NVal: nVal, Difficulty: o.Difficulty}))
	fp.AddString("encoder", enc.String())
	track.Fingerprint = fp.Sum()
	track.Notes = []string{
		fmt.Sprintf("synthetic BaboonLand twin (seed %d, difficulty %.2f, noise sigma %.2f): BaboonLand's 13 classes and %d real clip ids and descriptions (ARTEMIS's baboonland_summary.csv), with INVENTED frame labels and planted video/image features: not real data", o.Seed, o.Difficulty, sigma, nTrain+nVal),
		"clip labels: " + RuleText(o.Rule, o.Frames),
		"description embedding S: " + enc.String() + " of the real summary (TF-IDF + LSA fitted on the twin's train summaries, an offline stand-in for CLIP's text encoder) plus the planted behaviour directions",
	}
	return track, all, nil
}

// RuleText says what a labelling rule is, for records' notes.
func RuleText(rule string, t int) string {
	if rule == RuleUnion {
		return fmt.Sprintf("rule %q: the union of the labels of all frames of the clip", rule)
	}
	return fmt.Sprintf("rule %q: the OR of the labels of the %d sampled frames, as the authors' follow-up code (artemis2 datasets.py:300-301)", rule, t)
}

// twinClip draws a clip of 16..64 frames in 1..3 behaviour segments.
func twinClip(r *rand.Rand, id string) Clip {
	n := 16 + r.IntN(49)
	segs := 1
	if u := r.Float64(); u > 0.95 {
		segs = 3
	} else if u > 0.7 {
		segs = 2
	}
	cuts := []int{0}
	for s := 1; s < segs; s++ {
		cuts = append(cuts, 1+r.IntN(n-1))
	}
	sort.Ints(cuts)
	cuts = append(cuts, n)
	c := Clip{ID: id, Frames: make([]Frame, n)}
	prev := -1
	for s := 0; s < segs; s++ {
		l := weighted(r, twinWeights)
		for l == prev {
			l = weighted(r, twinWeights)
		}
		prev = l
		for f := cuts[s]; f < cuts[s+1]; f++ {
			c.Frames[f] = Frame{ID: f + 1, Path: fmt.Sprintf("%s/%d.jpg", id, f+1), Labels: []int{l}}
		}
	}
	return c
}

// LoadText builds the real text track: the official label files' clips,
// labelled by o.Rule, with their real descriptions embedded by the offline
// text encoder (fitted on the train descriptions, width o.E), and class
// queries from the class names. There are no visual inputs (Video and Image
// nil): ARTEMIS runs text-only. Clips without a description are left out
// and counted in the notes.
func LoadText(o TrackOptions) (*data.AKTrack, error) {
	o.defaults()
	var fp data.Fingerprinter
	sums, sumPath, err := readSummaries(o.Root, &fp)
	if err != nil {
		return nil, err
	}
	k := len(Classes)
	t := &data.AKTrack{Name: "baboonland-text", Source: "real", Classes: append([]string(nil), Classes...), E: o.E}
	var texts [2][]string
	var missing [2]int
	for si, file := range []string{TrainFile, ValFile} {
		p := filepath.Join(o.Root, Dir, file)
		clips, err := ReadFile(p, k, &fp)
		if err != nil {
			return nil, err
		}
		s := &t.Train
		if si == 1 {
			s = &t.Val
		}
		for _, c := range clips {
			txt, ok := sums[c.ID]
			if !ok {
				missing[si]++
				continue
			}
			labels, err := c.Labels(o.Rule, o.Frames)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			s.IDs = append(s.IDs, c.ID)
			s.Labels = append(s.Labels, labels)
			texts[si] = append(texts[si], txt)
		}
		if s.Len() == 0 {
			return nil, fmt.Errorf("%s: none of its %d clips has a description in %s (clip names are the folders of the frame paths)", p, len(clips), sumPath)
		}
	}
	enc, err := textenc.Fit(texts[0], o.E)
	if err != nil {
		return nil, fmt.Errorf("baboonland.LoadText: fitting the text encoder: %w", err)
	}
	t.Train.Desc = enc.EncodeAll(texts[0])
	t.Val.Desc = enc.EncodeAll(texts[1])
	t.LabelEmb = enc.EncodeAll(Classes)
	t.TrainCounts = counts(t.Train.Labels, k)
	fp.AddString("options", fmt.Sprintf("rule=%s frames=%d dim=%d", o.Rule, o.Frames, o.E))
	fp.AddString("encoder", enc.String())
	t.Fingerprint = fp.Sum()
	t.Notes = []string{
		fmt.Sprintf("real BaboonLand labels (%s, %s) and real descriptions: %d train, %d val clips", TrainFile, ValFile, t.Train.Len(), t.Val.Len()),
		"clip labels: " + RuleText(o.Rule, o.Frames),
		"text embeddings: " + enc.String() + " (TF-IDF + LSA fitted on the train descriptions: an offline stand-in for CLIP's text encoder); no video features: the model runs text-only",
	}
	if missing[0]+missing[1] > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("left out for lack of a description in %s: %d train, %d val clips", SummariesFile, missing[0], missing[1]))
	}
	return t, nil
}

func counts(labels [][]int, k int) []int {
	c := make([]int, k)
	for _, ls := range labels {
		for _, l := range ls {
			c[l]++
		}
	}
	return c
}

func unit(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	normalize(v)
	return v
}

func normalize(v []float64) {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	if s == 0 {
		return
	}
	s = 1 / math.Sqrt(s)
	for i := range v {
		v[i] *= s
	}
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func weighted(r *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := r.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}
