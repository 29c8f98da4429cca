"""Executes notebooks headless on the "actrepro" kernel and fails on any cell error.

    /usr/bin/python3 kernel/run_notebooks.py [--out results/notebooks] [NOTEBOOK ...]

With no NOTEBOOK, runs every notebooks/**/*.ipynb in name order. For each it
writes the executed notebook (signed as trusted for the current user) and an
HTML rendering under --out (same relative path; sources stay output-free),
then prints how long it took; the times also go to --out/timings.md.

A cell fails when the kernel reports an error (a compile error) or when its
program failed at run time: GoNB v0.11.1 replies "ok" for a cell whose
program panicked or exited non-zero and only writes "exit status N" on
stderr, so stderr is checked for that and for "panic:". Source notebooks
that carry outputs are rejected too (commit them clean).

Parameters reach the notebooks through the environment (ACTREPRO_SCALE,
ACTREPRO_BACKEND, ACTREPRO_DATA, ACTREPRO_SEED); `make notebooks` sets
ACTREPRO_SCALE=smoke.
"""

import argparse
import glob
import os
import re
import sys
import tempfile
import time

import nbformat
from nbformat.sign import NotebookNotary
from nbclient import NotebookClient
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbconvert import HTMLExporter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME_FAILURE = re.compile(r"^(exit status \d+|panic: |signal: )", re.MULTILINE)


def atomic_write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix="." + os.path.basename(path))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def has_outputs(nb):
    return any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code")


class RuntimeFailure(Exception):
    """A cell's program failed at run time (GoNB still replied "ok")."""


def stderr_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stderr")


def check_cell(cell, cell_index, **_):
    """nbclient on_cell_executed hook: stop at the first cell that failed at run time."""
    text = stderr_of(cell)
    if RUNTIME_FAILURE.search(text):
        raise RuntimeFailure(f"cell {cell_index} failed at run time:\n{text.strip()[-3000:]}")


def run(path, out_dir, timeout):
    rel = os.path.relpath(os.path.abspath(path), os.path.join(ROOT, "notebooks"))
    if rel.startswith(".."):
        rel = os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    errors = []
    if has_outputs(nb):
        errors.append("the source notebook has outputs: clear them before committing (Jupyter: Edit > Clear All Outputs)")
    client = NotebookClient(
        nb,
        kernel_name="actrepro",
        timeout=timeout,
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_executed=check_cell,
    )
    start = time.monotonic()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, RuntimeFailure) as e:
        errors.append(str(e).strip()[-3000:])
    seconds = time.monotonic() - start
    base = os.path.join(out_dir, os.path.splitext(rel)[0])
    try:
        # We executed it: mark it trusted for this user (what `jupyter trust`
        # does), so Jupyter shows its HTML tables and SVG figures unsanitized.
        NotebookNotary().sign(nb)
    except Exception as e:  # a read-only or missing signature database is not fatal
        print(f"run_notebooks: could not sign {base}.ipynb as trusted: {e}", file=sys.stderr)
    atomic_write(base + ".ipynb", nbformat.writes(nb))
    html, _ = HTMLExporter().from_notebook_node(nb)
    atomic_write(base + ".html", html)
    return seconds, errors, base


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--out", default=os.path.join(ROOT, "results", "notebooks"))
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("ACTREPRO_CELL_TIMEOUT", "900")),
                    help="seconds per cell (default 900, $ACTREPRO_CELL_TIMEOUT)")
    args = ap.parse_args()
    paths = args.notebooks or sorted(glob.glob(os.path.join(ROOT, "notebooks", "**", "*.ipynb"), recursive=True))
    paths = [p for p in paths if "/.ipynb_checkpoints/" not in p]
    if not paths:
        print("run_notebooks: no notebooks found", file=sys.stderr)
        return 2
    try:
        KernelSpecManager().get_kernel_spec("actrepro")
    except NoSuchKernel:
        print("run_notebooks: the Jupyter kernel 'actrepro' is not installed: run `make setup` (kernel/install.sh)", file=sys.stderr)
        return 2
    os.environ.setdefault("ACTREPRO_SCALE", "smoke")
    print(f"run_notebooks: scale={os.environ['ACTREPRO_SCALE']} backend={os.environ.get('ACTREPRO_BACKEND', '(default)')} "
          f"data={os.environ.get('ACTREPRO_DATA', '(unset: ../shared/data beside the checkout if present)') or '(none)'}")
    failed = 0
    timings = []
    for p in paths:
        print(f"run_notebooks: {os.path.relpath(p, ROOT)} ...", flush=True)
        seconds, errors, base = run(p, args.out, args.timeout)
        timings.append((os.path.relpath(p, ROOT), seconds, not errors))
        status = "ok" if not errors else "FAILED"
        print(f"run_notebooks: {os.path.relpath(p, ROOT)}: {status} in {seconds:.1f} s -> {os.path.relpath(base, ROOT)}.{{ipynb,html}}", flush=True)
        for e in errors:
            print(f"  error: {e}", file=sys.stderr)
        failed += bool(errors)
    table = "| notebook | seconds | status |\n| --- | ---: | --- |\n" + "".join(
        f"| {name} | {s:.1f} | {'ok' if ok else 'FAILED'} |\n" for name, s, ok in timings)
    print("\n" + table)
    atomic_write(os.path.join(args.out, "timings.md"),
                 f"# Notebook run times (scale {os.environ['ACTREPRO_SCALE']}, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, "
                 f"{os.cpu_count()} cores)\n\n" + table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
