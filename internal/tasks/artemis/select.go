package artemis

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/data"
	"github.com/actrepro/actrepro/internal/spec"
)

// Checkpoint selection (train.select).
const (
	// SelectLast reports the last epoch: the authors' code trains, then
	// tests once and saves, with no selection (artemis_code/main.py:121-125
	// at edofazza/ARTEMIS a1ec8b6).
	SelectLast = "last"
	// SelectBest reports the val metrics of the epoch with the best
	// select_metric on a fold of the training split held out of training.
	SelectBest = "best"
	// SelectOnTrainFold is the only split "best" may choose on.
	SelectOnTrainFold = "train-fold"
	// foldPrefix marks the held-out fold's values among an evaluation's.
	foldPrefix = "fold_"
)

// selectMetrics are the values Evaluate computes, which "best" may maximise.
var selectMetrics = []string{"map_batch_micro", "map_macro", "map_micro", "map_head", "map_middle", "map_tail"}

// checkSelect validates the selection keys of [train]; errors name the key.
func (t Train) checkSelect() error {
	switch t.Select {
	case SelectLast, SelectBest:
	default:
		return spec.Errorf("train.select", `want %q (the authors' code: the last epoch) or %q (the best epoch on a held-out train fold), got %q`, SelectLast, SelectBest, t.Select)
	}
	switch t.SelectOn {
	case SelectOnTrainFold:
	case "val", "test", "reported":
		return spec.Errorf("train.select_on", `%q is the split the tables report: choosing the epoch there inflates the reported number; "best" chooses on a fold of the training split held out of training (select_on = %q, select_fold = 0..%d), or use select = %q`,
			t.SelectOn, SelectOnTrainFold, data.AKNumFolds-1, SelectLast)
	default:
		return spec.Errorf("train.select_on", "want %q, got %q", SelectOnTrainFold, t.SelectOn)
	}
	if t.SelectFold < 0 || t.SelectFold >= data.AKNumFolds {
		return spec.Errorf("train.select_fold", "must be 0..%d (Animal Kingdom's cross-validation folds of train), got %d", data.AKNumFolds-1, t.SelectFold)
	}
	ok := false
	for _, m := range selectMetrics {
		ok = ok || m == t.SelectMetric
	}
	if !ok {
		return spec.Errorf("train.select_metric", "want one of %s, got %q", strings.Join(selectMetrics, ", "), t.SelectMetric)
	}
	if t.Patience < 0 {
		return spec.Errorf("train.patience", "must be >= 0, got %d", t.Patience)
	}
	if t.Patience > 0 && t.Select != SelectBest {
		return spec.Errorf("train.patience", `early stopping watches the held-out train fold, so it needs select = %q; with select = %q it would stop on the reported split`, SelectBest, t.Select)
	}
	return nil
}

// heldOut splits the track's train clips into those that train and those
// of the held-out fold that choose the epoch ("best"). On the real track
// the fold is <dataRoot>/animalkingdom/<fold>_light.csv (the authors'
// cross-validation folds of train; clips of a subset that are in the fold
// are held out); on the synthetic twin it is clip i with i%5 == fold, the
// assignment data.WriteTwins writes to the twin's fold files.
func heldOut(track *data.AKTrack, fold int, dataRoot string) (fit, out []int, from string, err error) {
	n := track.Train.Len()
	in := make([]bool, n)
	switch track.Source {
	case "real":
		p := filepath.Join(dataRoot, data.AKDir, fmt.Sprintf("%d_light.csv", fold))
		clips, err := data.ReadAKFold(p, track.K(), nil)
		if err != nil {
			return nil, nil, "", fmt.Errorf("train.select = %q holds out train fold %d: %w", SelectBest, fold, err)
		}
		ids := map[string]bool{}
		for _, c := range clips {
			ids[c.ID] = true
		}
		for i, id := range track.Train.IDs {
			in[i] = ids[id]
		}
		from = p
	default:
		for i := range in {
			in[i] = i%data.AKNumFolds == fold
		}
		from = fmt.Sprintf("train clips i with i %% %d == %d", data.AKNumFolds, fold)
	}
	for i, h := range in {
		if h {
			out = append(out, i)
		} else {
			fit = append(fit, i)
		}
	}
	if len(out) == 0 {
		return nil, nil, "", fmt.Errorf("train.select = %q: held-out train fold %d (%s) has none of the %d train clips", SelectBest, fold, from, n)
	}
	return fit, out, from, nil
}

// subSplit is the clips idx of s, in that order.
func subSplit(s *data.AKSplit, idx []int) data.AKSplit {
	idx = append([]int(nil), idx...)
	sort.Ints(idx)
	var out data.AKSplit
	for _, i := range idx {
		out.IDs = append(out.IDs, s.IDs[i])
		out.Labels = append(out.Labels, s.Labels[i])
		out.Desc = append(out.Desc, s.Desc[i])
		if s.Video != nil {
			out.Video = append(out.Video, s.Video[i])
		}
		if s.Image != nil {
			out.Image = append(out.Image, s.Image[i])
		}
	}
	return out
}
