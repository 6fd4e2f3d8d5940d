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

Every bad input is one line ``rnnviz: …`` on stderr and exit status 2, checked before anything
is trained or written: argparse's own errors too (``RnnvizParser.error``). Ctrl+C (SIGINT) and
SIGTERM end a command with one line and status 130 or 143 (128 + the signal's number), never a
traceback; ``rnnviz train`` first finishes the update under way and saves the run if ``--out``
was given (a second signal ends it at once).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import rnnviz
from rnnviz.files import NotARegularFileError, check_output_path
from rnnviz.resources import presets_dir, resources_root

__all__ = ["main"]

#: the lesson the window opens on, and so what every command trains when no --preset is given
DEFAULT_PRESET = "moving_ball"
#: ``render --size`` limits. Below the minimum the views have no room for their plots; above the
#: maximum the offscreen picture grows past what Qt reads back by default (256 MB) and, far above
#: it, past what Qt can paint at all (99999x99999 crashed the process).
MIN_SIZE = (200, 150)
MAX_SIDE = 8192
#: The most updates ``--steps`` takes: about 14 hours at the fastest lesson's 200 updates per
#: second, more than any lesson needs (the presets take 3,000 at most), and a typo such as an
#: extra digit is refused instead of training until the machine is switched off.
MAX_STEPS = 10_000_000
#: ``--benchmark`` takes more than 0 and at most this many seconds (an hour).
MAX_BENCHMARK_SECONDS = 3600.0

# Plain ASCII numbers only: ``str.isdigit`` and ``int``/``float`` also take superscripts,
# full-width and other scripts' digits ("²", "１２"), and ``float`` takes nan, inf and 1_000.
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_SIZE = re.compile(r"([0-9]+)x([0-9]+)", re.ASCII)
#: The longest message line rnnviz prints; a longer one (a huge value quoted back) keeps its
#: start and its end, joined by "…".
MAX_MESSAGE = 600
#: Characters that would break the one line or be invisible: shown escaped, as Python writes
#: them (a path with a newline in it reads "/tmp/a\nb").
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    """``text`` as one line of at most MAX_MESSAGE characters."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    if len(text) > MAX_MESSAGE:
        text = f"{text[: MAX_MESSAGE - 160]} … {text[-150:]}"
    return text


def _say(text: str) -> None:
    """One line ``rnnviz: text`` on stderr, whatever ``text`` holds."""
    print(f"rnnviz: {_one_line(text)}", file=sys.stderr)


class RnnvizParser(argparse.ArgumentParser):
    """argparse with usage errors as one line ``rnnviz: …`` (argparse prints the usage and
    the error on two), pointing to ``--help`` for the rest."""

    def error(self, message: str) -> None:
        self.exit(2, f"rnnviz: {_one_line(message)} (see `{self.prog} --help`)\n")


def _steps(text: str) -> int:
    """``--steps``: a whole number of updates from 0 to MAX_STEPS, in ASCII digits."""
    text = text.strip()
    if not _WHOLE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"takes a whole number of updates, got {text!r}")
    steps = int(text)
    if not 0 <= steps <= MAX_STEPS:
        raise argparse.ArgumentTypeError(
            f"takes 0 to {MAX_STEPS:,} updates (0 only evaluates), got {steps:,}"
        )
    return steps


def _seconds(text: str) -> float:
    """``--benchmark``: a finite number of seconds above 0 and at most MAX_BENCHMARK_SECONDS."""
    text = text.strip()
    seconds = float(text) if _DECIMAL.fullmatch(text) else math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_BENCHMARK_SECONDS):
        raise argparse.ArgumentTypeError(
            f"takes a number of seconds above 0 and at most {MAX_BENCHMARK_SECONDS:g}, got {text!r}"
        )
    return seconds


def _preset_name(text: str) -> str:
    """``--preset``: a lesson's name (checked against the lessons later); never empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a lesson's name; `rnnviz presets` lists them")
    return text


def _file_name(text: str) -> str:
    """``--open`` and ``--out``: a file name; never empty."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name, got ''")
    return text


#: The epilog of ``rnnviz train --help``: the settings table's list, made when help is shown
#: (it imports the tasks, which every other command but the window's may not need).
_SETTINGS_LIST = "<the settings --set takes>"


class _SettingsHelpFormatter(argparse.HelpFormatter):
    """argparse's help, with ``_SETTINGS_LIST`` replaced by every setting ``--set`` takes,
    its values and its help (``rnnviz.training.settings.settings_help``)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text == _SETTINGS_LIST:
            from rnnviz.training.settings import settings_help

            return settings_help(width)
        return super()._fill_text(text, width, indent)


def _build_parser() -> argparse.ArgumentParser:
    parser = RnnvizParser(
        prog="rnnviz",
        description="Watch a recurrent neural network (RNN, LSTM, GRU) learn, live.",
        epilog="`rnnviz COMMAND --help` explains each command.",
    )
    parser.add_argument("--version", action="version", version=f"rnnviz {rnnviz.__version__}")
    parser.add_argument(
        "--preset",
        dest="window_preset",
        type=_preset_name,
        default=None,
        metavar="NAME",
        help=f"open the window on this lesson (default: {DEFAULT_PRESET}; see `rnnviz presets`)",
    )
    parser.add_argument("--autostart", action="store_true", help="start training at once")
    parser.add_argument(
        "--benchmark",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="train flat out with every view live for this many seconds (at most "
        f"{MAX_BENCHMARK_SECONDS:g}), then print JSON and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=RnnvizParser)
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
        epilog=_SETTINGS_LIST,
        formatter_class=_SettingsHelpFormatter,
    )
    start = train.add_mutually_exclusive_group()
    start.add_argument(
        "--preset",
        type=_preset_name,
        default=None,
        metavar="NAME",
        help=f"the lesson to train, from `rnnviz presets` (default: {DEFAULT_PRESET})",
    )
    start.add_argument(
        "--open",
        dest="open_path",
        type=_file_name,
        default=None,
        metavar="FILE",
        help="continue the session saved in this .rnnviz file instead",
    )
    train.add_argument(
        "--steps",
        type=_steps,
        default=None,
        metavar="N",
        help=f"updates to make, up to {MAX_STEPS:,}; 0 only evaluates (default: the lesson's "
        "own number, listed by `rnnviz presets`; 500 after --open)",
    )
    train.add_argument(
        "--out",
        type=_file_name,
        default=None,
        metavar="FILE",
        help="save the session to this .rnnviz file (also when Ctrl+C stops the training)",
    )
    train.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a setting, e.g. model.hidden_size=64 or optim.lr=0.003 (repeatable; "
        "every setting is listed below)",
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
        type=_preset_name,
        default=None,
        metavar="NAME",
        help=f"the lesson to train and draw, from `rnnviz presets` (default: {DEFAULT_PRESET})",
    )
    render.add_argument(
        "--steps",
        type=_steps,
        default=None,
        metavar="N",
        help="updates to train before drawing; 0 draws the untrained network "
        "(default: the lesson's own number, listed by `rnnviz presets`)",
    )
    render.add_argument(
        "--out",
        type=_file_name,
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


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM) ended a command; exit status 128 + its number.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way
    swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: The signals that stop a command: Ctrl+C, a polite kill, and a closed terminal (SIGHUP, where
#: the system has it: a dropped SSH session), each ending with 128 + its number.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _signal_word(signum: int) -> str:
    if signum == signal.SIGINT:
        return "interrupted"
    if signum == getattr(signal, "SIGHUP", None):
        return "stopped (the terminal closed)"
    return "terminated"


def _raise_interrupted(signum: int, frame: object) -> None:
    raise Interrupted(signum)


class _StopSignals:
    """While training: the first SIGINT, SIGTERM or SIGHUP asks for a stop after the update under
    way (``signum`` says which came), a second one ends at once (``Interrupted``). Once
    ``protect()`` is called (the run is being saved), further signals are only noted.
    Outside the main thread (where Python delivers signals) it does nothing."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._protected = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        elif not self._protected:
            raise Interrupted(signum)

    def protect(self) -> None:
        self._protected = True


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
    """``config`` with the ``--set`` settings applied, in order and together (so that what is
    checked of them as a whole, such as the memory a run needs or a text file's path, is
    checked once all are in). An unknown name lists the ones a user can set; ``task=...``
    changes which ``task.*`` names exist."""
    from dataclasses import replace

    from rnnviz.tasks.registry import TaskName
    from rnnviz.training.config import known_settings

    names = config  # the config whose task's settings are known at this point
    for key, value in settings.items():
        if key not in known_settings(names):
            raise UsageError(
                f"unknown setting {key!r}; you can set {_readable_settings(names)} "
                "(`rnnviz train --help` says what each takes)"
            )
        if key == "task":
            try:
                names = replace(names, task=TaskName(value.strip().lower()), task_params=None)
            except ValueError:
                break  # with_settings below says what is wrong with the task's name
    return config.with_settings(settings)


def _check_writable(text: str, what: str = "--out") -> Path:
    """The path ``text`` if rnnviz may write a file there: a regular file (replaced) or a
    new name in an existing folder. A folder, a pipe or a device is refused without being
    opened (writing would replace a device node, such as /dev/null as root, or wait forever
    on a pipe); checked before any training, so that minutes of it are not lost."""
    try:
        return check_output_path(text)
    except NotARegularFileError as error:
        raise UsageError(f"{what} {text} {error}") from None


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


# whether the progress bar's line on stderr waits for its end (a message then starts a new one)
_progress_line_open = False


def _progress(done: int, total: int, loss: float, width: int = 30) -> None:
    global _progress_line_open
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "-" * (width - filled)
    # .4g: a diverging loss of 1e30 stays one short number, not 31 digits
    print(f"\r[{bar}] {done}/{total}  loss {loss:.4g}", end="", file=sys.stderr, flush=True)
    _progress_line_open = True


def _end_progress_line() -> None:
    global _progress_line_open
    if _progress_line_open:
        print(file=sys.stderr)
        _progress_line_open = False


def _train(args: argparse.Namespace) -> int:
    import time

    from rnnviz.training.config import ConfigError
    from rnnviz.training.presets import PresetError, goal_reached, load_preset
    from rnnviz.training.sessions import SessionError, load_session, save_session
    from rnnviz.training.trainer import Trainer

    settings = _parse_settings(args.settings)
    if args.out is not None:
        _check_writable(args.out)
    preset = None
    try:
        if args.open_path is not None:
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
    if trainer.task.note():
        _say(f"note: {trainer.task.note()}")
    steps = args.steps if args.steps is not None else (preset.steps if preset else 500)
    start = time.perf_counter()
    first_iteration = trainer.iteration
    last_draw = 0.0
    # the signals stay caught to the end: a first one during the evaluation or the save lets
    # it finish and then saves (if asked), a second one ends at once, but never a save
    with _StopSignals() as stop:
        while trainer.iteration - first_iteration < steps and stop.signum is None:
            result = trainer.step()
            if result is None or not result.applied:
                break  # diverged: the result says why
            if not args.quiet and time.perf_counter() - last_draw >= 0.2:
                last_draw = time.perf_counter()
                _progress(trainer.iteration - first_iteration, steps, result.loss)
        seconds = time.perf_counter() - start
        done = trainer.iteration - first_iteration
        if stop.signum is None:
            snapshot = trainer.snapshot()
            if not args.quiet:
                _progress(done, steps, snapshot.loss)
                _end_progress_line()
            evaluation = trainer.evaluate()
        if stop.signum is not None:
            stop.protect()  # a second Ctrl+C must not cut the save short
            return _stopped(trainer, stop.signum, args.out, save_session)
        baselines = dict(snapshot.baselines)
        result = {
            "preset": preset.name if preset else None,
            "iterations": trainer.iteration,
            "seconds": round(seconds, 3),
            "steps_per_second": round(done / seconds, 1) if seconds > 0 else None,
            "train_loss": snapshot.loss,
            "evaluation": evaluation,
            "baselines": baselines,
            "num_parameters": snapshot.num_parameters,
            "diverged": trainer.diverged or None,
        }
        if hasattr(trainer.task, "folded_chars"):
            result["folded_chars"] = trainer.task.folded_chars
        if preset is not None:
            result["goal"] = preset.goal.describe()
            result["goal_reached"] = goal_reached(preset.goal, evaluation, baselines)
        if args.out:
            stop.protect()
            result["out"] = str(_save(trainer, args.out, save_session))
        _print_json(result)
        if stop.signum is not None:  # it came during the save, which went on to the end
            _say(f"{_signal_word(stop.signum)} while saving; saved to {result['out']}")
            return 128 + stop.signum
    return 0


def _save(trainer, out: str, save_session) -> Path:
    """``save_session``, its failures as one line."""
    from rnnviz.training.sessions import SessionError

    try:
        return save_session(trainer, out)
    except SessionError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error.strerror or error}") from None


def _stopped(trainer, signum: int, out: str | None, save_session) -> int:
    """After a signal stopped the training: save if asked, say so in one line."""
    _end_progress_line()
    where = f"{_signal_word(signum)} at iteration {trainer.iteration:,}"
    if out is None:
        _say(f"{where}; not saved (--out FILE saves the run)")
    else:
        _say(f"{where}; saved to {_save(trainer, out, save_session)}")
    return 128 + signum


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
    if args.benchmark is not None:  # a finite number of seconds in range (_seconds)
        from rnnviz.gui.app import run_benchmark

        _print_json(run_benchmark(args.window_preset or DEFAULT_PRESET, args.benchmark))
        return 0
    from rnnviz.gui.app import run_window

    return run_window(args.window_preset or DEFAULT_PRESET, args.autostart)


def _size(text: str) -> tuple[int, int]:
    """``render --size``: WIDTHxHEIGHT in ASCII digits, within MIN_SIZE and MAX_SIDE."""
    match = _SIZE.fullmatch("".join(text.lower().split()))
    if match and len(match[1]) <= 5 and len(match[2]) <= 5:  # int() of 4,301 digits raises
        width, height = int(match[1]), int(match[2])
        if MIN_SIZE[0] <= width <= MAX_SIDE and MIN_SIZE[1] <= height <= MAX_SIDE:
            return width, height
    raise UsageError(
        f"--size takes WIDTHxHEIGHT in pixels, from {MIN_SIZE[0]}x{MIN_SIZE[1]} "
        f"to {MAX_SIDE}x{MAX_SIDE}, got {text!r}"
    )


def _render(args: argparse.Namespace) -> int:
    preset_name = args.preset or DEFAULT_PRESET
    _check_preset(preset_name)
    size = _size(args.size)
    from rnnviz.gui.app import PANELS, image_formats, render
    from rnnviz.gui.quit_signals import SignalReceived
    from rnnviz.training.config import ConfigError
    from rnnviz.training.presets import load_preset

    if args.panel not in PANELS:
        raise UsageError(f"unknown panel {args.panel!r}; choose one of {', '.join(PANELS)}")
    # checked before training, which can take minutes
    out = _check_writable(args.out)
    formats = image_formats()
    if out.suffix.lower().lstrip(".") not in formats:
        raise UsageError(
            f"--out {args.out!r}: the picture's format follows the file's extension; "
            f"use one of {', '.join('.' + f for f in formats)}"
        )
    preset = load_preset(preset_name)
    steps = args.steps if args.steps is not None else preset.steps
    settings = _parse_settings(args.settings)
    try:
        _with_settings(preset.config, settings)  # a bad setting is refused before training
        result = render(preset_name, steps, args.out, args.panel, size, settings)
    except (OSError, ConfigError) as error:
        raise UsageError(str(error)) from None
    except SignalReceived as stop:  # noted while Qt painted; the picture was not written
        raise Interrupted(stop.signum) from None
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
    try:
        parser = _build_parser()
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
                    previous[sig] = signal.signal(sig, _raise_interrupted)
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
    _end_progress_line()
    _say(_signal_word(signum))
    return 128 + signum


def _run(args: argparse.Namespace) -> int:
    """The command ``args`` names; a UsageError becomes one line and status 2."""
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
        _end_progress_line()
        _say(str(error))
        return 2
    except BrokenPipeError:  # `rnnviz presets | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
