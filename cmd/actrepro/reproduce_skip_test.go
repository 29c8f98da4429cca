package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNeedsAbsentData: a spec on real data is skipped by reproduce exactly
// when its dataset's folder is not under the data root; synthetic specs,
// and real specs whose folder is there, run.
func TestNeedsAbsentData(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "data")
	if err := os.MkdirAll(filepath.Join(root, "animalkingdom"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		body := "[experiment]\nid = \"x\"\npaper = \"p\"\ntable = \"t\"\ntitle = \"t\"\ntask = \"demo\"\n\n[data]\n" + data +
			"\n[model]\nname = \"m\"\n\n[train]\nepochs = 1\n\n[sweep]\ntrain.seed = [1]\n\n[table]\nrows = [\"seed\"]\ncolumns = [{ label = \"acc\", measured = \"acc\" }]\n\n[scale.smoke]\ntrain.epochs = 1\n\n[scale.full]\n\n[scale.realsmoke]\ndata.source = \"real\"\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	realAK := write("real_ak.toml", "dataset = \"animalkingdom\"\nsource = \"real\"\n")
	realUCF := write("real_ucf.toml", "dataset = \"ucf101\"\nsource = \"real\"\n")
	synth := write("synth.toml", "dataset = \"ucf101\"\nsource = \"synthetic\"\n")
	for _, c := range []struct {
		name, path, scale, root string
		want                    string // substring of the reason; "" = runs
	}{
		{"real, folder present", realAK, "smoke", root, ""},
		{"real, folder absent", realUCF, "smoke", root, "ucf101 is absent"},
		{"real, no data root", realAK, "smoke", "", "no data root is set"},
		{"synthetic, no data root", synth, "smoke", "", ""},
		{"scale switches to real", synth, "realsmoke", root, "ucf101 is absent"},
		{"unloadable spec is left to the harness", filepath.Join(dir, "missing.toml"), "smoke", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := needsAbsentData(c.path, c.scale, c.root)
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("needsAbsentData = %q, want %q", got, c.want)
			}
		})
	}
}
