package kernel

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A run reports dozens of metrics (per-class F1, a confusion matrix as
// confusion_<true>_<predicted>, ...). Progress shows the two or three
// headline ones and folds the rest away; matrices are drawn as matrices.

// headlineN is how many metrics the compact status shows.
const headlineN = 3

// curveMetricsN is how many metrics the live curve draws.
const curveMetricsN = 4

// headlinePreference orders the metrics a status shows first; when none
// of them is reported, the first metrics by name are shown.
var headlinePreference = []string{
	"val_accuracy", "test_accuracy", "val_acc", "accuracy", "acc",
	"map_batch_micro", "map_macro", "map", "f1_macro",
	"val_loss", "test_loss", "loss", "train_loss",
}

// matrixKey matches one cell of a matrix metric: name_<row>_<col>.
var matrixKey = regexp.MustCompile(`^(.+)_(\d+)_(\d+)$`)

// matrixMin is the fewest cells that make a group of name_i_j keys a matrix.
const matrixMin = 4

// headline returns up to n metric names of m to show first.
func headline(m map[string]float64, n int) []string {
	var out []string
	for _, k := range headlinePreference {
		if _, ok := m[k]; ok && len(out) < n {
			out = append(out, k)
		}
	}
	if len(out) > 0 {
		return out
	}
	mats := matrixCells(m)
	for _, k := range sortedKeys(m) {
		if !mats[k] && len(out) < n {
			out = append(out, k)
		}
	}
	return out
}

// matrix is a metric reported cell by cell.
type matrix struct {
	name       string
	rows, cols int
	v          map[[2]int]float64
}

// matrices groups the name_i_j keys of m into matrices, by name.
func matrices(m map[string]float64) []*matrix {
	by := map[string]*matrix{}
	for k, v := range m {
		g := matrixKey.FindStringSubmatch(k)
		if g == nil {
			continue
		}
		i, _ := strconv.Atoi(g[2])
		j, _ := strconv.Atoi(g[3])
		mx := by[g[1]]
		if mx == nil {
			mx = &matrix{name: g[1], v: map[[2]int]float64{}}
			by[g[1]] = mx
		}
		mx.v[[2]int{i, j}] = v
		mx.rows, mx.cols = max(mx.rows, i+1), max(mx.cols, j+1)
	}
	var out []*matrix
	for _, name := range sortedKeys(by) {
		if len(by[name].v) >= matrixMin {
			out = append(out, by[name])
		}
	}
	return out
}

// matrixCells is the set of keys of m that belong to a matrix.
func matrixCells(m map[string]float64) map[string]bool {
	out := map[string]bool{}
	for _, mx := range matrices(m) {
		for c := range mx.v {
			out[fmt.Sprintf("%s_%d_%d", mx.name, c[0], c[1])] = true
		}
	}
	return out
}

func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// formatMetrics is the one-line text form: the headline metrics, and how
// many more there are.
func formatMetrics(m map[string]float64) string {
	keys := headline(m, headlineN)
	parts := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		parts = append(parts, k+"="+formatValue(m[k]))
	}
	if more := len(m) - len(keys); more > 0 {
		parts = append(parts, fmt.Sprintf("(+%d more)", more))
	}
	return strings.Join(parts, " ")
}

// headlineHTML is the compact HTML form of formatMetrics.
func headlineHTML(m map[string]float64) string {
	var parts []string
	for _, k := range headline(m, headlineN) {
		parts = append(parts, fmt.Sprintf(`<span style="color:#555">%s</span>&nbsp;<b>%s</b>`, html.EscapeString(k), formatValue(m[k])))
	}
	return strings.Join(parts, " &middot; ")
}

// allMetricsHTML folds every metric of m into a <details> block: the
// scalars in a table of name/value pairs, each matrix as a matrix. It is
// "" when the headline already shows everything.
func allMetricsHTML(what string, m map[string]float64) string {
	if len(m) <= len(headline(m, headlineN)) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<details style="margin:0.2em 0"><summary style="cursor:pointer;font-size:0.9em">all %d metrics of %s</summary>`, len(m), html.EscapeString(what))
	mats := matrixCells(m)
	var scalars []string
	for _, k := range sortedKeys(m) {
		if !mats[k] {
			scalars = append(scalars, k)
		}
	}
	const perRow = 4
	b.WriteString(`<table style="border-collapse:collapse;font-family:monospace;font-size:0.85em">`)
	for i := 0; i < len(scalars); i += perRow {
		b.WriteString("<tr>")
		for _, k := range scalars[i:min(i+perRow, len(scalars))] {
			fmt.Fprintf(&b, `<td style="padding:1px 4px;color:#555;text-align:left">%s</td><td style="padding:1px 12px 1px 4px;text-align:right">%s</td>`, html.EscapeString(k), formatValue(m[k]))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	for _, mx := range matrices(m) {
		fmt.Fprintf(&b, `<div style="font-size:0.85em;margin-top:0.3em">%s (%d&times;%d; rows %s_&lt;i&gt;_&lt;j&gt;: i)</div><table style="border-collapse:collapse;font-family:monospace;font-size:0.85em">`,
			html.EscapeString(mx.name), mx.rows, mx.cols, html.EscapeString(mx.name))
		for i := 0; i < mx.rows; i++ {
			b.WriteString("<tr>")
			for j := 0; j < mx.cols; j++ {
				v, ok := mx.v[[2]int{i, j}]
				s := ""
				if ok {
					s = formatValue(v)
				}
				fmt.Fprintf(&b, `<td style="border:1px solid #ddd;padding:1px 6px;text-align:right">%s</td>`, s)
			}
			b.WriteString("</tr>")
		}
		b.WriteString("</table>")
	}
	b.WriteString("</details>")
	return b.String()
}

// noteMetrics matches a harness "done" note: "done    LABEL (1.2s)"
// followed by the record's metrics as " key=value" pairs, which Progress
// shows in its tables instead. The label (itself key=value pairs) stays.
var noteMetrics = regexp.MustCompile(`^(.*\(\d+(?:\.\d+)?s\))(?: [^ =]+=[^ ]*)+$`)

// compactNote drops the metrics a note ends with.
func compactNote(n string) string {
	if g := noteMetrics.FindStringSubmatch(n); g != nil {
		return g[1]
	}
	return n
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
