"""What the tests of the ``rnnviz`` command share: running it in this process and checking that a
bad input is refused in one line, or running it as the user does, in a child process."""

from __future__ import annotations

import os
import subprocess
import sys

from rnnviz import cli

#: The child of ``run_rnnviz(..., signal_at=...)``: ``python -m rnnviz`` with a signal sent to
#: itself at one point of the command, either where a module is imported (``import NAME``, while
#: nothing has its own handlers yet) or where a function is called (``module:function``).
_SIGNALLED_CHILD = """\
import builtins, importlib, os, runpy, sys
signum, where, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
if where.startswith("import "):
    real_import = builtins.__import__
    def spy(name, *args, **kwargs):
        if name == where.removeprefix("import "):
            os.kill(os.getpid(), signum)
        return real_import(name, *args, **kwargs)
    builtins.__import__ = spy
else:
    module_name, _, attribute = where.partition(":")
    module = importlib.import_module(module_name)
    real = getattr(module, attribute)
    def signalled(*args, **kwargs):
        os.kill(os.getpid(), signum)
        return real(*args, **kwargs)
    setattr(module, attribute, signalled)
sys.argv = ["rnnviz", *argv]
runpy.run_module("rnnviz", run_name="__main__", alter_sys=True)
"""


def rnnviz_command(*argv: str) -> list[str]:
    """The command line ``python -m rnnviz ARGV`` (the same as the ``rnnviz`` command)."""
    return [sys.executable, "-m", "rnnviz", *argv]


def run_rnnviz(
    *argv: str,
    signal_at: tuple[str, int] | None = None,
    cwd=None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``rnnviz ARGV`` run to its end in a child process on Qt's offscreen platform, its stdout
    and stderr as text. ``signal_at=(where, signum)`` makes the child send itself ``signum`` at
    ``where``: ``"import rnnviz.cli"`` or ``"rnnviz.cli:_presets"`` (``_SIGNALLED_CHILD``)."""
    command = rnnviz_command(*argv)
    if signal_at is not None:
        where, signum = signal_at
        command = [sys.executable, "-c", _SIGNALLED_CHILD, str(int(signum)), where, *argv]
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def refused_in_one_line(capsys, argv: list[str]) -> str:
    """Run ``rnnviz ARGV`` here and check that it is refused as every bad input is: exit status
    2, nothing on stdout and one line ``rnnviz: …`` on stderr, which is returned."""
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rnnviz: "), captured.err
    return lines[0]
