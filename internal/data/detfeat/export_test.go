package detfeat

import (
	"path/filepath"
	"testing"

	"github.com/actrepro/actrepro/internal/data"
)

// TestExportReadBack writes the twin in the published layout and reads it
// with the real reader: same videos, shapes, times and values, for each
// stream the real reader can select.
func TestExportReadBack(t *testing.T) {
	root := writeTHUMOSRoot(t)
	tw, err := NewTHUMOS14Twin(root, DefaultTwinConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := Export(tw, filepath.Join(root, data.THUMOSDir, THUMOSFeatureDir), "", tw.Videos()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []Stream{Both, RGB, Flow} {
		r, err := OpenTHUMOS14(root, Options{Stream: s})
		if err != nil {
			t.Fatal(err)
		}
		c := DefaultTwinConfig()
		c.Stream = s
		ts, _ := NewTHUMOS14Twin(root, c)
		for _, v := range tw.Videos() {
			fr, err := r.Features(v.ID)
			if err != nil {
				t.Fatal(err)
			}
			ft, _ := ts.Features(v.ID)
			if fr.T != ft.T || fr.D != ft.D || fr.Offset != ft.Offset || fr.Step != ft.Step {
				t.Fatalf("%s %s: real [%d,%d], twin [%d,%d]", s, v.ID, fr.T, fr.D, ft.T, ft.D)
			}
			for i := range fr.Data {
				if fr.Data[i] != ft.Data[i] {
					t.Fatalf("%s %s: value %d: read %v, twin %v", s, v.ID, i, fr.Data[i], ft.Data[i])
				}
			}
		}
	}
}
