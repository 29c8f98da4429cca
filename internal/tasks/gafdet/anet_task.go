package gafdet

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/anet"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/metrics/detprotocol"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/table"
)

// ANetTaskName is the task of experiments/gaf/anet_runs.toml: AFSD and GAF on ActivityNet v1.3
// (the paper's Table VI and Table I's ActivityNet columns).
const ANetTaskName = "gaf-anet"

func init() { runner.Register(ANetTaskName, ANetTask{}) }

// ANetTIoUs are ActivityNet's thresholds 0.5:0.05:0.95 (GAF/anet/eval.py:12).
var ANetTIoUs = detprotocol.ActivityNetTIoU

// ANetData is the [data] section of the ActivityNet task.
type ANetData struct {
	Dataset string `toml:"dataset,required"` // "activitynet"
	Source  string `toml:"source,required"`  // "real" (<root>/activitynet) or "synthetic" (the ActivityNet twin)
	Dir     string `toml:"dir"`              // real: feature folder (default <root>/activitynet/i3d_features)
	// TrainVideos and ValVideos: for the twin, the videos it writes per subset; for real data,
	// caps in id order (0 = all: 10,024 training, 4,926 validation).
	TrainVideos int `toml:"train_videos"`
	ValVideos   int `toml:"val_videos"`
	// Twin knobs (source = "synthetic"; anet.TwinConfig).
	Seed    int64   `toml:"seed"`
	Classes int     `toml:"classes"` // taxonomy leaves (ActivityNet: 200)
	Dim     int     `toml:"dim"`     // channels per stream
	RGBSNR  float64 `toml:"rgb_snr"`
	FlowSNR float64 `toml:"flow_snr"`
	AR      float64 `toml:"ar"`
	Shared  float64 `toml:"shared"`
	// Protocol: "afsd" (AFSD's and GAF's evaluation/eval_detection.py) or "activitynet"
	// (the official code); on ActivityNet every prediction is on a ground-truth video, so
	// they differ only on labels outside the ground truth.
	Protocol string `toml:"protocol"`
}

// ANetConfig is a point of the ActivityNet task.
type ANetConfig struct {
	Data  ANetData
	Model Model
	Train Train
}

// ANet soft-NMS σ of the code: AFSD configs/anet.yaml nms_sigma 0.85, GAF configs/anet.yaml 0.95.
const (
	ANetSigmaAFSD = 0.85
	ANetSigmaGAF  = 0.95
)

// DefaultANetConfig is AFSD's and GAF's ActivityNet settings (configs/anet.yaml: batch 1,
// Adam 1e-4, weight decay 1e-4, 16 epochs, top_k 5000; anet/test.py keeps scores > 1e-9;
// GAF/anet/train.py:263 weighs the background 700; nms_sigma 0 picks the code's σ per model).
func DefaultANetConfig() ANetConfig {
	d := DefaultConfig()
	m := d.Model
	m.BgWeight, m.NMSSigma, m.ConfThresh = 700, 0, 0
	t := d.Train
	t.Epochs, t.Batch, t.LearningRate, t.WeightDecay = 16, 1, 1e-4, 1e-4
	return ANetConfig{
		Data:  ANetData{Seed: 1, Classes: 200, Dim: 1024, RGBSNR: 1.5, FlowSNR: 2.5, AR: 0.6, Shared: 0.5, Protocol: "afsd", TrainVideos: 0, ValVideos: 0},
		Model: m, Train: t,
	}
}

// ParseANetConfig decodes and checks a point; it also returns the detector configuration Fit
// takes (ActivityNet geometry).
func ParseANetConfig(p runner.Point) (ANetConfig, Config, error) {
	ac := DefaultANetConfig()
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &ac.Data},
		spec.Section{Name: "model", Into: &ac.Model}, spec.Section{Name: "train", Into: &ac.Train}); err != nil {
		return ac, Config{}, err
	}
	d := ac.Data
	switch {
	case d.Dataset != "activitynet":
		return ac, Config{}, spec.Errorf("data.dataset", `want "activitynet", got %q`, d.Dataset)
	case d.TrainVideos < 0 || d.ValVideos < 0:
		return ac, Config{}, spec.Errorf("data.train_videos", "train_videos %d and val_videos %d must be >= 0", d.TrainVideos, d.ValVideos)
	case d.Source == "synthetic" && (d.TrainVideos < 1 || d.ValVideos < 1):
		return ac, Config{}, spec.Errorf("data.train_videos", "the twin needs train_videos and val_videos >= 1, got %d and %d", d.TrainVideos, d.ValVideos)
	case d.Classes < 1 || d.Classes > 10000:
		return ac, Config{}, spec.Errorf("data.classes", "must be 1..10000, got %d", d.Classes)
	case !(d.Shared >= 0 && d.Shared < 1) || !(d.AR >= 0 && d.AR < 1) || !(d.RGBSNR >= 0) || !(d.FlowSNR >= 0):
		return ac, Config{}, spec.Errorf("data.shared", "shared %g and ar %g in [0, 1), snr %g / %g >= 0", d.Shared, d.AR, d.RGBSNR, d.FlowSNR)
	}
	if ac.Model.NMSSigma == 0 {
		ac.Model.NMSSigma = ANetSigmaAFSD
		if ac.Model.isGAF() {
			ac.Model.NMSSigma = ANetSigmaGAF
		}
	}
	c := Config{Data: Data{Dataset: d.Dataset, Source: d.Source, Dir: d.Dir, FPS: afsd.SampleFPS, Seed: d.Seed, Dim: d.Dim,
		RGBSNR: d.RGBSNR, FlowSNR: d.FlowSNR, AR: d.AR, Protocol: d.Protocol}, Model: ac.Model, Train: ac.Train, anet: true}
	if c.Train.Holdout != 0 {
		return ac, c, spec.Errorf("train.holdout", "not supported on ActivityNet (set 0)")
	}
	return ac, c, c.check()
}

// ANetTask trains a class-agnostic detector (AFSD or a GAF row) on the ActivityNet training
// videos and evaluates it on the validation videos, the labels and score factors coming from a
// video-level classifier.
type ANetTask struct{}

// Version is folded into the points' hashes.
func (ANetTask) Version() string { return "gaf-anet-1" }

// Validate implements runner.Task.
func (ANetTask) Validate(p runner.Point) error { _, _, err := ParseANetConfig(p); return err }

// ANetDetail is the data-source detail of the twin's records (table.DetailKey).
const ANetDetail = "synthetic features, synthetic ground truth (ActivityNet twin)"

// ANetDataset is the ActivityNet data of a run: the detector's Dataset (one class, "action")
// and the video labels for the video-level classifier.
type ANetDataset struct {
	*Dataset
	Classes    []string          // the taxonomy's leaves
	TrainLabel map[string]string // a training video's class (its first segment's)
	ValLabel   map[string]string
}

// LoadANetDataset reads (or, for the twin, writes and reads back) the annotations and
// features, resampled to 768 frames per video.
func LoadANetDataset(ctx context.Context, ac ANetConfig, root string) (*ANetDataset, error) {
	d := ac.Data
	srcRoot := root
	if d.Source == "synthetic" {
		tmp, err := os.MkdirTemp("", "actrepro-anet-twin-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		tc := anet.TwinConfig{Seed: uint64(d.Seed), Train: d.TrainVideos, Val: d.ValVideos, Classes: d.Classes, Dim: d.Dim,
			RGBSNR: d.RGBSNR, FlowSNR: d.FlowSNR, AR: d.AR, Shared: d.Shared, StepSeconds: 0.64}
		if err := anet.WriteTwin(tmp, tc); err != nil {
			return nil, fmt.Errorf("gaf-anet: %w", err)
		}
		srcRoot = tmp
	} else if root == "" {
		return nil, fmt.Errorf("gaf-anet: data.source = \"real\" needs <data root>/%s/%s and features: set $%s or --data-root (or use source = \"synthetic\", the ActivityNet twin)", anet.Dir, anet.AnnotationFile, data.EnvDataRoot)
	}
	ann, err := anet.LoadAnnotations(srcRoot)
	if err != nil {
		return nil, fmt.Errorf("gaf-anet: %w", err)
	}
	fdir := d.Dir
	if fdir == "" || d.Source == "synthetic" {
		fdir = filepath.Join(srcRoot, anet.Dir, anet.FeatureDir)
	}
	out := &ANetDataset{Dataset: &Dataset{Classes: []string{"action"}, GTVideos: map[string]bool{}},
		Classes: ann.Classes, TrainLabel: map[string]string{}, ValLabel: map[string]string{}}
	pick := func(subset string, cap int, labels map[string]string) ([]*Video, error) {
		var vids []*Video
		for _, v := range ann.Subset(subset) {
			if cap > 0 && len(vids) == cap {
				break
			}
			if len(vids)%32 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			if len(v.Segments) == 0 {
				continue
			}
			f, ch, err := anet.ReadFeatures(fdir, v, anet.Steps, 0)
			if err != nil {
				return nil, fmt.Errorf("gaf-anet: %w", err)
			}
			if ch%2 != 0 {
				return nil, fmt.Errorf("gaf-anet: video %s: %d channels, want RGB then flow (an even number)", v.ID, ch)
			}
			if out.W == 0 {
				out.W, out.Dim = ch, ch/2
			} else if ch != out.W {
				return nil, fmt.Errorf("gaf-anet: video %s: %d channels, the first video had %d", v.ID, ch, out.W)
			}
			// Frames of the resampled video: start_frame = segment · fps with fps = 768/duration
			// (anet_data/gen_video_info.py:36-37 after transform_videos.py); one class for the
			// class-agnostic detector (anet/test.py:17 num_classes = 2).
			fps := float64(anet.Steps) / v.Duration
			vid := &Video{ID: v.ID, N: anet.Steps, Feat: f, FPS: fps}
			for _, s := range v.Segments {
				vid.Segments = append(vid.Segments, afsd.Segment{Start: s.Start * fps, End: s.End * fps, Label: 1})
			}
			labels[v.ID] = v.Segments[0].Label
			vids = append(vids, vid)
		}
		if len(vids) == 0 {
			return nil, fmt.Errorf("gaf-anet: no annotated %s video in %s", subset, filepath.Join(srcRoot, anet.Dir, anet.AnnotationFile))
		}
		return vids, nil
	}
	if out.Train, err = pick(anet.Training, d.TrainVideos, out.TrainLabel); err != nil {
		return nil, err
	}
	if out.Test, err = pick(anet.Validation, d.ValVideos, out.ValLabel); err != nil {
		return nil, err
	}
	for _, v := range ann.Subset(anet.Validation) {
		if _, ok := out.ValLabel[v.ID]; !ok {
			continue
		}
		out.GTVideos[v.ID] = true
		for _, s := range v.Segments {
			out.GT = append(out.GT, metrics.GTSegment{Video: v.ID, Label: s.Label, Start: s.Start, End: s.End})
		}
	}
	out.Source, out.Fingerprint = d.Source, ann.Fingerprint
	if d.Source == "synthetic" {
		out.Fingerprint = fmt.Sprintf("anet-twin:seed=%d,train=%d,val=%d,classes=%d,dim=%d,snr=%g/%g,ar=%g,shared=%g;%s",
			d.Seed, d.TrainVideos, d.ValVideos, d.Classes, d.Dim, d.RGBSNR, d.FlowSNR, d.AR, d.Shared, ann.Fingerprint)
		out.Banner = "SYNTHETIC features, SYNTHETIC ground truth (ActivityNet twin): not ActivityNet."
	} else {
		out.Banner = "Real ActivityNet v1.3 annotations and features."
	}
	return out, nil
}

// Run implements runner.Task.
func (ANetTask) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	var out runner.Outcome
	ac, c, err := ParseANetConfig(p)
	if err != nil {
		return out, err
	}
	prog := env.Progress
	if prog == nil {
		prog = runner.Discard
	}
	start := time.Now()
	ds, err := LoadANetDataset(ctx, ac, env.DataRoot)
	if err != nil {
		return out, err
	}
	loadSeconds := time.Since(start).Seconds()
	if ds.Dim != c.Data.Dim {
		if c.Data.Source != "real" {
			return out, fmt.Errorf("gaf-anet: the twin has %d channels per stream, want %d", ds.Dim, c.Data.Dim)
		}
		c.Data.Dim = ds.Dim
	}
	// The video-level classifier that replaces CUHK's scores (anet/test.py:55-78).
	clf, err := trainVideoClassifier(ds.Train, ds.TrainLabel, ds.Classes, c.Train.Seed)
	if err != nil {
		return out, err
	}
	backend, err := purego.New(env.Backend)
	if err != nil {
		return out, err
	}
	defer backend.Finalize()
	start = time.Now()
	res, err := Fit(ctx, backend, c, ds.Dataset, prog)
	if err != nil {
		return out, err
	}
	seconds := time.Since(start).Seconds()

	gtClasses := map[string]bool{}
	for _, g := range ds.GT {
		gtClasses[g.Label] = true
	}
	var pred []metrics.Detection
	top1 := 0
	videoLabel := map[string][2]any{}
	for _, v := range ds.Test {
		probs := clf.predict(v.Feat)
		best := 0
		for k := range probs {
			if probs[k] > probs[best] {
				best = k
			}
		}
		label, p1 := ds.Classes[best], probs[best]
		videoLabel[v.ID] = [2]any{label, p1}
		if label == ds.ValLabel[v.ID] {
			top1++
		}
		if c.Data.Protocol == string(detprotocol.ActivityNet) && !gtClasses[label] {
			continue // a class absent from the (restricted) ground truth matches nothing
		}
		for _, b := range res.Detections[v.ID] {
			// anet/test.py:171-185: the video's top-1 class, score × its probability, the end
			// clipped to the duration.
			end := math.Min(b.End, float64(v.N)/v.FPS)
			if !(end > b.Start) {
				continue
			}
			pred = append(pred, metrics.Detection{Video: v.ID, Label: label, Start: math.Max(b.Start, 0), End: end, Score: b.Score * p1})
		}
	}
	r, err := detprotocol.Evaluate(detprotocol.Protocol(c.Data.Protocol), ds.GT, pred, ANetTIoUs)
	if err != nil {
		return out, err
	}
	m := map[string]float64{
		"train_seconds": seconds, "load_seconds": loadSeconds, "map_avg": r.Average,
		"n_train_videos": float64(len(ds.Train)), "n_test_videos": float64(len(ds.Test)),
		"n_gt_videos": float64(len(ds.GTVideos)), "n_gt_segments": float64(len(ds.GT)),
		"train_windows": float64(res.TrainWindows), "n_predictions": float64(r.Evaluated), "dropped_predictions": float64(r.DroppedNoGT + r.DroppedLabel),
		"params": float64(res.Params), "cvae_params": float64(res.CVAEParams),
		"final_train_loss": res.TrainLoss[len(res.TrainLoss)-1],
		"video_top1":       float64(top1) / float64(len(ds.Test)),
		"nms_sigma":        c.Model.NMSSigma,
	}
	for i, t := range ANetTIoUs {
		m[MetricKey(t)] = r.MAP[i]
	}
	recordTraining(&out, m, res, ds.Source, ds.Fingerprint)
	detail := "real features, real ground truth"
	if ds.Source == "synthetic" {
		detail = ANetDetail
		out.Notes = append(out.Notes, "SYNTHETIC features, SYNTHETIC ground truth (ActivityNet twin): no real ActivityNet data was read; the annotations and features are a seeded twin in the official layout. A pipeline test, not a reproduction of the paper's numbers.")
	}
	out.Extra = map[string]any{"tiou": ANetTIoUs, "banner": ds.Banner, table.DetailKey: detail,
		"traces": anetTraces(ds, res, videoLabel)}
	out.Notes = append(out.Notes, fmt.Sprintf("%s: %d training and %d validation videos resampled to %d frames (one window each); class-agnostic detector; labels and score factors from a video-level classifier trained on the training videos (top-1 %.3f on the validation videos), in place of the CUHK video scores the code reads (anet/test.py:55-78); soft-NMS σ %g; protocol %q; %d epochs, batch %d, Adam %g; trained in %.1f s on %s; evaluated after the last epoch.",
		c.Model.Name, len(ds.Train), len(ds.Test), anet.Steps, m["video_top1"], c.Model.NMSSigma, c.Data.Protocol, c.Train.Epochs, c.Train.Batch, c.Train.LearningRate, seconds, backend.Name()))
	return out, nil
}

// anetTraces are the first validation videos' ground truth, top detections (relabelled) and λ.
func anetTraces(ds *ANetDataset, res *Result, label map[string][2]any) []map[string]any {
	var out []map[string]any
	for _, v := range ds.Test {
		if len(out) == Traces {
			break
		}
		var gt [][3]any
		for _, g := range ds.GT {
			if g.Video == v.ID {
				gt = append(gt, [3]any{g.Start, g.End, g.Label})
			}
		}
		dets := append([]afsd.Box(nil), res.Detections[v.ID]...)
		sort.SliceStable(dets, func(i, j int) bool { return dets[i].Score > dets[j].Score })
		l := label[v.ID]
		var top [][4]any
		for _, d := range dets[:min(len(dets), 20)] {
			top = append(top, [4]any{d.Start, d.End, l[0], d.Score * l[1].(float64)})
		}
		t := map[string]any{"video": v.ID, "duration": float64(v.N) / v.FPS, "gt": gt, "top": top}
		if lam := res.Lambda[v.ID]; lam != nil {
			t["lambda"], t["lambda_fps"] = lam, v.FPS
		}
		out = append(out, t)
	}
	return out
}
