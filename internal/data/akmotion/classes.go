package akmotion

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
)

// Cue says where the evidence for a class lies.
type Cue string

// The three kinds of class of the twin.
const (
	CueMotion      Cue = "motion"      // speed or periodicity only
	CueAppearance  Cue = "appearance"  // visible in a single RGB frame
	CueInteraction Cue = "interaction" // direction of motion relative to another animal
)

// Class is one class of the twin: a real Animal Kingdom class.
type Class struct {
	Name string // the real class name (classes.csv)
	AKID int    // its id in the real classes.csv
	Cue  Cue
}

// Classes are the twin's classes in twin-id order (0..8). Names and real
// ids are those of the real Animal Kingdom classes.csv; CheckClasses
// verifies them against a copy.
var Classes = []Class{
	{"Keeping still", 68, CueMotion},
	{"Walking", 133, CueMotion},
	{"Running", 100, CueMotion},
	{"Shaking", 103, CueMotion},
	{"Swimming", 123, CueAppearance},
	{"Eating", 40, CueAppearance},
	{"Spreading Wings", 114, CueAppearance},
	{"Attacking", 1, CueInteraction},
	{"Retreating", 97, CueInteraction},
}

// Twin class ids, for readability.
const (
	KeepingStill = iota
	Walking
	Running
	Shaking
	Swimming
	Eating
	SpreadingWings
	Attacking
	Retreating
)

// ClassNames returns the twin's class names in id order.
func ClassNames() []string {
	n := make([]string, len(Classes))
	for i, c := range Classes {
		n[i] = c.Name
	}
	return n
}

// ClassesOfCue returns the twin ids of the classes with cue c.
func ClassesOfCue(c Cue) []int {
	var ids []int
	for i, cl := range Classes {
		if cl.Cue == c {
			ids = append(ids, i)
		}
	}
	return ids
}

// CheckClasses reads <root>/animalkingdom/classes.csv of a real data root
// and checks that every twin class has the stated name and real id, and,
// when animals.csv is there, that SpeciesNames are real animal names. It
// returns the files' fingerprint.
func CheckClasses(root string) (string, error) {
	var fp data.Fingerprinter
	p := filepath.Join(root, data.AKDir, data.AKClassesFile)
	names, err := data.ReadAKClasses(p, &fp)
	if err != nil {
		return "", err
	}
	for _, c := range Classes {
		if c.AKID >= len(names) || !strings.EqualFold(names[c.AKID], c.Name) {
			got := "(none)"
			if c.AKID < len(names) {
				got = names[c.AKID]
			}
			return "", fmt.Errorf("akmotion: %s: class %d is %q, the twin expects %q", p, c.AKID, got, c.Name)
		}
	}
	if sp := filepath.Join(root, data.AKDir, AnimalsFile); exists(sp) {
		b, err := os.ReadFile(sp)
		if err != nil {
			return "", err
		}
		fp.Add(sp, b)
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			return "", fmt.Errorf("akmotion: %s: %w", sp, err)
		}
		have := map[string]bool{}
		for _, r := range rows {
			if len(r) == 2 {
				have[strings.TrimSpace(r[1])] = true
			}
		}
		for _, n := range SpeciesNames {
			if !have[n] {
				return "", fmt.Errorf("akmotion: %s has no animal %q", sp, n)
			}
		}
	}
	return fp.Sum(), nil
}

// AnimalsFile is Animal-CLIP's list of the 897 animal names in a data root.
const AnimalsFile = "animals.csv"

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
