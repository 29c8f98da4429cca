package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/data/npy"
	"github.com/actrepro/actrepro/internal/data/textenc"
)

// AKSplit is one split of an Animal Kingdom track, clip i in every slice.
type AKSplit struct {
	IDs    []string
	Video  [][]float32 // per clip, T*D row-major video tokens; nil on the text track
	Image  [][]float32 // per clip averaged frame image embedding F [E]; nil on the text track
	Desc   [][]float32 // per clip description embedding S [E]
	Labels [][]int     // per clip class indices (multi-label)
}

// Len is the number of clips.
func (s *AKSplit) Len() int { return len(s.IDs) }

// MultiHot returns the [N][K] 0/1 target matrix of the split.
func (s *AKSplit) MultiHot(k int) [][]float32 {
	out := make([][]float32, len(s.Labels))
	for i, ls := range s.Labels {
		out[i] = make([]float32, k)
		for _, l := range ls {
			out[i][l] = 1
		}
	}
	return out
}

// AKTrack is an Animal Kingdom dataset ready for a model: embeddings,
// targets and class queries.
type AKTrack struct {
	Name        string      // "synthetic" or "ak-text"
	Source      string      // "synthetic" or "real"
	Classes     []string    // K class names
	LabelEmb    [][]float32 // [K][E] class-name embeddings (initial class queries)
	T, D, E     int         // video tokens, video width, text/image width
	Train, Val  AKSplit
	TrainCounts []int // per-class positives in Train (head >500, middle 100..500, tail <100 at full scale)
	Fingerprint string
	Notes       []string // provenance a results record should carry (encoder, subsampling...)
}

// K is the number of classes.
func (t *AKTrack) K() int { return len(t.Classes) }

// Segments is the head/middle/tail segment of each class from TrainCounts.
func (t *AKTrack) Segments() []string { return Segments(t.TrainCounts) }

// AKLabelStats are the label statistics a synthetic twin imitates.
type AKLabelStats struct {
	ClassCounts []int // positives per class in the source split (its length is K)
	Cardinality []int // Cardinality[n-1] = number of clips with n labels
}

// AKBuiltinStats are the statistics of the real Animal Kingdom
// train_light.csv (24,004 clips, 140 classes), computed from the file by
// AKStatsFromClips; used when no data root is available.
var AKBuiltinStats = AKLabelStats{
	ClassCounts: []int{3, 513, 3293, 98, 6, 201, 8, 314, 471, 55, 208, 26, 44, 444, 69, 3240, 226, 2, 7, 27,
		12, 74, 92, 3, 2, 120, 369, 417, 85, 25, 22, 13, 401, 51, 2, 14, 8, 60, 794, 154,
		3120, 42, 28, 11, 49, 386, 149, 387, 1092, 309, 3, 228, 1616, 5, 3, 8, 4, 26, 343, 31,
		3, 10, 79, 10, 33, 110, 24, 915, 6264, 839, 1, 16, 7, 35, 72, 51, 96, 2, 2503, 3,
		172, 44, 19, 9, 111, 14, 3, 38, 7, 1, 1298, 32, 16, 3, 37, 19, 141, 413, 15, 121,
		742, 43, 7659, 371, 1619, 212, 26, 18, 129, 13, 80, 2, 201, 1, 234, 32, 266, 45, 278, 5,
		217, 75, 21, 1294, 1, 2, 9, 13, 520, 2, 7, 2, 76, 3958, 1, 319, 6, 6, 10, 59},
	Cardinality: []int{10878, 6553, 2958, 1544, 968, 408, 281, 171, 148, 72, 12, 11},
}

// AKStatsFromClips computes label statistics of clips over k classes.
func AKStatsFromClips(clips []AKClip, k int) AKLabelStats {
	s := AKLabelStats{ClassCounts: LabelCounts(clips, k)}
	for _, c := range clips {
		n := len(c.Labels)
		for len(s.Cardinality) < n {
			s.Cardinality = append(s.Cardinality, 0)
		}
		if n > 0 {
			s.Cardinality[n-1]++
		}
	}
	return s
}

// classFreqs returns k class weights following stats: the counts themselves
// when k matches, else the sorted counts resampled to k points and assigned
// to classes in a seeded random order (a long tail of the same shape).
func (s AKLabelStats) classFreqs(k int, r *rand.Rand) []float64 {
	w := make([]float64, k)
	if len(s.ClassCounts) == k {
		for i, c := range s.ClassCounts {
			w[i] = float64(c) + 0.5 // every class can appear
		}
		return w
	}
	sorted := append([]int(nil), s.ClassCounts...)
	sort.Sort(sort.Reverse(sort.IntSlice(sorted)))
	perm := r.Perm(k)
	for i := 0; i < k; i++ {
		x := 0.0
		if k > 1 {
			x = float64(i) * float64(len(sorted)-1) / float64(k-1)
		}
		lo := int(x)
		hi := min(lo+1, len(sorted)-1)
		f := x - float64(lo)
		w[perm[i]] = (1-f)*float64(sorted[lo]) + f*float64(sorted[hi]) + 0.5
	}
	return w
}

// SynthAKOptions configure SynthAK. Zero values take the defaults noted.
type SynthAKOptions struct {
	Seed         int64
	NTrain, NVal int // clips per split (default 1024 / 256; the real split is 24,004 / 6,096)
	K            int // classes (default 140)
	T, D, E      int // video tokens (default 8), video width (64), text/image width (64)
	// Difficulty in [0,1] scales the per-dimension noise sigma = 0.1 + 1.4*Difficulty
	// around unit-norm class signals: 0 is nearly separable, 1 is hard but learnable.
	Difficulty float64
	LabelStats *AKLabelStats // label statistics to imitate (default AKBuiltinStats)
}

func (o *SynthAKOptions) defaults() {
	if o.NTrain <= 0 {
		o.NTrain = 1024
	}
	if o.NVal <= 0 {
		o.NVal = 256
	}
	if o.K <= 0 {
		o.K = 140
	}
	if o.T <= 0 {
		o.T = 8
	}
	if o.D <= 0 {
		o.D = 64
	}
	if o.E <= 0 {
		o.E = 64
	}
}

// SynthAK generates a seeded in-memory Animal Kingdom twin with a planted,
// learnable signal. Each class k has a random unit direction in the video
// space (u_k in R^D), one in the text space (w_k in R^E, also its label
// embedding, so class queries start aligned with the text signal) and an
// image direction close to w_k (CLIP-like shared space). A clip's labels
// follow the long-tailed class frequencies and multi-label cardinalities of
// LabelStats; its video token t is sum_k b_k(t) u_k + noise with a Gaussian
// temporal bump b_k around a random centre, its description
// S = sum_k w_k + noise and its image F = sum_k v_k + noise. Same options,
// same values.
func SynthAK(o SynthAKOptions) (*AKTrack, error) {
	o.defaults()
	if o.Difficulty < 0 || o.Difficulty > 1 || math.IsNaN(o.Difficulty) {
		return nil, fmt.Errorf("SynthAK: Difficulty %v outside [0,1]", o.Difficulty)
	}
	stats := AKBuiltinStats
	if o.LabelStats != nil {
		stats = *o.LabelStats
	}
	if len(stats.ClassCounts) == 0 || len(stats.Cardinality) == 0 {
		return nil, fmt.Errorf("SynthAK: LabelStats needs ClassCounts and Cardinality")
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x5EED_A11A))
	freq := stats.classFreqs(o.K, r)
	card := make([]float64, len(stats.Cardinality))
	for i, c := range stats.Cardinality {
		card[i] = float64(c)
	}
	sigma := 0.1 + 1.4*o.Difficulty

	videoDir := make([][]float64, o.K)
	textDir := make([][]float64, o.K)
	imageDir := make([][]float64, o.K)
	track := &AKTrack{Name: "synthetic", Source: "synthetic", T: o.T, D: o.D, E: o.E}
	for k := 0; k < o.K; k++ {
		videoDir[k] = unitGauss(r, o.D)
		textDir[k] = unitGauss(r, o.E)
		imageDir[k] = make([]float64, o.E)
		noise := unitGauss(r, o.E)
		for j := range imageDir[k] {
			imageDir[k][j] = textDir[k][j] + 0.5*noise[j]
		}
		normalize(imageDir[k])
		track.Classes = append(track.Classes, fmt.Sprintf("synthetic action %03d", k))
		track.LabelEmb = append(track.LabelEmb, toF32(textDir[k]))
	}
	gen := func(prefix string, n int) AKSplit {
		var s AKSplit
		for i := 0; i < n; i++ {
			nl := min(1+weighted(r, card), o.K)
			labels := sampleWithout(r, freq, nl)
			s.IDs = append(s.IDs, fmt.Sprintf("%s%06d", prefix, i))
			s.Labels = append(s.Labels, labels)
			video := make([]float32, o.T*o.D)
			desc := make([]float64, o.E)
			img := make([]float64, o.E)
			for _, k := range labels {
				centre := r.Float64() * float64(o.T-1)
				width := 1 + r.Float64()*float64(o.T)/2
				for t := 0; t < o.T; t++ {
					dt := (float64(t) - centre) / width
					b := math.Exp(-0.5 * dt * dt)
					for j := 0; j < o.D; j++ {
						video[t*o.D+j] += float32(b * videoDir[k][j])
					}
				}
				for j := 0; j < o.E; j++ {
					desc[j] += textDir[k][j]
					img[j] += imageDir[k][j]
				}
			}
			for j := range video {
				video[j] += float32(sigma * r.NormFloat64())
			}
			for j := 0; j < o.E; j++ {
				desc[j] += sigma * r.NormFloat64()
				img[j] += sigma * r.NormFloat64()
			}
			normalize(desc) // like CLIP embeddings, unit length
			normalize(img)
			s.Video = append(s.Video, video)
			s.Desc = append(s.Desc, toF32(desc))
			s.Image = append(s.Image, toF32(img))
		}
		return s
	}
	track.Train = gen("SYNTR", o.NTrain)
	track.Val = gen("SYNVA", o.NVal)
	track.TrainCounts = LabelCounts(splitClips(track.Train), o.K)
	var fp Fingerprinter
	fp.AddString("SynthAK", fmt.Sprintf("v1 %+v stats=%v/%v", o, stats.ClassCounts, stats.Cardinality))
	track.Fingerprint = fp.Sum()
	track.Notes = []string{fmt.Sprintf("synthetic Animal Kingdom twin (seed %d, difficulty %.2f, noise sigma %.2f): not real data", o.Seed, o.Difficulty, sigma)}
	return track, nil
}

func splitClips(s AKSplit) []AKClip {
	c := make([]AKClip, len(s.IDs))
	for i := range s.IDs {
		c[i] = AKClip{ID: s.IDs[i], Labels: s.Labels[i]}
	}
	return c
}

func unitGauss(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	normalize(v)
	return v
}

func normalize(v []float64) {
	var s float64
	for _, x := range v {
		s += x * x
	}
	if s == 0 {
		return
	}
	s = math.Sqrt(s)
	for i := range v {
		v[i] /= s
	}
}

func toF32(v []float64) []float32 {
	o := make([]float32, len(v))
	for i, x := range v {
		o[i] = float32(x)
	}
	return o
}

// weighted draws an index with probability proportional to w.
func weighted(r *rand.Rand, w []float64) int {
	var s float64
	for _, x := range w {
		s += x
	}
	u := r.Float64() * s
	for i, x := range w {
		u -= x
		if u < 0 {
			return i
		}
	}
	return len(w) - 1
}

// sampleWithout draws n distinct indices, each draw proportional to w among
// those not yet drawn; returned sorted.
func sampleWithout(r *rand.Rand, w []float64, n int) []int {
	ww := append([]float64(nil), w...)
	out := make([]int, 0, n)
	for len(out) < n {
		i := weighted(r, ww)
		ww[i] = 0
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// Label texts of the text track's class queries.
const (
	LabelTextName            = "name"             // the class name (CLIP-style prompt-free)
	LabelTextDescription     = "description"      // the LLM-written class description
	LabelTextNameDescription = "name+description" // mean of both embeddings, renormalised
)

// AKTextOptions configure LoadAKText.
type AKTextOptions struct {
	Dim       int    // embedding width (default textenc.DefaultDim = 512)
	LabelText string // LabelTextName (default), LabelTextDescription or LabelTextNameDescription
	// MaxTrain / MaxVal > 0 keep a seeded random subset of that many clips (in
	// file order), for smoke runs; 0 keeps the whole real split.
	MaxTrain, MaxVal int
	Seed             int64
	// ClipDir, when set, holds real CLIP embeddings a user computed:
	// desc_train.npy [Ntrain,E] and desc_val.npy [Nval,E] (rows in the order of
	// train_light.csv / val_light.csv) and labels.npy [K,E]. They replace the
	// offline encoder.
	ClipDir string
	// Eval names the evaluated split: "" or "val" is val_light.csv (train on
	// train_light.csv); "fold0" ... "fold4" hold out the clips of
	// <i>_light.csv, a cross-validation fold of the TRAIN split, and train
	// on the other train clips (for choosing hyper-parameters or epochs
	// without looking at val). The encoder is fitted on the training part.
	Eval string
}

// holdOutFold splits train into (train minus fold, fold) for o.Eval
// "fold<i>"; ok is false for the official split.
func holdOutFold(ak *AnimalKingdom, eval string) (train, held []AKClip, ok bool, err error) {
	if eval == "" || eval == "val" {
		return nil, nil, false, nil
	}
	var f int
	if _, err := fmt.Sscanf(eval, "fold%d", &f); err != nil || f < 0 || f >= AKNumFolds || eval != fmt.Sprintf("fold%d", f) {
		return nil, nil, false, fmt.Errorf("LoadAKText: Eval %q, want \"val\" or \"fold0\" ... \"fold%d\"", eval, AKNumFolds-1)
	}
	if len(ak.Folds) <= f {
		return nil, nil, false, fmt.Errorf("LoadAKText: Eval %q needs %d_light.csv in the data root", eval, f)
	}
	in := map[string]bool{}
	for _, c := range ak.Folds[f] {
		in[c.ID] = true
	}
	for _, c := range ak.Train {
		if in[c.ID] {
			held = append(held, c)
		} else {
			train = append(train, c)
		}
	}
	if len(held) == 0 {
		return nil, nil, false, fmt.Errorf("LoadAKText: fold %d shares no clip with %s", f, AKTrainFile)
	}
	return train, held, true, nil
}

// LoadAKText builds the Animal Kingdom text track from the real files under
// root/animalkingdom: the generated description of each clip, the real
// multi-label targets of the official 24,004 / 6,096 split, and class
// queries from the class names (or descriptions). Texts are embedded by the
// offline encoder of package textenc, fitted on the train descriptions only,
// or taken from real CLIP embeddings in o.ClipDir.
func LoadAKText(root string, o AKTextOptions) (*AKTrack, error) {
	if root == "" {
		return nil, fmt.Errorf("LoadAKText: no data root (set --data-root or $%s)", EnvDataRoot)
	}
	if o.Dim <= 0 {
		o.Dim = textenc.DefaultDim
	}
	if o.LabelText == "" {
		o.LabelText = LabelTextName
	}
	switch o.LabelText {
	case LabelTextName, LabelTextDescription, LabelTextNameDescription:
	default:
		return nil, fmt.Errorf("LoadAKText: LabelText %q, want %q, %q or %q", o.LabelText, LabelTextName, LabelTextDescription, LabelTextNameDescription)
	}
	dir := filepath.Join(root, AKDir)
	ak, err := LoadAnimalKingdom(dir)
	if err != nil {
		return nil, err
	}
	if ak.Summaries == nil {
		return nil, fmt.Errorf("LoadAKText: %s is missing", filepath.Join(dir, AKSummariesFile))
	}
	if o.LabelText != LabelTextName && ak.ClassDescriptions == nil {
		return nil, fmt.Errorf("LoadAKText: LabelText %q needs %s", o.LabelText, filepath.Join(dir, AKClassDescriptionsFile))
	}
	trainClips, valClips, valFile := ak.Train, ak.Val, AKValFile
	if tr, held, ok, err := holdOutFold(ak, o.Eval); err != nil {
		return nil, err
	} else if ok {
		trainClips, valClips, valFile = tr, held, o.Eval[len("fold"):]+"_light.csv"
	}
	trainIdx := subsetIndex(len(trainClips), o.MaxTrain, o.Seed)
	valIdx := subsetIndex(len(valClips), o.MaxVal, o.Seed+1)
	split := func(clips []AKClip, idx []int, file string) (AKSplit, []string, error) {
		var s AKSplit
		var texts []string
		for _, i := range idx {
			c := clips[i]
			txt, ok := ak.Summaries[c.ID]
			if !ok {
				return s, nil, fmt.Errorf("%s: clip %q of %s has no summary", filepath.Join(dir, AKSummariesFile), c.ID, file)
			}
			s.IDs = append(s.IDs, c.ID)
			s.Labels = append(s.Labels, c.Labels)
			texts = append(texts, txt)
		}
		return s, texts, nil
	}
	train, trainTexts, err := split(trainClips, trainIdx, AKTrainFile)
	if err != nil {
		return nil, err
	}
	val, valTexts, err := split(valClips, valIdx, valFile)
	if err != nil {
		return nil, err
	}
	t := &AKTrack{Name: "ak-text", Source: "real", Classes: ak.Classes, Train: train, Val: val}
	t.TrainCounts = LabelCounts(splitClips(train), len(ak.Classes))
	var fp Fingerprinter
	fp.AddString("animalkingdom", ak.Fingerprint)
	fp.AddString("options", fmt.Sprintf("dim=%d label=%s maxtrain=%d maxval=%d seed=%d", o.Dim, o.LabelText, o.MaxTrain, o.MaxVal, o.Seed))
	if valFile != AKValFile {
		fp.AddString("eval", o.Eval)
		t.Notes = append(t.Notes, fmt.Sprintf("evaluated on the held-out TRAIN fold %s (%d clips), trained on the other %d train clips: not the val split", valFile, len(valClips), len(trainClips)))
		if o.ClipDir != "" {
			return nil, fmt.Errorf("LoadAKText: Eval %q with ClipDir is not supported (the .npy rows follow train/val order)", o.Eval)
		}
	}
	if o.ClipDir != "" {
		if err := loadClipEmbeddings(t, o.ClipDir, trainIdx, valIdx, len(ak.Train), len(ak.Val), &fp); err != nil {
			return nil, err
		}
		t.Notes = append(t.Notes, "text embeddings: real CLIP embeddings from "+o.ClipDir)
	} else {
		enc, err := textenc.Fit(trainTexts, o.Dim)
		if err != nil {
			return nil, fmt.Errorf("LoadAKText: fitting the text encoder on %s descriptions: %w", AKTrainFile, err)
		}
		t.Train.Desc = enc.EncodeAll(trainTexts)
		t.Val.Desc = enc.EncodeAll(valTexts)
		t.LabelEmb = labelEmbeddings(enc, ak, o.LabelText)
		t.E = o.Dim
		fp.AddString("encoder", enc.String())
		t.Notes = append(t.Notes, "text embeddings: "+enc.String()+" (TF-IDF (1,2)-grams + LSA fitted on the train descriptions: an offline stand-in for CLIP's text encoder)")
	}
	if o.MaxTrain > 0 || o.MaxVal > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("subset of the real split: %d of %d train, %d of %d val clips (seed %d)", len(train.IDs), len(ak.Train), len(val.IDs), len(ak.Val), o.Seed))
	}
	t.Fingerprint = fp.Sum()
	return t, nil
}

func labelEmbeddings(enc *textenc.Encoder, ak *AnimalKingdom, mode string) [][]float32 {
	out := make([][]float32, len(ak.Classes))
	for k, name := range ak.Classes {
		switch mode {
		case LabelTextName:
			out[k] = enc.Encode(name)
		case LabelTextDescription:
			out[k] = enc.Encode(ak.ClassDescriptions[k])
		default:
			a, b := enc.Encode(name), enc.Encode(ak.ClassDescriptions[k])
			v := make([]float64, len(a))
			for j := range v {
				v[j] = float64(a[j]) + float64(b[j])
			}
			normalize(v)
			out[k] = toF32(v)
		}
	}
	return out
}

// subsetIndex returns 0..n-1, or a seeded random subset of max of them in
// increasing order when 0 < max < n.
func subsetIndex(n, max int, seed int64) []int {
	if max <= 0 || max >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0xA4_7E47))
	idx := r.Perm(n)[:max]
	sort.Ints(idx)
	return idx
}

func loadClipEmbeddings(t *AKTrack, dir string, trainIdx, valIdx []int, nTrain, nVal int, fp *Fingerprinter) error {
	load := func(name string, rows int) ([][]float32, error) {
		p := filepath.Join(dir, name)
		a, err := npy.ReadFile(p)
		if err != nil {
			return nil, err
		}
		fp.AddString(name, a.Fingerprint())
		m, err := a.Matrix32()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if rows > 0 && len(m) != rows {
			return nil, fmt.Errorf("%s: %d rows, want %d", p, len(m), rows)
		}
		return m, nil
	}
	tr, err := load("desc_train.npy", nTrain)
	if err != nil {
		return err
	}
	va, err := load("desc_val.npy", nVal)
	if err != nil {
		return err
	}
	lab, err := load("labels.npy", len(t.Classes))
	if err != nil {
		return err
	}
	e := len(lab[0])
	if len(tr[0]) != e || len(va[0]) != e {
		return fmt.Errorf("%s: embedding widths differ (train %d, val %d, labels %d)", dir, len(tr[0]), len(va[0]), e)
	}
	for _, i := range trainIdx {
		t.Train.Desc = append(t.Train.Desc, tr[i])
	}
	for _, i := range valIdx {
		t.Val.Desc = append(t.Val.Desc, va[i])
	}
	t.LabelEmb = lab
	t.E = e
	return nil
}
