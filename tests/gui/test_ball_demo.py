"""The moving-ball arena as a new user sees it (rnnviz.gui.demos.ball_view), on real snapshots.

What is checked: each legend entry (symbol and words) is one unit that is never split, the
entries wrapping between each other at narrow widths; the whole box shows its four walls, and
"Zoom in" frames the throw in the middle of the view, large; at the time cursor only the frames
seen so far are drawn solid (the later ones faint, all of them for a bidirectional network
filling a gap) with the predictions made up to the cursor; the title scores this one throw
("this ball: …", the same count the predictions give), fitting the view's width; the frame's
read-out wraps instead of ending in "…"; "Back to the example" appears once a throw is
released and does not move the arena; the view is a ``rnnviz.gui.view.View`` whose layer choice
changes nothing (the arena draws outputs, no layer's units).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

pytest.importorskip("pytestqt")
pytest.importorskip("pyqtgraph")

from gui_helpers import settle
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFontMetrics, QImage, QTextDocument

from rnnviz.gui.demos import BallView
from rnnviz.gui.demos.arena_items import ARENA_FLOOR, FUTURE_ALPHA
from rnnviz.gui.panels._common import FOREGROUND, TITLE_PT, font
from rnnviz.gui.view import check_view
from rnnviz.tasks.ball import NO_DIRECTION, WARMUP_FRAMES
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer

#: The demo's width in the window at 1280×720 is about this (the window's own layout decides).
NARROW = (455, 620)
WIDE = (1000, 760)
GAP = {"task.mode": "gap", "seq_len": "10"}
BIDIRECTIONAL_GAP = {**GAP, "model.bidirectional": "true"}


@functools.cache
def _snapshot(settings: tuple = (), steps: int = 30):
    trainer = Trainer(TrainConfig(task="ball").with_settings(dict(settings)))
    return list(trainer.run(steps=steps))[-1]


def snapshot(settings: dict | None = None):
    return _snapshot(tuple(sorted((settings or {}).items())))


@pytest.fixture
def show(qtbot):
    def make(snap, size=WIDE, zoom=True):
        view = BallView()
        qtbot.addWidget(view)
        view.resize(*size)
        view.show_snapshot(snap)
        view.show()
        qtbot.waitExposed(view)
        view.zoom_box.setChecked(zoom)
        settle()
        return view

    return make


def points(item) -> np.ndarray:
    x, y = item.getData()
    return np.column_stack([x, y]) if x is not None and len(x) else np.zeros((0, 2))


def image(view) -> np.ndarray:
    """The arena's pixels, (height, width, 3) RGB."""
    picture = view.view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    h, w, stride = picture.height(), picture.width(), picture.bytesPerLine()
    data = np.frombuffer(picture.constBits(), np.uint8, count=h * stride).reshape(h, stride)
    bgra = data[:, : w * 4].reshape(h, w, 4)
    return bgra[..., 2::-1].astype(int)


def pixel_of(view, x: float, y: float) -> tuple[int, int]:
    """(column, row) in ``image(view)`` of the data point (x, y)."""
    scene = view.view_box.mapViewToScene(QPointF(x, y))
    point = view.view.mapFromScene(scene)
    return point.x(), point.y()


def colour_near(pixels: np.ndarray, x: int, y: int, colour: str, radius: int = 2) -> int:
    """The smallest per-channel distance to ``colour`` around (x, y)."""
    c = QColor(colour)
    want = np.array([c.red(), c.green(), c.blue()])
    patch = pixels[max(y - radius, 0) : y + radius + 1, max(x - radius, 0) : x + radius + 1]
    return int(np.abs(patch - want).max(axis=-1).min())


def view_range(view) -> np.ndarray:
    (x0, x1), (y0, y1) = view.view_box.viewRange()
    return np.array([x0, y0, x1, y1])


# ------------------------------------------------------------------------------ legend


@pytest.mark.parametrize("width", [340, NARROW[0], WIDE[0]])
@pytest.mark.parametrize("settings", [{}, GAP], ids=["next", "gap"])
def test_each_legend_entry_stays_whole(show, width, settings):
    view = show(snapshot(settings), size=(width, 600))
    entries = [label for label in view.legend_entries if label.isVisible()]
    assert len(entries) >= 4
    for label in entries:
        doc = QTextDocument()
        doc.setHtml(label.text())
        text = doc.toRawText()  # no-break spaces kept (toPlainText makes them plain)
        symbol, _, words = text.partition("\xa0")
        # the symbol and its words in one label, joined by no-break spaces only
        assert symbol and words and " " not in text, text
        assert not label.wordWrap()
        # all of it shown, on one line, inside the view
        hint = label.sizeHint()
        geometry = label.geometry()
        assert geometry.width() >= hint.width() and geometry.height() >= hint.height()
        assert geometry.right() < view.controls.width()
    # the entries wrap between each other: a narrow view has several rows, none overlapping
    rows = sorted({label.geometry().top() for label in entries})
    if width < 400:
        assert len(rows) >= 2
    boxes = [label.geometry() for label in [*entries, view.zoom_box]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.intersects(b), (a, b)


# ------------------------------------------------------------------------------ the arena


def test_the_whole_box_shows_its_four_walls(show):
    view = show(snapshot(), zoom=False)
    x0, y0, x1, y1 = view_range(view)
    assert x0 < 0 and y0 < 0 and x1 > 1 and y1 > 1
    pixels = image(view)
    for x, y in ((0.0, 0.5), (1.0, 0.5), (0.5, 0.0), (0.5, 1.0), (0.0, 0.9), (1.0, 0.1)):
        px, py = pixel_of(view, x, y)
        assert colour_near(pixels, px, py, FOREGROUND) < 40, (x, y)
    # and no wall inside the box
    px, py = pixel_of(view, 0.97, 0.5)
    assert colour_near(pixels, px, py, FOREGROUND, radius=0) > 150


@pytest.mark.parametrize("settings", [{}, GAP], ids=["next", "gap"])
@pytest.mark.parametrize("size", [NARROW, WIDE, (700, 500)])
def test_zoom_frames_the_throw_in_the_middle_large(show, settings, size):
    snap = snapshot(settings)
    view = show(snap, size=size)
    p = snap.predictions
    action = np.concatenate(
        [p[k][np.all(np.isfinite(p[k]), axis=1)] for k in ("true_positions", "predicted_positions")]
    )
    lo, hi = action.min(axis=0), action.max(axis=0)
    x0, y0, x1, y1 = view_range(view)
    span = np.array([x1 - x0, y1 - y0])
    assert np.all(lo >= [x0, y0]) and np.all(hi <= [x1, y1])
    # large: along one axis at least half the view (the view's shape widens the other)
    assert np.max((hi - lo) / span) > 0.5
    # in the middle, not pushed against a wall with the rest of the view empty
    middle = np.array([x0 + x1, y0 + y1]) / 2
    assert np.all(np.abs((lo + hi) / 2 - middle) < 0.05 * span)
    # the range has the view's shape: pyqtgraph adds nothing empty to keep the aspect
    width, height = view.view_box.width(), view.view_box.height()
    assert span[0] / span[1] == pytest.approx(width / height, rel=0.02)
    # every wall in the view is drawn, along all of its length there
    pixels = image(view)
    inside = 0.03 * span  # clear of the view's edge
    for axis in (0, 1):
        for wall in (0.0, 1.0):
            if not view_range(view)[axis] + inside[axis] < wall < view_range(view)[axis + 2]:
                continue
            other = 1 - axis
            lo_other = max(0.0, view_range(view)[other] + inside[other])
            hi_other = min(1.0, view_range(view)[other + 2] - inside[other])
            for along in np.linspace(lo_other, hi_other, 5):
                point = (wall, along) if axis == 0 else (along, wall)
                assert colour_near(pixels, *pixel_of(view, *point), FOREGROUND) < 40, point


# ------------------------------------------------------------------------------ the time cursor


def test_only_the_frames_seen_so_far_are_drawn_solid(show):
    snap = snapshot()
    view = show(snap)
    p = snap.predictions
    true, predicted = p["true_positions"], p["predicted_positions"]
    T = len(true)
    view.set_cursor(0)
    # frame 0: one position seen; the rest of the path is faint
    np.testing.assert_allclose(points(view.trail_points), true[:1], atol=1e-6)
    np.testing.assert_allclose(points(view.future_points), true[1:], atol=1e-6)
    assert view.future_points.opts["brush"].color().alpha() <= FUTURE_ALPHA
    assert view.future_trail.opts["pen"].color().alpha() <= FUTURE_ALPHA
    assert len(points(view.predicted_path)) == 0  # only the prediction made at frame 0
    np.testing.assert_allclose(points(view.predicted_marker), predicted[:1], atol=1e-6)
    # on screen: the last frame is barely off the floor at frame 0 and solid at the end
    far = pixel_of(view, *true[-1])
    assert colour_near(image(view), *far, ARENA_FLOOR, radius=0) < 100  # a solid dot: 250
    view.set_cursor(T - 1)
    assert colour_near(image(view), *far, ARENA_FLOOR, radius=0) > 100
    for t in (5, T - 1):
        view.set_cursor(t)
        np.testing.assert_allclose(points(view.trail_points), true[: t + 1], atol=1e-6)
        np.testing.assert_allclose(points(view.future_points), true[t + 1 :], atol=1e-6)
        x, y = view.trail.getData()
        np.testing.assert_allclose(np.column_stack([x, y]), true[: t + 1], atol=1e-6)
        # the predictions made before the cursor, and the one made at it
        np.testing.assert_allclose(points(view.predicted_path), predicted[:t], atol=1e-6)
        np.testing.assert_allclose(points(view.predicted_marker), predicted[t : t + 1])


def test_a_bidirectional_network_filling_a_gap_has_seen_every_frame(show):
    snap = snapshot(BIDIRECTIONAL_GAP)
    view = show(snap)
    p = snap.predictions
    visible = p["visible"]
    view.set_cursor(0)
    assert len(points(view.future_points)) == 0
    np.testing.assert_allclose(points(view.trail_points), p["true_positions"][visible])
    legend = " ".join(label.text() for label in view.legend_entries if label.isVisible())
    assert "later" not in legend
    # a one-directional one has not: the frames after the cursor are faint
    view.show_snapshot(snapshot(GAP))
    view.set_cursor(0)
    assert len(points(view.future_points)) == len(visible) - 1
    legend = " ".join(label.text() for label in view.legend_entries if label.isVisible())
    assert "later" in legend


def test_the_filled_in_path_grows_with_the_cursor(show):
    snap = snapshot(BIDIRECTIONAL_GAP)
    view = show(snap)
    hidden = np.flatnonzero(~snap.predictions["visible"])
    view.set_cursor(int(hidden[0]) - 1)
    assert not view.predicted_line.isVisible()
    lengths = []
    for t in hidden:
        view.set_cursor(int(t))
        assert view.predicted_line.isVisible()
        lengths.append(len(view.predicted_line.getData()[0]))
    assert lengths == list(range(2, len(hidden) + 2))  # the last seen position, then the guesses


# ------------------------------------------------------------------------------ texts


def this_ball_directions(p, next_mode: bool = True) -> tuple[int, int]:
    counted = p["predicted_direction"] != NO_DIRECTION
    if next_mode:
        counted[:WARMUP_FRAMES] = False
    return int(np.sum(counted & (p["predicted_direction"] == p["true_direction"]))), int(
        counted.sum()
    )


@pytest.mark.parametrize("size", [NARROW, WIDE])
def test_the_title_scores_this_ball_and_fits(show, size):
    snap = snapshot()
    view = show(snap, size=size)
    right, counted = this_ball_directions(snap.predictions)
    title = view.plot.titleLabel.text
    assert "this ball" in title
    assert f"{right} of {counted}" in title or f"{right}/{counted}" in title
    assert "%" not in title  # a percentage reads like the loss view's batch accuracy
    assert view.plot.titleLabel.item.boundingRect().width() <= view.view.width()
    if size == WIDE:
        assert f"Iteration {snap.iteration}" in title and "direction right" in title
        # the view asks the window for the room of its shortest title only (and margins)
        metrics = QFontMetrics(font(TITLE_PT))
        shortest = min(metrics.horizontalAdvance(option) for option in view.title_options())
        assert view.view.minimumWidth() <= shortest + 60 < metrics.horizontalAdvance(title)


def test_the_gap_title_scores_this_balls_hidden_frames(show):
    snap = snapshot(GAP)
    view = show(snap, size=NARROW)
    p = snap.predictions
    hidden = ~p["visible"]
    miss = np.hypot(*(p["predicted_positions"] - p["true_positions"])[hidden].T).mean()
    title = view.plot.titleLabel.text
    assert "this ball" in title and f"{miss:.3f}" in title
    assert view.plot.titleLabel.item.boundingRect().width() <= view.view.width()


@pytest.mark.parametrize("settings", [{}, GAP], ids=["next", "gap"])
def test_the_readout_wraps_instead_of_ending_in_an_ellipsis(show, settings):
    snap = snapshot(settings)
    view = show(snap, size=NARROW)
    label = view.readout
    assert label.isVisible() and not view.hover_label.isVisible()
    heights = []
    for t in range(len(snap.predictions["visible"])):
        view.set_cursor(t)
        settle()
        text = label.text()
        assert text.startswith(f"Frame {t}") and "…" not in text
        assert text.endswith("drag in the box to throw a ball")
        # every line of it fits the label: nothing is cut off
        assert label.heightForWidth(label.width()) <= label.height()
        heights.append(label.height())
        if t == 0 and not settings:
            assert "one position seen, nobody can know the direction yet" in text
    # stepping through the frames never shrinks it: the arena above does not jump
    assert heights == sorted(heights)
    assert max(heights) > 2 * label.fontMetrics().lineSpacing()  # more than one line


# ------------------------------------------------------------------------------ throwing


def test_back_button_appears_when_a_throw_is_released_without_moving_the_arena(show):
    view = show(snapshot())
    arena = view.view.geometry()
    assert not view.back_button.isVisible()
    # while aiming: the thrown ball is drawn, the button waits (the layout may change)
    view._on_drag(QPointF(0.3, 0.3), QPointF(0.5, 0.4), False)
    assert view.thrown is not None and not view.back_button.isVisible()
    view._on_drag(QPointF(0.3, 0.3), QPointF(0.55, 0.45), True)
    settle()
    assert view.back_button.isVisible() and view.back_button.isEnabled()
    assert "Your throw" in view.plot.titleLabel.text
    assert view.view.geometry() == arena  # its row was there already
    view.back_to_example()
    settle()
    assert not view.back_button.isVisible()
    assert view.view.geometry() == arena


# ------------------------------------------------------------------------------ the view


def test_the_ball_view_is_a_view_and_ignores_the_layer(show, qtbot):
    view = show(snapshot(BIDIRECTIONAL_GAP))
    check_view(view)
    assert view.name == "ball" and "ball" in view.about
    view.set_cursor(4)
    drawn = [points(item) for item in (view.trail_points, view.predicted_path, view.ball_marker)]
    title, readout = view.plot.titleLabel.text, view.readout.text()
    with qtbot.assertNotEmitted(view.cursor_moved):
        for index in (1, 3, 0):  # layer 1 ←, an entry past the layout, layer 1 →
            view.set_layer(index)
            assert view.cursor() == 4
            assert view.plot.titleLabel.text == title and view.readout.text() == readout
            for item, before in zip(
                (view.trail_points, view.predicted_path, view.ball_marker), drawn, strict=True
            ):
                np.testing.assert_array_equal(points(item), before)


def test_the_view_reads_the_task_from_the_snapshot(show):
    snap = snapshot({"task.directions": "6", "task.mode": "snapshot"})
    assert snap.task.mode == "snapshot" and snap.task.directions == 6
    view = show(snap)
    assert view.mode == "snapshot" and "1 in 6" in view.banner.text()
    right, counted = this_ball_directions(snap.predictions, next_mode=False)
    assert view.ball_score() == (right, counted)
    assert counted == len(snap.predictions["visible"])  # a snapshot model: every frame counts


def test_no_throw_before_the_snapshot_has_weights(show, qtbot):
    snap = snapshot()
    view = show(dataclasses.replace(snap, weights={}))
    with qtbot.assertNotEmitted(view.ball_thrown):
        view._on_drag(QPointF(0.3, 0.3), QPointF(0.55, 0.45), True)
    assert view.thrown is None and not view.back_button.isEnabled()
    assert "this ball" in view.plot.titleLabel.text
    # with weights, the same drag throws
    view.show_snapshot(snap)
    with qtbot.waitSignal(view.ball_thrown, timeout=1000):
        view._on_drag(QPointF(0.3, 0.3), QPointF(0.55, 0.45), True)
    assert view.thrown is not None and view.back_button.isEnabled()


def test_a_snapshot_that_moves_the_zoomed_range_draws_the_frame_once(show, monkeypatch):
    """A new throw moves "Zoom in"'s range, which draws the frame in it: not drawn again."""
    view = show(snapshot(), zoom=True)
    drawn = []
    monkeypatch.setattr(view.arena, "draw", lambda *a, **k: drawn.append(a[1]))
    before = view.arena._range
    view.show_snapshot(_snapshot(steps=31))
    assert view.arena._range != before and len(drawn) == 1
