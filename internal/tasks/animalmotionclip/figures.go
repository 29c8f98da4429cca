package animalmotionclip

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"strings"

	"github.com/actrepro/actrepro/internal/codever"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/plots"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// The figure helpers of the notebook (plots/ is frozen, so they live beside the task).

// PrepareSpec prepares the clips of the first point of the sweep spec at path and scale (the
// same preparation its runs read, memoised), with that point's configuration.
func PrepareSpec(ctx context.Context, path, scale, dataRoot string) (*Dataset, Config, error) {
	s, err := spec.Load(path)
	if err != nil {
		return nil, Config{}, err
	}
	version, err := codever.Version(Task{})
	if err != nil {
		return nil, Config{}, err
	}
	points, err := s.Expand(scale, version)
	if err != nil {
		return nil, Config{}, err
	}
	if len(points) == 0 {
		return nil, Config{}, fmt.Errorf("%s: no points at scale %s", path, scale)
	}
	c, err := ParseConfig(points[0])
	if err != nil {
		return nil, c, s.Locate(points[0], err)
	}
	dir, err := c.DataDir(dataRoot)
	if err != nil {
		return nil, c, err
	}
	ds, err := Prepare(ctx, dir, c.Data)
	return ds, c, err
}

// tileScale is the nearest-neighbour magnification of each frame in FlowFigure.
const tileScale = 4

// FlowFigure draws, for each of the given val clips, frames at the given positions (fractions
// of the clip, e.g. 0.25 and 0.75) beside their flow images: columns I_t, F_t, I_t', F_t', ...;
// the row label lists the clip's classes. Flow images are the model's inputs (the Middlebury
// colour wheel: hue = direction, saturation = speed up to data.flow_max).
func FlowFigure(ds *Dataset, clips []int, at []float64, source string) (*plots.Figure, error) {
	if len(clips) == 0 || len(at) == 0 {
		return nil, fmt.Errorf("animalmotionclip: FlowFigure needs clips and frame positions")
	}
	s := ds.Size
	tile := s*tileScale + 4
	cols := 2 * len(at)
	img := image.NewRGBA(image.Rect(0, 0, cols*tile, len(clips)*tile))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	var yTicks []plot.Tick
	for r, ci := range clips {
		if ci < 0 || ci >= len(ds.Val) {
			return nil, fmt.Errorf("animalmotionclip: FlowFigure: val clip %d of %d", ci, len(ds.Val))
		}
		clip := &ds.Val[ci]
		for k, a := range at {
			t := min(clip.T-1, max(0, int(a*float64(clip.T))))
			for f, flowImg := range []bool{false, true} {
				px := clip.Frame(t, flowImg, s)
				x0, y0 := (2*k+f)*tile+2, r*tile+2
				for y := range s * tileScale {
					for x := range s * tileScale {
						p := ((y/tileScale)*s + x/tileScale) * 3
						img.Set(x0+x, y0+y, color.RGBA{px[p], px[p+1], px[p+2], 255})
					}
				}
			}
		}
		var names []string
		for _, l := range clip.Labels {
			names = append(names, ds.Classes[l])
		}
		// Image rows run downwards; plot y upwards.
		yTicks = append(yTicks, plot.Tick{Value: float64(len(clips)-r) - 0.5, Label: clip.ID + "\n" + strings.Join(names, ", ")})
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Frames I_t beside their optical flow F_t (%s)", source)
	p.Add(plotter.NewImage(img, 0, 0, float64(cols), float64(len(clips))))
	var xTicks []plot.Tick
	for k, a := range at {
		xTicks = append(xTicks, plot.Tick{Value: float64(2*k) + 0.5, Label: fmt.Sprintf("I_t (t=%.0f%%)", 100*a)},
			plot.Tick{Value: float64(2*k) + 1.5, Label: "F_t flow"})
	}
	p.X.Tick.Marker = plot.ConstantTicks(xTicks)
	p.Y.Tick.Marker = plot.ConstantTicks(yTicks)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, float64(cols), 0, float64(len(clips))
	w := vg.Length(cols) * 1.3 * vg.Inch
	return &plots.Figure{Plot: p, Width: w + 2*vg.Inch, Height: vg.Length(len(clips))*1.3*vg.Inch + vg.Inch}, nil
}
