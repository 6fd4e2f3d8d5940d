"""The ``rnnviz`` command's arguments: its commands and options, their help, and the checks of
each value argparse makes as it reads it (``--steps``, ``--benchmark``, names that may not be
empty). An argparse error is one line ``rnnviz: …`` and status 2, like every other bad input
(``RnnvizParser.error``)."""

from __future__ import annotations

import argparse
import math
import re

import rnnviz
from rnnviz.cli.messages import one_line
from rnnviz.gui import THEMES

__all__ = [
    "DEFAULT_PRESET",
    "MAX_BENCHMARK_SECONDS",
    "MAX_SIDE",
    "MAX_STEPS",
    "MIN_SIZE",
    "RnnvizParser",
    "build_parser",
]

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


class RnnvizParser(argparse.ArgumentParser):
    """argparse with usage errors as one line ``rnnviz: …`` (argparse prints the usage and
    the error on two), pointing to ``--help`` for the rest."""

    def error(self, message: str) -> None:
        self.exit(2, f"rnnviz: {one_line(message)} (see `{self.prog} --help`)\n")


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


def _cells(text: str) -> tuple:
    """2 or 3 cells, as ``rnnviz.training.cell_list.parse_cells`` reads them."""
    from rnnviz.training.cell_list import parse_cells

    try:
        cells = parse_cells(text, at_most=3)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if len(cells) < 2:
        raise argparse.ArgumentTypeError(f"compare at least two cells, e.g. rnn,lstm; got {text!r}")
    return cells


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


def build_parser() -> argparse.ArgumentParser:
    """The parser of `rnnviz` and of each of its commands."""
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
        "--compare",
        type=_cells,
        default=None,
        metavar="CELLS",
        help="open in compare mode: the lesson with each of these cells side by side, e.g. "
        "rnn,lstm,gru (2 or 3 of rnn, rnn_tanh, rnn_relu, lstm, gru; rnn means rnn_tanh)",
    )
    parser.add_argument(
        "--present",
        action="store_true",
        help="open in presentation mode: full screen, settings hidden, larger type (F11)",
    )
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
            "(PNG, JPEG, ..., or SVG: the format follows the file's extension). One JSON line "
            "goes to stdout."
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
        help="the picture to write; its extension picks the format: .png, .jpg, .bmp, .webp, "
        "..., or .svg (a vector picture; heat maps are embedded in it as images)",
    )
    render.add_argument(
        "--panel",
        default="window",
        metavar="NAME",
        help="what to draw: window, demo, hidden, gates, gradient, loss, diagram (the network "
        "unrolled, the steps around the middle time step) or equations (the cell's equations "
        "with their values at the middle time step, unit 0 of layer 1) (default: window)",
    )
    render.add_argument(
        "--animate",
        action="store_true",
        help="with --panel diagram and a .gif --out: an animated GIF of one update, the forward "
        "pass and then the gradient flowing back through time (BPTT)",
    )
    render.add_argument(
        "--compare",
        type=_cells,
        default=None,
        metavar="CELLS",
        help="draw compare mode instead: the lesson trained with each of these cells (2 or 3, "
        "e.g. rnn,lstm,gru), side by side",
    )
    render.add_argument(
        "--theme",
        choices=THEMES,
        default=THEMES[0],
        metavar="|".join(THEMES),
        help="projector: the window in presentation mode, settings hidden, larger type "
        "(default: default)",
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
    _add_sweep(commands)
    return parser


def _add_sweep(commands) -> None:
    """``rnnviz sweep``: its defaults are ``rnnviz.training.sweep``'s (checked there too)."""
    sweep = commands.add_parser(
        "sweep",
        help="accuracy against the delay of the recall task, one line per cell, as JSON",
        description=(
            "Train each cell on the vanishing-gradient lesson's recall task at each delay N and "
            "measure how often it recalls the symbol N steps back. Progress goes to stderr; one "
            "JSON line goes to stdout."
        ),
    )
    sweep.add_argument(
        "--cells",
        default="rnn,lstm,gru",
        metavar="LIST",
        help="the cells, e.g. rnn,lstm,gru (rnn is the tanh RNN; default: these three)",
    )
    sweep.add_argument(
        "--delays",
        default="5,10,20,40",
        metavar="LIST",
        help="the delays N, in steps between the symbol and the cue (default: 5,10,20,40)",
    )
    sweep.add_argument(
        "--steps",
        type=_steps,
        default=None,
        metavar="N",
        help="updates per cell and delay (default: the sweep's own, given in the JSON line)",
    )
    sweep.add_argument("--seed", default="0", metavar="S", help="seeds every run (default: 0)")
    sweep.add_argument(
        "--out",
        type=_file_name,
        default=None,
        metavar="FILE",
        help="also draw the plot to this picture; its extension picks the format (.png, .svg, …)",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
