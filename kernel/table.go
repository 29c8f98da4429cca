package kernel

import (
	"fmt"
	"html"
	"strings"
)

// Table is a rendered results table: the paper's reported values beside the
// measured ones, under a banner saying where the measured numbers come from.
type Table struct {
	Title     string
	Banner    string // data-source banner, always shown above the rows
	Synthetic bool   // the measured values come from synthetic data: the banner is a warning
	Header    []string
	Rows      [][]string
	Notes     []string // shown under the table
}

// Markdown renders the table as GitHub-flavoured Markdown.
func (t *Table) Markdown() string {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "### %s\n\n", t.Title)
	}
	if t.Banner != "" {
		fmt.Fprintf(&b, "> **%s**\n\n", t.Banner)
	}
	if len(t.Header) > 0 {
		cells := func(row []string) string {
			out := make([]string, len(t.Header))
			for i := range out {
				if i < len(row) {
					out[i] = strings.ReplaceAll(strings.ReplaceAll(row[i], "|", `\|`), "\n", " ")
				}
			}
			return "| " + strings.Join(out, " | ") + " |\n"
		}
		b.WriteString(cells(t.Header))
		sep := make([]string, len(t.Header))
		for i := range sep {
			sep[i] = "---"
		}
		b.WriteString("| " + strings.Join(sep, " | ") + " |\n")
		for _, r := range t.Rows {
			b.WriteString(cells(r))
		}
	}
	for _, n := range t.Notes {
		fmt.Fprintf(&b, "\n%s\n", n)
	}
	return b.String()
}

// HTML renders the table for a notebook: a coloured banner (amber for
// synthetic data), numeric columns right-aligned, notes in small print.
func (t *Table) HTML() string {
	var b strings.Builder
	b.WriteString(`<div class="actrepro-table" style="margin:0.5em 0">`)
	if t.Title != "" {
		fmt.Fprintf(&b, `<div style="font-weight:bold;font-size:1.1em;margin-bottom:0.3em">%s</div>`, html.EscapeString(t.Title))
	}
	if t.Banner != "" {
		bg, border := "#e8f4ea", "#2e7d32"
		if t.Synthetic {
			bg, border = "#fff4e0", "#e69f00"
		}
		fmt.Fprintf(&b, `<div style="background:%s;border-left:4px solid %s;padding:0.3em 0.6em;margin-bottom:0.4em">%s</div>`, bg, border, html.EscapeString(t.Banner))
	}
	if len(t.Header) > 0 {
		b.WriteString(`<table style="border-collapse:collapse"><thead><tr>`)
		for _, h := range t.Header {
			fmt.Fprintf(&b, `<th style="border-bottom:1px solid #888;padding:2px 8px;text-align:left">%s</th>`, html.EscapeString(h))
		}
		b.WriteString("</tr></thead><tbody>")
		for _, r := range t.Rows {
			b.WriteString("<tr>")
			for i := range t.Header {
				c := ""
				if i < len(r) {
					c = r[i]
				}
				align := "left"
				if numeric(c) {
					align = "right"
				}
				fmt.Fprintf(&b, `<td style="padding:2px 8px;text-align:%s">%s</td>`, align, html.EscapeString(c))
			}
			b.WriteString("</tr>")
		}
		b.WriteString("</tbody></table>")
	}
	for _, n := range t.Notes {
		fmt.Fprintf(&b, `<div style="font-size:0.85em;color:#555;margin-top:0.3em">%s</div>`, html.EscapeString(n))
	}
	b.WriteString("</div>")
	return b.String()
}

// Show displays the table: HTML in a notebook, Markdown in a terminal.
func (t *Table) Show() {
	md := t.Markdown()
	showRich(t.HTML(), md, md)
}

// numeric reports whether a cell reads as a number (possibly signed, with a
// unit suffix such as %), for right alignment.
func numeric(s string) bool {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-")
	if s == "" {
		return false
	}
	dot := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}
