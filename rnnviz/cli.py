"""The ``rnnviz`` command.

``rnnviz --version`` and ``rnnviz info`` work today; plain ``rnnviz`` will open the live window.
This module must stay importable without Qt: the window's code is imported only when it opens.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Sequence

import rnnviz
from rnnviz.resources import presets_dir, resources_root

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnviz",
        description="Watch a recurrent neural network (RNN, LSTM, GRU) learn, live.",
    )
    parser.add_argument("--version", action="version", version=f"rnnviz {rnnviz.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "info",
        help="print versions and where rnnviz finds its resources, as JSON",
        description="Print versions and where rnnviz finds its resources, as one JSON object.",
    )
    return parser


def _info() -> dict[str, object]:
    import numpy as np

    try:
        resource_dir: str | None = str(resources_root())
    except FileNotFoundError:
        resource_dir = None
    try:
        presets = sorted(p.name for p in presets_dir().iterdir() if p.is_file())
    except FileNotFoundError:
        presets = []
    return {
        "rnnviz": rnnviz.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "resource_dir": resource_dir,
        "presets": presets,
    }


def _launch_window(args: argparse.Namespace) -> int:
    """Open the live window. Not part of this build yet: say so and fail."""
    del args
    print(
        "rnnviz: the live window is not part of this build yet; "
        "see `rnnviz --help` for what this build can do",
        file=sys.stderr,
    )
    return 2


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rnnviz`` with ``argv`` (default ``sys.argv[1:]``) and return its exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors end here
        return _exit_code(exc.code)
    if args.command == "info":
        print(json.dumps(_info(), indent=2))
        return 0
    return _launch_window(args)
