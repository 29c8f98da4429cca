package report

import (
	"encoding/base64"
	"fmt"
	"html"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/actrepro/actrepro/internal/atomicfile"
	"github.com/actrepro/actrepro/internal/table"
)

// Bands of a difference from the paper's value, relative to |paper|, that
// colour the Δ cells of tables measured on real data. They are reading
// aids chosen for this page, not a statistical test.
const (
	CloseRel = 0.02 // |Δ| within 2% of the paper's value: green
	NearRel  = 0.10 // within 10%: amber; beyond: red
)

// Page file names under the results directory.
const (
	HTMLFile     = "index.html"
	MarkdownFile = "index.md"
)

// Write collects the page of o and writes it (WritePage).
func Write(o Options) ([]string, error) {
	p, err := Collect(o)
	if err != nil {
		return nil, err
	}
	return WritePage(p)
}

// WritePage writes results/index.html and results/index.md atomically and
// returns the paths written.
func WritePage(p *Page) ([]string, error) {
	var paths []string
	for _, f := range []struct {
		name string
		body []byte
	}{{HTMLFile, p.HTML()}, {MarkdownFile, p.Markdown()}} {
		path := filepath.Join(p.resultsDir, f.name)
		if err := atomicfile.Write(path, f.body); err != nil {
			return paths, fmt.Errorf("report: %w", err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// link is the href of a root-relative path, seen from the results
// directory where the page lives.
func (p *Page) link(rootRel string) string {
	r, err := filepath.Rel(p.resultsDir, filepath.Join(p.root, filepath.FromSlash(rootRel)))
	if err != nil {
		return rootRel
	}
	return filepath.ToSlash(r)
}

// sourceLabel is what a data source is called wherever a result is shown.
func sourceLabel(src string) string {
	switch src {
	case "real":
		return "REAL data"
	case "synthetic":
		return "SYNTHETIC data (a twin: tests the pipeline, does not reproduce the paper)"
	case "mixed":
		return "MIXED data sources (some synthetic)"
	case "none", "":
		return "not run yet (paper values only)"
	}
	return "UNKNOWN data source " + src
}

// badge is the short form of sourceLabel.
func badge(src string) string {
	switch src {
	case "real":
		return "REAL"
	case "synthetic":
		return "SYNTHETIC"
	case "mixed":
		return "MIXED"
	case "none", "":
		return "not run"
	}
	return "UNKNOWN"
}

func srcClass(src string) string {
	switch src {
	case "real", "synthetic", "mixed":
		return "src-" + src
	}
	return "src-none"
}

func anchor(id string) string { return "exp-" + id }

func num(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'f', digits, 64)
}

// Paper and measured cells are printed by table.PaperText and
// table.MeasuredText, so the page reads exactly as table.md does (mean ± 95%
// t half-width over runs, † on a paper value outside the interval).

func diffText(c table.Cell, digits int) string {
	if !c.HasDiff {
		return ""
	}
	s := num(c.Diff, digits)
	if c.Diff > 0 {
		s = "+" + s
	}
	return s
}

// diffBand classifies a difference: "close", "near", "far", or "na" when
// the table's data is not real (a synthetic measurement is not compared).
func diffBand(c table.Cell, source string) string {
	if !c.HasDiff || source != "real" {
		return "na"
	}
	p, _ := c.Paper.(float64)
	d := math.Abs(c.Diff)
	switch {
	case math.IsNaN(d):
		return "far"
	case p == 0:
		if d == 0 {
			return "close"
		}
		return "far"
	case d <= CloseRel*math.Abs(p):
		return "close"
	case d <= NearRel*math.Abs(p):
		return "near"
	}
	return "far"
}

func rowFlags(r table.Row) string {
	flags := strings.Join(r.Flags, "; ")
	if r.Note != "" {
		if flags != "" {
			flags += "; "
		}
		flags += "paper note: " + r.Note
	}
	return flags
}

func countRecords(p *Page) (specs, records int) {
	for _, pp := range p.Papers {
		for _, e := range pp.Experiments {
			specs++
			for _, s := range e.Scales {
				records += s.Records
			}
		}
	}
	return specs, records
}

func commitText(commit string, dirty bool) string {
	switch {
	case commit == "unknown" || commit == "":
		return "unknown (not a git checkout)"
	case dirty:
		return commit + " (dirty: uncommitted changes)"
	}
	return commit + " (clean)"
}

const css = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;margin:0 auto;max-width:1180px;padding:0 1.2em 3em;color:#1b1b1b;line-height:1.4}
h1{margin:.8em 0 .2em}h2{border-bottom:2px solid #333;padding-bottom:.15em;margin-top:2em}
h3{margin:1.6em 0 .3em}h4{margin:1.1em 0 .3em;font-size:1.02em}
a{color:#0b5cad}code{font-size:.92em}
.prov{color:#444;font-size:.9em;margin:.2em 0}
.links{font-size:.92em;margin:.2em 0 .6em}
.banner{padding:.45em .7em;margin:.5em 0;border-left:6px solid;font-weight:600;font-size:.95em}
.src-synthetic{background:repeating-linear-gradient(135deg,#fff4c2,#fff4c2 10px,#ffeaa0 10px,#ffeaa0 20px);border-color:#c99700}
.src-real{background:#e4f4e7;border-color:#2e7d32}
.src-mixed{background:#fde2e0;border-color:#c62828}
.src-none{background:#eee;border-color:#888;font-weight:400}
.badge{display:inline-block;font-size:.75em;font-weight:700;padding:.05em .45em;border-radius:3px;margin-left:.3em;border:1px solid}
.badge.src-synthetic{background:#fff4c2}.badge.src-real{background:#e4f4e7}.badge.src-none{font-weight:400}
.tablewrap{overflow-x:auto}
table.cmp{border-collapse:collapse;font-size:.88em;margin:.3em 0}
table.cmp th,table.cmp td{border:1px solid #ccc;padding:.2em .5em;text-align:right;white-space:nowrap}
table.cmp th{background:#f3f3f3;text-align:center}
table.cmp td.key,table.cmp td.flags{text-align:left}
table.cmp td.flags{white-space:normal;min-width:24em;color:#444}
table.cmp th small{font-weight:400;color:#555}
td.paper{background:#f6f8fb}
td.d-close{background:#c8e6c9}td.d-near{background:#ffe0a3}td.d-far{background:#f8c4c0}td.d-na{color:#777;font-style:italic}
details{margin:.3em 0;font-size:.9em}summary{cursor:pointer;color:#333}
details ul{margin:.3em 0;padding-left:1.4em}
figure{display:inline-block;vertical-align:top;margin:.5em 1em .8em 0;width:calc(50% - 1.2em);min-width:360px}
figure svg,figure img{width:100%;height:auto;display:block;border:1px solid #ddd}
figcaption{font-size:.85em;color:#333;max-width:432pt}
.legend span{display:inline-block;padding:0 .4em;margin-right:.3em}
nav ul{padding-left:1.2em;margin:.2em 0}nav li{margin:.1em 0}
.err{color:#b00020;font-weight:600}
`

// HTML renders the page: one self-contained document (inline CSS and
// SVG; PNGs as data URIs; no script).
func (p *Page) HTML() []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	e := html.EscapeString
	specs, records := countRecords(p)
	w("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n")
	w("<title>actrepro: reproduced tables and figures</title>\n<style>%s%s</style>\n</head>\n<body>\n", p.fontFaceCSS(), css)
	w("<header>\n<h1>actrepro: reproduced tables and figures</h1>\n")
	w("<p class=\"prov\">%d specs, %d run records. Page written by <code>actrepro report</code> from the checkout at commit %s, from <code>experiments/</code>, <code>results/</code>, <code>plots/</code> and <code>notebooks/</code>. Markdown twin: <a href=\"%s\">%s</a>.</p>\n",
		specs, records, e(commitText(p.Commit, p.Dirty)), MarkdownFile, MarkdownFile)
	w("<p class=\"prov legend\">Data source of each result: <span class=\"src-real\">REAL</span> measured on the paper's data; <span class=\"src-synthetic\">SYNTHETIC</span> measured on a seeded synthetic twin: it tests the pipeline and does <b>not</b> reproduce the paper's numbers; <span class=\"src-none\">not run</span> paper values only. Scale <code>full</code> is the paper's protocol; <code>smoke</code> is shrunken models and schedules. Δ = measured − paper, coloured on real data only: <span class=\"d-close\" style=\"background:#c8e6c9\">within %g%%</span> <span style=\"background:#ffe0a3\">within %g%%</span> <span style=\"background:#f8c4c0\">beyond</span> of the paper's value.</p>\n",
		100*CloseRel, 100*NearRel)
	if len(p.Problems) > 0 {
		w("<div class=\"banner src-mixed\">%d problem(s) reading the checkout:<ul>", len(p.Problems))
		for _, pr := range p.Problems {
			w("<li>%s</li>", e(pr))
		}
		w("</ul></div>\n")
	}
	w("<nav>\n<h2>Contents</h2>\n<ul>\n")
	for _, pp := range p.Papers {
		w("<li><b>%s</b><ul>\n", e(pp.Name))
		for _, x := range pp.Experiments {
			w("<li><a href=\"#%s\">%s</a>", e(anchor(x.ID)), e(expTitle(x)))
			for _, s := range x.Scales {
				w(" <span class=\"badge %s\">%s: %s</span>", srcClass(s.Source), e(s.Name), e(badge(s.Source)))
			}
			if x.Err != "" {
				w(" <span class=\"err\">does not load</span>")
			}
			w("</li>\n")
		}
		w("</ul></li>\n")
	}
	if len(p.Other) > 0 {
		w("<li><a href=\"#other-figures\">Other figures</a></li>\n")
	}
	w("</ul>\n</nav>\n</header>\n<main>\n")
	for _, pp := range p.Papers {
		w("<section>\n<h2>%s</h2>\n", e(pp.Name))
		for _, x := range pp.Experiments {
			p.htmlExperiment(&b, x)
		}
		w("</section>\n")
	}
	if len(p.Other) > 0 {
		w("<section id=\"other-figures\">\n<h2>Other figures</h2>\n<p class=\"prov\">Figures under <code>plots/</code> whose folder is no experiment id.</p>\n")
		for _, f := range p.Other {
			p.htmlFigure(&b, f, "")
		}
		w("</section>\n")
	}
	w("</main>\n</body>\n</html>\n")
	return []byte(b.String())
}

func expTitle(x *Experiment) string {
	if x.Table == "" {
		return x.Title
	}
	return x.Table + ": " + x.Title
}

func (p *Page) htmlExperiment(b *strings.Builder, x *Experiment) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	e := html.EscapeString
	w("<article id=\"%s\">\n<h3>%s</h3>\n", e(anchor(x.ID)), e(expTitle(x)))
	w("<p class=\"links\">Spec <a href=\"%s\"><code>%s</code></a> (experiment <code>%s</code>)", e(p.link(x.Spec)), e(x.Spec), e(x.ID))
	if len(x.Notebooks) == 0 {
		w(" · no notebook names this spec")
	}
	for _, n := range x.Notebooks {
		w(" · notebook <a href=\"%s\"><code>%s</code></a>", e(p.link(n.Source)), e(n.Source))
		switch {
		case n.HTML != "" || n.Executed != "":
			w(" (executed:")
			if n.HTML != "" {
				w(" <a href=\"%s\">HTML</a>", e(p.link(n.HTML)))
			}
			if n.Executed != "" {
				w(" <a href=\"%s\">ipynb</a>", e(p.link(n.Executed)))
			}
			w(")")
		default:
			w(" (not executed yet: <code>make notebooks</code>)")
		}
	}
	w("</p>\n")
	if x.Err != "" {
		w("<p class=\"err\">%s</p>\n</article>\n", e(x.Err))
		return
	}
	for _, s := range x.Scales {
		w("<h4>Scale <code>%s</code> <span class=\"badge %s\">%s</span></h4>\n", e(s.Name), srcClass(s.Source), e(badge(s.Source)))
		prov := []string{fmt.Sprintf("%d run record(s)", s.Records)}
		if s.Dir != "" {
			prov[0] = fmt.Sprintf("<a href=\"%s/\">%s</a> in <code>%s</code>", e(p.link(s.Dir)), prov[0], e(s.Dir))
		}
		for _, n := range s.Skipped.Notes() {
			prov = append(prov, strings.TrimSuffix(n, "."))
		}
		if s.Seconds > 0 {
			prov = append(prov, fmt.Sprintf("%.0f s of compute in total", s.Seconds))
		}
		w("<p class=\"prov\">%s</p>\n", strings.Join(prov, " · "))
		if s.Err != "" {
			w("<p class=\"err\">%s</p>\n", e(s.Err))
		}
		for _, t := range s.Tables {
			p.htmlTable(b, t)
		}
		for _, f := range s.Figures {
			p.htmlFigure(b, f, s.Name)
		}
	}
	w("</article>\n")
}

func (p *Page) htmlTable(b *strings.Builder, t *table.Table) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	e := html.EscapeString
	if t.Name != "table" && t.Name != "" {
		w("<p><b>%s</b></p>\n", e(t.Title))
	}
	w("<div class=\"banner %s\">%s</div>\n", srcClass(t.Source), e(t.Banner))
	hasFlags := false
	for _, r := range t.Rows {
		hasFlags = hasFlags || rowFlags(r) != ""
	}
	// Two header rows: a column with paper and measured values spans its
	// three sub-columns; a paper-only or measured-only one spans both rows.
	w("<div class=\"tablewrap\"><table class=\"cmp\">\n<thead><tr>")
	for _, k := range t.KeyHeaders {
		w("<th rowspan=\"2\">%s</th>", e(k))
	}
	if t.HasRowID {
		w("<th rowspan=\"2\">paper row</th>")
	}
	for _, c := range t.Columns {
		switch {
		case c.Paper != "" && c.Measured != "":
			w("<th colspan=\"3\">%s</th>", e(c.Label))
		case c.Paper != "":
			w("<th rowspan=\"2\">%s<br><small>paper</small></th>", e(c.Label))
		default:
			w("<th rowspan=\"2\">%s<br><small>measured</small></th>", e(c.Label))
		}
	}
	if hasFlags {
		w("<th rowspan=\"2\">flags</th>")
	}
	w("</tr>\n<tr>")
	for _, c := range t.Columns {
		if c.Paper != "" && c.Measured != "" {
			w("<th>paper</th><th>measured</th><th>Δ</th>")
		}
	}
	w("</tr></thead>\n<tbody>\n")
	for _, r := range t.Rows {
		w("<tr>")
		for _, k := range r.Key {
			w("<td class=\"key\">%s</td>", e(k))
		}
		if t.HasRowID {
			w("<td class=\"key\">%s</td>", e(r.RowID))
		}
		for i, c := range t.Columns {
			cell := r.Cells[i]
			if c.Paper != "" {
				w("<td class=\"paper\">%s</td>", e(table.PaperText(cell, c.Digits)))
			}
			if c.Measured != "" {
				w("<td>%s</td>", e(table.MeasuredText(cell, c.Digits)))
			}
			if c.Paper != "" && c.Measured != "" {
				band := diffBand(cell, t.Source)
				title := ""
				if band == "na" && cell.HasDiff {
					title = " title=\"not measured on the paper's data: not comparable\""
				}
				w("<td class=\"d-%s\"%s>%s</td>", band, title, e(diffText(cell, c.Digits)))
			}
		}
		if hasFlags {
			w("<td class=\"flags\">%s</td>", e(rowFlags(r)))
		}
		w("</tr>\n")
	}
	w("</tbody></table></div>\n")
	if len(t.Provenance) > 0 {
		w("<p class=\"prov\">Provenance: %s.</p>\n", e(strings.Join(t.Provenance, "; ")))
	}
	if len(t.Notes) > 0 {
		w("<details><summary>notes (%d)</summary><ul>", len(t.Notes))
		for _, n := range t.Notes {
			w("<li>%s</li>", e(n))
		}
		w("</ul></details>\n")
	}
}

func (p *Page) htmlFigure(b *strings.Builder, f *Figure, scale string) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	e := html.EscapeString
	w("<figure id=\"fig-%s\">\n", e(strings.ReplaceAll(f.Dir+"/"+f.Name, "/", "-")))
	switch {
	case f.SVG != "":
		b.WriteString(f.SVG)
		b.WriteString("\n")
	case f.PNG != nil:
		w("<img alt=\"%s\" src=\"data:image/png;base64,%s\">\n", e(f.Name), base64.StdEncoding.EncodeToString(f.PNG))
	}
	w("<figcaption><b>%s</b>", e(f.Name))
	if scale != "" {
		w(" (scale %s)", e(scale))
	}
	if f.Source != "" {
		w(" <span class=\"badge %s\">%s</span>", srcClass(f.Source), e(badge(f.Source)))
	}
	if f.SVG == "" && f.PNG == nil {
		w(" only as")
	}
	var files []string
	for _, ext := range figureFormats {
		if path := f.Files[ext]; path != "" {
			files = append(files, fmt.Sprintf("<a href=\"%s\">%s</a>", e(p.link(path)), ext))
		}
	}
	w(" · %s · <code>%s/</code></figcaption>\n</figure>\n", strings.Join(files, " "), e(f.Dir))
}
