#!/usr/bin/env bash
# `make deps`: checks, before any experiment runs, the tools that
# `make reproduce` needs, and installs the missing system ones from Debian.
#
#   - Go: the go command (the toolchain go.mod asks for is fetched by go itself).
#   - ffmpeg and ffprobe (Debian package ffmpeg): the UCF50 twin is written
#     and read as .avi videos.
#
# Jupyter and the notebook kernel are not needed here (`make setup`).
# A missing package is installed with apt-get when running as root on
# Debian (unless ACTREPRO_NO_APT=1); otherwise the script stops with one
# line naming the package and the command to run. Re-running is safe.
set -euo pipefail
say() { echo "make deps: $*"; }

GO=${GO:-go}
command -v "$GO" >/dev/null || { say "no '$GO' on PATH: install Go 1.24+ (https://go.dev/dl/ or Debian's golang-go), then re-run"; exit 1; }

# command -> Debian package
declare -A pkg_of=([ffmpeg]=ffmpeg [ffprobe]=ffmpeg)
missing=()
for c in ffmpeg ffprobe; do
	command -v "$c" >/dev/null && continue
	p=${pkg_of[$c]}
	[[ " ${missing[*]} " == *" $p "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	say "ok: $("$GO" version | cut -d' ' -f3), ffmpeg $(ffmpeg -version 2>/dev/null | head -1 | cut -d' ' -f3)"
	exit 0
fi
if ! command -v apt-get >/dev/null; then
	say "missing: ${missing[*]} (not a Debian system: install ${missing[*]} with your package manager, then re-run)"
	exit 1
fi
if [ "$(id -u)" != 0 ] || [ "${ACTREPRO_NO_APT:-}" = 1 ]; then
	say "missing Debian package(s) ${missing[*]}: run  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
	exit 1
fi
say "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
for c in ffmpeg ffprobe; do
	command -v "$c" >/dev/null || { say "apt-get ran but $c is still not on PATH"; exit 1; }
done
say "ok: installed ${missing[*]}"
