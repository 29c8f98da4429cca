#!/bin/sh
# Launches GoNB for the "actrepro" Jupyter kernelspec (installed by
# kernel/install.sh, which copies this file next to kernel.json).
#
# Jupyter starts the kernel in the notebook's directory. We find the actrepro
# checkout above it (a go.mod declaring the actrepro module), falling back to
# the checkout that ran the install, and put the `go` shim of this kernelspec
# first on PATH: when GoNB creates its temporary module, the shim adds a
# go.work and a replace directive pointing at the checkout, so notebooks
# import github.com/actrepro/actrepro/... from the working tree with no
# manual step.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
module=github.com/actrepro/actrepro

root=""
d=$(pwd)
while [ "$d" != "/" ]; do
	if [ -f "$d/go.mod" ] && grep -q "^module $module\$" "$d/go.mod"; then
		root=$d
		break
	fi
	d=$(dirname "$d")
done
if [ -z "$root" ]; then
	root=${ACTREPRO_INSTALL_ROOT:-}
fi
if [ -z "$root" ] || [ ! -f "$root/go.mod" ]; then
	echo "actrepro kernel: no actrepro checkout above $(pwd) and none recorded at install; re-run 'make setup' in a checkout" >&2
	exit 1
fi
export ACTREPRO_ROOT="$root"
export ACTREPRO_MODULE="$module"

# The real go and the Go tools (gonb, goimports) recorded at install time.
ACTREPRO_REAL_GO=${ACTREPRO_REAL_GO:-$(command -v go)}
export ACTREPRO_REAL_GO
PATH="$here/bin:$(dirname "$ACTREPRO_REAL_GO"):${ACTREPRO_GOBIN:+$ACTREPRO_GOBIN:}$PATH"
export PATH
# Data root default when ACTREPRO_DATA is unset (set but empty means "no
# real data"): ../shared/data beside the checkout, as CI lays it out.
if [ -z "${ACTREPRO_DATA+set}" ] && [ -d "$root/../shared/data" ]; then
	ACTREPRO_DATA=$(cd "$root/../shared/data" && pwd)
	export ACTREPRO_DATA
fi
# GoNB flags (override with ACTREPRO_GONB_FLAGS): compile errors as plain
# text (--raw_error: one Jupyter error message per failed cell, readable in
# CI logs and in the notebook alike); GoNB's own log discarded except errors.
flags=${ACTREPRO_GONB_FLAGS-"--raw_error --logtostderr=false --stderrthreshold=ERROR --log_file=/dev/null"}
# shellcheck disable=SC2086 # flags are words
exec "${ACTREPRO_GONB:-gonb}" --kernel "$1" $flags
