package data

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// akFiles is a small, sound Animal Kingdom folder: 2 classes, 2 train and
// 1 val clip, the 5 folds, descriptions and one summary per clip.
func akFiles() map[string]string {
	m := map[string]string{
		"animalkingdom/classes.csv":            "id,name\n0,A\n1,B\n",
		"animalkingdom/train_light.csv":        "video_id;labels\nX;0\nY;1,0\n",
		"animalkingdom/val_light.csv":          "video_id;labels\nZ;1\n",
		"animalkingdom/class_descriptions.csv": "A,\"an a\"\nB,\"a b\"\n",
		"animalkingdom/summaries.csv":          "video,summary\nX,one\nY,two\nZ,three\n",
	}
	for i := 0; i < 5; i++ {
		m[fmt.Sprintf("animalkingdom/%d_light.csv", i)] = "video_id,labels\nX,0\n"
	}
	return m
}

// with returns base with the changes applied (an empty value deletes).
func with(base map[string]string, changes map[string]string) map[string]string {
	m := maps.Clone(base)
	for k, v := range changes {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func sumLine(content, path string) string {
	h := sha256.Sum256([]byte(content))
	return hex.EncodeToString(h[:]) + "  ./" + path + "\n"
}

func TestCheck(t *testing.T) {
	ak := akFiles()
	sums := sumLine(ak["animalkingdom/train_light.csv"], "animalkingdom/train_light.csv") +
		sumLine(ak["animalkingdom/val_light.csv"], "animalkingdom/val_light.csv") +
		sumLine("x", "thumos14/thumos14.json") // a dataset that is absent here: skipped
	tests := []struct {
		name     string
		files    map[string]string
		datasets []string          // CheckOptions.Datasets
		status   map[string]string // dataset -> status (unlisted: absent)
		problems []string          // substrings, each in some problem line
		sums     *SumsCheck        // expected Checksums, nil when the root has none
	}{
		{
			name:   "only animal kingdom, sound",
			files:  ak,
			status: map[string]string{AKDir: DatasetOK},
		},
		{
			name:   "empty root: everything absent, no problem",
			files:  map[string]string{"README.md": "hello\n"},
			status: map[string]string{},
		},
		{
			name:     "malformed label: the file and line are named",
			files:    with(ak, map[string]string{"animalkingdom/val_light.csv": "video_id;labels\nZ;7\n"}),
			status:   map[string]string{AKDir: DatasetBroken},
			problems: []string{"MALFORMED animalkingdom/val_light.csv", "val_light.csv:2: label 7 outside 0..1"},
		},
		{
			name:     "a file of a present dataset is missing",
			files:    with(ak, map[string]string{"animalkingdom/0_light.csv": ""}),
			status:   map[string]string{AKDir: DatasetBroken},
			problems: []string{"MISSING animalkingdom/0_light.csv"},
		},
		{
			name:     "truncated summaries: a clip has no description",
			files:    with(ak, map[string]string{"animalkingdom/summaries.csv": "video,summary\nX,one\nY,two\n"}),
			status:   map[string]string{AKDir: DatasetBroken},
			problems: []string{"MALFORMED animalkingdom/summaries.csv", `no description for 1 of the 1 clips of val_light.csv (the first is "Z")`},
		},
		{
			name:     "a present folder with nothing in it is broken, not absent",
			files:    with(ak, map[string]string{"thumos14/notes.txt": "x\n"}),
			status:   map[string]string{AKDir: DatasetOK, THUMOSDir: DatasetBroken},
			problems: []string{"MISSING thumos14/thumos14.json"},
		},
		{
			name:     "--dataset requires the dataset",
			files:    ak,
			datasets: []string{THUMOSDir},
			status:   map[string]string{THUMOSDir: DatasetAbsent},
			problems: []string{"ABSENT thumos14/", "--dataset thumos14 requires it"},
		},
		{
			name:     "--dataset checks only what it names",
			files:    with(ak, map[string]string{"ucf101/classInd.txt": "1 A\n"}),
			datasets: []string{AKDir},
			status:   map[string]string{AKDir: DatasetOK},
		},
		{
			name:   "SHA256SUMS verified; entries of absent datasets skipped",
			files:  with(ak, map[string]string{SumsFile: sums}),
			status: map[string]string{AKDir: DatasetOK},
			sums:   &SumsCheck{File: SumsFile, Listed: 3, Verified: 2, Skipped: 1},
		},
		{
			name:     "SHA256SUMS: a modified file is named with the sums line",
			files:    with(ak, map[string]string{SumsFile: sums, "animalkingdom/val_light.csv": "video_id;labels\nZ;0\n"}),
			status:   map[string]string{AKDir: DatasetBroken},
			problems: []string{"CHECKSUM animalkingdom/val_light.csv", "differs from SHA256SUMS:2", "truncated or modified"},
			sums:     &SumsCheck{File: SumsFile, Listed: 3, Verified: 1, Skipped: 1, Failed: 1},
		},
		{
			name:     "SHA256SUMS: a listed file of a present dataset is missing",
			files:    with(ak, map[string]string{SumsFile: sums + sumLine("y", "animalkingdom/features/X.npy")}),
			status:   map[string]string{AKDir: DatasetBroken},
			problems: []string{"MISSING animalkingdom/features/X.npy (listed in SHA256SUMS:4"},
			sums:     &SumsCheck{File: SumsFile, Listed: 4, Verified: 2, Skipped: 1, Failed: 1},
		},
		{
			name:     "SHA256SUMS: a malformed line",
			files:    with(ak, map[string]string{SumsFile: sums + "nothex  ./x\n"}),
			status:   map[string]string{AKDir: DatasetOK},
			problems: []string{"MALFORMED SHA256SUMS", "SHA256SUMS:4: want"},
			sums:     &SumsCheck{File: SumsFile, Failed: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := writeFiles(t, tc.files)
			rep, err := CheckWith(root, CheckOptions{Datasets: tc.datasets})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range rep.Datasets {
				got[d.Dataset] = d.Status
				want, ok := tc.status[d.Dataset]
				if !ok {
					want = DatasetAbsent
				}
				if d.Status != want {
					t.Errorf("%s: status %q, want %q (problems %q)", d.Dataset, d.Status, want, d.Problems)
				}
				if d.Status == DatasetAbsent && !strings.Contains(d.Hint, "actrepro synth "+d.Dataset) {
					t.Errorf("%s: absent without a hint: %q", d.Dataset, d.Hint)
				}
			}
			if len(tc.datasets) > 0 && len(got) != len(tc.datasets) {
				t.Errorf("checked %v, want only %v", got, tc.datasets)
			}
			joined := strings.Join(rep.Problems, "\n")
			for _, p := range tc.problems {
				if !strings.Contains(joined, p) {
					t.Errorf("no problem containing %q in:\n%s", p, joined)
				}
			}
			if len(tc.problems) == 0 && !rep.OK() {
				t.Errorf("unexpected problems:\n%s", joined)
			}
			switch {
			case tc.sums == nil && rep.Checksums != nil:
				t.Errorf("checksums %+v, want none", *rep.Checksums)
			case tc.sums != nil && (rep.Checksums == nil || *rep.Checksums != *tc.sums):
				t.Errorf("checksums %+v, want %+v", rep.Checksums, *tc.sums)
			}
		})
	}
}

func TestCheckCounts(t *testing.T) {
	root := writeFiles(t, with(akFiles(), map[string]string{"ucf101/classInd.txt": "1 A\n"}))
	rep, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]FileCheck{}
	for _, d := range rep.Datasets {
		for _, f := range d.Files {
			files[f.File] = f
		}
	}
	if c := files["animalkingdom/train_light.csv"].Counts; c["clips"] != 2 || c["labels"] != 3 || c["tail_classes"] != 2 {
		t.Errorf("train counts %v, want 2 clips, 3 labels, 2 tail classes", c)
	}
	if f := files["ucf101/classInd.txt"]; f.Status != StatusOK || f.Counts["classes"] != 1 {
		t.Errorf("classInd.txt: %+v", f)
	}
	if f := files["ucf101/trainlist01.txt"]; f.Status != StatusMissing {
		t.Errorf("trainlist01.txt: %+v, want missing", f)
	}
	if f := files["baboonland/train.csv"]; f.File != "" {
		t.Errorf("an absent dataset lists no files, got %+v", f)
	}
}

func TestCheckBadInput(t *testing.T) {
	root := t.TempDir()
	if _, err := Check(filepath.Join(root, "nope")); err == nil {
		t.Error("missing root accepted")
	}
	file := filepath.Join(root, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file as root: %v", err)
	}
	if _, err := CheckWith(root, CheckOptions{Datasets: []string{"kinetics"}}); err == nil || !strings.Contains(err.Error(), `unknown dataset "kinetics"`) {
		t.Errorf("unknown dataset: %v", err)
	}
}

// TestWriteSums checks that WriteSums keeps other folders' entries,
// replaces its own, and that Check then catches a truncated file.
func TestWriteSums(t *testing.T) {
	root := writeFiles(t, with(akFiles(), map[string]string{
		SumsFile:           sumLine("old", "animalkingdom/gone.csv") + sumLine("kept", "thumos14/x.json"),
		"baboonland/a.txt": "a\n",
	}))
	if err := WriteSums(root, AKDir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "gone.csv") || !strings.Contains(s, "./thumos14/x.json") || strings.Contains(s, "baboonland") {
		t.Errorf("SHA256SUMS after WriteSums(animalkingdom):\n%s", s)
	}
	if want := sumLine(akFiles()["animalkingdom/val_light.csv"], "animalkingdom/val_light.csv"); !strings.Contains(s, want) {
		t.Errorf("no line %q in:\n%s", want, s)
	}
	if n := strings.Count(s, "\n"); n != 11 { // 10 Animal Kingdom files and the kept line
		t.Errorf("%d lines, want 11:\n%s", n, s)
	}
	if err := os.Truncate(filepath.Join(root, "animalkingdom/4_light.csv"), 10); err != nil {
		t.Fatal(err)
	}
	rep, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(rep.Problems, "\n"); !strings.Contains(joined, "CHECKSUM animalkingdom/4_light.csv") {
		t.Errorf("truncated file not named:\n%s", joined)
	}
}
