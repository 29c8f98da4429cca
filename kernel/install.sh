#!/usr/bin/env bash
# Installs what the notebooks need and registers the Jupyter kernelspec
# "actrepro" (display name "Go (actrepro)"): GoNB launched so that every
# notebook under notebooks/ imports this checkout's packages.
#
#   1. Go tools pinned by go.mod `tool` directives (gonb, goimports):
#      `go install tool`; gopls from its own small module, kernel/gopls
#      (it cannot share go.mod with the golang.org/x/tools the main module
#      pins). ACTREPRO_NO_GOPLS=1 skips gopls (a first build takes minutes);
#      GoNB then only loses auto-complete.
#   2. Jupyter from Debian packages when missing (needs root for apt-get;
#      otherwise prints the command to run).
#   3. The kernelspec in $JUPYTER_DATA_DIR/kernels/actrepro (default
#      ~/.local/share/jupyter/kernels/actrepro): kernel.json, launch.sh and
#      the `go` shim from kernel/kernelspec/.
#
# Environment: GO (default go), JUPYTER_DATA_DIR, ACTREPRO_NO_APT=1 to never
# call apt-get, ACTREPRO_NO_GOPLS=1. Re-running is safe.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
GO=${GO:-go}
say() { echo "kernel/install.sh: $*"; }

# 1. Go tools.
real_go=$(command -v "$GO") || { say "no '$GO' on PATH; install Go 1.24+ first"; exit 1; }
real_go=$(cd "$(dirname "$real_go")" && pwd)/$(basename "$real_go")
(cd "$root" && "$real_go" install tool)
gobin=$("$real_go" env GOBIN)
[ -n "$gobin" ] || gobin=$("$real_go" env GOPATH | cut -d: -f1)/bin
for t in gonb goimports; do
	[ -x "$gobin/$t" ] || { say "'go install tool' did not produce $gobin/$t"; exit 1; }
done
if [ "${ACTREPRO_NO_GOPLS:-}" != 1 ]; then
	(cd "$root/kernel/gopls" && "$real_go" install tool)
fi
say "Go tools: $gobin/gonb ($("$gobin/gonb" -V 2>/dev/null | head -1 || true)), $gobin/goimports, $( [ -x "$gobin/gopls" ] && echo "$gobin/gopls" || echo "no gopls (auto-complete off)")"

# 2. Jupyter, ffmpeg for the video readers, and Liberation fonts (the
#    figures' SVGs name Liberation Serif; without it a browser draws their
#    text wider than laid out) (Debian packages).
debs=(jupyter-notebook jupyter-nbconvert python3-nbclient python3-jupyter-kernel-test python3-ipykernel ffmpeg fonts-liberation)
missing=()
for p in "${debs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
		if command -v jupyter-nbconvert >/dev/null; then
			say "not a Debian system; using the Jupyter on PATH ($(command -v jupyter-nbconvert))"
		else
			say "Jupyter is missing and this is not a Debian system: install jupyter-notebook, nbconvert, nbclient and jupyter_kernel_test (e.g. with pip), then re-run"
			exit 1
		fi
	elif [ "$(id -u)" != 0 ] || [ "${ACTREPRO_NO_APT:-}" = 1 ]; then
		say "missing Debian packages: ${missing[*]}"
		say "install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
		say "(not permitted to run apt-get here: not root, or ACTREPRO_NO_APT=1)"
		exit 1
	else
		say "installing ${missing[*]} with apt-get"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
fi

# 3. Kernelspec.
datadir=${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}
spec=$datadir/kernels/actrepro
mkdir -p "$spec/bin"
install -m 0755 "$root/kernel/kernelspec/launch.sh" "$spec/launch.sh"
install -m 0755 "$root/kernel/kernelspec/bin/go" "$spec/bin/go"
logo=$("$real_go" -C "$root" list -m -f '{{.Dir}}' github.com/janpfeifer/gonb 2>/dev/null)/internal/kernel/Go_gopher_favicon.svg
[ -f "$logo" ] && install -m 0644 "$logo" "$spec/logo-svg.svg"
json() { # a JSON string literal
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}
tmp=$(mktemp "$spec/.kernel.json.XXXXXX")
cat >"$tmp" <<JSON
{
  "argv": [$(json "$spec/launch.sh"), "{connection_file}"],
  "display_name": "Go (actrepro)",
  "language": "go",
  "interrupt_mode": "message",
  "env": {
    "ACTREPRO_INSTALL_ROOT": $(json "$root"),
    "ACTREPRO_REAL_GO": $(json "$real_go"),
    "ACTREPRO_GOBIN": $(json "$gobin"),
    "ACTREPRO_GONB": $(json "$gobin/gonb")
  },
  "metadata": {"actrepro": {"installed_from": $(json "$root")}}
}
JSON
chmod 0644 "$tmp"
mv "$tmp" "$spec/kernel.json"
say "kernelspec 'actrepro' (Go (actrepro)) installed in $spec"
