package pointlock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func opts(host string, pid int, now time.Time, alive ...int) Options {
	live := map[int]bool{}
	for _, p := range alive {
		live[p] = true
	}
	return Options{Host: host, PID: pid, Now: func() time.Time { return now }, MaxAge: time.Hour,
		Alive: func(p int) bool { return live[p] }}
}

func TestAcquire(t *testing.T) {
	cases := []struct {
		name      string
		holder    Options // takes the lock first
		taker     Options
		wantTaken bool // the taker gets the lock (the holder's is stale)
	}{
		{"same host, holder alive", opts("a", 10, t0), opts("a", 11, t0.Add(time.Minute), 10), false},
		{"same host, holder dead", opts("a", 10, t0), opts("a", 11, t0.Add(time.Minute), 11), true},
		{"other host, young", opts("b", 10, t0), opts("a", 11, t0.Add(59*time.Minute)), false},
		{"other host, older than the bound", opts("b", 10, t0), opts("a", 11, t0.Add(61*time.Minute)), true},
		{"same host alive but older than the bound", opts("a", 10, t0), opts("a", 11, t0.Add(2*time.Hour), 10), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Acquire(dir, "h", c.holder); err != nil {
				t.Fatal(err)
			}
			rel, err := Acquire(dir, "h", c.taker)
			var held *HeldError
			switch {
			case c.wantTaken && err != nil:
				t.Fatalf("stale lock not taken over: %v", err)
			case !c.wantTaken && !errors.As(err, &held):
				t.Fatalf("got %v, want a HeldError", err)
			case !c.wantTaken && held.Owner.PID != c.holder.PID:
				t.Fatalf("held by %+v, want pid %d", held.Owner, c.holder.PID)
			}
			if c.wantTaken {
				o, _, err := Stale(Path(dir, "h"), c.taker)
				if err != nil || o.PID != c.taker.PID {
					t.Fatalf("lock owner %+v (%v), want pid %d", o, err, c.taker.PID)
				}
				rel()
				if _, err := os.Stat(Path(dir, "h")); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("release left the lock: %v", err)
				}
				left, _ := filepath.Glob(filepath.Join(dir, ".*"))
				if len(left) != 0 {
					t.Fatalf("files left: %v", left)
				}
			}
		})
	}
}

func TestReleaseKeepsAnotherOwnersLock(t *testing.T) {
	dir := t.TempDir()
	rel1, err := Acquire(dir, "h", opts("a", 10, t0))
	if err != nil {
		t.Fatal(err)
	}
	// pid 10 is presumed dead: pid 11 takes the lock over ...
	rel2, err := Acquire(dir, "h", opts("a", 11, t0.Add(time.Second), 11))
	if err != nil {
		t.Fatal(err)
	}
	rel1() // ... and the old owner's release must not remove it.
	if _, err := Acquire(dir, "h", opts("a", 12, t0.Add(2*time.Second), 11)); err == nil {
		t.Fatal("pid 11's lock was released by pid 10")
	}
	rel2()
	if _, err := Acquire(dir, "h", opts("a", 12, t0.Add(3*time.Second))); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestUnwrittenLock(t *testing.T) {
	dir := t.TempDir()
	p := Path(dir, "h")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mod := t0
	os.Chtimes(p, mod, mod)
	if _, err := Acquire(dir, "h", opts("a", 1, mod.Add(30*time.Second))); err == nil {
		t.Fatal("an empty lock younger than a minute was taken over")
	}
	if _, err := Acquire(dir, "h", opts("a", 1, mod.Add(2*time.Minute))); err != nil {
		t.Fatalf("an empty lock older than a minute: %v", err)
	}
}

func TestAliveProbe(t *testing.T) {
	if !alive(os.Getpid()) {
		t.Fatal("this process reads as dead")
	}
}

func TestLive(t *testing.T) {
	dir := t.TempDir()
	Acquire(dir, "a", opts("a", 10, t0)) // live: pid 10 alive below
	Acquire(dir, "b", opts("a", 11, t0)) // stale: pid 11 dead
	Acquire(dir, "c", opts("z", 12, t0)) // other host, young: live
	if n := Live(dir, opts("a", 1, t0.Add(time.Minute), 10)); n != 2 {
		t.Errorf("Live = %d, want 2", n)
	}
	if n := Live(dir, opts("a", 1, t0.Add(2*time.Hour), 10)); n != 0 {
		t.Errorf("Live after the age bound = %d, want 0", n)
	}
}
