package animalmotionclip

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/textenc"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
)

// TaskName is the name specs select with [experiment] task = "animalmotionclip".
const TaskName = "animalmotionclip"

func init() { runner.Register(TaskName, Task{}) }

// Task trains one AnimalMotionCLIP configuration (scheme, modality, M, P) and scores the val list.
type Task struct{}

// Version is folded into the points' hashes; bump it when training changes.
func (Task) Version() string { return "animalmotionclip-1" }

// Validate implements runner.Task.
func (Task) Validate(p runner.Point) error {
	_, err := ParseConfig(p)
	return err
}

// DataDir resolves the Animal Kingdom folder of a point: <root>/animalkingdom (or data.dir) for
// real data, the motion twin's folder for synthetic data.
func (c Config) DataDir(dataRoot string) (string, error) {
	if c.Data.Source == "synthetic" {
		// The twin is a function of the spec alone: the data root is not passed to the writer
		// (it would add the real class descriptions when present).
		return TwinDir(c.Data.Twin, "")
	}
	dir := c.Data.Dir
	if dir == "" {
		dir = data.AKDir
	}
	if !filepath.IsAbs(dir) {
		if dataRoot == "" {
			return "", fmt.Errorf(`animalmotionclip: data.source = "real" needs the data root ($%s or --data-root) holding %s/ with its videos in %s/; or use data.source = "synthetic"`, data.EnvDataRoot, dir, VideoDir)
		}
		dir = filepath.Join(dataRoot, dir)
	}
	return dir, nil
}

// ClassTexts returns the texts the frozen encoder embeds for each class (data.text).
func (c Config) ClassTexts(ds *Dataset) ([]string, error) {
	if c.Data.Text == TextName {
		return ds.Classes, nil
	}
	if ds.Descriptions == nil {
		return nil, fmt.Errorf(`animalmotionclip: data.text = "description" needs %s in %s`, data.AKClassDescriptionsFile, ds.Dir)
	}
	return ds.Descriptions, nil
}

// TextEmbeddings fits the frozen text encoder (TF-IDF + LSA, internal/data/textenc) on the
// class texts and embeds them: [K][dim]. It stands in for CLIP's frozen text encoder.
func TextEmbeddings(texts []string, dim int) ([][]float32, error) {
	enc, err := textenc.Fit(texts, dim)
	if err != nil {
		return nil, err
	}
	return enc.EncodeAll(texts), nil
}

// Run implements runner.Task.
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	var out runner.Outcome
	c, err := ParseConfig(p)
	if err != nil {
		return out, err
	}
	prog := env.Progress
	if prog == nil {
		prog = runner.Discard
	}
	dir, err := c.DataDir(env.DataRoot)
	if err != nil {
		return out, err
	}
	start := time.Now()
	ds, err := Prepare(ctx, dir, c.Data)
	if err != nil {
		return out, err
	}
	prepSeconds := time.Since(start).Seconds()
	texts, err := c.ClassTexts(ds)
	if err != nil {
		return out, err
	}
	text, err := TextEmbeddings(texts, c.Data.TextDim)
	if err != nil {
		return out, err
	}
	backend, err := purego.New(env.Backend)
	if err != nil {
		return out, err
	}
	defer backend.Finalize()
	start = time.Now()
	res, err := Fit(ctx, backend, c, ds, text, prog)
	if err != nil {
		return out, err
	}
	seconds := time.Since(start).Seconds()
	K := len(ds.Classes)
	labels := make([][]int, len(ds.Val))
	for i, v := range ds.Val {
		labels[i] = v.Labels
	}
	// The averaged sigmoid scores rank the val clips (the paper's aggregation); metrics read
	// them through EvaluateMultiLabel, the project's one Animal Kingdom evaluator.
	ev, err := metrics.EvaluateMultiLabel(labels, K, res.Scores, ds.TrainCounts, len(ds.Train), 0)
	if err != nil {
		return out, err
	}
	out.Metrics = ev.Metrics()
	p1, r1, f1 := thresholdF1(labels, res.Scores, c.Model.Threshold)
	out.Metrics["map_chance"] = chanceMAP(labels, K)
	for k, v := range map[string]float64{
		"precision_at_threshold": p1, "recall_at_threshold": r1, "f1_at_threshold": f1,
		"train_seconds": seconds, "prepare_seconds": prepSeconds, "flow_seconds": ds.FlowSeconds,
		"n_train": float64(len(ds.Train)), "n_val": float64(len(ds.Val)), "classes": float64(K),
		"params": float64(res.Params), "final_train_loss": res.TrainLoss[len(res.TrainLoss)-1],
		"frames_per_classifier": float64(c.Model.Frames()), "m": float64(c.Model.M), "p": float64(c.Model.P),
	} {
		out.Metrics[k] = v
	}
	out.Curves = map[string][]float64{"train_loss": res.TrainLoss}
	out.Params = res.Params
	out.DataSource, out.DataFingerprint = c.Data.Source, ds.Fingerprint
	out.Extra = map[string]any{"classes": ds.Classes, "per_class_ap": nanToNil(ev.PerClass)}
	if c.Data.Source == "synthetic" {
		out.Notes = append(out.Notes, "SYNTHETIC videos: the seeded motion twin (animal-like shapes, multi-label actions named after Animal Kingdom classes; some given away by appearance, some only by motion). A pipeline test, not a reproduction of the paper's Animal Kingdom numbers.")
	}
	if n := metrics.SegmentNote(len(ds.Train)); n != "" {
		out.Notes = append(out.Notes, n)
	}
	out.Notes = append(out.Notes, fmt.Sprintf("%s sampling, %s, M = %d classifiers × P = %d frames (%d per classifier); %d train / %d val clips of %d classes; %d epochs, batch %d, Adam %g (weight decay %g); trained in %.1f s on %s; flow %.1f s; scored after the last epoch (no selection on the val list). Flow: pyramidal Horn–Schunck (internal/video/flow) standing in for RAFT.",
		c.Model.Scheme, c.Model.Modality, c.Model.M, c.Model.P, c.Model.Frames(), len(ds.Train), len(ds.Val), K, c.Train.Epochs, c.Train.Batch, c.Train.LearningRate, c.Train.WeightDecay, seconds, backend.Name(), ds.FlowSeconds))
	return out, nil
}

// thresholdF1 is the micro precision, recall and F1 of the label sets the Score Aggregation
// module predicts: every class whose averaged score reaches the threshold.
func thresholdF1(labels [][]int, scores [][]float64, th float64) (p, r, f float64) {
	var tp, fp, fn float64
	for i, row := range scores {
		truth := map[int]bool{}
		for _, l := range labels[i] {
			truth[l] = true
		}
		for k, s := range row {
			switch pred := s >= th; {
			case pred && truth[k]:
				tp++
			case pred:
				fp++
			case truth[k]:
				fn++
			}
		}
	}
	if tp+fp > 0 {
		p = tp / (tp + fp)
	}
	if tp+fn > 0 {
		r = tp / (tp + fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// chanceMAP is the macro mAP of scores that carry no information: the expected AP of a
// random ranking is the class's prevalence among the val clips, averaged over the classes
// with a positive (the classes macro mAP averages over).
func chanceMAP(labels [][]int, k int) float64 {
	pos := make([]int, k)
	for _, ls := range labels {
		for _, l := range ls {
			pos[l]++
		}
	}
	var sum float64
	n := 0
	for _, c := range pos {
		if c > 0 {
			sum += float64(c) / float64(len(labels))
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// nanToNil turns NaN into nil for JSON.
func nanToNil(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		if x == x {
			out[i] = x
		}
	}
	return out
}
