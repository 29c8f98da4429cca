// Package pointlock keeps two processes from running the same sweep point
// at once, also across the nodes of a cluster that share the results
// directory: a lock is a file created with O_CREATE|O_EXCL next to the
// point's record (.<hash>.lock), holding its owner's host, pid and start
// time. O_EXCL creation is atomic on local filesystems and on NFS v3+
// (and Lustre, GPFS, BeeGFS), unlike flock, which several NFS setups do
// not share between nodes.
//
// A lock whose owner died without removing it (kill -9, a node crash) is
// stale and is taken over: when its host is this host and its pid is not
// a live process, or when it is older than the stale age bound (Options.
// MaxAge, default DefaultMaxAge) whatever its host, since a pid on another
// node cannot be checked from here. Set the bound above the longest a
// single point can run (a point of a full-scale table runs hours, not
// days). A reused pid on the same host keeps a dead owner's lock until the
// age bound.
package pointlock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DefaultMaxAge is the age after which any lock is stale.
const DefaultMaxAge = 72 * time.Hour

// unwrittenGrace is how long a lock file that is empty or unreadable (its
// writer died between creating and writing it) is left alone.
const unwrittenGrace = time.Minute

// Owner is who holds a lock; it is the lock file's JSON content.
type Owner struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Start time.Time `json:"start"`
	// Job names the batch job, e.g. "slurm 123_4", when there is one.
	Job string `json:"job,omitempty"`
}

func (o Owner) String() string {
	s := fmt.Sprintf("%s pid %d since %s", o.Host, o.PID, o.Start.UTC().Format(time.RFC3339))
	if o.Job != "" {
		s += " (" + o.Job + ")"
	}
	return s
}

// HeldError is returned by Acquire when a live owner holds the lock.
type HeldError struct {
	Path  string
	Owner Owner
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is held by %s", e.Path, e.Owner)
}

// Options configure Acquire; the zero value is the defaults.
type Options struct {
	MaxAge time.Duration    // default DefaultMaxAge
	Now    func() time.Time // default time.Now
	Host   string           // default os.Hostname()
	PID    int              // default os.Getpid()
	Job    string           // recorded in Owner.Job
	// Alive reports whether pid is a live process on this host; default
	// a signal-0 probe.
	Alive func(pid int) bool
}

func (o *Options) fill() {
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Host == "" {
		o.Host, _ = os.Hostname()
	}
	if o.PID == 0 {
		o.PID = os.Getpid()
	}
	if o.Alive == nil {
		o.Alive = alive
	}
}

// Path is the lock file of the point with hash in dir.
func Path(dir, hash string) string { return filepath.Join(dir, "."+hash+".lock") }

// Acquire takes the lock of the point with hash in dir (creating dir). It
// returns a release function, or a *HeldError when a live owner holds it.
// A stale lock (see the package doc) is taken over.
func Acquire(dir, hash string, o Options) (release func(), err error) {
	o.fill()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := Path(dir, hash)
	me := Owner{Host: o.Host, PID: o.PID, Start: o.Now().UTC(), Job: o.Job}
	body, _ := json.Marshal(me)
	for attempt := 0; attempt < 5; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			_, werr := f.Write(append(body, '\n'))
			if serr := f.Sync(); werr == nil {
				werr = serr
			}
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("writing lock %s: %w", path, werr)
			}
			return func() { releaseIfMine(path, me) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("creating lock %s: %w", path, err)
		}
		owner, stale, err := inspect(path, o)
		if errors.Is(err, os.ErrNotExist) {
			continue // released meanwhile: try again
		}
		if err != nil {
			return nil, err
		}
		if !stale {
			return nil, &HeldError{Path: path, Owner: owner}
		}
		// Take the stale lock over: move it aside under a name of our own
		// (rename is atomic, so of two takers only one moves it), then
		// create ours. A taker that loses the race sees ENOENT and retries.
		aside := fmt.Sprintf("%s.stale-%s-%d", path, o.Host, o.PID)
		if err := os.Rename(path, aside); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("taking over stale lock %s: %w", path, err)
		}
		os.Remove(aside)
	}
	return nil, fmt.Errorf("could not take lock %s: it kept changing owner", path)
}

// Stale reports whether the lock file at path is stale, with its owner.
func Stale(path string, o Options) (Owner, bool, error) {
	o.fill()
	return inspect(path, o)
}

func inspect(path string, o Options) (Owner, bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Owner{}, false, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Owner{}, false, err
	}
	var owner Owner
	if json.Unmarshal(b, &owner) != nil || owner.Host == "" || owner.PID <= 0 {
		// Created but never written: its writer died at once, or is
		// writing now. Stale once older than a minute.
		return Owner{Host: "?", PID: 0, Start: st.ModTime()}, o.Now().Sub(st.ModTime()) > unwrittenGrace, nil
	}
	if o.Now().Sub(owner.Start) > o.MaxAge {
		return owner, true, nil
	}
	if owner.Host == o.Host && !o.Alive(owner.PID) {
		return owner, true, nil
	}
	return owner, false, nil
}

// releaseIfMine removes the lock at path if it still names me (a stale
// takeover by another process must not be undone by my release).
func releaseIfMine(path string, me Owner) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var cur Owner
	if json.Unmarshal(b, &cur) == nil && cur.Host == me.Host && cur.PID == me.PID && cur.Start.Equal(me.Start) {
		os.Remove(path)
	}
}

// FromEnv names the Slurm job of this process ("slurm 123_4"), or "".
func FromEnv() string {
	if a, t := os.Getenv("SLURM_ARRAY_JOB_ID"), os.Getenv("SLURM_ARRAY_TASK_ID"); a != "" && t != "" {
		return "slurm " + a + "_" + t
	}
	if j := os.Getenv("SLURM_JOB_ID"); j != "" {
		return "slurm " + j
	}
	return ""
}

// Live counts the locks in dir that are not stale: points some live
// process (here or, within the age bound, on another host) is running.
func Live(dir string, o Options) int {
	o.fill()
	paths, _ := filepath.Glob(Path(dir, "*"))
	n := 0
	for _, p := range paths {
		if _, stale, err := inspect(p, o); err == nil && !stale {
			n++
		}
	}
	return n
}
