"""The pieces the ball arena is drawn with: its colours, dots that leave clicks to the arena,
arrows in data coordinates, and the fixed view box that reports clicks and drags.
"""

from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPolygonItem

from rnnviz.gui.panels._common import OKABE_ITO

__all__ = [
    "ARENA_FLOOR",
    "BALL_COLOR",
    "FUTURE_ALPHA",
    "HIDDEN_COLOR",
    "PREDICTED_COLOR",
    "TRUE_COLOR",
    "ArenaViewBox",
    "Arrow",
    "Dots",
    "blend",
    "finite_rows",
]

BALL_COLOR = OKABE_ITO[0]  # blue: the ball and its trail
PREDICTED_COLOR = OKABE_ITO[4]  # vermillion: what the network predicts
TRUE_COLOR = OKABE_ITO[2]  # bluish green: the right answer
HIDDEN_COLOR = "#6e6e6e"  # grey: behind the occluder
#: Opacity (of 255) of the frames after the cursor: there to click on, too faint to give the
#: path away before the network has seen it.
FUTURE_ALPHA = 40
ARENA_FLOOR = "#fafafa"  # inside the walls

#: Length of an arrow's head, box widths.
HEAD = 0.045


def blend(color: str, background: str, alpha: float) -> str:
    """``color`` drawn with opacity ``alpha`` over ``background``, as one opaque "#rrggbb"."""
    top, bottom = QColor(color), QColor(background)
    mix = [
        round(alpha * a + (1 - alpha) * b)
        for a, b in zip(top.getRgb()[:3], bottom.getRgb()[:3], strict=True)
    ]
    return QColor(*mix).name()


def finite_rows(points: np.ndarray) -> np.ndarray:
    """The rows of ``points`` (..., 2) with both coordinates finite, as (N, 2)."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return points[np.all(np.isfinite(points), axis=1)]


class Dots(pg.ScatterPlotItem):
    """A scatter plot that leaves clicks to the arena (pyqtgraph's would take a click on a
    dot, the very place a user clicks to move the time cursor)."""

    def mouseClickEvent(self, ev):
        ev.ignore()


class Arrow:
    """A straight arrow in data coordinates (the arena keeps its aspect ratio, so the head is
    not distorted): a shaft of ``width`` pixels and a filled triangular head. ``start`` and
    ``end`` are the drawn points (None when hidden)."""

    def __init__(
        self, view: pg.ViewBox, color: str, width: float, z: float, dashed=False, head=HEAD
    ):
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        self.shaft = pg.PlotDataItem(pen=pg.mkPen(color, width=width, style=style))
        self.shaft.setZValue(z)
        view.addItem(self.shaft, ignoreBounds=True)
        pen = QPen(QColor(color))
        pen.setCosmetic(True)
        pen.setWidthF(1.5)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        self.head = QGraphicsPolygonItem()
        self.head.setPen(pen)
        self.head.setBrush(QBrush(QColor(color)))
        self.head.setZValue(z)
        view.addItem(self.head, ignoreBounds=True)
        self.head_length = head
        #: Multiplies the head's length (the arena's zoom: the same size on screen).
        self.scale = 1.0
        self.start: np.ndarray | None = None
        self.end: np.ndarray | None = None
        self.set(None, None)

    def set(self, start, end) -> None:
        """Draw from ``start`` to ``end`` (2,), or hide when either is None or they coincide."""
        if start is None or end is None or not np.all(np.isfinite([*start, *end])):
            self._hide()
            return
        start, end = np.asarray(start, float), np.asarray(end, float)
        vector = end - start
        length = float(np.hypot(*vector))
        if length < 1e-9:
            self._hide()
            return
        u = vector / length
        n = np.array([-u[1], u[0]])
        head = min(self.head_length * self.scale, 0.6 * length)
        back = end - u * head
        self.shaft.setData([start[0], back[0]], [start[1], back[1]])
        corners = [end, back + n * head * 0.55, back - n * head * 0.55]
        self.head.setPolygon(QPolygonF([QPointF(float(x), float(y)) for x, y in corners]))
        self.shaft.setVisible(True)
        self.head.setVisible(True)
        self.start, self.end = start, end

    def _hide(self) -> None:
        self.shaft.setVisible(False)
        self.head.setVisible(False)
        self.start = self.end = None

    def isVisible(self) -> bool:
        return self.head.isVisible()


class ArenaViewBox(pg.ViewBox):
    """The fixed arena: no pan or zoom; reports left clicks and left drags in data
    coordinates: ``on_click(point)`` and ``on_drag(start, point, finished)``."""

    def __init__(self, on_click, on_drag):
        super().__init__(enableMenu=False, lockAspect=True)
        self.setMouseEnabled(x=False, y=False)
        self._on_click = weakref.WeakMethod(on_click)
        self._on_drag = weakref.WeakMethod(on_drag)

    def mouseClickEvent(self, ev):
        self._report(ev, self._on_click, self.mapSceneToView(ev.scenePos()))

    def mouseDragEvent(self, ev, axis=None):
        start = self.mapSceneToView(ev.buttonDownScenePos())
        self._report(ev, self._on_drag, start, self.mapSceneToView(ev.scenePos()), ev.isFinish())

    @staticmethod
    def _report(ev, ref, *args) -> None:
        """Take a left-button event and call ``ref``'s method (if it is still alive) with
        ``args``; leave any other button to pyqtgraph."""
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        method = ref()
        if method is not None:
            method(*args)

    def wheelEvent(self, ev, axis=None):
        ev.ignore()
