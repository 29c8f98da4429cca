package kernel

import (
	"fmt"
	"html"
	"math"
	"strings"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/actrepro/actrepro/internal/runner"
	"github.com/actrepro/actrepro/plots"
)

// Progress shows a run's progress: in a notebook an output block updated in
// place (a compact table of the active phases: phase, item, progress bar
// and the two or three headline metrics, the full metrics folded in a
// <details>, and a live curve of the headline metrics), replaced when the
// outermost phase finishes by a static summary (a table of the items with
// their headline metrics, the rest folded, and the curves), since executed
// notebooks keep only static outputs; in a terminal a few plain lines per
// phase. It implements runner.Progress; phases may nest (a sweep of points,
// each training for some epochs).
type Progress struct {
	mu       sync.Mutex
	title    string
	id       string // GoNB display id of the live block
	stack    []*phase
	root     *phase   // the outermost phase of the current or last run
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
	items   []item               // per finished item (e.g. sweep point), its final metrics
}

// item is the result of one item of a phase that has inner phases (a
// sweep point and the metrics of its record).
type item struct {
	label   string
	metrics map[string]float64
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
	ph := &phase{name: name, total: total, leaf: true, context: ctx, history: map[string][]float64{}}
	if len(p.stack) == 0 {
		p.root = ph
	}
	p.stack = append(p.stack, ph)
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
	if !ph.leaf && len(metrics) > 0 {
		ph.items = append(ph.items, item{label: ph.label, metrics: metrics})
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
		fmt.Fprintf(out(), "%s%s\n", p.indent(), compactNote(msg))
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
	updateRich(p.id, p.liveHTML())
}

const (
	cellStyle = `style="padding:2px 8px;text-align:left;vertical-align:top"`
	headStyle = `style="padding:2px 8px;text-align:left;border-bottom:1px solid #ccc"`
)

// liveHTML is the live block: one table row per active phase (phase, the
// item it works on, progress, headline metrics), the full metrics folded
// away, the last notes, and a curve of the innermost phase.
func (p *Progress) liveHTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="actrepro-progress"><div style="font-weight:bold">%s</div>`, html.EscapeString(p.title))
	fmt.Fprintf(&b, `<table style="border-collapse:collapse;font-size:0.9em"><tr><th %s>phase</th><th %s>item</th><th %s>progress</th><th %s>metrics</th></tr>`, headStyle, headStyle, headStyle, headStyle)
	for _, ph := range p.stack {
		pct := 0.0
		if ph.total > 0 {
			pct = 100 * float64(ph.done) / float64(ph.total)
		}
		fmt.Fprintf(&b, `<tr><td %s>%s</td><td %s>%s</td><td %s><progress value="%d" max="%d" style="width:10em"></progress> %d/%d (%.0f%%)</td><td %s>%s</td></tr>`,
			cellStyle, html.EscapeString(ph.name), cellStyle, html.EscapeString(shorten(ph.label, 60)),
			`style="padding:2px 8px;white-space:nowrap"`, ph.done, max(ph.total, 1), ph.done, ph.total, pct,
			cellStyle, headlineHTML(ph.last))
	}
	b.WriteString("</table>")
	for _, ph := range p.stack {
		b.WriteString(allMetricsHTML(ph.name, ph.last))
	}
	for _, n := range lastN(p.notes, 5) {
		fmt.Fprintf(&b, `<div style="font-family:monospace;font-size:0.85em;color:#555">%s</div>`, html.EscapeString(compactNote(n)))
	}
	if n := len(p.stack); n > 0 {
		if svg := liveCurveSVG("live: "+p.stack[n-1].title(), p.stack[n-1]); svg != "" {
			b.WriteString(svg)
		}
	}
	b.WriteString("</div>")
	return b.String()
}

// summaryHTML is the static summary shown when the run ends: a table of
// the items (sweep points) with their headline metrics and the rest
// folded, the training phases, the notes, and a curve per phase.
func (p *Progress) summaryHTML() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<div class="actrepro-summary"><div style="font-weight:bold">%s: done</div>`, html.EscapeString(p.title))
	if p.root != nil && len(p.root.items) > 0 {
		cols := headline(p.root.items[0].metrics, headlineN)
		fmt.Fprintf(&b, `<table style="border-collapse:collapse;font-size:0.9em"><tr><th %s>%s</th>`, headStyle, html.EscapeString(p.root.name))
		for _, c := range cols {
			fmt.Fprintf(&b, `<th %s>%s</th>`, headStyle, html.EscapeString(c))
		}
		fmt.Fprintf(&b, `<th %s>all metrics</th></tr>`, headStyle)
		for _, it := range p.root.items {
			fmt.Fprintf(&b, `<tr><td %s>%s</td>`, cellStyle, html.EscapeString(it.label))
			for _, c := range cols {
				v, ok := it.metrics[c]
				s := ""
				if ok {
					s = formatValue(v)
				}
				fmt.Fprintf(&b, `<td style="padding:2px 8px;text-align:right;font-family:monospace">%s</td>`, s)
			}
			fmt.Fprintf(&b, `<td %s>%s</td></tr>`, cellStyle, allMetricsHTML(it.label, it.metrics))
		}
		b.WriteString("</table>")
	}
	if len(p.finished) > 0 {
		open := ""
		if p.root == nil || len(p.root.items) == 0 {
			open = " open"
		}
		fmt.Fprintf(&b, `<details%s><summary style="cursor:pointer">training phases (%d)</summary><table style="border-collapse:collapse;font-size:0.9em"><tr><th %s>phase</th><th %s>steps</th><th %s>final metrics</th></tr>`,
			open, len(p.finished), headStyle, headStyle, headStyle)
		for _, ph := range p.finished {
			fmt.Fprintf(&b, `<tr><td %s>%s</td><td %s>%d/%d</td><td %s>%s%s</td></tr>`,
				cellStyle, html.EscapeString(ph.title()), cellStyle, ph.done, ph.total, cellStyle, headlineHTML(ph.last), allMetricsHTML(ph.title(), ph.last))
		}
		b.WriteString("</table></details>")
	}
	if len(p.notes) > 0 {
		fmt.Fprintf(&b, `<details><summary style="cursor:pointer">log (%d lines)</summary>`, len(p.notes))
		for _, n := range p.notes {
			fmt.Fprintf(&b, `<div style="font-family:monospace;font-size:0.85em">%s</div>`, html.EscapeString(compactNote(n)))
		}
		b.WriteString("</details>")
	}
	if len(p.finished) > 0 {
		b.WriteString(curveSVG(p.title+": metrics per step", p.finished))
	}
	b.WriteString("</div>")
	return b.String()
}

func (p *Progress) summaryText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: done\n", p.title)
	if p.root != nil {
		for _, it := range p.root.items {
			fmt.Fprintf(&b, "  %s: %s\n", it.label, formatMetrics(it.metrics))
		}
	}
	for _, n := range p.notes {
		fmt.Fprintf(&b, "  %s\n", compactNote(n))
	}
	for _, ph := range p.finished {
		fmt.Fprintf(&b, "  %s: %d/%d %s\n", ph.title(), ph.done, ph.total, formatMetrics(ph.last))
	}
	return b.String()
}

// liveCurveSVG draws the headline metrics of one phase, or "".
func liveCurveSVG(title string, ph *phase) string {
	var last map[string]float64
	if len(ph.history) > 0 {
		last = map[string]float64{}
		for k := range ph.history {
			last[k] = 0
		}
	}
	keys := headline(last, curveMetricsN)
	var series []plots.Series
	for _, k := range keys {
		if ys := ph.history[k]; allFinite(ys) {
			series = append(series, plots.Series{Name: k, Y: ys})
		}
	}
	return seriesSVG(shorten(title, 60), series)
}

// curveSVG draws, for each phase, the history of its first headline
// metric (one series per phase, the last maxLiveSeries phases) as an
// inline SVG, or "" when there is nothing to draw.
func curveSVG(title string, phases []*phase) string {
	f := curveFigure(title, phases)
	if f == nil {
		return ""
	}
	return figureSVG(f)
}

// curveFigure is the figure of curveSVG, or nil.
func curveFigure(title string, phases []*phase) *plots.Figure {
	var series []plots.Series
	metric := ""
	for _, ph := range phases {
		if metric == "" {
			if keys := headline(ph.last, 1); len(keys) > 0 {
				metric = keys[0]
			}
		}
		if ys := ph.history[metric]; metric != "" && allFinite(ys) {
			name := metric
			if len(phases) > 1 {
				name = shorten(ph.title(), 32)
			}
			series = append(series, plots.Series{Name: name, Y: ys, Color: len(series)%len(plots.Palette) + 1})
		}
	}
	if len(series) == 0 {
		return nil
	}
	if len(series) > maxLiveSeries {
		title = fmt.Sprintf("%s (last %d of %d)", title, maxLiveSeries, len(series))
		series = series[len(series)-maxLiveSeries:]
	}
	if len(phases) > 1 {
		title += ": " + metric
	}
	f, err := plots.Curves(title, "step", metric, series)
	if err != nil {
		return nil
	}
	return f
}

// seriesSVG draws series as an inline SVG curve figure, or "".
func seriesSVG(title string, series []plots.Series) string {
	if len(series) == 0 {
		return ""
	}
	f, err := plots.Curves(title, "step", "value", series)
	if err != nil {
		return ""
	}
	return figureSVG(f)
}

func figureSVG(f *plots.Figure) string {
	svg, err := f.SVG()
	if err != nil {
		return ""
	}
	return "<div>" + inlineSVG(svg) + "</div>"
}

func allFinite(ys []float64) bool {
	for _, y := range ys {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return false
		}
	}
	return len(ys) > 0
}

// title names a phase: its name, after the item its parent worked on when
// it started (e.g. "hidden=16 signal=1 train").
func (ph *phase) title() string {
	if ph.context != "" {
		return ph.context + " " + ph.name
	}
	return ph.name
}

func lastN(xs []string, n int) []string {
	if len(xs) > n {
		return xs[len(xs)-n:]
	}
	return xs
}
