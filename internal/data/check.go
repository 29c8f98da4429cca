package data

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/atomicfile"
)

// File statuses of a CheckReport.
const (
	StatusOK        = "ok"
	StatusMissing   = "missing"   // an expected file of a present dataset is not there
	StatusAbsent    = "absent"    // an optional file (not distributed with the data root) is not there
	StatusMalformed = "malformed" // the reader rejected it
	StatusMismatch  = "mismatch"  // its SHA-256 differs from the data root's SHA256SUMS
)

// Dataset statuses of a CheckReport.
const (
	DatasetOK     = "ok"     // its folder is present and every file in it is sound
	DatasetAbsent = "absent" // no folder for it under the data root: not an error unless required
	DatasetBroken = "broken" // its folder is present but a file is missing, malformed or modified
)

// SumsFile is the checksum list of a data root, in the format of
// `sha256sum` ("<hex>  ./<path>", one file a line). Check verifies it
// when present; `actrepro synth` writes it for the twins.
const SumsFile = "SHA256SUMS"

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
	Status      string      `json:"status"`              // DatasetOK, DatasetAbsent or DatasetBroken
	Synthetic   bool        `json:"synthetic,omitempty"` // the folder carries the SYNTHETIC.txt marker of a twin
	Fingerprint string      `json:"fingerprint,omitempty"`
	Files       []FileCheck `json:"files"`
	Problems    []string    `json:"problems,omitempty"` // this dataset's share of CheckReport.Problems
	Hint        string      `json:"hint,omitempty"`     // for an absent dataset: where to get it
}

// SumsCheck summarises the verification of the data root's SHA256SUMS.
type SumsCheck struct {
	File     string `json:"file"`     // SumsFile
	Listed   int    `json:"listed"`   // entries in the file
	Verified int    `json:"verified"` // entries whose file matched
	Skipped  int    `json:"skipped"`  // entries of absent (or not selected) datasets
	Failed   int    `json:"failed"`   // entries missing or mismatched
}

// CheckReport is what `actrepro data check` prints.
type CheckReport struct {
	DataRoot  string         `json:"data_root"`
	Datasets  []DatasetCheck `json:"datasets"`
	Checksums *SumsCheck     `json:"checksums,omitempty"` // nil when the root has no SHA256SUMS
	Problems  []string       `json:"problems"`            // one line per missing, malformed or modified file
}

// OK reports whether every present (and every required) dataset is sound.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

// Present returns the names of the datasets whose folder is present.
func (r *CheckReport) Present() []string {
	var out []string
	for _, d := range r.Datasets {
		if d.Status != DatasetAbsent {
			out = append(out, d.Dataset)
		}
	}
	return out
}

// CheckOptions selects what Check checks.
type CheckOptions struct {
	// Datasets, when non-empty, restricts the check to these datasets
	// (names as in CheckedDatasets) and makes each one required: an absent
	// one is then a problem, not a note.
	Datasets []string
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

// checkedDataset is one dataset Check knows: its folder under the data
// root, its files, and where to get it when it is absent.
type checkedDataset struct {
	name, dir, source string
	files             []fileSpec
}

// datasetSources says where each dataset comes from (the README's Data
// table in one line); shown for an absent dataset.
var datasetSources = map[string]string{
	AKDir:          "annotations of github.com/edofazza/ARTEMIS and github.com/PRIS-CV/Animal-CLIP",
	BaboonDir:      "baboonland_summary.csv of github.com/edofazza/ARTEMIS",
	THUMOSDir:      "the annotation files of ActionFormer (thumos14.json) and AFSD (thumos_annotations/)",
	ActivityNetDir: "activity_net.v1-3.min.json from activity-net.org",
	UCF101Dir:      "the UCF101 Train/Test Splits zip from crcv.ucf.edu",
	UCF50Dir:       "the UCF50 videos from crcv.ucf.edu/data/UCF50.php",
}

// CheckedDatasets lists the datasets Check knows, in report order.
func CheckedDatasets() []string {
	return []string{AKDir, BaboonDir, THUMOSDir, ActivityNetDir, UCF101Dir, UCF50Dir}
}

func absentHint(name string) string {
	return fmt.Sprintf("no %s/ folder; get %s (README, section Data) or write a twin: actrepro synth %s --out DATA_ROOT", name, datasetSources[name], name)
}

// Check reads every known file under root with its reader and reports, per
// dataset, whether it is absent (no folder: not an error), sound, or
// broken (a file missing, malformed or not matching SHA256SUMS), with the
// files' fingerprints and counts.
func Check(root string) (*CheckReport, error) { return CheckWith(root, CheckOptions{}) }

// CheckWith is Check restricted by o. The error is for an unusable root or
// an unknown dataset name; problems with the data are in the report.
func CheckWith(root string, o CheckOptions) (*CheckReport, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("data root %q: %w", root, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("data root %q is not a directory", root)
	}
	selected := map[string]bool{}
	for _, n := range o.Datasets {
		if !slices.Contains(CheckedDatasets(), n) {
			return nil, fmt.Errorf("unknown dataset %q (known: %s)", n, strings.Join(CheckedDatasets(), ", "))
		}
		selected[n] = true
	}
	rep := &CheckReport{DataRoot: root, Problems: []string{}}
	for _, ds := range knownDatasets() {
		if len(selected) > 0 && !selected[ds.name] {
			continue
		}
		dc := DatasetCheck{Dataset: ds.name, Dir: ds.dir, Files: []FileCheck{}}
		if st, err := os.Stat(filepath.Join(root, ds.dir)); err != nil || !st.IsDir() {
			dc.Status = DatasetAbsent
			dc.Hint = absentHint(ds.name)
			if selected[ds.name] {
				dc.Problems = append(dc.Problems, fmt.Sprintf("ABSENT %s/: no such folder under the data root, and --dataset %s requires it", ds.dir, ds.name))
			}
			rep.addDataset(dc)
			continue
		}
		dc.Synthetic = exists(filepath.Join(root, ds.dir, SynthMarker))
		if ds.name == UCF50Dir {
			checkUCF50(root, &dc)
		} else {
			checkFiles(root, ds, &dc)
		}
		rep.addDataset(dc)
	}
	if err := rep.verifySums(root, selected); err != nil {
		return nil, err
	}
	return rep, nil
}

// addDataset appends dc with its status and copies its problems to the report.
func (r *CheckReport) addDataset(dc DatasetCheck) {
	switch {
	case len(dc.Problems) > 0 && dc.Status != DatasetAbsent: // a required absent one stays absent
		dc.Status = DatasetBroken
	case dc.Status == "":
		dc.Status = DatasetOK
	}
	r.Problems = append(r.Problems, dc.Problems...)
	r.Datasets = append(r.Datasets, dc)
}

// knownDatasets returns the datasets with their files and readers. Readers
// of one dataset share state (Animal Kingdom's class count), so each call
// makes fresh closures.
func knownDatasets() []checkedDataset {
	var akClasses int
	type akSplitClips struct {
		file string
		ids  []string
	}
	var akClips []akSplitClips // train and val clips, to cross-check summaries.csv
	akSplit := func(p string) (map[string]int, error) {
		c, err := ReadAKSplit(p, akClasses, nil)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(c))
		for i, x := range c {
			ids[i] = x.ID
		}
		akClips = append(akClips, akSplitClips{filepath.Base(p), ids})
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
	return []checkedDataset{
		{name: AKDir, dir: AKDir, files: []fileSpec{
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
					return nil, errors.New("needs a readable classes.csv")
				}
				d, err := ReadAKClassDescriptions(p, akNames, nil)
				return countsOf("classes", len(d)), err
			}},
			{AKSummariesFile, false, func(p string) (map[string]int, error) {
				s, err := ReadSummaries(p, nil)
				if err != nil {
					return nil, err
				}
				// The text track needs a description of every clip
				// (LoadAKText); a truncated file loses the last ones.
				for _, sp := range akClips {
					missing, first := 0, ""
					for _, id := range sp.ids {
						if _, ok := s[id]; !ok {
							if missing == 0 {
								first = id
							}
							missing++
						}
					}
					if missing > 0 {
						return nil, fmt.Errorf("%s: no description for %d of the %d clips of %s (the first is %q): the file is truncated or incomplete", p, missing, len(sp.ids), sp.file, first)
					}
				}
				return countsOf("clips", len(s)), nil
			}},
		}},
		{name: BaboonDir, dir: BaboonDir, files: []fileSpec{
			{BaboonSummariesFile, false, func(p string) (map[string]int, error) {
				s, err := ReadSummaries(p, nil)
				return countsOf("clips", len(s)), err
			}},
			{BaboonTrainFile, true, baboonCounts},
			{BaboonValFile, true, baboonCounts},
		}},
		{name: THUMOSDir, dir: THUMOSDir, files: []fileSpec{
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
		{name: ActivityNetDir, dir: ActivityNetDir, files: []fileSpec{{ActivityNetFile, false, detectionCounts}}},
		{name: UCF101Dir, dir: UCF101Dir, files: []fileSpec{
			{UCF101ClassFile, false, func(p string) (map[string]int, error) {
				c, err := ReadClassIndex(p, nil)
				return countsOf("classes", len(c)), err
			}},
			{"trainlist01.txt", false, nil}, {"testlist01.txt", false, nil},
			{"trainlist02.txt", false, nil}, {"testlist02.txt", false, nil},
			{"trainlist03.txt", false, nil}, {"testlist03.txt", false, nil},
		}},
		{name: UCF50Dir, dir: UCF50Dir},
	}
}

// checkFiles reads each file of a present dataset with its reader.
func checkFiles(root string, ds checkedDataset, dc *DatasetCheck) {
	var fp Fingerprinter
	found := 0
	var ucf *UCF101
	if ds.name == UCF101Dir && exists(filepath.Join(root, ds.dir, UCF101ClassFile)) {
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
			dc.Problems = append(dc.Problems, fmt.Sprintf("MISSING %s (%s)", rel, firstLine(err)))
		default:
			found++
			fc.Fingerprint = FileFingerprint(p, b)
			fp.Add(p, b)
			read := f.read
			if read == nil && ds.name == UCF101Dir {
				read = ucfListCounts(ucf, f.name)
			}
			counts, err := read(p)
			fc.Counts = counts
			fc.Status = StatusOK
			if err != nil {
				fc.Status = StatusMalformed
				fc.Error = err.Error()
				fc.Counts = nil
				dc.Problems = append(dc.Problems, fmt.Sprintf("MALFORMED %s: %v", rel, err))
			}
		}
		dc.Files = append(dc.Files, fc)
	}
	if found > 0 {
		dc.Fingerprint = fp.Sum()
	}
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

func checkUCF50(root string, dc *DatasetCheck) {
	p := filepath.Join(root, UCF50Dir)
	fc := FileCheck{File: UCF50Dir + "/"}
	u, err := LoadUCF50(p)
	if err != nil {
		fc.Status = StatusMalformed
		fc.Error = err.Error()
		dc.Problems = append(dc.Problems, fmt.Sprintf("MALFORMED %s: %v", fc.File, err))
	} else {
		fc.Status = StatusOK
		fc.Fingerprint = u.Fingerprint
		fc.Counts = countsOf("classes", len(u.Classes), "videos", len(u.Videos))
		dc.Fingerprint = u.Fingerprint
	}
	dc.Files = append(dc.Files, fc)
}

// sumEntry is one line of a SHA256SUMS file.
type sumEntry struct {
	line int
	sum  string // lower-case hex
	path string // slash-separated, relative to the data root, no "./"
}

// readSums parses a SHA256SUMS file: "<64 hex digits>  <path>" (or
// " *<path>", sha256sum's binary mode) per line; blank lines are skipped.
func readSums(p string) ([]sumEntry, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out []sumEntry
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, rest, ok := strings.Cut(line, " ")
		if !ok || len(sum) != 64 || !isHex(sum) || len(rest) < 2 || (rest[0] != ' ' && rest[0] != '*') {
			return nil, perr(p, i+1, "want \"<64 hex digits>  <path>\" (sha256sum's format), got %q", line)
		}
		rel := path.Clean(strings.TrimPrefix(rest[1:], "./"))
		if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
			return nil, perr(p, i+1, "path %q leaves the data root", rest[1:])
		}
		out = append(out, sumEntry{line: i + 1, sum: strings.ToLower(sum), path: rel})
	}
	return out, nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// sha256File returns the hex SHA-256 of a file's bytes and its size.
func sha256File(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// verifySums checks every entry of root/SHA256SUMS whose dataset folder is
// present (and selected): a missing or different file is a problem of that
// dataset. Entries outside any known dataset folder are checked when their
// top folder exists (top-level files always).
func (r *CheckReport) verifySums(root string, selected map[string]bool) error {
	sumsPath := filepath.Join(root, SumsFile)
	if !exists(sumsPath) {
		return nil
	}
	sc := &SumsCheck{File: SumsFile}
	r.Checksums = sc
	entries, err := readSums(sumsPath)
	if err != nil {
		r.Problems = append(r.Problems, fmt.Sprintf("MALFORMED %s: %v", SumsFile, err))
		sc.Failed++
		return nil
	}
	sc.Listed = len(entries)
	byDir := map[string]int{}
	for i, d := range r.Datasets {
		byDir[d.Dir] = i
	}
	for _, e := range entries {
		top, _, nested := strings.Cut(e.path, "/")
		di, known := byDir[top]
		switch {
		case len(selected) > 0 && !known: // a dataset not asked for, or not a dataset
			sc.Skipped++
			continue
		case known && r.Datasets[di].Status == DatasetAbsent:
			sc.Skipped++
			continue
		case !known && nested && !exists(filepath.Join(root, top)):
			sc.Skipped++
			continue
		}
		var msg string
		got, size, err := sha256File(filepath.Join(root, filepath.FromSlash(e.path)))
		switch {
		case err != nil:
			msg = fmt.Sprintf("MISSING %s (listed in %s:%d: %s)", e.path, SumsFile, e.line, firstLine(err))
		case got != e.sum:
			msg = fmt.Sprintf("CHECKSUM %s: SHA-256 %s… of its %d bytes differs from %s:%d (%s…): the file is truncated or modified", e.path, got[:12], size, SumsFile, e.line, e.sum[:12])
		default:
			sc.Verified++
			continue
		}
		sc.Failed++
		r.Problems = append(r.Problems, msg)
		if known {
			d := &r.Datasets[di]
			d.Problems = append(d.Problems, msg)
			d.Status = DatasetBroken
			for j := range d.Files {
				if filepath.ToSlash(d.Files[j].File) == e.path && d.Files[j].Status == StatusOK {
					d.Files[j].Status = StatusMismatch
					d.Files[j].Error = msg
				}
			}
		}
	}
	return nil
}

// WriteSums records the SHA-256 of every regular file under root/dir in
// root/SHA256SUMS (sha256sum's format, paths "./dir/...", sorted), keeping
// the entries of other folders: `actrepro synth` calls it after writing a
// twin, so that `data check` tells a truncated twin file from a sound one.
func WriteSums(root, dir string) error {
	sumsPath := filepath.Join(root, SumsFile)
	var keep []string
	if exists(sumsPath) {
		entries, err := readSums(sumsPath)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.path != dir && !strings.HasPrefix(e.path, dir+"/") {
				keep = append(keep, e.sum+"  ./"+e.path)
			}
		}
	}
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		sum, _, err := sha256File(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		keep = append(keep, sum+"  ./"+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", SumsFile, err)
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i][66:] < keep[j][66:] })
	return atomicfile.Write(sumsPath, []byte(strings.Join(keep, "\n")+"\n"))
}
