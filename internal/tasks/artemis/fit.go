package artemis

import (
	"context"
	"fmt"
	"strings"

	model "github.com/actrepro/actrepro/gomlx_models/artemis"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/trainer"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// predictBatch is the batch of validation predictions.
const predictBatch = 128

// Fit trains one configuration on a track and evaluates it on the track's
// val split every train.eval_every epochs and after the last; the
// outcome's metrics are the val metrics of the epoch train.select picks:
// the last (default, as the authors' code), or with select = "best" the
// epoch with the best select_metric on a train fold held out of training
// (then also evaluated at each evaluation, its values under "fold_").
// env gives the data root (the real track's fold files) and progress.
func Fit(ctx context.Context, backend backends.Backend, c Config, track *data.AKTrack, env runner.Env) (out runner.Outcome, err error) {
	progress := env.Progress
	textOnly := track.Train.Video == nil
	if c.Data.Track == TrackAKText && !textOnly {
		return out, fmt.Errorf("artemis: the ak-text track unexpectedly has video inputs")
	}
	tr, mc, err := NewTrainer(backend, c, track, c.TrainerConfig())
	if err != nil {
		return out, err
	}
	trainSplit := &track.Train
	var fold data.AKSplit
	var foldData *split
	var foldFrom string
	best := c.Train.Select == SelectBest
	if best {
		fitIdx, outIdx, from, err := heldOut(track, c.Train.SelectFold, env.DataRoot)
		if err != nil {
			return out, err
		}
		fit := subSplit(&track.Train, fitIdx)
		fold, foldFrom, trainSplit = subSplit(&track.Train, outIdx), from, &fit
		foldData = newSplit(&fold, track, textOnly)
	}
	trainData := newSplit(trainSplit, track, textOnly)
	valData := newSplit(&track.Val, track, textOnly)
	segCounts, segNote := segmentCounts(track)
	perClassAt := map[int][]float64{}
	eval := func(epoch int) (map[string]float64, error) {
		// Predictions in batches of predictBatch (fewer graph calls); the
		// batch-micro metric still groups the scores by EvalBatch.
		scores, err := tr.Predict(valData, predictBatch)
		if err != nil {
			return nil, err
		}
		m, perClass, err := Evaluate(track.Val.Labels, track.K(), scores, c.Train.EvalBatch, segCounts)
		if err != nil {
			return nil, err
		}
		perClassAt[epoch] = perClass
		if foldData != nil {
			// The held-out train fold: the only values the trainer's
			// Monitor (fold_<select_metric>) may choose by.
			fs, err := tr.Predict(foldData, predictBatch)
			if err != nil {
				return nil, err
			}
			fm, _, err := Evaluate(fold.Labels, track.K(), fs, c.Train.EvalBatch, segCounts)
			if err != nil {
				return nil, err
			}
			for k, v := range fm {
				m[foldPrefix+k] = v
			}
		}
		return m, nil
	}
	res, err := tr.Fit(ctx, trainData, eval, progress)
	if err != nil {
		return out, err
	}
	pick, vals := res.LastEpoch, res.Last
	if best {
		pick, vals = res.BestEpoch, res.Best
	}
	out.Metrics = map[string]float64{}
	for k, v := range vals {
		out.Metrics[k] = v
	}
	out.Metrics["epoch"] = float64(pick + 1)
	out.Metrics["epochs_run"] = float64(res.Epochs)
	out.Metrics["final_train_loss"] = res.Curves["train_loss"][res.Epochs-1]
	out.Curves = map[string][]float64{}
	for k, v := range res.Curves {
		out.Curves[k] = v
		if k != "train_loss" && k != "lr" && k != "eval_epoch" && !strings.HasPrefix(k, foldPrefix) {
			out.Curves["val_"+k] = v
			delete(out.Curves, k)
		}
	}
	out.DataSource = track.Source
	out.DataFingerprint = track.Fingerprint
	out.Params = tr.Params()
	out.Notes = append(out.Notes, track.Notes...)
	if textOnly {
		out.Notes = append(out.Notes, "text-only: the video tokens X and image embedding F are learned constants (the track has no visual inputs)")
	}
	if segNote != "" {
		out.Notes = append(out.Notes, segNote)
	}
	sel := "the last epoch, as the authors' code reports (main.py trains, then tests once; no checkpoint selection)"
	if best {
		sel = fmt.Sprintf("the epoch with the best %s on train fold %d (%d train clips held out of training: %s); the model trained on the other %d train clips, and the val split, which the table reports, chose nothing (fold values under fold_*)",
			c.Train.SelectMetric, c.Train.SelectFold, fold.Len(), foldFrom, trainSplit.Len())
	}
	if res.StoppedEarly {
		sel += fmt.Sprintf("; stopped early after %d epochs (patience %d on the held-out fold)", res.Epochs, c.Train.Patience)
	}
	layers := fmt.Sprint(mc.EncLayers)
	if mc.Fusion == model.FusionCode {
		layers = fmt.Sprintf("%d+%d", mc.EncLayers, mc.DecLayers)
	}
	out.Notes = append(out.Notes,
		"metrics are those of "+sel+" (metrics.epoch)",
		fmt.Sprintf("map_batch_micro: micro AP per batch of %d val clips in split order, averaged weighted by batch size (the authors' torchmetrics evaluation)", c.Train.EvalBatch),
		"features are precomputed: no video encoder to freeze (frozen_epochs train like the others) and no data augmentation")
	out.Extra = map[string]any{"model": fmt.Sprintf("text=%s residuals=%s fusion=%s t=%d E=%d heads=%d ff=%d layers=%s align=%s(w=%g) text_only=%v",
		mc.TextLayer, mc.Residuals, mc.Fusion, mc.Tokens, mc.EmbedDim, mc.Heads, mc.FFDim, layers, mc.Align, mc.AlignWeight, mc.TextOnly)}
	out.Extra["per_class_ap"] = nanToNil(perClassAt[pick])
	out.Extra["classes"] = track.Classes
	return out, nil
}

// NewTrainer builds the ARTEMIS model of c for track (text-only when the
// track has no video: the video tokens and image embedding are then learned
// constants), its loss (BCE on the logits plus, while training, the
// weighted alignment term of section 3.3) and a trainer with tc. Fit and
// the ensemble members (internal/tasks/ensmember) train through it.
func NewTrainer(backend backends.Backend, c Config, track *data.AKTrack, tc trainer.Config) (*trainer.Trainer, model.Config, error) {
	textOnly := track.Train.Video == nil
	mc := c.ModelConfig(track.T, track.D, track.E, track.K())
	mc.TextOnly = textOnly
	if textOnly {
		mc.NumFrames, mc.VideoDim = c.Model.Frames, c.Model.VideoDim
	}
	if err := mc.Validate(); err != nil {
		return nil, mc, err
	}
	mctx := mlctx.New()
	if err := model.SetClassQueries(mctx, track.LabelEmb); err != nil {
		return nil, mc, err
	}
	modelFn := func(ctx *mlctx.Context, in []*Node) []*Node {
		var video, image, desc, y *Node
		if textOnly {
			desc, y = in[0], in[1]
		} else {
			video, image, desc, y = in[0], in[1], in[2], in[3]
		}
		o := mc.Build(ctx, video, image, desc)
		if g := desc.Graph(); ctx.IsTraining(g) && mc.Align != model.AlignNone && mc.Align != "" {
			// The alignment term of section 3.3, weighted, joins the loss.
			total, bce, _ := mc.Loss(ctx, o, y)
			train.AddLoss(ctx, Sub(total, bce))
		}
		return []*Node{o.Logits}
	}
	lossFn := func(_ *mlctx.Context, labels, outs []*Node) *Node {
		return model.BCEWithLogits(outs[0], ConvertDType(labels[0], outs[0].DType()))
	}
	tr, err := trainer.New(backend, mctx, tc, modelFn, lossFn)
	return tr, mc, err
}

// NewSplit adapts the split s of track to trainer.Data (see split);
// SubSplit picks clips of a split.
func NewSplit(s *data.AKSplit, track *data.AKTrack) trainer.Data {
	return newSplit(s, track, track.Train.Video == nil)
}

// SubSplit is the clips idx of s, in split order.
func SubSplit(s *data.AKSplit, idx []int) data.AKSplit { return subSplit(s, idx) }

// nanToNil makes per-class APs JSON-safe: classes without a val positive
// (NaN) become null.
func nanToNil(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		if x == x {
			out[i] = x
		}
	}
	return out
}
