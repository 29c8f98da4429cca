package kernel

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunDemo runs the teaching spec (4 points, a few epochs of a tiny
// classifier on the pure-Go backend: about a second) into a temporary
// results root, then reads it back.
func TestRunDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo spec")
	}
	var buf bytes.Buffer
	Output = &buf
	defer func() { Output = nil }()
	out := t.TempDir()
	opts := []Option{Scale("smoke"), Backend("purego"), OutDir(out)}
	res, err := Run("experiments/demo/quickstart.toml", opts...)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, buf.String())
	}
	if res.Points != 4 || res.Ran != 4 || len(res.Records) != 4 || len(res.Tables) != 1 {
		t.Fatalf("points %d ran %d records %d tables %d", res.Points, res.Ran, len(res.Records), len(res.Tables))
	}
	if !strings.Contains(buf.String(), "train: start") {
		t.Errorf("no progress lines:\n%s", buf.String())
	}
	for _, r := range res.Records {
		if r.DataSource != "synthetic" || len(r.Curves["train_loss"]) == 0 {
			t.Errorf("record %s: source %q, %d train_loss points", r.Label, r.DataSource, len(r.Curves["train_loss"]))
		}
	}
	md := res.Tables[0].Markdown()
	if !strings.Contains(md, "SYNTHETIC") || !res.Tables[0].Synthetic {
		t.Errorf("table lacks the synthetic banner:\n%s", md)
	}

	again, err := Run("experiments/demo/quickstart.toml", append(opts, Quiet())...)
	if err != nil || again.Cached != 4 || again.Ran != 0 {
		t.Errorf("second Run: cached %d ran %d err %v; want all 4 from cache", again.Cached, again.Ran, err)
	}

	loaded, err := Load("experiments/demo/quickstart.toml", opts...)
	if err != nil || len(loaded.Records) != 4 {
		t.Fatalf("Load: %d records, %v", len(loaded.Records), err)
	}
	fig, err := loaded.Curves("train_loss")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fig.Plot.Title.Text, "synthetic") {
		t.Errorf("figure title %q does not say synthetic", fig.Plot.Title.Text)
	}
	if _, err := loaded.Curves("no_such_curve"); err == nil {
		t.Errorf("Curves of a missing name: no error")
	}
	if _, err := loaded.PaperVsMeasured(0); err == nil {
		t.Errorf("the demo has no paper column: want an error")
	}
	paths, err := loaded.SaveFigure(fig, "loss")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(loaded.Dir, "figures", "loss.svg"); paths[0] != want {
		t.Errorf("saved to %s, want %s", paths[0], want)
	}
	buf.Reset()
	loaded.Show()
	if !strings.Contains(buf.String(), "4 from records") {
		t.Errorf("summary: %s", buf.String())
	}
}

func TestLoadWithoutRecords(t *testing.T) {
	res, err := Load("experiments/demo/quickstart.toml", Scale("smoke"), OutDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 0 || len(res.Tables) != 1 || !strings.Contains(res.Summary(), "no records of the current code and settings yet") {
		t.Errorf("records %d tables %d summary %q", len(res.Records), len(res.Tables), res.Summary())
	}
}

func TestRunBadSpec(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("[experiment]\nid = 3\n"), 0o644)
	if _, err := Run(bad, Quiet(), OutDir(t.TempDir())); err == nil || !strings.Contains(err.Error(), "bad.toml") {
		t.Errorf("error %v does not name the spec", err)
	}
	if _, err := Load("experiments/no/such.toml"); err == nil {
		t.Errorf("Load of a missing spec: no error")
	}
}
