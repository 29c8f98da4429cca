package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/actrepro/actrepro/internal/executor"
	"github.com/actrepro/actrepro/internal/progress"
)

func init() {
	commands["status"] = command{summary: "show each point of a sweep: done, running, pending, failed (records, squeue, sacct)", run: runStatus}
}

const statusUsage = `
Usage: actrepro status SPEC [--scale S] [--out DIR] [--wait] [--every SECONDS] [run flags that change points: --seed, --seeds]

Lists each point of the spec's sweep at the scale as done (its record
exists), running or pending (a task of it is in Slurm's queue: squeue,
and sacct where accounting is on), failed (submitted, no task left in the
queue, no record: the last lines of its latest task log follow) or missing
(never submitted). Works for local runs too (done or missing).
--wait follows the sweep with a progress bar until no point is running or
pending and the render job of the latest submission has ended (so its
table.md is there).
Exit code: 0 no point failed, 1 some point failed, 2 bad spec or flags.`

func runStatus(args []string, stdout, stderr io.Writer) int {
	f := newFlags("status", statusUsage, stdout, stderr)
	rf := addRunFlags(f)
	wait := f.Bool("wait", false, "follow the sweep until no point is running or pending")
	every := f.Float64("every", 10, "with --wait: seconds between polls")
	pos, code := parseArgs(f, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "actrepro status: want exactly one SPEC (see actrepro status --help)")
		return 2
	}
	if !rf.check(stderr, "status") {
		return 2
	}
	if *every <= 0 {
		fmt.Fprintf(stderr, "actrepro status: --every %g: want a positive number of seconds\n", *every)
		return 2
	}
	ctx, cancel := signalContext()
	defer cancel()
	id, dir, st, render, err := sweepStatusRender(ctx, pos[0], rf)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *wait {
		var bar *progress.Bar
		if !*rf.quiet {
			bar = progress.New(stderr, progress.Options{})
			bar.Start(id+" "+*rf.scale+" (slurm)", len(st))
		}
		last := ""
		for {
			c := executor.Count(st)
			line := countLine(c)
			if bar != nil {
				bar.Step(c[executor.Done], nil)
				if line != last && !strings.HasPrefix(last, line) {
					bar.Note(line)
				}
			}
			if c[executor.Running]+c[executor.Pending] == 0 && render != "" {
				line += "; waiting for render job " + render
				if bar != nil && line != last {
					bar.Note(line)
				}
			}
			last = line
			if c[executor.Running]+c[executor.Pending] == 0 && render == "" {
				break
			}
			select {
			case <-ctx.Done():
				if bar != nil {
					bar.Finish()
				}
				fmt.Fprintln(stderr, "actrepro status: interrupted; the sweep goes on")
				return 1
			case <-time.After(time.Duration(*every * float64(time.Second))):
			}
			if _, _, st, render, err = sweepStatusRender(ctx, pos[0], rf); err != nil {
				fmt.Fprintln(stderr, err)
				return 2
			}
		}
		if bar != nil {
			bar.Finish()
		}
	}
	printStatus(stdout, id, *rf.scale, dir, st)
	if executor.Count(st)[executor.Failed] > 0 {
		return 1
	}
	return 0
}

func countLine(c map[executor.State]int) string {
	return fmt.Sprintf("%d done, %d running, %d pending, %d failed, %d missing",
		c[executor.Done], c[executor.Running], c[executor.Pending], c[executor.Failed], c[executor.Missing])
}

// printStatus writes one line per point, then the tails of failed tasks'
// logs, then the counts.
func printStatus(w io.Writer, id, scale, dir string, st []executor.PointStatus) {
	iw := len(fmt.Sprint(len(st) - 1))
	for _, p := range st {
		where := ""
		if p.Job != "" {
			where = "job " + p.Job
			if p.Job == "local" {
				where = "local"
			}
			if p.Node != "" {
				where += " on " + p.Node
			}
			if p.Slurm != "" && p.State != executor.Done {
				where += " (" + p.Slurm + ")"
			}
		}
		fmt.Fprintf(w, "%*d  %s  %-7s  %-30s  %s\n", iw, p.Index, p.Hash, p.State, where, p.Label)
	}
	for _, p := range st {
		if p.State != executor.Failed {
			continue
		}
		if p.Log == "" {
			fmt.Fprintf(w, "\n-- point %d [%s] %s: job %s left no log (cancelled before it started?)\n", p.Index, p.Hash, p.Label, p.Job)
			continue
		}
		fmt.Fprintf(w, "\n-- point %d [%s] %s: last lines of %s\n%s\n", p.Index, p.Hash, p.Label, p.Log, strings.Join(p.Tail, "\n"))
	}
	fmt.Fprintf(w, "%s at scale %s: %d points: %s; records in %s\n", id, scale, len(st), countLine(executor.Count(st)), dir)
}
