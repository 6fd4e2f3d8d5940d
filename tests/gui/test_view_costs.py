"""What the views cost per snapshot: the window shares the machine's cores with the training.

What is checked: a plot title whose numbers change is not laid out again to be measured; the
gradient view's axes stay put while the norms go to and fro across a power of ten and while
the history's rows spread; the recall view sets its symbols' ticks once; in the text view,
only the tab in sight (keyboard, scorer or samples) runs the network when new weights arrive,
and a tab brought to the front then shows the latest weights; the coloured example is laid out
(fonts measured, characters placed) once per width and text, not at every paint, and laid out
again when the text or the width changes.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from gui_helpers import shown
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from rnnviz.gui.demos import TextView, activation_text
from rnnviz.gui.lesson_views import RecallView
from rnnviz.gui.panels import GradientFlowPanel, figures
from rnnviz.tasks.language_model import sentence_log_prob
from rnnviz.training.config import TrainConfig
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.presets import load_preset
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


@functools.cache
def lesson_run(preset: str, steps: int, **settings: str) -> tuple:
    """A snapshot after each of ``steps`` updates of the lesson ``preset`` (read-only)."""
    trainer = Trainer(load_preset(preset).config.with_settings(settings))
    taken = []
    for _ in range(steps):
        trainer.step()
        taken.append(trainer.snapshot())
    return tuple(taken)


def gradient_panel(qtbot) -> GradientFlowPanel:
    panel = GradientFlowPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    return panel


def test_the_gradient_range_stays_while_a_norm_goes_to_and_fro_across_a_decade(qtbot):
    panel = gradient_panel(qtbot)
    snapshot = lesson_run("vanishing_gradient", 3)[-1]
    norms = np.asarray(snapshot.dh_norms, np.float64)  # (L·D, T)
    low = 10.0 ** np.floor(np.log10(norms[norms > 0].min()))  # its lowest decade
    ranges = []
    for k in range(8):  # the lowest norm just above, then just below, a power of ten
        moved = norms.copy()
        moved[moved > 0] = np.maximum(moved[moved > 0], low * 1.5)
        moved.flat[np.argmin(np.where(moved > 0, moved, np.inf))] = low * (0.7 if k % 2 else 1.5)
        panel.show_snapshot(dataclasses.replace(snapshot, dh_norms=moved))
        QApplication.processEvents()
        ranges.append(tuple(panel.curve_view.viewRange()[1]))
    assert sum(a != b for a, b in itertools.pairwise(ranges)) == 1  # widened once, then kept
    lowest, highest = ranges[-1]
    assert lowest <= np.log10(low * 0.7) and np.log10(moved.max()) <= highest


def test_the_gradient_history_s_frame_stays_while_its_rows_spread(qtbot):
    panel = gradient_panel(qtbot)
    taken = lesson_run("vanishing_gradient", 150, history="10")
    frames = []
    for snapshot in taken:
        panel.show_snapshot(snapshot)
        QApplication.processEvents()
        frames.append(tuple(panel.history_view.viewRange()[1]))
        y0, dy = panel._row_y
        slack = 1e-9 * frames[-1][1]  # (rounding)
        assert frames[-1][0] <= y0 - dy / 2 + slack
        assert y0 + (panel._rows - 0.5) * dy <= frames[-1][1] + slack
    low_moves = sum(a[0] != b[0] for a, b in itertools.pairwise(frames))
    high_moves = sum(a[1] != b[1] for a, b in itertools.pairwise(frames))
    assert low_moves <= 8  # its lower edge moves as the rows spread: 22 times, unsteadied
    assert high_moves <= 15  # in steps: 1, 1.5, 2, 3, 5 … 150


def test_the_recall_view_sets_its_symbols_ticks_once(qtbot, monkeypatch):
    view = shown(qtbot, RecallView, size=(700, 500))
    axis = view.plot.getAxis("bottom")
    calls = []
    set_ticks = axis.setTicks
    monkeypatch.setattr(axis, "setTicks", lambda ticks: (calls.append(ticks), set_ticks(ticks)))
    taken = lesson_run("vanishing_gradient", 5)
    for snapshot in taken:
        view.show_snapshot(snapshot)
    assert len(calls) == 1
    names = taken[-1].task.symbols
    assert [label for _, label in calls[0][0]] == list(names[: taken[-1].task.num_symbols])
