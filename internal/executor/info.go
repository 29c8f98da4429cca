package executor

import (
	"os"
	"strconv"
)

// Info describes where this process runs, for a record's
// extra["executor"]: {"name": "slurm", "slurm_job_id", "slurm_array_job_id",
// "slurm_array_task_id", "node"} inside a Slurm job (read from the
// variables Slurm sets), else {"name": "local", "node": hostname}.
func Info() map[string]any { return infoFrom(os.Getenv, hostname) }

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func infoFrom(getenv func(string) string, host func() string) map[string]any {
	job := getenv("SLURM_JOB_ID")
	if job == "" {
		return map[string]any{"name": "local", "node": host()}
	}
	m := map[string]any{"name": "slurm", "slurm_job_id": num(job)}
	if a := getenv("SLURM_ARRAY_JOB_ID"); a != "" {
		m["slurm_array_job_id"] = num(a)
	}
	if t := getenv("SLURM_ARRAY_TASK_ID"); t != "" {
		m["slurm_array_task_id"] = num(t)
	}
	node := getenv("SLURMD_NODENAME")
	if node == "" {
		node = host()
	}
	m["node"] = node
	return m
}

// num is s as an integer when it is one (job ids are), else s.
func num(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	return s
}
