package akmotion

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
)

// Name is the twin's name for `actrepro synth` (registered with
// data.RegisterSynth by importing this package).
const Name = "akmotion"

// Version names the generator's output; it changes whenever a change to
// this package changes the bytes written, so that cached twins keyed by it
// are rewritten.
const Version = "v3"

// VideoDir is the folder of the clips under <root>/animalkingdom, as in a
// real Animal Kingdom copy (video/<id>.mp4).
const VideoDir = "video"

// ClassesInfoFile lists, beside classes.csv, each twin class's real
// Animal Kingdom id and cue (an extra file; the real readers ignore it).
const ClassesInfoFile = "twin_classes.csv"

// PlansFile records each clip's planted motion (a CSV; extra file).
const PlansFile = "twin_plans.csv"

func init() { data.RegisterSynth(Name, synth) }

// Options configure Write.
type Options struct {
	Seed          uint64
	NTrain, NVal  int
	Width, Height int     // frame size (default 96x72; even)
	MinFrames     int     // shortest clip (default 24)
	MaxFrames     int     // longest clip (default 40)
	FPS           int     // frame rate (default 15)
	Difficulty    float64 // 0..1: pixel noise, and running closer to walking, shaking smaller
	// DataRoot, when set and holding animalkingdom/classes.csv, is checked
	// against the twin's class names and real ids (CheckClasses), and its
	// class_descriptions.csv provides the twin's descriptions.
	DataRoot string
}

// ScaleOptions are the options of a scale: smoke is 32 train and 16 val
// clips of 16-24 frames at 64x48 (seconds to write); full is 480 train and
// 160 val clips of 24-40 frames at 96x72.
func ScaleOptions(scale string, seed uint64, difficulty float64) Options {
	o := Options{Seed: seed, Difficulty: difficulty, NTrain: 480, NVal: 160}
	if scale == data.ScaleSmoke {
		o.NTrain, o.NVal = 32, 16
		o.Width, o.Height = 64, 48
		o.MinFrames, o.MaxFrames = 16, 24
	}
	return o
}

func (o *Options) defaults() error {
	if o.Width == 0 {
		o.Width = 96
	}
	if o.Height == 0 {
		o.Height = 72
	}
	if o.MinFrames == 0 {
		o.MinFrames = 24
	}
	if o.MaxFrames == 0 {
		o.MaxFrames = 40
	}
	if o.FPS == 0 {
		o.FPS = 15
	}
	switch {
	case o.NTrain < data.AKNumFolds || o.NVal < 1:
		return fmt.Errorf("akmotion: NTrain=%d must be at least %d (one clip per fold) and NVal=%d positive", o.NTrain, data.AKNumFolds, o.NVal)
	case o.Width < 32 || o.Height < 32 || o.Width%2 != 0 || o.Height%2 != 0:
		return fmt.Errorf("akmotion: frame size %dx%d must be even and at least 32x32", o.Width, o.Height)
	case o.MinFrames < 2 || o.MaxFrames < o.MinFrames:
		return fmt.Errorf("akmotion: frames range [%d, %d] invalid (at least 2 frames)", o.MinFrames, o.MaxFrames)
	case o.FPS < 1:
		return fmt.Errorf("akmotion: FPS=%d must be positive", o.FPS)
	case o.Difficulty < 0 || o.Difficulty > 1 || math.IsNaN(o.Difficulty):
		return fmt.Errorf("akmotion: Difficulty=%g must be in [0, 1]", o.Difficulty)
	}
	return nil
}

func synth(dir string, so data.SynthOptions) (string, error) {
	if err := so.Validate(); err != nil {
		return "", fmt.Errorf("synth %s: %w", Name, err)
	}
	o := ScaleOptions(so.Scale, uint64(so.Seed), so.Difficulty)
	o.DataRoot = so.DataRoot
	_, fp, err := Write(dir, o)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s twin (synthetic Animal Kingdom motion videos): %d train / %d val .mp4 clips of %d real AK classes, %s", Name, o.NTrain, o.NVal, len(Classes), fp), nil
}

// Plans returns the clips Write would write, without rendering them: the
// first NTrain are the train split, the rest val.
func Plans(o Options) ([]*Plan, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(o.Seed, 0xA1))
	seen := map[string]bool{}
	plans := make([]*Plan, o.NTrain+o.NVal)
	for i := range plans {
		id := ""
		for id == "" || seen[id] {
			b := make([]byte, 8)
			for k := range b {
				b[k] = byte('A' + r.IntN(26))
			}
			id = string(b)
		}
		seen[id] = true
		plans[i] = newPlan(rand.New(rand.NewPCG(o.Seed, uint64(i)+1)), id, o)
	}
	return plans, nil
}

// Write writes the twin under root as a real Animal Kingdom copy is laid
// out: root/animalkingdom/{classes.csv, train_light.csv, val_light.csv,
// 0_light.csv..4_light.csv, species_train.txt, species_val.txt,
// class_descriptions.csv (when the data root has the real descriptions),
// video/<id>.mp4} plus SYNTHETIC.txt,
// twin_classes.csv and twin_plans.csv. The directory appears whole or not
// at all (written beside it, then renamed); an existing animalkingdom
// folder is replaced only if it is a synthetic twin (has SYNTHETIC.txt). It
// returns the plans and a
// fingerprint (SHA-256 of the options and of every file's bytes).
func Write(root string, o Options) ([]*Plan, string, error) {
	if err := o.defaults(); err != nil {
		return nil, "", err
	}
	if !data.HaveFFmpeg() {
		return nil, "", fmt.Errorf("akmotion: %w: %s", data.ErrNoFFmpeg, data.FFmpegHint)
	}
	descs := map[string]string{}
	if o.DataRoot != "" {
		if _, err := os.Stat(filepath.Join(o.DataRoot, data.AKDir, data.AKClassesFile)); err == nil {
			if _, err := CheckClasses(o.DataRoot); err != nil {
				return nil, "", err
			}
			p := filepath.Join(o.DataRoot, data.AKDir, data.AKClassDescriptionsFile)
			if _, err := os.Stat(p); err == nil {
				all, err := data.ReadAKClasses(filepath.Join(o.DataRoot, data.AKDir, data.AKClassesFile), nil)
				if err != nil {
					return nil, "", err
				}
				d, err := data.ReadAKClassDescriptions(p, all, nil)
				if err != nil {
					return nil, "", err
				}
				for i, n := range all {
					descs[n] = d[i]
				}
			}
		}
	}
	plans, err := Plans(o)
	if err != nil {
		return nil, "", err
	}
	final := filepath.Join(root, data.AKDir)
	if _, err := os.Stat(final); err == nil && !exists(filepath.Join(final, data.SynthMarker)) {
		return nil, "", fmt.Errorf("akmotion: refusing to replace %s: it has no %s, so it may be a real Animal Kingdom copy; write the twin under another root", final, data.SynthMarker)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, "", fmt.Errorf("akmotion: %w", err)
	}
	tmp, err := os.MkdirTemp(root, "."+data.AKDir+".tmp*")
	if err != nil {
		return nil, "", fmt.Errorf("akmotion: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	h := sha256.New()
	fmt.Fprintf(h, "akmotion %s seed=%d ntrain=%d nval=%d size=%dx%d frames=%d..%d fps=%d difficulty=%g\n",
		Version, o.Seed, o.NTrain, o.NVal, o.Width, o.Height, o.MinFrames, o.MaxFrames, o.FPS, o.Difficulty)
	put := func(rel string, b []byte) error {
		p := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %x\n", rel, sha256.Sum256(b))
		return os.WriteFile(p, b, 0o644)
	}
	rows := [][]string{{"id", "name"}}
	info := [][]string{{"id", "name", "ak_id", "cue"}}
	var descRows [][]string
	for i, c := range Classes {
		rows = append(rows, []string{strconv.Itoa(i), c.Name})
		info = append(info, []string{strconv.Itoa(i), c.Name, strconv.Itoa(c.AKID), string(c.Cue)})
		if d, ok := descs[c.Name]; ok {
			descRows = append(descRows, []string{c.Name, d})
		}
	}
	if err := put(data.AKClassesFile, csvBytes(rows)); err != nil {
		return nil, "", err
	}
	if err := put(ClassesInfoFile, csvBytes(info)); err != nil {
		return nil, "", err
	}
	if len(descRows) == len(Classes) {
		if err := put(data.AKClassDescriptionsFile, csvBytes(descRows)); err != nil {
			return nil, "", err
		}
	}
	split := func(ps []*Plan) []byte {
		var b strings.Builder
		b.WriteString("video_id;labels\n")
		for _, p := range ps {
			fmt.Fprintf(&b, "%s;%s\n", p.ID, joinInts(p.Labels))
		}
		return []byte(b.String())
	}
	train, val := plans[:o.NTrain], plans[o.NTrain:]
	if err := put(data.AKTrainFile, split(train)); err != nil {
		return nil, "", err
	}
	if err := put(data.AKValFile, split(val)); err != nil {
		return nil, "", err
	}
	if err := put(SpeciesTrainFile, speciesLines(train)); err != nil {
		return nil, "", err
	}
	if err := put(SpeciesValFile, speciesLines(val)); err != nil {
		return nil, "", err
	}
	for f := 0; f < data.AKNumFolds; f++ {
		fr := [][]string{{"video_id", "labels"}}
		for i := f; i < len(train); i += data.AKNumFolds {
			fr = append(fr, []string{train[i].ID, joinInts(train[i].Labels)})
		}
		if err := put(fmt.Sprintf("%d_light.csv", f), csvBytes(fr)); err != nil {
			return nil, "", err
		}
	}
	pr := [][]string{{"video_id", "split", "frames", "motion", "x0", "y", "vx", "shake_amp", "shake_period", "facing", "swimming", "eating", "wings", "other_x", "towards"}}
	for i, p := range plans {
		sp := "train"
		if i >= o.NTrain {
			sp = "val"
		}
		ox, tw := "", ""
		if p.Other {
			ox, tw = ff(p.OtherX), strconv.FormatBool(p.Towards)
		}
		pr = append(pr, []string{p.ID, sp, strconv.Itoa(p.Frames), Classes[p.Motion].Name, ff(p.X0), ff(p.Y), ff(p.VX), ff(p.ShakeAmp), ff(p.ShakePeriod),
			ff(p.Facing), strconv.FormatBool(p.Swimming), strconv.FormatBool(p.Eating), strconv.FormatBool(p.Wings), ox, tw})
	}
	if err := put(PlansFile, csvBytes(pr)); err != nil {
		return nil, "", err
	}
	for _, p := range plans {
		b, err := EncodeMP4(Render(p), p.W, p.H, o.FPS)
		if err != nil {
			return nil, "", fmt.Errorf("akmotion: encoding %s: %w", p.ID, err)
		}
		if err := put(VideoDir+"/"+p.ID+".mp4", b); err != nil {
			return nil, "", fmt.Errorf("akmotion: %w", err)
		}
	}
	fp := "sha256:" + hex.EncodeToString(h.Sum(nil))
	marker := fmt.Sprintf("SYNTHETIC Animal Kingdom motion twin written by actrepro (internal/data/akmotion, %s).\n"+
		"Not real video: rendered animal-like shapes; class names and ids are real Animal Kingdom classes (%s).\n"+
		"seed=%d train=%d val=%d size=%dx%d frames=%d..%d fps=%d difficulty=%g\nfingerprint=%s\n",
		Version, ClassesInfoFile, o.Seed, o.NTrain, o.NVal, o.Width, o.Height, o.MinFrames, o.MaxFrames, o.FPS, o.Difficulty, fp)
	if err := os.WriteFile(filepath.Join(tmp, data.SynthMarker), []byte(marker), 0o644); err != nil {
		return nil, "", fmt.Errorf("akmotion: %w", err)
	}
	old := ""
	if _, err := os.Stat(final); err == nil {
		old = tmp + ".old"
		if err := os.Rename(final, old); err != nil {
			return nil, "", fmt.Errorf("akmotion: %w", err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, "", fmt.Errorf("akmotion: %w", err)
	}
	ok = true
	if old != "" {
		os.RemoveAll(old)
	}
	return plans, fp, nil
}

// Species annotation files, in the format of Animal-CLIP's train_all.txt /
// test_animal.txt as the real data root ships them.
const (
	SpeciesTrainFile = "species_train.txt"
	SpeciesValFile   = "species_val.txt"
)

// speciesLines writes "<id>.mp4<TAB>[('Animal', 'Action'), ...]" per clip:
// the acting animal with each of the clip's actions (the static animal of
// an interaction has no action and is not listed).
func speciesLines(ps []*Plan) []byte {
	var b strings.Builder
	for _, p := range ps {
		pairs := make([]string, len(p.Labels))
		for k, l := range p.Labels {
			pairs[k] = fmt.Sprintf("('%s', '%s')", SpeciesNames[p.Species], Classes[l].Name)
		}
		fmt.Fprintf(&b, "%s.mp4\t[%s]\n", p.ID, strings.Join(pairs, ", "))
	}
	return []byte(b.String())
}

// VideoPath is where a clip's video lives under a data root, as in a real
// Animal Kingdom copy.
func VideoPath(root, id string) string {
	return filepath.Join(root, data.AKDir, VideoDir, id+".mp4")
}

// IsTwin reports whether root/animalkingdom was written by Write.
func IsTwin(root string) bool {
	b, err := os.ReadFile(filepath.Join(root, data.AKDir, data.SynthMarker))
	return err == nil && bytes.Contains(b, []byte("motion twin"))
}

func ff(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func csvBytes(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

func joinInts(l []int) string {
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// EncodeMP4 pipes RGB24 frames through ffmpeg into an H.264 .mp4 (the
// format of Animal Kingdom's clips) and returns its bytes. Single-threaded,
// +bitexact and without metadata, so the bytes depend only on the frames
// (and the ffmpeg/x264 build).
func EncodeMP4(frames [][]byte, w, h, fps int) ([]byte, error) {
	tmp, err := os.CreateTemp("", "actrepro-akmotion-*.mp4")
	if err != nil {
		return nil, err
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	var in bytes.Buffer
	for _, f := range frames {
		if len(f) != w*h*3 {
			return nil, fmt.Errorf("frame of %d bytes, want %dx%dx3", len(f), w, h)
		}
		in.Write(f)
	}
	cmd := exec.Command("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "rawvideo", "-pix_fmt", "rgb24", "-s", fmt.Sprintf("%dx%d", w, h), "-r", strconv.Itoa(fps), "-i", "pipe:0",
		"-c:v", "libx264", "-preset", "medium", "-crf", "16", "-pix_fmt", "yuv420p", "-threads", "1",
		"-x264-params", "threads=1:sliced-threads=0:lookahead-threads=1",
		"-fflags", "+bitexact", "-flags", "+bitexact", "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", name)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return os.ReadFile(name)
}
