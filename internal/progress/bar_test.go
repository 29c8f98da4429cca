package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/actrepro/actrepro/internal/runner"
)

var _ runner.Progress = (*Bar)(nil)

// sweep simulates the harness (2 points) and a task (25 epochs each).
func sweep(b *Bar) {
	b.Start("sweep", 2)
	for i := 0; i < 2; i++ {
		b.Label("p" + string(rune('0'+i)))
		b.Start("train", 25)
		for e := 1; e <= 25; e++ {
			b.Step(e, map[string]float64{"loss": 1 / float64(e)})
		}
		b.Finish()
		b.Step(i+1, nil)
	}
	b.Note("cached: p9")
	b.Finish()
}

func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	sweep(New(&buf, Options{})) // a bytes.Buffer is not a terminal
	out := buf.String()
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\r") {
		t.Errorf("control codes in plain output:\n%q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) > 30 {
		t.Errorf("%d lines for 2 points x 25 epochs; want a few per phase", len(lines))
	}
	for _, want := range []string{"sweep: 2 steps", "  train 25/25 loss=0.04", "sweep 2/2", "cached: p9"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestTerminal(t *testing.T) {
	var buf bytes.Buffer
	yes := true
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := New(&buf, Options{Terminal: &yes, Width: 4, Columns: 200, Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	sweep(b)
	out := buf.String()
	for _, want := range []string{"\r\x1b[2K", "sweep [██░░] 1/2 59s eta 59s (p1) | train [████] 25/25 loss=0.04", "sweep 2/2 done in"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%q", want, out)
		}
	}
}
