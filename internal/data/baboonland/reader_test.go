package baboonland_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/baboonland"
)

// The indices are numpy's (testdata/gen_sampling.py re-implements the
// authors' ActionDataset._sample_indices with numpy.linspace).
func TestSampleIndicesMatchNumpy(t *testing.T) {
	b, err := os.ReadFile("testdata/sampling.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Cases []struct {
			N, T    int
			Indices []int
		}
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) < 200 {
		t.Fatalf("%d cases", len(fx.Cases))
	}
	for _, c := range fx.Cases {
		if got := baboonland.SampleIndices(c.N, c.T); !reflect.DeepEqual(got, c.Indices) {
			t.Errorf("n=%d t=%d: %v, numpy %v", c.N, c.T, got, c.Indices)
		}
	}
}

// official writes rows in KABR's Charades layout (header
// "original_vido_id video_id frame_id path labels", space-separated, one
// label per frame).
func official(rows ...string) []byte {
	return []byte("original_vido_id video_id frame_id path labels\n" + strings.Join(rows, "\n") + "\n")
}

// frames writes n frame rows of one clip, frame f labelled label(f).
func frames(id string, vid, n int, label func(f int) int) []string {
	var out []string
	for f := 1; f <= n; f++ {
		out = append(out, fmt.Sprintf("%s %d %d %s/%d.jpg %d", id, vid, f, id, f, label(f)))
	}
	return out
}

func TestParseOfficialLayoutAndRules(t *testing.T) {
	// Clip B0001.1: 40 frames of Sitting/Standing (1), except frame 2
	// (index 1), Drinking (9): SampleIndices(40, 16) = 1, 3, 6, ... so
	// frame index 1 is sampled; frame 4 (index 3) is sampled too. Frame 3
	// (index 2) is Mounting (10) and is not sampled.
	a := frames("B0001.1", 7, 40, func(f int) int {
		switch f {
		case 2:
			return 9
		case 3:
			return 10
		}
		return 1
	})
	// Clip B0002.3: 5 frames (fewer than 16: every frame is sampled),
	// listed out of order and after a later video_id.
	bRows := frames("B0002.3", 3, 5, func(f int) int { return f % 2 * 12 })
	bRows[0], bRows[4] = bRows[4], bRows[0]
	clips, err := baboonland.Parse("train.csv", official(append(a, bRows...)...), 13)
	if err != nil {
		t.Fatal(err)
	}
	if len(clips) != 2 || clips[0].ID != "B0002.3" || clips[1].ID != "B0001.1" || clips[0].VideoID != 3 {
		t.Fatalf("clips ordered by video_id, named by folder: got %+v", []string{clips[0].ID, clips[1].ID})
	}
	for i, f := range clips[0].Frames {
		if f.ID != i+1 {
			t.Errorf("frames not ordered by frame_id: %+v", clips[0].Frames)
		}
	}
	if idx := baboonland.SampleIndices(40, 16); idx[0] != 1 || idx[1] != 3 {
		t.Fatalf("fixture assumption broken: %v", idx)
	}
	for _, tc := range []struct {
		clip int
		rule string
		want []int
	}{
		{1, baboonland.RuleUnion, []int{1, 9, 10}},
		{1, baboonland.RuleSampled, []int{1, 9}},
		{0, baboonland.RuleUnion, []int{0, 12}},
		{0, baboonland.RuleSampled, []int{0, 12}},
	} {
		got, err := clips[tc.clip].Labels(tc.rule, 16)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("clip %s rule %s: %v, want %v", clips[tc.clip].ID, tc.rule, got, tc.want)
		}
	}
	if _, err := clips[0].Labels("max", 16); err == nil {
		t.Error("unknown rule: no error")
	}
	if _, err := clips[0].Labels(baboonland.RuleSampled, 0); err == nil {
		t.Error("sampled rule with t=0: no error")
	}
}

func TestParseLayouts(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		wantID     string
		wantLabels []int
	}{
		{"headerless KABR order", "B0003.2 4 1 B0003.2/1.jpg 2\nB0003.2 4 2 B0003.2/2.jpg 3\n", "B0003.2", []int{2, 3}},
		{"header in another order", "path labels frame_id video_id\nB0004.1/1.jpg 5 1 9\nB0004.1/2.jpg 6,7 2 9\n", "B0004.1", []int{5, 6, 7}},
		{"CRLF and no label", "original_video_id video_id frame_id path labels\r\nB0005.1 1 1 B0005.1/1.jpg\r\n", "B0005.1", []int{}},
	} {
		clips, err := baboonland.Parse("x.csv", []byte(tc.text), 13)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, _ := clips[0].Labels(baboonland.RuleUnion, 0)
		if len(clips) != 1 || clips[0].ID != tc.wantID || !reflect.DeepEqual(got, tc.wantLabels) {
			t.Errorf("%s: %+v labels %v", tc.name, clips, got)
		}
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
	}{
		{"label out of range", "original_vido_id video_id frame_id path labels\nB1 1 1 B1/1.jpg 0\nB1 1 2 B1/2.jpg 13\n", 3},
		{"label not an integer", "original_vido_id video_id frame_id path labels\nB1 1 1 B1/1.jpg walk\n", 2},
		{"video_id not an integer", "B1 x 1 B1/1.jpg 0\n", 1},
		{"frame_id not an integer", "B1 1 one B1/1.jpg 0\n", 1},
		{"header without path", "original_vido_id video_id frame_id labels\n", 1},
		{"too few fields", "B1 1\n", 1},
		{"empty", "\n\n", 0},
	} {
		_, err := baboonland.Parse("train.csv", []byte(tc.text), 13)
		var pe *data.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %v is not a ParseError", tc.name, err)
			continue
		}
		if pe.Line != tc.line || pe.File != "train.csv" {
			t.Errorf("%s: %v, want line %d", tc.name, err, tc.line)
		}
	}
}

// writeRoot writes a data root with summaries for ids and, if rows are
// given, train.csv and val.csv.
func writeRoot(t *testing.T, ids []string, train, val []string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, baboonland.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	words := []string{"walking on the road", "sitting in a tree", "grooming each other", "drinking at the river", "sleeping on a rock"}
	var b strings.Builder
	b.WriteString("video,summary\n")
	for i, id := range ids {
		fmt.Fprintf(&b, "%s,\"The baboons are %s near the %d acacia.\"\n", id, words[i%len(words)], i%7)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, baboonland.SummariesFile), []byte(b.String()), 0o644))
	if train != nil {
		must(os.WriteFile(filepath.Join(dir, baboonland.TrainFile), official(train...), 0o644))
		must(os.WriteFile(filepath.Join(dir, baboonland.ValFile), official(val...), 0o644))
	}
	return root
}

func TestLoadTextReadsTheOfficialFiles(t *testing.T) {
	var train, val []string
	var ids []string
	for i := 0; i < 12; i++ {
		id := fmt.Sprintf("B%04d.1", i)
		ids = append(ids, id)
		rows := frames(id, i, 20, func(f int) int {
			if f == 4 {
				return 11 // frame index 3: not among the 16 sampled of 20
			}
			return i % 3
		})
		if i < 9 {
			train = append(train, rows...)
		} else {
			val = append(val, rows...)
		}
	}
	// A val clip without a description is left out and counted.
	val = append(val, frames("B9999.9", 99, 3, func(int) int { return 4 })...)
	if idx := baboonland.SampleIndices(20, 16); idx[2] != 2 || idx[3] != 4 {
		t.Fatalf("fixture assumption broken: %v", idx)
	}
	root := writeRoot(t, ids, train, val)
	if !baboonland.LabelFilesPresent(root) {
		t.Fatal("label files not found")
	}
	for _, tc := range []struct {
		rule string
		want []int
	}{{baboonland.RuleSampled, []int{0}}, {baboonland.RuleUnion, []int{0, 11}}} {
		tr, err := baboonland.LoadText(baboonland.TrackOptions{Root: root, Rule: tc.rule, E: 8})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Train.Len() != 9 || tr.Val.Len() != 3 || tr.K() != 13 || tr.Source != "real" || tr.Train.Video != nil {
			t.Fatalf("%s: train %d val %d K %d source %s", tc.rule, tr.Train.Len(), tr.Val.Len(), tr.K(), tr.Source)
		}
		if !reflect.DeepEqual(tr.Train.Labels[0], tc.want) {
			t.Errorf("%s: clip %s labels %v, want %v", tc.rule, tr.Train.IDs[0], tr.Train.Labels[0], tc.want)
		}
		if len(tr.Train.Desc[0]) != 8 || len(tr.LabelEmb) != 13 {
			t.Errorf("embedding widths %d, %d class queries", len(tr.Train.Desc[0]), len(tr.LabelEmb))
		}
		if !strings.Contains(strings.Join(tr.Notes, " "), "0 train, 1 val clips") {
			t.Errorf("missing description not counted: %v", tr.Notes)
		}
	}
	if baboonland.LabelFilesPresent(t.TempDir()) {
		t.Error("LabelFilesPresent on an empty root")
	}
}

func TestTwin(t *testing.T) {
	var ids []string
	for i := 0; i < 60; i++ {
		ids = append(ids, fmt.Sprintf("B%04d.%d", i/3, i%3))
	}
	root := writeRoot(t, ids, nil, nil)
	o := baboonland.TrackOptions{Root: root, Frames: 8, D: 6, E: 5, NTrain: 40, NVal: 20, Seed: 3, Difficulty: 0.2}
	a, clips, err := baboonland.Twin(o)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := baboonland.Twin(o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Train.Video, b.Train.Video) || !reflect.DeepEqual(a.Val.Labels, b.Val.Labels) || a.Fingerprint != b.Fingerprint {
		t.Error("same options, different twins")
	}
	o.Seed = 4
	c, _, _ := baboonland.Twin(o)
	if reflect.DeepEqual(a.Train.Video, c.Train.Video) {
		t.Error("another seed, same twin")
	}
	if a.K() != 13 || a.Train.Len() != 40 || a.Val.Len() != 20 || len(a.Train.Video[0]) != 8*6 || len(a.Train.Desc[0]) != 5 || a.Source != "synthetic" {
		t.Fatalf("shapes: K %d train %d val %d", a.K(), a.Train.Len(), a.Val.Len())
	}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	for _, id := range append(a.Train.IDs, a.Val.IDs...) {
		if !known[id] {
			t.Fatalf("twin id %s is not a real summary id", id)
		}
	}
	// The sampled rule's labels are a subset of the union's, and with
	// three segments in some clips they differ somewhere.
	differ := false
	for _, cl := range clips {
		s, _ := cl.Labels(baboonland.RuleSampled, 8)
		u, _ := cl.Labels(baboonland.RuleUnion, 0)
		set := map[int]bool{}
		for _, l := range u {
			set[l] = true
		}
		for _, l := range s {
			if !set[l] {
				t.Fatalf("clip %s: sampled %v not within union %v", cl.ID, s, u)
			}
		}
		differ = differ || len(s) != len(u)
	}
	if !differ {
		t.Error("the two rules never differ on the twin")
	}
	if _, _, err := baboonland.Twin(baboonland.TrackOptions{Root: root, NTrain: 50, NVal: 20}); err == nil {
		t.Error("more clips than descriptions: no error")
	}
	if _, _, err := baboonland.Twin(baboonland.TrackOptions{}); err == nil || !strings.Contains(err.Error(), "data root") {
		t.Errorf("no root: %v", err)
	}
}
