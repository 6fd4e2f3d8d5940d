"""The BPTT animation on the network diagram: its controls, its clock, and what it draws."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import gui_helpers

from rnnviz.gui.diagram import DiagramView
from rnnviz.gui.diagram.bptt import BACKWARD, DONE, FORWARD, IDLE, BpttPass
from rnnviz.gui.diagram.bptt_painting import gradient_color, gradient_width
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer

T = 8


@pytest.fixture(scope="module")
def snapshots():
    out = {}
    for cell in ("rnn_tanh", "lstm"):
        settings = {"model.cell": cell, "model.hidden_size": 8, "batch_size": 4, "seq_len": T}
        trainer = Trainer(TrainConfig(task="alphabet").with_settings(settings))
        first = list(trainer.run(steps=1))[-1]
        out[cell] = (first, list(trainer.run(steps=1))[-1])
    return out


def shown(qtbot, snapshot, size=(900, 520)) -> DiagramView:
    return gui_helpers.shown(qtbot, DiagramView, snapshot, size)


def image(view) -> np.ndarray:
    qimage = view.canvas.grab().toImage()
    array = np.frombuffer(qimage.constBits(), np.uint8, qimage.sizeInBytes())
    return array.reshape(qimage.height(), qimage.bytesPerLine()).copy()


def test_play_runs_a_pass_without_blocking_and_the_cursor_follows(qtbot, snapshots):
    view = shown(qtbot, snapshots["rnn_tanh"][0])
    view.set_unrolled(False, animate=False)
    player = view.player
    player.set_speed(16.0)
    moved = []
    view.cursor_moved.connect(moved.append)
    qtbot.mouseClick(player.play_button, _left())
    assert player.playing and player.run.phase == FORWARD and player.run.steps == T
    assert view.unrolled  # a pass is drawn on the unrolled network
    assert player.play_button.text() != "BPTT ▶"  # it says pause now
    qtbot.waitUntil(lambda: player.run.phase == BACKWARD, timeout=5_000)
    qtbot.waitUntil(lambda: player.run.finished, timeout=5_000)
    assert not player.playing and player.play_button.text() == "BPTT ▶"
    # the cursor went up with the forward pass and back down with the gradient
    assert moved[: T - 1] == list(range(1, T))
    assert moved[-1] == 0 and T - 1 in moved


def test_step_moves_one_time_step_and_pauses(qtbot, snapshots):
    view = shown(qtbot, snapshots["lstm"][0])
    player = view.player
    qtbot.mouseClick(player.step_button, _left())
    assert not player.playing and player.run.phase == FORWARD and player.run.step == 0
    for _ in range(T):
        qtbot.mouseClick(player.step_button, _left())
    assert player.run.phase == BACKWARD and player.run.step == T - 1
    qtbot.mouseClick(player.play_button, _left())  # play goes on from there
    assert player.playing and player.run.position >= T
    qtbot.mouseClick(player.play_button, _left())  # and pauses
    assert not player.playing and player.run.phase in (BACKWARD, DONE)
    qtbot.mouseClick(player.stop_button, _left())
    assert player.run.phase == IDLE and not player.stop_button.isEnabled()


def test_a_pass_animates_the_snapshot_it_began_on_and_then_shows_the_newest(qtbot, snapshots):
    first, newer = snapshots["rnn_tanh"]
    view = shown(qtbot, first)
    view.player.step()
    view.show_snapshot(newer)
    assert view.snapshot is first and view.player.run.position == 1.0  # not restarted
    view.player.step()
    assert view.player.run.position == 2.0
    view.player.stop()
    assert view.snapshot is newer
    # a pass played to its end shows what came meanwhile, and stays drawn over it
    view.show_snapshot(first)
    view.player.step()
    view.show_snapshot(newer)
    assert view.snapshot is first
    view.player.run.advance(2 * T - 0.5 - view.player.run.position)
    view.player.step()
    assert view.player.run.finished and view.snapshot is newer


def test_each_phase_draws_something_else(qtbot, snapshots):
    view = shown(qtbot, snapshots["lstm"][0])
    view.set_cursor(3)
    still = image(view)
    pictures = []
    for position in (1.5, 3.9, T + 1.5, 2 * T):
        view.player.run = BpttPass(T)
        view.player.run.advance(position)
        view.canvas.update()
        pictures.append(image(view))
    for a, b in zip([still, *pictures], pictures, strict=False):
        assert not np.array_equal(a, b)
    view.player.stop()
    assert np.array_equal(image(view), still)


def test_a_stronger_gradient_is_a_wider_and_brighter_arrow():
    widths = [gradient_width(level) for level in (0.0, 0.5, 1.0)]
    assert widths == sorted(widths) and widths[-1] > 4 * widths[0]
    lightness = [gradient_color(level).lightnessF() for level in (0.0, 0.5, 1.0)]
    assert lightness == sorted(lightness)
    assert gradient_width(None) == widths[0]  # no gradient: the thinnest, grey


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_the_bar_fits_a_view_at_its_least_size(qtbot, snapshots):
    view = DiagramView()
    qtbot.addWidget(view)
    least = view.minimumSizeHint()
    view.resize(least)
    view.show()
    qtbot.waitExposed(view)
    view.show_snapshot(snapshots["lstm"][0])
    assert view.width() == least.width()  # the bar did not widen the view
    player = view.player
    for button in (view.fold_button, player.play_button, player.step_button, player.stop_button):
        right = button.mapTo(view, button.rect().topRight()).x()
        assert right < view.width()
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()
    player.play()  # the pause text fits as well
    assert (
        player.play_button.fontMetrics().horizontalAdvance(player.play_button.text())
        < player.play_button.width()
    )
    player.stop()


def test_the_pass_tells_where_it_is(qtbot, snapshots):
    view = shown(qtbot, snapshots["rnn_tanh"][0])
    with qtbot.waitSignal(view.bptt_moved, timeout=1000) as moved:
        view.player.step()
    assert moved.args == [FORWARD, 0]
    view.player.run.advance(T)
    with qtbot.waitSignal(view.bptt_moved, timeout=1000) as moved:
        view.player.step()
    assert moved.args == [BACKWARD, T - 2]
    with qtbot.waitSignal(view.bptt_moved, timeout=1000) as moved:
        view.player.stop()
    assert moved.args == [IDLE, 0]
    assert "BPTT" in view.about and "‖∂L/∂h_t‖" in view.about
