"""The delay sweep: how far back each cell can remember, as accuracy against the delay N.

For every cell and every delay N the recall task of the vanishing-gradient lesson is trained
from scratch for the same number of updates, with the same seed, and scored on held-out
sequences whose gap is the full N (the lesson's own figure, ``accuracy_full_gap``). A vanilla
RNN falls to chance (1/K) as N grows; LSTM and GRU hold. No Qt::

    plan = SweepPlan(parse_cells("rnn,lstm,gru"), (5, 10, 20, 40), steps=1500)
    points = []
    for point in run_sweep(plan):         # one (cell, delay) at a time, as each run finishes
        points.append(point)              # point.cell, point.delay, point.accuracy
    table = accuracy_table(plan, points)  # a row per cell: its accuracy at each delay

Each point is a run of its own (``sweep_config``): the lesson's settings with ``task.delay`` =
N and ``seq_len`` = N + 2 (the preset's fit: one step for the symbol, one for the cue), the gaps
of the training sequences drawn from 1 … N (``vary_delay``, as in the lesson: with every gap at
N an LSTM, whose untrained forget gate halves its memory each step, has no short gap to learn
holding on from, and stays at chance as well). Points are independent and seeded alike, so
the results do not depend on the order they are trained in or on how many processes train
them (``rnnviz.training.sweep_workers``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from rnnviz.tasks.recall import MAX_DELAY
from rnnviz.training.config import TrainConfig
from rnnviz.training.presets import load_preset
from rnnviz.training.settings import Cell
from rnnviz.training.sweep_workers import run_jobs, train_point

__all__ = [
    "DEFAULT_CELLS",
    "DEFAULT_DELAYS",
    "DEFAULT_STEPS",
    "MAX_DELAYS",
    "MAX_SWEEP_STEPS",
    "SWEEP_PRESET",
    "SweepPlan",
    "SweepPoint",
    "accuracy_table",
    "parse_delays",
    "run_sweep",
    "sweep_config",
]

#: The lesson whose task and settings the sweep varies.
SWEEP_PRESET = "vanishing_gradient"
#: What the sweep compares when nothing else is asked for.
DEFAULT_CELLS = "rnn,lstm,gru"
DEFAULT_DELAYS = (5, 10, 20, 40)
#: Updates per point by default. Measured with the default cells and delays (seeds 0, 1, 2; the
#: accuracy at N = 5, 10, 20, 40): the RNN [1, 1, .50, .08], [1, 1, .50, .06], [1, .63, .18,
#: .20]; LSTM and GRU 1.0 at every delay; 14–16 s on two cores. With 1,000 the LSTM was not
#: yet sure at N = 40 (0.87 with seed 0); with 2,000 or more the RNN began to learn it (0.12 to
#: 0.26).
DEFAULT_STEPS = 1500
#: The most delays in one sweep: each is a run per cell, and the picture has room for no more.
MAX_DELAYS = 12
#: The most updates per point: a typo's extra digits are refused rather than trained for days
#: (twelve delays of three cells at 40 steps' sequences take about a minute per 1,000 updates).
MAX_SWEEP_STEPS = 100_000

_DELAY = re.compile(r"[0-9]+", re.ASCII)


def parse_delays(text: str) -> tuple[int, ...]:
    """The delays in a comma-separated ``text`` ("5,10,20,40"), in its order.

    Raises
    ------
    ValueError
        With one short sentence: an empty list, a delay that is not a whole number from 1 to the
        task's MAX_DELAY, one named twice, or more than MAX_DELAYS of them.
    """
    parts = [part.strip() for part in str(text).split(",")]
    if not any(parts):
        raise ValueError("name at least one delay, e.g. 5,10,20,40")
    delays: list[int] = []
    for part in parts:
        if not _DELAY.fullmatch(part) or len(part) > 6 or not 1 <= int(part) <= MAX_DELAY:
            raise ValueError(
                f"a delay is a whole number of steps from 1 to {MAX_DELAY}, got {part!r}"
            )
        if int(part) in delays:
            raise ValueError(f"delay {int(part)} is named twice in {text!r}")
        delays.append(int(part))
    if len(delays) > MAX_DELAYS:
        raise ValueError(f"at most {MAX_DELAYS} delays at once; {text!r} names {len(delays)}")
    return tuple(delays)


def sweep_config(
    cell: Cell, delay: int, seed: int = 0, settings: Mapping[str, object] | None = None
) -> TrainConfig:
    """The configuration of one point: the lesson's, with ``cell``, the delay N, sequences
    N + 2 steps long, every gap from 1 to N in training, ``seed`` and any further dotted
    ``settings`` (e.g. a smaller ``model.hidden_size``), which may not override those.

    Raises
    ------
    ConfigError
        A setting that is unknown or out of range, or a run past the memory budget.
    """
    fixed = {
        "model.cell": Cell(cell).value,
        "task.delay": delay,
        "task.vary_delay": True,
        "seq_len": delay + 2,
        "seed": seed,
    }
    return load_preset(SWEEP_PRESET).config.with_settings({**(settings or {}), **fixed})


@dataclass(frozen=True)
class SweepPoint:
    """One finished run: ``cell`` trained at ``delay``, its ``accuracy`` at the full gap (NaN
    when it diverged: ``diverged`` says why), the seconds it took, and where it goes in the
    plan (``cell_index``, ``delay_index``)."""

    cell: Cell
    delay: int
    accuracy: float
    cell_index: int
    delay_index: int
    seconds: float
    diverged: str = ""


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep trains: each of ``cells`` at each of ``delays``, ``steps`` updates each,
    seeded by ``seed``, with further dotted ``settings`` on the lesson's (for tests: tiny
    hidden sizes)."""

    cells: tuple[Cell, ...]
    delays: tuple[int, ...]
    steps: int = DEFAULT_STEPS
    seed: int = 0
    settings: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.cells or not self.delays:
            raise ValueError("a sweep needs at least one cell and one delay")
        if not 0 <= self.steps <= MAX_SWEEP_STEPS:
            raise ValueError(f"a sweep takes 0 to {MAX_SWEEP_STEPS:,} updates per point")

    def points(self) -> list[tuple[int, int]]:
        """(cell index, delay index) of every point, in the order they are trained: shorter
        delays first, every cell at a delay before the next, so that the lines grow from left
        to right together."""
        by_delay = sorted(range(len(self.delays)), key=lambda j: self.delays[j])
        return [(i, j) for j in by_delay for i in range(len(self.cells))]

    def config(self, cell_index: int, delay_index: int) -> TrainConfig:
        return sweep_config(
            self.cells[cell_index], self.delays[delay_index], self.seed, self.settings
        )

    def check(self) -> None:
        """Build every point's configuration once: a bad setting or a run past the memory
        budget raises its ConfigError before anything is trained."""
        for i, j in self.points():
            self.config(i, j)

    @property
    def chance(self) -> float:
        """The accuracy of guessing, 1/K: where a network that forgot ends."""
        return 1.0 / self.config(0, 0).task_params.symbols


def accuracy_table(plan: SweepPlan, points: Iterable[SweepPoint]) -> list[list[float]]:
    """The accuracies as rows, one per cell of the plan, each in the order of its delays (NaN
    where a point is missing or diverged)."""
    table = np.full((len(plan.cells), len(plan.delays)), np.nan)
    for point in points:
        table[point.cell_index, point.delay_index] = point.accuracy
    return table.tolist()


def run_sweep(
    plan: SweepPlan, workers: int = 2, keep_going: Callable[[], bool] | None = None
) -> Iterator[SweepPoint]:
    """Train every point of ``plan``, yielding each as its run finishes.

    Parameters
    ----------
    workers : int
        0: train here, one point after the other (a thread of the window, tests). 1 or more:
        that many worker processes, one BLAS thread each (``sweep_workers``); the points come
        in the order they finish. Closing the generator (or an exception in the caller's loop,
        once it closes it) ends the workers.
    keep_going : callable, optional
        Asked between updates and while waiting; False stops the sweep (no more points).

    Raises
    ------
    ConfigError
        Before anything trains, for a setting that is not valid.
    SweepWorkerError
        A worker process that ended unexpectedly or failed (``sweep_workers``).
    """
    plan.check()
    order = plan.points()
    if workers > 0:
        jobs = [(plan.config(i, j), plan.steps) for i, j in order]
        for k, outcome, seconds in run_jobs(jobs, workers, keep_going):
            yield point_of(plan, *order[k], outcome, seconds)
        return
    for i, j in order:
        start = time.perf_counter()
        outcome = train_point(plan.config(i, j), plan.steps, keep_going)
        if outcome is None:
            return
        yield point_of(plan, i, j, outcome, time.perf_counter() - start)


def point_of(
    plan: SweepPlan, i: int, j: int, outcome: tuple[float, str], seconds: float
) -> SweepPoint:
    """The SweepPoint of cell ``i`` at delay ``j`` of ``plan`` that ``train_point`` scored."""
    accuracy, diverged = outcome
    return SweepPoint(plan.cells[i], plan.delays[j], accuracy, i, j, seconds, diverged)
