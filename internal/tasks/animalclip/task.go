package animalclip

import (
	"context"
	"fmt"
	"time"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/aclipeval"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/akspecies"
	"github.com/actrepro/actrepro/internal/runner"
)

// TaskName is the runner task of this package, the spec's [experiment] task.
const TaskName = "animalclip"

func init() { runner.Register(TaskName, Task{}) }

// Task runs one variant on one point.
type Task struct{}

// Version is folded into the points' hashes; bump it when fitting or
// evaluation changes.
func (Task) Version() string { return "animalclip-1" }

// Validate decodes the point strictly.
func (Task) Validate(p runner.Point) error {
	_, err := Decode(p)
	return err
}

// Load loads the real split of a config from dataRoot. The feature-level
// twin (data.source = "twin") is built by the "animalclip-twin" task
// (internal/tasks/animalcliptwin), which reuses RunOn.
func Load(c DataConfig, dataRoot string) (*Dataset, error) {
	if c.Source == "twin" {
		return nil, fmt.Errorf("data.source = \"twin\" is the task \"animalclip-twin\"'s (internal/tasks/animalcliptwin)")
	}
	root := data.DataRoot(dataRoot)
	if root == "" {
		return nil, fmt.Errorf("data.source = \"real\" needs the Animal Kingdom files: pass --data-root or set $%s (see README, section Data)", data.EnvDataRoot)
	}
	return LoadReal(root, c)
}

// Run scores the val clips with the point's variant and reports val.py's
// metrics (internal/aclipeval).
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (runner.Outcome, error) {
	c, err := Decode(p)
	if err != nil {
		return runner.Outcome{}, err
	}
	ds, err := Load(c.Data, env.DataRoot)
	if err != nil {
		return runner.Outcome{}, err
	}
	return RunOn(ctx, c, ds, env)
}

// RunOn scores ds's val clips with c's variant and reports val.py's metrics.
func RunOn(ctx context.Context, c Config, ds *Dataset, env runner.Env) (runner.Outcome, error) {
	v := Variants[c.Model.Variant]
	out := runner.Outcome{DataSource: ds.Source, DataFingerprint: ds.Fingerprint, Notes: append([]string(nil), ds.Notes...),
		Curves: map[string][]float64{}, Extra: map[string]any{}, Metrics: map[string]float64{}}
	if ds.Source == "twin" {
		out.Notes = append([]string{"SYNTHETIC feature-level twin: real Animal Kingdom classes, species and graph; frames are planted features, not video"}, out.Notes...)
	}
	nc := len(ds.Classes)
	evalItems := ds.Val
	if v.Species == "predicted" {
		pred := FitSpecies(ds.TrainX, ds.Train, ds.NumAnimals)
		var acc float64
		evalItems, acc = pred.PredictAll(ds.ValX, ds.Val)
		out.Metrics["species_acc"] = acc
		out.Notes = append(out.Notes, fmt.Sprintf("species predicted from the clip's feature by nearest train centroid (one animal per clip): %.2f%% of val clips get one of their true species", 100*acc))
	}
	var g *akspecies.Graph
	switch v.Graph {
	case "shipped":
		g = ds.Shipped
		out.Notes = append(out.Notes, "graph: the shipped relation file (built by Animal-CLIP from train AND val pairs)")
	case "train":
		g = ds.TrainGraph
		out.Notes = append(out.Notes, "graph: the train pairs only")
	}
	start := time.Now()
	var scores [][]float64
	switch v.Method {
	case MethodLabelFrequency:
		scores = LabelFrequency(ds.Train, len(ds.Val), nc)
	case MethodSpeciesPrior:
		scores = SpeciesPrior(ds.Train, evalItems, ds.NumAnimals, nc, c.Model.Smoothing)
		out.Notes = append(out.Notes, fmt.Sprintf("species prior: mean over the clip's species of (n(s,a) + %g p(a)) / (n(s) + %g), train counts", c.Model.Smoothing, c.Model.Smoothing))
	case MethodGraphPrior:
		scores = GraphPrior(g, ds.Train, evalItems, nc)
	case MethodAnimalCLIP:
		backend, err := purego.New(env.Backend)
		if err != nil {
			return runner.Outcome{}, err
		}
		defer backend.Finalize()
		res, err := Fit(ctx, backend, c, v, ds, g, evalItems, env.Progress)
		if err != nil {
			return runner.Outcome{}, err
		}
		scores = res.Scores
		out.Params = res.Params
		out.Curves["train_loss"] = res.TrainLoss
		mc := c.ModelConfig(len(ds.ClassX[0]), len(ds.TrainX[0])/ds.Frames, v)
		out.Notes = append(out.Notes, fmt.Sprintf("Animal-CLIP head: D %d, GCN %d→%d→%d, %d prompt layers × %d heads, α0 %g, video layers %d, modules gcn=%v text_prompt=%v video_prompt=%v; %d epochs, batch %d, Adam %g, trained with the true species; scores = softmax of the logits after the last epoch (val.py:113)",
			mc.Dim, mc.Dim, mc.GCNHidden, mc.Dim, mc.PromptLayers, mc.Heads, mc.Alpha, mc.VideoLayers, mc.UseGCN, mc.UseTextPrompt, mc.UseVideoPrompt, c.Train.Epochs, c.Train.Batch, c.Train.LearningRate))
	}
	ev, err := aclipeval.Evaluate(Labels(ds.Val, nc), scores, ds.TrainCounts)
	if err != nil {
		return runner.Outcome{}, fmt.Errorf("evaluating %s: %w", c.Model.Variant, err)
	}
	for k, x := range ev.Metrics() {
		out.Metrics[k] = x
	}
	out.Metrics["n_train"], out.Metrics["n_val"] = float64(len(ds.Train)), float64(len(ds.Val))
	out.Metrics["fit_seconds"] = time.Since(start).Seconds()
	out.Extra["per_class_ap"] = nanToNil(ev.PerClass)
	return out, nil
}

func nanToNil(x []float64) []any {
	out := make([]any, len(x))
	for i, v := range x {
		if v == v {
			out[i] = v
		}
	}
	return out
}
