package convlstm

import (
	"fmt"
	"github.com/actrepro/actrepro/gomlx_models/summary"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX convention
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gopjrt/dtypes"
)

// Summarize builds (without running) the model for one video on backend
// and returns its Keras-style layer table and total trainable parameters.
func Summarize(backend backends.Backend, cfg Config) (rows []LayerSummary, total int, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	defer func() {
		if r := recover(); r != nil {
			rows, total, err = nil, 0, fmt.Errorf("convlstm: building the model: %v", r)
		}
	}()
	g := NewGraph(backend, "convlstm_summary")
	x := Parameter(g, "videos", shapes.Make(dtypes.Float32, 1, cfg.Frames, cfg.Height, cfg.Width, cfg.Channels))
	ctx := context.New()
	Build(ctx, cfg, x, func(l LayerSummary) { rows = append(rows, l) })
	return rows, summary.TrainableParams(ctx), nil
}
