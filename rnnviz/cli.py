"""The ``rnnviz`` command.

    rnnviz presets                                   list the lessons
    rnnviz train --preset NAME --steps N [--out F]   train headless, print one JSON line
                 [--set key=value ...]
    rnnviz info                                      versions and resource folder, as JSON
    rnnviz [--preset NAME] [--autostart]             open the window
    rnnviz render --preset NAME --steps N --out F.png [--panel NAME] [--size WxH]
    rnnviz --preset NAME --benchmark SECONDS         measure the live window, print JSON
 This module must stay importable without Qt: the
window's code is imported only when it opens.
"""

from __future__ import annotations

import argparse
import json
import os
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
    parser.add_argument(
        "--preset",
        dest="window_preset",
        default=None,
        help="open the window on this lesson (see `rnnviz presets`)",
    )
    parser.add_argument("--autostart", action="store_true", help="start training at once")
    parser.add_argument(
        "--benchmark",
        type=float,
        default=None,
        metavar="SECONDS",
        help="train flat out with every view live, then print JSON and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "info",
        help="print versions and where rnnviz finds its resources, as JSON",
        description="Print versions and where rnnviz finds its resources, as one JSON object.",
    )
    commands.add_parser(
        "presets",
        help="list the lessons (one per slide of the lecture)",
        description="List the lesson presets with their titles and explanations.",
    )
    train = commands.add_parser(
        "train",
        help="train a lesson without a window and print its final figures as JSON",
        description=(
            "Train without a window. A progress bar goes to stderr; one JSON line of final "
            "figures goes to stdout."
        ),
    )
    train.add_argument("--preset", default=None, help="a lesson name from `rnnviz presets`")
    train.add_argument(
        "--steps", type=int, default=None, help="updates to make (default: the preset's own number)"
    )
    train.add_argument("--out", default=None, help="save the session to this .rnnviz file")
    train.add_argument(
        "--open",
        dest="open_path",
        default=None,
        help="continue the session saved in this .rnnviz file",
    )
    train.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a setting, e.g. model.hidden_size=64 or optim.lr=0.003",
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    render = commands.add_parser(
        "render",
        help="train headless, then draw the window (or one view) to a PNG",
        description="Train headless, then render the window or one view offscreen to a PNG.",
    )
    render.add_argument("--preset", required=True)
    render.add_argument("--steps", type=int, default=None)
    render.add_argument("--out", required=True, help="the PNG file to write")
    render.add_argument(
        "--panel", default="window", help="window, demo, hidden, gates, gradient or loss"
    )
    render.add_argument("--size", default="1800x1000", help="WIDTHxHEIGHT in pixels")
    render.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a setting of the preset",
    )
    return parser


class UsageError(Exception):
    """A bad preset name, setting or file: one line for the user, exit status 2."""


def _presets() -> int:
    from rnnviz.training.presets import list_presets

    for preset in list_presets():
        print(f"{preset.name:<22} {preset.title}")
        for line in preset.explanation:
            print(f"{'':<22}   {line}")
    return 0


def _parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set takes KEY=VALUE, got {pair!r}")
        settings[key.strip()] = value
    return settings


def _progress(done: int, total: int, loss: float, width: int = 30) -> None:
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total}  loss {loss:.4f}", end="", file=sys.stderr, flush=True)


def _train(args: argparse.Namespace) -> int:
    import time

    from rnnviz.training.config import ConfigError, TrainConfig
    from rnnviz.training.presets import PresetError, goal_reached, load_preset
    from rnnviz.training.sessions import SessionError, load_session, save_session
    from rnnviz.training.trainer import Trainer

    settings = _parse_settings(args.settings)
    preset = None
    try:
        if args.open_path:
            trainer = load_session(args.open_path)
            if settings:
                trainer.set(**settings)
        else:
            preset = load_preset(args.preset) if args.preset else None
            config = preset.config if preset else TrainConfig()
            trainer = Trainer(config.with_settings(settings))
    except (PresetError, ConfigError, SessionError) as error:
        raise UsageError(str(error)) from None
    except ValueError as error:  # e.g. an unreadable text file for the text task
        raise UsageError(str(error)) from None
    steps = args.steps if args.steps is not None else (preset.steps if preset else 500)
    if steps < 0:
        raise UsageError(f"--steps must be 0 or more, got {steps}")
    start = time.perf_counter()
    first_iteration = trainer.iteration
    snapshot = trainer.snapshot()
    last_draw = 0.0
    for snapshot in trainer.run(steps=steps, snapshot_interval=0.2):
        if not args.quiet and time.perf_counter() - last_draw >= 0.2:
            last_draw = time.perf_counter()
            _progress(snapshot.iteration - first_iteration, steps, snapshot.loss)
    seconds = time.perf_counter() - start
    if not args.quiet:
        _progress(trainer.iteration - first_iteration, steps, snapshot.loss)
        print(file=sys.stderr)
    evaluation = trainer.evaluate()
    baselines = dict(snapshot.baselines)
    result = {
        "preset": preset.name if preset else None,
        "iterations": trainer.iteration,
        "seconds": round(seconds, 3),
        "steps_per_second": round(steps / seconds, 1) if seconds > 0 else None,
        "train_loss": snapshot.loss,
        "evaluation": evaluation,
        "baselines": baselines,
        "num_parameters": snapshot.num_parameters,
        "diverged": trainer.diverged or None,
    }
    if preset is not None:
        result["goal"] = preset.goal.describe()
        result["goal_reached"] = goal_reached(preset.goal, evaluation, baselines)
    if args.out:
        try:
            result["out"] = str(save_session(trainer, args.out))
        except OSError as error:
            raise UsageError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(json.dumps(result))
    return 0


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


def _check_preset(name: str | None) -> None:
    if name is None:
        return
    from rnnviz.training.presets import PresetError, load_preset

    try:
        load_preset(name)
    except PresetError as error:
        raise UsageError(str(error)) from None


def _launch_window(args: argparse.Namespace) -> int:
    """Open the live window (or measure it with --benchmark)."""
    _check_preset(args.window_preset)
    if args.benchmark is not None:
        if args.benchmark <= 0:
            raise UsageError(f"--benchmark takes a number of seconds above 0, got {args.benchmark}")
        from rnnviz.gui.app import run_benchmark

        print(json.dumps(run_benchmark(args.window_preset or "moving_ball", args.benchmark)))
        return 0
    from rnnviz.gui.app import run_window

    return run_window(args.window_preset, args.autostart)


def _render(args: argparse.Namespace) -> int:
    _check_preset(args.preset)
    width, sep, height = args.size.lower().partition("x")
    if (
        not sep
        or not width.isdigit()
        or not height.isdigit()
        or int(width) < 200
        or int(height) < 150
    ):
        raise UsageError(
            f"--size takes WIDTHxHEIGHT in pixels (at least 200x150), got {args.size!r}"
        )
    from rnnviz.gui.app import PANELS, render
    from rnnviz.training.presets import load_preset

    if args.panel not in PANELS:
        raise UsageError(f"unknown panel {args.panel!r}; choose one of {', '.join(PANELS)}")
    steps = args.steps if args.steps is not None else load_preset(args.preset).steps
    if steps < 0:
        raise UsageError(f"--steps must be 0 or more, got {steps}")
    from rnnviz.training.config import ConfigError

    settings = _parse_settings(args.settings)
    try:
        result = render(
            args.preset, steps, args.out, args.panel, (int(width), int(height)), settings
        )
    except (OSError, ConfigError) as error:
        raise UsageError(str(error)) from None
    print(json.dumps(result))
    return 0


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
    try:
        if args.command == "info":
            print(json.dumps(_info(), indent=2))
            return 0
        if args.command == "presets":
            return _presets()
        if args.command == "train":
            return _train(args)
        if args.command == "render":
            return _render(args)
        return _launch_window(args)
    except UsageError as error:
        print(f"rnnviz: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rnnviz presets | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
