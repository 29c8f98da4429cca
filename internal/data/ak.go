package data

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Animal Kingdom file names under <data root>/animalkingdom.
const (
	AKDir                   = "animalkingdom"
	AKTrainFile             = "train_light.csv"
	AKValFile               = "val_light.csv"
	AKClassesFile           = "classes.csv"
	AKClassDescriptionsFile = "class_descriptions.csv"
	AKSummariesFile         = "summaries.csv"
	AKNumFolds              = 5 // 0_light.csv ... 4_light.csv
)

// Head/middle/tail thresholds of the Animal Kingdom evaluation, on the
// number of positives of a class in the train split (Ng et al., CVPR 2022):
// head > 500, middle 100..500, tail < 100.
const (
	AKHeadAbove = 500
	AKTailBelow = 100
)

// AKClip is one Animal Kingdom clip and its class indices.
type AKClip struct {
	ID     string
	Labels []int
}

// AnimalKingdom is the action-recognition part of Animal Kingdom as read
// from a directory holding the files named above.
type AnimalKingdom struct {
	Dir               string
	Classes           []string   // K names in index order (classes.csv)
	ClassDescriptions []string   // aligned with Classes; nil if the file is absent
	Train, Val        []AKClip   // train_light.csv, val_light.csv
	Folds             [][]AKClip // the 5 cross-validation folds of train, nil if absent
	Summaries         map[string]string
	Fingerprint       string
}

// LoadAnimalKingdom reads dir (usually <root>/animalkingdom). classes.csv,
// train_light.csv and val_light.csv are required; the folds, the class
// descriptions and the summaries are read when present.
func LoadAnimalKingdom(dir string) (*AnimalKingdom, error) {
	var fp Fingerprinter
	ak := &AnimalKingdom{Dir: dir}
	var err error
	if ak.Classes, err = ReadAKClasses(filepath.Join(dir, AKClassesFile), &fp); err != nil {
		return nil, err
	}
	k := len(ak.Classes)
	if ak.Train, err = ReadAKSplit(filepath.Join(dir, AKTrainFile), k, &fp); err != nil {
		return nil, err
	}
	if ak.Val, err = ReadAKSplit(filepath.Join(dir, AKValFile), k, &fp); err != nil {
		return nil, err
	}
	if p := filepath.Join(dir, AKClassDescriptionsFile); exists(p) {
		if ak.ClassDescriptions, err = ReadAKClassDescriptions(p, ak.Classes, &fp); err != nil {
			return nil, err
		}
	}
	if p := filepath.Join(dir, AKSummariesFile); exists(p) {
		if ak.Summaries, err = ReadSummaries(p, &fp); err != nil {
			return nil, err
		}
	}
	for i := 0; i < AKNumFolds; i++ {
		p := filepath.Join(dir, fmt.Sprintf("%d_light.csv", i))
		if !exists(p) {
			break
		}
		f, err := ReadAKFold(p, k, &fp)
		if err != nil {
			return nil, err
		}
		ak.Folds = append(ak.Folds, f)
	}
	ak.Fingerprint = fp.Sum()
	return ak, nil
}

// TrainCounts returns the number of train clips of each class.
func (ak *AnimalKingdom) TrainCounts() []int { return LabelCounts(ak.Train, len(ak.Classes)) }

// LabelCounts counts the positives of each of k classes in clips.
func LabelCounts(clips []AKClip, k int) []int {
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

// Segment names of a class by train frequency.
const (
	SegHead   = "head"
	SegMiddle = "middle"
	SegTail   = "tail"
)

// Segments assigns each class to head (>500 train positives), middle
// (100..500) or tail (<100).
func Segments(trainCounts []int) []string {
	s := make([]string, len(trainCounts))
	for i, c := range trainCounts {
		switch {
		case c > AKHeadAbove:
			s[i] = SegHead
		case c >= AKTailBelow:
			s[i] = SegMiddle
		default:
			s[i] = SegTail
		}
	}
	return s
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// parseLabelList parses "2,40" (optionally quoted, optionally empty) into
// class indices, checking 0 <= l < k when k > 0 and rejecting duplicates.
func parseLabelList(s string, k int) ([]int, error) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"`))
	if s == "" {
		return nil, errors.New("no labels")
	}
	parts := strings.Split(s, ",")
	out := make([]int, 0, len(parts))
	seen := map[int]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		v, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("label %q is not an integer", p)
		}
		if v < 0 || (k > 0 && v >= k) {
			return nil, fmt.Errorf("label %d outside 0..%d", v, k-1)
		}
		if seen[v] {
			continue // a repeated label adds nothing to a multi-hot target
		}
		seen[v] = true
		out = append(out, v)
	}
	return out, nil
}

// ReadAKSplit reads train_light.csv / val_light.csv: a header
// "video_id;labels" then "ID;l1,l2,..." rows. k > 0 bounds the labels.
func ReadAKSplit(path string, k int, fp *Fingerprinter) ([]AKClip, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	return ParseAKSplit(path, b, k)
}

// ParseAKSplit parses the content of a train_light.csv / val_light.csv
// file named path (for error messages).
func ParseAKSplit(path string, b []byte, k int) ([]AKClip, error) {
	var clips []AKClip
	seen := map[string]int{}
	err := lines(b, func(n int, line string) error {
		if strings.TrimSpace(line) == "" {
			return nil
		}
		if n == 1 {
			if !strings.HasPrefix(strings.ToLower(line), "video_id;") {
				return perr(path, n, "header must be %q, got %q", "video_id;labels", line)
			}
			return nil
		}
		id, labels, ok := strings.Cut(line, ";")
		if !ok {
			return perr(path, n, "want video_id;labels, no ';' in %q", line)
		}
		id = strings.TrimSpace(id)
		if id == "" {
			return perr(path, n, "empty video_id")
		}
		if prev, dup := seen[id]; dup {
			return perr(path, n, "video_id %q already on line %d", id, prev)
		}
		seen[id] = n
		ls, err := parseLabelList(labels, k)
		if err != nil {
			return perr(path, n, "%v", err)
		}
		clips = append(clips, AKClip{ID: id, Labels: ls})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(clips) == 0 {
		return nil, perr(path, 0, "no clips")
	}
	return clips, nil
}

// csvRecords parses CSV content (quotes, embedded commas and newlines),
// calling fn with each record and its starting line number.
func csvRecords(path string, b []byte, fields int, fn func(line int, rec []string) error) error {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return perr(path, pe.Line, "%v", pe.Err)
			}
			return perr(path, line, "%v", err)
		}
		if fields > 0 && len(rec) != fields {
			return perr(path, line, "want %d fields, got %d", fields, len(rec))
		}
		for i := range rec {
			rec[i] = strings.TrimRight(rec[i], "\r")
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}

// ReadAKFold reads a cross-validation fold file: header "video_id,labels",
// rows `ID,"l1,l2"` (a single label is unquoted).
func ReadAKFold(path string, k int, fp *Fingerprinter) ([]AKClip, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	var clips []AKClip
	err = csvRecords(path, b, 2, func(n int, rec []string) error {
		if n == 1 && strings.EqualFold(rec[0], "video_id") {
			return nil
		}
		if rec[0] == "" {
			return perr(path, n, "empty video_id")
		}
		ls, err := parseLabelList(rec[1], k)
		if err != nil {
			return perr(path, n, "%v", err)
		}
		clips = append(clips, AKClip{ID: rec[0], Labels: ls})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(clips) == 0 {
		return nil, perr(path, 0, "no clips")
	}
	return clips, nil
}

// ReadAKClasses reads classes.csv: header "id,name", then one row per class
// with ids 0..K-1 in order.
func ReadAKClasses(path string, fp *Fingerprinter) ([]string, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	var names []string
	err = csvRecords(path, b, 2, func(n int, rec []string) error {
		if n == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "id") {
			return nil
		}
		id, err := strconv.Atoi(strings.TrimSpace(rec[0]))
		if err != nil {
			return perr(path, n, "id %q is not an integer", rec[0])
		}
		if id != len(names) {
			return perr(path, n, "id %d out of order (want %d)", id, len(names))
		}
		name := strings.TrimSpace(rec[1])
		if name == "" {
			return perr(path, n, "empty class name")
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, perr(path, 0, "no classes")
	}
	return names, nil
}

// ReadAKClassDescriptions reads class_descriptions.csv ("name,description"
// rows, no header) and returns the descriptions aligned with classes. Every
// class must have exactly one description.
func ReadAKClassDescriptions(path string, classes []string, fp *Fingerprinter) ([]string, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	byName := map[string]string{}
	err = csvRecords(path, b, 2, func(n int, rec []string) error {
		name := strings.TrimSpace(rec[0])
		if n == 1 && strings.EqualFold(name, "name") {
			return nil
		}
		if _, dup := byName[name]; dup {
			return perr(path, n, "class %q described twice", name)
		}
		byName[name] = strings.TrimSpace(rec[1])
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(classes))
	for i, c := range classes {
		d, ok := byName[c]
		if !ok {
			return nil, perr(path, 0, "no description for class %d %q", i, c)
		}
		out[i] = d
	}
	return out, nil
}

// ReadSummaries reads a "video,summary" CSV (Animal Kingdom or BaboonLand
// generated descriptions). A repeated id keeps its first summary (the
// BaboonLand file repeats ids).
func ReadSummaries(path string, fp *Fingerprinter) (map[string]string, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	err = csvRecords(path, b, 2, func(n int, rec []string) error {
		if n == 1 && strings.EqualFold(rec[0], "video") {
			return nil
		}
		if rec[0] == "" {
			return perr(path, n, "empty video id")
		}
		if _, dup := out[rec[0]]; !dup {
			out[rec[0]] = rec[1]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, perr(path, 0, "no summaries")
	}
	return out, nil
}

// CharadesClip is one clip of a Charades-style frame list (the original
// Animal Kingdom and the BaboonLand annotation): its frames and the union of
// their labels.
type CharadesClip struct {
	OriginalID string   // original_vido_id (the spelling of the header)
	VideoIndex int      // video_id column
	Frames     []string // frame paths in file order
	Labels     []int    // union of the frames' labels, sorted
}

// ReadCharades reads a space-separated Charades-style annotation (the
// original Animal Kingdom files, BaboonLand): an optional header such as
// "original_vido_id video_id frame_id path labels", then one row per
// frame whose last field is a comma-separated (possibly quoted) label list
// or a single label. Rows of a clip are grouped by original_vido_id in order
// of first appearance; k > 0 bounds the labels.
func ReadCharades(path string, k int, fp *Fingerprinter) ([]CharadesClip, error) {
	b, err := readFile(path, fp)
	if err != nil {
		return nil, err
	}
	var clips []CharadesClip
	index := map[string]int{}
	sets := []map[int]bool{}
	err = lines(b, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) == 0 {
			return nil
		}
		if n == 1 && len(f) >= 2 {
			if _, err := strconv.Atoi(f[1]); err != nil {
				return nil // header, e.g. "original_vido_id video_id frame_id path labels"
			}
		}
		if len(f) < 4 {
			return perr(path, n, "want 'original_vido_id video_id frame_id path labels', got %d fields", len(f))
		}
		vi, err := strconv.Atoi(f[1])
		if err != nil {
			return perr(path, n, "video_id %q is not an integer", f[1])
		}
		if _, err := strconv.Atoi(f[2]); err != nil {
			return perr(path, n, "frame_id %q is not an integer", f[2])
		}
		var ls []int
		if len(f) >= 5 {
			ls, err = parseLabelList(strings.Join(f[4:], ""), k)
			if err != nil {
				return perr(path, n, "%v", err)
			}
		}
		i, ok := index[f[0]]
		if !ok {
			i = len(clips)
			index[f[0]] = i
			clips = append(clips, CharadesClip{OriginalID: f[0], VideoIndex: vi})
			sets = append(sets, map[int]bool{})
		}
		clips[i].Frames = append(clips[i].Frames, f[3])
		for _, l := range ls {
			sets[i][l] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range clips {
		clips[i].Labels = sortedKeys(sets[i])
	}
	if len(clips) == 0 {
		return nil, perr(path, 0, "no frames")
	}
	return clips, nil
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
