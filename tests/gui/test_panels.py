"""The live panels (rnnviz.gui.panels), drawn from real snapshots on the offscreen platform.

What is checked: each panel draws something (many colours, not just background); the data
drawn is the snapshot's, with fixed levels; the time cursor follows ``set_cursor`` without
emitting and follows clicks, drags and arrow keys while emitting ``cursor_moved``; hovering reads
out the exact value; a change of model shape rebuilds the panel; and 200 snapshots leave the
number of scene items unchanged.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pg = pytest.importorskip("pyqtgraph")

from gui_helpers import settle, shown  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from rnnviz.core.layers import GATE_DESCRIPTIONS  # noqa: E402
from rnnviz.gui.panels import (  # noqa: E402
    GatePanel,
    GradientFlowPanel,
    HiddenStatePanel,
    LossPanel,
)
from rnnviz.gui.panels._common import (  # noqa: E402
    DIVERGING_LUT,
    VIRIDIS_LUT,
    NumberAxis,
    decade_text,
)
from rnnviz.gui.panels.curves import baseline_targets, display_name  # noqa: E402
from rnnviz.gui.panels.gradient_flow import FLOOR, history_levels  # noqa: E402
from rnnviz.training.config import TrainConfig  # noqa: E402
from rnnviz.training.trainer import Trainer  # noqa: E402

PANELS = (HiddenStatePanel, GatePanel, GradientFlowPanel, LossPanel)
SIZE = (900, 700)


# ------------------------------------------------------------------------------ snapshots


def _settings(cell: str, layers: int, bidirectional: bool, hidden: int, seq_len: int) -> dict:
    return {
        "model.cell": cell,
        "model.num_layers": layers,
        "model.bidirectional": bidirectional,
        "model.hidden_size": hidden,
        "seq_len": seq_len,
        "batch_size": 4,
    }


@functools.cache
def snapshot(
    task: str = "ball",
    cell: str = "lstm",
    layers: int = 1,
    bidirectional: bool = False,
    hidden: int = 8,
    seq_len: int = 12,
    steps: int = 20,
):
    """The last snapshot of a short real run (cached: snapshots are read-only)."""
    config = TrainConfig(task=task).with_settings(
        _settings(cell, layers, bidirectional, hidden, seq_len)
    )
    return list(Trainer(config).run(steps=steps))[-1]


def snapshots(n: int, **kwargs):
    """``n`` consecutive snapshots of one run."""
    config = TrainConfig(task="ball").with_settings(_settings(**kwargs))
    return list(Trainer(config).run(steps=n, snapshot_every=1))[:n]


LSTM = dict(cell="lstm")
GRU_DEEP = dict(cell="gru", layers=2, bidirectional=True, hidden=6, seq_len=10)


# ------------------------------------------------------------------------------ helpers


@pytest.fixture
def show(qtbot):
    """Make a panel, show it at a fixed size, and (optionally) give it a snapshot."""
    return functools.partial(shown, qtbot, size=SIZE)


def pixels(widget) -> np.ndarray:
    """The widget as drawn, (h, w, 4) uint8 (B, G, R, A)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    return data[:, : w * 4].reshape(h, w, 4).copy()


def colour_stats(widget) -> tuple[int, float]:
    """(distinct colours, fraction of pixels that are not the most common colour)."""
    rgb = pixels(widget)[..., :3].reshape(-1, 3).astype(np.int64)
    codes = rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]
    values, counts = np.unique(codes, return_counts=True)
    return len(values), 1.0 - counts.max() / codes.size


def viewport_point(panel, view_box, x: float, y: float) -> QPoint:
    """Where data point (x, y) of ``view_box`` is on ``panel.view``'s viewport."""
    scene = view_box.mapViewToScene(QPointF(x, y))
    return panel.view.mapFromScene(scene)


def click(panel, view_box, x, y):
    QTest.mouseClick(
        panel.view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_point(panel, view_box, x, y)
    )


def hover(panel, view_box, x, y):
    """Move the mouse to (x, y); pyqtgraph rate-limits moves, so reset its clock first."""
    panel.view.scene()._lastMoveEventTime = 0
    QTest.mouseMove(panel.view.viewport(), viewport_point(panel, view_box, x, y))
    settle()


def scene_items(panel) -> int:
    return len(panel.view.scene().items())


# ------------------------------------------------------------------------------ drawing


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("model", [LSTM, GRU_DEEP], ids=["lstm", "gru-2-layer-bidi"])
def test_panel_draws_a_real_snapshot(show, cls, model):
    blank = show(cls)
    assert blank.is_showing_message()
    blank_colours, _ = colour_stats(blank.view)
    panel = show(cls, snapshot(**model))
    assert not panel.is_showing_message()
    colours, coverage = colour_stats(panel.view)
    assert colours > 60, f"only {colours} colours: is anything drawn?"
    assert colours > blank_colours
    assert coverage > 0.05, f"{coverage:.1%} of the pixels differ from the background"


def test_hidden_state_maps_show_the_snapshot_with_fixed_levels(show):
    snap = snapshot(**GRU_DEEP)
    panel = show(HiddenStatePanel, snap)
    assert [m.plot.titleLabel.text for m in panel.maps] == [
        "layer 1 →",
        "layer 1 ←",
        "layer 2 →",
        "layer 2 ←",
    ]
    for m, h in zip(panel.maps, snap.hidden, strict=True):
        image = m.image.image
        assert image.dtype == np.float32 and image.flags.c_contiguous
        np.testing.assert_array_equal(image, h.T)  # (unit, t), row-major
        assert m.image.axisOrder == "row-major"
        assert tuple(m.image.getLevels()) == (-1.0, 1.0)
        np.testing.assert_array_equal(m.image.lut, DIVERGING_LUT)
        assert len(m.image.lut) == 256


def test_hidden_state_maps_past_a_cap_show_the_chosen_layer_direction(qtbot, show):
    # compare mode's columns cap them: four maps per run pushed the window 183 px past 720
    deep = snapshot(**GRU_DEEP)
    panel = HiddenStatePanel()
    qtbot.addWidget(panel)
    panel.most_maps = 2
    panel.resize(*SIZE)
    panel.show_snapshot(deep)
    panel.show()
    assert [m.plot.titleLabel.text for m in panel.maps] == ["layer 1 →"]
    panel.set_layer(3)
    assert [m.plot.titleLabel.text for m in panel.maps] == ["layer 2 ←"]
    np.testing.assert_array_equal(panel.maps[0].image.image, deep.hidden[3].T)
    two = snapshot(**LSTM, bidirectional=True)  # within the cap: both, whatever is chosen
    panel.show_snapshot(two)
    assert [m.plot.titleLabel.text for m in panel.maps] == ["layer 1 →", "layer 1 ←"]


def test_diverging_map_is_blue_white_red(show):
    lut = DIVERGING_LUT.astype(int)
    low, mid, high = lut[0], lut[127], lut[255]
    assert low[2] > low[0] + 50, "−1 should be blue"
    assert high[0] > high[2] + 50, "+1 should be red"
    assert mid.min() > 230, "0 should be near white"
    # viridis runs dark purple → yellow, getting lighter all the way
    lightness = VIRIDIS_LUT.astype(float) @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(lightness) > -1.0)


def test_gate_panel_maps_every_gate_on_its_scale(show):
    snap = snapshot(**LSTM)
    panel = show(GatePanel, snap)
    assert [m.name for m in panel.maps] == ["i", "f", "g", "o", "c"]
    for m in panel.maps:
        expected = snap.cell_states[0] if m.name == "c" else snap.gates[0][m.name]
        np.testing.assert_array_equal(m.image.image, expected.T)
        signed = m.name in ("g", "c")
        assert tuple(m.image.getLevels()) == ((-1.0, 1.0) if signed else (0.0, 1.0))
        if m.name != "c":
            assert m.plot.titleLabel.text == GATE_DESCRIPTIONS[m.name]
    assert not panel.controls.isVisible()  # the window's one selector chooses the layer

    gru = snapshot(**GRU_DEEP)
    panel.show_snapshot(gru)
    settle()
    assert [m.name for m in panel.maps] == ["r", "z", "n"]
    assert [tuple(m.image.getLevels()) for m in panel.maps] == [(0, 1), (0, 1), (-1, 1)]
    panel.set_layer(3)  # layer 2 ←, as the window's selector does
    assert panel.layer() == 3
    np.testing.assert_array_equal(panel.maps[1].image.image, gru.gates[3]["z"].T)
    hover(panel, panel.maps[1].view, 2, 2)
    assert "(layer 2 ←)" in panel.hover_label.text()
    panel.show_snapshot(snapshot(**LSTM))  # one layer·direction: its only entry
    np.testing.assert_array_equal(panel.maps[0].image.image, snapshot(**LSTM).gates[0]["i"].T)


def test_vanilla_rnn_has_no_gates_message(show):
    panel = show(GatePanel, snapshot(cell="rnn_tanh"))
    assert panel.is_showing_message()
    assert "vanilla RNN has no gates" in panel.message.text()
    # and back to a gated cell
    panel.show_snapshot(snapshot(cell="gru"))
    assert not panel.is_showing_message()
    assert [m.name for m in panel.maps] == ["r", "z", "n"]


@pytest.mark.parametrize("cls", [HiddenStatePanel, GatePanel])
def test_maps_answer_the_keys_again_after_a_message(show, qtbot, cls):
    # the same maps again after a snapshot with none (the gate maps of an LSTM, a vanilla
    # RNN, the LSTM again) are not rebuilt, and must still take the cursor keys and clicks
    panel = show(cls, snapshot(**LSTM))
    if cls is GatePanel:
        panel.show_snapshot(snapshot(cell="rnn_tanh"))
    else:
        panel.show_snapshot(dataclasses.replace(snapshot(**LSTM), hidden=()))
    assert panel.is_showing_message()
    with qtbot.assertNotEmitted(panel.cursor_moved):
        QTest.keyClick(panel, Qt.Key.Key_Right)  # nothing shown: no step to move to
    panel.show_snapshot(snapshot(**LSTM))
    assert not panel.is_showing_message()
    panel.set_cursor(4)
    with qtbot.waitSignal(panel.cursor_moved, timeout=1_000) as moved:
        QTest.keyClick(panel, Qt.Key.Key_Right)
    assert moved.args == [5]


def test_gradient_curves_are_log10_of_the_floored_norms(show):
    snap = snapshot(**GRU_DEEP)
    panel = show(GradientFlowPanel, snap)
    assert len(panel.curves) == 4
    assert panel.legend.isVisible()
    for k, curve in enumerate(panel.curves):
        x, y = curve.getData()
        np.testing.assert_array_equal(x, np.arange(snap.seq_len))
        np.testing.assert_allclose(y, np.log10(np.maximum(snap.dh_norms[k], FLOOR)), rtol=1e-6)
    # a gradient that vanished entirely sits on the zero row instead of disappearing
    norms = np.array(snap.dh_norms)
    norms[0, :3] = 0.0
    panel.show_snapshot(dataclasses.replace(snap, dh_norms=norms))
    _, y = panel.curves[0].getData()
    assert panel.zero_row is not None and np.all(y[:3] == panel.zero_row)
    low, high = panel.curve_view.viewRange()[1]
    assert low <= panel.zero_row and high >= np.log10(norms.max())


def test_log_axis_labels_decades():
    axis = NumberAxis("left")
    axis.setLogMode(True)  # as PlotItem.setLogMode does
    assert [decade_text(e) for e in (-3, -1, 0, 1, 2)] == ["10⁻³", "10⁻¹", "1", "10", "10²"]
    levels = axis.tickValues(-6.2, -0.9, 400)
    assert levels[0][1] == [-6.0, -5.0, -4.0, -3.0, -2.0, -1.0]
    assert axis.tickStrings([-6.0, -1.0], 1, 1) == ["10⁻⁶", "10⁻¹"]
    # over a short range the 2× and 5× ticks get numbers too
    levels = axis.tickValues(-0.5, 0.9, 400)
    assert axis.tickStrings(levels[0][1], 1, 0.3) == ["0.5", "1", "2", "5"]
    axis.setLogMode(False)
    assert axis.tickStrings([0.5], 1, 0.5) == ["0.5"]


def test_gradient_history_map_shows_log10_of_the_history(show):
    snap = snapshot(**GRU_DEEP)
    panel = show(GradientFlowPanel, snap)
    rows = len(snap.history_iterations)
    expected = np.log10(np.maximum(snap.dh_norm_history[:, 0, :], FLOOR))
    np.testing.assert_allclose(panel.history_image.image, expected, rtol=1e-6)
    assert panel.history_image.image.shape == (rows, snap.seq_len)
    assert tuple(panel.history_image.getLevels()) == panel.levels
    assert panel.history_plot.titleLabel.text == "history (layer 1 →)"
    panel.set_layer(2)
    expected = np.log10(np.maximum(snap.dh_norm_history[:, 2, :], FLOOR))
    np.testing.assert_allclose(panel.history_image.image, expected, rtol=1e-6)
    assert "layer 2 →" in panel.history_plot.titleLabel.text


def test_history_levels_are_robust():
    rng = np.random.default_rng(0)
    values = rng.uniform(-5, -1, size=(300, 20)).astype(np.float32)
    values[0, 0] = 30.0  # one wild outlier
    values[1, :] = np.nan
    lo, hi = history_levels(values)
    assert -5.5 <= lo <= -4.5 and -1.5 <= hi <= -0.5
    assert history_levels(np.full((4, 4), -3.0, np.float32)) == (-4.0, -3.0)  # ≥ one decade
    lo, hi = history_levels(np.linspace(-40, 0, 1000).astype(np.float32))
    assert hi - lo <= 12.0
    assert history_levels(np.full((2, 2), np.nan)) == (-6.0, 0.0)


def test_loss_panel_draws_curves_and_labelled_baselines(show):
    snap = snapshot(task="text", cell="lstm", hidden=8, seq_len=16)
    panel = show(LossPanel, snap)
    assert set(panel.plots) == {"loss", "accuracy", "bits_per_char"}
    x, y = panel.curves["loss"].getData()
    np.testing.assert_array_equal(x, snap.history_iterations)
    np.testing.assert_allclose(y, snap.loss_history, rtol=1e-6)
    loss_box = panel.plots["loss"].getViewBox()
    for name in ("uniform", "unigram", "bigram", "trigram"):
        line = panel.baseline_lines[name]
        assert line.getViewBox() is loss_box
        assert panel.baseline_y(name) == pytest.approx(snap.baselines[name])
        text = panel.baseline_label(name).toPlainText()
        assert text == f"{display_name(name, snap.task)} {snap.baselines[name]:.3g}"
    # the baselines are kept in view by autoscaling
    low, high = loss_box.viewRange()[1]
    assert low <= min(snap.baselines.values()) and high >= max(snap.baselines.values())
    # their labels never cover each other; one with no room on its line is named in the title
    names = ("uniform", "unigram", "bigram", "trigram")
    labels = [panel.baseline_label(n) for n in names]
    shown = [label for label in labels if label.isVisible()]
    assert len(shown) >= 2
    hidden = [n for n, label in zip(names, labels, strict=True) if not label.isVisible()]
    assert sorted(hidden) == sorted(panel.titled_baselines)
    assert all(display_name(n, snap.task) in panel.plots["loss"].titleLabel.text for n in hidden)
    boxes = [label.mapRectToScene(label.boundingRect()) for label in shown]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])

    panel.set_log_loss(True)
    assert panel.log_box.isChecked()
    _, y = panel.curves["loss"].getData()
    np.testing.assert_allclose(y, np.log10(snap.loss_history), rtol=1e-5)
    assert panel.baseline_y("bigram") == pytest.approx(math.log10(snap.baselines["bigram"]))
    panel.log_box.setChecked(False)
    assert not panel.log_loss()
    assert panel.baseline_y("bigram") == pytest.approx(snap.baselines["bigram"])


def test_chance_goes_on_the_accuracy_plot(show):
    snap = snapshot(task="ball")
    assert baseline_targets(snap) == {"chance": "accuracy"}
    panel = show(LossPanel, snap)
    line = panel.baseline_lines["chance"]
    assert line.getViewBox() is panel.plots["accuracy"].getViewBox()
    assert panel.baseline_y("chance") == pytest.approx(snap.baselines["chance"])
    np.testing.assert_array_equal(
        panel.curves["direction_accuracy"].getData()[1], snap.metric_history["direction_accuracy"]
    )


# ------------------------------------------------------------------------------ time cursor


def _cursor_positions(panel) -> list[float]:
    if isinstance(panel, GradientFlowPanel):
        return [panel.cursor_line.value(), panel.history_cursor.x()]
    return [m.cursor.x() for m in panel.maps]


@pytest.mark.parametrize("cls", [HiddenStatePanel, GatePanel, GradientFlowPanel])
def test_set_cursor_moves_every_highlight_without_emitting(show, qtbot, cls):
    snap = snapshot(**GRU_DEEP)
    panel = show(cls, snap)
    positions = _cursor_positions(panel)
    assert positions and all(p == 0 for p in positions)
    with qtbot.assertNotEmitted(panel.cursor_moved):
        panel.set_cursor(6)
        assert panel.cursor() == 6
        assert all(p == 6 for p in _cursor_positions(panel))
        panel.set_cursor(1000)  # clamped to the last step
        assert panel.cursor() == snap.seq_len - 1
        assert all(p == snap.seq_len - 1 for p in _cursor_positions(panel))
    # the highlight is drawn: the picture changes when the cursor moves
    panel.set_cursor(2)
    before = pixels(panel.view)
    panel.set_cursor(7)
    assert np.any(pixels(panel.view) != before)


def test_loss_panel_accepts_set_cursor(show, qtbot):
    panel = show(LossPanel, snapshot())
    with qtbot.assertNotEmitted(panel.cursor_moved):
        panel.set_cursor(3)
        QTest.keyClick(panel, Qt.Key.Key_Right)


@pytest.mark.parametrize("cls", [HiddenStatePanel, GatePanel])
def test_click_on_a_heat_map_picks_the_step_and_the_unit(show, qtbot, cls):
    snap = snapshot(**GRU_DEEP)
    panel = show(cls, snap)
    target = panel.maps[1]
    with (
        qtbot.waitSignal(panel.cursor_moved) as moved,
        qtbot.waitSignal(panel.unit_selected) as unit,
    ):
        click(panel, target.view, 5, 3)
    assert moved.args == [5] and unit.args == [3]
    assert panel.cursor() == 5
    assert all(m.cursor.x() == 5 for m in panel.maps)
    assert panel.selected_unit() == 3
    assert all(m.unit_outline.isVisible() and m.unit_outline.y() == 3 for m in panel.maps)
    # another column, another unit
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        click(panel, panel.maps[0].view, 8.3, 0.2)
    assert moved.args == [8] and panel.selected_unit() == 0


def test_click_on_the_time_axis_moves_the_cursor(show, qtbot):
    panel = show(HiddenStatePanel, snapshot(**LSTM))
    m = panel.maps[0]
    axis = m.plot.getAxis("bottom")
    x_scene = m.view.mapViewToScene(QPointF(4, 0)).x()
    y_scene = axis.sceneBoundingRect().center().y()
    pos = panel.view.mapFromScene(QPointF(x_scene, y_scene))
    with qtbot.waitSignal(panel.cursor_moved) as moved, qtbot.assertNotEmitted(panel.unit_selected):
        QTest.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert moved.args == [4]


def test_click_on_gradient_plots_moves_the_cursor(show, qtbot):
    panel = show(GradientFlowPanel, snapshot(**GRU_DEEP))
    y = sum(panel.curve_view.viewRange()[1]) / 2
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        click(panel, panel.curve_view, 3, y)
    assert moved.args == [3]
    assert panel.cursor_line.value() == 3 and panel.history_cursor.x() == 3
    y = sum(panel.history_view.viewRange()[1]) / 2
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        click(panel, panel.history_view, 8, y)
    assert moved.args == [8]
    assert panel.cursor_line.value() == 8


def test_drag_across_the_heat_map_follows_the_mouse(show, qtbot):
    panel = show(HiddenStatePanel, snapshot(**LSTM))
    m = panel.maps[0]
    viewport = panel.view.viewport()
    received = []
    panel.cursor_moved.connect(received.append)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(panel, m.view, 2, 1))
    for t in (3, 5, 9):
        panel.view.scene()._lastMoveEventTime = 0
        QTest.mouseMove(viewport, viewport_point(panel, m.view, t, 1))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(panel, m.view, 9, 1))
    assert received and received[-1] == 9
    assert panel.cursor() == 9 and m.cursor.x() == 9


@pytest.mark.parametrize("cls", [HiddenStatePanel, GatePanel, GradientFlowPanel])
def test_arrow_keys_move_the_cursor(show, qtbot, cls):
    snap = snapshot(**LSTM)
    panel = show(cls, snap)
    panel.set_cursor(4)
    last = snap.seq_len - 1
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        QTest.keyClick(panel, Qt.Key.Key_Right)
    assert moved.args == [5] and all(p == 5 for p in _cursor_positions(panel))
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        QTest.keyClick(panel, Qt.Key.Key_Left)
    assert moved.args == [4]
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        QTest.keyClick(panel, Qt.Key.Key_End)
    assert moved.args == [last]
    with qtbot.assertNotEmitted(panel.cursor_moved):
        QTest.keyClick(panel, Qt.Key.Key_Right)  # already at the end
    assert panel.cursor() == last
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        QTest.keyClick(panel, Qt.Key.Key_Home)
    assert moved.args == [0]


def test_clicking_gives_the_panel_the_keyboard(show, qtbot):
    panel = show(HiddenStatePanel, snapshot(**LSTM))
    panel.activateWindow()
    click(panel, panel.maps[0].view, 2, 2)
    assert panel.hasFocus()
    with qtbot.waitSignal(panel.cursor_moved) as moved:
        QTest.keyClick(panel.view.viewport(), Qt.Key.Key_Right)
    assert moved.args == [3]


# ------------------------------------------------------------------------------ hover


def test_hover_reads_out_the_hidden_state(show):
    snap = snapshot(**GRU_DEEP)
    panel = show(HiddenStatePanel, snap)
    hover(panel, panel.maps[1].view, 4, 2)
    value = float(snap.hidden[1][4, 2])
    text = panel.hover_label.text()
    assert "layer 1 ←" in text and "t = 4" in text and "unit 2" in text
    assert f"{value:+.4f}" in text
    # the read-out follows new data under a still mouse
    later = snapshot(**GRU_DEEP, steps=40)
    panel.show_snapshot(later)
    assert f"{float(later.hidden[1][4, 2]):+.4f}" in panel.hover_label.text()
    hover(panel, panel.maps[1].view, 40, 40)  # off the map
    assert panel.hover_label.text() == panel.hint


def test_hover_reads_out_a_gate(show):
    snap = snapshot(**LSTM)
    panel = show(GatePanel, snap)
    forget = panel.maps[1]
    hover(panel, forget.view, 6, 5)
    text = panel.hover_label.text()
    assert "forget gate f" in text and "t = 6" in text and "unit 5" in text
    assert f"f = {float(snap.gates[0]['f'][6, 5]):.4f}" in text


def test_hover_reads_out_gradient_norms(show):
    snap = snapshot(**GRU_DEEP)
    panel = show(GradientFlowPanel, snap)
    hover(panel, panel.curve_view, 2, sum(panel.curve_view.viewRange()[1]) / 2)
    text = panel.hover_label.text()
    assert "t = 2" in text
    for k in range(4):
        assert f"{float(snap.dh_norms[k, 2]):.3e}" in text
    row = len(snap.history_iterations) // 2
    first, dy = panel._row_y
    hover(panel, panel.history_view, 7, first + row * dy)
    text = panel.hover_label.text()
    value = float(snap.dh_norm_history[row, 0, 7])
    assert f"iteration {int(snap.history_iterations[row])}" in text and "t = 7" in text
    assert f"{value:.3e}" in text


def test_hover_reads_out_the_loss(show):
    snap = snapshot(task="ball", steps=30)
    panel = show(LossPanel, snap)
    i = 12
    iteration = float(snap.history_iterations[i])
    hover(panel, panel.plots["loss"].getViewBox(), iteration, float(snap.loss_history[i]))
    text = panel.hover_label.text()
    assert f"iteration {int(iteration)}" in text
    assert f"loss {float(snap.loss_history[i]):.4g}" in text
    assert f"direction accuracy {float(snap.metric_history['direction_accuracy'][i]):.4g}" in text


# ------------------------------------------------------------------------------ shapes, speed


@pytest.mark.parametrize("cls", PANELS, ids=lambda c: c.__name__)
def test_shape_changes_rebuild_and_back(show, cls):
    small = snapshot(**LSTM)
    deep = snapshot(**GRU_DEEP)
    panel = show(cls, small)
    fresh_items = scene_items(panel)
    panel.show_snapshot(deep)
    settle()
    if isinstance(panel, HiddenStatePanel):
        assert len(panel.maps) == 4
        assert panel.maps[3].image.image.shape == (6, 10)
    elif isinstance(panel, GatePanel):
        assert [m.name for m in panel.maps] == ["r", "z", "n"]
        assert panel.maps[0].image.image.shape == (6, 10)
    elif isinstance(panel, GradientFlowPanel):
        assert len(panel.curves) == 4
        assert panel.history_image.image.shape[1] == 10
    colours, _ = colour_stats(panel.view)
    assert colours > 60
    panel.show_snapshot(small)
    settle()
    assert scene_items(panel) == fresh_items, "rebuilding left items behind"
    if isinstance(panel, HiddenStatePanel):
        assert [m.plot.titleLabel.text for m in panel.maps] == ["layer 1 →"]
        np.testing.assert_array_equal(panel.maps[0].image.image, small.hidden[0].T)


def test_loss_panel_rebuilds_for_another_task(show):
    panel = show(LossPanel, snapshot(task="ball"))
    assert "position_error" in panel.plots
    panel.show_snapshot(snapshot(task="text", hidden=8, seq_len=16))
    assert "position_error" not in panel.plots and "bits_per_char" in panel.plots
    assert "chance" not in panel.baseline_lines and "bigram" in panel.baseline_lines


def test_two_hundred_snapshots_keep_the_scene_the_same_size(show):
    run = snapshots(200, cell="lstm", layers=2, bidirectional=True, hidden=8, seq_len=12)
    panels = [show(cls, run[0]) for cls in PANELS]
    counts = [scene_items(p) for p in panels]
    images = [m.image for m in panels[0].maps] + [m.image for m in panels[1].maps]
    curves = [*panels[2].curves, panels[2].history_image, *panels[3].curves.values()]
    for k, snap in enumerate(run[1:]):
        for p in panels:
            p.show_snapshot(snap)
        if k % 50 == 0:
            settle()
            for p in panels:
                p.view.grab()  # really render now and then
    settle()
    assert [scene_items(p) for p in panels] == counts
    # the same items, updated in place (nothing recreated per snapshot)
    assert [m.image for m in panels[0].maps] + [m.image for m in panels[1].maps] == images
    assert [*panels[2].curves, panels[2].history_image, *panels[3].curves.values()] == curves
    # and the last snapshot is what is shown
    np.testing.assert_array_equal(panels[0].maps[2].image.image, run[-1].hidden[2].T)
    x, _ = panels[3].curves["loss"].getData()
    np.testing.assert_array_equal(x, run[-1].history_iterations)


def test_a_diverged_snapshot_draws_without_errors(show):
    snap = snapshot(**LSTM)
    nan = np.full_like(snap.hidden[0], np.nan)
    broken = dataclasses.replace(
        snap,
        hidden=(nan,),
        dh_norms=np.full_like(snap.dh_norms, np.nan),
        loss_history=np.full_like(snap.loss_history, np.nan),
        diverged="diverged at iteration 20: the loss is not finite.",
    )
    for cls in PANELS:
        panel = show(cls, broken)
        panel.set_cursor(3)
        panel.view.grab()
    loss = show(LossPanel, broken)
    assert "diverged" in loss.plots["loss"].titleLabel.text


# ------------------------------------------------------------------------------ the view interface


def test_every_panel_is_a_view(show):
    from rnnviz.gui.view import check_view

    names = []
    for cls in PANELS:
        panel = show(cls)
        check_view(panel)  # name, about, cursor_moved, show_snapshot, set_cursor, set_layer
        assert len(panel.about.split(". ")) >= 2, "a few plain sentences for a student"
        panel.set_layer(1)  # before any snapshot: kept for the first one
        names.append(panel.name)
    assert names == ["hidden", "gates", "gradient", "loss"]
