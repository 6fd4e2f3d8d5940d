"""What a task tells the window about itself, so that no view re-derives it.

Every snapshot carries its task's facts (``Snapshot.task``): plain, frozen, picklable records
with no NumPy arrays, read by the views and never computed by them.

``TaskFacts``        every task: its name and kind, the names of its symbols, its baselines
                     and the words its figures are shown with
``Baseline``         one reference line: its value and the figure it is drawn against
``RecallFacts``      + the delay, the symbols to remember and the distractors
``BallFacts``        + the arena and the throws (declared by the ball task)
``TextFacts``        + the vocabulary (declared by the text task)

A task that needs more than ``TaskFacts`` declares a subclass here and returns it from
``Task.facts()``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Baseline", "RecallFacts", "TaskFacts"]


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
