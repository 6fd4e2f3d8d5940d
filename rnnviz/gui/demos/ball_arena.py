"""The ball arena: the box with its four walls, the occluder, the trail, the ball, the
prediction and the true answer at the time cursor, and the direction arrows.

At the cursor t: the ball (big blue dot; a dashed ghost behind the occluder), the model's
prediction made at t (vermillion dot) and the true answer (green ring), and the predicted and
true directions as arrows of a fixed length on screen (vermillion wide, green thin on top: when
they agree the green runs inside the vermillion one). The view is framed on the whole box or,
zoomed in, on the throw and its predictions; either fills the view's shape.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from rnnviz.gui.demos.arena_items import (
    ARENA_FLOOR,
    BALL_COLOR,
    HIDDEN_COLOR,
    PREDICTED_COLOR,
    TRUE_COLOR,
    ArenaViewBox,
    Arrow,
    Dots,
    finite_rows,
)
from rnnviz.gui.demos.ball_trail import BallTrail
from rnnviz.gui.panels._common import FOREGROUND, TEXT_PT, font
from rnnviz.training.demos.ball import NO_DIRECTION

__all__ = ["BallArena"]

#: Length of the direction arrows, in box widths (a frame's step is far too short to see).
ARROW_LENGTH = 0.2
#: Margin of the occluder around the hidden positions, in box widths.
OCCLUDER_MARGIN = 0.05
#: Zoomed in, the view frames the example's positions and predictions with this margin on
#: each side, a share of their extent (room for the arrows, a fifth of the view long) ...
ZOOM_MARGIN = 0.25
#: ... an extent of at least this much of the box.
ZOOM_MIN_SPAN = 0.15
#: Space around the framed region, a share of its span (the walls stay clear of the edge).
FRAME_PAD = 0.02


class BallArena:
    """The arena's plot in ``view`` (a ``pg.GraphicsLayoutWidget``), with ``on_click(point)``
    and ``on_drag(start, point, finished)`` called in data coordinates.

    Items: ``view_box`` and ``plot``, the ``walls`` and ``occluder`` rectangles (and the
    ``occluder_label``), the markers ``ball_marker``, ``predicted_marker`` and
    ``true_marker``, the arrows ``predicted_arrow``, ``true_arrow`` and ``aim_arrow`` (the
    drag), and the ``ball_trail`` (a ``BallTrail``).
    """

    def __init__(self, view: pg.GraphicsLayoutWidget, on_click, on_drag) -> None:
        self.view_box = ArenaViewBox(on_click, on_drag)
        self.plot = pg.PlotItem(viewBox=self.view_box)
        for axis in ("left", "bottom"):
            self.plot.hideAxis(axis)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        view.addItem(self.plot)
        self.view_box.disableAutoRange()
        self.box = (0.0, 0.0, 1.0, 1.0)
        self._range: tuple[float, float, float, float] | None = None
        self.set_range(self.box)
        vb = self.view_box

        self.walls = QGraphicsRectItem(QRectF(0, 0, 1, 1))
        self.walls.setPen(_cosmetic_pen(FOREGROUND, 3))
        self.walls.setBrush(QBrush(QColor(ARENA_FLOOR)))
        self.walls.setZValue(-10)
        vb.addItem(self.walls, ignoreBounds=True)

        self.occluder = QGraphicsRectItem()
        self.occluder.setPen(_cosmetic_pen(HIDDEN_COLOR, 2, Qt.PenStyle.DashLine))
        self.occluder.setBrush(QBrush(QColor(120, 120, 120, 95)))
        self.occluder.setZValue(-5)
        self.occluder.setVisible(False)
        vb.addItem(self.occluder, ignoreBounds=True)
        self.occluder_label = pg.TextItem("occluder", color=HIDDEN_COLOR, anchor=(0, 1))
        self.occluder_label.setFont(font(TEXT_PT, bold=True))
        self.occluder_label.setVisible(False)
        vb.addItem(self.occluder_label, ignoreBounds=True)

        self.ball_trail = BallTrail(vb)
        # the true arrow is thin with a small head on top of the wide predicted one: when they
        # agree, the green one sits inside the vermillion one and both stay visible
        self.predicted_arrow = Arrow(vb, PREDICTED_COLOR, 9, z=5, head=0.065)
        self.true_arrow = Arrow(vb, TRUE_COLOR, 3, z=6, head=0.03)
        self.aim_arrow = Arrow(vb, FOREGROUND, 2, z=12, dashed=True)
        self.ball_marker = Dots(
            size=30, brush=pg.mkBrush(BALL_COLOR), pen=pg.mkPen(FOREGROUND, width=2)
        )
        self.predicted_marker = Dots(
            size=20, brush=pg.mkBrush(PREDICTED_COLOR), pen=pg.mkPen("#ffffff", width=2)
        )
        self.true_marker = Dots(size=30, brush=None, pen=pg.mkPen(TRUE_COLOR, width=4.5))
        for z, item in ((8, self.ball_marker), (9, self.predicted_marker), (10, self.true_marker)):
            item.setZValue(z)
            vb.addItem(item, ignoreBounds=True)

    # ---------------------------------------------------------------- the box

    def set_box(self, box: tuple[float, float, float, float]) -> None:
        """The walls around ``box`` (x0, y0, x1, y1), the task's arena."""
        if tuple(box) != self.box:
            self.box = tuple(float(v) for v in box)
            x0, y0, x1, y1 = self.box
            self.walls.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def place_occluder(self, true: np.ndarray | None, visible: np.ndarray | None) -> None:
        """Cover the hidden positions (``true`` (T, 2) where not ``visible``) with the grey
        occluder; hide it when there are none (or ``true`` is None)."""
        if true is None or visible is None or visible.all():
            self.ball_trail.fill_in(None, np.ones(0, bool), 0)
            self.occluder.setVisible(False)
            self.occluder_label.setVisible(False)
            return
        hidden = true[~visible]
        lo, hi = np.array(self.box[:2]), np.array(self.box[2:])
        x0, y0 = np.clip(hidden.min(axis=0) - OCCLUDER_MARGIN, lo, hi)
        x1, y1 = np.clip(hidden.max(axis=0) + OCCLUDER_MARGIN, lo, hi)
        self.occluder.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.occluder.setVisible(True)
        self.occluder_label.setPos(x0, y1)
        self.occluder_label.setVisible(True)

    # ---------------------------------------------------------------- framing

    def zoom_range(self, example: dict[str, np.ndarray] | None) -> tuple[float, ...]:
        """(x0, y0, x1, y1) the arena shows: the whole box or, given an ``example`` to zoom in
        on, its positions and predictions with a margin (at least ``ZOOM_MIN_SPAN`` wide) in
        the middle; either widened to the view's shape, so that it fills the view."""
        lo, hi = np.array(self.box[:2]), np.array(self.box[2:])
        if example is not None:
            points = np.concatenate(
                [
                    finite_rows(example[key])
                    for key in ("true_positions", "target_positions", "predicted_positions")
                ]
            )
            if len(points):
                lo, hi = points.min(axis=0), points.max(axis=0)
                extent = np.maximum(hi - lo, ZOOM_MIN_SPAN)  # per axis: the shape fits better
                centre = (lo + hi) / 2
                margin = ZOOM_MARGIN * float(extent.max())  # the arrows are as long either way
                lo, hi = centre - extent / 2 - margin, centre + extent / 2 + margin
        width, height = self.view_box.width(), self.view_box.height()
        shape = width / height if width > 0 and height > 0 else 1.0  # x span per y span
        span = hi - lo
        if span[0] < span[1] * shape:
            span[0] = span[1] * shape
        else:
            span[1] = span[0] / shape
        # centred on the throw: kept inside the box, a throw along a wall would sit at the
        # edge of the view with the rest empty
        x0, y0 = (float(v) for v in (lo + hi) / 2 - span / 2)
        return (x0, y0, x0 + float(span[0]), y0 + float(span[1]))

    def set_range(self, box: tuple[float, ...]) -> bool:
        """Show ``box`` (x0, y0, x1, y1) with a little room around; False if it is shown."""
        if self._range is not None and np.allclose(box, self._range, rtol=0, atol=1e-9):
            return False
        self._range = tuple(box)
        x0, y0, x1, y1 = box
        dx, dy = FRAME_PAD * (x1 - x0), FRAME_PAD * (y1 - y0)
        self.view_box.setRange(xRange=(x0 - dx, x1 + dx), yRange=(y0 - dy, y1 + dy), padding=0)
        return True

    def zoom(self) -> float:
        """The shown span of the box (1: the whole box): arrows keep their size on screen."""
        if self._range is None:
            return 1.0
        x0, y0, x1, y1 = self._range
        return min(x1 - x0, y1 - y0, 1.0)

    # ---------------------------------------------------------------- the frame at the cursor

    def draw(self, preds: dict[str, np.ndarray], t: int, gap_mode: bool, seen: int) -> None:
        """Draw the throw ``preds`` (``BallTask.predictions``) with the cursor at ``t``, the
        frames up to ``seen`` solid."""
        true = np.asarray(preds["true_positions"], dtype=np.float64)  # (T, 2)
        target = np.asarray(preds["target_positions"], dtype=np.float64)  # (T, 2)
        predicted = np.asarray(preds["predicted_positions"], dtype=np.float64)  # (T, 2)
        visible = np.asarray(preds["visible"], dtype=bool)  # (T,)
        T = len(true)
        self.ball_trail.draw(true, visible, predicted, t, seen)

        self.ball_marker.setData(pos=finite_rows(true[t]))
        if visible[t]:
            self.ball_marker.setBrush(pg.mkBrush(BALL_COLOR))
            self.ball_marker.setPen(pg.mkPen(FOREGROUND, width=2))
        else:  # behind the occluder: drawn as a ghost
            ghost = QColor(BALL_COLOR)
            ghost.setAlpha(90)
            self.ball_marker.setBrush(pg.mkBrush(ghost))
            self.ball_marker.setPen(pg.mkPen(HIDDEN_COLOR, width=2, style=Qt.PenStyle.DashLine))
        self.predicted_marker.setData(pos=finite_rows(predicted[t]))
        self.true_marker.setData(pos=finite_rows(target[t]))

        if gap_mode:
            filled = np.where(visible[:, None], true, predicted)
            self.ball_trail.fill_in(filled, visible, t)
            has_guess = preds["predicted_direction"][t] != NO_DIRECTION and t + 1 < T
            start = filled[t] if has_guess else None
            guess = filled[t + 1] - filled[t] if has_guess else None
            true_move = true[t + 1] - true[t] if has_guess else None
        else:
            start = true[t]
            guess = predicted[t] - true[t]
            true_move = target[t] - true[t]
        zoom = self.zoom()
        for arrow, origin, move in (
            (self.predicted_arrow, start, guess),
            (self.true_arrow, true[t], true_move),
        ):
            arrow.scale = zoom
            arrow.set(*_arrow(origin, move, zoom))


def _arrow(start, move, zoom: float) -> tuple:
    """(start, end) of a direction arrow along ``move`` from ``start``, ``ARROW_LENGTH`` long
    on screen; (None, None) without a direction."""
    if start is None or move is None or not np.all(np.isfinite(move)):
        return None, None
    length = float(np.hypot(*move))
    if length < 1e-9:
        return None, None
    return start, start + ARROW_LENGTH * zoom * np.asarray(move) / length


def _cosmetic_pen(color: str, width: float, style=Qt.PenStyle.SolidLine) -> QPen:
    """A pen ``width`` pixels wide whatever the zoom."""
    pen = QPen(QColor(color))
    pen.setCosmetic(True)
    pen.setWidthF(width)
    pen.setStyle(style)
    return pen
