"""What every lesson's task provides: batches of sequences, a loss, metrics and baselines.

A task turns the lecture's examples into arrays, time-major like the layers:

    x        (T, B, I)   inputs, float32
    targets  (T, B)      class indices (classification)   or   (T, B, O) values (regression)
    mask     (T, B)      which positions count in the loss and the metrics (None: all)

The model maps x to outputs (T, B, O) (logits or values); the task scores them. Baselines are
the numbers the audience compares the curves with ("chance", "snapshot model", "bigram").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import ClassVar, TypeVar

import numpy as np

from rnnviz.core.losses import mean_squared_error, softmax_cross_entropy
from rnnviz.tasks.facts import Baseline, TaskFacts

#: A task's own facts: a subclass of TaskFacts.
FactsT = TypeVar("FactsT", bound=TaskFacts)

__all__ = ["Batch", "Task"]


@dataclass(frozen=True)
class Batch:
    """One batch of sequences.

    Attributes
    ----------
    x : ndarray, (T, B, I)
        Inputs.
    targets : ndarray, (T, B) int64 or (T, B, O) float32
        What the model should output at each step.
    mask : ndarray, (T, B), or None
        Weights of the positions that count (e.g. only the last step of a recall sequence).
    extra : mapping
        Task-specific arrays the views draw (ball positions, the text of the sequence, …).
    """

    x: np.ndarray
    targets: np.ndarray
    mask: np.ndarray | None = None
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def seq_len(self) -> int:
        return self.x.shape[0]

    @property
    def batch_size(self) -> int:
        return self.x.shape[1]


class Task(ABC):
    """A learning task. Subclasses set ``name``, ``kind``, ``input_size`` and ``output_size``.

    ``kind`` is "classification" (outputs are logits over ``output_size`` classes, scored by
    softmax cross-entropy) or "regression" (outputs are values, scored by mean squared error).
    ``carries_state`` is True when consecutive batches continue the same sequences, so that the
    trainer carries the hidden state across them (truncated back-propagation through time).
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    carries_state: ClassVar[bool] = False
    #: The figure each key of ``baselines()`` is a reference for, where it is not the loss
    #: ("chance" is always one for the accuracy).
    baseline_metrics: ClassVar[Mapping[str, str]] = {}
    #: What each baseline is, in one clause, for a tooltip.
    baseline_help: ClassVar[Mapping[str, str]] = {
        "chance": "the accuracy of guessing at random",
    }
    input_size: int
    output_size: int

    @abstractmethod
    def batch(self, rng: np.random.Generator, batch_size: int, seq_len: int) -> Batch:
        """Draw a batch of ``batch_size`` sequences of ``seq_len`` steps.

        Parameters
        ----------
        rng : numpy Generator
            The only source of randomness: the same seed gives the same batch.
        batch_size : int
            B ≥ 1.
        seq_len : int
            T, the steps per sequence (a task says what it needs, or that its own settings
            fix the length).

        Returns
        -------
        Batch
            The arrays of the module docstring.
        """

    def sequence_length(self, requested: int) -> int:
        """The number of steps this task's sequences have when ``requested`` are asked for
        (tasks whose length is fixed by their own settings override this)."""
        return requested

    def state(self) -> dict[str, np.ndarray]:
        """Plain arrays of any state the task keeps between batches (saved with a session)."""
        return {}

    def load_state(self, state: Mapping[str, np.ndarray]) -> None:
        """Restore ``state()``; raises ValueError if it does not fit."""
        if state:
            raise ValueError(f"the {self.name} task keeps no state, got {sorted(state)[0]!r}")

    def note(self) -> str:
        """What the user should be told about the data, in one clause (e.g. that rare
        characters of a text file were folded into one symbol); "" when nothing."""
        return ""

    def example(self, rng: np.random.Generator, seq_len: int) -> Batch:
        """The single sequence the views show while training (B = 1); fixed for a run."""
        return self.batch(rng, 1, seq_len)

    def loss(self, outputs: np.ndarray, batch: Batch) -> tuple[float, np.ndarray]:
        """The training loss and its gradient with respect to ``outputs`` (T, B, O)."""
        if self.kind == "classification":
            return softmax_cross_entropy(outputs, batch.targets, batch.mask)
        return mean_squared_error(outputs, batch.targets, batch.mask)

    @abstractmethod
    def metrics(self, outputs: np.ndarray, batch: Batch) -> dict[str, float]:
        """The lesson's figures for these outputs, e.g. ``{"accuracy": 0.93}``."""

    def baselines(self) -> dict[str, float]:
        """Reference values of the loss or metrics that the curves are compared with."""
        return {}

    def symbols(self) -> tuple[str, ...]:
        """The names of the classes, in index order (empty for real-valued data)."""
        return ()

    def metric_labels(self) -> dict[str, str]:
        """{metric: the words a reader sees for it}, where its key alone reads badly."""
        return {}

    def facts(self) -> TaskFacts:
        """What the views need to know about this task (see ``rnnviz.tasks.facts``)."""
        return TaskFacts(
            name=self.name,
            kind=self.kind,
            symbols=self.symbols(),
            baselines=self.baseline_records(),
            metric_labels=tuple(self.metric_labels().items()),
        )

    def facts_with(self, kind: type[FactsT], **more) -> FactsT:
        """This task's common facts (``Task.facts``) as a ``kind``, a TaskFacts subclass, with
        the fields only it has set from ``more``."""
        base = Task.facts(self)
        return kind(**{f.name: getattr(base, f.name) for f in fields(base)}, **more)

    def baseline_records(self) -> tuple[Baseline, ...]:
        """``baselines()`` with, for each, the figure it is drawn against and its help."""
        records = []
        for name, value in self.baselines().items():
            default = "accuracy" if name == "chance" else "loss"
            metric = self.baseline_metrics.get(name, default)
            records.append(Baseline(name, float(value), metric, self.baseline_help.get(name, "")))
        return tuple(records)

    def predictions(self, outputs: np.ndarray, batch: Batch) -> dict[str, np.ndarray]:
        """What the demo view draws for these outputs (predicted positions, top characters…)."""
        return {}
