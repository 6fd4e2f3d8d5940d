"""Axes and labels of the loss and gradient-flow views: ticks for any range and height, one
label format per axis, whole iterations, gradient norms shown as they are (zeros on a labelled
row of their own), baseline labels on their own lines, never over each other nor clipped,
readable names, the accuracy legend out of the data, and the iteration axis of a new run.

The axis tests ask the axes for their ticks directly (``tickValues`` / ``tickStrings``, what
pyqtgraph draws from) and measure spacing in pixels with the axis's own font; the panel tests
draw real snapshots offscreen.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pg = pytest.importorskip("pyqtgraph")

from gui_helpers import settle  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from rnnviz.gui.panels import GradientFlowPanel, LossPanel  # noqa: E402
from rnnviz.gui.panels._common import (  # noqa: E402
    IntegerAxis,
    NumberAxis,
    power_texts,
    style_axis,
    tick_label_room,
)
from rnnviz.gui.panels.curves import display_name  # noqa: E402
from rnnviz.gui.panels.gradient_flow import FLOOR, history_levels  # noqa: E402
from rnnviz.tasks.facts import TaskFacts  # noqa: E402
from rnnviz.training.config import TrainConfig  # noqa: E402
from rnnviz.training.trainer import Trainer  # noqa: E402

SIZE = (900, 600)
SCIENTIFIC = re.compile(r"^(\d+(\.\d+)?×)?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]*$|^\d+$")
PLAIN = re.compile(r"^\d+(\.\d+)?$")


@pytest.fixture(autouse=True)
def _app(qapp):
    """Axes are Qt items: even the tests that only ask them for ticks need the application."""
    return qapp


@functools.cache
def run_snapshot(task: str, steps: int = 12, **settings):
    config = TrainConfig(task=task).with_settings(
        {"batch_size": 4, "model.hidden_size": 8, **settings}
    )
    return list(Trainer(config).run(steps=steps))[-1]


@pytest.fixture
def show(qtbot):
    def make(cls, snap, size=SIZE):
        panel = cls()
        qtbot.addWidget(panel)
        panel.resize(*size)
        panel.show()
        qtbot.waitExposed(panel)
        panel.show_snapshot(snap)
        settle()
        return panel

    return make


def axis(cls, orientation="left", log=False):
    item = cls(orientation)
    style_axis(item)
    if log:
        item.setLogMode(True)  # as PlotItem.setLogMode does
    return item


def labelled(item, lo, hi, size):
    """[(value, text)] of the labelled ticks the axis draws over lo … hi in ``size`` px."""
    out = []
    for spacing, values in item.tickValues(lo, hi, size):
        strings = item.tickStrings(values, 1, spacing)
        out += [(v, s) for v, s in zip(values, strings, strict=True) if s]
    return sorted(out)


def pixel_gaps(pairs, lo, hi, size):
    values = [v for v, _ in pairs]
    return [(b - a) * size / (hi - lo) for a, b in itertools.pairwise(values)]


# ------------------------------------------------------------------------------ log axis


@pytest.mark.parametrize(
    "lo, hi",
    [
        (-2.7, -2.3),  # 2 … 5 × 10⁻³: no decade inside
        (-2.65, -2.55),  # 2.2 … 2.8 × 10⁻³: not even a 1 … 9 × 10ⁿ
        (0.31, 0.5),  # 2.04 … 3.16
        (-3.05, -1.95),
        (-6.2, -0.9),
        (-16.5, 0.3),
        (-30.5, 0.2),
    ],
)
@pytest.mark.parametrize("size", [70, 120, 250, 500])
def test_log_axis_labels_at_least_two_ticks_that_do_not_overlap(lo, hi, size):
    item = axis(NumberAxis, log=True)
    pairs = labelled(item, lo, hi, size)
    assert len(pairs) >= 2, pairs
    height = tick_label_room(item, "") - 6  # the font's line height
    assert min(pixel_gaps(pairs, lo, hi, size)) >= height
    assert all(lo <= v <= hi for v, _ in pairs)


@pytest.mark.parametrize(
    "lo, hi", [(-2.7, -2.3), (-3.05, -1.95), (-6.2, -0.9), (-0.5, 0.9), (-2.65, -2.55)]
)
def test_log_axis_uses_one_format_per_axis(lo, hi):
    texts = [s for _, s in labelled(axis(NumberAxis, log=True), lo, hi, 400)]
    assert all(PLAIN.match(s) for s in texts) or all(SCIENTIFIC.match(s) for s in texts), texts


def test_log_axis_labels_mantissas_in_powers_of_ten():
    # the reviewer's axis: "10⁻², 0.005, 0.002, 10⁻³" mixed two formats
    assert [s for _, s in labelled(axis(NumberAxis, log=True), -3.05, -1.95, 200)] == [
        "10⁻³",
        "2×10⁻³",
        "5×10⁻³",
        "10⁻²",
    ]
    assert power_texts([math.log10(v) for v in (0.01, 0.05, 2500)]) == ["0.01", "0.05", "2500"]
    assert power_texts([math.log10(v) for v in (2.5e-4, 1e-3, 20)]) == ["2.5×10⁻⁴", "10⁻³", "20"]


def test_log_axis_labels_the_zero_row_and_leaves_the_decade_above_it_empty():
    item = axis(NumberAxis, log=True)
    item.zero_at = -5.0
    ticks = [v for _, values in item.tickValues(-5.2, 0.1, 300) for v in values]
    pairs = labelled(item, -5.2, 0.1, 300)
    assert pairs[0] == (-5.0, "0")
    assert not any(-5.0 < v < -4.0 for v in ticks)
    assert len(pairs) >= 3
    item.zero_text = "<10⁻³⁰"
    assert labelled(item, -5.2, 0.1, 300)[0] == (-5.0, "<10⁻³⁰")


@pytest.mark.parametrize("size", [64, 90, 150, 300])
def test_linear_axis_ticks_follow_the_height(size):
    item = axis(NumberAxis)
    lo, hi = -0.06, 1.06  # the accuracy plot
    pairs = labelled(item, lo, hi, size)
    assert len(pairs) >= 2
    assert min(pixel_gaps(pairs, lo, hi, size)) >= tick_label_room(item, "")
    # a short range still gets two labels
    assert len(labelled(item, 4.06, 4.91, size)) >= 2


def test_labels_at_both_ends_of_an_axis_with_a_grid_are_drawn(qtbot):
    # with a grid, pyqtgraph dropped a label sticking out past the axis's end: a 0 … 1 axis
    # 90 px high showed only "0.5"
    plot = pg.PlotItem(axisItems={"left": NumberAxis("left")})
    style_axis(plot.getAxis("left"))
    plot.showGrid(y=True)
    plot.setYRange(0.0, 1.0, padding=0.06)
    view = pg.GraphicsView()
    qtbot.addWidget(view)
    view.setCentralItem(plot)
    view.resize(300, 130)
    view.show()
    qtbot.waitExposed(view)
    settle()
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = plot.getAxis("left").generateDrawSpecs(painter)
    finally:
        painter.end()
    shown = [text for _, _, text in texts]
    assert "0.0" in shown and "1.0" in shown, shown


# ------------------------------------------------------------------------------ integer axis


@pytest.mark.parametrize(
    "lo, hi, size, least",
    [(-0.5, 41.5, 120, 3), (-0.5, 19.5, 200, 3), (1.0, 10_000.0, 400, 3), (0.0, 1.0, 300, 2)],
)
def test_integer_axis_gives_several_whole_ticks_that_fit(lo, hi, size, least):
    item = axis(IntegerAxis, "bottom")
    values = [v for _, vs in item.tickValues(lo, hi, size) for v in vs]
    assert len(values) >= least
    assert all(v == int(v) for v in values)
    widest = tick_label_room(item, str(int(max(abs(lo), abs(hi)))))
    gaps = [(b - a) * size / (hi - lo) for a, b in itertools.pairwise(values)]
    assert min(gaps) >= widest - 16  # the labels themselves never touch


# ------------------------------------------------------------------------------ gradient flow


def gradient_snapshot(norms: np.ndarray):
    snap = run_snapshot("ball", seq_len=10)
    # without the LSTM's ‖∂L/∂c_t‖ curve: these tests are about the h curve's axis
    empty = np.zeros((0, norms.shape[1]), np.float32)
    return dataclasses.replace(snap, dh_norms=norms.astype(np.float32), dc_norms=empty)


def test_gradient_norms_far_below_the_old_floor_are_drawn_as_they_are(show):
    # a vanilla RNN's norms reach 1e-16 and less: at a floor of 1e-12 they sat flat on it
    norms = np.logspace(-17, 0, 10)[None, :]
    panel = show(GradientFlowPanel, gradient_snapshot(norms))
    _, y = panel.curves[0].getData()
    np.testing.assert_allclose(y, np.log10(norms.astype(np.float32))[0], atol=1e-5)
    assert panel.zero_row is None
    low, high = panel.curve_view.viewRange()[1]
    assert low <= -17 and high >= 0
    item = panel.curve_plot.getAxis("left")
    pairs = labelled(item, low, high, panel.curve_view.height())
    assert len(pairs) >= 2 and pairs[0][0] <= -10


def test_zero_gradients_sit_on_a_labelled_zero_row(show, qtbot):
    norms = np.array([[0.0, 0.0, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 1e-2, 0.0, 0.0]])
    panel = show(GradientFlowPanel, gradient_snapshot(norms))
    _, y = panel.curves[0].getData()
    assert panel.zero_row is not None and panel.zero_row < -3
    assert np.all(y[[0, 1, 8, 9]] == panel.zero_row)
    np.testing.assert_allclose(y[2:8], np.log10(norms[0, 2:8]), atol=1e-5)
    low, high = panel.curve_view.viewRange()[1]
    item = panel.curve_plot.getAxis("left")
    pairs = dict(labelled(item, low, high, panel.curve_view.height()))
    assert pairs[panel.zero_row] == "0"
    # the hover read-out says 0, not a made-up small number
    hover(panel, panel.curve_view, 0, panel.zero_row)
    assert panel.hover_label.text().endswith("layer 1 →: 0")
    # a norm below the floor that is not 0 is said to be below it
    norms[0, 0] = FLOOR / 100
    panel.show_snapshot(gradient_snapshot(norms))
    pairs = dict(labelled(item, *panel.curve_view.viewRange()[1], panel.curve_view.height()))
    assert pairs[panel.zero_row] == "<10⁻³⁰"


def test_history_levels_leave_out_the_zeros():
    values = np.full((50, 10), -2.0, np.float32)
    values[:, :3] = math.log10(FLOOR)  # no gradient at three steps
    lo, hi = history_levels(values)
    assert lo >= -3.0 and hi >= -2.0


def test_history_iteration_axis_has_whole_ticks(show):
    panel = show(GradientFlowPanel, run_snapshot("ball", steps=1, seq_len=10))
    item = panel.history_plot.getAxis("left")
    low, high = panel.history_view.viewRange()[1]
    values = [v for _, vs in item.tickValues(low, high, panel.history_view.height()) for v in vs]
    assert values and all(v == int(v) for v in values)


# ------------------------------------------------------------------------------ loss panel


def hover(panel, view_box, x, y):
    """Move the mouse to data point (x, y); pyqtgraph rate-limits moves, so reset its clock."""
    panel.view.scene()._lastMoveEventTime = 0
    point = panel.view.mapFromScene(view_box.mapViewToScene(QPointF(x, y)))
    QTest.mouseMove(panel.view.viewport(), point)
    settle()


def check_labels(panel):
    """Every baseline drawn is named with its value: on its own line (and on no other), inside
    the plot (nothing clipped), clear of the other labels; or, where lines are too close for
    two labels, in its plot's title (every one, by name at least). Hovering a line names it.
    Returns how many labels are on their lines."""
    task = panel.snapshot.task
    boxes = []
    titled = {}
    for name, line in panel.baseline_lines.items():
        label = panel.baseline_label(name)
        value = panel.snapshot.baselines[name]
        text = f"{display_name(name, task)} {value:.3g}"
        assert label.toPlainText() == text
        view = line.getViewBox()
        if panel.baseline_y(name) is None:
            continue
        if label.isVisible():
            rect = label.mapRectToScene(label.boundingRect())
            assert view.sceneBoundingRect().contains(rect), f"{name}'s label is clipped"
            assert rect.top() <= scene_y(view, panel.baseline_y(name)) <= rect.bottom(), name
            for other in panel.baseline_lines:
                y = panel.baseline_y(other)
                if (
                    other != name
                    and y is not None
                    and panel.baseline_lines[other].getViewBox() is view
                ):
                    assert not rect.top() < scene_y(view, y) < rect.bottom(), (name, other)
            data = view.mapSceneToView(rect).boundingRect()
            for curve in panel.curves.values():
                if curve.getViewBox() is view:
                    x, y = curve.getData()
                    inside = (x >= data.left()) & (x <= data.right())
                    inside &= (y >= data.top()) & (y <= data.bottom())
                    assert not inside.any(), f"{name} covers the curve"
            boxes.append(rect)
        else:
            titled.setdefault(view, []).append(display_name(name, task))
        x = float(np.mean(view.viewRange()[0]))
        hover(panel, view, x, panel.baseline_y(name))
        assert panel.hover_label.text().startswith(f"dashed line: {display_name(name, task)}")
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    for plot in panel.plots.values():
        texts = titled.get(plot.getViewBox(), [])
        if texts and "dashed line" not in plot.titleLabel.text:
            assert all(t in plot.titleLabel.text for t in texts), (texts, plot.titleLabel.text)
    return len(boxes)


def scene_y(view, y: float) -> float:
    return view.mapViewToScene(QPointF(0.0, y)).y()


@pytest.mark.parametrize("size", [(900, 600), (600, 380), (1200, 900)])
def test_baseline_labels_sit_on_their_own_lines(show, size):
    snap = run_snapshot("text", steps=30, seq_len=16)
    panel = show(LossPanel, snap, size)
    assert panel.baseline_lines
    assert check_labels(panel) >= 1
    panel.set_log_loss(True)
    settle()
    check_labels(panel)


def test_baseline_names_are_readable(show):
    assert display_name("linear_interpolation") == "linear interpolation"
    text = TaskFacts("text", "classification", metric_labels=(("uniform", "uniform guess"),))
    assert display_name("uniform", text) == "uniform guess"
    snap = run_snapshot("ball", steps=6, **{"task.mode": "gap", "seq_len": 12})
    panel = show(LossPanel, snap)
    assert "linear_interpolation" in panel.baseline_lines
    for name in panel.baseline_lines:
        assert "_" not in panel.baseline_label(name).toPlainText()
        assert "_" not in panel.baseline_label(name).toolTip()


def test_a_curve_along_its_baseline_moves_the_label_to_the_title(show):
    # an untrained accuracy runs along chance: any label on the line would cover it
    snap = run_snapshot("ball", steps=40)
    chance = snap.baselines["chance"]
    wobble = chance + 0.01 * np.sin(np.arange(len(snap.history_iterations)))
    along = dataclasses.replace(
        snap, metric_history={**snap.metric_history, "direction_accuracy": wobble}
    )
    panel = show(LossPanel, along)
    line = panel.baseline_lines["chance"]
    assert not panel.baseline_label("chance").isVisible()
    assert "chance" in panel.plots["accuracy"].titleLabel.text
    check_labels(panel)
    # away from the curve it comes back onto its line
    high = np.full(len(snap.history_iterations), 0.9)
    panel.show_snapshot(
        dataclasses.replace(
            snap, metric_history={**snap.metric_history, "direction_accuracy": high}
        )
    )
    settle()
    assert panel.baseline_label("chance").isVisible() and line.isVisible()
    assert "chance" not in panel.plots["accuracy"].titleLabel.text
    assert check_labels(panel) == 1


def test_hovering_a_baseline_names_it(show):
    snap = run_snapshot("ball", steps=20)
    panel = show(LossPanel, snap)
    view = panel.plots["accuracy"].getViewBox()
    x = float(snap.history_iterations[5])
    hover(panel, view, x, snap.baselines["chance"])
    assert panel.hover_label.text().startswith("dashed line: chance")
    hover(panel, view, x, 0.95)
    assert "dashed line" not in panel.hover_label.text()
    assert panel.baseline_label("chance").toolTip().startswith("chance")


def test_several_accuracies_have_their_legend_in_the_title(show):
    snap = run_snapshot("recall", steps=8, **{"task.delay": 20, "seq_len": 22})
    assert {"accuracy", "accuracy_long"} <= set(snap.metric_history)
    assert display_name("accuracy_long", snap.task) == "accuracy, gaps > 10 steps"
    panel = show(LossPanel, snap)
    plot = panel.plots["accuracy"]
    assert plot.legend is None  # no box over the curves
    title = plot.titleLabel.text
    assert "gaps &gt; 10 steps" in title and "all" in title
    assert "accuracy_long" not in title and "accuracy long" not in title
    for metric in ("accuracy", "accuracy_long"):
        assert panel.curves[metric].opts["pen"].color().name() in title


def test_accuracy_ticks_fit_a_short_plot(show):
    snap = run_snapshot("ball", steps=10)
    panel = show(LossPanel, snap, (600, 330))
    plot = panel.plots["accuracy"]
    view = plot.getViewBox()
    item = plot.getAxis("left")
    lo, hi = view.viewRange()[1]
    pairs = labelled(item, lo, hi, view.height())
    assert len(pairs) >= 2
    assert min(pixel_gaps(pairs, lo, hi, view.height())) >= tick_label_room(item, "")
    # the axis title, longer than the plot is high, is left to the plot's own title
    assert item.label.isVisible() == (item.label.boundingRect().width() <= view.height() + 8)


def test_iteration_axis_is_whole_and_starts_over_with_a_new_run(show):
    long_run = run_snapshot("ball", steps=120)
    panel = show(LossPanel, long_run)
    low, high = panel.plots["loss"].getViewBox().viewRange()[0]
    assert high >= 120
    # Reset: the new run's first snapshot has no history yet
    fresh = Trainer(long_run.config).snapshot()
    assert len(fresh.history_iterations) == 0
    panel.show_snapshot(fresh)
    settle()
    for plot in panel.plots.values():
        low, high = plot.getViewBox().viewRange()[0]
        assert high < 2, "the last run's range stayed"
        item = plot.getAxis("bottom")
        values = [v for _, vs in item.tickValues(low, high, plot.getViewBox().width()) for v in vs]
        assert values and all(v == int(v) for v in values)  # no 0.2, 0.4 …
    one = run_snapshot("ball", steps=1)
    panel.show_snapshot(one)
    settle()
    low, high = panel.plots["loss"].getViewBox().viewRange()[0]
    assert high < 3
