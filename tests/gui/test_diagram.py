"""The network diagram view (rnnviz.gui.diagram.DiagramView) with real snapshots."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from rnnviz.gui.diagram import DiagramView
from rnnviz.gui.diagram.shapes import Rect
from rnnviz.gui.panels.style import fixed_levels, map_of
from rnnviz.gui.view import check_view
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer

NETWORKS = {
    "rnn": {"model.cell": "rnn_tanh"},
    "lstm": {"model.cell": "lstm", "model.num_layers": 2, "model.bidirectional": True},
    "gru": {"model.cell": "gru"},
}


@pytest.fixture(scope="module")
def snapshots():
    out = {}
    for name, settings in NETWORKS.items():
        small = {"model.hidden_size": 8, "batch_size": 4, "seq_len": 30}
        trainer = Trainer(TrainConfig(task="alphabet").with_settings({**small, **settings}))
        trainer.step()
        out[name] = trainer.snapshot()
    return out


def shown_view(qtbot, snapshot, size=(600, 400), cursor=10) -> DiagramView:
    view = DiagramView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(snapshot)
    view.set_cursor(cursor)
    return view


def test_the_diagram_is_a_view(qtbot):
    view = DiagramView()
    qtbot.addWidget(view)
    check_view(view)
    assert view.name == "diagram"
    assert "W_hh" in view.about and "h_t" in view.about


@pytest.mark.parametrize("name", list(NETWORKS))
def test_clicking_a_box_moves_the_cursor_to_its_step(qtbot, snapshots, name):
    view = shown_view(qtbot, snapshots[name])
    d = view.diagram()
    box = next(b for b in d.boxes if not b.cursor and b.entry == d.boxes[-1].entry)
    where = QPoint(round(box.rect.cx), round(box.rect.cy))
    with qtbot.waitSignal(view.cursor_moved, timeout=1000) as signal:
        qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=where)
    assert signal.args == [box.t]
    assert view.cursor() == box.t
    assert next(b for b in view.diagram().boxes if b.cursor).t == box.t


def test_the_arrow_keys_move_the_cursor_and_tell_the_others(qtbot, snapshots):
    view = shown_view(qtbot, snapshots["gru"], cursor=4)
    last = snapshots["gru"].seq_len - 1
    with qtbot.waitSignal(view.cursor_moved, timeout=1000) as signal:
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert signal.args == [5]
    with qtbot.waitSignal(view.cursor_moved, timeout=1000) as signal:
        qtbot.keyClick(view, Qt.Key.Key_End)
    assert signal.args == [last]
    emitted = []
    view.cursor_moved.connect(emitted.append)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # already at the end
    assert emitted == [] and view.cursor() == last


def test_set_cursor_moves_the_window_and_emits_nothing(qtbot, snapshots):
    view = shown_view(qtbot, snapshots["lstm"], cursor=0)
    steps = snapshots["lstm"].seq_len
    emitted = []
    view.cursor_moved.connect(emitted.append)
    assert view.diagram().window.start == 0
    view.set_cursor(steps - 1)
    window = view.diagram().window
    assert window.stop == steps and steps - 1 in window and len(window) < steps
    view.set_cursor(steps // 2)
    assert steps // 2 in view.diagram().window
    view.set_cursor(10_000)  # beyond the sequence: its last step
    assert view.cursor() == steps - 1
    assert emitted == []


def test_the_fold_button_animates_to_the_other_state_and_back(qtbot, snapshots):
    view = shown_view(qtbot, snapshots["lstm"])
    assert view.unrolled and view.fold == 1.0 and view.fold_button.text() == "Fold"
    seen = []
    view.animation.valueChanged.connect(seen.append)
    qtbot.mouseClick(view.fold_button, Qt.MouseButton.LeftButton)
    assert view.fold_button.text() == "Unroll"
    qtbot.waitUntil(lambda: view.fold == 0.0, timeout=3000)
    assert any(0.0 < v < 1.0 for v in seen), "it animates, it does not jump"
    shown = [b for b in view.diagram().boxes if b.alpha > 0]
    assert len(shown) == snapshots["lstm"].layout.count, "folded: one cell a row"
    qtbot.mouseClick(view.fold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.fold == 1.0, timeout=3000)
    assert view.fold_button.text() == "Fold"
    assert len(view.diagram().boxes) == len(view.diagram().window) * 4


@pytest.mark.parametrize("name", list(NETWORKS))
@pytest.mark.parametrize("size", [(600, 400), (900, 600), (1900, 1000)])
@pytest.mark.parametrize("unrolled", [False, True])
def test_nothing_is_drawn_outside_the_view(qtbot, snapshots, name, size, unrolled):
    view = shown_view(qtbot, snapshots[name], size)
    view.set_unrolled(unrolled, animate=False)
    canvas = Rect(0, 0, view.canvas.width(), view.canvas.height())
    assert view.diagram().bounds().within(canvas)
    assert view.canvas.height() > 0.8 * size[1], "the bar over the drawing stays one line"


def test_a_box_shows_its_step_s_hidden_state_in_the_heat_maps_colours(qtbot, snapshots):
    snap = snapshots["rnn"]
    view = shown_view(qtbot, snap, (900, 600), cursor=12)
    image = view.canvas.grab().toImage()
    lo, hi = fixed_levels(*snap.layout.value_range("h"))
    for b in view.diagram().boxes:
        cols, rows = b.grid
        for unit in (0, snap.layout.hidden_size - 1):
            row, col = divmod(unit, cols)
            x = b.h_strip.x + (col + 0.5) * b.h_strip.w / cols
            y = b.h_strip.y + (row + 0.5) * b.h_strip.h / rows
            value = float(snap.hidden[0][b.t][unit])
            index = int(np.clip((value - lo) * 255.0 / (hi - lo), 0, 255))
            expected = map_of((lo, hi))[index]
            got = QColor(image.pixel(round(x), round(y)))
            assert abs(got.red() - int(expected[0])) <= 3, (b.t, unit)
            assert abs(got.blue() - int(expected[2])) <= 3, (b.t, unit)


def test_hovering_a_box_reads_out_its_values(qtbot, snapshots):
    snap = snapshots["lstm"]
    view = shown_view(qtbot, snap)
    box = next(b for b in view.diagram().boxes if b.entry == 3)
    view.hover(box.rect.cx, box.rect.cy)
    text = view.readout.text()
    assert snap.layout.labels[3] in text and f"t = {box.t}" in text
    assert "f " in text and "c:" in text
    view.hover(None, None)
    assert snap.layout.labels[3] not in view.readout.text()


def test_a_new_network_replaces_the_old_one(qtbot, snapshots):
    view = shown_view(qtbot, snapshots["lstm"])
    assert len({b.entry for b in view.diagram().boxes}) == 4
    view.set_layer(3)
    view.show_snapshot(snapshots["rnn"])  # the window keeps its layer choice; one row now
    view.canvas.grab()  # paints
    assert {b.entry for b in view.diagram().boxes} == {0}
    assert all(b.bars == () and b.c_strip is None for b in view.diagram().boxes)


def test_before_the_first_snapshot_it_says_what_comes(qtbot):
    view = DiagramView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.set_cursor(3)
    view.set_layer(1)
    assert view.diagram() is None
    view.canvas.grab()  # paints its message without a snapshot
