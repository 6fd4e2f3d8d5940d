"""The moving-ball arena: where the ball went, where the network thinks it goes next.

The unit box [0, 1] × [0, 1] (y up, four walls) holds the example throw of the latest snapshot,
framed to fill the view ("Zoom in": framed on the throw and its predictions instead):

- the trail up to the time cursor t: the true positions p_0 … p_t (small blue dots and a
  line); the later frames are very faint, since the network has not seen them yet (a
  bidirectional network in "gap" mode has seen every frame but the hidden ones: all solid);
- at t: the ball (big blue dot), the model's prediction made at t (vermillion dot) and the
  true answer (green ring), and the predicted and true directions as arrows of a fixed length
  (vermillion wide, green thin on top: when they agree the green runs inside the vermillion
  one); the small vermillion dots are the predictions made before t;
- "gap" mode: the occluder, a grey box over the hidden frames' region; the hidden positions
  are dashed grey rings (the audience sees them, the network does not) and the dashed vermillion
  line is the path the network fills in, up to t;
- "snapshot" mode: a banner says that the model sees one frame only (its direction is a guess).

The title scores this one throw ("this ball: 17 of 19 directions right"), not the batch the
loss view averages over; the read-out under the arena describes frame t, wrapped over as many
lines as it needs.

Drag in the box to throw a ball: it starts where the button went down and flies in the drag's
direction, faster for a longer drag (within the speeds the task trains on; along the nearest
compass direction when the task throws only those). The throw is simulated with the task's
physics (``simulate_ball``, ``batch_from_positions``) and the snapshot's private model
(``SnapshotModel``) predicts it, live while dragging and again as training goes on. "Back to
the example" returns to the training example.

Signals: ``cursor_moved(int)`` (from ``Panel``), ``ball_thrown()`` when a throw is released.
Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``back_to_example()``.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPen, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
)

from rnnviz.gui.panels._common import (
    BACKGROUND,
    FOREGROUND,
    OKABE_ITO,
    TEXT_PT,
    TITLE_PT,
    Panel,
    font,
    set_title,
)
from rnnviz.tasks.ball import (
    NO_DIRECTION,
    WARMUP_FRAMES,
    BallMode,
    BallTask,
    simulate_ball,
)
from rnnviz.training.inference import SnapshotModel

__all__ = [
    "ArenaViewBox",
    "Arrow",
    "BallView",
    "Dots",
    "FlowLayout",
    "WrappedReadout",
    "direction_name",
    "throw_velocity",
]

BALL_COLOR = OKABE_ITO[0]  # blue: the ball and its trail
PREDICTED_COLOR = OKABE_ITO[4]  # vermillion: what the network predicts
TRUE_COLOR = OKABE_ITO[2]  # bluish green: the right answer
HIDDEN_COLOR = "#6e6e6e"  # grey: behind the occluder
#: Opacity (of 255) of the frames after the cursor: there to click on, too faint to give the
#: path away before the network has seen it.
FUTURE_ALPHA = 40
ARENA_FLOOR = "#fafafa"  # inside the walls

#: Length of the direction arrows, in box widths (a frame's step is far too short to see).
ARROW_LENGTH = 0.2
#: Length of an arrow's head, box widths.
HEAD = 0.045
#: A drag this long (box widths) throws at the task's top speed; shorter drags throw slower.
FULL_SPEED_DRAG = 0.5
#: A drag shorter than this is still aiming (no throw yet).
MIN_DRAG = 0.01
#: Margin of the occluder around the hidden positions, in box widths.
OCCLUDER_MARGIN = 0.05
#: Zoomed in, the view frames the example's positions and predictions with this margin on
#: each side, a share of their extent (room for the arrows, a fifth of the view long) ...
ZOOM_MARGIN = 0.25
#: ... an extent of at least this much of the box.
ZOOM_MIN_SPAN = 0.15
#: Space around the framed region, a share of its span (the walls stay clear of the edge).
FRAME_PAD = 0.02
#: A click this close (box widths) to a trail position moves the time cursor there.
CLICK_RADIUS = 0.06
#: A thrown ball is predicted again with the newest weights at most this often.
THROW_REFRESH_MS = 100
#: Seed of the camera noise of a thrown ball (the same throw looks the same every time).
THROW_SEED = 12345

_COMPASS = {
    8: ("E", "NE", "N", "NW", "W", "SW", "S", "SE"),
    4: ("E", "N", "W", "S"),
}

HINT = "Drag in the box to throw a ball · click a dot or press Shift+←/→ to move the time cursor"
SHORT_HINT = "drag in the box to throw a ball"
#: The size of the legend's symbols (the markers are big; so are their keys).
LEGEND_SYMBOL_PT = TEXT_PT + 4
#: The most entries the legend has: ball, predicted, true, hidden, later frames.
LEGEND_ENTRIES = 5

BANNERS = {
    BallMode.NEXT: (
        "The RNN has seen every frame so far: where does the ball go next?",
        False,
    ),
    BallMode.SNAPSHOT: (
        "Snapshot model: it sees ONE frame only, no history, so the direction is a guess "
        "(chance: 1 in {directions})",
        True,
    ),
    BallMode.GAP: (
        "The ball is hidden behind the grey occluder for {gap} frames: where was it?",
        False,
    ),
}


def direction_name(sector: int, directions: int) -> str:
    """ "NE" for sector 1 of 8; "135°" for sectors without compass names; "–" for none."""
    if sector == NO_DIRECTION or sector < 0:
        return "–"
    names = _COMPASS.get(directions)
    if names is not None:
        return names[sector]
    return f"{sector * 360 / directions:g}°"


def throw_velocity(drag: np.ndarray, task: BallTask) -> np.ndarray:
    """The initial velocity (2,) for a mouse drag ``drag`` (2,) in box widths: the drag's
    direction (snapped to the nearest sector centre when the task throws along the compass
    only) at a speed from ``speed_min`` (a short drag) to ``speed_max`` (``FULL_SPEED_DRAG``
    or longer), the speeds the network is trained on."""
    cfg = task.config
    length = float(np.hypot(*drag))
    angle = math.atan2(float(drag[1]), float(drag[0]))
    if cfg.compass:
        width = 2 * math.pi / cfg.directions
        angle = width * round(angle / width)
    share = min(length / FULL_SPEED_DRAG, 1.0)
    speed = cfg.speed_min + (cfg.speed_max - cfg.speed_min) * share
    return speed * np.array([math.cos(angle), math.sin(angle)])


def _blend(color: str, background: str, alpha: float) -> str:
    """``color`` drawn with opacity ``alpha`` over ``background``, as one opaque "#rrggbb"."""
    top, bottom = QColor(color), QColor(background)
    mix = [
        round(alpha * a + (1 - alpha) * b)
        for a, b in zip(top.getRgb()[:3], bottom.getRgb()[:3], strict=True)
    ]
    return QColor(*mix).name()


def _finite_rows(points: np.ndarray) -> np.ndarray:
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


class FlowLayout(QLayout):
    """Widgets left to right, a new row when the next one does not fit: each widget is a unit
    that is never split (a legend entry is one label, symbol and words), so rows break only
    between entries. Every row is as high as the highest widget, shown or not (a button that
    appears must not move what is under the layout), and its widgets are centred on it."""

    def __init__(self, parent=None, spacing: int = 14, row_spacing: int = 2) -> None:
        super().__init__(parent)
        self._items = []  # the QLayoutItems (the layout owns them; Python must keep them)
        self._spacing = spacing
        self._row_spacing = row_spacing

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """All in one row."""
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        width = sum(s.width() for s in shown) + self._spacing * max(len(shown) - 1, 0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), self.row_height() + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        """The widest widget: one per row."""
        size = QSize(0, 0)
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.sizeHint())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def rows(self, width: int) -> list[list]:
        """The shown items, row by row, for a layout ``width`` pixels wide (margins included)."""
        m = self.contentsMargins()
        room = width - m.left() - m.right()
        rows, row, used = [], [], 0
        for item in self._items:
            if item.isEmpty():  # a hidden widget
                continue
            w = item.sizeHint().width()
            if row and used + self._spacing + w > room:
                rows.append(row)
                row, used = [], 0
            used += (self._spacing if row else 0) + w
            row.append(item)
        if row:
            rows.append(row)
        return rows

    def row_height(self) -> int:
        """The height of every row: the highest widget's, hidden ones included."""
        heights = [
            (item.widget().sizeHint() if item.widget() is not None else item.sizeHint()).height()
            for item in self._items
        ]
        return max(heights, default=0)

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items in ``rect`` (when ``move``); returns the height they take."""
        m = self.contentsMargins()
        y = rect.y() + m.top()
        height = self.row_height()
        for i, row in enumerate(self.rows(rect.width())):
            if i:
                y += self._row_spacing
            x = rect.x() + m.left()
            for item in row:
                hint = item.sizeHint()
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self._spacing
            y += height
        return y + m.bottom() - rect.y()


class WrappedReadout(QLabel):
    """A read-out word-wrapped over as many lines as its text needs (never cut off with "…").
    It never asks for width, and while its width stays its height only grows: stepping through
    the frames must not make the arena above it jump up and down."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        hint.setWidth(0)
        return hint

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)
        self._fit(shrink=False)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit(shrink=True)

    def _fit(self, shrink: bool) -> None:
        need = self.heightForWidth(max(self.width(), 1))
        if not shrink:
            need = max(need, self.height() if self.minimumHeight() else 0)
        if need != self.minimumHeight() or need != self.maximumHeight():
            self.setFixedHeight(need)


class ArenaViewBox(pg.ViewBox):
    """The fixed arena: no pan or zoom; reports left clicks and left drags in data
    coordinates: ``on_click(point)`` and ``on_drag(start, point, finished)``."""

    def __init__(self, on_click, on_drag):
        super().__init__(enableMenu=False, lockAspect=True)
        self.setMouseEnabled(x=False, y=False)
        self._on_click = weakref.WeakMethod(on_click)
        self._on_drag = weakref.WeakMethod(on_drag)

    def mouseClickEvent(self, ev):
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        method = self._on_click()
        if method is not None:
            method(self.mapSceneToView(ev.scenePos()))

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        method = self._on_drag()
        if method is not None:
            start = self.mapSceneToView(ev.buttonDownScenePos())
            method(start, self.mapSceneToView(ev.scenePos()), ev.isFinish())

    def wheelEvent(self, ev, axis=None):
        ev.ignore()


class BallView(Panel):
    """The ball arena (see the module docstring).

    Attributes for inspection (and tests): ``example`` and ``thrown`` (the predictions dicts
    drawn, the latter None unless a ball was thrown), ``shown`` (whichever is on screen),
    the scatter items ``ball_marker``, ``predicted_marker``, ``true_marker``, ``trail_points``
    (the frames up to the cursor), ``future_points`` (the faint later ones), ``hidden_points``,
    ``predicted_path``, the lines ``trail`` and ``future_trail``, the arrows
    ``predicted_arrow`` and ``true_arrow``, the ``walls`` and ``occluder`` rectangles, the
    ``banner`` label, the ``legend_entries`` labels (in the ``legend_row`` flow layout), the
    ``readout`` under the arena and the ``back_button``.
    """

    #: The user released a thrown ball (its predictions are in ``thrown``).
    ball_thrown = Signal()

    hint = HINT

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._model = SnapshotModel()
        self.example: dict[str, np.ndarray] | None = None
        self.thrown: dict[str, np.ndarray] | None = None
        self._throw: tuple[np.ndarray, np.ndarray] | None = None  # (p_0, v_0)
        self._mode = BallMode.NEXT
        self._directions = 8
        self._bidirectional = False
        self._banner_key = None
        self._title: str | None = None
        self._shortest_title = False  # while the view measures the room it needs
        self._dragging = False
        self._range: tuple[float, float, float, float] | None = None
        self._throw_timer = QTimer(self)
        self._throw_timer.setSingleShot(True)
        self._throw_timer.setInterval(THROW_REFRESH_MS)
        self._throw_timer.timeout.connect(self._recompute_throw)
        self._build_controls()
        self._build_arena()
        # the frame's read-out wraps instead of ending in "…" (it is a sentence, not a number)
        self.readout = WrappedReadout()
        self.readout.setFont(self.hover_label.font())
        self.readout.setStyleSheet(self.hover_label.styleSheet())
        self.layout().replaceWidget(self.hover_label, self.readout)
        self.hover_label.hide()
        self.set_readout(None)

    # ---------------------------------------------------------------- building

    def _build_controls(self) -> None:
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setFont(font(TEXT_PT + 2, bold=True))
        # one label per legend entry, symbol and words together: never split over two lines
        self.legend_entries: list[QLabel] = []
        for _ in range(LEGEND_ENTRIES):
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setFont(font(TEXT_PT))
            label.setWordWrap(False)
            self.legend_entries.append(label)
        self.back_button = QPushButton("↩  Back to the example")
        self.back_button.setFont(font(TEXT_PT))
        self.back_button.setEnabled(False)
        self.back_button.setVisible(False)  # until a ball is thrown (see _show_back_button)
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.back_to_example)
        self.zoom_box = QCheckBox("Zoom in")
        self.zoom_box.setFont(font(TEXT_PT))
        self.zoom_box.setChecked(True)
        self.zoom_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.zoom_box.setToolTip(
            "Frame the example's throw and predictions, larger "
            "(a thrown ball always shows the whole box)"
        )
        self.zoom_box.toggled.connect(self._fit_range)
        # the check box, the legend's entries and the button, wrapping between entries (the
        # check box first: at the end it would take a row of its own in a 400-pixel view)
        self.legend_row = FlowLayout()
        self.legend_row.addWidget(self.zoom_box)
        for label in self.legend_entries:
            self.legend_row.addWidget(label)
        self.legend_row.addWidget(self.back_button)
        column = QVBoxLayout(self.controls)
        column.setContentsMargins(6, 4, 6, 2)
        column.setSpacing(4)
        column.addWidget(self.banner)
        column.addLayout(self.legend_row)
        self.controls.setStyleSheet(f"background: {BACKGROUND}; color: {FOREGROUND};")
        self.controls.setVisible(True)
        self._set_banner(BallMode.NEXT, 8, 5, False)

    def _build_arena(self) -> None:
        self.view_box = ArenaViewBox(self._on_click, self._on_drag)
        self.plot = pg.PlotItem(viewBox=self.view_box)
        for axis in ("left", "bottom"):
            self.plot.hideAxis(axis)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.view.addItem(self.plot)
        self.view_box.disableAutoRange()
        self._set_range((0.0, 0.0, 1.0, 1.0))
        vb = self.view_box

        walls = QGraphicsRectItem(QRectF(0, 0, 1, 1))
        pen = QPen(QColor(FOREGROUND))
        pen.setCosmetic(True)
        pen.setWidthF(3)
        walls.setPen(pen)
        walls.setBrush(QBrush(QColor(ARENA_FLOOR)))
        walls.setZValue(-10)
        vb.addItem(walls, ignoreBounds=True)
        self.walls = walls

        self.occluder = QGraphicsRectItem()
        pen = QPen(QColor(HIDDEN_COLOR))
        pen.setCosmetic(True)
        pen.setWidthF(2)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.occluder.setPen(pen)
        self.occluder.setBrush(QBrush(QColor(120, 120, 120, 95)))
        self.occluder.setZValue(-5)
        self.occluder.setVisible(False)
        vb.addItem(self.occluder, ignoreBounds=True)
        self.occluder_label = pg.TextItem("occluder", color=HIDDEN_COLOR, anchor=(0, 1))
        self.occluder_label.setFont(font(TEXT_PT, bold=True))
        self.occluder_label.setVisible(False)
        vb.addItem(self.occluder_label, ignoreBounds=True)

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
        for z, item in enumerate(
            (
                self.trail,
                self.trail_points,
                self.hidden_points,
                self.predicted_line,
                self.predicted_path,
            )
        ):
            item.setZValue(z)
            vb.addItem(item, ignoreBounds=True)
        for z, item in (
            (-2, self.future_trail),
            (-1, self.future_points),
            (8, self.ball_marker),
            (9, self.predicted_marker),
            (10, self.true_marker),
        ):
            item.setZValue(z)
            vb.addItem(item, ignoreBounds=True)
        # the zoomed frame follows the view's shape, the title its width
        vb.sigResized.connect(self._fit_range)
        self.view.sigDeviceRangeChanged.connect(self._update_title)

    def _set_banner(self, mode: BallMode, directions: int, gap: int, bidirectional: bool) -> None:
        text, alarm = BANNERS[mode]
        self.banner.setText(text.format(directions=directions, gap=gap))
        if alarm:
            style = "background: #fff0b3; border: 2px solid #E69F00; padding: 6px;"
        else:
            style = "padding: 2px 6px;"
        self.banner.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; {style} }}")
        gap_mode = mode is BallMode.GAP
        what = "" if gap_mode else " next"
        # the faint dot as it looks on the arena's floor, a little stronger (it is small here)
        later = _blend(BALL_COLOR, ARENA_FLOOR, 2 * FUTURE_ALPHA / 255)
        entries = [
            (BALL_COLOR, "●", "ball"),
            (PREDICTED_COLOR, "●➜", f"predicted{what}"),
            (TRUE_COLOR, "○➜", f"true{what}"),
        ]
        if gap_mode:
            entries.append((HIDDEN_COLOR, "▩", "hidden"))
        if not (gap_mode and bidirectional):  # else the network has seen every frame
            entries.append((later, "●", "later frames"))
        for index, label in enumerate(self.legend_entries):
            if index < len(entries):
                color, symbol, words = entries[index]
                label.setText(
                    f'<span style="color:{color}; font-size:{LEGEND_SYMBOL_PT}pt">{symbol}</span>'
                    f"&nbsp;{words.replace(' ', '&nbsp;')}"
                )
            label.setHidden(index >= len(entries))  # the flow layout skips a hidden entry

    # ---------------------------------------------------------------- snapshots

    @property
    def shown(self) -> dict[str, np.ndarray] | None:
        """The predictions on screen: the thrown ball's if there is one, else the example's."""
        return self.thrown if self.thrown is not None else self.example

    @property
    def mode(self) -> BallMode:
        return self._mode

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        """Draw the example of ``snapshot`` (or, after a throw, predict the thrown ball with
        its weights, at most every ``THROW_REFRESH_MS``)."""
        self.snapshot = snapshot
        config = snapshot.config
        predictions = snapshot.predictions
        if getattr(config, "task", None) != "ball" or "true_positions" not in predictions:
            task = getattr(getattr(config, "task", None), "value", config)
            self.example = self.thrown = None
            self._throw = None
            self._show_back_button()
            self._steps = 0
            self.show_message(
                f"The ball arena shows the moving-ball task.\nThis run trains the {task} task."
            )
            return
        params = config.task_params
        mode = BallMode(params.mode)
        bidirectional = bool(getattr(config.model, "bidirectional", False))
        banner_key = (mode, params.directions, params.gap, bidirectional)
        if banner_key != self._banner_key:
            self._banner_key = banner_key
            self._set_banner(*banner_key)
        self._mode, self._directions = mode, params.directions
        self._bidirectional = bidirectional
        self.example = {k: np.asarray(v) for k, v in predictions.items()}
        if self._throw is not None and not self._throw_timer.isActive():
            self._throw_timer.start()
        self._update_title()
        self._draw()
        self.show_plots()

    def show_plots(self) -> None:
        # the view asks for the room of its shortest title only: a longer one is shown when
        # there is room (see _update_title). Only when the panel measures itself, once a run:
        # each title change lays the plot out again
        if getattr(self.snapshot, "run_id", None) == self._sized_for_run:
            super().show_plots()
            return
        self._shortest_title = True
        try:
            self._update_title()
            super().show_plots()
        finally:
            self._shortest_title = False
        self._update_title()

    def ball_score(self) -> tuple[int, int] | float | None:
        """How the shown throw went: (right, counted) direction guesses ("next", "snapshot":
        the frames the direction accuracy counts), the mean distance of the guesses behind the
        occluder ("gap"), or None when there is nothing to count."""
        preds = self.shown
        if preds is None:
            return None
        if self._mode is BallMode.GAP:
            hidden = ~np.asarray(preds["visible"], dtype=bool)
            miss = np.hypot(*(preds["predicted_positions"] - preds["true_positions"])[hidden].T)
            miss = miss[np.isfinite(miss)]
            return float(miss.mean()) if len(miss) else None
        guessed = np.asarray(preds["predicted_direction"])
        counted = guessed != NO_DIRECTION
        if self._mode is BallMode.NEXT:
            counted[:WARMUP_FRAMES] = False  # the same frames as the accuracy in the loss view
        if not counted.any():
            return None
        right = int(np.sum(counted & (guessed == np.asarray(preds["true_direction"]))))
        return right, int(counted.sum())

    def title_options(self) -> list[str]:
        """The titles, the most telling first: all about this one throw (the loss view's
        accuracy is the mean over a batch of throws, so it differs)."""
        snapshot = self.snapshot
        if snapshot is None:
            return []
        i = snapshot.iteration
        if self.thrown is not None:
            heads = [
                f"Your throw, predicted by the network of iteration {i}",
                f"Your throw, iteration {i}",
                "Your throw",
            ]
        else:
            heads = [f"Iteration {i} · this ball", "this ball"]
        score = self.ball_score()
        if score is None:
            scores = [""]
        elif isinstance(score, float):
            scores = [
                f": the hidden frames guessed {score:.3f} box widths off",
                f": guesses {score:.3f} box widths off",
                f": {score:.3f} box widths off",
                f": {score:.3f} off",
            ]
        else:
            right, counted = score
            scores = [
                f": direction right {right} of {counted} times (chance 1 in {self._directions})",
                f": {right} of {counted} directions right",
                f": {right}/{counted} right",
            ]
        if self.thrown is not None:
            # "Your throw, predicted ...: 17 of 19 ..." reads badly; a throw is one ball anyway
            scores = [s.replace(": ", " · ", 1) for s in scores]
        # a score in words before the iteration (the status bar has it), numbers only last
        worded = [head + score for head in heads for score in scores[:-1]]
        return worded + [head + scores[-1] for head in heads]

    @Slot()
    def _update_title(self, *_args) -> None:
        options = self.title_options()
        if not options:
            return
        # the first that fits the arena's width, from a long sentence down to numbers
        metrics = QFontMetrics(font(TITLE_PT))
        room = self.view.width() - 30
        fitting = [t for t in options if metrics.horizontalAdvance(t) <= room]
        if self._shortest_title:
            fitting = []
        title = fitting[0] if fitting else min(options, key=metrics.horizontalAdvance)
        if title != self._title:
            self._title = title
            set_title(self.plot, title)

    # ---------------------------------------------------------------- drawing

    def _draw(self) -> None:
        preds = self.shown
        if preds is None:
            return
        true = np.asarray(preds["true_positions"], dtype=np.float64)  # (T, 2)
        visible = np.asarray(preds["visible"], dtype=bool)  # (T,)
        self._steps = len(true)
        self._fit_range()
        if self._mode is BallMode.GAP and not visible.all():
            box = true[~visible]
            x0, y0 = np.clip(box.min(axis=0) - OCCLUDER_MARGIN, 0, 1)
            x1, y1 = np.clip(box.max(axis=0) + OCCLUDER_MARGIN, 0, 1)
            self.occluder.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.occluder.setVisible(True)
            self.occluder_label.setPos(x0, y1)
            self.occluder_label.setVisible(True)
        else:
            self.predicted_line.setVisible(False)
            self.occluder.setVisible(False)
            self.occluder_label.setVisible(False)
        self._place_cursor()

    def seen_through(self, t: int) -> int:
        """The last frame drawn as seen with the cursor at ``t``: ``t`` itself (the network has
        seen the frames so far), or every frame for a bidirectional network filling a gap (it
        reads the throw both ways)."""
        if self._mode is BallMode.GAP and self._bidirectional:
            return self._steps - 1
        return t

    def zoom_range(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) the arena shows: the whole box or, zoomed in, the example's
        positions and predictions with a margin (at least ``ZOOM_MIN_SPAN`` wide) in the
        middle; either widened to the view's shape, so that it fills the view."""
        lo, hi = np.zeros(2), np.ones(2)
        if self.zoom_box.isChecked() and self.thrown is None and self.example is not None:
            points = np.concatenate(
                [
                    _finite_rows(self.example[key])
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

    @Slot()
    def _fit_range(self, *_args) -> None:
        if not self._dragging and self._set_range(self.zoom_range()):
            self._place_cursor()

    def _zoom(self) -> float:
        """The shown span of the box (1: the whole box): arrows keep their size on screen."""
        if self._range is None:
            return 1.0
        x0, y0, x1, y1 = self._range
        return min(x1 - x0, y1 - y0, 1.0)

    def _set_range(self, box: tuple[float, float, float, float]) -> bool:
        if self._range is not None and np.allclose(box, self._range, rtol=0, atol=1e-9):
            return False
        self._range = box
        x0, y0, x1, y1 = box
        dx, dy = FRAME_PAD * (x1 - x0), FRAME_PAD * (y1 - y0)
        self.view_box.setRange(xRange=(x0 - dx, x1 + dx), yRange=(y0 - dy, y1 + dy), padding=0)
        return True

    def _place_cursor(self) -> None:
        preds = self.shown
        if preds is None or self._steps <= 0:
            return
        t = self.cursor()
        true = np.asarray(preds["true_positions"], dtype=np.float64)
        target = np.asarray(preds["target_positions"], dtype=np.float64)
        predicted = np.asarray(preds["predicted_positions"], dtype=np.float64)
        visible = np.asarray(preds["visible"], dtype=bool)
        T = len(true)

        # the past solid, the frames the network has not seen yet faint
        seen = np.arange(T) <= self.seen_through(t)
        last = int(np.flatnonzero(seen)[-1])
        self.trail.setData(true[: last + 1, 0], true[: last + 1, 1])
        self.future_trail.setData(true[last:, 0], true[last:, 1])
        self.trail_points.setData(pos=_finite_rows(true[seen & visible]))
        self.hidden_points.setData(pos=_finite_rows(true[seen & ~visible]))
        self.future_points.setData(pos=_finite_rows(true[~seen]))
        # the predictions made before the cursor (the one made at it is the big dot)
        self.predicted_path.setData(pos=_finite_rows(predicted[:t]))

        self.ball_marker.setData(pos=_finite_rows(true[t]))
        if visible[t]:
            self.ball_marker.setBrush(pg.mkBrush(BALL_COLOR))
            self.ball_marker.setPen(pg.mkPen(FOREGROUND, width=2))
        else:  # behind the occluder: drawn as a ghost
            ghost = QColor(BALL_COLOR)
            ghost.setAlpha(90)
            self.ball_marker.setBrush(pg.mkBrush(ghost))
            self.ball_marker.setPen(pg.mkPen(HIDDEN_COLOR, width=2, style=Qt.PenStyle.DashLine))
        self.predicted_marker.setData(pos=_finite_rows(predicted[t]))
        self.true_marker.setData(pos=_finite_rows(target[t]))

        if self._mode is BallMode.GAP:
            filled = np.where(visible[:, None], true, predicted)
            self._draw_filled_path(filled, visible, t)
            has_guess = preds["predicted_direction"][t] != NO_DIRECTION and t + 1 < T
            start = filled[t] if has_guess else None
            guess = filled[t + 1] - filled[t] if has_guess else None
            true_move = true[t + 1] - true[t] if has_guess else None
        else:
            start = true[t]
            guess = predicted[t] - true[t]
            true_move = target[t] - true[t]
        zoom = self._zoom()
        for arrow, origin, move in (
            (self.predicted_arrow, start, guess),
            (self.true_arrow, true[t], true_move),
        ):
            arrow.scale = zoom
            arrow.set(*self._arrow(origin, move, zoom))
        self.set_readout(self._describe(t))

    def _draw_filled_path(self, filled: np.ndarray, visible: np.ndarray, t: int) -> None:
        """The dashed path the network fills in behind the occluder: from the last position
        seen before the gap through its guesses, up to the cursor (and on to the first position
        seen again once the cursor is past the gap)."""
        hidden = np.flatnonzero(~visible)
        if len(hidden) == 0 or t < hidden[0]:
            self.predicted_line.setVisible(False)
            return
        lo, hi = max(hidden[0] - 1, 0), min(hidden[-1] + 1, len(filled) - 1)
        path = _finite_rows(filled[lo : min(hi, t) + 1])
        self.predicted_line.setData(path[:, 0], path[:, 1])
        self.predicted_line.setVisible(len(path) > 1)

    @staticmethod
    def _arrow(start, move, zoom: float) -> tuple:
        if start is None or move is None or not np.all(np.isfinite(move)):
            return None, None
        length = float(np.hypot(*move))
        if length < 1e-9:
            return None, None
        return start, start + ARROW_LENGTH * zoom * np.asarray(move) / length

    def set_readout(self, text: str | None) -> None:
        super().set_readout(text)
        if hasattr(self, "readout"):
            self.readout.setText(self.hover_label.text())

    def _describe(self, t: int) -> str:
        preds = self.shown
        visible = bool(preds["visible"][t])
        guessed = int(preds["predicted_direction"][t])
        right = int(preds["true_direction"][t])
        D = self._directions
        if self._mode is BallMode.GAP:
            if visible:
                head = f"Frame {t}: seen by the network"
            else:
                miss = float(
                    np.hypot(*(preds["predicted_positions"][t] - preds["true_positions"][t]))
                )
                head = f"Frame {t} (hidden): the guess is {miss:.3f} box widths off"
        else:
            head = f"Frame {t}"
            if self._mode is BallMode.NEXT and t == 0:
                head += ": one position seen, nobody can know the direction yet"
        # scored only where the title's score (and the loss view's accuracy) counts a guess:
        # the first frame of "next" has one position, so no direction to get right or wrong
        scored = guessed != NO_DIRECTION and not (self._mode is BallMode.NEXT and t < WARMUP_FRAMES)
        if scored:
            mark = "✓" if guessed == right else "✗"
            head += (
                f" · predicted {direction_name(guessed, D)}, true {direction_name(right, D)} {mark}"
            )
        return f"{head} · {SHORT_HINT}"

    # ---------------------------------------------------------------- mouse

    def _on_click(self, point) -> None:
        preds = self.shown
        if preds is None:
            return
        true = np.asarray(preds["true_positions"], dtype=np.float64)
        distance = np.hypot(true[:, 0] - point.x(), true[:, 1] - point.y())
        distance[~np.isfinite(distance)] = np.inf
        t = int(np.argmin(distance))
        if distance[t] <= CLICK_RADIUS:
            self._user_cursor(t)

    def _on_drag(self, start, point, finished: bool) -> None:
        if self.example is None:
            return
        self._dragging = not finished  # the view keeps its range under the mouse until release
        p0 = np.clip([start.x(), start.y()], 0.0, 1.0)
        now = np.array([point.x(), point.y()])
        drag = now - p0
        self.aim_arrow.scale = self._zoom()
        if finished:
            self.aim_arrow.set(None, None)
        else:
            self.aim_arrow.set(p0, now)
        task = self._ball_task()
        if task is not None and float(np.hypot(*drag)) >= MIN_DRAG:
            self.throw(p0, throw_velocity(drag, task))
        if finished:
            self._show_back_button()
            self._fit_range()
            if self._throw is not None:
                self.ball_thrown.emit()

    def _ball_task(self) -> BallTask | None:
        if self.snapshot is None:
            return None
        self._model.update(self.snapshot)
        task = self._model.task
        return task if isinstance(task, BallTask) else None

    # ---------------------------------------------------------------- throwing

    def throw(self, start, velocity) -> dict[str, np.ndarray] | None:
        """Throw a ball from ``start`` (2,) inside the box at ``velocity`` (2,) box widths per
        frame, as many frames as the example has, and draw the private model's predictions
        for it. Returns them (None before the first ball snapshot)."""
        if self.example is None:
            return None
        self._throw = (np.clip(np.asarray(start, float), 0, 1), np.asarray(velocity, float))
        self._recompute_throw()
        return self.thrown

    @Slot()
    def _recompute_throw(self) -> None:
        if self._throw is None or self.example is None or self.snapshot is None:
            return
        model = self._model.update(self.snapshot)
        task = self._model.task
        if model is None or not isinstance(task, BallTask):
            return
        p0, v0 = self._throw
        T = len(self.example["true_positions"])
        positions, _ = simulate_ball(p0[None], v0[None], T + 1, task.config.gravity)
        batch = task.batch_from_positions(positions, np.random.default_rng(THROW_SEED))
        with np.errstate(all="ignore"):  # a diverged model gives NaN, drawn as nothing
            outputs, _, _ = model.forward(batch.x)
            predictions = task.predictions(outputs, batch)
        self.thrown = {k: np.asarray(v) for k, v in predictions.items()}
        self._show_back_button()
        self._update_title()
        self._draw()

    def _show_back_button(self) -> None:
        """Offer "Back to the example" while a thrown ball is shown. It appears once the drag
        is released: the legend's rows may wrap anew, and the arena must not move under the
        mouse while it aims."""
        thrown = self._throw is not None
        self.back_button.setEnabled(thrown)
        if not self._dragging:
            self.back_button.setVisible(thrown)

    @Slot()
    def back_to_example(self) -> None:
        """Forget the thrown ball and show the training example again."""
        self._throw = None
        self.thrown = None
        self._throw_timer.stop()
        self.aim_arrow.set(None, None)
        self._show_back_button()
        self._update_title()
        self._draw()
