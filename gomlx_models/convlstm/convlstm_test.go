package convlstm

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
)

// paperFigure1 is the ConvLSTM layer table of the paper's Figure 1
// (../shared/papers/convlstm-lrcn-ucf50.txt), transcribed by hand: Keras's
// model.summary() of the authors' model.
var paperFigure1 = []string{
	"conv_lstm2d (ConvLSTM2D)\t(None, 20, 62, 62, 4)\t1,024",
	"max_pooling3d (MaxPooling3D)\t(None, 20, 31, 31, 4)\t0",
	"time_distributed (TimeDistributed)\t(None, 20, 31, 31, 4)\t0",
	"conv_lstm2d_1 (ConvLSTM2D)\t(None, 20, 29, 29, 8)\t3,488",
	"max_pooling3d_1 (MaxPooling3D)\t(None, 20, 15, 15, 8)\t0",
	"time_distributed_1 (TimeDistributed)\t(None, 20, 15, 15, 8)\t0",
	"conv_lstm2d_2 (ConvLSTM2D)\t(None, 20, 13, 13, 14)\t11,144",
	"max_pooling3d_2 (MaxPooling3D)\t(None, 20, 7, 7, 14)\t0",
	"time_distributed_2 (TimeDistributed)\t(None, 20, 7, 7, 14)\t0",
	"conv_lstm2d_3 (ConvLSTM2D)\t(None, 20, 5, 5, 16)\t17,344",
	"max_pooling3d_3 (MaxPooling3D)\t(None, 20, 3, 3, 16)\t0",
	"flatten (Flatten)\t(None, 2880)\t0",
	"dense (Dense)\t(None, 4)\t11,524",
}

// paperTotal is the ConvLSTM parameter count of the paper's Table 1
// (../shared/papers/reported/ucf50_table1.csv).
const paperTotal = 44524

func TestSummaryMatchesPaperFigure1(t *testing.T) {
	rows, total, err := Summarize(fixturetest.Backend(t), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	fixturetest.SummaryMatches(t, rows, total, paperFigure1, paperTotal)
}

func TestValidateNamesField(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"classes", func(c *Config) { c.Classes = 1 }, "convlstm: Classes=1, need at least 2"},
		{"dropout", func(c *Config) { c.Dropout = 1 }, "convlstm: Dropout=1 must be in [0,1)"},
		{"activation", func(c *Config) { c.RecurrentActivation = "relu" }, `convlstm: RecurrentActivation="relu", want "hard_sigmoid" or "sigmoid"`},
		{"too small", func(c *Config) { c.Height = 8 }, "convlstm: input 8x64 too small for ConvLSTM2D layer 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mod(&c)
			err := c.Validate()
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
