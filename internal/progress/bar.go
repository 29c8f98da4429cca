package progress

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Bar.
type Options struct {
	// Terminal forces the terminal (true) or plain-line (false) style; nil
	// detects it from the writer (a character device is a terminal).
	Terminal *bool
	// Width is the width of each bar in cells; default 12.
	Width int
	// Now is the clock for elapsed times; default time.Now. Plain-line
	// output shows no times, so logs of two runs compare equal.
	Now func() time.Time
	// Columns is the terminal width that lines are cut to; 0 asks the
	// terminal (then $COLUMNS, then 100).
	Columns int
}

type phase struct {
	name        string
	total, done int
	metrics     map[string]float64
	label       string
	lastPrinted int
	start       time.Time
}

// Bar is a runner.Progress that draws to a writer. It is safe for
// concurrent use.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	width    int
	now      func() time.Time
	stack    []*phase
	drawn    bool
	cols     int // terminal width; 0 = unknown
}

// New returns a Bar writing to w.
func New(w io.Writer, o Options) *Bar {
	b := &Bar{w: w, width: o.Width, now: o.Now}
	if b.width <= 0 {
		b.width = 12
	}
	if b.now == nil {
		b.now = time.Now
	}
	b.cols = o.Columns
	if o.Terminal != nil {
		b.terminal = *o.Terminal
	} else {
		b.terminal = IsTerminal(w)
	}
	return b
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Start opens a phase of total steps inside the current one.
func (b *Bar) Start(name string, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := &phase{name: name, total: total, start: b.now(), lastPrinted: -1}
	b.stack = append(b.stack, p)
	if b.terminal {
		b.redraw()
		return
	}
	if len(b.stack) == 1 {
		fmt.Fprintf(b.w, "%s: %d steps\n", name, total)
	}
}

// Step records progress of the innermost phase.
func (b *Bar) Step(done int, metrics map[string]float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.stack) == 0 {
		return
	}
	p := b.stack[len(b.stack)-1]
	p.done = done
	p.metrics = metrics
	if b.terminal {
		b.redraw()
		return
	}
	// Plain lines: every step of the outer phase; about ten per inner phase.
	every := 1
	if len(b.stack) > 1 && p.total > 10 {
		every = (p.total + 9) / 10
	}
	if done == p.total || done-p.lastPrinted >= every || p.lastPrinted < 0 {
		p.lastPrinted = done
		fmt.Fprintf(b.w, "%s%s %d/%d%s%s\n", strings.Repeat("  ", len(b.stack)-1), p.name, done, p.total, labelText(p.label), metricText(metrics))
	}
}

// Label names the current item of the innermost phase (e.g. the sweep
// point being run).
func (b *Bar) Label(label string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.stack) == 0 {
		return
	}
	b.stack[len(b.stack)-1].label = label
	if b.terminal {
		b.redraw()
	}
}

// Note prints a line (e.g. "cached: text=gru") above the bars.
func (b *Bar) Note(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.terminal && b.drawn {
		fmt.Fprint(b.w, "\r\x1b[2K")
		b.drawn = false
	}
	fmt.Fprintln(b.w, msg)
	if b.terminal {
		b.redraw()
	}
}

// Finish closes the innermost phase.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.stack) == 0 {
		return
	}
	p := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	if b.terminal {
		if len(b.stack) == 0 {
			if b.drawn {
				fmt.Fprint(b.w, "\r\x1b[2K")
			}
			fmt.Fprintf(b.w, "%s %d/%d done in %s%s\n", p.name, p.done, p.total, b.now().Sub(p.start).Round(time.Second), metricText(p.metrics))
			b.drawn = false
			return
		}
		b.redraw()
		return
	}
	if p.lastPrinted != p.done && len(b.stack) > 0 {
		fmt.Fprintf(b.w, "%s%s %d/%d%s\n", strings.Repeat("  ", len(b.stack)), p.name, p.done, p.total, metricText(p.metrics))
	}
}

func (b *Bar) redraw() {
	var parts []string
	for i, p := range b.stack {
		m := ""
		if i == len(b.stack)-1 { // metrics of the innermost phase only; notes carry the rest
			m = metricText(p.metrics)
		}
		t := ""
		if i == 0 { // elapsed and remaining time of the whole job, before anything gets cut
			el := b.now().Sub(p.start)
			t = " " + el.Round(time.Second).String()
			if p.done > 0 && p.total > p.done {
				eta := time.Duration(float64(el) / float64(p.done) * float64(p.total-p.done))
				t += " eta " + eta.Round(time.Second).String()
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s %d/%d%s%s%s", p.name, b.cells(p), p.done, p.total, t, labelText(p.label), m))
	}
	line := strings.Join(parts, " | ")
	// A line longer than the terminal wraps, and \r then redraws only its
	// last part: cut it to the width.
	if w := b.columns(); w > 0 {
		if r := []rune(line); len(r) >= w {
			line = string(r[:w-2]) + "…"
		}
	}
	fmt.Fprint(b.w, "\r\x1b[2K"+line)
	b.drawn = true
}

func (b *Bar) cells(p *phase) string {
	n := 0
	if p.total > 0 {
		n = p.done * b.width / p.total
	}
	n = max(0, min(n, b.width))
	return "[" + strings.Repeat("█", n) + strings.Repeat("░", b.width-n) + "]"
}

func labelText(l string) string {
	if l == "" {
		return ""
	}
	return " (" + l + ")"
}

func metricText(m map[string]float64) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, " %s=%.4g", k, m[k])
	}
	return sb.String()
}

func (b *Bar) columns() int {
	if b.cols > 0 {
		return b.cols
	}
	b.cols = 100
	if w := terminalWidth(b.w); w > 0 {
		b.cols = w
	} else if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 10 {
		b.cols = c
	}
	return b.cols
}
