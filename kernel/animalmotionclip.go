package kernel

import (
	"context"
	"fmt"

	amclip "github.com/actrepro/actrepro/internal/tasks/animalmotionclip"
	"github.com/actrepro/actrepro/plots"
)

// FlowFrames draws, for the first n val clips of the AnimalMotionCLIP sweep spec at path
// (experiments/animalmotionclip/runs.toml), two frames of each beside their optical-flow
// images, as the model reads them (the clips are prepared as the spec's runs prepare them, at
// the scale of opts). The title names the data source.
func FlowFrames(path string, n int, opts ...Option) (*plots.Figure, error) {
	cfg, specPath, err := configure(path, opts)
	if err != nil {
		return nil, err
	}
	ds, c, err := amclip.PrepareSpec(context.Background(), specPath, cfg.params.Scale, cfg.params.DataRoot)
	if err != nil {
		return nil, err
	}
	idx := make([]int, 0, n)
	for i := 0; i < n && i < len(ds.Val); i++ {
		idx = append(idx, i)
	}
	source := c.Data.Source
	if source == "synthetic" {
		source = "SYNTHETIC motion twin"
	}
	return amclip.FlowFigure(ds, idx, []float64{0.25, 0.75}, fmt.Sprintf("%s, scale %s", source, cfg.params.Scale))
}
