// Package report writes the one page that shows everything a checkout has
// reproduced: every paper's tables (paper value beside measured, with the
// data-source banner), every figure, links to the specs, notebooks and
// records, and the provenance. `actrepro report` writes it as
// results/index.html (self-contained: inline CSS and SVG, no script, no
// network) and results/index.md (its Markdown twin), from the files on
// disk only, so the same files give the same bytes.
package report

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/actrepro/actrepro/internal/harness"
	"github.com/actrepro/actrepro/internal/results"
	"github.com/actrepro/actrepro/internal/spec"
	"github.com/actrepro/actrepro/internal/table"
)

// Options say where the checkout's parts are.
type Options struct {
	// Root is the checkout: experiments/, notebooks/, plots/ under it.
	Root string
	// Results is the results directory, where the page is written;
	// default Root/results.
	Results string
	// Commit and Dirty describe the checkout the page was written from
	// (results.GitCommit); "" prints "unknown".
	Commit string
	Dirty  bool
}

func (o Options) resultsDir() string {
	if o.Results != "" {
		return o.Results
	}
	return filepath.Join(o.Root, "results")
}

// Page is everything the page shows.
type Page struct {
	Commit string
	Dirty  bool
	Papers []*Paper
	// Other holds figure folders under plots/ that belong to no spec.
	Other []*Figure
	// Problems are specs or records that could not be read; each is also
	// shown where it belongs.
	Problems         []string
	resultsDir, root string
}

// Paper groups the experiments of one paper, in spec path order.
type Paper struct {
	Name        string
	Experiments []*Experiment
}

// Experiment is one spec and what it produced.
type Experiment struct {
	Spec      string // path relative to the root, slash-separated
	ID        string
	Paper     string
	Table     string // the paper's table or figure, e.g. "Table 1"
	Title     string
	Err       string // the spec did not load
	Scales    []*Scale
	Notebooks []Notebook
}

// Scale is the records of one experiment at one scale and their tables.
type Scale struct {
	Name    string
	Dir     string // records folder, relative to the root
	Records int
	Skipped harness.Skipped // records not of the spec's current points (other code version or settings)
	Seconds float64
	Tables  []*table.Table
	Source  string // the tables' data source: "real", "synthetic", "mixed" or "none"
	Figures []*Figure
	Err     string
	claims  []string // figures its records list (dir/name, relative to the root)
}

// Figure is one figure, saved in one or more formats.
type Figure struct {
	Name   string            // file name without extension
	Dir    string            // folder relative to the root
	Files  map[string]string // format ("svg", "png", "pdf") -> path relative to the root
	SVG    string            // the SVG markup to inline ("" when there is no SVG)
	PNG    []byte            // the PNG, when there is no SVG
	Source string            // data source of the records it was drawn from ("" unknown)
}

// Notebook is a notebook that runs or shows a spec.
type Notebook struct {
	Source   string // relative to the root
	Executed string // results/notebooks/... executed copy, "" when not there
	HTML     string // its HTML rendering, "" when not there
}

// figureFormats are the extensions collected as figures, in display order.
var figureFormats = []string{"svg", "png", "pdf"}

// specPattern finds spec paths in notebooks.
var specPattern = regexp.MustCompile(`experiments/[A-Za-z0-9_./-]+\.toml`)

// Collect reads the specs, records, figures and notebooks of a checkout.
// A spec or record that cannot be read is reported on the page, not as an
// error; the error is for an unreadable checkout.
func Collect(o Options) (*Page, error) {
	p := &Page{Commit: o.Commit, Dirty: o.Dirty, resultsDir: o.resultsDir(), root: o.Root}
	if p.Commit == "" {
		p.Commit = "unknown"
	}
	specs, err := findFiles(filepath.Join(o.Root, "experiments"), ".toml")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	notebooks, err := notebookSpecs(o.Root, p.resultsDir)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	byID := map[string]*Experiment{}
	papers := map[string]*Paper{}
	for _, sp := range specs {
		rel := p.rel(sp)
		e := &Experiment{Spec: rel, Notebooks: notebooks[rel]}
		s, err := spec.Load(sp)
		if err != nil {
			e.Err = err.Error()
			e.ID, e.Paper, e.Title = strings.TrimSuffix(filepath.Base(sp), ".toml"), "Specs that do not load", rel
			p.Problems = append(p.Problems, e.Err)
		} else {
			e.ID, e.Paper, e.Table, e.Title = s.Experiment.ID, s.Experiment.Paper, s.Experiment.Table, s.Experiment.Title
			e.Scales = p.scales(sp, e.ID)
			byID[e.ID] = e
		}
		pp, ok := papers[e.Paper]
		if !ok {
			pp = &Paper{Name: e.Paper}
			papers[e.Paper] = pp
			p.Papers = append(p.Papers, pp)
		}
		pp.Experiments = append(pp.Experiments, e)
	}
	if err := p.assignFigures(byID); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return p, nil
}

// assignFigures puts every figure where a reader looks for it: smoke-scale
// figures sit in results/<id>/<scale>/figures, full-scale ones are
// committed under plots/<id>/; a figure that a record lists in its extra
// "figure_files" (a figure drawn by one experiment from another's records,
// such as ARTEMIS Fig. 2) goes to that record's experiment and scale
// instead. Folders under plots/ that match no experiment are "Other".
func (p *Page) assignFigures(byID map[string]*Experiment) error {
	claims := map[string]*Scale{} // dir/name -> the scale whose records list it
	for _, id := range sortedKeys(byID) {
		for _, sc := range byID[id].Scales {
			for _, c := range sc.claims {
				claims[c] = sc
			}
		}
	}
	scanned := map[string]bool{}
	place := func(dir string, owner *Scale) error {
		figs, err := p.figures(dir)
		scanned[p.rel(dir)] = true
		if err != nil {
			return err
		}
		for _, f := range figs {
			to := owner
			if c, ok := claims[f.Dir+"/"+f.Name]; ok {
				to = c
			}
			if to == nil {
				p.Other = append(p.Other, f)
				continue
			}
			f.Source = to.Source
			to.Figures = append(to.Figures, f)
		}
		return nil
	}
	for _, id := range sortedKeys(byID) {
		for _, sc := range byID[id].Scales {
			if err := place(filepath.Join(p.resultsDir, id, sc.Name, "figures"), sc); err != nil {
				return err
			}
		}
	}
	dirs, _ := os.ReadDir(filepath.Join(p.root, "plots"))
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "testdata" {
			continue
		}
		var owner *Scale
		if e := byID[d.Name()]; e != nil {
			owner = e.scale("full")
		}
		if err := place(filepath.Join(p.root, "plots", d.Name()), owner); err != nil {
			return err
		}
	}
	// Claimed figures in folders not scanned above.
	var rest []string
	for c := range claims {
		if dir := path.Dir(c); !scanned[dir] {
			rest = append(rest, dir)
			scanned[dir] = true
		}
	}
	sort.Strings(rest)
	for _, dir := range rest {
		figs, err := p.figures(filepath.Join(p.root, filepath.FromSlash(dir)))
		if err != nil {
			return err
		}
		for _, f := range figs {
			if c, ok := claims[f.Dir+"/"+f.Name]; ok {
				f.Source = c.Source
				c.Figures = append(c.Figures, f)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// scale returns the experiment's Scale called name, adding an empty one.
func (e *Experiment) scale(name string) *Scale {
	for _, s := range e.Scales {
		if s.Name == name {
			return s
		}
	}
	s := &Scale{Name: name, Source: "none"}
	e.Scales = append(e.Scales, s)
	sortScales(e.Scales)
	return s
}

// sortScales puts "full" (the papers' protocol) first, then the others by name.
func sortScales(ss []*Scale) {
	sort.SliceStable(ss, func(i, j int) bool {
		if (ss[i].Name == "full") != (ss[j].Name == "full") {
			return ss[i].Name == "full"
		}
		return ss[i].Name < ss[j].Name
	})
}

// scales reads the records of experiment id at every scale that has a
// folder; with none, the tables hold only the paper's numbers.
func (p *Page) scales(specPath, id string) []*Scale {
	var out []*Scale
	entries, _ := os.ReadDir(filepath.Join(p.resultsDir, id))
	for _, d := range entries {
		if !d.IsDir() {
			continue
		}
		out = append(out, p.scaleOf(specPath, id, d.Name()))
	}
	if len(out) == 0 {
		out = append(out, p.scaleOf(specPath, id, "smoke"))
	}
	sortScales(out)
	return out
}

func (p *Page) scaleOf(specPath, id, name string) *Scale {
	dir := results.Dir(p.resultsDir, id, name)
	sc := &Scale{Name: name, Dir: p.rel(dir), Source: "none"}
	var recs []results.Record
	if _, err := os.Stat(dir); err == nil {
		var err error
		recs, err = results.Load(dir)
		if err != nil {
			sc.Err = err.Error()
			p.Problems = append(p.Problems, sc.Err)
		}
	} else {
		sc.Dir = ""
	}
	sc.Records = len(recs)
	for _, r := range recs {
		sc.Seconds += r.Seconds
	}
	tbs, stale, err := harness.TablesFrom(specPath, name, recs)
	if err != nil {
		sc.Err = err.Error()
		p.Problems = append(p.Problems, sc.Err)
		return sc
	}
	sc.Tables, sc.Skipped = tbs, stale
	sc.Records -= stale.OtherCode + stale.OtherSettings
	sources := map[string]bool{}
	for _, t := range tbs {
		sources[t.Source] = true
	}
	switch {
	case len(sources) == 1:
		sc.Source = tbs[0].Source
	case len(sources) > 1:
		sc.Source = "mixed"
	}
	for _, r := range recs {
		sc.claims = append(sc.claims, p.figureClaims(r)...)
	}
	return sc
}

// figureClaims returns the figures (dir/name, relative to the root) that a
// record lists in its extra "figure_files".
func (p *Page) figureClaims(r results.Record) []string {
	files, _ := r.Extra["figure_files"].([]any)
	var out []string
	for _, f := range files {
		s, ok := f.(string)
		if !ok {
			continue
		}
		if !filepath.IsAbs(s) {
			s = filepath.Join(p.root, s)
		}
		rel := p.rel(s)
		out = append(out, strings.TrimSuffix(rel, path.Ext(rel)))
	}
	return out
}

// figures groups the figure files of dir by name; a missing dir has none.
func (p *Page) figures(dir string) ([]*Figure, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil
	}
	byName := map[string]*Figure{}
	var names []string
	for _, e := range entries {
		ext := strings.TrimPrefix(filepath.Ext(e.Name()), ".")
		if e.IsDir() || !contains(figureFormats, ext) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), "."+ext)
		f, ok := byName[name]
		if !ok {
			f = &Figure{Name: name, Dir: p.rel(dir), Files: map[string]string{}}
			byName[name] = f
			names = append(names, name)
		}
		f.Files[ext] = p.rel(filepath.Join(dir, e.Name()))
	}
	sort.Strings(names)
	var out []*Figure
	for _, n := range names {
		f := byName[n]
		switch {
		case f.Files["svg"] != "":
			b, err := os.ReadFile(filepath.Join(p.root, f.Files["svg"]))
			if err != nil {
				return nil, err
			}
			f.SVG = inlineSVG(b)
		case f.Files["png"] != "":
			b, err := os.ReadFile(filepath.Join(p.root, f.Files["png"]))
			if err != nil {
				return nil, err
			}
			f.PNG = b
		}
		out = append(out, f)
	}
	return out, nil
}

// inlineSVG strips what comes before the <svg element (the XML prolog)
// so that the markup can sit inside HTML.
func inlineSVG(b []byte) string {
	s := string(b)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return strings.TrimSpace(s)
}

// notebookSpecs maps each spec path (relative to root) to the notebooks
// under root/notebooks that name it, with their executed copies.
func notebookSpecs(root, resultsDir string) (map[string][]Notebook, error) {
	out := map[string][]Notebook{}
	nbs, err := findFiles(filepath.Join(root, "notebooks"), ".ipynb")
	if err != nil {
		return nil, err
	}
	for _, nb := range nbs {
		b, err := os.ReadFile(nb)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Cells []struct {
				Source json.RawMessage `json:"source"`
			} `json:"cells"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %v", nb, err)
		}
		seen := map[string]bool{}
		rel, _ := filepath.Rel(filepath.Join(root, "notebooks"), nb)
		n := Notebook{Source: filepath.ToSlash(filepath.Join("notebooks", rel))}
		exec := filepath.Join(resultsDir, "notebooks", rel)
		if fileExists(exec) {
			n.Executed = relSlash(root, exec)
		}
		if h := strings.TrimSuffix(exec, ".ipynb") + ".html"; fileExists(h) {
			n.HTML = relSlash(root, h)
		}
		for _, c := range doc.Cells {
			var src string
			var lines []string
			if json.Unmarshal(c.Source, &lines) == nil {
				src = strings.Join(lines, "")
			} else {
				_ = json.Unmarshal(c.Source, &src)
			}
			for _, m := range specPattern.FindAllString(src, -1) {
				if !seen[m] {
					seen[m] = true
					out[m] = append(out[m], n)
				}
			}
		}
	}
	return out, nil
}

// findFiles lists the files with extension ext under dir, sorted; a
// missing dir has none.
func findFiles(dir, ext string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir && os.IsNotExist(err) {
				return filepath.SkipDir
			}
			return err
		}
		if !d.IsDir() && filepath.Ext(path) == ext && !strings.HasPrefix(d.Name(), ".") {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func (p *Page) rel(path string) string { return relSlash(p.root, path) }

func relSlash(root, path string) string {
	r, err := filepath.Rel(root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
