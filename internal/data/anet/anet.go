// Package anet reads ActivityNet v1.3 for temporal action detection: the official annotation
// file <root>/activitynet/activity_net.v1-3.min.json and precomputed per-video features
// <root>/activitynet/<features>/v_<id>.npy, resampled to a fixed number of steps per video as
// AFSD does for ActivityNet; and it writes a seeded ActivityNet twin in the same layout
// (synthetic annotations and features), read back through the same reader.
package anet

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/detfeat"
	"github.com/actrepro/actrepro/internal/data/npy"
)

// The published layout under the data root.
const (
	Dir            = data.ActivityNetDir  // "activitynet"
	AnnotationFile = data.ActivityNetFile // "activity_net.v1-3.min.json" (activity-net.org)
	// FeatureDir is the default feature folder: ActionFormer's ActivityNet I3D release
	// (per video v_<id>.npy, [T, 2048] float32, RGB then flow) or any [T, C] per-video
	// features with the same names (TSP: [T, 512]).
	FeatureDir = "i3d_features"
	// Steps is AFSD's fixed temporal length for ActivityNet: every video is resampled to 768
	// frames (configs/anet.yaml clip_length 768; anet_data/video2npy.py max_frame_num 768).
	Steps = 768
)

// Subsets of the official file.
const (
	Training   = "training"
	Validation = "validation"
	Testing    = "testing"
)

// Segment is one annotated instance, in seconds.
type Segment struct {
	Start, End float64
	Label      string
}

// Video is one video of the annotation file.
type Video struct {
	ID       string // the database key, without the "v_" of the feature files
	Subset   string
	Duration float64 // seconds (> 0)
	Segments []Segment
}

// Annotations is the annotation file.
type Annotations struct {
	Version     string
	Classes     []string // the taxonomy's leaf classes (200 in v1.3), sorted; the labels used when there is no taxonomy
	Videos      []Video  // sorted by id
	Fingerprint string
}

// Subset returns the videos of one subset, in id order.
func (a *Annotations) Subset(name string) []Video {
	var out []Video
	for _, v := range a.Videos {
		if v.Subset == name {
			out = append(out, v)
		}
	}
	return out
}

// LoadAnnotations reads <root>/activitynet/activity_net.v1-3.min.json.
func LoadAnnotations(root string) (*Annotations, error) {
	return ReadAnnotations(filepath.Join(root, Dir, AnnotationFile))
}

type taxNode struct {
	NodeName   string `json:"nodeName"`
	ParentName string `json:"parentName"`
}

// ReadAnnotations reads an annotation file in the official v1.3 schema: {"version",
// "taxonomy": [{nodeId, nodeName, parentId, parentName}], "database": {id: {subset,
// duration, resolution, url, annotations: [{segment: [start, end], label}]}}}. Every video
// needs a subset among training/validation/testing and a positive duration; every label must
// be a taxonomy leaf when the file has a taxonomy. Segments are clipped to [0, duration]
// (the real file has a few that end after the video); a segment that is empty after
// clipping is an error.
func ReadAnnotations(path string) (*Annotations, error) {
	det, err := data.ReadDetectionJSON(path, nil)
	if err != nil {
		return nil, fmt.Errorf("anet: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("anet: %w", err)
	}
	var top struct {
		Taxonomy []taxNode `json:"taxonomy"`
	}
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("anet: %s: taxonomy: %v", path, err)
	}
	a := &Annotations{Version: det.Version, Fingerprint: det.Fingerprint}
	leaves := map[string]bool{}
	if len(top.Taxonomy) > 0 {
		parents := map[string]bool{}
		for _, n := range top.Taxonomy {
			parents[n.ParentName] = true
		}
		for i, n := range top.Taxonomy {
			if n.NodeName == "" {
				return nil, fmt.Errorf("anet: %s: taxonomy[%d]: no nodeName", path, i)
			}
			if !parents[n.NodeName] {
				leaves[n.NodeName] = true
			}
		}
	}
	labels := map[string]bool{}
	for _, v := range det.Videos {
		switch v.Subset {
		case Training, Validation, Testing:
		default:
			return nil, fmt.Errorf("anet: %s: database.%s.subset: want training, validation or testing, got %q", path, v.ID, v.Subset)
		}
		if !(v.Duration > 0) || math.IsInf(v.Duration, 0) {
			return nil, fmt.Errorf("anet: %s: database.%s.duration: want a positive number of seconds, got %g", path, v.ID, v.Duration)
		}
		out := Video{ID: v.ID, Subset: v.Subset, Duration: v.Duration}
		for i, s := range v.Segments {
			if len(leaves) > 0 && !leaves[s.Label] {
				return nil, fmt.Errorf("anet: %s: database.%s.annotations[%d].label: %q is not a leaf of the taxonomy", path, v.ID, i, s.Label)
			}
			st, en := math.Min(s.Start, v.Duration), math.Min(s.End, v.Duration)
			if !(en > st) {
				return nil, fmt.Errorf("anet: %s: database.%s.annotations[%d].segment: [%g, %g] is empty within the video's %g s", path, v.ID, i, s.Start, s.End, v.Duration)
			}
			out.Segments = append(out.Segments, Segment{Start: st, End: en, Label: s.Label})
			labels[s.Label] = true
		}
		a.Videos = append(a.Videos, out)
	}
	if len(a.Videos) == 0 {
		return nil, fmt.Errorf("anet: %s: database is empty", path)
	}
	set := leaves
	if len(set) == 0 {
		set = labels
	}
	for k := range set {
		a.Classes = append(a.Classes, k)
	}
	sort.Strings(a.Classes)
	return a, nil
}

// FeatureFile is the feature file of a video under dir: v_<id>.npy (ActionFormer's and
// AFSD's naming), or <id>.npy when only that exists.
func FeatureFile(dir, id string) (string, error) {
	p := filepath.Join(dir, "v_"+id+".npy")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	q := filepath.Join(dir, id+".npy")
	if _, err := os.Stat(q); err == nil {
		return q, nil
	}
	return "", fmt.Errorf("anet: no features for video %s: neither %s nor %s exists", id, p, q)
}

// ErrNoFeatures marks a missing feature file (see [FeatureFile]).
var ErrNoFeatures = errors.New("anet: no features")

// ReadFeatures reads a video's features [T, C] from dir and resamples them to steps frames
// spread over its duration (AFSD resamples each video to 768 frames: frame k sits at
// k·duration/steps s; feature t covers [t, t+1)·duration/T and sits at its centre; linear
// interpolation, constant beyond the first and last centres). dim > 0 checks the channels.
// The result is [steps, C] row-major.
func ReadFeatures(dir string, v Video, steps, dim int) ([]float32, int, error) {
	p, err := FeatureFile(dir, v.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrNoFeatures, err)
	}
	a, err := npy.ReadFile(p)
	if err != nil {
		return nil, 0, fmt.Errorf("anet: %s: %w", p, err)
	}
	if len(a.Shape) != 2 || a.Shape[0] < 1 || a.Shape[1] < 1 {
		return nil, 0, fmt.Errorf("anet: %s: shape %v, want [T, C] with T, C >= 1", p, a.Shape)
	}
	t, c := a.Shape[0], a.Shape[1]
	if dim > 0 && c != dim {
		return nil, 0, fmt.Errorf("anet: %s: %d channels, want %d", p, c, dim)
	}
	for i, x := range a.Data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, 0, fmt.Errorf("anet: %s: value %d (step %d, channel %d) is %v", p, i, i/c, i%c, x)
		}
	}
	if steps < 1 {
		return nil, 0, fmt.Errorf("anet: resample %s to %d steps: want >= 1", v.ID, steps)
	}
	step := v.Duration / float64(t)
	f := &detfeat.Features{Video: v.ID, T: t, D: c, Data: a.Data, Offset: step / 2, Step: step}
	g, err := detfeat.Resample(f, float64(steps)/v.Duration, steps)
	if err != nil {
		return nil, 0, fmt.Errorf("anet: %s: %w", p, err)
	}
	return g.Data, c, nil
}
