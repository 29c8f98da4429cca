package ucf50

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/convlstm"
	"github.com/actrepro/actrepro/gomlx_models/lrcn"
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	gctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// TaskName is the name specs select with [experiment] task = "ucf50".
const TaskName = "ucf50"

// DefaultRealDir is the UCF50 directory under the data root.
const DefaultRealDir = "UCF50"

func init() { runner.Register(TaskName, Task{}) }

// Task trains and evaluates one model of the paper on UCF50 or its twin.
type Task struct{}

// Validate checks a point's configuration without running it.
func (Task) Validate(p runner.Point) error {
	_, err := ParseConfig(p)
	return err
}

// BuildModel returns the point's model function and its trainable parameter
// count (built, not run, on backend).
func (c Config) BuildModel(backend backends.Backend) (ModelFn, int, error) {
	switch c.Model.Name {
	case ModelConvLSTM:
		mc := c.ConvLSTM()
		_, n, err := convlstm.Summarize(backend, mc)
		return func(ctx *gctx.Context, x *graph.Node) *graph.Node { return convlstm.Model(ctx, mc, x) }, n, err
	case ModelLRCN:
		mc := c.LRCN()
		_, n, err := lrcn.Summarize(backend, mc)
		return func(ctx *gctx.Context, x *graph.Node) *graph.Node { return lrcn.Model(ctx, mc, x) }, n, err
	}
	return nil, 0, fmt.Errorf("model.name: unknown model %q", c.Model.Name)
}

// DataDir resolves where the point's videos are, writing the synthetic twin
// when needed.
func (c Config) DataDir(dataRoot string) (string, error) {
	d := c.Data
	if d.Source == "real" {
		dir := d.Dir
		if dir == "" {
			dir = DefaultRealDir
		}
		if !filepath.IsAbs(dir) {
			if dataRoot == "" {
				return "", fmt.Errorf("data.source = \"real\" needs the data root ($ACTREPRO_DATA or --data-root) holding %s/ (UCF50 from https://www.crcv.ucf.edu/data/UCF50.php: class folders of .avi files); or use data.source = \"synthetic\"", dir)
			}
			dir = filepath.Join(dataRoot, dir)
		}
		return dir, nil
	}
	return SynthDir(d.Dir, data.SynthUCF50Options{
		Seed: d.Seed, PerClass: d.PerClass, Width: d.Width, Height: d.Height,
		MinFrames: d.MinFrames, MaxFrames: d.MaxFrames, Difficulty: d.Difficulty,
	})
}

// Run decodes the videos, splits them, trains the model and evaluates it on
// the test split.
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	var out runner.Outcome
	cfg, err := ParseConfig(p)
	if err != nil {
		return out, err
	}
	progress := env.Progress
	if progress == nil {
		progress = runner.Discard
	}
	dir, err := cfg.DataDir(env.DataRoot)
	if err != nil {
		return out, err
	}
	ds, err := LoadCached(ctx, dir, cfg.Data.Classes, cfg.Data.Frames, cfg.Data.Size, progress)
	if err != nil {
		return out, err
	}
	trIdx, vaIdx, teIdx := Split(ds.Clips.N, cfg.Data.TestFraction, cfg.Data.ValFraction, cfg.Data.SplitSeed)
	trainSet, valSet, testSet := ds.Clips.Subset(trIdx), ds.Clips.Subset(vaIdx), ds.Clips.Subset(teIdx)

	backend, err := purego.New(env.Backend)
	if err != nil {
		return out, err
	}
	model, params, err := cfg.BuildModel(backend)
	if err != nil {
		return out, err
	}
	start := time.Now()
	mctx, hist, err := Fit(backend, model, trainSet, valSet, FitOptions{
		Epochs: cfg.Train.Epochs, Patience: cfg.Train.Patience, BatchSize: cfg.Train.BatchSize,
		LearningRate: cfg.Train.LearningRate, Seed: cfg.Train.Seed, RestoreBest: cfg.Train.RestoreBest, Ctx: ctx,
	}, progress)
	if err != nil {
		return out, err
	}
	trainSeconds := time.Since(start).Seconds()
	probs, err := Predict(backend, mctx, model, testSet, cfg.Train.BatchSize)
	if err != nil {
		return out, err
	}
	testLoss, testAcc := LossAccuracy(probs, testSet.Y)
	conf := Confusion(probs, testSet.Y, len(cfg.Data.Classes))
	per, macro := Scores(conf)

	out.DataSource = ds.Source
	out.DataFingerprint = ds.Fingerprint
	out.Params = int64(params)
	out.Metrics = map[string]float64{
		"test_accuracy":   testAcc,
		"test_loss":       testLoss,
		"precision_macro": macro.Precision,
		"recall_macro":    macro.Recall,
		"f1_macro":        macro.F1,
		"epochs_run":      float64(hist.Epochs),
		"best_epoch":      float64(hist.BestEpoch),
		"train_seconds":   trainSeconds,
		"n_train":         float64(trainSet.N),
		"n_val":           float64(valSet.N),
		"n_test":          float64(testSet.N),
		"params":          float64(params),
	}
	// The confusion matrix and per-class scores also go into Metrics, flat,
	// so that table renderers and notebooks (which see metrics and curves)
	// can show them: confusion_<true>_<predicted> (class indices of
	// data.classes), precision_<Class>, recall_<Class>, f1_<Class>.
	for i, row := range conf {
		for j, v := range row {
			out.Metrics[fmt.Sprintf("confusion_%d_%d", i, j)] = float64(v)
		}
	}
	for i, s := range per {
		name := cfg.Data.Classes[i]
		out.Metrics["precision_"+name], out.Metrics["recall_"+name], out.Metrics["f1_"+name] = s.Precision, s.Recall, s.F1
	}
	out.Curves = map[string][]float64{
		"train_loss": hist.TrainLoss, "train_accuracy": hist.TrainAcc,
		"val_loss": hist.ValLoss, "val_accuracy": hist.ValAcc,
	}
	perClass := make([]map[string]any, len(per))
	for i, s := range per {
		perClass[i] = map[string]any{"class": cfg.Data.Classes[i], "precision": s.Precision, "recall": s.Recall, "f1": s.F1, "support": s.Support}
	}
	out.Extra = map[string]any{
		"classes":         cfg.Data.Classes,
		"confusion":       conf, // rows: true class, columns: predicted
		"per_class":       perClass,
		"early_stopped":   hist.EarlyStopped,
		"dropped_videos":  ds.Dropped,
		"data_dir":        dir,
		"backend":         backend.String(),
		"test_clip_ids":   testSet.IDs,
		"restored_epoch":  hist.BestEpoch,
		"architecture_of": "the paper's Keras layer tables (Figures 1 and 2), not its prose",
	}
	if ds.Source == "synthetic" {
		out.Notes = append(out.Notes, "SYNTHETIC data: rendered motion of coloured blobs in 4 classes named after UCF50's, written as .avi by `actrepro synth ucf50`; not comparable to the paper's UCF50 numbers.")
	}
	out.Notes = append(out.Notes,
		fmt.Sprintf("Split: %d train / %d val / %d test of %d clips (test %.0f%% shuffled with seed %d by a Go permutation, not NumPy's; validation = last %.0f%% of the rest, as Keras's validation_split).",
			trainSet.N, valSet.N, testSet.N, ds.Clips.N, 100*cfg.Data.TestFraction, cfg.Data.SplitSeed, 100*cfg.Data.ValFraction),
		fmt.Sprintf("Trained %d epochs (best val loss at epoch %d, weights restored: %v, early stopped: %v) on backend %s in %.0f s.",
			hist.Epochs, hist.BestEpoch, cfg.Train.RestoreBest, hist.EarlyStopped, backend.String(), trainSeconds))
	if len(ds.Dropped) > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d videos shorter than %d frames were skipped, as the authors' code does.", len(ds.Dropped), cfg.Data.Frames))
	}
	return out, nil
}
