package data

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadAKSplitErrors(t *testing.T) {
	tests := []struct {
		name, content string
		line          int
		reason        string
	}{
		{"bad header", "id,labels\nA;1\n", 1, "header"},
		{"no separator", "video_id;labels\nA 1\n", 2, "no ';'"},
		{"label not int", "video_id;labels\nA;1\nB;x\n", 3, "not an integer"},
		{"label out of range", "video_id;labels\nA;3\n", 2, "outside 0..2"},
		{"duplicate id", "video_id;labels\nA;1\nA;2\n", 3, "already on line 2"},
		{"empty labels", "video_id;labels\nA;\n", 2, "no labels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"s.csv": tc.content})
			_, err := ReadAKSplit(filepath.Join(dir, "s.csv"), 3, nil)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v, want a *ParseError", err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Reason, tc.reason) || !strings.HasSuffix(pe.File, "s.csv") {
				t.Errorf("got %v, want line %d with %q", err, tc.line, tc.reason)
			}
		})
	}
}

func TestLoadAnimalKingdomSmall(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"classes.csv":            "id,name\r\n0,Abseiling\r\n1,Attacking\r\n2,Eating\r\n",
		"class_descriptions.csv": "Abseiling,\"Going down, on a rope\"\nAttacking,Attack\nEating,Eat\n",
		"train_light.csv":        "video_id;labels\nA;0,2\nB;2\n",
		"val_light.csv":          "video_id;labels\nC;1\n",
		"summaries.csv":          "video,summary\nA,\"A cat, eating\"\nB,x\nC,y\n",
		"0_light.csv":            "video_id,labels\nA,\"0,2\"\nB,2\n",
	})
	ak, err := LoadAnimalKingdom(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := ak.TrainCounts(); got[0] != 1 || got[1] != 0 || got[2] != 2 {
		t.Errorf("train counts %v", got)
	}
	if ak.ClassDescriptions[0] != "Going down, on a rope" || ak.Summaries["A"] != "A cat, eating" || len(ak.Folds) != 1 || len(ak.Folds[0][0].Labels) != 2 {
		t.Errorf("parsed %+v", ak)
	}
	if !strings.HasPrefix(ak.Fingerprint, "sha256:") {
		t.Errorf("fingerprint %q", ak.Fingerprint)
	}
}

func TestSegments(t *testing.T) {
	// boundaries by hand: >500 head, 100..500 middle, <100 tail
	got := Segments([]int{501, 500, 100, 99, 0})
	want := []string{SegHead, SegMiddle, SegMiddle, SegTail, SegTail}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Segments = %v, want %v", got, want)
		}
	}
}

func TestReadCharades(t *testing.T) {
	dir := writeFiles(t, map[string]string{"ar.csv": "original_vido_id video_id frame_id path labels\n" +
		"AAA 0 0 AAA/0.jpg \"1,2\"\nAAA 0 1 AAA/1.jpg 3\nBBB 1 0 BBB/0.jpg 0\n"})
	clips, err := ReadCharades(filepath.Join(dir, "ar.csv"), 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(clips) != 2 || len(clips[0].Frames) != 2 || len(clips[0].Labels) != 3 || clips[0].Labels[2] != 3 {
		t.Errorf("got %+v", clips)
	}
	dir = writeFiles(t, map[string]string{"ar.csv": "original_vido_id video_id frame_id path labels\nAAA 0 0 p 1\nAAA x 0 p 1\n"})
	if _, err := ReadCharades(filepath.Join(dir, "ar.csv"), 4, nil); err == nil || !strings.Contains(err.Error(), "ar.csv:3:") {
		t.Errorf("err %v, want file:line", err)
	}
}

func TestRealAnimalKingdom(t *testing.T) {
	root := realRoot(t, AKDir)
	ak, err := LoadAnimalKingdom(filepath.Join(root, AKDir))
	if err != nil {
		t.Fatal(err)
	}
	// counts from ../shared/data/README.md
	if len(ak.Classes) != 140 || len(ak.Train) != 24004 || len(ak.Val) != 6096 || len(ak.Folds) != 5 || len(ak.Summaries) != 30100 {
		t.Errorf("classes %d train %d val %d folds %d summaries %d", len(ak.Classes), len(ak.Train), len(ak.Val), len(ak.Folds), len(ak.Summaries))
	}
	// spelling as in classes.csv (the data README capitalises "Its Ears")
	if ak.Classes[49] != "Flapping Tail" || ak.Classes[50] != "Flapping its ears" {
		t.Errorf("classes 49, 50 = %q, %q", ak.Classes[49], ak.Classes[50])
	}
	seg := map[string]int{}
	for _, s := range Segments(ak.TrainCounts()) {
		seg[s]++
	}
	if seg[SegHead] != 18 || seg[SegMiddle] != 32 || seg[SegTail] != 90 {
		t.Errorf("segments %v, want 18/32/90", seg)
	}
	noVal := 0
	for _, c := range LabelCounts(ak.Val, 140) {
		if c == 0 {
			noVal++
		}
	}
	if noVal != 13 {
		t.Errorf("%d classes without a val positive, want 13", noVal)
	}
	st := AKStatsFromClips(ak.Train, 140)
	for i, c := range st.ClassCounts {
		if c != AKBuiltinStats.ClassCounts[i] {
			t.Fatalf("AKBuiltinStats.ClassCounts[%d]=%d, the real file says %d", i, AKBuiltinStats.ClassCounts[i], c)
		}
	}
}
