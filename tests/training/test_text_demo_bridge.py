"""rnnviz.training.demos.text: what the window's text demo asks of the character model.

What is checked: the vocabulary is the snapshot's own characters, in the task's code order,
and there is none for another task; a text file is refused when it is too short to learn
from (its path named), and read when it is good.
"""

from __future__ import annotations

import pytest

import rnnviz.training.demos.text as bridge
from rnnviz.tasks.classroom import HELD_OUT
from rnnviz.tasks.text import TextConfig, TextTask
from rnnviz.training.config import TrainConfig
from rnnviz.training.demos.text import (
    KEYBOARD_PROMPT,
    WORD_CHOICE,
    WORD_ORDER,
    CorpusError,
    found_in,
    read_text_file,
    training_text,
    vocabulary,
)
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.trainer import Trainer


def first_snapshot(task: str, **params):
    config = TrainConfig(task=task, task_params=TextConfig(**params) if params else None)
    return next(iter(Trainer(config).run(steps=1)))


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


def test_the_training_text_is_rebuilt_from_the_snapshot():
    snapshot = first_snapshot("text")
    task = TextTask(snapshot.config.task_params)
    assert training_text(snapshot) == task.train_text
    # the demo's sentences are the classroom corpus's held-out ones, in no line of it
    assert set(HELD_OUT) == {*WORD_ORDER, *WORD_CHOICE, KEYBOARD_PROMPT}
    assert all(found_in(task.text, s) == "" for s in HELD_OUT)
    assert training_text(first_snapshot("alphabet")) is None


def test_a_file_is_read_again_only_while_it_is_the_one_trained_on(tmp_path, monkeypatch):
    story = tmp_path / "story.txt"
    story.write_text("the owl sat on the old oak\n" * 40, encoding="utf-8")
    snapshot = first_snapshot("text", corpus="file", path=str(story))
    assert training_text(snapshot) == TextTask(snapshot.config.task_params).train_text
    story.write_text("the owl sat on the old elm\n" * 40, encoding="utf-8")  # changed since
    assert training_text(snapshot) is None
    story.write_text("the owl sat on the old oak\n" * 40, encoding="utf-8")
    monkeypatch.setattr(bridge, "REBUILD_MAX_BYTES", 100)  # too large to read again
    assert training_text(snapshot) is None
    story.unlink()
    monkeypatch.undo()
    assert training_text(snapshot) is None  # gone


def test_found_in_tells_a_line_from_part_of_one():
    text = "the dog is big\nmy cat is small and old\n"
    assert found_in(text, "the dog is big") == "a line"
    assert found_in(text, "my cat is small and old") == "a line"
    assert found_in(text, "cat is small") == "inside a line"
    assert found_in(text, "the dog is") == "inside a line"
    assert found_in(text, "small is the cat") == ""
    assert found_in(text, "") == ""
