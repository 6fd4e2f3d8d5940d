"""The loss view's y ranges stay put while the values move inside them
(``rnnviz.gui.panels.figures.steady_range``): a range following every snapshot drew the axis
again and the plot twice a snapshot."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QApplication

from rnnviz.gui.panels import LossPanel
from rnnviz.training.presets import load_preset
from rnnviz.training.trainer import Trainer


@functools.cache
def snapshots(preset: str = "moving_ball", count: int = 40) -> tuple:
    trainer = Trainer(load_preset(preset).config)
    taken = []
    for _ in range(count):
        trainer.step()
        taken.append(trainer.snapshot())
    return tuple(taken)


def test_steady_range_holds_the_values_and_moves_only_when_they_leave_it():
    from rnnviz.gui.panels.figures import LEAST_FILL, steady_range

    first = steady_range(0.2, 3.0, None)
    assert first[0] < 0.2 and first[1] > 3.0
    assert steady_range(0.25, 2.9, first) == first  # inside, filling most of it: kept
    moved = steady_range(first[0] - 0.5, 3.0, first)  # below it: a new range that holds them
    assert moved != first and moved[0] <= first[0] - 0.5 and moved[1] >= 3.0
    narrow = steady_range(1.0, 1.0 + (first[1] - first[0]) * LEAST_FILL / 2, first)
    assert narrow[1] - narrow[0] < first[1] - first[0]  # filling too little of it: narrowed
    assert steady_range(2.0, 2.0, None)[0] < 2.0 < steady_range(2.0, 2.0, None)[1]


@pytest.mark.parametrize("preset", ["moving_ball", "text_messaging"])
def test_the_loss_view_keeps_its_y_ranges_while_the_curves_stay_inside(qtbot, preset):
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    taken = snapshots(preset)
    ranges = []
    for snapshot in taken:
        panel.show_snapshot(snapshot)
        QApplication.processEvents()  # (pyqtgraph's autoranging was done here, if at all)
        ranges.append({k: tuple(p.viewRange()[1]) for k, p in panel.plots.items()})
    changes = sum(a != b for a, b in itertools.pairwise(ranges))
    assert changes <= len(taken) // 4
    last = taken[-1]
    low, high = panel.plots["loss"].viewRange()[1]
    losses = np.asarray(last.loss_history, np.float64)
    assert low <= losses.min() and losses.max() <= high  # every point of the curve in sight
    for name, key in panel._targets.items():
        if key == "loss":
            assert low <= last.baselines[name] <= high


def test_the_gradient_history_s_iteration_axis_grows_in_steps(qtbot):
    from rnnviz.gui.panels import GradientFlowPanel

    panel = GradientFlowPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 500)
    panel.show()
    ranges = []
    taken = snapshots("vanishing_gradient")
    for snapshot in taken:
        panel.show_snapshot(snapshot)
        QApplication.processEvents()
        ranges.append(tuple(panel.history_view.viewRange()[1]))
        low, high = ranges[-1]
        assert low <= snapshot.history_iterations[0] and snapshot.history_iterations[-1] <= high
    assert sum(a != b for a, b in itertools.pairwise(ranges)) <= len(taken) // 4
