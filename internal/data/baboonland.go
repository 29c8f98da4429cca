package data

import (
	"path/filepath"
)

// BaboonLand file names under <data root>/baboonland. The Charades-style
// behaviour lists are named as in the BaboonLand release's annotation
// folder; summaries.csv holds ARTEMIS's generated descriptions.
const (
	BaboonDir           = "baboonland"
	BaboonTrainFile     = "train.csv"
	BaboonValFile       = "val.csv"
	BaboonSummariesFile = "summaries.csv"
)

// BaboonClasses are BaboonLand's 13 behaviour classes in index order.
var BaboonClasses = []string{
	"Walking/Running", "Sitting/Standing", "Fighting/Playing", "Self-Grooming",
	"Being Groomed", "Grooming Somebody", "Mutual Grooming", "Infant-Carrying",
	"Foraging", "Drinking", "Mounting", "Sleeping", "Occluded",
}

// BaboonLand is BaboonLand's behaviour recognition data: mini-scene clips
// whose multi-hot target is the union of their frames' labels, and the
// generated descriptions.
type BaboonLand struct {
	Classes     []string
	Train, Val  []CharadesClip // nil when the lists are absent
	Summaries   map[string]string
	Fingerprint string
}

// LoadBaboonLand reads whichever of train.csv, val.csv and summaries.csv
// dir holds (at least one).
func LoadBaboonLand(dir string) (*BaboonLand, error) {
	var fp Fingerprinter
	b := &BaboonLand{Classes: BaboonClasses}
	var err error
	found := false
	if p := filepath.Join(dir, BaboonTrainFile); exists(p) {
		found = true
		if b.Train, err = ReadCharades(p, len(BaboonClasses), &fp); err != nil {
			return nil, err
		}
	}
	if p := filepath.Join(dir, BaboonValFile); exists(p) {
		found = true
		if b.Val, err = ReadCharades(p, len(BaboonClasses), &fp); err != nil {
			return nil, err
		}
	}
	if p := filepath.Join(dir, BaboonSummariesFile); exists(p) {
		found = true
		if b.Summaries, err = ReadSummaries(p, &fp); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, perr(dir, 0, "none of %s, %s, %s found", BaboonTrainFile, BaboonValFile, BaboonSummariesFile)
	}
	b.Fingerprint = fp.Sum()
	return b, nil
}

// CharadesLabelCounts counts clips per class.
func CharadesLabelCounts(clips []CharadesClip, k int) []int {
	c := make([]int, k)
	for _, cl := range clips {
		for _, l := range cl.Labels {
			if l >= 0 && l < k {
				c[l]++
			}
		}
	}
	return c
}
