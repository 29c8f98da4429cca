package kernel

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/plots"
)

// Progress shows a run's progress: in a notebook an output block updated in
// place (bars of the active phases, the latest metrics and a live curve of
// the metrics so far), replaced when the outermost phase finishes by a
// static summary (final metrics per phase and the curves), since executed
// notebooks keep only static outputs; in a terminal a few plain lines per
// phase. It implements runner.Progress; phases may nest (a sweep of points,
// each training for some epochs).
type Progress struct {
	mu       sync.Mutex
	title    string
	id       string // GoNB display id of the live block
	stack    []*phase
	finished []*phase // leaf phases finished, in order
	notes    []string // harness notes ("cached ...", "done ..."), shown in the summary
	live     bool
}

type phase struct {
	name    string
	label   string // the item being worked on, e.g. a sweep point
	context string // the parent phase's label when this phase started
	total   int
	done    int
	last    map[string]float64
	history map[string][]float64 // per metric, one value per Step
	lines   int                  // text lines printed (throttling)
	leaf    bool                 // no phase started inside it
}

// progressUpdates is about how many times a phase redraws or prints: every
// step when a phase has fewer steps, else every total/progressUpdates steps.
const progressUpdates = 50

// maxLiveSeries caps the curves drawn in the live block and the summary.
const maxLiveSeries = 8

// textLines is about how many lines a phase prints in a terminal.
const textLines = 10

var _ runner.Progress = (*Progress)(nil)

// NewProgress returns a Progress titled title (e.g. the experiment id).
func NewProgress(title string) *Progress {
	return &Progress{title: title, id: "actrepro-progress-" + gonbui.UniqueId()}
}

// Start implements runner.Progress.
func (p *Progress) Start(name string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx := ""
	if n := len(p.stack); n > 0 {
		p.stack[n-1].leaf = false
		ctx = p.stack[n-1].label
	}
	p.stack = append(p.stack, &phase{name: name, total: total, leaf: true, context: ctx, history: map[string][]float64{}})
	p.live = true
	if !InNotebook() {
		fmt.Fprintf(out(), "%s%s: start (%d steps)\n", p.indent(), name, total)
	}
	p.redraw()
}

// Step implements runner.Progress.
func (p *Progress) Step(done int, metrics map[string]float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.stack) == 0 {
		return // a Step outside any phase is ignored
	}
	ph := p.stack[len(p.stack)-1]
	ph.done = done
	ph.last = metrics
	for k, v := range metrics {
		ph.history[k] = append(ph.history[k], v)
	}
	if InNotebook() {
		if every(ph.total, progressUpdates, done) {
			p.redraw()
		}
		return
	}
	if every(ph.total, textLines, done) {
		fmt.Fprintf(out(), "%s%s: %d/%d %s\n", p.indent(), ph.name, done, ph.total, formatMetrics(metrics))
	}
}

// Label names what the current phase works on now (e.g. the sweep point);
// the harness calls it when present.
func (p *Progress) Label(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.stack); n > 0 {
		p.stack[n-1].label = label
	}
	p.redraw()
}

// Note records a one-line message (the harness says which points were
// cached, done or failed): printed in a terminal, listed in the notebook.
func (p *Progress) Note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notes = append(p.notes, msg)
	if !InNotebook() {
		fmt.Fprintf(out(), "%s%s\n", p.indent(), msg)
		return
	}
	p.redraw()
}

// Finish implements runner.Progress.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.stack) == 0 {
		return
	}
	ph := p.stack[len(p.stack)-1]
	if !InNotebook() {
		fmt.Fprintf(out(), "%s%s: done %s\n", p.indent(), ph.name, formatMetrics(ph.last))
	}
	p.stack = p.stack[:len(p.stack)-1]
	if ph.leaf {
		p.finished = append(p.finished, ph)
	}
	if len(p.stack) > 0 {
		p.redraw()
		return
	}
	p.live = false
	if InNotebook() {
		updateRich(p.id, "") // the transient block goes; the summary stays
		p.id = "actrepro-progress-" + gonbui.UniqueId()
		showRich(p.summaryHTML(), p.summaryText(), "")
	}
}

// every reports whether step done of total is one of about n evenly spaced
// report points (always the first and the last).
func every(total, n, done int) bool {
	if total <= n || done <= 1 || done >= total {
		return true
	}
	k := (total + n - 1) / n
	return done%k == 0
}

// indent is the text-mode indentation of the innermost phase's lines.
func (p *Progress) indent() string { return strings.Repeat("  ", max(0, len(p.stack)-1)) }

// redraw replaces the live block (notebook only).
func (p *Progress) redraw() {
	if !InNotebook() || !p.live {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="actrepro-progress"><div style="font-weight:bold">%s</div>`, html.EscapeString(p.title))
	for _, ph := range p.stack {
		pct := 0.0
		if ph.total > 0 {
			pct = 100 * float64(ph.done) / float64(ph.total)
		}
		label := ph.name
		if ph.label != "" {
			label += " [" + ph.label + "]"
		}
		fmt.Fprintf(&b, `<div style="font-family:monospace">%s <progress value="%d" max="%d" style="width:16em"></progress> %d/%d (%.0f%%) %s</div>`,
			html.EscapeString(label), ph.done, max(ph.total, 1), ph.done, ph.total, pct, html.EscapeString(formatMetrics(ph.last)))
	}
	for _, n := range lastN(p.notes, 5) {
		fmt.Fprintf(&b, `<div style="font-family:monospace;font-size:0.85em;color:#555">%s</div>`, html.EscapeString(n))
	}
	if n := len(p.stack); n > 0 {
		if svg := curveSVG("live: "+p.stack[n-1].name, []*phase{p.stack[n-1]}); svg != "" {
			b.WriteString(svg)
		}
	}
	b.WriteString("</div>")
	updateRich(p.id, b.String())
}

// summaryHTML is the static summary shown when the run ends.
func (p *Progress) summaryHTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="actrepro-summary"><div style="font-weight:bold">%s: done</div>`, html.EscapeString(p.title))
	for _, n := range p.notes {
		fmt.Fprintf(&b, `<div style="font-family:monospace;font-size:0.85em">%s</div>`, html.EscapeString(n))
	}
	if len(p.finished) > 0 {
		b.WriteString(`<table style="border-collapse:collapse"><tr><th style="text-align:left;padding:2px 8px">phase</th><th style="text-align:left;padding:2px 8px">steps</th><th style="text-align:left;padding:2px 8px">final metrics</th></tr>`)
		for _, ph := range p.finished {
			fmt.Fprintf(&b, `<tr><td style="padding:2px 8px">%s</td><td style="padding:2px 8px">%d/%d</td><td style="padding:2px 8px;font-family:monospace">%s</td></tr>`,
				html.EscapeString(ph.title()), ph.done, ph.total, html.EscapeString(formatMetrics(ph.last)))
		}
		b.WriteString("</table>")
		b.WriteString(curveSVG(p.title+": metrics per step", p.finished))
	}
	b.WriteString("</div>")
	return b.String()
}

func (p *Progress) summaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: done\n", p.title)
	for _, n := range p.notes {
		fmt.Fprintf(&b, "  %s\n", n)
	}
	for _, ph := range p.finished {
		fmt.Fprintf(&b, "  %s: %d/%d %s\n", ph.title(), ph.done, ph.total, formatMetrics(ph.last))
	}
	return b.String()
}

// curveSVG draws the metric histories of phases (one series per phase and
// metric) as an inline SVG, or "" when there is nothing to draw yet.
func curveSVG(title string, phases []*phase) string {
	f := curveFigure(title, phases)
	if f == nil {
		return ""
	}
	svg, err := f.SVG()
	if err != nil {
		return ""
	}
	return "<div>" + inlineSVG(svg) + "</div>"
}

// curveFigure is the figure of curveSVG, or nil.
func curveFigure(title string, phases []*phase) *plots.Figure {
	var series []plots.Series
	for pi, ph := range phases {
		for _, k := range sortedKeys(ph.history) {
			ys := ph.history[k]
			ok := len(ys) > 0
			for _, y := range ys {
				ok = ok && !math.IsNaN(y) && !math.IsInf(y, 0)
			}
			if !ok {
				continue
			}
			name := k
			if len(phases) > 1 {
				name = ph.title() + ": " + k
			}
			series = append(series, plots.Series{Name: name, Y: ys, Color: pi + 1})
		}
	}
	if len(series) == 0 {
		return nil
	}
	if len(series) > maxLiveSeries {
		title = fmt.Sprintf("%s (last %d of %d series)", title, maxLiveSeries, len(series))
		series = series[len(series)-maxLiveSeries:]
	}
	f, err := plots.Curves(title, "step", "value", series)
	if err != nil {
		return nil
	}
	return f
}

// title names a phase: its name, after the item its parent worked on when
// it started (e.g. "hidden=16 signal=1 train").
func (ph *phase) title() string {
	if ph.context != "" {
		return ph.context + " " + ph.name
	}
	return ph.name
}

func formatMetrics(m map[string]float64) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s=%.4g", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func lastN(xs []string, n int) []string {
	if len(xs) > n {
		return xs[len(xs)-n:]
	}
	return xs
}
