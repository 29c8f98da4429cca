package ensmember

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/npy"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/tasks/artemis"
	"github.com/gomlx/gomlx/backends"
)

// TaskName is the name specs use in [experiment] task.
const TaskName = "artemis-ens-member"

func init() { runner.Register(TaskName, Task{}) }

// Task is the runner.Task of one ensemble member.
type Task struct{}

// Version is folded into the points' hashes.
func (Task) Version() string { return "artemis-ens-member-1" }

// Arrays of the logits file (LogitsPath), all float32.
const (
	KeyValLogits      = "val_logits"   // [Nval, K] raw logits on the val split, in split order
	KeyValTargets     = "val_targets"  // [Nval, K] 0/1
	KeyTrainLogits    = "train_logits" // [Ntrain, K] raw logits on the train clips of KeyTrainPredicted (NaN elsewhere), in split order
	KeyTrainTarget    = "train_targets"
	KeyTrainFold      = "train_fold"      // [Ntrain] cross-validation fold of each train clip (0..4), -1 for a clip in no fold
	KeyValFeat        = "val_feat"        // [Nval, E] the clip features (description embedding S), the PPO state
	KeyTrainFeat      = "train_feat"      // [Ntrain, E]
	KeyTrainCounts    = "train_counts"    // [K] positives per class in the whole train split (head/middle/tail)
	KeyTrainedOn      = "trained_on"      // [Ntrain] 1 if the member trained on the clip, else 0
	KeyTrainPredicted = "train_predicted" // [Ntrain] 1 where train_logits holds logits: every fold (authors' members) or the excluded fold (leak-free)
)

// LogitsPath is the member's logits file beside its record.
func LogitsPath(resultsRoot, experiment, scale, hash string) string {
	return filepath.Join(results.Dir(resultsRoot, experiment, scale), hash+".logits.npz")
}

// Config is a member's configuration: the ARTEMIS task's, plus ExcludeFold.
type Config struct {
	artemis.Config
	// ExcludeFold is the cross-validation fold of train (0..4) the member
	// does NOT train on (the leak-free protocol), or -1: the whole train
	// split, as the authors' members.
	ExcludeFold int
	// FitClipsPerFold caps the train clips predicted per fold (the clips
	// the ensemble weights may be fitted on) to a seeded subset of that
	// many (train.fit_clips_per_fold; 0: every clip, as the authors).
	FitClipsPerFold int
}

// Decode reads a member point: train.exclude_fold (default -1) is taken
// out, the rest is the ARTEMIS task's config (artemis.Decode, strict).
func Decode(p runner.Point) (Config, error) {
	c := Config{ExcludeFold: -1}
	intOf := func(v any) (int64, bool) {
		switch x := v.(type) {
		case int64:
			return x, true
		case int:
			return int64(x), true
		}
		return 0, false
	}
	q := p
	q.Config = map[string]any{}
	for k, v := range p.Config {
		q.Config[k] = v
	}
	if tr, ok := p.Config["train"].(map[string]any); ok {
		t2 := map[string]any{}
		for k, v := range tr {
			t2[k] = v
		}
		if v, ok := t2["fit_clips_per_fold"]; ok {
			n, ok := intOf(v)
			if !ok || n < 0 {
				return c, spec.Errorf("train.fit_clips_per_fold", "want an integer >= 0 (0: every clip of each fold), got %v", v)
			}
			c.FitClipsPerFold = int(n)
			delete(t2, "fit_clips_per_fold")
		}
		if v, ok := t2["exclude_fold"]; ok {
			f, ok := intOf(v)
			if !ok || f < -1 || f >= data.AKNumFolds {
				return c, spec.Errorf("train.exclude_fold", "want -1 (train on every fold) or 0..%d, got %v", data.AKNumFolds-1, v)
			}
			c.ExcludeFold = int(f)
			delete(t2, "exclude_fold")
		}
		q.Config["train"] = t2
	}
	ac, err := artemis.Decode(q)
	if err != nil {
		return c, err
	}
	if artemis.IsBaseline(ac.Model.Preset) {
		return c, spec.Errorf("model.preset", "an ensemble member is an ARTEMIS model, not the baseline %q", ac.Model.Preset)
	}
	if ac.Train.Select != artemis.SelectLast {
		return c, spec.Errorf("train.select", `members report the last epoch (the authors' code); got %q`, ac.Train.Select)
	}
	c.Config = ac
	return c, nil
}

// Validate implements runner.Task.
func (Task) Validate(p runner.Point) error { _, err := Decode(p); return err }

// Folds returns each train clip's cross-validation fold (-1: none): on the
// real track the authors' <f>_light.csv files (artemis_code/utility/
// cross_annotations.py cut them from train_light.csv), on the synthetic
// twin clip i's fold is i % 5 (the assignment data.WriteTwins writes).
func Folds(track *data.AKTrack, dataRoot string) ([]int, string, error) {
	n := track.Train.Len()
	fold := make([]int, n)
	if track.Source != "real" {
		for i := range fold {
			fold[i] = i % data.AKNumFolds
		}
		return fold, fmt.Sprintf("synthetic twin: clip i in fold i %% %d", data.AKNumFolds), nil
	}
	pos := map[string]int{}
	for i, id := range track.Train.IDs {
		pos[id] = i
		fold[i] = -1
	}
	for f := 0; f < data.AKNumFolds; f++ {
		p := filepath.Join(dataRoot, data.AKDir, fmt.Sprintf("%d_light.csv", f))
		clips, err := data.ReadAKFold(p, track.K(), nil)
		if err != nil {
			return nil, "", err
		}
		for _, c := range clips {
			if i, ok := pos[c.ID]; ok {
				fold[i] = f
			}
		}
	}
	return fold, "the authors' folds <f>_light.csv of train_light.csv", nil
}

// Run implements runner.Task: train, evaluate on val, cache the logits.
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (out runner.Outcome, err error) {
	c, err := Decode(p)
	if err != nil {
		return out, err
	}
	track, err := artemis.LoadTrack(c.Config, env.DataRoot)
	if err != nil {
		return out, err
	}
	backend, err := purego.New(env.Backend)
	if err != nil {
		return out, err
	}
	defer backend.Finalize()
	folds, foldFrom, err := Folds(track, env.DataRoot)
	if err != nil {
		return out, err
	}
	return fit(ctx, backend, c, track, folds, foldFrom, env, LogitsPath(results.Root(ctx), p.ExperimentID, p.Scale, p.Hash))
}

// predictBatch is the batch of predictions.
const predictBatch = 128

func fit(ctx context.Context, backend backends.Backend, c Config, track *data.AKTrack, folds []int, foldFrom string, env runner.Env, logitsPath string) (out runner.Outcome, err error) {
	textOnly := track.Train.Video == nil
	// The model, loss and trainer of internal/tasks/artemis.Fit.
	tc := c.TrainerConfig()
	tc.EvalEvery = tc.Epochs // the one evaluation is the caller's, after training
	tr, mc, err := artemis.NewTrainer(backend, c.Config, track, tc)
	if err != nil {
		return out, err
	}
	trainedOn := make([]float32, track.Train.Len())
	var fitIdx []int
	for i, f := range folds {
		if c.ExcludeFold < 0 || f != c.ExcludeFold {
			fitIdx = append(fitIdx, i)
			trainedOn[i] = 1
		}
	}
	fitSplit := artemis.SubSplit(&track.Train, fitIdx)
	start := time.Now()
	res, err := tr.Fit(ctx, artemis.NewSplit(&fitSplit, track), func(int) (map[string]float64, error) { return map[string]float64{}, nil }, env.Progress)
	if err != nil {
		return out, err
	}
	trainSec := time.Since(start).Seconds()
	start = time.Now()
	valLogits, err := tr.Predict(artemis.NewSplit(&track.Val, track), predictBatch)
	if err != nil {
		return out, err
	}
	// Train logits are needed on the folds the weights may be fitted on:
	// every fold for the authors' members, the excluded fold for a
	// leak-free member (the other rows are NaN, and train_predicted 0).
	predIdx := fitCandidates(folds, c.ExcludeFold, c.FitClipsPerFold, c.Data.Seed)
	predicted := make([]float32, track.Train.Len())
	for _, i := range predIdx {
		predicted[i] = 1
	}
	predSplit := artemis.SubSplit(&track.Train, predIdx)
	sub, err := tr.Predict(artemis.NewSplit(&predSplit, track), predictBatch)
	if err != nil {
		return out, err
	}
	nan := float32(math.NaN())
	trainLogits := make([][]float32, track.Train.Len())
	for i := range trainLogits {
		if predicted[i] == 0 {
			row := make([]float32, track.K())
			for j := range row {
				row[j] = nan
			}
			trainLogits[i] = row
		}
	}
	for j, i := range predIdx {
		trainLogits[i] = sub[j]
	}
	predSec := time.Since(start).Seconds()
	segCounts := metrics.ScaledTrainCounts(track.TrainCounts, track.Train.Len())
	m, perClass, err := artemis.Evaluate(track.Val.Labels, track.K(), valLogits, c.Train.EvalBatch, segCounts)
	if err != nil {
		return out, err
	}
	if err := writeLogits(logitsPath, track, valLogits, trainLogits, folds, trainedOn, predicted); err != nil {
		return out, err
	}
	out.Metrics = m
	out.Metrics["epoch"] = float64(res.Epochs)
	out.Metrics["final_train_loss"] = res.Curves["train_loss"][res.Epochs-1]
	out.Metrics["train_seconds"] = trainSec
	out.Metrics["predict_seconds"] = predSec
	out.Metrics["trained_clips"] = float64(len(fitIdx))
	out.Metrics["predicted_train_clips"] = float64(len(predIdx))
	if c.FitClipsPerFold > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("train logits predicted on a seeded subset of %d clips per fold (train.fit_clips_per_fold; the authors fit on every clip of the fold): the compute budget", c.FitClipsPerFold))
	}
	out.Curves = map[string][]float64{"train_loss": res.Curves["train_loss"]}
	out.DataSource = track.Source
	out.DataFingerprint = track.Fingerprint
	out.Params = tr.Params()
	out.Notes = append(out.Notes, track.Notes...)
	if textOnly {
		out.Notes = append(out.Notes, "text-only: the video tokens X and image embedding F are learned constants (the track has no visual inputs)")
	}
	prot := "trained on the whole train split (every fold), as the authors' members: the ensemble weights fitted on fold k are fitted on clips the member trained on"
	if c.ExcludeFold >= 0 {
		prot = fmt.Sprintf("trained WITHOUT train fold %d (leak-free protocol): weights fitted on fold %d are fitted on clips the member never saw", c.ExcludeFold, c.ExcludeFold)
	}
	out.Notes = append(out.Notes, prot, "folds: "+foldFrom,
		"metrics are those of the last epoch, as the authors' code (no checkpoint selection)",
		fmt.Sprintf("map_batch_micro: micro AP per batch of %d val clips in split order, averaged weighted by batch size (the authors' torchmetrics evaluation)", c.Train.EvalBatch),
		"logits cached in "+filepath.Base(logitsPath)+" beside this record (val, and the train clips of the folds the weights may be fitted on, with each clip's fold), read by the ensemble task")
	out.Extra = map[string]any{"model": fmt.Sprintf("text=%s residuals=%s fusion=%s t=%d E=%d heads=%d ff=%d align=%s(w=%g) text_only=%v",
		mc.TextLayer, mc.Residuals, mc.Fusion, mc.Tokens, mc.EmbedDim, mc.Heads, mc.FFDim, mc.Align, mc.AlignWeight, mc.TextOnly),
		"logits_file": filepath.Base(logitsPath), "exclude_fold": c.ExcludeFold}
	_ = perClass
	return out, nil
}

func writeLogits(path string, track *data.AKTrack, valLogits, trainLogits [][]float32, folds []int, trainedOn, predicted []float32) error {
	k := track.K()
	arrays := map[string]*npy.Array{}
	add := func(name string, rows [][]float32) error {
		a, err := npy.FromMatrix(rows)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		arrays[name] = a
		return nil
	}
	vec := func(name string, xs []float32) error {
		a, err := npy.NewFloat32([]int{len(xs)}, xs)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		arrays[name] = a
		return nil
	}
	fl := make([]float32, len(folds))
	for i, f := range folds {
		fl[i] = float32(f)
	}
	tc := make([]float32, k)
	for i, c := range track.TrainCounts {
		tc[i] = float32(c)
	}
	for _, e := range []error{
		add(KeyValLogits, valLogits), add(KeyValTargets, track.Val.MultiHot(k)),
		add(KeyTrainLogits, trainLogits), add(KeyTrainTarget, track.Train.MultiHot(k)),
		add(KeyValFeat, track.Val.Desc), add(KeyTrainFeat, track.Train.Desc),
		vec(KeyTrainFold, fl), vec(KeyTrainCounts, tc), vec(KeyTrainedOn, trainedOn), vec(KeyTrainPredicted, predicted),
	} {
		if e != nil {
			return e
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return npy.WriteNPZ(path, arrays)
}

// fitCandidates are the train clips whose logits the ensemble may fit
// weights on, in split order: every fold's clips (exclude < 0) or fold
// exclude's, each fold capped to a seeded subset of perFold clips when
// perFold > 0.
func fitCandidates(folds []int, exclude, perFold int, seed int64) []int {
	byFold := map[int][]int{}
	for i, f := range folds {
		if f >= 0 && (exclude < 0 || f == exclude) {
			byFold[f] = append(byFold[f], i)
		}
	}
	var out []int
	for f := 0; f < data.AKNumFolds; f++ {
		idx := byFold[f]
		if perFold > 0 && len(idx) > perFold {
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(f)))
			rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
			idx = idx[:perFold]
		}
		out = append(out, idx...)
	}
	sort.Ints(out)
	return out
}
