package data

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// dirHash hashes every file (path and bytes) under dir.
func dirHash(t *testing.T, dir string) string {
	t.Helper()
	var paths []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		h.Write([]byte(rel + "\x00"))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestTwinsReadBack writes every twin of this file at smoke scale, reads it
// back with the real readers and checks that the same seed gives the same
// bytes.
func TestTwinsReadBack(t *testing.T) {
	o := SynthOptions{Seed: 5, Scale: ScaleSmoke, Difficulty: 0.3}
	tests := []struct {
		name  string
		check func(t *testing.T, dir string)
	}{
		{"animalkingdom", func(t *testing.T, dir string) {
			ak, err := LoadAnimalKingdom(filepath.Join(dir, AKDir))
			if err != nil {
				t.Fatal(err)
			}
			if len(ak.Train) != 600 || len(ak.Val) != 150 || len(ak.Classes) != 140 || len(ak.Folds) != 5 || len(ak.Summaries) != 750 {
				t.Errorf("train %d val %d classes %d folds %d summaries %d", len(ak.Train), len(ak.Val), len(ak.Classes), len(ak.Folds), len(ak.Summaries))
			}
			tr, err := LoadAKText(dir, AKTextOptions{})
			if err != nil {
				t.Fatal(err)
			}
			clip, err := LoadAKText(dir, AKTextOptions{ClipDir: filepath.Join(dir, AKDir, "clip")})
			if err != nil {
				t.Fatal(err)
			}
			if tr.E != 512 || clip.E != 64 || clip.Val.Len() != 150 {
				t.Errorf("text track E %d, clip track E %d val %d", tr.E, clip.E, clip.Val.Len())
			}
			store := FeatureStore{Dir: filepath.Join(dir, AKDir, "features")}
			if fp, err := store.Fingerprint(); err != nil || fp == "" {
				t.Errorf("store fingerprint: %v", err)
			}
			f, err := store.Load(ak.Val[0].ID)
			if err != nil || len(f) != 8 || len(f[0]) != 32 {
				t.Errorf("features: %v (%d rows)", err, len(f))
			}
		}},
		{"baboonland", func(t *testing.T, dir string) {
			b, err := LoadBaboonLand(filepath.Join(dir, BaboonDir))
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Train) != 300 || len(b.Val) != 100 || len(b.Summaries) != 400 {
				t.Errorf("train %d val %d summaries %d", len(b.Train), len(b.Val), len(b.Summaries))
			}
		}},
		{"ucf101", func(t *testing.T, dir string) {
			u, err := LoadUCF101(filepath.Join(dir, UCF101Dir))
			if err != nil {
				t.Fatal(err)
			}
			// smoke: 101 classes x 25 groups x 1 clip, 7 test groups per split
			if len(u.Classes) != 101 || len(u.Test) != 3 || len(u.Test[0]) != 101*7 || len(u.Train[2]) != 101*18 {
				t.Errorf("classes %d test %d train %d", len(u.Classes), len(u.Test[0]), len(u.Train[2]))
			}
			ids, err := FeatureStore{Dir: filepath.Join(dir, UCF101Dir, "features")}.IDs()
			if err != nil || len(ids) != 101*25 {
				t.Errorf("features: %v, %d ids", err, len(ids))
			}
		}},
		{"thumos14", func(t *testing.T, dir string) {
			th, err := LoadTHUMOS14(filepath.Join(dir, THUMOSDir))
			if err != nil {
				t.Fatal(err)
			}
			sub := th.ActionFormer.Subsets()
			if sub["Test"][0] != 6 || sub["Validation"][0] != 6 || len(th.AFSD.Videos) != 12 || len(th.Classes) != 20 {
				t.Errorf("subsets %v, afsd %d, classes %d", sub, len(th.AFSD.Videos), len(th.Classes))
			}
			if len(th.Annotations["test_Annotation.csv"]) != sub["Test"][1] {
				t.Errorf("annotation csv %d rows, json %d test segments", len(th.Annotations["test_Annotation.csv"]), sub["Test"][1])
			}
			v := th.ActionFormer.Videos[0]
			f, err := FeatureStore{Dir: filepath.Join(dir, THUMOSDir, "features")}.Load(v.ID)
			if err != nil || len(f) != int(v.Duration*7.5) && len(f) != int(v.Duration*7.5)-1 {
				t.Errorf("features of %s (%.2f s): %v, %d steps", v.ID, v.Duration, err, len(f))
			}
		}},
		{"activitynet", func(t *testing.T, dir string) {
			d, err := ReadDetectionJSON(filepath.Join(dir, ActivityNetDir, ActivityNetFile), nil)
			if err != nil {
				t.Fatal(err)
			}
			sub := d.Subsets()
			if sub["training"][0] != 40 || sub["validation"][0] != 20 || sub["testing"] != [2]int{10, 0} {
				t.Errorf("subsets %v", sub)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gen, err := LookupSynth(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			a, b := t.TempDir(), t.TempDir()
			if _, err := gen(a, o); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(a, tc.name, SynthMarker)); err != nil {
				t.Errorf("no %s marker: %v", SynthMarker, err)
			}
			tc.check(t, a)
			if _, err := gen(b, o); err != nil {
				t.Fatal(err)
			}
			if dirHash(t, a) != dirHash(t, b) {
				t.Error("same seed, different bytes")
			}
		})
	}
	if _, err := LookupSynth("nope"); err == nil {
		t.Error("unknown twin found")
	}
	if _, err := WriteSynthUCF101(t.TempDir(), SynthOptions{Scale: "huge"}); err == nil {
		t.Error("scale huge accepted")
	}
}
