package lrcn

import (
	"testing"

	"github.com/actrepro/actrepro/gomlx_models/internal/fixturetest"
)

// paperFigure2 is the LRCN layer table of the paper's Figure 2
// (../shared/papers/convlstm-lrcn-ucf50.txt), transcribed by hand: Keras's
// model.summary() of the authors' model.
var paperFigure2 = []string{
	"time_distributed_3 (TimeDistributed)\t(None, 20, 64, 64, 16)\t448",
	"time_distributed_4 (TimeDistributed)\t(None, 20, 16, 16, 16)\t0",
	"time_distributed_5 (TimeDistributed)\t(None, 20, 16, 16, 16)\t0",
	"time_distributed_6 (TimeDistributed)\t(None, 20, 16, 16, 32)\t4,640",
	"time_distributed_7 (TimeDistributed)\t(None, 20, 4, 4, 32)\t0",
	"time_distributed_8 (TimeDistributed)\t(None, 20, 4, 4, 32)\t0",
	"time_distributed_9 (TimeDistributed)\t(None, 20, 4, 4, 64)\t18,496",
	"time_distributed_10 (TimeDistributed)\t(None, 20, 2, 2, 64)\t0",
	"time_distributed_11 (TimeDistributed)\t(None, 20, 2, 2, 64)\t0",
	"time_distributed_12 (TimeDistributed)\t(None, 20, 2, 2, 64)\t36,928",
	"time_distributed_13 (TimeDistributed)\t(None, 20, 1, 1, 64)\t0",
	"time_distributed_14 (TimeDistributed)\t(None, 20, 64)\t0",
	"lstm (LSTM)\t(None, 32)\t12,416",
	"dense_1 (Dense)\t(None, 4)\t132",
}

// paperTotal is the LRCN parameter count of the paper's Table 1
// (../shared/papers/reported/ucf50_table1.csv).
const paperTotal = 73060

func TestSummaryMatchesPaperFigure2(t *testing.T) {
	rows, total, err := Summarize(fixturetest.Backend(t), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	fixturetest.SummaryMatches(t, rows, total, paperFigure2, paperTotal)
}

func TestValidateNamesField(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"pools", func(c *Config) { c.Pools = c.Pools[:2] }, "lrcn: Pools has 2 entries, Filters 4"},
		{"units", func(c *Config) { c.LSTMUnits = 0 }, "lrcn: LSTMUnits=0 must be positive"},
		{"too small", func(c *Config) { c.Height = 16 }, "lrcn: input 16x64 too small for pooling 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mod(&c)
			if err := c.Validate(); err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
