package artemis

import (
	"context"
	"fmt"

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
// val split after every epoch; the outcome's metrics are those of the
// selected epoch (train.select).
func Fit(ctx context.Context, backend backends.Backend, c Config, track *data.AKTrack, progress runner.Progress) (out runner.Outcome, err error) {
	textOnly := track.Train.Video == nil
	if c.Data.Track == TrackAKText && !textOnly {
		return out, fmt.Errorf("artemis: the ak-text track unexpectedly has video inputs")
	}
	mc := c.ModelConfig(track.T, track.D, track.E, track.K())
	mc.TextOnly = textOnly
	if textOnly {
		mc.NumFrames, mc.VideoDim = c.Model.Frames, c.Model.VideoDim
	}
	if err := mc.Validate(); err != nil {
		return out, err
	}
	mctx := mlctx.New()
	if err := model.SetClassQueries(mctx, track.LabelEmb); err != nil {
		return out, err
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
	tc := c.TrainerConfig()
	tr, err := trainer.New(backend, mctx, tc, modelFn, lossFn)
	if err != nil {
		return out, err
	}
	trainData := newSplit(&track.Train, track, textOnly)
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
		perClassAt[epoch] = perClass
		return m, err
	}
	res, err := tr.Fit(ctx, trainData, eval, progress)
	if err != nil {
		return out, err
	}
	pick, vals := res.BestEpoch, res.Best
	if c.Train.Select == "last" {
		pick, vals = res.LastEpoch, res.Last
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
		if k != "train_loss" && k != "lr" && k != "eval_epoch" {
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
	sel := "the epoch with the best validation batch-micro mAP (the authors' checkpoint selection; Animal Kingdom has no separate test split)"
	if c.Train.Select == "last" {
		sel = "the last epoch"
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
