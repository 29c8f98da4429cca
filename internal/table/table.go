package table

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/stats"
)

// Table is a rendered comparison, ready for any output format.
type Table struct {
	Name       string // spec table name
	Title      string // e.g. "ARTEMIS Table 1: ablation"
	Experiment string
	Scale      string
	Source     string   // "synthetic", "real", "mixed" or "none"
	Banner     string   // one line on data source and scale; always shown
	KeyHeaders []string // short axis names of the row key
	HasRowID   bool     // the paper numbers its rows (column "paper row")
	Columns    []spec.Column
	Rows       []Row
	Notes      []string // spec, paper and flag notes
	Provenance []string // backends, commits, fingerprints, record count
}

// Row is one line of the table.
type Row struct {
	Key   []string // formatted axis values, in KeyHeaders order
	RowID string   // the paper's row number or name, if any
	Cells []Cell   // one per column
	Flags []string // e.g. "same settings as paper row 120", "not in the paper"
	Note  string   // the paper row's note
	// Provenance is where the row's measured values come from, e.g.
	// "cached from 3db2a7320a6f" or "computed now at 0ea5b5fc962f (dirty
	// tree)"; empty when the row has no record.
	Provenance string
}

// DetailKey is the key of results.Record.Extra under which a task names what its data source
// means in detail (a string, e.g. "synthetic features, real ground truth"); the banner shows
// it when every record of the table agrees.
const DetailKey = "data_source_detail"

// Origin says where a table's records come from, for its banner.
type Origin struct {
	// Fresh holds the hashes of the records the caller has just computed;
	// every other record is reused and the banner says "cached from
	// <commit>". A nil Fresh means every record is reused.
	Fresh map[string]bool
	// CommitExists reports whether a commit is in the repository (see
	// results.CommitChecker); records citing one that is not are flagged
	// "commit not in repository". Nil checks nothing.
	CommitExists func(commit string) bool
	// Skipped are sentences about records left out of the table (e.g.
	// "3 records of another code version ignored"); they join the notes.
	Skipped []string
}

// shortCommit is the first 12 hex digits of a commit.
func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// Level is the confidence level of the intervals of cells over several
// runs (seeds).
const Level = 0.95

// Mark follows a paper value that lies outside the 95% interval of the
// measured runs (md and csv; tex writes $^\dagger$).
const Mark = "†"

// Cell is one column of a row.
type Cell struct {
	Paper       any     // float64 or string as printed; nil when the paper has none
	HasMeasured bool    // at least one record has the metric
	Measured    float64 // mean over N records, times the column's factor
	SD          float64 // sample standard deviation when N > 1
	N           int
	// Half is the half-width of the two-sided Level t-interval of the
	// mean when N ≥ 2 (t_{(1+Level)/2, N−1}·SD/√N, stats.MeanInterval),
	// else 0.
	Half float64
	// Identical: N ≥ 2 runs all gave the same value (a deterministic
	// quantity such as a parameter count): no interval, no mark.
	Identical bool
	// Outside: the paper's value lies outside [Measured−Half,
	// Measured+Half] of N ≥ 2 differing runs; the table marks it.
	Outside bool
	HasDiff bool
	Diff    float64 // Measured - Paper
}

// HasInterval reports whether the cell shows an interval (N ≥ 2 runs that
// differ).
func (c Cell) HasInterval() bool { return c.HasMeasured && c.N >= 2 && !c.Identical }

// Build assembles table t of spec s from records (all at one scale), all
// of them reused (see BuildFrom). Records whose hash is not a point of the
// spec at that scale are ignored; pass the output of Expand's hashes
// through hashes (nil keeps every record of the experiment).
func Build(s *spec.Spec, t spec.Table, recs []results.Record, scale string, hashes map[string]bool) *Table {
	return BuildFrom(s, t, recs, scale, hashes, Origin{})
}

// BuildFrom is Build with the records' origin: which were computed now,
// which commits exist, which records were left out and why.
func BuildFrom(s *spec.Spec, t spec.Table, recs []results.Record, scale string, hashes map[string]bool, o Origin) *Table {
	out := &Table{Name: t.Name, Experiment: s.Experiment.ID, Scale: scale, Columns: t.Columns}
	out.Title = fmt.Sprintf("%s %s: %s", s.Experiment.Paper, s.Experiment.Table, t.Title)
	if t.Name != "table" {
		out.Title += " [" + t.Name + "]"
	}
	shorts := map[string]string{}
	axisValues := map[string][]any{}
	for _, a := range s.Axes {
		shorts[a.Name] = a.Short
		axisValues[a.Name] = a.Values
	}
	// show formats a key value as the sweep writes it, so that a paper's
	// 0/1 and the sweep's false/true print alike.
	show := func(axis string, v any) string {
		for _, av := range axisValues[axis] {
			if spec.Equal(av, v) {
				return spec.FormatValue(av)
			}
		}
		return spec.FormatValue(v)
	}
	for _, r := range t.Rows {
		out.KeyHeaders = append(out.KeyHeaders, shorts[r])
	}
	var use []results.Record
	for _, r := range recs {
		if r.Experiment == s.Experiment.ID && r.Scale == scale && (hashes == nil || hashes[r.Hash]) {
			use = append(use, r)
		}
	}
	// Group measured records by row key.
	groups := map[string]*group{}
	var order []string
	keyOf := func(vals map[string]any) (canon string, shown []string, complete bool) {
		complete = true
		var parts []string
		for _, r := range t.Rows {
			v, ok := vals[r]
			if !ok {
				complete = false
				parts = append(parts, "∅")
				shown = append(shown, "")
				continue
			}
			parts = append(parts, canonicalKey(v))
			shown = append(shown, show(r, v))
		}
		return strings.Join(parts, "\x00"), shown, complete
	}
	for _, r := range use {
		k, shown, _ := keyOf(r.Axes)
		g, ok := groups[k]
		if !ok {
			g = &group{key: shown}
			groups[k] = g
			order = append(order, k)
		}
		g.recs = append(g.recs, r)
	}
	// Paper rows, in the paper's order.
	var prows []spec.PaperRow
	for _, pr := range s.Paper.Rows {
		if pr.Table == t.Name {
			prows = append(prows, pr)
			if pr.Row != "" {
				out.HasRowID = true
			}
		}
	}
	byKey := map[string][]int{}
	used := map[string]bool{}
	for i, pr := range prows {
		k, _, complete := keyOf(pr.Key)
		if complete {
			byKey[k] = append(byKey[k], i)
		}
	}
	rowName := func(i int) string {
		if prows[i].Row != "" {
			return "paper row " + prows[i].Row
		}
		return fmt.Sprintf("paper entry %d", i+1)
	}
	dupFlagged := false
	for i, pr := range prows {
		k, shown, complete := keyOf(pr.Key)
		row := Row{Key: shown, RowID: pr.Row, Note: pr.Note}
		var g *group
		if complete {
			g = groups[k]
			used[k] = true
			if same := byKey[k]; len(same) > 1 {
				var others []string
				for _, j := range same {
					if j != i {
						others = append(others, rowName(j))
					}
				}
				row.Flags = append(row.Flags, "DUPLICATE: same settings as "+strings.Join(others, ", ")+"; the measured value is the same run")
				dupFlagged = true
			}
			if g == nil {
				row.Flags = append(row.Flags, "not run")
			}
		} else if len(t.Rows) > 0 {
			row.Flags = append(row.Flags, "paper only (not part of this sweep)")
		}
		row.Cells = cells(t.Columns, pr.Values, g)
		row.Provenance = rowProvenance(g, o)
		out.Rows = append(out.Rows, row)
	}
	for _, k := range order {
		if used[k] {
			continue
		}
		g := groups[k]
		row := Row{Key: g.key, Cells: cells(t.Columns, nil, g), Provenance: rowProvenance(g, o)}
		if len(prows) > 0 {
			row.Flags = append(row.Flags, "MISSING FROM PAPER: the paper's table has no row with these settings")
		}
		out.Rows = append(out.Rows, row)
	}
	if dupFlagged {
		out.Notes = append(out.Notes, "Rows flagged DUPLICATE: the paper prints the same settings more than once; the values are transcribed as printed and not reassigned.")
	}
	// Banner and provenance.
	sources := map[string]bool{}
	datasets := map[string]bool{}
	backends := map[string]bool{}
	commits := map[string]bool{}
	prints := map[string]bool{}
	var recNotes []string
	seenNote := map[string]bool{}
	for _, r := range use {
		sources[r.DataSource] = true
		if ds, ok := spec.GetPath(r.Config, "data.dataset"); ok {
			datasets[fmt.Sprint(ds)] = true
		}
		backends[r.Backend] = true
		commits[commitText(r, o)] = true
		if r.DataFingerprint != "" {
			prints[r.DataFingerprint] = true
		}
		for _, n := range r.Notes {
			if !seenNote[n] {
				seenNote[n] = true
				recNotes = append(recNotes, n)
			}
		}
	}
	ds := strings.Join(keys(datasets), ", ")
	// A task may name what exactly is synthetic (results.Record.Extra[DetailKey], e.g.
	// "synthetic features, real ground truth"); when every record used says the same, the
	// banner says it too.
	details := map[string]bool{}
	for _, r := range use {
		d, _ := r.Extra[DetailKey].(string)
		details[d] = true
	}
	detail := ""
	if len(details) == 1 {
		detail = keys(details)[0]
	}
	switch {
	case len(use) == 0:
		out.Source = "none"
		out.Banner = "NO MEASUREMENTS: nothing has been run for this table at this scale; only the paper's numbers are shown."
	case len(sources) > 1:
		out.Source = "mixed"
		out.Banner = fmt.Sprintf("MIXED DATA SOURCES (%s): some measured values come from SYNTHETIC data and do NOT reproduce the paper's numbers; check each record.", strings.Join(keys(sources), ", "))
	case sources["synthetic"]:
		out.Source = "synthetic"
		out.Banner = fmt.Sprintf("SYNTHETIC DATA: measured values come from a synthetic twin (%s), not from the paper's data. They test the pipeline; they do NOT reproduce the paper's numbers.", ds)
		if detail != "" {
			out.Banner = fmt.Sprintf("SYNTHETIC DATA (%s): measured values come from a synthetic twin (%s), not from the paper's data. They test the pipeline; they do NOT reproduce the paper's numbers.", detail, ds)
		}
	case sources["real"]:
		out.Source = "real"
		out.Banner = fmt.Sprintf("Real data (%s). Measured values are real measurements on that data.", ds)
		if detail != "" {
			out.Banner = fmt.Sprintf("Real data (%s; %s). Measured values are real measurements on that data.", ds, detail)
		}
	default:
		out.Source = strings.Join(keys(sources), ", ")
		out.Banner = fmt.Sprintf("UNKNOWN DATA SOURCE %q: treat the measured values as unverified.", out.Source)
	}
	if scale != "full" {
		out.Banner += fmt.Sprintf(" Scale %q: shrunken models and schedules, not the paper's protocol.", scale)
	}
	out.Banner += originBanner(use, o)
	if s.Experiment.Note != "" {
		out.Notes = append(out.Notes, s.Experiment.Note)
	}
	if t.Note != "" {
		out.Notes = append(out.Notes, t.Note)
	}
	if s.Paper.Source != "" {
		n := "Paper values: " + s.Paper.Source + "."
		if s.Paper.Note != "" {
			n += " " + s.Paper.Note
		}
		out.Notes = append(out.Notes, n)
	}
	byFactor := map[float64][]string{}
	var factors []float64
	for _, c := range t.Columns {
		if c.Note != "" {
			out.Notes = append(out.Notes, c.Label+": "+c.Note)
		}
		if c.Measured != "" && c.Factor != 1 {
			if byFactor[c.Factor] == nil {
				factors = append(factors, c.Factor)
			}
			byFactor[c.Factor] = append(byFactor[c.Factor], fmt.Sprintf("%s (%s)", c.Label, c.Measured))
		}
	}
	for _, f := range factors {
		out.Notes = append(out.Notes, fmt.Sprintf("Measured metrics multiplied by %g: %s.", f, strings.Join(byFactor[f], ", ")))
	}
	out.Notes = append(out.Notes, intervalNotes(out.Rows)...)
	out.Notes = append(out.Notes, recNotes...)
	out.Notes = append(out.Notes, o.Skipped...)
	if len(use) > 0 {
		out.Provenance = append(out.Provenance,
			plural(len(use), "run record"),
			"backend "+strings.Join(keys(backends), ", "),
			"commit "+strings.Join(keys(commits), ", "))
		versions := map[string]bool{}
		for _, r := range use {
			v := r.CodeVersion
			if v == "" {
				v = "unrecorded"
			}
			versions[v] = true
		}
		out.Provenance = append(out.Provenance, "code "+strings.Join(keys(versions), ", "))
		if len(prints) > 0 && len(prints) <= 3 {
			out.Provenance = append(out.Provenance, "data fingerprint "+strings.Join(keys(prints), ", "))
		} else if len(prints) > 3 {
			out.Provenance = append(out.Provenance, fmt.Sprintf("%d data fingerprints", len(prints)))
		}
	}
	return out
}

// commitText is a record's commit as provenance shows it, with its marks.
func commitText(r results.Record, o Origin) string {
	c := r.Commit
	if c == "" {
		c = "unknown"
	}
	return c + commitMarks(r, o)
}

// commitMarks are the marks commitText appends to a record's commit.
func commitMarks(r results.Record, o Origin) string {
	c := ""
	if r.Commit == "" || r.Commit == "unknown" {
		return c
	}
	if r.Dirty {
		c += " (dirty)"
	}
	if o.CommitExists != nil && !o.CommitExists(r.Commit) {
		c += " (commit not in repository)"
	}
	return c
}

// rowProvenance says where a row's records come from.
func rowProvenance(g *group, o Origin) string {
	if g == nil || len(g.recs) == 0 {
		return ""
	}
	var cached, fresh []string
	seen := map[string]bool{}
	for _, r := range g.recs {
		c := "unknown"
		if r.Commit != "" {
			c = shortCommit(r.Commit)
		}
		c += commitMarks(r, o)
		if o.Fresh[r.Hash] {
			if !seen["f"+c] {
				seen["f"+c] = true
				fresh = append(fresh, c)
			}
		} else if !seen["c"+c] {
			seen["c"+c] = true
			cached = append(cached, c)
		}
	}
	var parts []string
	if len(cached) > 0 {
		parts = append(parts, "cached from "+strings.Join(cached, ", "))
	}
	if len(fresh) > 0 {
		parts = append(parts, "computed now at "+strings.Join(fresh, ", "))
	}
	return strings.Join(parts, "; ")
}

// originBanner is the banner's sentences on where the records come from:
// reused records ("Cached from <commit>"), records made from a dirty tree,
// and records citing a commit the repository does not have.
func originBanner(use []results.Record, o Origin) string {
	if len(use) == 0 {
		return ""
	}
	cached, dirty, missing, unknown := map[string]bool{}, map[string]bool{}, map[string]bool{}, 0
	nCached, nDirty, nMissing := 0, 0, 0
	for _, r := range use {
		c := shortCommit(r.Commit)
		known := r.Commit != "" && r.Commit != "unknown"
		if !known {
			c = "unknown"
			unknown++
		}
		if !o.Fresh[r.Hash] {
			cached[c] = true
			nCached++
		}
		if r.Dirty {
			dirty[c] = true
			nDirty++
		}
		if known && o.CommitExists != nil && !o.CommitExists(r.Commit) {
			missing[c] = true
			nMissing++
		}
	}
	n := len(use)
	var b strings.Builder
	if nCached > 0 {
		fmt.Fprintf(&b, " Cached from %s (%s): read from earlier runs, not computed now.", strings.Join(keys(cached), ", "), ofRecords(nCached, n))
	}
	if nDirty > 0 {
		fmt.Fprintf(&b, " From a dirty tree (%s): made with uncommitted changes on top of %s, so no commit holds their exact code.", ofRecords(nDirty, n), strings.Join(keys(dirty), ", "))
	}
	if nMissing > 0 {
		fmt.Fprintf(&b, " Commit not in repository (%s): %s, which this repository does not have, so their code cannot be inspected.", ofRecords(nMissing, n), strings.Join(keys(missing), ", "))
	}
	if unknown > 0 {
		fmt.Fprintf(&b, " Commit unknown (%s): made outside a git checkout.", ofRecords(unknown, n))
	}
	return b.String()
}

// ofRecords is "the record", "all 5 records" or "2 of 5 records".
func ofRecords(k, n int) string {
	switch {
	case k == n && n == 1:
		return "the record"
	case k == n:
		return fmt.Sprintf("all %d records", n)
	}
	return fmt.Sprintf("%d of %d records", k, n)
}

func canonicalKey(v any) string {
	// Records round-trip through JSON (integers become float64), so compare
	// through spec.Canonical: 1, 1.0 and true are the same key.
	return spec.Canonical(v)
}

// group is the records that share a row key.
type group struct {
	key  []string
	recs []results.Record
}

func cells(cols []spec.Column, paper map[string]any, g *group) []Cell {
	out := make([]Cell, len(cols))
	var recs []results.Record
	if g != nil {
		recs = g.recs
	}
	for i, c := range cols {
		cell := Cell{}
		if c.Paper != "" && paper != nil {
			cell.Paper = paper[c.Paper]
		}
		if c.Measured != "" {
			var xs []float64
			for _, r := range recs {
				if v, ok := r.Metrics[c.Measured]; ok {
					xs = append(xs, v*c.Factor)
				}
			}
			if len(xs) > 0 {
				cell.HasMeasured, cell.N = true, len(xs)
				cell.Measured, cell.SD = meanSD(xs)
				if iv, err := stats.MeanInterval(xs, Level); err == nil {
					cell.Half = iv.Half
					cell.Identical = iv.SD == 0
				}
			}
		}
		if p, ok := cell.Paper.(float64); ok && cell.HasMeasured {
			cell.HasDiff, cell.Diff = true, cell.Measured-p
			cell.Outside = cell.HasInterval() && (p < cell.Measured-cell.Half || p > cell.Measured+cell.Half)
		}
		out[i] = cell
	}
	return out
}

// intervalNotes explain the cells over several runs, when there are any:
// what "m ± h (n=k)" means, what the mark means and how many paper values
// carry it.
func intervalNotes(rows []Row) []string {
	var intervals, identical, compared, outside int
	minN, maxN := 0, 0
	for _, r := range rows {
		for _, c := range r.Cells {
			switch {
			case c.HasInterval():
				intervals++
				if minN == 0 || c.N < minN {
					minN = c.N
				}
				maxN = max(maxN, c.N)
				if _, ok := c.Paper.(float64); ok {
					compared++
				}
				if c.Outside {
					outside++
				}
			case c.Identical:
				identical++
			}
		}
	}
	var out []string
	if intervals > 0 {
		runs := fmt.Sprintf("%d", minN)
		if maxN != minN {
			runs = fmt.Sprintf("%d to %d", minN, maxN)
		}
		out = append(out, fmt.Sprintf("Measured cells over several runs (seeds, or any axis the rows leave out; n = %s here) read mean ± h (n=runs): h is the half-width of the two-sided %g%% Student t-interval of the mean, t(%.3f; n−1)·sd/√n. "+
			"%s after a paper value marks it outside that interval: %d of the %d paper values compared with an interval. "+
			"With few seeds the interval is wide (t(0.975; 2) = 4.30 for n = 3): a paper value inside it is not confirmed, only not contradicted at this n.",
			runs, Level*100, (1+Level)/2, Mark, outside, compared))
	}
	if identical > 0 {
		out = append(out, "Cells reading (n=k, identical): every run gave the same value (e.g. a parameter count); no interval is drawn and no mark given.")
	}
	return out
}

func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

func keys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
