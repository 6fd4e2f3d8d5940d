"""What a task tells the window about itself, so that no view re-derives it.

Every snapshot carries its task's facts (``Snapshot.task``): plain, frozen, picklable records
with no NumPy arrays, read by the views and never computed by them.

``TaskFacts``        every task: its name and kind, the names of its symbols, its baselines
                     and the words its figures are shown with
``Baseline``         one reference line: its value and the figure it is drawn against
``RecallFacts``      + the delay, the symbols to remember and the distractors
``BallFacts``        + the mode, the direction sectors, the arena and the throws
``TextFacts``        + the n-gram tables' sizes and a fingerprint of the training text

A task that needs more than ``TaskFacts`` declares a subclass here and returns it from
``Task.facts()``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BallFacts", "Baseline", "NGramTable", "RecallFacts", "TaskFacts", "TextFacts"]


@dataclass(frozen=True)
class Baseline:
    """A reference value the curves are compared with.

    Attributes
    ----------
    name : str
        The task's key for it ("chance", "bigram", "linear_interpolation", …).
    value : float
        Its value, in the units of ``metric``.
    metric : str
        The figure it is a reference for: "loss" or one of the task's metric names.
    help : str
        What it is, in one clause, for a tooltip ("" when the name says it).
    """

    name: str
    value: float
    metric: str
    help: str = ""


@dataclass(frozen=True)
class TaskFacts:
    """The facts every task states about itself.

    Attributes
    ----------
    name : str
        The task's name in configs ("ball", "text", "alphabet", "recall", …).
    kind : str
        "classification" or "regression".
    symbols : tuple of str
        The names of the input and output classes, in index order (the alphabet's letters,
        the recall task's symbols, the text's characters); empty for real-valued data.
    baselines : tuple of Baseline
        The reference lines, in the task's order.
    metric_labels : tuple of (str, str)
        (metric name, the words a reader sees for it) where the name alone reads badly.
    """

    name: str
    kind: str
    symbols: tuple[str, ...] = ()
    baselines: tuple[Baseline, ...] = ()
    metric_labels: tuple[tuple[str, str], ...] = ()

    def baseline_values(self) -> dict[str, float]:
        """{name: value} of the baselines."""
        return {b.name: b.value for b in self.baselines}

    def label(self, metric: str) -> str:
        """The words for ``metric`` (or a baseline): the task's own, else its key without "_"."""
        return dict(self.metric_labels).get(metric, metric.replace("_", " "))


@dataclass(frozen=True)
class RecallFacts(TaskFacts):
    """The long-range recall task's facts.

    Attributes
    ----------
    delay : int
        The longest number of steps between the symbol and the cue.
    num_symbols : int
        K: ``symbols[:K]`` are the symbols to remember; then come the distractors, then the
        cue "?".
    """

    delay: int = 0
    num_symbols: int = 0


@dataclass(frozen=True)
class BallFacts(TaskFacts):
    """The moving-ball task's facts (``rnnviz.tasks.ball``): what the arena draws and what a
    ball thrown with the mouse needs.

    Attributes
    ----------
    mode : str
        "next", "snapshot" or "gap".
    directions : int
        D: the direction sectors the accuracy counts in (chance is 1/D).
    gap : int
        Frames the ball is hidden in "gap" mode.
    box : tuple of 4 floats
        The arena (x0, y0, x1, y1), in box widths: the unit square.
    warmup_frames : int
        Frames at the start of a "next" throw whose direction is not scored.
    speed_min, speed_max : float
        The speeds a ball is thrown at, box widths per frame.
    gravity : float
        Box widths per frame², towards y = 0.
    compass : bool
        Whether balls are thrown only along the sector centres.
    """

    mode: str = "next"
    directions: int = 8
    gap: int = 5
    box: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    warmup_frames: int = 1
    speed_min: float = 0.02
    speed_max: float = 0.04
    gravity: float = 0.0
    compass: bool = False


@dataclass(frozen=True)
class NGramTable:
    """The size of one n-gram table of the training text: what a Markov model of order n
    must store, against which the network's parameter count is set.

    Attributes
    ----------
    name : str
        "bigram", "trigram", "4-gram", …
    order : int
        n.
    entries : int
        How many different n-grams occur in the training text: the counts a table keeps.
    possible : int
        Vⁿ: how many it could have to keep, one per combination of n characters.
    """

    name: str
    order: int
    entries: int
    possible: int


@dataclass(frozen=True)
class TextFacts(TaskFacts):
    """The character model's facts.

    Attributes
    ----------
    ngram_tables : tuple of NGramTable
        The bigram, trigram and 4-gram tables of the training text.
    train_digest : str
        A fingerprint of the training text (``rnnviz.tasks.text.text_digest``): the window
        checks that a text it rebuilt from the configuration is the one the model read.
    """

    ngram_tables: tuple[NGramTable, ...] = ()
    train_digest: str = ""
