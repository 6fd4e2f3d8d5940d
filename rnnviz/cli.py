"""The ``rnnviz`` command.

    rnnviz presets                                   list the lessons
    rnnviz train --preset NAME --steps N [--out F]   train headless, print one JSON line
                 [--set key=value ...]
    rnnviz info                                      versions and resource folder, as JSON
    rnnviz [--preset NAME] [--autostart]             open the window
    rnnviz render --preset NAME --steps N --out F.png [--panel NAME] [--size WxH]
    rnnviz --preset NAME --benchmark SECONDS         measure the live window, print JSON

Every --preset defaults to the lesson the window opens on. What goes to stdout is strict JSON
(no NaN: a loss not yet measured is null). This module must stay importable without Qt: the
window's code is imported only when it opens.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

import rnnviz
from rnnviz.resources import presets_dir, resources_root

__all__ = ["main"]

#: the lesson the window opens on, and so what every command trains when no --preset is given
DEFAULT_PRESET = "moving_ball"
#: ``render --size`` limits. Below the minimum the views have no room for their plots; above the
#: maximum the offscreen picture grows past what Qt reads back by default (256 MB) and, far above
#: it, past what Qt can paint at all (99999x99999 crashed the process).
MIN_SIZE = (200, 150)
MAX_SIDE = 8192


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnviz",
        description="Watch a recurrent neural network (RNN, LSTM, GRU) learn, live.",
        epilog="`rnnviz COMMAND --help` explains each command.",
    )
    parser.add_argument("--version", action="version", version=f"rnnviz {rnnviz.__version__}")
    parser.add_argument(
        "--preset",
        dest="window_preset",
        default=None,
        metavar="NAME",
        help=f"open the window on this lesson (default: {DEFAULT_PRESET}; see `rnnviz presets`)",
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
    start = train.add_mutually_exclusive_group()
    start.add_argument(
        "--preset",
        default=None,
        metavar="NAME",
        help=f"the lesson to train, from `rnnviz presets` (default: {DEFAULT_PRESET})",
    )
    start.add_argument(
        "--open",
        dest="open_path",
        default=None,
        metavar="FILE",
        help="continue the session saved in this .rnnviz file instead",
    )
    train.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help="updates to make; 0 only evaluates (default: the lesson's own number, "
        "listed by `rnnviz presets`; 500 after --open)",
    )
    train.add_argument(
        "--out", default=None, metavar="FILE", help="save the session to this .rnnviz file"
    )
    train.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a setting, e.g. model.hidden_size=64 or optim.lr=0.003 (repeatable)",
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    render = commands.add_parser(
        "render",
        help="train headless, then draw the window (or one view) to a picture file",
        description=(
            "Train headless, then draw the window or one view offscreen to a picture file "
            "(PNG, JPEG, ...: the format follows the file's extension). One JSON line goes to "
            "stdout."
        ),
    )
    render.add_argument(
        "--preset",
        default=None,
        metavar="NAME",
        help=f"the lesson to train and draw, from `rnnviz presets` (default: {DEFAULT_PRESET})",
    )
    render.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help="updates to train before drawing; 0 draws the untrained network "
        "(default: the lesson's own number, listed by `rnnviz presets`)",
    )
    render.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the picture to write; its extension picks the format: .png, .jpg, .bmp, .webp, ...",
    )
    render.add_argument(
        "--panel",
        default="window",
        metavar="NAME",
        help="what to draw: window, demo, hidden, gates, gradient or loss (default: window)",
    )
    render.add_argument(
        "--size",
        default="1800x1000",
        metavar="WxH",
        help=f"width x height in pixels, from {MIN_SIZE[0]}x{MIN_SIZE[1]} to "
        f"{MAX_SIDE}x{MAX_SIDE} (default: 1800x1000)",
    )
    render.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a setting of the lesson, as for `rnnviz train` (repeatable)",
    )
    return parser


class UsageError(Exception):
    """A bad preset name, setting or file: one line for the user, exit status 2."""


def _presets() -> int:
    from rnnviz.training.presets import list_presets

    for preset in list_presets():
        print(f"{preset.name:<22} {preset.title} ({preset.steps} updates)")
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


def _readable_settings(config) -> str:
    """What ``--set`` takes for this config's task, grouped, for an error message."""
    from rnnviz.training.config import known_settings

    names = known_settings(config)
    groups = [
        [n for n in names if n.startswith("model.")],
        [n for n in names if n.startswith("optim.")],
        [n for n in names if "." not in n],
    ]
    own = [n for n in names if n.startswith("task.")]
    text = "; ".join(", ".join(group) for group in groups if group)
    if own:
        text += f"; for the {config.task.value} task: {', '.join(own)}"
    return text


def _with_settings(config, settings: dict[str, str]):
    """``config`` with the ``--set`` settings applied in order (``task=...`` changes which
    ``task.*`` names exist). An unknown name lists the ones a user can set."""
    from rnnviz.training.config import known_settings

    for key, value in settings.items():
        if key not in known_settings(config):
            raise UsageError(f"unknown setting {key!r}; you can set {_readable_settings(config)}")
        config = config.with_settings({key: value})
    return config


def _finite(value: object) -> object:
    """``value`` with NaN and infinities as None: JSON has no such numbers (Python would write
    ``NaN``, which strict JSON readers refuse). The loss before the first update is NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _print_json(result: dict, indent: int | None = None) -> None:
    print(json.dumps(_finite(result), allow_nan=False, indent=indent))


def _progress(done: int, total: int, loss: float, width: int = 30) -> None:
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total}  loss {loss:.4f}", end="", file=sys.stderr, flush=True)


def _train(args: argparse.Namespace) -> int:
    import time

    from rnnviz.training.config import ConfigError
    from rnnviz.training.presets import PresetError, goal_reached, load_preset
    from rnnviz.training.sessions import SessionError, load_session, save_session
    from rnnviz.training.trainer import Trainer

    settings = _parse_settings(args.settings)
    preset = None
    try:
        if args.open_path:
            trainer = load_session(args.open_path)
            if settings:
                trainer.update(_with_settings(trainer.config, settings))
        else:
            preset = load_preset(args.preset or DEFAULT_PRESET)
            trainer = Trainer(_with_settings(preset.config, settings))
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
    _print_json(result)
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

        _print_json(run_benchmark(args.window_preset or DEFAULT_PRESET, args.benchmark))
        return 0
    from rnnviz.gui.app import run_window

    return run_window(args.window_preset or DEFAULT_PRESET, args.autostart)


def _size(text: str) -> tuple[int, int]:
    """``render --size``: WIDTHxHEIGHT within MIN_SIZE and MAX_SIDE."""
    width, sep, height = text.lower().partition("x")
    if (
        sep
        and width.strip().isdigit()
        and height.strip().isdigit()
        and MIN_SIZE[0] <= int(width) <= MAX_SIDE
        and MIN_SIZE[1] <= int(height) <= MAX_SIDE
    ):
        return int(width), int(height)
    raise UsageError(
        f"--size takes WIDTHxHEIGHT in pixels, from {MIN_SIZE[0]}x{MIN_SIZE[1]} "
        f"to {MAX_SIDE}x{MAX_SIDE}, got {text!r}"
    )


def _render(args: argparse.Namespace) -> int:
    preset_name = args.preset or DEFAULT_PRESET
    _check_preset(preset_name)
    size = _size(args.size)
    from rnnviz.gui.app import PANELS, image_formats, render
    from rnnviz.training.config import ConfigError
    from rnnviz.training.presets import load_preset

    if args.panel not in PANELS:
        raise UsageError(f"unknown panel {args.panel!r}; choose one of {', '.join(PANELS)}")
    # checked before training, which can take minutes
    out = Path(args.out)
    formats = image_formats()
    if out.suffix.lower().lstrip(".") not in formats:
        raise UsageError(
            f"--out {args.out!r}: the picture's format follows the file's extension; "
            f"use one of {', '.join('.' + f for f in formats)}"
        )
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: there is no folder {out.parent}")
    preset = load_preset(preset_name)
    steps = args.steps if args.steps is not None else preset.steps
    if steps < 0:
        raise UsageError(f"--steps must be 0 or more, got {steps}")
    settings = _parse_settings(args.settings)
    try:
        _with_settings(preset.config, settings)  # a bad setting is refused before training
        result = render(preset_name, steps, args.out, args.panel, size, settings)
    except (OSError, ConfigError) as error:
        raise UsageError(str(error)) from None
    _print_json(result)
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
            _print_json(_info(), indent=2)
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
