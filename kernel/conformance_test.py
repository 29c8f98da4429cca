"""Jupyter kernel conformance test of the installed "actrepro" kernelspec.

Runs the Jupyter kernel test suite (Debian python3-jupyter-kernel-test,
jupyter_kernel_test 0.4.5) against GoNB as launched by the kernelspec that
kernel/install.sh registers: kernel_info, stdout, stderr, errors, and
display_data samples, one of which calls this project's kernel package to
show a table (so it also proves that the kernel imports the checkout's
packages with no manual step).

GoNB answers a cell with stdout and display_data, never execute_result, so
test_execute_result is skipped (the suite allows either). Completion and
inspection (gopls) are opt-in, see below.

Run: make kernel-test  (or: cd notebooks && /usr/bin/python3 -m unittest -v ../kernel/conformance_test.py)
"""

import os
import unittest

import jupyter_kernel_test


# Compiling a cell that imports the project (GoMLX and all) takes far longer
# than the suite's 15 s default on a cold build cache and 2 cores.
CELL_TIMEOUT = float(os.environ.get("ACTREPRO_KERNEL_TEST_TIMEOUT", "600"))


class ActreproKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "actrepro"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = '%%\nfmt.Println("hello, world")'
    code_stderr = '%%\nfmt.Fprintln(os.Stderr, "to stderr")'
    # A compile error: GoNB v0.11.1 reports a cell whose program fails at run
    # time (panic, os.Exit(1)) with status "ok" and "exit status N" on
    # stderr; kernel/run_notebooks.py turns that into a failure.
    code_generate_error = '%%\nundefinedFunction()'

    code_display_data = [
        {
            # gonbui.Sync() flushes GoNB's display pipe before the cell ends
            # (GoNB's documented way): without it the display can arrive
            # after the kernel reports idle, and this sample fails about
            # 1 run in 20 on a busy machine.
            "code": '%%\ngonbui.DisplayHtml("<b>bold</b>")\ngonbui.Sync()',
            "mime": "text/html",
        },
        {
            "code": (
                'import "github.com/actrepro/actrepro/kernel"\n\n'
                "%%\n"
                't := &kernel.Table{Title: "conformance", Banner: "SYNTHETIC data: not a reproduction",'
                ' Synthetic: true, Header: []string{"row", "paper", "measured"},'
                ' Rows: [][]string{{"A", "76.97", "58.20"}}}\n'
                "t.Show()"
            ),
            "mime": "text/html",
        },
    ]

    # Completion and inspection are not tested: with gopls still starting,
    # GoNB v0.11.1 answers complete_request with status "error" but without
    # the ename/evalue/traceback the protocol requires (1 run in 3 here), and
    # CI must not be flaky. Run ACTREPRO_KERNEL_TEST_GOPLS=1 make kernel-test
    # to include them.
    if os.environ.get("ACTREPRO_KERNEL_TEST_GOPLS") == "1":
        completion_samples = [{"text": "fmt.Printl"}]  # the reply's schema is checked
        code_inspect_sample = "fmt.Println"

    def execute_helper(self, code, timeout=CELL_TIMEOUT, **kwargs):
        return super().execute_helper(code, timeout=max(timeout, CELL_TIMEOUT), **kwargs)

    def test_actrepro_table_html(self):
        """The kernel package's table reaches the notebook as HTML with its banner."""
        self.flush_channels()
        reply, msgs = self.execute_helper(self.code_display_data[1]["code"])
        self.assertEqual(reply["content"]["status"], "ok")
        html = [m["content"]["data"]["text/html"] for m in msgs if m["msg_type"] == "display_data"]
        self.assertTrue(html, "no display_data with text/html")
        self.assertIn("SYNTHETIC data: not a reproduction", html[0])
        self.assertIn("<td", html[0])


if __name__ == "__main__":
    unittest.main()
