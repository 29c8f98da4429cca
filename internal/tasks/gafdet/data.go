package gafdet

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/gomlx_models/afsd"
	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/metrics"
)

// Video is one THUMOS14 video on AFSD's 10 fps grid.
type Video struct {
	ID       string
	N        int            // grid frames (the video info's sample_count)
	Segments []afsd.Segment // ground truth in grid frames, classes 1..K (training targets)
	Feat     []float32      // [N, W] features on the grid, RGB then flow
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
			ratio := float64(vi.SampleCount) / float64(vi.Count)
			vid := &Video{ID: v.ID, N: vi.SampleCount}
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
	if len(ds.GT) == 0 {
		return nil, fmt.Errorf("gafdet: no ground truth of the %d test videos kept in %s", len(ds.Test), data.THUMOSAFSDGT)
	}
	if c.Data.Source == "real" {
		return nil, fmt.Errorf("gafdet: data.source = \"real\" needs the THUMOS14 feature reader (internal/data/detfeat), not merged yet")
	}
	tw := newTwin(c.Data, len(ds.Classes))
	for i, v := range append(append([]*Video(nil), ds.Train...), ds.Test...) {
		if i%32 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v.Feat = tw.video(v)
	}
	ds.Source, ds.Banner = "synthetic", "synthetic features, real ground truth"
	ds.Fingerprint = fmt.Sprintf("twin:seed=%d,dim=%d,rgb=%g,flow=%g,ar=%g,difficulty=%g;gt=%s", c.Data.Seed, c.Data.Dim, c.Data.RGBSNR, c.Data.FlowSNR, c.Data.AR, c.Data.Difficulty, th.Fingerprint)
	return ds, nil
}

// twin is a ground-truth-anchored feature generator on the 10 fps grid: unit-variance AR(1)
// noise per channel, a per-video scene offset, and, at frames inside a real segment, the
// segment's class direction scaled by the stream's SNR and a per-instance gain; boundaries
// ramp over difficulty·2 s; at difficulty d, each class direction shares 0.8·d of its energy
// with the next class's. (A stand-in until internal/data/detfeat's twin is merged.)
type twin struct {
	d    Data
	dirs [2][][]float64
}

func newTwin(d Data, classes int) *twin {
	r := rand.New(rand.NewPCG(uint64(d.Seed), 0x7d1))
	t := &twin{d: d}
	for s := range 2 {
		base := make([][]float64, classes)
		for k := range base {
			v := make([]float64, d.Dim)
			n := 0.0
			for i := range v {
				v[i] = r.NormFloat64()
				n += v[i] * v[i]
			}
			for i := range v {
				v[i] /= math.Sqrt(n)
			}
			base[k] = v
		}
		conf := 0.8 * d.Difficulty
		t.dirs[s] = make([][]float64, classes)
		for k := range base {
			v := make([]float64, d.Dim)
			nb := base[(k+1)%classes]
			n := 0.0
			for i := range v {
				v[i] = math.Sqrt(1-conf)*base[k][i] + math.Sqrt(conf)*nb[i]
				n += v[i] * v[i]
			}
			for i := range v {
				v[i] /= math.Sqrt(n)
			}
			t.dirs[s][k] = v
		}
	}
	return t
}

func (t *twin) video(v *Video) []float32 {
	h := fnv.New64a()
	h.Write([]byte(v.ID))
	r := rand.New(rand.NewPCG(uint64(t.d.Seed), h.Sum64()))
	D, W := t.d.Dim, 2*t.d.Dim
	out := make([]float32, v.N*W)
	scene := make([]float64, W)
	for i := range scene {
		scene[i] = 0.5 * r.NormFloat64()
	}
	prev := make([]float64, W)
	a := t.d.AR
	for i := range prev {
		prev[i] = r.NormFloat64()
	}
	blur := 2 * t.d.Difficulty * afsd.SampleFPS // frames
	gains := make([]float64, len(v.Segments))
	for i := range gains {
		gains[i] = 1 + 0.3*(2*r.Float64()-1)
	}
	snr := [2]float64{t.d.RGBSNR, t.d.FlowSNR}
	sig := make([]float64, W)
	for k := range v.N {
		for i := range sig {
			sig[i] = 0
		}
		f := float64(k) + 0.5
		for j, s := range v.Segments {
			w := 1.0
			switch {
			case f < s.Start-blur/2 || f > s.End+blur/2:
				continue
			case blur > 0 && f < s.Start+blur/2:
				w = (f - (s.Start - blur/2)) / blur
			case blur > 0 && f > s.End-blur/2:
				w = ((s.End + blur/2) - f) / blur
			case f < s.Start || f > s.End:
				continue
			}
			for st := range 2 {
				dir := t.dirs[st][s.Label-1]
				for i := range D {
					sig[st*D+i] += w * gains[j] * snr[st] * dir[i]
				}
			}
		}
		row := out[k*W : (k+1)*W]
		for i := range row {
			prev[i] = a*prev[i] + math.Sqrt(1-a*a)*r.NormFloat64()
			row[i] = float32(prev[i] + scene[i] + sig[i])
		}
	}
	return out
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
