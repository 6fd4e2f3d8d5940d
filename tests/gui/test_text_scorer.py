"""The sentence scorer, made honest (issue 12): it says whether the sentences it scores are in
the text the network trained on (the ones it offers never are), and it shows the n-gram
tables' sizes beside the network's parameter count, from the snapshot's figures.
"""

from __future__ import annotations

import functools

import pytest

pytest.importorskip("pytestqt")

from gui_helpers import settle, shown
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from rnnviz.gui.demos import TextView
from rnnviz.gui.demos.text_scorer import WORD_CHOICE, WORD_ORDER
from rnnviz.gui.demos.text_tables import count
from rnnviz.tasks.facts import NGramTable
from rnnviz.training.config import TrainConfig
from rnnviz.training.demos.text import training_text
from rnnviz.training.trainer import Trainer

SETTINGS = {"model.hidden_size": "16", "batch_size": "4", "seq_len": "16"}


@functools.cache
def classroom_snapshot():
    trainer = Trainer(TrainConfig(task="text").with_settings(SETTINGS))
    return list(trainer.run(steps=5))[-1]


def file_snapshot(path):
    settings = {**SETTINGS, "task.path": str(path)}
    return list(Trainer(TrainConfig(task="text").with_settings(settings)).run(steps=2))[-1]


@pytest.fixture
def scorer_of(qtbot):
    def make(snapshot):
        view = shown(qtbot, TextView, snapshot, size=(700, 900))
        view.set_section("scorer")
        settle()
        return view.scorer

    return make


def type_into(scorer, first: str, second: str) -> None:
    for edit, text in zip(scorer.edits, (first, second), strict=True):
        edit.setText(text)
    settle()


def test_the_offered_sentences_are_said_to_be_in_no_line_of_the_training_text(scorer_of):
    scorer = scorer_of(classroom_snapshot())
    for pair in (WORD_ORDER, WORD_CHOICE):
        if tuple(e.text() for e in scorer.edits) != pair:
            QTest.mouseClick(scorer.pair_button, Qt.MouseButton.LeftButton)
        assert tuple(e.text() for e in scorer.edits) == pair
        assert scorer.seen_label.isVisible()
        assert scorer.seen_label.text() == "Neither sentence is in the training text."


def test_a_typed_sentence_of_the_training_text_is_said_to_be_there(scorer_of):
    snapshot = classroom_snapshot()
    text = training_text(snapshot)
    line = text.splitlines()[0]
    scorer = scorer_of(snapshot)
    type_into(scorer, line.upper(), "small is the cat")  # read as lower case, as it is scored
    said = scorer.seen_label.text()
    assert f"“{line}” is a line of the training text." in said
    assert "“small is the cat” is not in the training text." in said
    part = line.split(" ", 1)[1]  # the line without its first word
    assert f"\n{part}\n" not in f"\n{text}\n"
    type_into(scorer, part, part)
    assert scorer.seen_label.text() == f"“{part}” is in the training text, inside a longer line."
    type_into(scorer, "the owl is small", "the owl is small")
    assert scorer.seen_label.text() == "This sentence is not in the training text."


def test_no_claim_is_made_when_the_training_text_cannot_be_read_again(scorer_of, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("the owl sat on the old oak\n" * 40, encoding="utf-8")  # as trained on
    snapshot = file_snapshot(story)
    story.write_text("the owl sat on the old elm\n" * 40, encoding="utf-8")  # changed since
    scorer = scorer_of(snapshot)
    type_into(scorer, "the owl sat on the old oak", "the oak sat on the old owl")
    assert None not in scorer.scores  # it scores, but says nothing it cannot know
    assert scorer.seen_label.text() == "" and not scorer.seen_label.isVisible()
    story.write_text("the owl sat on the old oak\n" * 40, encoding="utf-8")  # as trained on
    scorer = scorer_of(snapshot)
    type_into(scorer, "the owl sat on the old oak", "the oak sat on the old owl")
    assert "“the owl sat on the old oak” is a line of the training text." in (
        scorer.seen_label.text()
    )


def test_the_ngram_table_sizes_stand_beside_the_parameter_count(scorer_of):
    snapshot = classroom_snapshot()
    scorer = scorer_of(snapshot)
    shown_text = scorer.sizes_label.text()
    assert scorer.sizes_label.isVisible()
    for table in snapshot.task.ngram_tables:
        assert (
            f"{table.name} table</td>"
            f'<td align="right" style="padding-left: 14px">{count(table.entries)}</td>'
            f'<td align="right" style="padding-left: 14px">{count(table.possible)}</td>'
        ) in shown_text
    assert f"<b>{count(snapshot.num_parameters)}</b>" in shown_text
    assert [t.name for t in snapshot.task.ngram_tables] == ["bigram", "trigram", "4-gram"]


def test_a_refresh_with_the_same_run_and_sentences_does_not_search_the_text_again(
    scorer_of, monkeypatch
):
    import rnnviz.gui.demos.text_scorer as text_scorer

    scorer = scorer_of(classroom_snapshot())
    searched = []
    monkeypatch.setattr(
        text_scorer, "found_in", lambda text, s: searched.append(s) or text_scorer_found(text, s)
    )
    scorer.refresh()
    scorer.refresh()
    assert searched == []  # the text may be megabytes: read once per run and sentences
    type_into(scorer, "the cat", "a dog")
    assert {"a dog", "the cat"} <= set(searched)  # new sentences are looked for
    assert "“a dog” is" in scorer.seen_label.text()  # the note is of the new sentences


def text_scorer_found(text, sentence):
    from rnnviz.training.demos.text import found_in

    return found_in(text, sentence)


def test_counts_read_as_people_read_them():
    assert count(729) == "729"
    assert count(25_563) == "25,563"
    assert count(531_441) == "531,441"
    assert count(256**4) == "4.3 × 10⁹"  # a 4-gram table of a file's 256 characters
    assert count(9_960_000) == "1.0 × 10⁷"  # rounded up, the power carried
    assert count(27**5) == "1.4 × 10⁷"
    assert NGramTable("4-gram", 4, 10, 256**4).possible == 4_294_967_296


def test_a_render_of_a_text_lesson_shows_the_part_the_lesson_is_about(tmp_path, monkeypatch):
    from rnnviz.gui.app import render

    shown_sections = []
    real = TextView.set_section
    monkeypatch.setattr(
        TextView, "set_section", lambda view, name: (shown_sections.append(name), real(view, name))
    )
    out = tmp_path / "scorer.png"
    render("word_order", 2, str(out), panel="demo", size=(640, 480))
    assert shown_sections == ["scorer"] and out.is_file()
