"""What the window's text demo asks of the character model, through the training layer.

The window never imports a task module. The text demo's keyboard, scorer and sampler use the
functions of ``rnnviz.tasks.language_model`` (re-exported here) with the model a
``rnnviz.training.inference.SnapshotModel`` builds from a snapshot, and the vocabulary the
snapshot states (:func:`vocabulary`); its "Open text file…" checks a file with
:func:`read_text_file`. The scorer's sentences (``WORD_ORDER``, ``WORD_CHOICE``) and the
keyboard's prompt (``KEYBOARD_PROMPT``) are those the classroom corpus holds out; whether a
sentence is in the text the model trained on is read from that text, rebuilt by
:func:`training_text`, with :func:`found_in`.
"""

from __future__ import annotations

import os

from rnnviz.tasks.classroom import KEYBOARD_PROMPT, WORD_CHOICE, WORD_ORDER
from rnnviz.tasks.corpora import CorpusError, check_text_file, load_text_file
from rnnviz.tasks.facts import TextFacts
from rnnviz.tasks.language_model import (
    START,
    Continuation,
    char_log_probs,
    greedy_completion,
    next_char_distribution,
    sampling,
    sentence_log_prob,
)
from rnnviz.tasks.text import CorpusName, TextTask, text_digest
from rnnviz.tasks.vocabulary import Vocabulary
from rnnviz.training.snapshot import Snapshot

__all__ = [
    "KEYBOARD_PROMPT",
    "REBUILD_MAX_BYTES",
    "START",
    "WORD_CHOICE",
    "WORD_ORDER",
    "Continuation",
    "CorpusError",
    "Vocabulary",
    "char_log_probs",
    "found_in",
    "greedy_completion",
    "next_char_distribution",
    "read_text_file",
    "sampling",
    "sentence_log_prob",
    "training_text",
    "vocabulary",
]

#: The window reads a text file again (to look sentences up in it) only up to this size: a
#: larger one would hold the window up while it is read.
REBUILD_MAX_BYTES = 2_000_000


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


def training_text(snapshot: Snapshot) -> str | None:
    """The text the snapshot's model trained on (the task's ``train_text``), rebuilt from the
    snapshot's configuration: the classroom grammar with its seed, the Zen, the standard
    library's source, or the file read again (at most ``REBUILD_MAX_BYTES``).

    Returns None when it cannot be told for sure: another task, a file too large, gone or
    changed since (the rebuilt text's ``text_digest`` differs from the snapshot's
    ``train_digest``).
    """
    facts = snapshot.task
    if not isinstance(facts, TextFacts) or not facts.train_digest:
        return None
    params = snapshot.config.task_params
    try:
        if params.corpus == CorpusName.FILE:
            check_text_file(params.path, REBUILD_MAX_BYTES)  # never opens a pipe or a device
        text = TextTask(params).train_text
    except (ValueError, OSError):  # CorpusError is a ValueError
        return None
    return text if text_digest(text) == facts.train_digest else None


def found_in(text: str, sentence: str) -> str:
    """Where ``sentence`` is in ``text``: "a line" (a whole line of it), "inside a line"
    (part of a longer line), or "" (nowhere, or an empty sentence)."""
    if not sentence or sentence not in text:
        return ""
    return "a line" if f"\n{sentence}\n" in f"\n{text}\n" else "inside a line"
