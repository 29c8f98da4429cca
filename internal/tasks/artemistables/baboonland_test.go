package artemistables_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data/baboonland"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/tasks/artemistables"
)

func baboonPoint(track, source string, mod func(d, m, tr map[string]any)) runner.Point {
	d := map[string]any{"dataset": "baboonland", "source": source, "track": track, "n_train": int64(48), "n_val": int64(16),
		"frames": int64(4), "video_dim": int64(6), "embed_dim": int64(8), "difficulty": 0.2}
	m := map[string]any{"preset": "best1", "tokens": int64(2), "heads": int64(2), "ff_dim": int64(8), "enc_layers": int64(1), "dec_layers": int64(1)}
	tr := map[string]any{"frozen_epochs": int64(0), "epochs": int64(1), "epoch_size": int64(0), "lr": 3e-3}
	if mod != nil {
		mod(d, m, tr)
	}
	return runner.Point{Scale: "smoke", Config: map[string]any{"data": d, "model": m, "train": tr}}
}

func summariesRoot(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, baboonland.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("video,summary\n")
	acts := []string{"walking", "sitting", "grooming", "foraging"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "B%04d.1,The baboons are %s on the ground near tree %d.\n", i, acts[i%4], i%5)
	}
	if err := os.WriteFile(filepath.Join(dir, baboonland.SummariesFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestBaboonTwinRun(t *testing.T) {
	root := summariesRoot(t, 64)
	out, err := artemistables.BaboonTask{}.Run(context.Background(), baboonPoint("twin", "synthetic", nil), runner.Env{DataRoot: root, Backend: "purego"})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := out.Metrics["map_batch_micro"]; !ok || v <= 0 || v > 1 || out.DataSource != "synthetic" {
		t.Errorf("metrics %v source %s", out.Metrics, out.DataSource)
	}
	for k := range out.Metrics {
		if strings.HasPrefix(k, "map_head") || strings.HasPrefix(k, "map_tail") {
			t.Errorf("Animal Kingdom segment metric %s reported", k)
		}
	}
	if cls, _ := out.Extra["classes"].([]string); len(cls) != 13 {
		t.Errorf("classes %v", out.Extra["classes"])
	}
}

func TestBaboonTextTrackNeedsTheLabelFiles(t *testing.T) {
	root := summariesRoot(t, 8)
	_, err := artemistables.BaboonTask{}.Run(context.Background(), baboonPoint("text", "real", nil), runner.Env{DataRoot: root, Backend: "purego"})
	if err == nil || !strings.Contains(err.Error(), "imageomics/BaboonLand") || !strings.Contains(err.Error(), baboonland.TrainFile) {
		t.Errorf("want an error naming the files and where to get them, got %v", err)
	}
}

func TestBaboonValidate(t *testing.T) {
	for name, mod := range map[string]func(d, m, tr map[string]any){
		"twin is synthetic": func(d, _, _ map[string]any) { d["source"] = "real" },
		"rule":              func(d, _, _ map[string]any) { d["rule"] = "majority" },
		"select best":       func(_, _, tr map[string]any) { tr["select"] = "best" },
		"n_val alone":       func(d, _, _ map[string]any) { d["n_train"] = int64(0) },
		"preset":            func(_, m, _ map[string]any) { m["preset"] = "best9" },
		"unknown key":       func(d, _, _ map[string]any) { d["clases"] = int64(13) },
	} {
		if err := (artemistables.BaboonTask{}).Validate(baboonPoint("twin", "synthetic", mod)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := (artemistables.BaboonTask{}).Validate(baboonPoint("text", "real", nil)); err != nil {
		t.Error(err)
	}
}
