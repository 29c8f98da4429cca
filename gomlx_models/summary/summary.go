// Package summary writes a model's layer table the way Keras's model.summary() prints it,
// counts trainable parameters, and compares the table with the one a paper prints. The UCF50
// models (gomlx_models/convlstm, gomlx_models/lrcn) report their layers as [Layer] rows so that
// their tests and notebook can check them against the paper's Figures 1 and 2.
package summary

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Layer is one row of a Keras model.summary() table.
type Layer struct {
	Name, Type string
	Shape      []int // output shape without the batch axis
	Params     int   // trainable parameters of the layer
}

// String formats the row as Keras (and the papers' tables) do, tab separated:
// "conv_lstm2d (ConvLSTM2D)	(None, 20, 62, 62, 4)	1,024".
func (l Layer) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\t(None", l.Name, l.Type)
	for _, d := range l.Shape {
		fmt.Fprintf(&b, ", %d", d)
	}
	fmt.Fprintf(&b, ")\t%s", Commas(l.Params))
	return b.String()
}

// Commas formats n with thousands separators, as Keras prints parameter counts.
func Commas(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// TrainableParams counts the trainable scalars of all variables in ctx.
func TrainableParams(ctx *context.Context) int {
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

// Compare lists the differences between rows (and their total) and a paper's table, given
// as the rows' String forms and its total parameter count; nil means they agree.
func Compare(rows []Layer, total int, paper []string, paperTotal int) []string {
	var diffs []string
	if len(rows) != len(paper) {
		diffs = append(diffs, fmt.Sprintf("%d layers, the paper's table has %d", len(rows), len(paper)))
	}
	for i := range min(len(rows), len(paper)) {
		if got := rows[i].String(); got != paper[i] {
			diffs = append(diffs, fmt.Sprintf("layer %d: got %q, paper %q", i, got, paper[i]))
		}
	}
	if total != paperTotal {
		diffs = append(diffs, fmt.Sprintf("total params %s, paper %s", Commas(total), Commas(paperTotal)))
	}
	return diffs
}
