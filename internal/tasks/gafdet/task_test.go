package gafdet

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gopjrt/dtypes"
)

// dataRoot is $ACTREPRO_DATA, else the shared data folder beside the repository (the real
// THUMOS14 annotation files), else the test is skipped.
func dataRoot(t *testing.T) string {
	t.Helper()
	for _, r := range []string{data.DataRoot(""), "../../../../shared/data"} {
		if r == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(r, data.THUMOSDir, data.THUMOSAFSDGT)); err == nil {
			abs, err := filepath.Abs(r)
			if err != nil {
				t.Fatal(err)
			}
			return abs
		}
	}
	t.Skipf("no THUMOS14 annotations: set $%s to the folder holding thumos14/ (../shared/data)", data.EnvDataRoot)
	return ""
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		key  string
		val  any
		want string
	}{
		{"model.name", "bmn", `model.name: want "afsd", "gaf-ai", "gaf-ai-nai" or "gaf"`},
		{"data.dataset", "activitynet", `data.dataset: want "thumos14"`},
		{"model.streams", "depth", `model.streams: want "both", "rgb", "flow" or "concat"`},
		{"model.channels", int64(30), "model.channels: channels 30 must be >= 2 and divisible by groups 32"},
		{"model.pool", "mean", `model.pool: want "code" or "eq11"`},
		{"data.protocol", "voc", `data.protocol: want "afsd" or "activitynet"`},
		{"train.cvae_betas", []any{0.8}, "train.cvae_betas: want two values"},
		{"model.depth", int64(2), "model.depth: unknown key"},
		{"train.holdout", int64(-1), "train.holdout: must be >= 0"},
		{"model.loc_init", -2.0, "model.loc_init: must be in [0, 256) frames"},
	}
	for _, c := range cases {
		cfg := map[string]any{
			"data":  map[string]any{"dataset": "thumos14", "source": "synthetic"},
			"model": map[string]any{}, "train": map[string]any{},
		}
		root, leaf, _ := strings.Cut(c.key, ".")
		cfg[root].(map[string]any)[leaf] = c.val
		err := Task{}.Validate(runner.Point{Config: cfg})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%v: error %v, want %q", c.key, c.val, err, c.want)
		}
	}
}

// TestFitTiny trains GAF for two epochs on the windows of 3 validation videos of the twin and
// detects on 3 test videos: the CVAE pass changes only the CVAE and the detector pass
// everything but the CVAE, each epoch runs both passes in order, the detections are in seconds
// inside each video, and a second identical run gives identical detections.
func TestFitTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twice (about 20 s)")
	}
	root := dataRoot(t)
	c := DefaultConfig()
	c.Data.Dataset, c.Data.Source, c.Data.Videos, c.Data.Dim = "thumos14", "synthetic", 3, 4
	c.Model.Streams, c.Model.Channels, c.Model.Groups, c.Model.LambdaHidden, c.Model.CVAEHidden, c.Model.Latent = "concat", 4, 2, 4, 4, 2
	c.Train.Epochs, c.Train.Batch, c.Train.MaxWindows, c.Train.LearningRate = 2, 2, 4, 1e-3
	ds, err := LoadDataset(context.Background(), c, root)
	if err != nil {
		t.Fatal(err)
	}
	backend, err := purego.New(purego.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	snapshot := func(ctx *mlctx.Context) (cvae, rest map[string][]float32) {
		cvae, rest = map[string][]float32{}, map[string][]float32{}
		for v := range ctx.IterVariables() {
			sc := v.Scope()
			if strings.Contains(sc, "optimizers") || strings.HasPrefix(sc, "/adam") || v.Shape().DType != dtypes.Float32 {
				continue
			}
			var vals []float32
			v.MustValue().ConstFlatData(func(a any) { vals = append(vals, a.([]float32)...) })
			if strings.Contains(sc, "/cvae") {
				cvae[v.ScopeAndName()] = vals
			} else {
				rest[v.ScopeAndName()] = vals
			}
		}
		return
	}
	changed := func(a, b map[string][]float32) int {
		n := 0
		for k, va := range a {
			if !reflect.DeepEqual(va, b[k]) {
				n++
			}
		}
		return n
	}
	var phases []string
	var prevC, prevR map[string][]float32
	phaseHook = func(phase string, ctx *mlctx.Context) {
		cv, rest := snapshot(ctx)
		if prevC != nil {
			nc, nr := changed(prevC, cv), changed(prevR, rest)
			if phase == "cvae" && (nc == 0 || nr != 0) {
				t.Errorf("CVAE pass changed %d CVAE and %d other variables, want > 0 and 0", nc, nr)
			}
			if phase == "model" && (nc != 0 || nr == 0) {
				t.Errorf("detector pass changed %d CVAE and %d other variables, want 0 and > 0", nc, nr)
			}
		}
		prevC, prevR = cv, rest
		phases = append(phases, phase)
	}
	res, err := Fit(context.Background(), backend, c, ds, runner.Discard)
	phaseHook = nil
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(phases, ",") != "cvae,model,cvae,model" {
		t.Errorf("phases %v", phases)
	}
	n := 0
	for _, v := range ds.Test {
		for _, b := range res.Detections[v.ID] {
			n++
			if b.Start < 0 || b.End < b.Start || b.End > float64(v.N)/10+1e-9 || b.Class < 1 || b.Class > 20 || !(b.Score > 0) {
				t.Fatalf("%s: bad detection %+v", v.ID, b)
			}
		}
		if len(res.Lambda[v.ID]) != v.N {
			t.Errorf("%s: λ has %d steps, want %d", v.ID, len(res.Lambda[v.ID]), v.N)
		}
	}
	if n == 0 {
		t.Fatal("no detections")
	}
	again, err := Fit(context.Background(), backend, c, ds, runner.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Detections, again.Detections) {
		t.Error("a second identical run gave different detections")
	}
}

// TestHoldout: train.holdout evaluates the last validation videos against their own
// annotations and never reads the test split.
func TestHoldout(t *testing.T) {
	root := dataRoot(t)
	for _, h := range []int{1, 2} {
		c := DefaultConfig()
		c.Data.Dataset, c.Data.Source, c.Data.Videos, c.Data.Dim = "thumos14", "synthetic", 5, 2
		c.Train.Holdout = h
		ds, err := LoadDataset(context.Background(), c, root)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds.Train) != 5-h || len(ds.Test) != h {
			t.Fatalf("holdout %d: %d training and %d evaluated videos, want %d and %d", h, len(ds.Train), len(ds.Test), 5-h, h)
		}
		for _, v := range ds.Test {
			if !strings.HasPrefix(v.ID, "video_validation_") || !ds.GTVideos[v.ID] {
				t.Errorf("holdout %d: evaluated video %s is not a validation video with ground truth", h, v.ID)
			}
		}
		for _, g := range ds.GT {
			if !ds.GTVideos[g.Video] || g.End <= g.Start {
				t.Errorf("holdout %d: ground truth %+v outside the held-out videos", h, g)
			}
		}
	}
	c := DefaultConfig()
	c.Data.Dataset, c.Data.Source, c.Data.Videos, c.Data.Dim = "thumos14", "synthetic", 2, 2
	c.Train.Holdout = 2
	if _, err := LoadDataset(context.Background(), c, root); err == nil || !strings.Contains(err.Error(), "train.holdout 2") {
		t.Errorf("holdout of every video: error %v", err)
	}
}
