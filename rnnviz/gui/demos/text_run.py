"""The character-model run the text demo shows: the latest snapshot, its characters and a
private model at its weights, shared by the demo's parts (keyboard, scorer, samples, the
coloured example).
"""

from __future__ import annotations

import numpy as np

from rnnviz.training.demos.text import Vocabulary, training_text, vocabulary
from rnnviz.training.inference import SnapshotModel

__all__ = ["BIDIRECTIONAL_NOTE", "TextRun"]

BIDIRECTIONAL_NOTE = (
    "This network is bidirectional: it also reads the text from the end, so it is not a "
    "language model and these guesses mean little. Turn 'bidirectional' off."
)


class TextRun:
    """What the text demo's parts read of the latest character-model snapshot.

    Attributes
    ----------
    snapshot : Snapshot or None
        The latest snapshot shown.
    vocab : Vocabulary or None
        Its characters (``snapshot.task.symbols``); None before a character-model snapshot
        or after one of another task.
    codes : ndarray, (T,) int64
        The example text's character codes.
    """

    def __init__(self) -> None:
        self.snapshot = None
        self.vocab: Vocabulary | None = None
        self.codes = np.zeros(0, np.int64)
        self._model = SnapshotModel()  # keyboard, scorer, sampler (the sampler runs a copy)
        self._run_id: int | None = None
        self._training_text: str | None = None
        self._training_text_run: int | None = None  # the run it was rebuilt for

    def show(self, snapshot) -> bool:
        """Read ``snapshot``; True when it begins a new character-model run (or the first),
        whose guesses should be shown at once. A snapshot of another task clears the run."""
        self.snapshot = snapshot
        new = snapshot.run_id != self._run_id or self.vocab is None
        if new:
            self._run_id = snapshot.run_id
            self.vocab = vocabulary(snapshot) if "text" in snapshot.predictions else None
        if self.vocab is None:
            self.codes = np.zeros(0, np.int64)
            return False
        self.codes = np.asarray(snapshot.predictions["text"], dtype=np.int64)
        return new

    @property
    def ready(self) -> bool:
        return self.snapshot is not None and self.vocab is not None

    def model(self):
        """The private model at the latest weights, or None."""
        if not self.ready:
            return None
        return self._model.update(self.snapshot)

    def training_text(self) -> str | None:
        """The text the run's model trained on (``training.demos.text.training_text``), rebuilt
        once per run; None when it cannot be told for sure (a large or changed file)."""
        if not self.ready:
            return None
        if self._training_text_run != self._run_id:
            self._training_text_run = self._run_id
            self._training_text = training_text(self.snapshot)
        return self._training_text

    def language_note(self) -> str:
        """Why the guesses mean little, when they do (a bidirectional network); else ""."""
        if self.snapshot is None or self.snapshot.layout.directions < 2:
            return ""
        return BIDIRECTIONAL_NOTE
