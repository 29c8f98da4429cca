package fixturetest

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/summary"
)

// SummaryMatches logs a model's Keras-style summary (rows, total) and reports every difference
// from the paper's transcribed table and parameter count (summary.Compare) with t.Error.
func SummaryMatches(t testing.TB, rows []summary.Layer, total int, paper []string, paperTotal int) {
	t.Helper()
	t.Log("Layer (type)\tOutput Shape\tParam #")
	for _, r := range rows {
		t.Log(r.String())
	}
	t.Logf("Total params: %s", summary.Commas(total))
	for _, d := range summary.Compare(rows, total, paper, paperTotal) {
		t.Error(d)
	}
}
