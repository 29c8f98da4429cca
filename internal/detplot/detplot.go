// Package detplot turns temporal detections into gonum figures: one job,
// the glue between metrics' detection types and plots.Timeline (a video's
// ground truth above each model's top-scoring predictions, as in GAF
// Fig. 5). Figures are saved by the caller (plots.Figure.Save: SVG, PNG
// and PDF).
package detplot

import (
	"fmt"
	"sort"

	"github.com/actrepro/actrepro/internal/metrics"
	"github.com/actrepro/actrepro/plots"
)

// Model is one detector's predictions (any videos; VideoTimeline picks).
type Model struct {
	Name string
	Pred []metrics.Detection
}

// Top returns the k highest-scoring predictions of video (all when k <= 0),
// by descending score, ties in input order.
func Top(pred []metrics.Detection, video string, k int) []metrics.Detection {
	var out []metrics.Detection
	for _, p := range pred {
		if p.Video == video {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if k > 0 && len(out) > k {
		out = out[:k]
	}
	return out
}

// VideoTimeline draws video's ground truth (the "ground truth" lane) and,
// below it, one lane per model with its top k predictions ("NAME top k").
// Duration sets the time axis (0: the latest segment end). Predictions
// are clipped to [0, duration] when duration > 0.
func VideoTimeline(title, video string, duration float64, gt []metrics.GTSegment, models []Model, k int) (*plots.Figure, error) {
	row := plots.TimelineRow{Name: "ground truth"}
	for _, g := range gt {
		if g.Video == video {
			row.Segments = append(row.Segments, plots.Segment{Class: g.Label, Start: g.Start, End: g.End})
		}
	}
	if len(row.Segments) == 0 {
		return nil, fmt.Errorf("detplot: video %q has no ground-truth segment", video)
	}
	rows := []plots.TimelineRow{row}
	for _, m := range models {
		name := m.Name
		if k > 0 {
			name = fmt.Sprintf("%s top %d", m.Name, k)
		}
		r := plots.TimelineRow{Name: name}
		for _, p := range Top(m.Pred, video, k) {
			s, e := max(p.Start, 0), p.End
			if duration > 0 {
				e = min(e, duration)
			}
			if e <= s {
				continue
			}
			r.Segments = append(r.Segments, plots.Segment{Class: p.Label, Start: s, End: e})
		}
		rows = append(rows, r)
	}
	return plots.Timeline(title, duration, rows)
}
