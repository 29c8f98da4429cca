package data

import (
	"path/filepath"
	"testing"
)

func TestLoadBaboonLandSmall(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"train.csv":     "video_id clip frame path label\nB1.1 0 0 B1.1/0.jpg 0\nB1.1 0 1 B1.1/1.jpg 8\nB2.3 1 0 B2.3/0.jpg 12\n",
		"summaries.csv": "video,summary\nB1.1,Baboons walk.\nB1.1,again\n",
	})
	b, err := LoadBaboonLand(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Train) != 2 || len(b.Train[0].Labels) != 2 || b.Train[0].Labels[1] != 8 || b.Summaries["B1.1"] != "Baboons walk." || b.Val != nil {
		t.Errorf("got %+v", b)
	}
	bad := writeFiles(t, map[string]string{"train.csv": "B1.1 0 0 p 13\n"})
	if _, err := LoadBaboonLand(bad); err == nil {
		t.Error("label 13 of 13 classes accepted")
	}
}

func TestRealBaboonLand(t *testing.T) {
	root := realRoot(t, BaboonDir)
	b, err := LoadBaboonLand(filepath.Join(root, BaboonDir))
	if err != nil {
		t.Fatal(err)
	}
	// ../shared/data/README.md: 23,409 rows, 22,272 unique ids
	if len(b.Summaries) != 22272 {
		t.Errorf("%d unique summaries, want 22,272", len(b.Summaries))
	}
}
