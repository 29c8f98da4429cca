package data

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestReadDetectionJSON(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"af.json":   `{"version": "v", "database": {"b": {"subset": "Test", "duration": 10, "fps": 30, "annotations": [{"label": "X", "segment": [1, 2.5], "label_id": 3}]}, "a": {"subset": "Validation", "duration": 5, "annotations": []}}}`,
		"afsd.json": `{"database": {"v": {"subset": "test", "annotations": [{"segment": ["18.6", "24.8"], "label": "HighJump"}]}}}`,
		"anet.json": `{"version": "VERSION 1.3", "taxonomy": [], "database": {"x": {"subset": "training", "duration": 12.5, "resolution": "640x360", "url": "u", "annotations": [{"segment": [0.5, 3], "label": "Y"}]}}}`,
	})
	tests := []struct {
		file   string
		videos int
		first  DetectionSegment
	}{
		{"af.json", 2, DetectionSegment{"X", 3, 1, 2.5}},
		{"afsd.json", 1, DetectionSegment{"HighJump", -1, 18.6, 24.8}},
		{"anet.json", 1, DetectionSegment{"Y", -1, 0.5, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			d, err := ReadDetectionJSON(filepath.Join(dir, tc.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got DetectionSegment
			for _, v := range d.Videos {
				if len(v.Segments) > 0 {
					got = v.Segments[0]
					break
				}
			}
			if len(d.Videos) != tc.videos || got != tc.first {
				t.Errorf("videos %d first %+v", len(d.Videos), got)
			}
		})
	}
	bad := []struct{ name, content, want string }{
		{"syntax", "{\n\"database\": [\n,", "bad.json:3:"},
		{"segment order", `{"database": {"v": {"annotations": [{"label": "X", "segment": [3, 2]}]}}}`, "video v annotation 0"},
		{"segment text", `{"database": {"v": {"annotations": [{"label": "X", "segment": ["a", 2]}]}}}`, "not numeric"},
		{"no database", `{"version": "x"}`, "no \"database\""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			d := writeFiles(t, map[string]string{"bad.json": tc.content})
			_, err := ReadDetectionJSON(filepath.Join(d, "bad.json"), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRealTHUMOS14(t *testing.T) {
	root := realRoot(t, THUMOSDir)
	th, err := LoadTHUMOS14(filepath.Join(root, THUMOSDir))
	if err != nil {
		t.Fatal(err)
	}
	// counts from ../shared/data/README.md and the issue: 212 Test videos with 3,358 segments
	sub := th.ActionFormer.Subsets()
	if sub["Test"] != [2]int{212, 3358} || sub["Validation"] != [2]int{200, 3007} || len(th.ActionFormer.Labels()) != 20 {
		t.Errorf("thumos14.json subsets %v, %d labels", sub, len(th.ActionFormer.Labels()))
	}
	if n := len(th.AFSD.Videos); n != 410 || len(th.Classes) != 20 {
		t.Errorf("thumos_gt.json %d videos, %d classes", n, len(th.Classes))
	}
	if len(th.Annotations["test_Annotation_ours.csv"]) != 3358 || len(th.VideoInfo["test_video_info.csv"]) != 212 || len(th.TestGT) != 3457 {
		t.Errorf("annotation rows %d, video info %d, test gt %d", len(th.Annotations["test_Annotation_ours.csv"]), len(th.VideoInfo["test_video_info.csv"]), len(th.TestGT))
	}
}
