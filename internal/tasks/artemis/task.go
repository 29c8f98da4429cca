package artemis

import (
	"context"
	"fmt"

	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TaskName is the name specs use in [experiment] task.
const TaskName = "artemis"

func init() { runner.Register(TaskName, Task{}) }

// Task is the ARTEMIS runner.Task.
type Task struct{}

// Version is folded into the points' hashes; bump it when training or
// evaluation changes.
func (Task) Version() string { return "artemis-3" } // 3: the authors' code as default (issue 11)

// Validate implements runner.Task.
func (Task) Validate(p runner.Point) error {
	_, err := Decode(p)
	return err
}

// LoadTrack builds the point's data track.
func LoadTrack(c Config, dataRoot string) (*data.AKTrack, error) {
	d := c.Data
	if d.Track == TrackAKText {
		return data.LoadAKText(dataRoot, data.AKTextOptions{Dim: d.EmbedDim, LabelText: d.LabelText,
			MaxTrain: d.MaxTrain, MaxVal: d.MaxVal, Seed: d.Seed, ClipDir: d.ClipDir, Eval: d.Eval})
	}
	return data.SynthAK(data.SynthAKOptions{Seed: d.Seed, NTrain: d.NTrain, NVal: d.NVal, K: d.Classes,
		T: d.Frames, D: d.VideoDim, E: d.EmbedDim, Difficulty: d.Difficulty})
}

// Run implements runner.Task.
func (Task) Run(ctx context.Context, p runner.Point, env runner.Env) (out runner.Outcome, err error) {
	c, err := Decode(p)
	if err != nil {
		return out, err
	}
	track, err := LoadTrack(c, env.DataRoot)
	if err != nil {
		return out, err
	}
	backend, err := purego.New(env.Backend)
	if err != nil {
		return out, err
	}
	defer backend.Finalize()
	if IsBaseline(c.Model.Preset) {
		return runBaseline(c, track, env.Progress)
	}
	res, err := Fit(ctx, backend, c, track, env)
	if err != nil {
		return out, err
	}
	return res, nil
}

// split adapts an AKSplit to trainer.Data: inputs are [video, image, desc,
// targets] ([desc, targets] on the text-only track).
type split struct {
	s        *data.AKSplit
	t, d, e  int
	k        int
	textOnly bool
	targets  [][]float32
}

func newSplit(s *data.AKSplit, track *data.AKTrack, textOnly bool) *split {
	return &split{s: s, t: track.T, d: track.D, e: track.E, k: track.K(), textOnly: textOnly, targets: s.MultiHot(track.K())}
}

func (s *split) Len() int { return s.s.Len() }

func (s *split) Batch(idx []int) ([]*tensors.Tensor, []*tensors.Tensor, error) {
	b := len(idx)
	desc := make([]float32, 0, b*s.e)
	y := make([]float32, 0, b*s.k)
	var video, image []float32
	if !s.textOnly {
		video = make([]float32, 0, b*s.t*s.d)
		image = make([]float32, 0, b*s.e)
	}
	for _, i := range idx {
		if len(s.s.Desc[i]) != s.e {
			return nil, nil, fmt.Errorf("clip %s: description embedding has width %d, want %d", s.s.IDs[i], len(s.s.Desc[i]), s.e)
		}
		desc = append(desc, s.s.Desc[i]...)
		y = append(y, s.targets[i]...)
		if !s.textOnly {
			if len(s.s.Video[i]) != s.t*s.d || len(s.s.Image[i]) != s.e {
				return nil, nil, fmt.Errorf("clip %s: video/image widths %d/%d, want %d/%d", s.s.IDs[i], len(s.s.Video[i]), len(s.s.Image[i]), s.t*s.d, s.e)
			}
			video = append(video, s.s.Video[i]...)
			image = append(image, s.s.Image[i]...)
		}
	}
	dt := tensors.FromFlatDataAndDimensions(desc, b, s.e)
	yt := tensors.FromFlatDataAndDimensions(y, b, s.k)
	if s.textOnly {
		return []*tensors.Tensor{dt, yt}, []*tensors.Tensor{yt}, nil
	}
	vt := tensors.FromFlatDataAndDimensions(video, b, s.t, s.d)
	it := tensors.FromFlatDataAndDimensions(image, b, s.e)
	return []*tensors.Tensor{vt, it, dt, yt}, []*tensors.Tensor{yt}, nil
}

// Evaluate computes the reported metrics from validation scores with the
// one evaluator of the Animal Kingdom tasks, metrics.EvaluateMultiLabel:
// the authors' batch-micro mAP (batch evalBatch, in split order), the
// official macro mAP, micro mAP and the head/middle/tail means. segCounts
// are the segment-defining counts of segmentCounts (already scaled).
func Evaluate(labels [][]int, k int, scores [][]float32, evalBatch int, segCounts []int) (map[string]float64, []float64, error) {
	ev, err := metrics.EvaluateMultiLabel(labels, k, metrics.Float64s(scores), segCounts, metrics.AKTrainClips, evalBatch)
	if err != nil {
		return nil, nil, err
	}
	m := ev.Metrics()
	delete(m, "val_classes")
	return m, ev.PerClass, nil
}

// segmentCounts returns the counts that define head/middle/tail by the
// project's one rule, metrics.ScaledTrainCounts, and its record note.
func segmentCounts(track *data.AKTrack) ([]int, string) {
	n := track.Train.Len()
	return metrics.ScaledTrainCounts(track.TrainCounts, n), metrics.SegmentNote(n)
}
