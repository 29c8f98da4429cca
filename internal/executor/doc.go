// Package executor says where the points of a sweep run: here, one after
// the other (the local executor, which is harness.Run), or as the tasks of
// one Slurm job array (the slurm executor), each task running one point
// with `actrepro run SPEC --point HASH`, followed by one job that renders
// the tables once the array is over. It also reads a sweep's state back
// (Status): each point done, running, pending, failed or missing, from
// the records and, when they are there, squeue and sacct.
//
// The harness knows nothing of Slurm: a task is an ordinary single-point
// run, which takes the point's lock (package pointlock) and writes its
// record atomically like any run; this package only writes sbatch
// scripts, submits them and parses what Slurm's commands print.
package executor
