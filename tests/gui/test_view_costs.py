"""What the views cost per snapshot: the window shares the machine's cores with the training.

What is checked: a plot title whose numbers change is not laid out again to be measured; in
the text view, only the tab in sight (keyboard, scorer or samples) runs the network when new
weights arrive, and a tab brought to the front then shows the latest weights; the coloured
example is laid out (fonts measured, characters placed) once per width and text, not at every
paint, and laid out again when the text or the width changes.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from gui_helpers import shown
from PySide6.QtGui import QFontMetrics

from rnnviz.gui.demos import TextView, activation_text
from rnnviz.gui.panels import figures
from rnnviz.tasks.language_model import sentence_log_prob
from rnnviz.training.config import TrainConfig
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.trainer import Trainer

SETTINGS = {"model.hidden_size": "16", "batch_size": "4", "seq_len": "16"}


@functools.cache
def text(steps: int):
    """The snapshot after ``steps`` updates of one short character-model run (read-only)."""
    trainer = Trainer(TrainConfig(task="text").with_settings(SETTINGS))
    return list(trainer.run(steps=steps))[-1]


def test_only_the_tab_in_sight_runs_the_network(qtbot, monkeypatch):
    view = shown(qtbot, TextView, text(20), size=(1000, 760))
    assert view.section() == "keyboard"
    refreshed = []
    for name in TextView.SECTIONS:
        part = getattr(view, name)
        monkeypatch.setattr(
            part,
            "refresh",
            functools.partial(lambda n, f: (refreshed.append(n), f()), name, part.refresh),
        )
    view.show_snapshot(text(30))
    view.refresh()  # what the refresh timer does
    assert refreshed == ["keyboard"]
    view.set_section("scorer")
    assert refreshed == ["keyboard", "scorer"]


def test_a_tab_brought_to_the_front_shows_the_latest_weights(qtbot):
    view = shown(qtbot, TextView, text(20), size=(1000, 760))
    latest = text(30)
    view.show_snapshot(latest)
    view.refresh()
    view.set_section("scorer")
    copy = SnapshotModel()
    model = copy.update(latest)
    expected = [
        sentence_log_prob(model, copy.task.vocab, edit.text()) for edit in view.scorer.edits
    ]
    np.testing.assert_allclose(view.scorer.scores, expected, rtol=1e-12)


def test_the_example_is_laid_out_once_per_width_and_text(qtbot, monkeypatch):
    view = shown(qtbot, TextView, text(20), size=(1000, 760))
    strip = view.example.activation_text
    strip.grab()
    measured = []

    class CountingMetrics(QFontMetrics):
        def __init__(self, *args) -> None:
            measured.append(args)
            super().__init__(*args)

    monkeypatch.setattr(activation_text, "QFontMetrics", CountingMetrics)
    # new colours for the same text, as every snapshot brings: painted without measuring
    strip.set_text(strip.chars, np.linspace(-1.0, 1.0, len(strip.chars)))
    strip.grab()
    assert measured == []
    # a new text is laid out again
    strip.set_text(list("ab\ncd"), None)
    assert strip._positions(strip.width()) == ([(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)], 2)
    assert measured
    # and so is a new width: fewer columns, more rows
    strip.set_text(list("x" * 60), None)
    wide_rows = strip._positions(strip.width())[1]
    narrow = strip.width() // 3
    assert strip._positions(narrow)[1] > wide_rows
    assert strip.heightForWidth(narrow) > strip.heightForWidth(strip.width())


def test_a_title_whose_numbers_change_is_measured_once(qtbot):
    width = figures.title_width("training loss: 2.718")
    laid_out = figures._laid_out_width.cache_info().misses
    for loss in (1.234, 5.678, 9.012):  # as many digits: as wide
        assert figures.title_width(f"training loss: {loss:.4g}") == width
    assert figures._laid_out_width.cache_info().misses == laid_out
    # a longer number, or a tag's size, is measured: it changes the width
    assert figures.title_width("training loss: 2.71828") > width
    small = "training loss: <span style='font-size: 6pt'>2.718</span>"
    assert figures.title_width(small) < figures.title_width(small.replace("6pt", "16pt"))
