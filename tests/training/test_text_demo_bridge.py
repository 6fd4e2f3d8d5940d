"""rnnviz.training.demos.text: what the window's text demo asks of the character model.

What is checked: the vocabulary is the snapshot's own characters, in the task's code order,
and there is none for another task; a text file is refused when it is too short to learn
from (its path named), and read when it is good.
"""

from __future__ import annotations

import pytest

from rnnviz.tasks.text import TextTask
from rnnviz.training.config import TrainConfig
from rnnviz.training.demos.text import CorpusError, read_text_file, vocabulary
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.trainer import Trainer


def first_snapshot(task: str):
    return next(iter(Trainer(TrainConfig(task=task)).run(steps=1)))


def test_the_vocabulary_is_the_snapshots_own_characters():
    snapshot = first_snapshot("text")
    vocab = vocabulary(snapshot)
    assert vocab.chars == snapshot.task.symbols
    copy = SnapshotModel()
    copy.update(snapshot)
    assert vocab == copy.task.vocab  # the codes the model reads and predicts
    assert vocabulary(first_snapshot("alphabet")) is None


def test_a_text_file_too_short_to_learn_from_is_refused(tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("the cat\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"short\.txt is too short .* {TextTask.MIN_CHARS}"):
        read_text_file(short)
    good = tmp_path / "good.txt"
    good.write_text("the cat is small\n" * 10, encoding="utf-8")
    assert read_text_file(good) == "the cat is small\n" * 10
