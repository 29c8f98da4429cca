package data

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	root := writeFiles(t, map[string]string{
		"animalkingdom/classes.csv":     "id,name\n0,A\n1,B\n",
		"animalkingdom/train_light.csv": "video_id;labels\nX;0\nY;1,0\n",
		"animalkingdom/val_light.csv":   "video_id;labels\nZ;7\n", // label 7 of 2 classes
		"ucf101/classInd.txt":           "1 A\n",
	})
	rep, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]FileCheck{}
	for _, d := range rep.Datasets {
		for _, f := range d.Files {
			status[f.File] = f
		}
	}
	tests := []struct{ file, status string }{
		{"animalkingdom/train_light.csv", StatusOK},
		{"animalkingdom/val_light.csv", StatusMalformed},
		{"animalkingdom/0_light.csv", StatusMissing},
		{"baboonland/train.csv", StatusAbsent},
		{"ucf101/classInd.txt", StatusOK},
		{"ucf50/", StatusAbsent},
	}
	for _, tc := range tests {
		if got := status[tc.file]; got.Status != tc.status {
			t.Errorf("%s: status %q (%s), want %q", tc.file, got.Status, got.Error, tc.status)
		}
	}
	if c := status["animalkingdom/train_light.csv"].Counts; c["clips"] != 2 || c["tail_classes"] != 2 {
		t.Errorf("train counts %v", c)
	}
	joined := strings.Join(rep.Problems, "\n")
	if !strings.Contains(joined, "MALFORMED animalkingdom/val_light.csv") || !strings.Contains(joined, "val_light.csv:2: label 7 outside 0..1") || !strings.Contains(joined, "MISSING animalkingdom/0_light.csv") {
		t.Errorf("problems:\n%s", joined)
	}
	if _, err := Check(root + "/nope"); err == nil {
		t.Error("missing root accepted")
	}
}
