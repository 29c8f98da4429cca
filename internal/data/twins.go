package data

// Synthetic twins of the real datasets, written in the real file formats
// (so that the readers of this package read them back) with the real
// datasets' shapes. Each writes SYNTHETIC.txt at its root saying so.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/data/npy"
)

// SynthMarker is the file every synthetic twin carries at its root.
const SynthMarker = "SYNTHETIC.txt"

func init() {
	RegisterSynth("animalkingdom", WriteSynthAnimalKingdom)
	RegisterSynth("baboonland", WriteSynthBaboonLand)
	RegisterSynth("ucf101", WriteSynthUCF101)
	RegisterSynth("thumos14", WriteSynthTHUMOS14)
	RegisterSynth("activitynet", WriteSynthActivityNet)
}

// twinWriter writes a twin's files into a temporary sibling directory that
// finish renames into place, so that a twin appears whole or not at all.
type twinWriter struct {
	final, dir string
	err        error
	n          int
}

func newTwinWriter(final string) *twinWriter {
	w := &twinWriter{final: final}
	if w.err = os.MkdirAll(filepath.Dir(final), 0o755); w.err == nil {
		w.dir, w.err = os.MkdirTemp(filepath.Dir(final), "."+filepath.Base(final)+".tmp*")
	}
	return w
}

func (w *twinWriter) write(rel string, b []byte) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if w.err = os.MkdirAll(filepath.Dir(p), 0o755); w.err == nil {
		w.err = os.WriteFile(p, b, 0o644)
	}
	w.n++
}

// finish moves the twin into place (replacing an older one) or, after an
// error, removes the temporary directory.
func (w *twinWriter) finish() error {
	if w.dir == "" {
		return w.err
	}
	if w.err != nil {
		os.RemoveAll(w.dir)
		return w.err
	}
	old := ""
	if _, err := os.Stat(w.final); err == nil {
		old = w.dir + ".old"
		if err := os.Rename(w.final, old); err != nil {
			os.RemoveAll(w.dir)
			return err
		}
	}
	if err := os.Rename(w.dir, w.final); err != nil {
		os.RemoveAll(w.dir)
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func (w *twinWriter) npy(rel string, shape []int, data []float32, descr string) {
	if w.err != nil {
		return
	}
	a, err := npy.NewFloat32(shape, data)
	if err != nil {
		w.err = err
		return
	}
	a.Descr = descr
	var b bytes.Buffer
	if w.err = npy.Write(&b, a); w.err == nil {
		w.write(rel, b.Bytes())
	}
}

func (w *twinWriter) marker(dataset string, o SynthOptions, extra string) {
	w.write(SynthMarker, []byte(fmt.Sprintf("SYNTHETIC %s twin written by actrepro (seed %d, scale %s, difficulty %.2f).\n"+
		"Not real data: same file formats and dataset shape, planted learnable signal.\n%s\n", dataset, o.Seed, o.Scale, o.Difficulty, extra)))
}

func csvBytes(rows [][]string, crlf bool) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.UseCRLF = crlf
	cw.WriteAll(rows)
	return b.Bytes()
}

func joinInts(l []int) string {
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// noiseSigma maps a difficulty in [0,1] to the per-dimension noise of
// planted features (as SynthAK).
func noiseSigma(d float64) float64 { return 0.1 + 1.4*d }

// pseudoWords returns n distinct pronounceable words (class keywords of a
// synthetic text track).
func pseudoWords(r *rand.Rand, n int) []string {
	cons, vows := "bdfgklmnprstvz", "aeiou"
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var sb strings.Builder
		for s := 0; s < 3; s++ {
			sb.WriteByte(cons[r.IntN(len(cons))])
			sb.WriteByte(vows[r.IntN(len(vows))])
		}
		w := sb.String()
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

var twinScenes = []string{"near the river", "on the grass", "in the forest", "on a rock", "at night", "in the water", "under a tree", "in the snow"}

// twinSentence writes a description mentioning each true class's keyword
// with probability 1-0.6*difficulty and a distractor keyword with
// probability 0.3*difficulty.
func twinSentence(r *rand.Rand, subject string, labels []int, words []string, difficulty float64) string {
	var ws []string
	for _, l := range labels {
		if r.Float64() < 1-0.6*difficulty {
			ws = append(ws, words[l])
		}
	}
	if r.Float64() < 0.3*difficulty {
		ws = append(ws, words[r.IntN(len(words))])
	}
	if len(ws) == 0 {
		ws = append(ws, "moving")
	}
	return fmt.Sprintf("The %s is %s %s.", subject, strings.Join(ws, " and "), twinScenes[r.IntN(len(twinScenes))])
}

// WriteSynthAnimalKingdom writes an Animal Kingdom twin: classes.csv,
// class_descriptions.csv, train_light.csv, val_light.csv, the 5 folds,
// summaries.csv (descriptions carrying class keywords), features/<id>.npy
// video tokens [T, D] (float16) and clip/{desc_train,desc_val,labels}.npy
// embeddings that LoadAKText accepts as AKTextOptions.ClipDir. Labels
// follow the real label statistics (from the data root when present, else
// AKBuiltinStats). Full scale has the real 24,004 / 6,096 clips.
func WriteSynthAnimalKingdom(dir string, o SynthOptions) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	stats := AKBuiltinStats
	statsFrom := "built-in statistics of the real train_light.csv"
	if o.DataRoot != "" {
		if ak, err := LoadAnimalKingdom(filepath.Join(o.DataRoot, AKDir)); err == nil {
			stats = AKStatsFromClips(ak.Train, len(ak.Classes))
			statsFrom = "statistics of " + filepath.Join(o.DataRoot, AKDir, AKTrainFile) + " (" + ak.Fingerprint + ")"
		}
	}
	nTrain, nVal, t, d, e := 600, 150, 8, 32, 64
	if o.Scale == ScaleFull {
		nTrain, nVal = 24004, 6096
	}
	track, err := SynthAK(SynthAKOptions{Seed: o.Seed, NTrain: nTrain, NVal: nVal, K: len(stats.ClassCounts), T: t, D: d, E: e, Difficulty: o.Difficulty, LabelStats: &stats})
	if err != nil {
		return "", err
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x7E47))
	words := pseudoWords(r, track.K())
	w := newTwinWriter(filepath.Join(dir, AKDir))
	classes := [][]string{{"id", "name"}}
	descs := [][]string{}
	for k, word := range words {
		name := strings.ToUpper(word[:1]) + word[1:]
		classes = append(classes, []string{strconv.Itoa(k), name})
		descs = append(descs, []string{name, fmt.Sprintf("%s is a synthetic behaviour: an animal that is %s shows it, for instance while %s.", name, word, twinScenes[k%len(twinScenes)][3:])})
	}
	w.write(AKClassesFile, csvBytes(classes, true))
	w.write(AKClassDescriptionsFile, csvBytes(descs, false))
	summaries := [][]string{{"video", "summary"}}
	split := func(file string, s AKSplit) {
		var b strings.Builder
		b.WriteString("video_id;labels\n")
		for i, id := range s.IDs {
			fmt.Fprintf(&b, "%s;%s\n", id, joinInts(s.Labels[i]))
			summaries = append(summaries, []string{id, twinSentence(r, "animal", s.Labels[i], words, o.Difficulty)})
			w.npy("features/"+id+".npy", []int{t, d}, s.Video[i], "<f2")
		}
		w.write(file, []byte(b.String()))
	}
	split(AKTrainFile, track.Train)
	split(AKValFile, track.Val)
	for f := 0; f < AKNumFolds; f++ {
		rows := [][]string{{"video_id", "labels"}}
		for i := f; i < len(track.Train.IDs); i += AKNumFolds {
			rows = append(rows, []string{track.Train.IDs[i], joinInts(track.Train.Labels[i])})
		}
		w.write(fmt.Sprintf("%d_light.csv", f), csvBytes(rows, false))
	}
	w.write(AKSummariesFile, csvBytes(summaries, false))
	flat := func(m [][]float32) []float32 {
		var out []float32
		for _, r := range m {
			out = append(out, r...)
		}
		return out
	}
	w.npy("clip/desc_train.npy", []int{nTrain, e}, flat(track.Train.Desc), "<f4")
	w.npy("clip/desc_val.npy", []int{nVal, e}, flat(track.Val.Desc), "<f4")
	w.npy("clip/labels.npy", []int{track.K(), e}, flat(track.LabelEmb), "<f4")
	w.marker("Animal Kingdom", o, "Labels follow "+statsFrom+".")
	if err := w.finish(); err != nil {
		return "", err
	}
	return fmt.Sprintf("animalkingdom twin: %d train / %d val clips, %d classes, %d files", nTrain, nVal, track.K(), w.n), nil
}

// baboonWeights are invented relative frequencies of the 13 BaboonLand
// behaviours (the real per-class counts are not in the data root):
// locomotion and resting dominate, as in the BaboonLand paper's figure.
var baboonWeights = []float64{30, 28, 3, 6, 4, 4, 2, 5, 12, 2, 1, 2, 3}

// WriteSynthBaboonLand writes a BaboonLand twin: Charades-style train.csv and
// val.csv (one label per frame; a clip's target is the union) and
// summaries.csv. Full scale splits the 22,272 real summary ids 75/25
// (the real split sizes are not in the data root).
func WriteSynthBaboonLand(dir string, o SynthOptions) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	nTrain, nVal := 300, 100
	if o.Scale == ScaleFull {
		nTrain, nVal = 16704, 5568
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0xBAB0))
	words := make([]string, len(BaboonClasses))
	for i, c := range BaboonClasses {
		words[i] = strings.ToLower(strings.Split(c, "/")[0])
	}
	w := newTwinWriter(filepath.Join(dir, BaboonDir))
	summaries := [][]string{{"video", "summary"}}
	vid := 0
	split := func(file string, n int) {
		var b strings.Builder
		b.WriteString("video_id clip frame path label\n")
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("B%04d.%d", vid/10, vid%10)
			nl := 1
			if r.Float64() < 0.3 {
				nl = 2
			}
			labels := sampleWithout(r, baboonWeights, nl)
			frames := 8 + r.IntN(9)
			for f := 0; f < frames; f++ {
				l := labels[min(f*len(labels)/frames, len(labels)-1)]
				fmt.Fprintf(&b, "%s %d %d %s/%06d.jpg %d\n", id, vid, f, id, f, l)
			}
			summaries = append(summaries, []string{id, twinSentence(r, "baboon", labels, words, o.Difficulty)})
			vid++
		}
		w.write(file, []byte(b.String()))
	}
	split(BaboonTrainFile, nTrain)
	split(BaboonValFile, nVal)
	w.write(BaboonSummariesFile, csvBytes(summaries, false))
	w.marker("BaboonLand", o, "Class frequencies are invented (baboonWeights); split sizes are 75/25 of the 22,272 real summary ids.")
	if err := w.finish(); err != nil {
		return "", err
	}
	return fmt.Sprintf("baboonland twin: %d train / %d val clips, 13 classes", nTrain, nVal), nil
}

// WriteSynthUCF101 writes a UCF101 twin: classInd.txt and the 3 official
// splits' lists (CRLF line ends; test groups 1-7, 8-14, 15-21 as the
// official splits), with the HandstandPushups file-name quirk when that
// class name is used, and features/<Class>/<file>.npy [16, 32] (float16)
// with a class direction plus noise. Class names come from the data root's
// classInd.txt when present, else SynthClass001..101.
func WriteSynthUCF101(dir string, o SynthOptions) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	classes := make([]string, 101)
	for i := range classes {
		classes[i] = fmt.Sprintf("SynthClass%03d", i+1)
	}
	if o.DataRoot != "" {
		if u, err := LoadUCF101(filepath.Join(o.DataRoot, UCF101Dir)); err == nil && len(u.Classes) == 101 {
			classes = u.Classes
		}
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x0C101))
	const groups, t, c = 25, 16, 32
	sigma := noiseSigma(o.Difficulty)
	w := newTwinWriter(filepath.Join(dir, UCF101Dir))
	var ind strings.Builder
	type vid struct {
		path  string
		class int
		group int
	}
	var vids []vid
	for k, name := range classes {
		fmt.Fprintf(&ind, "%d %s\r\n", k+1, name)
		fileName := name
		if name == "HandstandPushups" {
			fileName = "HandStandPushups" // the official quirk
		}
		dirn := unitGauss(r, c)
		for g := 1; g <= groups; g++ {
			clips := 1
			if o.Scale == ScaleFull {
				clips = 4 + r.IntN(3) // 4..6 clips per group: about 13,000 videos
			}
			for ci := 1; ci <= clips; ci++ {
				p := fmt.Sprintf("%s/v_%s_g%02d_c%02d.avi", name, fileName, g, ci)
				vids = append(vids, vid{p, k, g})
				feat := make([]float32, t*c)
				for i := range feat {
					feat[i] = float32(dirn[i%c] + sigma*r.NormFloat64())
				}
				w.npy("features/"+strings.TrimSuffix(p, ".avi")+".npy", []int{t, c}, feat, "<f2")
			}
		}
	}
	w.write(UCF101ClassFile, []byte(ind.String()))
	for s := 1; s <= UCF101NumSplits; s++ {
		var tr, te strings.Builder
		for _, v := range vids {
			if v.group > 7*(s-1) && v.group <= 7*s {
				fmt.Fprintf(&te, "%s\r\n", v.path)
			} else {
				fmt.Fprintf(&tr, "%s %d\r\n", v.path, v.class+1)
			}
		}
		w.write(fmt.Sprintf("trainlist%02d.txt", s), []byte(tr.String()))
		w.write(fmt.Sprintf("testlist%02d.txt", s), []byte(te.String()))
	}
	w.marker("UCF101", o, "No videos: lists and features only.")
	if err := w.finish(); err != nil {
		return "", err
	}
	return fmt.Sprintf("ucf101 twin: %d videos, 101 classes, 3 splits", len(vids)), nil
}

// THUMOSClasses are THUMOS14's 20 detection classes and their UCF101
// indices (Class_Index_Detection.txt).
var THUMOSClasses = []ClassIndex{
	{7, "BaseballPitch"}, {9, "BasketballDunk"}, {12, "Billiards"}, {21, "CleanAndJerk"}, {22, "CliffDiving"},
	{23, "CricketBowling"}, {24, "CricketShot"}, {26, "Diving"}, {31, "FrisbeeCatch"}, {33, "GolfSwing"},
	{36, "HammerThrow"}, {40, "HighJump"}, {45, "JavelinThrow"}, {51, "LongJump"}, {68, "PoleVault"},
	{79, "Shotput"}, {85, "SoccerPenalty"}, {92, "TennisSwing"}, {93, "ThrowDiscus"}, {97, "VolleyballSpiking"},
}

// detTemplate is the temporal structure of one real (or built-in) video.
type detTemplate struct {
	duration float64
	lengths  []float64
}

// thumosTemplates returns per-subset templates from the real thumos14.json
// when the data root has it.
func thumosTemplates(root string) (map[string][]detTemplate, string) {
	if root == "" {
		return nil, ""
	}
	p := filepath.Join(root, THUMOSDir, THUMOSActionFormer)
	d, err := ReadDetectionJSON(p, nil)
	if err != nil {
		return nil, ""
	}
	out := map[string][]detTemplate{}
	for _, v := range d.Videos {
		t := detTemplate{duration: v.Duration}
		for _, s := range v.Segments {
			t.lengths = append(t.lengths, s.End-s.Start)
		}
		if t.duration > 0 && len(t.lengths) > 0 {
			out[v.Subset] = append(out[v.Subset], t)
		}
	}
	return out, p + " (" + d.Fingerprint + ")"
}

func lognormal(r *rand.Rand, median, sigma, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, median*math.Exp(sigma*r.NormFloat64())))
}

// placeSegments places segments of the given lengths in [0, duration) in a
// random order with random gaps, without overlap; lengths that do not fit
// are shortened.
func placeSegments(r *rand.Rand, duration float64, lengths []float64) [][2]float64 {
	total := 0.0
	for _, l := range lengths {
		total += l
	}
	scale := 1.0
	if total > 0.9*duration {
		scale = 0.9 * duration / total
		total = 0.9 * duration
	}
	gaps := make([]float64, len(lengths)+1)
	gs := 0.0
	for i := range gaps {
		gaps[i] = r.ExpFloat64()
		gs += gaps[i]
	}
	free := duration - total
	out := make([][2]float64, len(lengths))
	t := 0.0
	for i, l := range lengths {
		t += gaps[i] / gs * free
		s := math.Round(t*10) / 10
		e := math.Round((t+l*scale)*10) / 10
		if e <= s {
			e = s + 0.1
		}
		out[i] = [2]float64{s, math.Min(e, duration)}
		t += l * scale
	}
	return out
}

// detFeatures renders [T, C] features at stepSec per step: noise
// everywhere plus, inside each segment, a bump along its class direction.
func detFeatures(r *rand.Rand, t int, stepSec float64, c int, segs [][2]float64, labels []int, dirs [][]float64, sigma float64) []float32 {
	f := make([]float32, t*c)
	for i := range f {
		f[i] = float32(sigma * r.NormFloat64())
	}
	for si, s := range segs {
		a, b := int(s[0]/stepSec), int(math.Ceil(s[1]/stepSec))
		for ti := a; ti < min(b, t); ti++ {
			for j := 0; j < c; j++ {
				f[ti*c+j] += float32(dirs[labels[si]][j])
			}
		}
	}
	return f
}

// WriteSynthTHUMOS14 writes a THUMOS14 twin: thumos14.json (ActionFormer
// schema), thumos_gt.json (AFSD, string segments), Class_Index_Detection.txt,
// {val,test}_Annotation{,_ours}.csv, {val,test}_video_info.csv,
// thumos14_test_groundtruth.csv (label-idx = index in THUMOSClasses) and
// features/<video>.npy [T, 32] (float16) at a stride of 4 frames of 30 fps
// (as I3D features). Durations, segment counts and segment lengths are
// drawn from the real thumos14.json videos when the data root has it, else
// from built-in log-normal fits. Full scale has the real 200 validation /
// 212 test videos; smoke has 6 / 6 short ones.
func WriteSynthTHUMOS14(dir string, o SynthOptions) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x7A05))
	templates, from := thumosTemplates(o.DataRoot)
	if from == "" {
		from = "built-in log-normal durations (median 180 s) and segment lengths (median 3.5 s)"
	}
	counts := map[string]int{"Validation": 6, "Test": 6}
	if o.Scale == ScaleFull {
		counts = map[string]int{"Validation": 200, "Test": 212}
	}
	const fps, stride, c = 30.0, 4, 32
	sigma := noiseSigma(o.Difficulty)
	dirs := make([][]float64, len(THUMOSClasses))
	for i := range dirs {
		dirs[i] = unitGauss(r, c)
	}
	type jseg struct {
		Label   string     `json:"label"`
		Segment [2]float64 `json:"segment"`
		Frames  [2]float64 `json:"segment(frames)"`
		LabelID int        `json:"label_id"`
	}
	type jvid struct {
		Subset      string  `json:"subset"`
		Duration    float64 `json:"duration"`
		FPS         float64 `json:"fps"`
		Annotations []jseg  `json:"annotations"`
	}
	type afsdSeg struct {
		Segment [2]string `json:"segment"`
		Label   string    `json:"label"`
	}
	type afsdVid struct {
		Subset      string    `json:"subset"`
		Annotations []afsdSeg `json:"annotations"`
	}
	db := map[string]jvid{}
	afsd := map[string]afsdVid{}
	w := newTwinWriter(filepath.Join(dir, THUMOSDir))
	ann := map[string][][]string{}
	info := map[string][][]string{}
	nSeg := 0
	for _, subset := range []string{"Validation", "Test"} {
		short := map[string]string{"Validation": "val", "Test": "test"}[subset]
		ann[short] = [][]string{{"video", "type", "type_idx", "start", "end", "startFrame", "endFrame"}}
		info[short] = [][]string{{"video", "fps", "sample_fps", "count", "sample_count"}}
		for i := 0; i < counts[subset]; i++ {
			id := fmt.Sprintf("video_%s_%07d", map[string]string{"Validation": "validation", "Test": "test"}[subset], i+1)
			var tp detTemplate
			if ts := templates[subset]; len(ts) > 0 {
				tp = ts[r.IntN(len(ts))]
			} else {
				tp.duration = lognormal(r, 180, 0.6, 20, 1500)
				n := 1 + int(r.ExpFloat64()*14)
				for j := 0; j < n; j++ {
					tp.lengths = append(tp.lengths, lognormal(r, 3.5, 0.8, 0.4, 60))
				}
			}
			if o.Scale == ScaleSmoke {
				tp.duration = math.Min(tp.duration, 60)
				tp.lengths = tp.lengths[:min(len(tp.lengths), 6)]
			}
			// most THUMOS14 videos hold one class; some a second one
			cls := []int{r.IntN(len(THUMOSClasses))}
			if r.Float64() < 0.15 {
				cls = append(cls, r.IntN(len(THUMOSClasses)))
			}
			segs := placeSegments(r, tp.duration, tp.lengths)
			labels := make([]int, len(segs))
			v := jvid{Subset: subset, Duration: math.Round(tp.duration*100) / 100, FPS: fps}
			av := afsdVid{Subset: map[string]string{"Validation": "train", "Test": "test"}[subset]}
			for j, s := range segs {
				labels[j] = cls[r.IntN(len(cls))]
				ci := THUMOSClasses[labels[j]]
				v.Annotations = append(v.Annotations, jseg{ci.Name, s, [2]float64{math.Round(s[0] * fps), math.Round(s[1] * fps)}, labels[j]})
				av.Annotations = append(av.Annotations, afsdSeg{[2]string{strconv.FormatFloat(s[0], 'f', 1, 64), strconv.FormatFloat(s[1], 'f', 1, 64)}, ci.Name})
				ann[short] = append(ann[short], []string{id, ci.Name, strconv.Itoa(ci.Index), strconv.FormatFloat(s[0], 'f', 1, 64), strconv.FormatFloat(s[1], 'f', 1, 64),
					strconv.Itoa(int(math.Round(s[0] * fps))), strconv.Itoa(int(math.Round(s[1] * fps)))})
				nSeg++
			}
			db[id], afsd[id] = v, av
			frames := int(tp.duration * fps)
			info[short] = append(info[short], []string{id, "30.0", "10.0", strconv.Itoa(frames) + ".0", strconv.Itoa(frames / 3)})
			t := max(1, int(tp.duration*fps/stride))
			feat := detFeatures(r, t, stride/fps, c, segs, labels, dirs, sigma)
			w.npy("features/"+id+".npy", []int{t, c}, feat, "<f2")
		}
	}
	af, err := json.MarshalIndent(map[string]any{"version": "Thumos14-30fps (synthetic)", "database": db}, "", "    ")
	if err != nil {
		return "", err
	}
	w.write(THUMOSActionFormer, af)
	gt, err := json.Marshal(map[string]any{"database": afsd})
	if err != nil {
		return "", err
	}
	w.write(THUMOSAFSDGT, gt)
	var ci strings.Builder
	for _, c := range THUMOSClasses {
		fmt.Fprintf(&ci, "%d %s\r\n", c.Index, c.Name)
	}
	w.write(THUMOSClassIndex, []byte(ci.String()))
	for _, s := range []string{"val", "test"} {
		w.write(s+"_Annotation.csv", csvBytes(ann[s], false))
		// the real *_ours files drop the ambiguous instances; the twin has none
		w.write(s+"_Annotation_ours.csv", csvBytes(ann[s], false))
		w.write(s+"_video_info.csv", csvBytes(info[s], false))
	}
	gtRows := [][]string{{"video-name", "t-init", "t-end", "f-init", "f-end", "video-duration", "frame-rate", "video-frames", "label-idx"}}
	byName := map[string]int{}
	for i, c := range THUMOSClasses {
		byName[c.Name] = i
	}
	for _, a := range ann["test"][1:] {
		v := db[a[0]]
		gtRows = append(gtRows, []string{a[0], a[3], a[4], a[5], a[6], strconv.FormatFloat(v.Duration, 'f', 6, 64), "30.0",
			strconv.Itoa(int(v.Duration * fps)), strconv.Itoa(byName[a[1]])})
	}
	w.write(THUMOSTestGT, csvBytes(gtRows, false))
	w.marker("THUMOS14", o, "Temporal structure from "+from+"; features are [T, 32] at 7.5 steps per second.")
	if err := w.finish(); err != nil {
		return "", err
	}
	return fmt.Sprintf("thumos14 twin: %d validation / %d test videos, %d segments", counts["Validation"], counts["Test"], nSeg), nil
}

// WriteSynthActivityNet writes an ActivityNet v1.3 twin:
// activity_net.v1-3.min.json (200 classes; training / validation / testing
// with the real 10,024 / 4,926 / 5,044 videos at full scale, testing without
// annotations) and features/<id>.npy [100, 16] (float16, each video
// rescaled to 100 steps as detectors on ActivityNet usually do).
// ActivityNet's temporal statistics are built-in approximations (median
// duration 110 s, 1.5 instances per video covering about half of it).
func WriteSynthActivityNet(dir string, o SynthOptions) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0xA3E7))
	counts := []int{40, 20, 10}
	if o.Scale == ScaleFull {
		counts = []int{10024, 4926, 5044}
	}
	subsets := []string{"training", "validation", "testing"}
	const k, steps, c = 200, 100, 16
	sigma := noiseSigma(o.Difficulty)
	dirs := make([][]float64, k)
	taxonomy := make([]map[string]any, k)
	for i := range dirs {
		dirs[i] = unitGauss(r, c)
		taxonomy[i] = map[string]any{"nodeId": i + 1, "nodeName": fmt.Sprintf("Synthetic activity %03d", i), "parentId": 0, "parentName": "Root"}
	}
	type seg struct {
		Segment [2]float64 `json:"segment"`
		Label   string     `json:"label"`
	}
	type vid struct {
		Subset      string  `json:"subset"`
		Duration    float64 `json:"duration"`
		Resolution  string  `json:"resolution"`
		URL         string  `json:"url"`
		Annotations []seg   `json:"annotations"`
	}
	db := map[string]vid{}
	w := newTwinWriter(filepath.Join(dir, ActivityNetDir))
	n := 0
	for si, subset := range subsets {
		for i := 0; i < counts[si]; i++ {
			id := fmt.Sprintf("s%s%05d", subset[:2], i)
			dur := math.Round(lognormal(r, 110, 0.6, 10, 750)*100) / 100
			cl := r.IntN(k)
			ns := 1
			for r.Float64() < 0.33 && ns < 8 {
				ns++
			}
			lengths := make([]float64, ns)
			for j := range lengths {
				lengths[j] = dur * (0.1 + 0.7*r.Float64()) / float64(ns)
			}
			segs := placeSegments(r, dur, lengths)
			v := vid{Subset: subset, Duration: dur, Resolution: "640x360", URL: "synthetic://" + id, Annotations: []seg{}}
			labels := make([]int, len(segs))
			for j, s := range segs {
				labels[j] = cl
				if subset != "testing" {
					v.Annotations = append(v.Annotations, seg{s, taxonomy[cl]["nodeName"].(string)})
					n++
				}
			}
			db[id] = v
			feat := detFeatures(r, steps, dur/steps, c, segs, labels, dirs, sigma)
			w.npy("features/"+id+".npy", []int{steps, c}, feat, "<f2")
		}
	}
	b, err := json.Marshal(map[string]any{"version": "VERSION 1.3 (synthetic)", "taxonomy": taxonomy, "database": db})
	if err != nil {
		return "", err
	}
	w.write(ActivityNetFile, b)
	w.marker("ActivityNet v1.3", o, "Temporal statistics are built-in approximations, not measured from the real file.")
	if err := w.finish(); err != nil {
		return "", err
	}
	return fmt.Sprintf("activitynet twin: %d / %d / %d videos, %d annotated segments", counts[0], counts[1], counts[2], n), nil
}
