"""The ``rnnviz`` command's entry point: a signal during start-up is one line too.

Importing the command line, NumPy and Qt takes a good part of a second; a Ctrl+C in that time
used to end in a ``KeyboardInterrupt`` traceback from whichever import was running. Until the
command line has its own handlers (``rnnviz.cli.main`` and the window install them), a SIGINT,
SIGTERM or SIGHUP here ends the process at once with one line and 128 + the signal's number:
nothing has started that could be lost. Only the command installs these, never an ``import
rnnviz``.
"""

from __future__ import annotations

import os
import signal

__all__ = ["main"]

_WORDS = {"SIGINT": "interrupted", "SIGTERM": "terminated", "SIGHUP": "stopped"}


def _stop_at_once(signum: int, _frame: object) -> None:
    word = _WORDS.get(signal.Signals(signum).name, "stopped")
    os.write(2, f"rnnviz: {word}\n".encode())
    os._exit(128 + signum)


def main() -> int:
    """Run ``rnnviz`` (``rnnviz.cli.main``) with start-up signals handled."""
    for name in _WORDS:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_at_once)
    from rnnviz.cli import main as run

    # from here Ctrl+C is Python's KeyboardInterrupt again, which the command line turns into
    # its one line (SIGTERM and SIGHUP: the command line and the window install their own)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return run()
