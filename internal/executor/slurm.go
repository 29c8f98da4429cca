package executor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/actrepro/actrepro/internal/atomicfile"
)

// Point is one sweep point as a job array sees it: its index in the sweep
// at the scale (the array task id), hash and label.
type Point struct {
	Index int    `json:"index"`
	Hash  string `json:"hash"`
	Label string `json:"label"`
}

// Sweep is what one submission runs.
type Sweep struct {
	Spec  string // the spec path as given; the tasks run in Workdir
	ID    string // the experiment id
	Scale string
	// Dir is the results directory of the experiment at the scale
	// (OUT/<id>/<scale>); the scripts and logs go to Dir/slurm.
	Dir string
	// Workdir is the directory the tasks run in (absolute; where the
	// command was run, so relative paths mean what they meant there).
	Workdir string
	// RunArgs are the flags every task passes to `actrepro run` besides
	// --point (--scale, --backend, --data-root, --out, --seed, ...).
	RunArgs []string
	Points  []Point // the points to run
}

// Slurm is the slurm executor's settings: sbatch's options.
type Slurm struct {
	Partition   string   // --partition (default: the cluster's default partition)
	Time        string   // --time per task, e.g. 2:00:00
	CPUsPerTask int      // --cpus-per-task (0: Slurm's default)
	Mem         string   // --mem per task, e.g. 8G
	Gres        string   // --gres per task, e.g. gpu:1
	Account     string   // --account
	MaxParallel int      // the array's %M: at most M tasks at once (0: no limit)
	SbatchArgs  []string // more sbatch options, each one argument (e.g. --qos=long)
	// Sbatch is the sbatch command (default "sbatch", found in PATH).
	Sbatch string
}

// ErrNoSbatch is returned by Submit when sbatch is not in PATH.
var ErrNoSbatch = errors.New("sbatch not found in PATH: the slurm executor submits with Slurm's sbatch; run on a Slurm login node, or add Slurm's bin directory to PATH")

// ErrBadOption wraps an invalid executor setting.
var ErrBadOption = errors.New("bad slurm option")

// Check validates the settings that Slurm would otherwise reject late.
func (s Slurm) Check() error {
	if s.MaxParallel < 0 {
		return fmt.Errorf("--max-parallel %d: want 0 (no limit) or more (%w)", s.MaxParallel, ErrBadOption)
	}
	if s.CPUsPerTask < 0 {
		return fmt.Errorf("--cpus-per-task %d: want 1 or more (%w)", s.CPUsPerTask, ErrBadOption)
	}
	for _, a := range s.SbatchArgs {
		if !strings.HasPrefix(a, "-") {
			return fmt.Errorf("--sbatch-arg %q: want one sbatch option such as --qos=long (%w)", a, ErrBadOption)
		}
		for _, own := range []string{"--array", "-a", "--output", "-o", "--error", "-e", "--dependency", "-d", "--chdir", "-D", "--job-name", "-J", "--parsable"} {
			if a == own || strings.HasPrefix(a, own+"=") || (len(own) == 2 && strings.HasPrefix(a, own) && !strings.HasPrefix(a, "--")) {
				return fmt.Errorf("--sbatch-arg %q: actrepro sets %s itself (%w)", a, own, ErrBadOption)
			}
		}
		if strings.ContainsAny(a, "\n\r") {
			return fmt.Errorf("--sbatch-arg %q: a newline is not allowed (%w)", a, ErrBadOption)
		}
	}
	for name, v := range map[string]string{"--partition": s.Partition, "--time": s.Time, "--mem": s.Mem, "--gres": s.Gres, "--account": s.Account} {
		if strings.ContainsAny(v, " \t\n\r") {
			return fmt.Errorf("%s %q: no spaces allowed (%w)", name, v, ErrBadOption)
		}
	}
	return nil
}

// ArraySpec is sbatch's --array value for the task ids: ascending, runs
// of consecutive ids as ranges ("0-3,7,9-10"), then "%M" when
// maxParallel > 0.
func ArraySpec(ids []int, maxParallel int) string {
	s := append([]int(nil), ids...)
	sort.Ints(s)
	var parts []string
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && s[j+1] <= s[j]+1 {
			j++
		}
		switch {
		case s[j] == s[i]:
			parts = append(parts, strconv.Itoa(s[i]))
		default:
			parts = append(parts, fmt.Sprintf("%d-%d", s[i], s[j]))
		}
		i = j + 1
	}
	out := strings.Join(parts, ",")
	if maxParallel > 0 {
		out += "%" + strconv.Itoa(maxParallel)
	}
	return out
}

// JobName is the name of a sweep's array job; its render job adds
// "-render". status finds a sweep's tasks in squeue by it.
func JobName(id, scale string) string { return "actrepro-" + id + "-" + scale }

// SlurmDir is where a sweep's scripts, task logs and executable copies go.
func SlurmDir(resultsDir string) string { return filepath.Join(resultsDir, "slurm") }

// quote is s quoted for bash.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (s Slurm) header(b *bytes.Buffer, name string, task bool) {
	fmt.Fprintf(b, "#SBATCH --job-name=%s\n", name)
	if s.Partition != "" {
		fmt.Fprintf(b, "#SBATCH --partition=%s\n", s.Partition)
	}
	if s.Account != "" {
		fmt.Fprintf(b, "#SBATCH --account=%s\n", s.Account)
	}
	if s.Time != "" {
		fmt.Fprintf(b, "#SBATCH --time=%s\n", s.Time)
	}
	if task {
		if s.CPUsPerTask > 0 {
			fmt.Fprintf(b, "#SBATCH --cpus-per-task=%d\n", s.CPUsPerTask)
		}
		if s.Mem != "" {
			fmt.Fprintf(b, "#SBATCH --mem=%s\n", s.Mem)
		}
		if s.Gres != "" {
			fmt.Fprintf(b, "#SBATCH --gres=%s\n", s.Gres)
		}
	} else {
		b.WriteString("#SBATCH --cpus-per-task=1\n")
	}
	for _, a := range s.SbatchArgs {
		fmt.Fprintf(b, "#SBATCH %s\n", a)
	}
}

// ArrayScript is the sbatch script of the job array over sw.Points: task
// i runs the point of index i, by its hash (so a spec edited after
// submission fails the task with "no point has hash" rather than training
// another point), with exe, writing its output (and Slurm's lines about
// the task) to SLURMDIR/task-<arrayjob>-<hash>.log (task-<arrayjob>_<i>.log
// until the script has renamed it).
func (s Slurm) ArrayScript(sw Sweep, exe string) string {
	dir := SlurmDir(absIn(sw.Workdir, sw.Dir))
	var ids []int
	for _, p := range sw.Points {
		ids = append(ids, p.Index)
	}
	var b bytes.Buffer
	b.WriteString("#!/bin/bash\n")
	s.header(&b, JobName(sw.ID, sw.Scale), true)
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", ArraySpec(ids, s.MaxParallel))
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", sw.Workdir)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(dir, "task-%A_%a.log"))
	fmt.Fprintf(&b, "# Written by actrepro run --executor slurm: one array task per sweep point of\n# %s at scale %s; each runs `actrepro run --point HASH` and writes its record.\n", sw.Spec, sw.Scale)
	b.WriteString("set -u\ncase \"$SLURM_ARRAY_TASK_ID\" in\n")
	for _, p := range sw.Points {
		fmt.Fprintf(&b, "  %d) HASH=%s ;; # %s\n", p.Index, p.Hash, strings.ReplaceAll(p.Label, "\n", " "))
	}
	b.WriteString("  *) echo \"actrepro: array task $SLURM_ARRAY_TASK_ID is no point of this sweep\" >&2; exit 2 ;;\nesac\n")
	// Name the task's log by its point: rename the file Slurm opened for
	// it (Slurm keeps writing to it under the new name, so its own lines,
	// e.g. "CANCELLED DUE TO TIME LIMIT", land in the same log).
	fmt.Fprintf(&b, "dir=%s\n", quote(dir))
	b.WriteString(`mv -f "$dir/task-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.log" "$dir/task-${SLURM_ARRAY_JOB_ID}-$HASH.log" 2>/dev/null ||` + "\n")
	b.WriteString(`	exec >>"$dir/task-${SLURM_ARRAY_JOB_ID}-$HASH.log" 2>&1` + "\n")
	b.WriteString("echo \"actrepro: job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -u +%FT%TZ): point $HASH\"\n")
	args := append([]string{exe, "run", sw.Spec, "--point", "$HASH"}, sw.RunArgs...)
	for i, a := range args {
		if a == "$HASH" {
			args[i] = "\"$HASH\""
		} else {
			args[i] = quote(a)
		}
	}
	fmt.Fprintf(&b, "exec %s\n", strings.Join(args, " "))
	return b.String()
}

// RenderScript is the sbatch script of the job that renders the tables
// once the array job arrayJob has ended (afterany: also when tasks
// failed, so the table shows what finished and names what did not).
func (s Slurm) RenderScript(sw Sweep, exe, arrayJob string) string {
	dir := SlurmDir(absIn(sw.Workdir, sw.Dir))
	var b bytes.Buffer
	b.WriteString("#!/bin/bash\n")
	s.header(&b, JobName(sw.ID, sw.Scale)+"-render", false)
	fmt.Fprintf(&b, "#SBATCH --dependency=afterany:%s\n", arrayJob)
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", sw.Workdir)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(dir, "render-%j.log"))
	fmt.Fprintf(&b, "# Written by actrepro run --executor slurm: renders the tables of %s at scale %s\n# from the records once array job %s has ended; it trains nothing.\n", sw.Spec, sw.Scale, arrayJob)
	args := append([]string{exe, "run", sw.Spec, "--render-only"}, sw.RunArgs...)
	for i, a := range args {
		args[i] = quote(a)
	}
	fmt.Fprintf(&b, "exec %s\n", strings.Join(args, " "))
	return b.String()
}

func absIn(wd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(wd, p)
}

// Submitted says what Submit submitted.
type Submitted struct {
	ArrayJob, RenderJob       string
	ArrayScript, RenderScript string
	Exe                       string // the executable the tasks run
	Points                    []Point
}

// Manifest is a submitted array's points, saved as
// SLURMDIR/array-<job>.json: status maps array tasks back to points by it.
type Manifest struct {
	Job       string    `json:"job"`
	RenderJob string    `json:"render_job,omitempty"`
	Spec      string    `json:"spec"`
	Scale     string    `json:"scale"`
	Exe       string    `json:"exe"`
	Submitted time.Time `json:"submitted"`
	Points    []Point   `json:"points"`
}

// Submit copies exe into the sweep's slurm directory (see CopyExecutable),
// writes the array script, submits it with sbatch, then writes and submits
// the render job depending on it. A failed sbatch leaves no script behind
// and its error carries sbatch's own message.
func (s Slurm) Submit(ctx context.Context, sw Sweep, exe string) (*Submitted, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if len(sw.Points) == 0 {
		return nil, errors.New("nothing to submit")
	}
	sbatch := s.Sbatch
	if sbatch == "" {
		sbatch = "sbatch"
	}
	path, err := exec.LookPath(sbatch)
	if err != nil {
		return nil, ErrNoSbatch
	}
	dir := SlurmDir(absIn(sw.Workdir, sw.Dir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	copyPath, err := CopyExecutable(exe, dir)
	if err != nil {
		return nil, err
	}
	sub := &Submitted{Exe: copyPath, Points: sw.Points}
	tmp := filepath.Join(dir, fmt.Sprintf(".submit-%d-%d.sbatch", os.Getpid(), time.Now().UnixNano()))
	if err := atomicfile.Write(tmp, []byte(s.ArrayScript(sw, copyPath))); err != nil {
		return nil, err
	}
	job, err := runSbatch(ctx, path, tmp)
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("submitting the job array: %w", err)
	}
	sub.ArrayJob = job
	sub.ArrayScript = filepath.Join(dir, "array-"+job+".sbatch")
	if err := os.Rename(tmp, sub.ArrayScript); err != nil {
		sub.ArrayScript = tmp
	}
	m := Manifest{Job: job, Spec: sw.Spec, Scale: sw.Scale, Exe: copyPath, Submitted: time.Now().UTC(), Points: sw.Points}
	writeManifest(dir, m)
	rtmp := filepath.Join(dir, fmt.Sprintf(".render-%d-%d.sbatch", os.Getpid(), time.Now().UnixNano()))
	if err := atomicfile.Write(rtmp, []byte(s.RenderScript(sw, copyPath, job))); err != nil {
		return sub, fmt.Errorf("array job %s is submitted, but writing the render script failed: %w", job, err)
	}
	rjob, err := runSbatch(ctx, path, rtmp)
	if err != nil {
		os.Remove(rtmp)
		return sub, fmt.Errorf("array job %s is submitted, but the render job was not (render when it ends with `actrepro run %s --render-only`): %w", job, sw.Spec, err)
	}
	sub.RenderJob = rjob
	sub.RenderScript = filepath.Join(dir, "render-"+rjob+".sbatch")
	if err := os.Rename(rtmp, sub.RenderScript); err != nil {
		sub.RenderScript = rtmp
	}
	m.RenderJob = rjob
	writeManifest(dir, m)
	return sub, nil
}

func writeManifest(dir string, m Manifest) error {
	b, _ := json.MarshalIndent(m, "", "  ")
	return atomicfile.Write(filepath.Join(dir, "array-"+m.Job+".json"), append(b, '\n'))
}

// runSbatch submits script and returns the job id.
func runSbatch(ctx context.Context, sbatch, script string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, sbatch, "--parsable", script)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("sbatch: %s", msg)
	}
	return ParseJobID(out.String())
}

// ParseJobID reads the job id from `sbatch --parsable` output ("123" or
// "123;cluster").
func ParseJobID(out string) (string, error) {
	line := strings.TrimSpace(out)
	if i := strings.LastIndexByte(line, '\n'); i >= 0 {
		line = strings.TrimSpace(line[i+1:])
	}
	id, _, _ := strings.Cut(line, ";")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", fmt.Errorf("sbatch printed %q, not a job id", strings.TrimSpace(out))
	}
	return id, nil
}

// CopyExecutable copies the executable src into dir as
// actrepro-<first 16 hex digits of its SHA-256> (once: a copy of the same
// bytes is reused) and returns the copy's path. Tasks run the copy, so
// rebuilding actrepro while a sweep is queued does not change what its
// pending tasks run, and every record names the build through its job's
// script. A .gitignore in dir keeps the copies out of git.
func CopyExecutable(src, dir string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("reading the actrepro executable: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "actrepro-"+hex.EncodeToString(h.Sum(nil))[:16])
	if st, err := os.Stat(dst); err == nil && st.Mode().IsRegular() {
		return dst, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".actrepro.tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, f); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	tmp.Close()
	if err := os.Chmod(tmp.Name(), 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	gi := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(gi); err != nil {
		atomicfile.Write(gi, []byte("# copies of the actrepro executable that the Slurm tasks run\nactrepro-*\n"))
	}
	return dst, nil
}
