// Package tasks registers every paper task with the runner: import it (for
// its side effects) wherever specs are run. Add a new task package's blank
// import here.
package tasks

import (
	"github.com/actrepro/actrepro/gomlx_models/purego"
	"github.com/actrepro/actrepro/internal/harness"

	_ "github.com/actrepro/actrepro/internal/tasks/animalclip"       // "animalclip": Animal-CLIP on the real text track, leakage measured
	_ "github.com/actrepro/actrepro/internal/tasks/animalcliptwin"   // "animalclip-twin": Animal-CLIP on a feature twin, module ablations
	_ "github.com/actrepro/actrepro/internal/tasks/animalmotionclip" // "animalmotionclip", "animalmotionclip-table": AnimalMotionCLIP Tables 1-3
	_ "github.com/actrepro/actrepro/internal/tasks/artemis"          // "artemis": ARTEMIS Tables 1-3
	_ "github.com/actrepro/actrepro/internal/tasks/artemisens"       // "artemis-ensemble": ARTEMIS Table 4's strategies over cached member logits
	_ "github.com/actrepro/actrepro/internal/tasks/artemistables"    // ARTEMIS Tables 5-7: comparison, size, BaboonLand
	_ "github.com/actrepro/actrepro/internal/tasks/baselines"        // "ak-text-baseline"
	_ "github.com/actrepro/actrepro/internal/tasks/demo"             // "demo": the teaching task
	_ "github.com/actrepro/actrepro/internal/tasks/ensmember"        // "artemis-ens-member": Table 4's members, logits cached
	_ "github.com/actrepro/actrepro/internal/tasks/gaf"              // "gaf-ucf101": GAF Table II on UCF101 features
	_ "github.com/actrepro/actrepro/internal/tasks/gafdet"           // "gaf-thumos", "gaf-anet": AFSD and GAF detection on THUMOS14 and ActivityNet v1.3
	_ "github.com/actrepro/actrepro/internal/tasks/gaftables"        // "gaf-tables": GAF Tables I, III, IV, V, VII and figures from gaf-thumos records
	_ "github.com/actrepro/actrepro/internal/tasks/ucf50"            // "ucf50": ConvLSTM vs LRCN
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
