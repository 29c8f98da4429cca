package akmotion

import (
	"crypto/sha256"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/video/flow"
)

func needFFmpeg(t *testing.T) {
	t.Helper()
	if !data.HaveFFmpeg() {
		t.Skipf("ffmpeg not found: the motion twin writes .mp4 videos (%s)", data.FFmpegHint)
	}
}

// realRoot is $ACTREPRO_DATA, else the shared data folder beside the
// repository, when it holds the real Animal Kingdom classes.csv.
func realRoot(t *testing.T) string {
	for _, r := range []string{data.DataRoot(""), "../../../../shared/data"} {
		if r == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(r, data.AKDir, data.AKClassesFile)); err == nil {
			abs, _ := filepath.Abs(r)
			return abs
		}
	}
	return ""
}

// tiny is a few short clips: the write tests take seconds on an idle
// machine (each clip is an ffmpeg run).
var tiny = Options{Seed: 3, NTrain: 5, NVal: 1, Width: 48, Height: 32, MinFrames: 6, MaxFrames: 9}

func hashTree(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteReproducibleAndReadable writes the twin twice into different
// folders and compares every file's SHA-256; then reads it back with the
// real Animal Kingdom reader (classes, splits, folds, and the real class
// descriptions when a data root is available) and decodes every video with
// the real video reader, checking frame counts and sizes against the plans.
func TestWriteReproducibleAndReadable(t *testing.T) {
	needFFmpeg(t)
	o := tiny
	o.DataRoot = realRoot(t)
	a, b := t.TempDir(), t.TempDir()
	plans, fa, err := Write(a, o)
	if err != nil {
		t.Fatal(err)
	}
	_, fb, err := Write(b, o)
	if err != nil {
		t.Fatal(err)
	}
	ha, hb := hashTree(t, a), hashTree(t, b)
	if fa != fb || !reflect.DeepEqual(ha, hb) {
		t.Fatalf("two writes differ: %s vs %s", fa, fb)
	}
	want := 1 + 1 + 2 + 2 + 5 + 1 + 1 + o.NTrain + o.NVal // classes, info, splits, species, folds, plans, marker, videos
	if o.DataRoot != "" {
		want++ // class_descriptions.csv
	}
	if len(ha) != want {
		t.Errorf("%d files written, want %d", len(ha), want)
	}
	t.Logf("%d files, fingerprint %s", len(ha), fa)

	ak, err := data.LoadAnimalKingdom(filepath.Join(a, data.AKDir))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ak.Classes, ClassNames()) || len(ak.Train) != o.NTrain || len(ak.Val) != o.NVal || len(ak.Folds) != data.AKNumFolds {
		t.Fatalf("loaded %d classes, %d/%d clips, %d folds", len(ak.Classes), len(ak.Train), len(ak.Val), len(ak.Folds))
	}
	if o.DataRoot != "" && (len(ak.ClassDescriptions) != len(Classes) || ak.ClassDescriptions[Walking] == "") {
		t.Errorf("descriptions: %d for %d classes", len(ak.ClassDescriptions), len(Classes))
	}
	for i, c := range append(ak.Train, ak.Val...) {
		p := plans[i]
		if c.ID != p.ID || !reflect.DeepEqual(sorted(c.Labels), p.Labels) {
			t.Errorf("clip %d: %s %v, plan %s %v", i, c.ID, c.Labels, p.ID, p.Labels)
		}
		v, err := data.DecodeVideo(VideoPath(a, c.ID), data.VideoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if v.T != p.Frames || v.W != o.Width || v.H != o.Height || v.FPS != 15 {
			t.Errorf("%s: decoded %d frames %dx%d at %g fps, want %d %dx%d at 15", c.ID, v.T, v.W, v.H, v.FPS, p.Frames, o.Width, o.Height)
		}
	}
	if !IsTwin(a) {
		t.Error("IsTwin is false on a twin")
	}
	// The species files have the real species_train.txt format, one line
	// per clip, listing the acting animal with each action of the clip.
	pair := `\('(Fox|Hyena|Meerkat|Otter)', '([A-Za-z ]+)'\)`
	line := regexp.MustCompile(`^([A-Z]{8})\.mp4\t\[` + pair + `(, ` + pair + `)*\]$`)
	for f, ps := range map[string][]*Plan{SpeciesTrainFile: plans[:o.NTrain], SpeciesValFile: plans[o.NTrain:]} {
		b, err := os.ReadFile(filepath.Join(a, data.AKDir, f))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) != len(ps) {
			t.Fatalf("%s: %d lines for %d clips", f, len(lines), len(ps))
		}
		for i, l := range lines {
			if !line.MatchString(l) || !strings.HasPrefix(l, ps[i].ID) || strings.Count(l, "('") != len(ps[i].Labels) {
				t.Errorf("%s line %d: %q (clip %s, labels %v)", f, i+1, l, ps[i].ID, ps[i].Labels)
			}
		}
	}
	// Another seed: other clips (checked on the plans and rendered frames,
	// without encoding).
	o2 := o
	o2.Seed++
	p2, _ := Plans(o2)
	if p2[0].ID == plans[0].ID || reflect.DeepEqual(Render(p2[0])[0], Render(plans[0])[0]) {
		t.Error("another seed gave the same first clip")
	}
}

func sorted(l []int) []int {
	o := append([]int(nil), l...)
	for i := 1; i < len(o); i++ {
		for j := i; j > 0 && o[j] < o[j-1]; j-- {
			o[j], o[j-1] = o[j-1], o[j]
		}
	}
	return o
}

// TestLabelDesign checks the rules that make the modalities differ, on
// many plans: one motion class per clip; interaction only while walking or
// running, attackers moving towards the other animal and retreaters away;
// facing independent of the direction of motion (about half agree).
func TestLabelDesign(t *testing.T) {
	plans, err := Plans(Options{Seed: 9, NTrain: 1500, NVal: 500})
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int, len(Classes))
	agree, moving := 0, 0
	for _, p := range plans {
		nMotion := 0
		for _, l := range p.Labels {
			counts[l]++
			if Classes[l].Cue == CueMotion {
				nMotion++
			}
		}
		if nMotion != 1 {
			t.Fatalf("%s: labels %v have %d motion classes", p.ID, p.Labels, nMotion)
		}
		if p.Other {
			if p.Motion != Walking && p.Motion != Running {
				t.Fatalf("%s: interaction while %s", p.ID, Classes[p.Motion].Name)
			}
			towards := (p.OtherX-p.X0)*p.VX > 0
			if towards != p.Towards {
				t.Fatalf("%s: Towards=%v but moves %+.2f px/frame from %.1f with the other at %.1f", p.ID, p.Towards, p.VX, p.X0, p.OtherX)
			}
		}
		if p.VX != 0 {
			moving++
			if (p.VX > 0) == (p.Facing > 0) {
				agree++
			}
		}
	}
	for k, c := range counts {
		if c < 100 {
			t.Errorf("class %s has %d of 2000 clips", Classes[k].Name, c)
		}
	}
	if f := float64(agree) / float64(moving); f < 0.45 || f > 0.55 {
		t.Errorf("facing agrees with motion in %.2f of moving clips, want about 0.5", f)
	}
}

// TestFlowSeesPlantedMotion decodes twin videos and measures the optical
// flow on the animal's body: it recovers the planted velocity of walking
// and running animals within 0.5 px/frame (H.264 compression, a 64x48
// frame and smoothing across the body's edge blur it), shows shaking
// animals moving on average at least 3x more than still ones, and keeps the
// textured static background near zero (under 0.25 px/frame on average,
// away from the animals).
func TestFlowSeesPlantedMotion(t *testing.T) {
	needFFmpeg(t)
	o := ScaleOptions(data.ScaleSmoke, 2, 0)
	o.NTrain, o.NVal = 7, 1 // seed 2: 1 still, 3 walking or running, 2 shaking, 2 interactions
	root := t.TempDir()
	plans, _, err := Write(root, o)
	if err != nil {
		t.Fatal(err)
	}
	var still, shake []float64
	var bg float64 // |flow| on the background away from the animals
	checked, nbg := 0, 0
	for _, p := range plans {
		v, err := data.DecodeVideo(VideoPath(root, p.ID), data.VideoOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := p.scale()
		// A frame pair with the whole body inside the frame.
		for tt := 0; tt+1 < p.Frames; tt++ {
			x0, x1 := p.ActorX(tt), p.ActorX(tt+1)
			if x0 < 20*s || x0 > float64(p.W)-20*s || (p.Motion != Shaking && x1 == x0 && p.VX != 0) {
				continue
			}
			f, err := flow.ComputeRGB(v.Frame(tt), v.Frame(tt+1), v.W, v.H, flow.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var su, sa float64
			n := 0
			for y := 0; y < p.H; y++ {
				for x := 0; x < p.W; x++ {
					i := y*p.W + x
					ex, ey := (float64(x)+0.5-x0)/(22*s), (float64(y)+0.5-p.Y)/(18*s)
					if ex*ex+ey*ey > 1 && !(p.Other && math.Abs(float64(x)+0.5-p.OtherX) < 25*s) {
						bg += math.Hypot(float64(f.U[i]), float64(f.V[i]))
						nbg++
					}
					dx, dy := (float64(x)+0.5-x0)/(7*s), (float64(y)+0.5-p.Y)/(4*s)
					if dx*dx+dy*dy > 1 {
						continue
					}
					su += float64(f.U[i])
					sa += math.Abs(float64(f.U[i]))
					n++
				}
			}
			su /= float64(n)
			sa /= float64(n)
			switch p.Motion {
			case Walking, Running:
				if math.Abs(su-(x1-x0)) > 0.5 {
					t.Errorf("%s %s frame %d: flow on the body %.2f px/frame, planted %.2f", p.ID, Classes[p.Motion].Name, tt, su, x1-x0)
				}
				checked++
			case KeepingStill:
				still = append(still, sa)
			case Shaking:
				shake = append(shake, sa)
			}
			break
		}
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	bg /= float64(nbg)
	t.Logf("%d moving clips checked; |u| on the body: still %.3f (%d clips), shaking %.3f (%d clips); |flow| on the background %.3f px/frame", checked, mean(still), len(still), mean(shake), len(shake), bg)
	if bg > 0.25 {
		t.Errorf("flow bleeds into the static background: %.3f px/frame on average (limit 0.25, a third of the slowest walk)", bg)
	}
	if checked == 0 || len(still) == 0 || len(shake) == 0 {
		t.Fatalf("the seed gave no clip of some motion class (moving %d, still %d, shaking %d)", checked, len(still), len(shake))
	}
	if mean(shake) < 3*mean(still) {
		t.Errorf("shaking |u| %.3f is not 3x still %.3f", mean(shake), mean(still))
	}
}

// A folder that is not a twin (a real copy) is never replaced.
func TestRefusesRealCopy(t *testing.T) {
	needFFmpeg(t)
	root := t.TempDir()
	real := filepath.Join(root, data.AKDir, data.AKClassesFile)
	if err := os.MkdirAll(filepath.Dir(real), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("id,name\n0,Walking\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Write(root, tiny); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("Write over a real copy: %v", err)
	}
	if b, _ := os.ReadFile(real); string(b) != "id,name\n0,Walking\n" {
		t.Errorf("the real file was changed: %q", b)
	}
	// Marked synthetic, it is replaced whole.
	if err := os.WriteFile(filepath.Join(root, data.AKDir, data.SynthMarker), []byte("SYNTHETIC\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Write(root, tiny); err != nil {
		t.Fatal(err)
	}
	if !IsTwin(root) {
		t.Error("the synthetic folder was not replaced by the twin")
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Errorf("%d entries beside the twin, want none (temporary folders left?)", len(entries)-1)
	}
}

func TestOptionErrors(t *testing.T) {
	cases := []Options{
		{NTrain: 4, NVal: 1}, // fewer train clips than folds
		{NTrain: 5, NVal: 0},
		{NTrain: 5, NVal: 1, Width: 33, Height: 32},
		{NTrain: 5, NVal: 1, MinFrames: 5, MaxFrames: 4},
		{NTrain: 5, NVal: 1, Difficulty: 2},
	}
	for i, o := range cases {
		if _, err := Plans(o); err == nil {
			t.Errorf("case %d %+v: no error", i, o)
		}
	}
}

// TestClassesAreReal checks the twin's class names and ids against the
// real classes.csv when a data root has it.
func TestClassesAreReal(t *testing.T) {
	root := realRoot(t)
	if root == "" {
		t.Skipf("no real Animal Kingdom classes.csv: set $%s to the folder holding animalkingdom/ (../shared/data)", data.EnvDataRoot)
	}
	if _, err := CheckClasses(root); err != nil {
		t.Fatal(err)
	}
}
