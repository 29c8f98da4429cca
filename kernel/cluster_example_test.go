package kernel_test

import (
	"fmt"
	"time"

	"github.com/actrepro/actrepro/kernel"
)

// A notebook cell that sends a paper table to the cluster and follows it:
// Submit submits one job array over the points without a record (and a
// render job after it), Watch updates one output block with the state of
// every point until the sweep and its render job are over. Running the
// cell again submits only what is missing or failed.
func ExampleSubmit() {
	const spec = "experiments/artemis/table3_alignment.toml"
	sub, err := kernel.Submit(spec, kernel.Cluster{Partition: "gpu", Gres: "gpu:1", Time: "4:00:00", MaxParallel: 8},
		kernel.Scale("full"), kernel.Backend("xla:cuda"))
	if err != nil {
		fmt.Println(err)
		return
	}
	sub.Show()
	st, err := kernel.Watch(spec, 30*time.Second, kernel.Scale("full"))
	if err != nil {
		fmt.Println(err) // names the failed points; st.Show() has their logs' last lines
	}
	_ = st
	kernel.Must(kernel.Load(spec, kernel.Scale("full"))).Show() // the table, from the cluster's records
}
