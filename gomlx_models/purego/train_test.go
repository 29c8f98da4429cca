package purego_test

import (
	"context"
	"testing"
	"time"
)

// hangGuard is how long TestTrainingNeverHangs waits before declaring a deadlock. It is not a
// speed assertion: 30 steps take a few seconds; a deadlocked executor never finishes.
const hangGuard = 4 * time.Minute

// TestTrainingNeverHangs runs 30 Adam steps of a mid-sized transformer head (large enough for
// simplego's parallel DotGeneral path) on purego under a timeout that fails instead of hanging.
func TestTrainingNeverHangs(t *testing.T) {
	cfg := headConfig{Batch: 4, Video: 8, Classes: 24, Width: 128, Heads: 4, FF: 256}
	h, err := newHeadTrainer(pureBackend(), cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	type result struct {
		first, last float32
		err         error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		for i := range 30 {
			loss, err := h.Step()
			if err != nil {
				r.err = err
				break
			}
			if i == 0 {
				r.first = loss
			}
			r.last = loss
		}
		done <- r
	}()
	select {
	case <-ctx.Done():
		t.Fatalf("30 training steps of %s did not finish within %s: the executor deadlocked", cfg, hangGuard)
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		t.Logf("%s: loss %.4f -> %.4f after 30 steps", cfg, r.first, r.last)
		if !(r.last < r.first) {
			t.Errorf("loss did not fall: %.4f -> %.4f", r.first, r.last)
		}
	}
}
