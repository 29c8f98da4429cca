package table

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Formats lists the output formats of Write.
var Formats = []string{"md", "csv", "tex"}

// Write renders t in format ("md", "csv" or "tex").
func (t *Table) Write(w io.Writer, format string) error {
	switch format {
	case "md", "markdown":
		return t.Markdown(w)
	case "csv":
		return t.CSV(w)
	case "tex", "latex":
		return t.LaTeX(w)
	}
	return fmt.Errorf("unknown table format %q (want md, csv or tex)", format)
}

func num(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'f', digits, 64)
}

func paperText(v any, digits int) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return num(x, digits)
	}
	return fmt.Sprint(v)
}

// PaperText is a cell's paper value as the tables print it: the number at
// digits decimals, followed by Mark when it lies outside the measured
// interval; "" when the paper has none.
func PaperText(c Cell, digits int) string {
	s := paperText(c.Paper, digits)
	if c.Outside {
		s += " " + Mark
	}
	return s
}

// MeasuredText is a cell's measured value as the tables print it: "76.12"
// for one run, "76.12 ± 1.30 (n=3)" over several (± the half-width of the
// 95% t-interval), "44524 (n=3, identical)" when every run gave the same
// value; "" when nothing was measured.
func MeasuredText(c Cell, digits int) string { return measuredText(c, digits, "±") }

func measuredText(c Cell, digits int, pm string) string {
	if !c.HasMeasured {
		return ""
	}
	s := num(c.Measured, digits)
	switch {
	case c.Identical:
		s += fmt.Sprintf(" (n=%d, identical)", c.N)
	case c.N > 1:
		s += fmt.Sprintf(" %s %s (n=%d)", pm, num(c.Half, digits), c.N)
	}
	return s
}

func diffText(c Cell, digits int) string {
	if !c.HasDiff {
		return ""
	}
	s := num(c.Diff, digits)
	if c.Diff > 0 {
		s = "+" + s
	}
	return s
}

// header returns the column titles (key columns, then per column paper,
// measured and difference as present).
func (t *Table) header() []string {
	h := append([]string(nil), t.KeyHeaders...)
	if t.HasRowID {
		h = append(h, "paper row")
	}
	for _, c := range t.Columns {
		switch {
		case c.Paper != "" && c.Measured != "":
			h = append(h, c.Label+" (paper)", c.Label+" (measured)", "Δ "+c.Label)
		case c.Paper != "":
			h = append(h, c.Label+" (paper)")
		default:
			h = append(h, c.Label+" (measured)")
		}
	}
	return append(h, "flags")
}

// cellsText is a row's cells as text; with latex every cell is already
// LaTeX (escaped, intervals as $m \pm h$, the mark as $^\dagger$).
func (t *Table) cellsText(r Row, latex bool) []string {
	esc := func(s string) string { return s }
	if latex {
		esc = tex
	}
	var out []string
	for _, k := range r.Key {
		out = append(out, esc(k))
	}
	if t.HasRowID {
		out = append(out, esc(r.RowID))
	}
	for i, c := range t.Columns {
		cell := r.Cells[i]
		if c.Paper != "" {
			if latex {
				p := tex(paperText(cell.Paper, c.Digits))
				if cell.Outside {
					p += `$^\dagger$`
				}
				out = append(out, p)
			} else {
				out = append(out, PaperText(cell, c.Digits))
			}
		}
		if c.Measured != "" {
			if latex && cell.HasInterval() {
				out = append(out, fmt.Sprintf(`$%s \pm %s$ (n=%d)`, num(cell.Measured, c.Digits), num(cell.Half, c.Digits), cell.N))
			} else {
				out = append(out, esc(measuredText(cell, c.Digits, "±")))
			}
		}
		if c.Paper != "" && c.Measured != "" {
			out = append(out, esc(diffText(cell, c.Digits)))
		}
	}
	flags := strings.Join(r.Flags, "; ")
	if r.Note != "" {
		if flags != "" {
			flags += "; "
		}
		flags += "paper note: " + r.Note
	}
	return append(out, esc(flags))
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Markdown writes a heading, the banner as a quote, the table, notes and
// provenance.
func (t *Table) Markdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s (scale: %s)\n\n", mdEscape(t.Title), t.Scale)
	fmt.Fprintf(&b, "> **%s**\n\n", mdEscape(t.Banner))
	h := t.header()
	b.WriteString("|")
	for _, x := range h {
		b.WriteString(" " + mdEscape(x) + " |")
	}
	b.WriteString("\n|")
	for range h {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		b.WriteString("|")
		for _, x := range t.cellsText(r, false) {
			if x == "" {
				x = "—"
			}
			b.WriteString(" " + mdEscape(x) + " |")
		}
		b.WriteString("\n")
	}
	if len(t.Notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range t.Notes {
			b.WriteString("- " + n + "\n")
		}
	}
	if len(t.Provenance) > 0 {
		b.WriteString("\nProvenance: " + strings.Join(t.Provenance, "; ") + ".\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CSV writes one row per table row with machine-readable columns; every
// row carries the data source and scale, so a CSV cut out of context
// still says what it is.
func (t *Table) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	h := append([]string{"experiment", "table", "scale", "data_source"}, t.KeyHeaders...)
	h = append(h, "paper_row")
	for _, c := range t.Columns {
		if c.Paper != "" {
			h = append(h, c.Label+"_paper")
		}
		if c.Measured != "" {
			h = append(h, c.Label+"_measured", c.Label+"_sd", c.Label+"_n", c.Label+"_ci95_half")
		}
		if c.Paper != "" && c.Measured != "" {
			h = append(h, c.Label+"_diff", c.Label+"_paper_outside_ci95")
		}
	}
	h = append(h, "flags", "note", "provenance")
	if err := cw.Write(h); err != nil {
		return err
	}
	full := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range t.Rows {
		rec := append([]string{t.Experiment, t.Name, t.Scale, t.Source}, r.Key...)
		rec = append(rec, r.RowID)
		for i, c := range t.Columns {
			cell := r.Cells[i]
			if c.Paper != "" {
				if f, ok := cell.Paper.(float64); ok {
					rec = append(rec, full(f))
				} else {
					rec = append(rec, paperText(cell.Paper, c.Digits))
				}
			}
			if c.Measured != "" {
				switch {
				case cell.HasInterval():
					rec = append(rec, full(cell.Measured), full(cell.SD), strconv.Itoa(cell.N), full(cell.Half))
				case cell.HasMeasured:
					rec = append(rec, full(cell.Measured), full(cell.SD), strconv.Itoa(cell.N), "")
				default:
					rec = append(rec, "", "", "0", "")
				}
			}
			if c.Paper != "" && c.Measured != "" {
				if cell.HasDiff {
					rec = append(rec, full(cell.Diff))
				} else {
					rec = append(rec, "")
				}
				// true/false when there is an interval to compare with; empty otherwise.
				if _, ok := cell.Paper.(float64); ok && cell.HasInterval() {
					rec = append(rec, strconv.FormatBool(cell.Outside))
				} else {
					rec = append(rec, "")
				}
			}
		}
		rec = append(rec, strings.Join(r.Flags, "; "), r.Note, r.Provenance)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

var texReplacer = strings.NewReplacer(
	`\`, `\textbackslash{}`, `&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`, `_`, `\_`,
	`{`, `\{`, `}`, `\}`, `~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
	"Δ", `$\Delta$`, "±", `$\pm$`, "—", "---")

func tex(s string) string { return texReplacer.Replace(s) }

// LaTeX writes a table environment (booktabs) whose caption carries the
// banner.
func (t *Table) LaTeX(w io.Writer) error {
	var b strings.Builder
	h := t.header()
	b.WriteString("% generated by actrepro from result records; do not edit\n")
	b.WriteString("\\begin{table}[t]\n\\centering\n")
	fmt.Fprintf(&b, "\\caption{%s (scale: %s). \\textbf{%s}}\n", tex(t.Title), tex(t.Scale), tex(t.Banner))
	fmt.Fprintf(&b, "\\begin{tabular}{%s}\n\\toprule\n", strings.Repeat("l", len(h)))
	for i, x := range h {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString(tex(x))
	}
	b.WriteString(" \\\\\n\\midrule\n")
	for _, r := range t.Rows {
		for i, x := range t.cellsText(r, true) {
			if i > 0 {
				b.WriteString(" & ")
			}
			if x == "" {
				x = "---"
			}
			b.WriteString(x)
		}
		b.WriteString(" \\\\\n")
	}
	b.WriteString("\\bottomrule\n\\end{tabular}\n")
	for _, n := range t.Notes {
		b.WriteString("% note: " + strings.ReplaceAll(n, "\n", " ") + "\n")
	}
	b.WriteString("\\end{table}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
