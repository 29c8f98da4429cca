package gafdet

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/data/detfeat"
	"github.com/actrepro/actrepro/internal/metrics"
)

// Video is one THUMOS14 video on AFSD's 10 fps grid.
type Video struct {
	ID       string
	N        int            // grid frames (the video info's sample_count)
	Segments []afsd.Segment // ground truth in grid frames, classes 1..K (training targets)
	Feat     []float32      // [N, W] features on the grid, RGB then flow
	FPS      float64        // grid frames per second when not data.fps (ActivityNet: 768/duration)
}

// Dataset is the training (validation) and test videos, and the REAL test ground truth.
type Dataset struct {
	Classes     []string // class k+1 is Classes[k] (Class_Index_Detection.txt order, as AFSD)
	Train, Test []*Video
	GT          []metrics.GTSegment // thumos_gt.json "test" (AFSD's evaluation file), restricted to Test when capped
	GTVideos    map[string]bool
	W, Dim      int // channels per step (2·Dim), per stream
	Source      string
	Fingerprint string
	Banner      string
}

// LoadDataset reads the real THUMOS14 annotation files under <root>/thumos14 and the features
// (the twin, or real I3D features) of the videos of both splits.
func LoadDataset(ctx context.Context, c Config, root string) (*Dataset, error) {
	if root == "" {
		return nil, fmt.Errorf("gafdet: THUMOS14 needs its annotation files under <data root>/%s: set $%s or --data-root (the repository's CI uses ../shared/data)", data.THUMOSDir, data.EnvDataRoot)
	}
	dir := filepath.Join(root, data.THUMOSDir)
	th, err := data.LoadTHUMOS14(dir)
	if err != nil {
		return nil, fmt.Errorf("gafdet: %w", err)
	}
	if th.ActionFormer == nil || th.AFSD == nil || len(th.Classes) == 0 {
		return nil, fmt.Errorf("gafdet: %s needs %s, %s and %s", dir, data.THUMOSActionFormer, data.THUMOSAFSDGT, data.THUMOSClassIndex)
	}
	ds := &Dataset{Dim: c.Data.Dim, W: 2 * c.Data.Dim, GTVideos: map[string]bool{}}
	label := map[string]int{}
	for i, ci := range th.Classes {
		ds.Classes = append(ds.Classes, ci.Name)
		label[ci.Name] = i + 1
	}
	info := map[string]data.VideoInfo{}
	for _, f := range []string{data.THUMOSValInfo, data.THUMOSTestInfo} {
		for _, v := range th.VideoInfo[f] {
			info[v.Video] = v
		}
	}
	pick := func(subset string) ([]*Video, error) {
		var out []*Video
		for _, v := range th.ActionFormer.Videos {
			if v.Subset != subset {
				continue
			}
			vi, ok := info[v.ID]
			if !ok {
				return nil, fmt.Errorf("gafdet: video %s of %s has no row in the video info files of %s", v.ID, data.THUMOSActionFormer, dir)
			}
			// Segments in grid frames as get_video_anno does (thumos_dataset.py:36-56): the
			// frame index times sample_count/count.
			// The grid: AFSD's sample_count at 10 fps; at another data.fps (the paper's 25)
			// floor(count·fps/video fps), as detfeat.GridSteps counts.
			n := vi.SampleCount
			if c.Data.FPS != afsd.SampleFPS {
				n = max(1, int(math.Floor(float64(vi.Count)*c.Data.FPS/vi.FPS+1e-9)))
			}
			ratio := float64(n) / float64(vi.Count)
			vid := &Video{ID: v.ID, N: n}
			for _, s := range v.Segments {
				k, ok := label[s.Label]
				if !ok {
					continue // Ambiguous
				}
				vid.Segments = append(vid.Segments, afsd.Segment{Start: s.Start * vi.FPS * ratio, End: s.End * vi.FPS * ratio, Label: k})
			}
			out = append(out, vid)
			if c.Data.Videos > 0 && len(out) == c.Data.Videos {
				break
			}
		}
		return out, nil
	}
	if ds.Train, err = pick("Validation"); err != nil {
		return nil, err
	}
	if h := c.Train.Holdout; h > 0 {
		// Selection on the training data: the last h validation videos are evaluated, against
		// their own annotations (seconds, Ambiguous left out as in training).
		if h >= len(ds.Train) {
			return nil, fmt.Errorf("gafdet: train.holdout %d leaves no training video of %d", h, len(ds.Train))
		}
		ds.Train, ds.Test = ds.Train[:len(ds.Train)-h], ds.Train[len(ds.Train)-h:]
		keep := map[string]bool{}
		for _, v := range ds.Test {
			keep[v.ID] = true
		}
		for _, v := range th.ActionFormer.Videos {
			if v.Subset != "Validation" || !keep[v.ID] {
				continue
			}
			ds.GTVideos[v.ID] = true
			for _, s := range v.Segments {
				if _, ok := label[s.Label]; ok {
					ds.GT = append(ds.GT, metrics.GTSegment{Video: v.ID, Label: s.Label, Start: s.Start, End: s.End})
				}
			}
		}
	} else {
		if ds.Test, err = pick("Test"); err != nil {
			return nil, err
		}
		keep := map[string]bool{}
		for _, v := range ds.Test {
			keep[v.ID] = true
		}
		for _, v := range th.AFSD.Videos {
			if v.Subset != "test" || (c.Data.Videos > 0 && !keep[v.ID]) {
				continue
			}
			ds.GTVideos[v.ID] = true
			for _, s := range v.Segments {
				ds.GT = append(ds.GT, metrics.GTSegment{Video: v.ID, Label: s.Label, Start: s.Start, End: s.End})
			}
		}
	}
	if len(ds.GT) == 0 {
		return nil, fmt.Errorf("gafdet: no ground truth of the %d evaluated videos", len(ds.Test))
	}
	var src detfeat.Source
	if c.Data.Source == "real" {
		r, err := detfeat.OpenTHUMOS14(root, detfeat.Options{Stream: detfeat.Both, Dir: c.Data.Dir, SkipMissing: c.Data.Videos > 0})
		if err != nil {
			return nil, fmt.Errorf("gafdet: %w", err)
		}
		src = r
	} else {
		tc := detfeat.DefaultTwinConfig()
		tc.Seed, tc.Stream, tc.Dim, tc.RGBSNR, tc.FlowSNR, tc.AR = uint64(c.Data.Seed), detfeat.Both, c.Data.Dim, c.Data.RGBSNR, c.Data.FlowSNR, c.Data.AR
		tc.Difficulty = detfeat.DifficultyLevel(c.Data.Difficulty)
		tw, err := detfeat.NewTHUMOS14Twin(root, tc)
		if err != nil {
			return nil, fmt.Errorf("gafdet: %w", err)
		}
		src = tw
	}
	si := src.Info()
	if si.Dim != ds.W {
		if c.Data.Source == "real" {
			ds.Dim, ds.W = si.Dim/2, si.Dim
		} else {
			return nil, fmt.Errorf("gafdet: the twin has %d channels, want %d", si.Dim, ds.W)
		}
	}
	for i, v := range append(append([]*Video(nil), ds.Train...), ds.Test...) {
		if i%32 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		f, err := src.Features(v.ID)
		if err != nil {
			return nil, fmt.Errorf("gafdet: %w", err)
		}
		// The data.fps grid (AFSD's 10 fps frames, thumos_dataset.py): linear interpolation
		// between the feature steps' centres.
		g, err := detfeat.Resample(f, c.Data.FPS, v.N)
		if err != nil {
			return nil, fmt.Errorf("gafdet: %w", err)
		}
		v.Feat = g.Data
	}
	ds.Source, ds.Banner, ds.Fingerprint = "synthetic", si.Banner(), si.Fingerprint
	if !si.Synthetic {
		ds.Source = "real"
	}
	return ds, nil
}

// sortedClasses returns the classes present in the ground truth, sorted.
func sortedClasses(gt []metrics.GTSegment) []string {
	set := map[string]bool{}
	for _, g := range gt {
		set[g.Label] = true
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
