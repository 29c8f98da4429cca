package report

import (
	"fmt"
	"strings"

	"github.com/actrepro/actrepro/internal/table"
)

// Markdown renders the page's Markdown twin: the same sections, tables
// and banners, figures as image links (SVG, else PNG) to their files.
func (p *Page) Markdown() []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	specs, records := countRecords(p)
	w("# actrepro: reproduced tables and figures\n\n")
	w("%d specs, %d run records. Written by `actrepro report` from the checkout at commit %s. The same page with the figures inline: [%s](%s).\n\n",
		specs, records, commitText(p.Commit, p.Dirty), HTMLFile, HTMLFile)
	w("Data source of each result: **REAL** measured on the paper's data; **SYNTHETIC** measured on a seeded synthetic twin, which tests the pipeline and does **not** reproduce the paper's numbers; **not run** paper values only. Scale `full` is the paper's protocol, `smoke` shrunken models and schedules. Δ = measured − paper.\n\n")
	for _, pr := range p.Problems {
		w("- **problem:** %s\n", mdText(pr))
	}
	if len(p.Problems) > 0 {
		w("\n")
	}
	w("## Contents\n\n")
	for _, pp := range p.Papers {
		w("- **%s**\n", mdText(pp.Name))
		for _, x := range pp.Experiments {
			var badges []string
			for _, s := range x.Scales {
				badges = append(badges, fmt.Sprintf("`%s`: %s", s.Name, badge(s.Source)))
			}
			w("  - [%s](#%s) (%s)\n", mdText(expTitle(x)), anchor(x.ID), strings.Join(badges, ", "))
		}
	}
	w("\n")
	for _, pp := range p.Papers {
		w("## %s\n\n", mdText(pp.Name))
		for _, x := range pp.Experiments {
			p.mdExperiment(&b, x)
		}
	}
	if len(p.Other) > 0 {
		w("## Other figures\n\n")
		for _, f := range p.Other {
			p.mdFigure(&b, f, "")
		}
	}
	return []byte(b.String())
}

func (p *Page) mdExperiment(b *strings.Builder, x *Experiment) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("<a id=\"%s\"></a>\n\n### %s\n\n", anchor(x.ID), mdText(expTitle(x)))
	links := []string{fmt.Sprintf("Spec [`%s`](%s) (experiment `%s`)", x.Spec, p.link(x.Spec), x.ID)}
	for _, n := range x.Notebooks {
		l := fmt.Sprintf("notebook [`%s`](%s)", n.Source, p.link(n.Source))
		switch {
		case n.HTML != "":
			l += fmt.Sprintf(" ([executed](%s))", p.link(n.HTML))
		case n.Executed != "":
			l += fmt.Sprintf(" ([executed](%s))", p.link(n.Executed))
		default:
			l += " (not executed yet: `make notebooks`)"
		}
		links = append(links, l)
	}
	w("%s.\n\n", strings.Join(links, " · "))
	if x.Err != "" {
		w("**The spec does not load:** %s\n\n", mdText(x.Err))
		return
	}
	for _, s := range x.Scales {
		w("#### Scale `%s`: %s\n\n", s.Name, sourceLabel(s.Source))
		prov := fmt.Sprintf("%d run record(s)", s.Records)
		if s.Dir != "" {
			prov += fmt.Sprintf(" in [`%s`](%s)", s.Dir, p.link(s.Dir))
		}
		for _, n := range s.Skipped.Notes() {
			prov += "; " + strings.TrimSuffix(n, ".")
		}
		if s.Seconds > 0 {
			prov += fmt.Sprintf("; %.0f s of compute in total", s.Seconds)
		}
		w("%s.\n\n", prov)
		if s.Err != "" {
			w("**Problem:** %s\n\n", mdText(s.Err))
		}
		for _, t := range s.Tables {
			mdTable(b, t)
		}
		for _, f := range s.Figures {
			p.mdFigure(b, f, s.Name)
		}
	}
}

func mdTable(b *strings.Builder, t *table.Table) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	if t.Name != "table" && t.Name != "" {
		w("**%s**\n\n", mdText(t.Title))
	}
	w("> **%s**\n\n", mdText(t.Banner))
	var head []string
	head = append(head, t.KeyHeaders...)
	if t.HasRowID {
		head = append(head, "paper row")
	}
	for _, c := range t.Columns {
		if c.Paper != "" {
			head = append(head, c.Label+" (paper)")
		}
		if c.Measured != "" {
			head = append(head, c.Label+" (measured)")
		}
		if c.Paper != "" && c.Measured != "" {
			head = append(head, "Δ "+c.Label)
		}
	}
	head = append(head, "flags")
	mdRow(b, head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
	}
	mdRow(b, sep)
	for _, r := range t.Rows {
		cells := append([]string(nil), r.Key...)
		if t.HasRowID {
			cells = append(cells, r.RowID)
		}
		for i, c := range t.Columns {
			cell := r.Cells[i]
			if c.Paper != "" {
				cells = append(cells, table.PaperText(cell, c.Digits))
			}
			if c.Measured != "" {
				cells = append(cells, table.MeasuredText(cell, c.Digits))
			}
			if c.Paper != "" && c.Measured != "" {
				cells = append(cells, diffText(cell, c.Digits))
			}
		}
		flags := rowFlags(r)
		if flags == "" {
			flags = "—"
		}
		mdRow(b, append(cells, flags))
	}
	w("\n")
	if len(t.Provenance) > 0 {
		w("Provenance: %s.\n\n", mdText(strings.Join(t.Provenance, "; ")))
	}
	if len(t.Notes) > 0 {
		w("<details><summary>notes</summary>\n\n")
		for _, n := range t.Notes {
			w("- %s\n", mdText(n))
		}
		w("\n</details>\n\n")
	}
}

func mdRow(b *strings.Builder, cells []string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(mdText(c), "|", `\|`)
	}
	fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
}

// mdText keeps a value on one line.
func mdText(s string) string { return strings.Join(strings.Fields(s), " ") }

func (p *Page) mdFigure(b *strings.Builder, f *Figure, scale string) {
	caption := f.Name
	if scale != "" {
		caption += " (scale " + scale + ")"
	}
	if f.Source != "" {
		caption += ", " + badge(f.Source)
	}
	img := f.Files["svg"]
	if img == "" {
		img = f.Files["png"]
	}
	if img != "" {
		fmt.Fprintf(b, "![%s](%s)\n\n", caption, p.link(img))
	}
	var files []string
	for _, ext := range figureFormats {
		if path := f.Files[ext]; path != "" {
			files = append(files, fmt.Sprintf("[%s](%s)", ext, p.link(path)))
		}
	}
	fmt.Fprintf(b, "*%s*: %s\n\n", caption, strings.Join(files, " "))
}
