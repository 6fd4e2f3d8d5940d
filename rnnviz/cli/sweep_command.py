"""``rnnviz sweep``: accuracy against the delay N of the recall task, one line per cell, trained
headless in two worker processes; a progress bar on stderr as each run finishes, one JSON line
on stdout and, with ``--out``, the plot. Everything given is checked before anything trains; a
signal ends the workers with the command (``rnnviz.training.sweep_workers``)."""

from __future__ import annotations

import argparse
import math
import re
import time
from contextlib import closing

from rnnviz.cli.checks import check_writable
from rnnviz.cli.messages import UsageError, end_progress_line, print_json, progress_line
from rnnviz.cli.signals import Interrupted

__all__ = ["SWEEP_PICTURE_SIZE", "run_sweep_command"]

#: ``--out``'s size in pixels: a slide's, with room for the projector's fonts.
SWEEP_PICTURE_SIZE = (1280, 720)
#: The most cells in one sweep (the settings' four cells).
MAX_CELLS = 4
#: The worker processes: one per core of a classroom laptop.
WORKERS = 2

_SEED = re.compile(r"[0-9]{1,10}", re.ASCII)


def run_sweep_command(args: argparse.Namespace) -> int:
    """`rnnviz sweep`: its exit status (0; a bad input raises UsageError)."""
    from rnnviz.training.cell_list import cell_label, parse_cells
    from rnnviz.training.config import ConfigError
    from rnnviz.training.sweep import (
        DEFAULT_STEPS,
        MAX_SWEEP_STEPS,
        SweepPlan,
        parse_delays,
        run_sweep,
    )
    from rnnviz.training.sweep_workers import SweepWorkerError

    try:
        cells = parse_cells(args.cells, at_most=MAX_CELLS)
    except ValueError as error:
        raise UsageError(f"--cells: {error}") from None
    try:
        delays = parse_delays(args.delays)
    except ValueError as error:
        raise UsageError(f"--delays: {error}") from None
    seed_text = args.seed.strip()
    if not _SEED.fullmatch(seed_text) or int(seed_text) >= 2**32:
        raise UsageError(f"--seed takes a whole number from 0 to {2**32 - 1}, got {args.seed!r}")
    steps = DEFAULT_STEPS if args.steps is None else args.steps
    if steps > MAX_SWEEP_STEPS:
        raise UsageError(f"--steps takes 0 to {MAX_SWEEP_STEPS:,} updates per point, got {steps:,}")
    try:
        plan = SweepPlan(cells, delays, steps, int(seed_text))
        plan.check()
    except (ValueError, ConfigError) as error:
        raise UsageError(str(error)) from None
    if args.out is not None:
        _check_picture(args.out)
    keys = [name.strip().lower() for name in args.cells.split(",")]  # "rnn" stays "rnn"
    start = time.perf_counter()
    table = [[math.nan] * len(delays) for _ in cells]
    total = len(cells) * len(delays)
    if not args.quiet:
        progress_line(0, total, "runs done")
    # closing(): an exception here (Ctrl+C, SIGTERM) closes the generator, which ends the workers
    with closing(run_sweep(plan, workers=WORKERS)) as points:
        try:
            for done, point in enumerate(points, 1):
                table[point.cell_index][point.delay_index] = point.accuracy
                if not args.quiet:
                    note = f"{cell_label(point.cell)} at N = {point.delay}: {point.accuracy:.2f}"
                    progress_line(done, total, note.ljust(32))  # over a longer one before
        except SweepWorkerError as error:
            raise UsageError(str(error)) from None
    end_progress_line()
    result = {
        "delays": list(delays),
        "accuracy": {key: [_rounded(a) for a in row] for key, row in zip(keys, table, strict=True)},
        "chance": plan.chance,
        "steps": steps,
        "seed": plan.seed,
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.out is not None:
        result["out"] = _draw(plan, table, args.out)
    print_json(result)
    return 0


def _rounded(accuracy: float) -> float:
    return round(accuracy, 4) if math.isfinite(accuracy) else accuracy


def _check_picture(out: str) -> None:
    """Refuse, before any training, a file that cannot be written or names no picture format."""
    from rnnviz.gui.app import image_formats

    path = check_writable(out)
    formats = image_formats()
    if path.suffix.lower().lstrip(".") not in formats:
        raise UsageError(
            f"--out {out!r}: the picture's format follows the file's extension; "
            f"use one of {', '.join('.' + f for f in formats)}"
        )


def _draw(plan, table: list[list[float]], out: str) -> str:
    """Draw the sweep's plot to ``out``; its path."""
    from rnnviz.gui.quit_signals import SignalReceived
    from rnnviz.gui.sweep.picture import save_sweep_picture

    try:
        save_sweep_picture(plan, table, out, SWEEP_PICTURE_SIZE)
    except OSError as error:
        raise UsageError(str(error)) from None
    except SignalReceived as stop:  # noted while Qt painted; the picture was not written
        raise Interrupted(stop.signum) from None
    return out
