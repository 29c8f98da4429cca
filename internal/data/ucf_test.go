package data

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadUCF101Small(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"classInd.txt":    "1 ApplyEyeMakeup\r\n2 HandstandPushups\r\n",
		"trainlist01.txt": "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\r\nHandstandPushups/v_HandStandPushups_g08_c01.avi 2\r\n",
		"testlist01.txt":  "HandstandPushups/v_HandStandPushups_g01_c02.avi\r\n",
	})
	u, err := LoadUCF101(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Train) != 1 || len(u.Train[0]) != 2 || u.Test[0][0].Class != 1 || u.Test[0][0].Group != 1 || u.Test[0][0].Clip != 2 {
		t.Errorf("got %+v", u)
	}
	tests := []struct{ name, train, want string }{
		{"wrong label", "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 2\n", "trainlist01.txt:1: label"},
		{"unknown class", "Foo/v_Foo_g08_c01.avi 1\n", "unknown class folder"},
		{"bad file name", "ApplyEyeMakeup/x.avi 1\n", "not v_Class_gNN_cMM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := writeFiles(t, map[string]string{"classInd.txt": "1 ApplyEyeMakeup\n", "trainlist01.txt": tc.train})
			_, err := LoadUCF101(d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRealUCF101(t *testing.T) {
	root := realRoot(t, UCF101Dir)
	u, err := LoadUCF101(filepath.Join(root, UCF101Dir))
	if err != nil {
		t.Fatal(err)
	}
	// line counts of the official lists (wc -l plus the unterminated last line)
	wantTrain := []int{9537, 9586, 9624}
	wantTest := []int{3783, 3734, 3696}
	if len(u.Classes) != 101 || len(u.Train) != 3 || len(u.Test) != 3 {
		t.Fatalf("classes %d splits %d/%d", len(u.Classes), len(u.Train), len(u.Test))
	}
	for s := 0; s < 3; s++ {
		if len(u.Train[s]) != wantTrain[s] || len(u.Test[s]) != wantTest[s] {
			t.Errorf("split %d: %d/%d, want %d/%d", s+1, len(u.Train[s]), len(u.Test[s]), wantTrain[s], wantTest[s])
		}
		if len(u.Train[s])+len(u.Test[s]) != 13320 {
			t.Errorf("split %d covers %d videos, UCF101 has 13,320", s+1, len(u.Train[s])+len(u.Test[s]))
		}
	}
}

func TestLoadUCF50(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Biking/v_Biking_g01_c01.avi": "x",
		"Biking/v_Biking_g02_c03.avi": "xx",
		"Diving/v_Diving_g01_c01.mp4": "x",
		"Diving/notes.txt":            "not a video",
	})
	u, err := LoadUCF50(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Classes) != 2 || len(u.Videos) != 3 || u.Videos[1].Group != 2 || u.Videos[2].Class != 1 {
		t.Errorf("got %+v", u)
	}
	empty := writeFiles(t, map[string]string{"Biking/readme.txt": "x"})
	if _, err := LoadUCF50(empty); err == nil || !strings.Contains(err.Error(), "no video") {
		t.Errorf("err %v", err)
	}
}
