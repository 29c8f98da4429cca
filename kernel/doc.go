// Package kernel is the notebooks' facade on actrepro: the one package a
// Jupyter notebook (GoNB kernel "Go (actrepro)") imports to read its
// parameters, run an experiment spec, show its paper-vs-measured table, show
// and save figures, follow a long run live, and list the experiments.
//
// Notebooks cannot import the module's internal/ packages; this package
// wraps them (the harness, the results store, the table renderer) and the
// plots package. Under GoNB it displays through gonbui (HTML tables, inline
// SVG figures, a progress block updated in place and then replaced by a
// static summary, since executed notebooks keep only static outputs);
// anywhere else (go test, a terminal) it prints Markdown and plain text.
//
// GoNB runs every cell as a new process, so nothing a cell computes survives
// into the next one except what is on disk. Run is therefore cached: a
// second call with the same spec, scale and settings reads the records the
// first one wrote under results/ instead of training again.
//
// Beside the package: kernel/install.sh (run by `make setup`) installs the
// Go tools and Jupyter and registers the kernelspec "actrepro" (GoNB
// started by kernel/kernelspec/launch.sh so that notebooks import this
// checkout's packages); kernel/conformance_test.py checks the installed
// kernel with the Jupyter kernel test suite (`make kernel-test`);
// kernel/run_notebooks.py executes the notebooks headless (`make
// notebooks`).
package kernel
