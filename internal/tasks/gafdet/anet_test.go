package gafdet

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/actrepro/actrepro/internal/data/anet"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/table"
)

func anetPoint(data, model, train map[string]any) runner.Point {
	d := map[string]any{"dataset": "activitynet", "source": "synthetic", "train_videos": int64(6), "val_videos": int64(4)}
	for k, v := range data {
		d[k] = v
	}
	if model == nil {
		model = map[string]any{}
	}
	if train == nil {
		train = map[string]any{}
	}
	return runner.Point{Config: map[string]any{"data": d, "model": model, "train": train}}
}

func TestANetDecode(t *testing.T) {
	cases := []struct {
		data, model, train map[string]any
		want               string
	}{
		{map[string]any{"dataset": "thumos14"}, nil, nil, `data.dataset: want "activitynet"`},
		{map[string]any{"train_videos": int64(0)}, nil, nil, "data.train_videos: the twin needs"},
		{map[string]any{"val_videos": int64(-1)}, nil, nil, "data.train_videos: train_videos 6 and val_videos -1"},
		{map[string]any{"classes": int64(0)}, nil, nil, "data.classes: must be 1..10000"},
		{map[string]any{"shared": 1.0}, nil, nil, "data.shared"},
		{map[string]any{"protocol": "voc"}, nil, nil, `data.protocol: want "afsd" or "activitynet"`},
		{map[string]any{"source": "web"}, nil, nil, `data.source: want "synthetic" or "real"`},
		{nil, map[string]any{"name": "bmn"}, nil, "model.name"},
		{nil, nil, map[string]any{"holdout": int64(3)}, "train.holdout: not supported on ActivityNet"},
		{map[string]any{"frames": int64(3)}, nil, nil, "data.frames: unknown key"},
	}
	for _, c := range cases {
		err := ANetTask{}.Validate(anetPoint(c.data, c.model, c.train))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v %v: error %v, want %q", c.data, c.model, c.train, err, c.want)
		}
	}
	// The code's σ per model when nms_sigma = 0 (AFSD configs/anet.yaml 0.85, GAF 0.95); 700 bg.
	for name, sigma := range map[string]float64{ModelAFSD: 0.85, ModelGAF: 0.95, ModelGAFAI: 0.95} {
		ac, c, err := ParseANetConfig(anetPoint(nil, map[string]any{"name": name}, nil))
		if err != nil || c.Model.NMSSigma != sigma || ac.Model.BgWeight != 700 || !c.anet || c.clipLength() != anet.Steps {
			t.Errorf("%s: err %v, σ %g, bg %g, anet %v", name, err, c.Model.NMSSigma, ac.Model.BgWeight, c.anet)
		}
	}
	if _, c, _ := ParseANetConfig(anetPoint(nil, map[string]any{"nms_sigma": 0.5}, nil)); c.Model.NMSSigma != 0.5 {
		t.Errorf("explicit σ replaced: %g", c.Model.NMSSigma)
	}
}

// TestVideoClassifier: separable class means are learnt; unseen classes get probability 0.
func TestVideoClassifier(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	classes := []string{"a", "b", "c", "d"}
	const n, w = 8, 6
	mk := func(k int) *Video {
		f := make([]float32, n*w)
		for i := range f {
			f[i] = float32(r.NormFloat64())
			if i%w == k {
				f[i] += 3
			}
		}
		return &Video{N: n, Feat: f}
	}
	var vids []*Video
	labels := map[string]string{}
	for i := range 30 {
		k := i % 3 // class "d" never in training
		v := mk(k)
		v.ID = string(rune('A' + i))
		vids = append(vids, v)
		labels[v.ID] = classes[k]
	}
	clf, err := trainVideoClassifier(vids, labels, classes, 1)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for i := range 30 {
		p := clf.predict(mk(i % 3).Feat)
		sum := 0.0
		for _, v := range p {
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 || p[3] != 0 {
			t.Fatalf("probabilities %v", p)
		}
		best := 0
		for k := range p {
			if p[k] > p[best] {
				best = k
			}
		}
		if best == i%3 {
			right++
		}
	}
	if right < 27 {
		t.Errorf("%d of 30 right on separable classes", right)
	}
	if _, err := trainVideoClassifier(vids, map[string]string{}, classes, 1); err == nil || !strings.Contains(err.Error(), "outside the taxonomy") {
		t.Errorf("unlabelled video: %v", err)
	}
}

// TestANetRunTiny trains AFSD and GAF for one epoch on a tiny twin and evaluates them against
// the twin's ground truth at tIoU 0.5:0.05:0.95; a second identical run gives identical
// metrics; the same files read as "real" data (the published layout under a data root) run too.
func TestANetRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three tiny detectors (about 20 s)")
	}
	data := map[string]any{"classes": int64(3), "dim": int64(4), "rgb_snr": 4.0, "flow_snr": 4.0}
	model := func(name string) map[string]any {
		return map[string]any{"name": name, "streams": "concat", "channels": int64(4), "groups": int64(2), "lambda_hidden": int64(4),
			"cvae_hidden": int64(4), "latent": int64(2), "pool": "eq11", "pre_nms_topk": int64(50), "top_k": int64(50)}
	}
	train := map[string]any{"epochs": int64(1), "batch": int64(2), "learning_rate": 0.001}
	run := func(p runner.Point, root string) runner.Outcome {
		t.Helper()
		out, err := ANetTask{}.Run(context.Background(), p, runner.Env{Backend: "purego", DataRoot: root})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, name := range []string{ModelAFSD, ModelGAF} {
		p := anetPoint(data, model(name), train)
		a := run(p, "")
		for _, tt := range ANetTIoUs {
			v, ok := a.Metrics[MetricKey(tt)]
			if !ok || v < 0 || v > 1 {
				t.Errorf("%s: mAP@%g = %v (%v)", name, tt, v, ok)
			}
		}
		if a.Metrics["n_gt_videos"] != 4 || a.Metrics["train_windows"] != 6 || a.DataSource != "synthetic" || a.Extra[table.DetailKey] != ANetDetail {
			t.Errorf("%s: %v videos, %v windows, source %q, detail %v", name, a.Metrics["n_gt_videos"], a.Metrics["train_windows"], a.DataSource, a.Extra[table.DetailKey])
		}
		if name == ModelGAF && a.Metrics["nms_sigma"] != ANetSigmaGAF {
			t.Errorf("gaf σ %v", a.Metrics["nms_sigma"])
		}
		b := run(p, "")
		for k, v := range a.Metrics {
			if strings.HasSuffix(k, "seconds") || k == "peak_rss_mib" {
				continue
			}
			if b.Metrics[k] != v {
				t.Errorf("%s: %s %v then %v", name, k, v, b.Metrics[k])
			}
		}
		if !reflect.DeepEqual(a.Extra["traces"], b.Extra["traces"]) {
			t.Errorf("%s: traces differ between identical runs", name)
		}
	}
	// The same twin files under a data root, read as real data.
	root := t.TempDir()
	tc := anet.TwinConfig{Seed: 1, Train: 6, Val: 4, Classes: 3, Dim: 4, RGBSNR: 4, FlowSNR: 4, AR: 0.6, Shared: 0.5, StepSeconds: 0.64}
	if err := anet.WriteTwin(root, tc); err != nil {
		t.Fatal(err)
	}
	real := data
	real["source"] = "real"
	out := run(anetPoint(real, model(ModelAFSD), train), root)
	if out.DataSource != "real" || out.Metrics["n_gt_videos"] != 4 {
		t.Errorf("real layout: source %q, %v videos", out.DataSource, out.Metrics["n_gt_videos"])
	}
	if _, err := (ANetTask{}).Run(context.Background(), anetPoint(real, model(ModelAFSD), train), runner.Env{Backend: "purego", DataRoot: t.TempDir()}); err == nil || !strings.Contains(err.Error(), anet.AnnotationFile) {
		t.Errorf("missing annotation file: %v", err)
	}
}
