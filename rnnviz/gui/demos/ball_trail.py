"""The trail of the shown throw: where the ball has been, and what the network guessed.

Up to the time cursor t the true positions are small blue dots on a line; the later frames are
very faint (the network has not seen them yet); the positions behind the occluder are dashed
grey rings; the predictions made before t are small vermillion dots, and in "gap" mode a dashed
vermillion line is the path the network fills in behind the occluder, up to t.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from rnnviz.gui.demos.arena_items import (
    BALL_COLOR,
    FUTURE_ALPHA,
    HIDDEN_COLOR,
    PREDICTED_COLOR,
    Dots,
    finite_rows,
)

__all__ = ["BallTrail"]


class BallTrail:
    """The trail's items in ``view_box``: the lines ``trail`` (seen) and ``future_trail``
    (faint), the dots ``trail_points``, ``future_points`` and ``hidden_points`` (rings behind
    the occluder), the earlier predictions ``predicted_path`` and the filled-in path
    ``predicted_line``."""

    def __init__(self, view_box: pg.ViewBox) -> None:
        trail_color = QColor(BALL_COLOR)
        trail_color.setAlpha(140)
        self.trail = pg.PlotDataItem(pen=pg.mkPen(trail_color, width=2.5))
        self.trail_points = Dots(size=12, brush=pg.mkBrush(BALL_COLOR), pen=None)
        later = QColor(BALL_COLOR)
        later.setAlpha(FUTURE_ALPHA)
        self.future_trail = pg.PlotDataItem(pen=pg.mkPen(later, width=2))
        self.future_points = Dots(size=10, brush=pg.mkBrush(later), pen=None)
        self.hidden_points = Dots(
            size=16,
            brush=None,
            pen=pg.mkPen(HIDDEN_COLOR, width=2.5, style=Qt.PenStyle.DashLine),
        )
        faint = QColor(PREDICTED_COLOR)
        faint.setAlpha(150)
        self.predicted_path = Dots(size=9, brush=pg.mkBrush(faint), pen=None)
        self.predicted_line = pg.PlotDataItem(
            pen=pg.mkPen(PREDICTED_COLOR, width=3, style=Qt.PenStyle.DashLine)
        )
        # under the ball and the markers (z 8 to 10); the frames not seen yet under all
        for z, item in (
            (-2, self.future_trail),
            (-1, self.future_points),
            (0, self.trail),
            (1, self.trail_points),
            (2, self.hidden_points),
            (3, self.predicted_line),
            (4, self.predicted_path),
        ):
            item.setZValue(z)
            view_box.addItem(item, ignoreBounds=True)

    def draw(
        self, true: np.ndarray, visible: np.ndarray, predicted: np.ndarray, t: int, seen: int
    ) -> None:
        """Draw the throw with the cursor at ``t``: ``true`` (T, 2) positions, ``visible``
        (T,) bool, ``predicted`` (T, 2); the frames up to ``seen`` solid, the later ones
        faint."""
        T = len(true)
        solid = np.arange(T) <= seen
        last = int(np.flatnonzero(solid)[-1])
        self.trail.setData(true[: last + 1, 0], true[: last + 1, 1])
        self.future_trail.setData(true[last:, 0], true[last:, 1])
        self.trail_points.setData(pos=finite_rows(true[solid & visible]))
        self.hidden_points.setData(pos=finite_rows(true[solid & ~visible]))
        self.future_points.setData(pos=finite_rows(true[~solid]))
        # the predictions made before the cursor (the one made at it is the big dot)
        self.predicted_path.setData(pos=finite_rows(predicted[:t]))

    def fill_in(self, filled: np.ndarray | None, visible: np.ndarray, t: int) -> None:
        """The dashed path the network fills in behind the occluder: from the last position
        seen before the gap through its guesses, up to the cursor (and on to the first position
        seen again once the cursor is past the gap). ``filled`` (T, 2) is the true position
        where seen and the guess where hidden; None hides the path."""
        hidden = np.flatnonzero(~visible)
        if filled is None or len(hidden) == 0 or t < hidden[0]:
            self.predicted_line.setVisible(False)
            return
        lo, hi = max(hidden[0] - 1, 0), min(hidden[-1] + 1, len(filled) - 1)
        path = finite_rows(filled[lo : min(hi, t) + 1])
        self.predicted_line.setData(path[:, 0], path[:, 1])
        self.predicted_line.setVisible(len(path) > 1)
