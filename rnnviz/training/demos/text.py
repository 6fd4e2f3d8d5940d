"""What the window's text demo asks of the character model, through the training layer.

The window never imports a task module. The text demo's keyboard, scorer and sampler use the
functions of ``rnnviz.tasks.language_model`` (re-exported here) with the model a
``rnnviz.training.inference.SnapshotModel`` builds from a snapshot, and the vocabulary the
snapshot states (:func:`vocabulary`); its "Open text file…" checks a file with
:func:`read_text_file`.
"""

from __future__ import annotations

import os

from rnnviz.tasks.corpora import CorpusError, load_text_file
from rnnviz.tasks.language_model import (
    START,
    Continuation,
    char_log_probs,
    greedy_completion,
    next_char_distribution,
    sampling,
    sentence_log_prob,
)
from rnnviz.tasks.text import TextTask
from rnnviz.tasks.vocabulary import Vocabulary
from rnnviz.training.snapshot import Snapshot

__all__ = [
    "START",
    "Continuation",
    "CorpusError",
    "Vocabulary",
    "char_log_probs",
    "greedy_completion",
    "next_char_distribution",
    "read_text_file",
    "sampling",
    "sentence_log_prob",
    "vocabulary",
]


def vocabulary(snapshot: Snapshot) -> Vocabulary | None:
    """The characters of a character-model snapshot, code ``i`` being
    ``snapshot.task.symbols[i]``; None for a snapshot of another task."""
    if snapshot.task.name != TextTask.name or not snapshot.task.symbols:
        return None
    vocab = Vocabulary(snapshot.task.symbols)
    if vocab.chars != tuple(snapshot.task.symbols):  # a Vocabulary numbers them in sorted order
        raise ValueError("the snapshot's characters are not in the vocabulary's order")
    return vocab


def read_text_file(path: str | os.PathLike[str]) -> str:
    """The text of the file ``path`` if the character model can learn from it; else a
    CorpusError saying why (not a regular file, too large, binary, not UTF-8, too short …)."""
    text = load_text_file(path)
    TextTask.check_length(text, str(path))
    return text
