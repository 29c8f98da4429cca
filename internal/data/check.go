package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File statuses of a CheckReport.
const (
	StatusOK        = "ok"
	StatusMissing   = "missing"   // an expected file is not there
	StatusAbsent    = "absent"    // an optional file (not distributed with the data root) is not there
	StatusMalformed = "malformed" // the reader rejected it
)

// FileCheck is the check of one file.
type FileCheck struct {
	File        string         `json:"file"` // relative to the data root
	Status      string         `json:"status"`
	Fingerprint string         `json:"fingerprint,omitempty"`
	Counts      map[string]int `json:"counts,omitempty"`
	Error       string         `json:"error,omitempty"`
}

// DatasetCheck is the check of one dataset's folder.
type DatasetCheck struct {
	Dataset     string      `json:"dataset"`
	Dir         string      `json:"dir"`
	Fingerprint string      `json:"fingerprint,omitempty"` // over the files found
	Files       []FileCheck `json:"files"`
}

// CheckReport is what `actrepro data check` prints.
type CheckReport struct {
	DataRoot string         `json:"data_root"`
	Datasets []DatasetCheck `json:"datasets"`
	Problems []string       `json:"problems"` // one line per missing or malformed file
}

type fileSpec struct {
	name     string
	optional bool
	read     func(path string) (map[string]int, error)
}

func countsOf(pairs ...any) map[string]int {
	m := map[string]int{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i].(string)] = pairs[i+1].(int)
	}
	return m
}

// Check reads every known file under root with its reader and reports what
// is found, its fingerprint and counts, and every missing or malformed file.
func Check(root string) (*CheckReport, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("data root %q: %w", root, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("data root %q is not a directory", root)
	}
	rep := &CheckReport{DataRoot: root, Problems: []string{}}
	var akClasses int
	akSplit := func(p string) (map[string]int, error) {
		c, err := ReadAKSplit(p, akClasses, nil)
		if err != nil {
			return nil, err
		}
		counts := LabelCounts(c, akClasses)
		n, present := 0, 0
		for _, x := range c {
			n += len(x.Labels)
		}
		for _, x := range counts {
			if x > 0 {
				present++
			}
		}
		m := countsOf("clips", len(c), "labels", n, "classes_with_positives", present)
		if filepath.Base(p) == AKTrainFile { // segments are defined by train counts
			for _, s := range Segments(counts) {
				m[s+"_classes"]++
			}
		}
		return m, nil
	}
	akFold := func(p string) (map[string]int, error) {
		c, err := ReadAKFold(p, akClasses, nil)
		return countsOf("clips", len(c)), err
	}
	var akNames []string
	datasets := []struct {
		name  string
		dir   string
		files []fileSpec
	}{
		{"animalkingdom", AKDir, []fileSpec{
			{AKClassesFile, false, func(p string) (map[string]int, error) {
				c, err := ReadAKClasses(p, nil)
				akClasses, akNames = len(c), c
				return countsOf("classes", len(c)), err
			}},
			{AKTrainFile, false, akSplit},
			{AKValFile, false, akSplit},
			{"0_light.csv", false, akFold}, {"1_light.csv", false, akFold}, {"2_light.csv", false, akFold},
			{"3_light.csv", false, akFold}, {"4_light.csv", false, akFold},
			{AKClassDescriptionsFile, false, func(p string) (map[string]int, error) {
				if akNames == nil {
					return nil, errors.New("needs classes.csv")
				}
				d, err := ReadAKClassDescriptions(p, akNames, nil)
				return countsOf("classes", len(d)), err
			}},
			{AKSummariesFile, false, func(p string) (map[string]int, error) {
				s, err := ReadSummaries(p, nil)
				return countsOf("clips", len(s)), err
			}},
		}},
		{"baboonland", BaboonDir, []fileSpec{
			{BaboonSummariesFile, false, func(p string) (map[string]int, error) {
				s, err := ReadSummaries(p, nil)
				return countsOf("clips", len(s)), err
			}},
			{BaboonTrainFile, true, baboonCounts},
			{BaboonValFile, true, baboonCounts},
		}},
		{"thumos14", THUMOSDir, []fileSpec{
			{THUMOSActionFormer, false, detectionCounts}, {THUMOSAFSDGT, false, detectionCounts},
			{THUMOSClassIndex, false, func(p string) (map[string]int, error) {
				c, err := ReadClassIndex(p, nil)
				return countsOf("classes", len(c)), err
			}},
			{THUMOSTestGT, false, func(p string) (map[string]int, error) {
				g, err := ReadGroundTruthCSV(p, nil)
				return countsOf("segments", len(g), "videos", distinct(len(g), func(i int) string { return g[i].Video })), err
			}},
			{THUMOSTestAnnotation, false, annotationCounts}, {"test_Annotation_ours.csv", false, annotationCounts},
			{THUMOSValAnnotation, false, annotationCounts}, {"val_Annotation_ours.csv", false, annotationCounts},
			{THUMOSTestInfo, false, infoCounts}, {THUMOSValInfo, false, infoCounts},
		}},
		{"activitynet", ActivityNetDir, []fileSpec{{ActivityNetFile, true, detectionCounts}}},
		{"ucf101", UCF101Dir, []fileSpec{
			{UCF101ClassFile, false, func(p string) (map[string]int, error) {
				c, err := ReadClassIndex(p, nil)
				return countsOf("classes", len(c)), err
			}},
			{"trainlist01.txt", false, nil}, {"testlist01.txt", false, nil},
			{"trainlist02.txt", false, nil}, {"testlist02.txt", false, nil},
			{"trainlist03.txt", false, nil}, {"testlist03.txt", false, nil},
		}},
		{"ucf50", UCF50Dir, nil},
	}
	for _, ds := range datasets {
		dc := DatasetCheck{Dataset: ds.name, Dir: ds.dir, Files: []FileCheck{}}
		var fp Fingerprinter
		found := 0
		if ds.name == "ucf50" {
			dc.Files = append(dc.Files, checkUCF50(root, &dc, rep))
			rep.Datasets = append(rep.Datasets, dc)
			continue
		}
		var ucf *UCF101
		if ds.name == "ucf101" && exists(filepath.Join(root, ds.dir, UCF101ClassFile)) {
			ucf, _ = LoadUCF101(filepath.Join(root, ds.dir)) // per-file errors are reported below
		}
		for _, f := range ds.files {
			rel := filepath.Join(ds.dir, f.name)
			p := filepath.Join(root, rel)
			fc := FileCheck{File: rel}
			b, err := os.ReadFile(p)
			switch {
			case errors.Is(err, os.ErrNotExist) && f.optional:
				fc.Status = StatusAbsent
			case err != nil:
				fc.Status = StatusMissing
				fc.Error = err.Error()
				rep.Problems = append(rep.Problems, fmt.Sprintf("MISSING %s (%s)", rel, firstLine(err)))
			default:
				found++
				fc.Fingerprint = FileFingerprint(p, b)
				fp.Add(p, b)
				read := f.read
				if read == nil && ds.name == "ucf101" {
					read = ucfListCounts(ucf, f.name)
				}
				counts, err := read(p)
				fc.Counts = counts
				fc.Status = StatusOK
				if err != nil {
					fc.Status = StatusMalformed
					fc.Error = err.Error()
					fc.Counts = nil
					rep.Problems = append(rep.Problems, fmt.Sprintf("MALFORMED %s: %v", rel, err))
				}
			}
			dc.Files = append(dc.Files, fc)
		}
		if found > 0 {
			dc.Fingerprint = fp.Sum()
		}
		rep.Datasets = append(rep.Datasets, dc)
	}
	return rep, nil
}

func firstLine(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "no such file"
	}
	return err.Error()
}

func distinct(n int, key func(int) string) int {
	s := map[string]bool{}
	for i := 0; i < n; i++ {
		s[key(i)] = true
	}
	return len(s)
}

func baboonCounts(p string) (map[string]int, error) {
	c, err := ReadCharades(p, len(BaboonClasses), nil)
	frames := 0
	for _, x := range c {
		frames += len(x.Frames)
	}
	return countsOf("clips", len(c), "frames", frames), err
}

func detectionCounts(p string) (map[string]int, error) {
	d, err := ReadDetectionJSON(p, nil)
	if err != nil {
		return nil, err
	}
	m := countsOf("videos", len(d.Videos), "labels", len(d.Labels()))
	for s, c := range d.Subsets() {
		m["videos_"+s] = c[0]
		m["segments_"+s] = c[1]
	}
	return m, nil
}

func annotationCounts(p string) (map[string]int, error) {
	a, err := ReadAnnotationCSV(p, nil)
	return countsOf("segments", len(a), "videos", distinct(len(a), func(i int) string { return a[i].Video })), err
}

func infoCounts(p string) (map[string]int, error) {
	v, err := ReadVideoInfoCSV(p, nil)
	return countsOf("videos", len(v)), err
}

// ucfListCounts reads one split list against classInd.txt.
func ucfListCounts(u *UCF101, name string) func(string) (map[string]int, error) {
	return func(p string) (map[string]int, error) {
		if u == nil {
			return nil, errors.New("needs a readable classInd.txt")
		}
		byName := map[string]int{}
		for i, c := range u.Classes {
			byName[lower(c)] = i
		}
		v, err := readUCFList(p, byName, name[:5] == "train", nil)
		return countsOf("videos", len(v)), err
	}
}

// UCF50Dir is the UCF50 release folder under the data root (class folders
// of videos; not distributed with the shared annotation files).
const UCF50Dir = "ucf50"

// ActivityNet v1.3 ground truth under the data root (optional).
const (
	ActivityNetDir  = "activitynet"
	ActivityNetFile = "activity_net.v1-3.min.json"
)

func checkUCF50(root string, dc *DatasetCheck, rep *CheckReport) FileCheck {
	p := filepath.Join(root, UCF50Dir)
	fc := FileCheck{File: UCF50Dir + "/"}
	if !exists(p) {
		fc.Status = StatusAbsent
		return fc
	}
	u, err := LoadUCF50(p)
	if err != nil {
		fc.Status = StatusMalformed
		fc.Error = err.Error()
		rep.Problems = append(rep.Problems, fmt.Sprintf("MALFORMED %s: %v", fc.File, err))
		return fc
	}
	fc.Status = StatusOK
	fc.Fingerprint = u.Fingerprint
	fc.Counts = countsOf("classes", len(u.Classes), "videos", len(u.Videos))
	dc.Fingerprint = u.Fingerprint
	return fc
}
