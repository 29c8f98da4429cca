package runner

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// Point is one resolved run of an experiment: a single combination of a
// spec's sweep axes at one scale.
type Point struct {
	ExperimentID string         // [experiment] id
	Scale        string         // "smoke", "full", ...
	Label        string         // human-readable sweep point, e.g. "text=lstm R_Hv=1"
	Axes         map[string]any // the sweep-axis values of this point (dotted keys)
	Config       map[string]any // resolved sections: "data", "model", "train" (scale overrides and axes applied)
	Hash         string         // hash of Config (and the spec id), the cache key of its record
}

// Env is what the harness lends a task: where data lives, which backend to
// train on, and where to report progress.
type Env struct {
	Backend  string // backend configuration, e.g. "purego" or "xla:cuda"
	DataRoot string // root of real datasets ($ACTREPRO_DATA); may be empty
	Seed     int64
	Progress Progress
}

// Progress receives a task's progress; implementations draw a terminal bar
// or update a notebook cell. A nil Progress in Env is replaced by Discard.
type Progress interface {
	// Start announces a phase of total steps (e.g. "train", 30 epochs).
	Start(phase string, total int)
	// Step reports that done of total steps are finished, with current
	// metric values (e.g. "loss": 0.31).
	Step(done int, metrics map[string]float64)
	// Finish ends the current phase.
	Finish()
}

// Outcome is what a task measured for one point.
type Outcome struct {
	Metrics         map[string]float64   // final metrics, e.g. "map_macro", "top1"
	Curves          map[string][]float64 // per-epoch curves, e.g. "train_loss", "val_map"
	DataSource      string               // "synthetic" or "real"
	DataFingerprint string               // fingerprint of the files or generator read
	Params          int64                // trainable parameter count of the model
	Notes           []string             // anything a reader of the record must know
	Extra           map[string]any       // task-specific arrays (per-class AP, confusion matrix...)
}

// Task runs one point.
type Task interface {
	// Validate checks a point's resolved config without running it (strict:
	// unknown keys and bad values are errors that name the key).
	Validate(p Point) error
	// Run trains and evaluates the point.
	Run(ctx context.Context, p Point, env Env) (Outcome, error)
}

var (
	mu    sync.RWMutex
	tasks = map[string]Task{}
)

// Register makes a task available under name. It panics on a duplicate
// name, a programming error caught at init time.
func Register(name string, t Task) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := tasks[name]; dup {
		panic(fmt.Sprintf("runner: task %q registered twice", name))
	}
	tasks[name] = t
}

// Lookup returns the task registered under name.
func Lookup(name string) (Task, error) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := tasks[name]
	if !ok {
		return nil, fmt.Errorf("no task named %q (known: %v)", name, namesLocked())
	}
	return t, nil
}

// Names lists the registered tasks in order.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	names := make([]string, 0, len(tasks))
	for n := range tasks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Discard is a Progress that reports nothing.
var Discard Progress = discard{}

type discard struct{}

func (discard) Start(string, int)            {}
func (discard) Step(int, map[string]float64) {}
func (discard) Finish()                      {}
