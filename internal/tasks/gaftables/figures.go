package gaftables

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/tasks/gafdet"
	"github.com/actrepro/actrepro/plots"
)

// PaperAP50 is the GAF paper's Table III (AP at tIoU 0.5, %), AFSD and GAF columns
// (../shared/papers/reported/gaf_table3_per_class.csv).
var PaperAP50 = map[string][2]float64{
	"BaseballPitch": {75.9, 68.2}, "BasketballDunk": {47.8, 50.8}, "Billiards": {91.5, 93.3}, "CleanAndJerk": {91.2, 91.0},
	"CliffDiving": {21.5, 21.4}, "CricketBowling": {78.7, 77.3}, "CricketShot": {74.0, 76.6}, "Diving": {78.5, 80.6},
	"FrisbeeCatch": {15.5, 13.6}, "GolfSwing": {74.2, 70.0}, "HammerThrow": {33.9, 36.7}, "HighJump": {89.3, 87.3},
	"JavelinThrow": {37.9, 29.6}, "LongJump": {75.2, 70.7}, "PoleVault": {18.1, 15.1}, "Shotput": {31.9, 25.8},
	"SoccerPenalty": {58.2, 66.5}, "TennisSwing": {40.3, 38.5}, "ThrowDiscus": {19.1, 21.2}, "VolleyballSpiking": {58.3, 67.6},
}

// MaxLambdaPoints caps the points of a λ-over-time figure (longer videos are binned).
const MaxLambdaPoints = 400

// FigureDir is where a scale's figures go, as kernel.Result.SaveFigure places them: full-scale
// figures in plots/<runs id>/ of the checkout (committed), other scales' in
// <results root>/<runs id>/<scale>/figures/.
func FigureDir(ctx context.Context, from, scale string) string {
	if scale == "full" {
		return filepath.Join(filepath.Dir(results.Root(ctx)), "plots", from)
	}
	return filepath.Join(results.Dir(results.Root(ctx), from, scale), "figures")
}

// traces reads the "traces" of a record's Extra (the first test videos' ground truth, top
// detections and λ).
func traces(r results.Record) []map[string]any {
	raw, _ := r.Extra["traces"].([]any)
	var out []map[string]any
	for _, t := range raw {
		if m, ok := t.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func segs(v any, withScore bool, top int) []plots.Segment {
	raw, _ := v.([]any)
	var out []plots.Segment
	for _, s := range raw {
		a, _ := s.([]any)
		if len(a) < 3 {
			continue
		}
		st, _ := a[0].(float64)
		en, _ := a[1].(float64)
		cl, _ := a[2].(string)
		out = append(out, plots.Segment{Class: cl, Start: st, End: en})
		if withScore && top > 0 && len(out) == top {
			break
		}
	}
	return out
}

// drawFigure draws one figure and saves it as SVG, PNG and PDF.
func drawFigure(ctx context.Context, name string, byModel map[string]results.Record, scale, from string) ([]string, error) {
	dir := FigureDir(ctx, from, scale)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	afsdRec, ok1 := byModel[gafdet.ModelAFSD]
	gafRec, ok2 := byModel[gafdet.ModelGAF]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("figures need the afsd and gaf records of %s at scale %s", from, scale)
	}
	banner := "synthetic features, real ground truth"
	if afsdRec.DataSource == "real" {
		banner = "real I3D features, real ground truth"
	}
	var files []string
	save := func(f *plots.Figure, base string) error {
		fs, err := f.Save(filepath.Join(dir, base))
		files = append(files, fs...)
		return err
	}
	switch name {
	case "timeline":
		// GT against the top predictions of both models, for each traced test video
		// (the top 10 by score: GAF Fig. 5 shows the best proposals).
		ta, tg := traces(afsdRec), traces(gafRec)
		for i := range min(len(ta), len(tg)) {
			video, _ := ta[i]["video"].(string)
			dur, _ := ta[i]["duration"].(float64)
			rows := []plots.TimelineRow{
				{Name: "ground truth", Segments: segs(ta[i]["gt"], false, 0)},
				{Name: "AFSD top 10", Segments: segs(ta[i]["top"], true, 10)},
				{Name: "GAF top 10", Segments: segs(tg[i]["top"], true, 10)},
			}
			f, err := plots.Timeline(fmt.Sprintf("%s: ground truth vs top detections (%s, %s)", video, scale, banner), dur, rows)
			if err != nil {
				return files, err
			}
			if err := save(f, "timeline_"+video); err != nil {
				return files, err
			}
		}
	case "ap_bars":
		for mi, rec := range []results.Record{afsdRec, gafRec} {
			var classes []string
			for k := range PaperAP50 {
				if _, ok := rec.Metrics[gafdet.APKey(k)]; ok {
					classes = append(classes, k)
				}
			}
			sort.Strings(classes)
			var rows []plots.BarRow
			for _, k := range classes {
				rows = append(rows, plots.BarRow{Label: k, Paper: PaperAP50[k][mi], Measured: 100 * rec.Metrics[gafdet.APKey(k)]})
			}
			model := []string{"AFSD", "GAF"}[mi]
			f, err := plots.PaperVsMeasured(fmt.Sprintf("Table III: %s per-class AP@0.5, paper vs measured (%s, %s)", model, scale, banner), "AP@0.5 (%)", rows, plots.BarsOptions{})
			if err != nil {
				return files, err
			}
			if err := save(f, "ap50_"+[]string{"afsd", "gaf"}[mi]); err != nil {
				return files, err
			}
		}
		// AFSD against GAF, measured.
		var rows []plots.BarRow
		for k := range PaperAP50 {
			a, ok1 := afsdRec.Metrics[gafdet.APKey(k)]
			g, ok2 := gafRec.Metrics[gafdet.APKey(k)]
			if ok1 && ok2 {
				rows = append(rows, plots.BarRow{Label: k, Paper: 100 * a, Measured: 100 * g})
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].Label < rows[j].Label })
		f, err := plots.PaperVsMeasured(fmt.Sprintf("Measured AP@0.5: AFSD (left bar, 'paper' slot) vs GAF (right bar) (%s, %s)", scale, banner), "AP@0.5 (%)", rows, plots.BarsOptions{})
		if err != nil {
			return files, err
		}
		if err := save(f, "ap50_afsd_vs_gaf"); err != nil {
			return files, err
		}
	case "lambda":
		for _, t := range traces(gafRec) {
			video, _ := t["video"].(string)
			raw, _ := t["lambda"].([]any)
			fps, _ := t["lambda_fps"].(float64)
			if len(raw) == 0 || fps == 0 {
				continue
			}
			// Long videos are drawn as at most MaxLambdaPoints bins: λ's mean and whether any
			// step of the bin is inside a ground-truth segment.
			gt := segs(t["gt"], false, 0)
			bin := max(1, (len(raw)+MaxLambdaPoints-1)/MaxLambdaPoints)
			var x, lam, in []float64
			for lo := 0; lo < len(raw); lo += bin {
				hi := min(lo+bin, len(raw))
				sum, inside := 0.0, 0.0
				for i := lo; i < hi; i++ {
					v, _ := raw[i].(float64)
					sum += v
					ts := float64(i) / fps
					for _, s := range gt {
						if ts >= s.Start && ts <= s.End {
							inside = 1
						}
					}
				}
				x = append(x, float64(lo+hi-1)/2/fps)
				lam = append(lam, sum/float64(hi-lo))
				in = append(in, inside)
			}
			f, err := plots.Curves(fmt.Sprintf("%s: GAF λ over time against the ground-truth segments (%s, %s)", video, scale, banner), "time (s)", "λ / in a segment",
				[]plots.Series{{Name: "λ (GAF, windows averaged)", X: x, Y: lam, Color: 1}, {Name: "ground truth (1 = inside a segment)", X: x, Y: in, Color: 2, Dashed: true}})
			if err != nil {
				return files, err
			}
			if err := save(f, "lambda_"+video); err != nil {
				return files, err
			}
		}
	}
	return files, nil
}
