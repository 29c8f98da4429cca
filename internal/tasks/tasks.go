// Blank imports of every task package; add yours here.

package tasks

import (
	_ "github.com/actrepro/actrepro/internal/tasks/artemis"   // "artemis": ARTEMIS Tables 1-3 (engineer A)
	_ "github.com/actrepro/actrepro/internal/tasks/baselines" // "ak-text-baseline" (engineer D)
	_ "github.com/actrepro/actrepro/internal/tasks/demo"      // "demo": the teaching task
	_ "github.com/actrepro/actrepro/internal/tasks/ucf50"     // "ucf50": ConvLSTM vs LRCN (engineer U)
)
