package data

import (
	"math"
	"testing"
)

func TestSynthAKDeterministic(t *testing.T) {
	o := SynthAKOptions{Seed: 7, NTrain: 64, NVal: 16, K: 20, T: 4, D: 8, E: 16, Difficulty: 0.3}
	a, err := SynthAK(o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SynthAK(o)
	if a.Fingerprint != b.Fingerprint || a.Train.Video[5][3] != b.Train.Video[5][3] || a.Val.Desc[2][1] != b.Val.Desc[2][1] {
		t.Error("same options gave different tracks")
	}
	o.Seed = 8
	c, _ := SynthAK(o)
	if c.Fingerprint == a.Fingerprint || c.Train.Desc[0][0] == a.Train.Desc[0][0] {
		t.Error("different seeds gave the same track")
	}
	if len(a.Train.Video[0]) != 4*8 || len(a.Train.Desc[0]) != 16 || len(a.LabelEmb) != 20 || len(a.Val.IDs) != 16 || a.Source != "synthetic" {
		t.Errorf("shapes: video %d desc %d labelemb %d val %d", len(a.Train.Video[0]), len(a.Train.Desc[0]), len(a.LabelEmb), len(a.Val.IDs))
	}
	if _, err := SynthAK(SynthAKOptions{Difficulty: 2}); err == nil {
		t.Error("Difficulty 2 accepted")
	}
}

// TestSynthAKSignal checks the planted signal: scoring each class by the
// cosine between the description and the class's label embedding (no
// training) must rank true classes far above chance on an easy twin.
func TestSynthAKSignal(t *testing.T) {
	const minAUCGap = 0.2 // mean true-class score minus mean false-class score
	tr, err := SynthAK(SynthAKOptions{Seed: 1, NTrain: 200, NVal: 10, K: 30, E: 32, Difficulty: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	var pos, neg float64
	var np, nn int
	for i, d := range tr.Train.Desc {
		lab := map[int]bool{}
		for _, l := range tr.Train.Labels[i] {
			lab[l] = true
		}
		for k, q := range tr.LabelEmb {
			var s float64
			for j := range d {
				s += float64(d[j] * q[j])
			}
			if lab[k] {
				pos += s
				np++
			} else {
				neg += s
				nn++
			}
		}
	}
	if gap := pos/float64(np) - neg/float64(nn); gap < minAUCGap || math.IsNaN(gap) {
		t.Errorf("signal gap %.3f < %.3f", gap, minAUCGap)
	}
	// long tail: the most frequent class is much more frequent than the median
	mx := 0
	for _, c := range tr.TrainCounts {
		mx = max(mx, c)
	}
	if mx < 40 {
		t.Errorf("max class count %d: no long tail", mx)
	}
}

func TestLoadAKTextReal(t *testing.T) {
	root := realRoot(t, AKDir)
	tr, err := LoadAKText(root, AKTextOptions{MaxTrain: 500, MaxVal: 100, Seed: 1, LabelText: LabelTextNameDescription})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Train.Len() != 500 || tr.Val.Len() != 100 || tr.E != 512 || len(tr.LabelEmb) != 140 || tr.Source != "real" || tr.Train.Video != nil {
		t.Errorf("track: train %d val %d E %d labels %d source %s", tr.Train.Len(), tr.Val.Len(), tr.E, len(tr.LabelEmb), tr.Source)
	}
	if len(tr.Train.Desc[0]) != 512 || len(tr.Notes) == 0 {
		t.Errorf("desc width %d, notes %v", len(tr.Train.Desc[0]), tr.Notes)
	}
}
