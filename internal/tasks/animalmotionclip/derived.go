package animalmotionclip

import (
	"context"
	"fmt"
	"sort"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/video/sampling"
)

// TableTaskName is the task of the table specs: a row of Table 1, 2 or 3 read from the
// records of the one training sweep (experiments/animalmotionclip/runs.toml), so that the
// sparse RGB run sits in Tables 2 and 3 and the sparse RGB+flow run in Tables 1 and 3 without
// training twice.
const TableTaskName = "animalmotionclip-table"

func init() { runner.Register(TableTaskName, TableTask{}) }

// TableTask lays out one table row from the sweep's records.
type TableTask struct{}

// Version is folded into the points' hashes.
func (TableTask) Version() string { return "animalmotionclip-table-1" }

// TableConfig is a table point's configuration.
type TableConfig struct {
	Data struct {
		Dataset string `toml:"dataset,required"` // "animalkingdom"
		Source  string `toml:"source,required"`  // the sweep's source; the record states the source read
		From    string `toml:"from,required"`    // the sweep's experiment id
		Runs    string `toml:"runs,required"`    // the sweep's spec, relative to the checkout root
		Seeds   int64  `toml:"seeds"`            // seeds of the sweep's runs read (--seeds sets it)
	}
	Model struct {
		Scheme   string `toml:"scheme,required"`
		Modality string `toml:"modality,required"`
	}
}

// RowMetrics are the metrics a table row copies (the mean over the runs read).
var RowMetrics = []string{"map_macro", "map_micro", "map_head", "map_middle", "map_tail", "map_chance", "val_classes",
	"f1_at_threshold", "precision_at_threshold", "recall_at_threshold", "train_seconds", "flow_seconds", "params", "m", "p", "frames_per_classifier"}

// ParseTableConfig decodes and checks a table point.
func ParseTableConfig(p runner.Point) (TableConfig, error) {
	var c TableConfig
	c.Data.Seeds = 1
	if err := spec.DecodeSections(p.Config, spec.Section{Name: "data", Into: &c.Data}, spec.Section{Name: "model", Into: &c.Model}); err != nil {
		return c, err
	}
	s, err := sampling.ParseScheme(c.Model.Scheme)
	if err != nil {
		return c, spec.Errorf("model.scheme", "%v", err)
	}
	c.Model.Scheme = string(s)
	switch {
	case c.Data.Dataset != "animalkingdom":
		return c, spec.Errorf("data.dataset", `want "animalkingdom", got %q`, c.Data.Dataset)
	case c.Data.Source != "synthetic" && c.Data.Source != "real":
		return c, spec.Errorf("data.source", `want "synthetic" or "real", got %q`, c.Data.Source)
	case c.Model.Modality != ModalityRGB && c.Model.Modality != ModalityFlow && c.Model.Modality != ModalityBoth:
		return c, spec.Errorf("model.modality", `want "rgb", "flow" or "rgb+flow", got %q`, c.Model.Modality)
	case c.Data.Seeds < 1:
		return c, spec.Errorf("data.seeds", "must be >= 1, got %d", c.Data.Seeds)
	}
	return c, nil
}

// Validate implements runner.Task.
func (TableTask) Validate(p runner.Point) error {
	_, err := ParseTableConfig(p)
	return err
}

// Run implements runner.Task: the mean of RowMetrics over the sweep's current records of
// (scheme, modality).
func (TableTask) Run(ctx context.Context, p runner.Point, _ runner.Env) (runner.Outcome, error) {
	var out runner.Outcome
	c, err := ParseTableConfig(p)
	if err != nil {
		return out, err
	}
	recs, dir, err := SweepRecords(ctx, c.Data.Runs, c.Data.From, p.Scale, c.Data.Seeds)
	if err != nil {
		return out, err
	}
	var rows []results.Record
	for _, r := range recs {
		sc, _ := spec.GetPath(r.Config, "model.scheme")
		mo, _ := spec.GetPath(r.Config, "model.modality")
		if sc == c.Model.Scheme && mo == c.Model.Modality {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return out, fmt.Errorf("%s: no current record with model.scheme = %q and model.modality = %q (run %s at scale %s first; it must sweep that point)", dir, c.Model.Scheme, c.Model.Modality, c.Data.Runs, p.Scale)
	}
	out.Metrics = map[string]float64{"n_runs": float64(len(rows))}
	for _, k := range RowMetrics {
		var sum float64
		n := 0
		for _, r := range rows {
			if v, ok := r.Metrics[k]; ok {
				sum += v
				n++
			}
		}
		if n == len(rows) {
			out.Metrics[k] = sum / float64(n)
		}
	}
	sources := map[string]bool{}
	var hashes []string
	for _, r := range rows {
		sources[r.DataSource] = true
		hashes = append(hashes, r.Hash)
		out.Params = r.Params
	}
	sort.Strings(hashes)
	out.DataSource = rows[0].DataSource
	if len(sources) > 1 {
		out.DataSource = "mixed"
	}
	out.DataFingerprint = fmt.Sprintf("results:%s/%s %v", c.Data.From, p.Scale, hashes)
	out.Curves = rows[0].Curves
	out.Notes = append(out.Notes, fmt.Sprintf("Read from %d record(s) of %s (%s): %v.", len(rows), c.Data.From, dir, hashes))
	for _, r := range rows {
		out.Notes = append(out.Notes, r.Notes...)
		break
	}
	return out, nil
}

// SweepRecords returns the records of the current points of the sweep spec at specRel
// (experiment id experiment) at scale, each at seeds seeds (spec.ExpandSeeds, as the harness
// runs them), and the records' directory (results.UpstreamRecords). None is no error here: Run
// says which (scheme, modality) has no record.
func SweepRecords(ctx context.Context, specRel, experiment, scale string, seeds int64) ([]results.Record, string, error) {
	ss, err := spec.ParseSeeds(fmt.Sprint(seeds))
	if err != nil {
		return nil, "", spec.Errorf("data.seeds", "%v", err)
	}
	up, err := results.UpstreamRecords(ctx, results.UpstreamQuery{Spec: specRel, Experiment: experiment, Scale: scale, Seeds: &ss, AllowEmpty: true})
	return up.Records, up.Dir, err
}
