// Package tasks registers every paper task with the runner: import it (for
// its side effects) wherever specs are run. Add a new task package's blank
// import here.
package tasks

import (
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/harness"

	_ "github.com/actrepro/actrepro/internal/tasks/artemis"   // "artemis": ARTEMIS Tables 1-3 (engineer A)
	_ "github.com/actrepro/actrepro/internal/tasks/baselines" // "ak-text-baseline" (engineer D)
	_ "github.com/actrepro/actrepro/internal/tasks/demo"      // "demo": the teaching task
	_ "github.com/actrepro/actrepro/internal/tasks/gaf"       // "gaf-ucf101": GAF Table II on UCF101 features
	_ "github.com/actrepro/actrepro/internal/tasks/gafdet"    // "gaf-thumos": GAF Tables I, III-V, VII on THUMOS14
	_ "github.com/actrepro/actrepro/internal/tasks/gaftables" // "gaf-tables": the GAF THUMOS14 tables and figures from the gaf-thumos records
	_ "github.com/actrepro/actrepro/internal/tasks/ucf50"     // "ucf50": ConvLSTM vs LRCN (engineer U)
)

func init() {
	harness.BackendCheck = func(backend string) error {
		b, err := purego.New(backend)
		if err != nil {
			return err
		}
		b.Finalize()
		return nil
	}
}
