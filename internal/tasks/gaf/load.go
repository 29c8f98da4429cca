package gaf

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/actrepro/actrepro/internal/data"
)

// Set is one side (train or test) of a split, padded to Steps steps.
type Set struct {
	Videos []data.UCFVideo
	X      []float32 // [N, Steps, 2D], RGB‖flow
	Mask   []float32 // [N, Steps]: 1 for a real step
	InWin  []uint8   // [N, Steps]: 1 for a step of the planted window (twin only)
	Y      []int32   // class index (0-based, of Dataset.Classes)
	N      int
}

// Dataset is a split of UCF101 features.
type Dataset struct {
	Train, Test *Set
	Classes     []string
	D, Steps    int // D per stream
	Source      string
	Fingerprint string
	Twin        bool
}

// LoadDataset reads the split lists under <dataRoot>/ucf101 and the features (real, or the
// feature twin tied to those lists) of split c.Data.Split, subset as c.Data says.
func LoadDataset(ctx context.Context, c Config, dataRoot string) (*Dataset, error) {
	d := c.Data
	if dataRoot == "" {
		return nil, fmt.Errorf("gaf: UCF101 needs the official split lists (classInd.txt, trainlist0N.txt, testlist0N.txt) under <data root>/%s: set $%s or --data-root (the repository's CI uses ../shared/data)", data.UCF101Dir, data.EnvDataRoot)
	}
	u, err := data.LoadUCF101(filepath.Join(dataRoot, data.UCF101Dir))
	if err != nil {
		return nil, fmt.Errorf("gaf: %w", err)
	}
	if len(u.Train) < d.Split || len(u.Test) < d.Split {
		return nil, fmt.Errorf("gaf: split %d: %s has %d train and %d test lists", d.Split, filepath.Join(dataRoot, data.UCF101Dir), len(u.Train), len(u.Test))
	}
	nc := len(u.Classes)
	if d.Classes > 0 {
		nc = min(nc, d.Classes)
	}
	pick := func(vids []data.UCFVideo, limit int) []data.UCFVideo {
		var out []data.UCFVideo
		count := map[int]int{}
		for _, v := range vids {
			if v.Class >= nc || (limit > 0 && count[v.Class] >= limit) {
				continue
			}
			count[v.Class]++
			out = append(out, v)
		}
		return out
	}
	train, test := pick(u.Train[d.Split-1], d.MaxTrain), pick(u.Test[d.Split-1], d.MaxTest)
	ds := &Dataset{Classes: u.Classes[:nc], Steps: d.Steps}
	var load func(v data.UCFVideo) ([][]float32, int, int, error)
	if d.Source == "synthetic" {
		tw, err := data.NewFeatureTwin(u, data.FeatureTwinOptions{Seed: uint64(d.Seed), Dim: d.Dim, MinSteps: d.MinSteps, MaxSteps: d.MaxSteps,
			MinWindow: d.MinWindow, MaxWindow: d.MaxWindow, Signal: d.Signal, FlowSignal: d.FlowSignal, Scene: d.Scene, Backgrounds: d.Backgrounds})
		if err != nil {
			return nil, fmt.Errorf("gaf: data: %w", err)
		}
		ds.Source, ds.Fingerprint, ds.Twin, ds.D = "synthetic", tw.Fingerprint, true, d.Dim
		load = func(v data.UCFVideo) ([][]float32, int, int, error) {
			tv := tw.Video(v)
			return tv.Steps, tv.Start, tv.End, nil
		}
	} else {
		dir := d.Dir
		if dir == "" {
			dir = filepath.Join(dataRoot, data.UCF101Dir, data.UCF101FeatureDir)
		} else if !filepath.IsAbs(dir) {
			dir = filepath.Join(dataRoot, dir)
		}
		f, err := data.OpenUCF101Features(dir, u)
		if err != nil {
			return nil, err
		}
		ds.Source, ds.Fingerprint = "real", f.Fingerprint
		load = func(v data.UCFVideo) ([][]float32, int, int, error) {
			m, err := f.Load(v)
			return m, -1, -1, err
		}
	}
	for _, side := range []struct {
		vids []data.UCFVideo
		set  **Set
	}{{train, &ds.Train}, {test, &ds.Test}} {
		s := &Set{Videos: side.vids, N: len(side.vids)}
		for i, v := range side.vids {
			if i%512 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			rows, start, end, err := load(v)
			if err != nil {
				return nil, err
			}
			w := len(rows[0])
			if ds.D == 0 {
				ds.D = w / 2
			}
			if w != 2*ds.D {
				return nil, fmt.Errorf("gaf: video %s has %d channels, the others %d", v.Path, w, 2*ds.D)
			}
			n := len(rows)
			k := min(n, d.Steps)
			for j := range d.Steps {
				src := -1
				if j < k {
					src = j
					if n > d.Steps { // evenly spaced steps
						src = j * n / d.Steps
					}
				}
				if src < 0 {
					s.X = append(s.X, make([]float32, w)...)
					s.Mask = append(s.Mask, 0)
					s.InWin = append(s.InWin, 0)
					continue
				}
				s.X = append(s.X, rows[src]...)
				s.Mask = append(s.Mask, 1)
				in := uint8(0)
				if src >= start && src < end {
					in = 1
				}
				s.InWin = append(s.InWin, in)
			}
			s.Y = append(s.Y, int32(v.Class))
		}
		*side.set = s
	}
	if ds.Train.N == 0 || ds.Test.N == 0 {
		return nil, fmt.Errorf("gaf: split %d subset has %d train and %d test videos", d.Split, ds.Train.N, ds.Test.N)
	}
	return ds, nil
}
