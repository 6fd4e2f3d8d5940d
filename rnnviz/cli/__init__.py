"""The ``rnnviz`` command.

    rnnviz presets                                   list the lessons
    rnnviz train --preset NAME --steps N [--out F]   train headless, print one JSON line
                 [--set key=value ...]
    rnnviz info                                      versions and resource folder, as JSON
    rnnviz [--preset NAME] [--autostart]             open the window
    rnnviz render --preset NAME --steps N --out F.png [--panel NAME] [--size WxH]
    rnnviz sweep --cells rnn,lstm,gru --delays 5,10,20,40 [--steps N] [--out F.png]
    rnnviz --preset NAME --benchmark SECONDS         measure the live window, print JSON

Every --preset defaults to the lesson the window opens on. What goes to stdout is strict JSON
(no NaN: a loss not yet measured is null). The package must stay importable without Qt: the
window's code is imported only when it opens.

Every bad input is one line ``rnnviz: …`` on stderr and exit status 2, checked before anything
is trained or written: argparse's own errors too (``RnnvizParser.error``). Ctrl+C (SIGINT) and
SIGTERM end a command with one line and status 130 or 143 (128 + the signal's number), never a
traceback; ``rnnviz train`` first finishes the update under way and saves the run if ``--out``
was given (a second signal ends it at once).

The parts: ``arguments`` (the commands and options, argparse's checks), ``checks`` (what argparse
cannot check: lessons, settings, files to write), ``train_command`` and ``render_command``,
``messages`` (one-line messages, strict JSON, the progress bar) and ``signals``; this module
runs the command the arguments name and turns what ends it into an exit status.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import threading
from collections.abc import Sequence

import rnnviz
from rnnviz.cli.arguments import DEFAULT_PRESET, build_parser
from rnnviz.cli.checks import check_preset
from rnnviz.cli.messages import UsageError, end_progress_line, print_json, say
from rnnviz.cli.render_command import run_render
from rnnviz.cli.signals import STOP_SIGNALS, Interrupted, raise_interrupted, signal_word
from rnnviz.cli.sweep_command import run_sweep_command
from rnnviz.cli.train_command import run_train
from rnnviz.resources import presets_dir, resources_root

__all__ = ["main"]


def _presets() -> int:
    """`rnnviz presets`: each lesson, its title, its number of updates and explanation."""
    from rnnviz.training.presets import list_presets

    for preset in list_presets():
        print(f"{preset.name:<22} {preset.title} ({preset.steps} updates)")
        for line in preset.explanation:
            print(f"{'':<22}   {line}")
    return 0


def _info() -> dict[str, object]:
    """What `rnnviz info` prints: versions and where the resources are."""
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
    """Open the live window (or measure it with --benchmark)."""
    check_preset(args.window_preset)
    if args.benchmark is not None and args.compare:  # the window in compare mode
        from rnnviz.gui.app import BENCHMARK_WINDOW
        from rnnviz.gui.compare_benchmark import run_compare_benchmark

        preset = args.window_preset or "vanishing_gradient"
        result = run_compare_benchmark(preset, args.benchmark, args.compare, BENCHMARK_WINDOW)
        print_json(result)
        return 0
    if args.benchmark is not None:  # a finite number of seconds in range (arguments._seconds)
        from rnnviz.gui.app import run_benchmark

        print_json(run_benchmark(args.window_preset or DEFAULT_PRESET, args.benchmark))
        return 0
    from rnnviz.gui.app import run_window

    preset = args.window_preset or DEFAULT_PRESET
    return run_window(preset, args.autostart, args.present, args.compare)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``rnnviz`` with ``argv`` (default ``sys.argv[1:]``) and return its exit code."""
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version and usage errors end here
            return _exit_code(exc.code)
        if args.command is None:  # the window handles its own signals
            return _run(args)
        # SIGTERM and SIGHUP as Ctrl+C: one line and 128 + the signal, never a traceback
        # (`rnnviz train` overrides them while it trains, to stop after the update under way)
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                if sig != signal.SIGINT:
                    previous[sig] = signal.signal(sig, raise_interrupted)
        try:
            return _run(args)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    except KeyboardInterrupt:
        return _interrupted(signal.SIGINT)
    except Interrupted as stop:
        return _interrupted(stop.signum)


def _interrupted(signum: int) -> int:
    end_progress_line()
    say(signal_word(signum))
    return 128 + signum


def _run(args: argparse.Namespace) -> int:
    """The command ``args`` names; a UsageError becomes one line and status 2."""
    try:
        if args.command == "info":
            print_json(_info(), indent=2)
            return 0
        if args.command == "presets":
            return _presets()
        if args.command == "train":
            return run_train(args)
        if args.command == "render":
            return run_render(args)
        if args.command == "sweep":
            return run_sweep_command(args)
        return _launch_window(args)
    except UsageError as error:
        end_progress_line()
        say(str(error))
        return 2
    except BrokenPipeError:  # `rnnviz presets | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
