package data

import (
	"fmt"
	"sort"
	"sync"
)

// Scales of synthetic twins.
const (
	ScaleSmoke = "smoke" // seconds to write and to train on; for tests and CI
	ScaleFull  = "full"  // the real dataset's size (clips per split, classes)
)

// SynthOptions are passed to every synthetic dataset writer.
type SynthOptions struct {
	Seed  int64
	Scale string // ScaleSmoke or ScaleFull
	// DataRoot, when non-empty, lets a writer take statistics (not content)
	// from the real files, e.g. Animal Kingdom's label frequencies.
	DataRoot string
	// Difficulty in [0,1] of the planted signal, for writers with features.
	Difficulty float64
}

// Validate checks the options a writer receives.
func (o SynthOptions) Validate() error {
	if o.Scale != ScaleSmoke && o.Scale != ScaleFull {
		return fmt.Errorf("scale %q: want %q or %q", o.Scale, ScaleSmoke, ScaleFull)
	}
	if o.Difficulty < 0 || o.Difficulty > 1 {
		return fmt.Errorf("difficulty %v outside [0,1]", o.Difficulty)
	}
	return nil
}

// SynthFunc writes a synthetic twin into dir in the real dataset's file
// format, so that the dataset's reader reads it. Same options, same bytes.
// It returns a one-line description of what it wrote.
type SynthFunc func(dir string, o SynthOptions) (string, error)

var (
	synthMu  sync.RWMutex
	synthGen = map[string]SynthFunc{}
)

// RegisterSynth makes a writer available to `actrepro synth NAME`. It
// panics on a duplicate name (a programming error caught at init).
func RegisterSynth(name string, gen SynthFunc) {
	synthMu.Lock()
	defer synthMu.Unlock()
	if _, dup := synthGen[name]; dup {
		panic(fmt.Sprintf("data: synthetic dataset %q registered twice", name))
	}
	synthGen[name] = gen
}

// LookupSynth returns the writer registered under name.
func LookupSynth(name string) (SynthFunc, error) {
	synthMu.RLock()
	defer synthMu.RUnlock()
	g, ok := synthGen[name]
	if !ok {
		return nil, fmt.Errorf("no synthetic dataset %q (known: %v)", name, synthNamesLocked())
	}
	return g, nil
}

// SynthNames lists the registered synthetic datasets in order.
func SynthNames() []string {
	synthMu.RLock()
	defer synthMu.RUnlock()
	return synthNamesLocked()
}

func synthNamesLocked() []string {
	n := make([]string, 0, len(synthGen))
	for k := range synthGen {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
