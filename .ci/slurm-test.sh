#!/usr/bin/env bash
# `make slurm-test`: the slurm executor against a real Slurm on loopback.
#
# It installs slurmctld, slurmd, slurm-client and munge from Debian when
# missing (apt-get, as root; otherwise it stops naming the command), then
# starts a one-node cluster in a temporary directory: its own munged (own
# key and socket), its own slurm.conf, state, spool and logs, ports of its
# own on 127.0.0.1. The Slurm commands find it through SLURM_CONF; munge
# through AuthInfo=socket=... in that config. Through that cluster it:
#   - checks bad input: an unknown partition (sbatch's error, exit 2, no
#     script left), sbatch missing from PATH (exit 2), a point index out of
#     range (exit 2);
#   - runs experiments/demo/quickstart.toml and the ARTEMIS Table 3 smoke
#     sweep (16 points) locally and through the cluster, timing both, and
#     checks the rendered tables (table.md) are byte-identical;
#   - measures one point's overhead through Slurm against a local run, and
#     drives the quickstart from the notebook API (kernel.Submit, Watch);
#   - runs the Table 3 sweep again into a fresh results directory, cancels
#     one running array task (scancel JOB_TASK), checks `actrepro status`
#     reports it failed (exit 1), resubmits (only the failed point is
#     submitted), and checks every point then has exactly one record and
#     was trained exactly once (task logs).
# A trap stops its daemons by their pids and removes the directory, also
# when a step fails (KEEP=1 keeps the directory for a look).
#
# Environment: GO (go), SLURM_TEST_PORT (first of two free ports, default
# 16817 or the next free pair), KEEP=1.
#
# `.ci/slurm-test.sh up` starts the same cluster and leaves it running (for
# trying the README's "Running on a cluster" by hand); it prints the
# SLURM_CONF to export and `.ci/slurm-test.sh down DIR`, which stops its
# daemons by their pids and removes DIR.
set -euo pipefail
say() { echo "slurm-test: $*"; }
die() { echo "slurm-test: FAIL: $*" >&2; exit 1; }

GO=${GO:-go}
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "$(id -u)" != 0 ]; then
	say "needs root: the local cluster runs slurmd and slurmctld as root (SlurmUser=root); run it as root or with sudo"
	exit 1
fi

# --- Slurm and munge from Debian -------------------------------------------
missing=()
for c in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
	command -v "${c%%:*}" >/dev/null || missing+=("${c##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! command -v apt-get >/dev/null || [ "${ACTREPRO_NO_APT:-}" = 1 ]; then
		say "missing: ${missing[*]}: run  sudo apt-get update && sudo apt-get install -y slurmctld slurmd slurm-client munge"
		exit 1
	fi
	say "installing ${missing[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi

# --- the cluster --------------------------------------------------------------
# stop DIR: cancel every job, stop the daemons of the cluster in DIR by pid.
stop() {
	local d=$1 pids=() f p alive
	if [ -f "$d/slurmctld.pid" ]; then
		SLURM_CONF=$d/slurm.conf squeue -h -o %A 2>/dev/null | sort -u | SLURM_CONF=$d/slurm.conf xargs -r scancel >/dev/null 2>&1
		# Let the cancelled jobs end (their slurmstepd and tasks exit) before
		# the daemons go.
		for _ in $(seq 150); do
			[ -z "$(SLURM_CONF=$d/slurm.conf squeue -h -o %A 2>/dev/null)" ] && break
			sleep 0.1
		done
	fi
	for f in slurmd.pid slurmctld.pid munge/munged.pid; do
		[ -f "$d/$f" ] && pids+=("$(cat "$d/$f")")
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for _ in $(seq 50); do
		alive=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	return 0
}
if [ "${1:-}" = down ]; then
	d=${2:?usage: .ci/slurm-test.sh down DIR}
	[ -f "$d/slurm.conf" ] || { say "$d is no cluster of slurm-test.sh up"; exit 2; }
	stop "$d"
	rm -rf "$d"
	say "stopped the cluster in $d"
	exit 0
fi
T=$(mktemp -d /tmp/actrepro-slurm.XXXXXX)
chmod 711 "$T" # munged wants its socket's directories searchable
export SLURM_CONF=$T/slurm.conf
cleanup() {
	rc=$?
	set +e
	stop "$T"
	if [ $rc != 0 ]; then
		for l in "$T"/log/*.log; do [ -f "$l" ] && { echo "== $l"; tail -n 15 "$l"; }; done >&2
	fi
	if [ "${KEEP:-}" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${SLURM_TEST_PORT:-16817}
if [ -z "${SLURM_TEST_PORT:-}" ]; then
	while ! port_free "$PORT" || ! port_free $((PORT + 1)); do PORT=$((PORT + 2)); done
fi
HOST=$(hostname -s)
mkdir -p "$T"/{munge,state,spool,log,bin}
mungekey --create --keyfile="$T/munge/munge.key" --force >/dev/null 2>&1 ||
	dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$T/munge/munge.key"
munged -f --socket="$T/munge/munge.sock" --key-file="$T/munge/munge.key" --log-file="$T/log/munged.log" \
	--pid-file="$T/munge/munged.pid" --seed-file="$T/munge/munged.seed"
cat >"$SLURM_CONF" <<EOF
ClusterName=local
SlurmctldHost=$HOST(127.0.0.1)
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/ctld.log
SlurmdLogFile=$T/log/d.log
SlurmUser=root
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=5
# batch_sched_delay=0: start queued array tasks at once, not up to 3 s later
SchedulerParameters=batch_sched_delay=0
MinJobAge=600
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 300); do
	[ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && break
	sleep 0.1
done
[ "$(sinfo -h -o %T 2>/dev/null)" = idle ] || die "the node did not come up: $(sinfo 2>&1)"
say "cluster up in $T (ports $PORT, $((PORT + 1)); SLURM_CONF=$SLURM_CONF), $(slurmctld -V)"
if [ "${1:-}" = up ]; then
	trap - EXIT INT TERM
	say "left running; in your shell:  export SLURM_CONF=$SLURM_CONF   (then sinfo, sbatch, actrepro run --executor slurm ...)"
	say "stop it with:  .ci/slurm-test.sh down $T"
	exit 0
fi

"$GO" build -o "$T/bin/actrepro" ./cmd/actrepro
A=$T/bin/actrepro
QS=experiments/demo/quickstart.toml
T3=experiments/artemis/table3_alignment.toml

# --- bad input: exit 2, nothing left behind ------------------------------------
set +e
out=$("$A" run "$QS" --executor slurm --partition nosuch --out "$T/bad" 2>&1); rc=$?
set -e
[ $rc = 2 ] || die "unknown partition: exit $rc, want 2: $out"
grep -qi "invalid partition" <<<"$out" || die "unknown partition: sbatch's error not shown: $out"
! ls "$T"/bad/*/smoke/slurm/*.sbatch >/dev/null 2>&1 || die "unknown partition: a script was left behind"
! ls "$T"/bad/*/smoke/*.json >/dev/null 2>&1 || die "unknown partition: records written"
set +e
out=$(PATH=$T/munge "$A" run "$QS" --executor slurm --out "$T/bad" 2>&1); rc=$?
[ $rc = 2 ] && grep -q "sbatch not found" <<<"$out" || die "sbatch missing: exit $rc: $out"
out=$("$A" run "$QS" --point 99 --out "$T/bad" 2>&1); rc=$?
[ $rc = 2 ] && grep -q "out of range" <<<"$out" || die "point out of range: exit $rc: $out"
set -e
say "bad input: unknown partition, sbatch missing, point out of range: exit 2, nothing written"

# --- local vs slurm: identical tables ---------------------------------------
now() { date +%s.%N; }
waitsweep() { # SPEC OUT: follow the sweep until done, then until its render job ended
	"$A" status "$1" --out "$2" --wait --every 0.5 --quiet >/dev/null || true
	for _ in $(seq 600); do
		[ -z "$(squeue -h -o %i)" ] && return 0
		sleep 0.2
	done
	die "jobs still queued: $(squeue)"
}
for spec in "$QS" "$T3"; do
	id=$(sed -n 's/^id *= *"\(.*\)"/\1/p' "$spec" | head -1)
	t0=$(now)
	"$A" run "$spec" --out "$T/local" --quiet >"$T/local-$id.out"
	t1=$(now)
	# Rendered again from its records, the local table says "cached from"
	# as the render job's does: the two must then be byte-identical.
	"$A" run "$spec" --out "$T/local" --quiet >/dev/null
	t2=$(now)
	"$A" run "$spec" --executor slurm --out "$T/slurm" >"$T/submit-$id.out"
	waitsweep "$spec" "$T/slurm"
	t3=$(now)
	"$A" status "$spec" --out "$T/slurm" >"$T/status-$id.out" || die "$spec: status after the sweep: $(cat "$T/status-$id.out")"
	cmp "$T/local/$id/smoke/table.md" "$T/slurm/$id/smoke/table.md" ||
		{ diff "$T/local/$id/smoke/table.md" "$T/slurm/$id/smoke/table.md" | head -20; die "$spec: the tables differ"; }
	# Every metric of every record, at full precision, not only as rounded
	# in the table.
	for r in "$T/local/$id/smoke/"*.json; do
		metrics() { awk '/^  "metrics": \{/ { m = 1 } m { print } m && /^  \}/ { exit }' "$1"; }
		[ -n "$(metrics "$r")" ] || die "$r: no metrics block"
		[ "$(metrics "$r")" = "$(metrics "$T/slurm/$id/smoke/$(basename "$r")")" ] ||
			die "$(basename "$r"): metrics differ between the local and the slurm record"
	done
	n=$(ls "$T/slurm/$id/smoke/"*.json | wc -l)
	awk -v id="$id" -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "slurm-test: %s: %d points, tables and all record metrics identical; wall time local %.1f s, slurm %.1f s (submit to rendered table)\n", id, n, b - a, d - c }'
done

# --- cancel one running task, resubmit: nothing lost, nothing twice --------
C=$T/cancel
id=artemis-table3
"$A" run "$T3" --executor slurm --out "$C" --max-parallel 2 >"$T/submit-cancel.out"
job=$(sed -n 's/.*submitted array job \([0-9]*\).*/\1/p' "$T/submit-cancel.out")
[ -n "$job" ] || die "no job id in: $(cat "$T/submit-cancel.out")"
# The victim: a task that is running actrepro (its log is open and has no
# result yet), so the signal reaches a training, not the script's start.
victim=""
for _ in $(seq 3000); do
	for l in "$C/$id/smoke/slurm/task-$job-"*.log; do
		[ -f "$l" ] || continue
		grep -q ' done in \|has a record\|being run by' "$l" && continue
		victim=$(sed -n '1s/^actrepro: job \([0-9_]*\) .*/\1/p' "$l")
		[ -n "$victim" ] && break
	done
	[ -n "$victim" ] && break
	sleep 0.01
done
[ -n "$victim" ] || die "no task of array $job was seen running"
scancel "$victim"
say "cancelled running array task $victim"
waitsweep "$T3" "$C"
set +e
"$A" status "$T3" --out "$C" >"$T/status-cancel.out"; rc=$?
set -e
if grep -q " failed " "$T/status-cancel.out" && [ $rc = 1 ]; then
	say "status: the cancelled point is failed (exit 1): $(grep -m1 ' failed ' "$T/status-cancel.out" | tr -s ' ')"
else
	# The task finished before the signal reached it: its record stands.
	grep -q "16 done" "$T/status-cancel.out" || die "status after cancel (exit $rc): $(cat "$T/status-cancel.out")"
	say "the cancelled task $victim had finished before scancel reached it (its record stands)"
fi
"$A" run "$T3" --executor slurm --out "$C" >"$T/resubmit.out"
cat "$T/resubmit.out" | head -1 | sed 's/^/slurm-test: resubmit: /'
waitsweep "$T3" "$C"
"$A" status "$T3" --out "$C" >"$T/status-final.out" || die "status after resubmit: $(cat "$T/status-final.out")"
grep -q "16 points: 16 done" "$T/status-final.out" || die "not all done: $(tail -1 "$T/status-final.out")"
recs=$(ls "$C/$id/smoke/"*.json | wc -l)
[ "$recs" = 16 ] || die "$recs records, want 16"
trained=$(cat "$C/$id/smoke/slurm/"task-*.log | grep -c ' done in ')
[ "$trained" = 16 ] || die "$trained trainings in the task logs, want 16 (one per point)"
dups=$(grep -ho 'point [0-9]* \[[0-9a-f]*\] .* done in' "$C/$id/smoke/slurm/"task-*.log | sed 's/ done in.*//' | sort | uniq -d)
[ -z "$dups" ] || die "points trained twice: $dups"
cmp "$T/local/$id/smoke/table.md" "$C/$id/smoke/table.md" || die "the resumed sweep's table differs from the local one"
say "after cancel + resubmit: 16 records, each point trained once, table identical to the local one"

# --- per-point overhead: one point locally vs as a one-task array -----------
h=$(sed -n 's/^ *0  *\([0-9a-f]*\) .*/\1/p' "$T/status-final.out")
t0=$(now)
"$A" run "$T3" --point 0 --force --out "$T/one" --quiet >/dev/null
t1=$(now)
rm "$C/$id/smoke/$h.json"
t2=$(now)
"$A" run "$T3" --executor slurm --out "$C" >/dev/null
for _ in $(seq 3000); do [ -f "$C/$id/smoke/$h.json" ] && break; sleep 0.01; done
t3=$(now)
[ -f "$C/$id/smoke/$h.json" ] || die "the resubmitted point 0 made no record"
waitsweep "$T3" "$C"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "slurm-test: one point (Table 3 smoke, index 0): local %.2f s, slurm %.2f s from submit to record: overhead %.2f s\n", b - a, d - c, (d - c) - (b - a) }'
# --- the notebook path: kernel.Submit and kernel.Watch ---------------------
ACTREPRO_SLURM_TEST=1 "$GO" test -count=1 -run '^TestSubmitOnCluster$' ./kernel >"$T/kernel-test.out" 2>&1 ||
	{ tail -30 "$T/kernel-test.out"; die "kernel.Submit/Watch on the cluster"; }
say "kernel.Submit + kernel.Watch: the quickstart submitted, watched to its rendered table"
say "ok"
