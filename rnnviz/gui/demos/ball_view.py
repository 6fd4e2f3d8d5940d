"""The moving-ball arena: where the ball went, where the network thinks it goes next.

The unit box [0, 1] × [0, 1] (y up) holds the example throw of the latest snapshot:

- the trail: the true positions p_0 … p_{T−1} (small blue dots and a line);
- at the time cursor t: the ball (big blue dot), the model's prediction (vermillion dot) and
  the true answer (green ring), and the predicted and true directions as arrows of a fixed
  length (vermillion wide, green thin on top: when they agree the green runs inside the
  vermillion one); the small vermillion dots are the predictions at every other step;
- "gap" mode: the occluder, a grey box over the hidden frames' region; the hidden positions
  are dashed grey rings (the audience sees them, the network does not) and the dashed vermillion
  line is the path the network fills in;
- "snapshot" mode: a banner says that the model sees one frame only (its direction is a guess).

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
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QPen, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from rnnviz.gui.panels._common import (
    BACKGROUND,
    FOREGROUND,
    OKABE_ITO,
    TEXT_PT,
    Panel,
    font,
    set_title,
)
from rnnviz.tasks.ball import NO_DIRECTION, BallMode, BallTask, simulate_ball
from rnnviz.training.inference import SnapshotModel

__all__ = ["ArenaViewBox", "Arrow", "BallView", "Dots", "direction_name", "throw_velocity"]

BALL_COLOR = OKABE_ITO[0]  # blue: the ball and its trail
PREDICTED_COLOR = OKABE_ITO[4]  # vermillion: what the network predicts
TRUE_COLOR = OKABE_ITO[2]  # bluish green: the right answer
HIDDEN_COLOR = "#6e6e6e"  # grey: behind the occluder

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
#: Zoomed in, the view shows the example's positions with this margin (box widths) ...
ZOOM_MARGIN = 0.12
#: ... and at least this much of the box.
ZOOM_MIN_SPAN = 0.5
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

HINT = "Drag in the box to throw a ball · click a dot or press ←/→ to move the time cursor"
SHORT_HINT = "drag in the box to throw a ball"

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
    the scatter items ``ball_marker``, ``predicted_marker``, ``true_marker``, ``trail_points``,
    ``hidden_points``, ``predicted_path``, the arrows ``predicted_arrow`` and ``true_arrow``,
    the ``occluder`` rectangle, the ``banner`` label and the ``back_button``.
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
        self._banner_key = None
        self._dragging = False
        self._range: tuple[float, float, float, float] | None = None
        self._throw_timer = QTimer(self)
        self._throw_timer.setSingleShot(True)
        self._throw_timer.setInterval(THROW_REFRESH_MS)
        self._throw_timer.timeout.connect(self._recompute_throw)
        self._build_controls()
        self._build_arena()
        self.set_readout(None)

    # ---------------------------------------------------------------- building

    def _build_controls(self) -> None:
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setFont(font(TEXT_PT + 2, bold=True))
        self.legend = QLabel()
        self.legend.setFont(font(TEXT_PT))
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.back_button = QPushButton("↩  Back to the example")
        self.back_button.setFont(font(TEXT_PT))
        self.back_button.setEnabled(False)
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.back_to_example)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.zoom_box = QCheckBox("Zoom in")
        self.zoom_box.setFont(font(TEXT_PT))
        self.zoom_box.setChecked(True)
        self.zoom_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.zoom_box.setToolTip(
            "Show the example's part of the box, larger (a thrown ball always shows the whole box)"
        )
        self.zoom_box.toggled.connect(self._fit_range)
        row.addWidget(self.legend, 1)
        row.addWidget(self.zoom_box)
        row.addWidget(self.back_button)
        column = QVBoxLayout(self.controls)
        column.setContentsMargins(6, 4, 6, 2)
        column.setSpacing(4)
        column.addWidget(self.banner)
        column.addLayout(row)
        self.controls.setStyleSheet(f"background: {BACKGROUND}; color: {FOREGROUND};")
        self.controls.setVisible(True)
        self._set_banner(BallMode.NEXT, 8, 5)

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
        walls.setBrush(QBrush(QColor("#fafafa")))
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
        for z, item in ((8, self.ball_marker), (9, self.predicted_marker), (10, self.true_marker)):
            item.setZValue(z)
            vb.addItem(item, ignoreBounds=True)

    def _set_banner(self, mode: BallMode, directions: int, gap: int) -> None:
        text, alarm = BANNERS[mode]
        self.banner.setText(text.format(directions=directions, gap=gap))
        if alarm:
            style = "background: #fff0b3; border: 2px solid #E69F00; padding: 6px;"
        else:
            style = "padding: 2px 6px;"
        self.banner.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; {style} }}")
        gap_mode = mode is BallMode.GAP
        what = "" if gap_mode else " next"
        parts = [
            f'<span style="color:{BALL_COLOR}; font-size:20pt">●</span> ball',
            f'<span style="color:{PREDICTED_COLOR}; font-size:20pt">●➜</span> predicted{what}',
            f'<span style="color:{TRUE_COLOR}; font-size:20pt">○➜</span> true{what}',
        ]
        if gap_mode:
            parts.append(f'<span style="color:{HIDDEN_COLOR}; font-size:20pt">▩</span> hidden')
        self.legend.setText(" &nbsp;&nbsp; ".join(parts))

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
            self.back_button.setEnabled(False)
            self._steps = 0
            self.show_message(
                f"The ball arena shows the moving-ball task.\nThis run trains the {task} task."
            )
            return
        params = config.task_params
        mode = BallMode(params.mode)
        banner_key = (mode, params.directions, params.gap)
        if banner_key != self._banner_key:
            self._banner_key = banner_key
            self._set_banner(*banner_key)
        self._mode, self._directions = mode, params.directions
        self.example = {k: np.asarray(v) for k, v in predictions.items()}
        if self._throw is not None and not self._throw_timer.isActive():
            self._throw_timer.start()
        self._update_title()
        self._draw()
        self.show_plots()

    def _update_title(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        metrics = snapshot.metrics
        if self.thrown is not None:
            title = f"Your throw, predicted by the network of iteration {snapshot.iteration}"
        elif self._mode is BallMode.GAP and "gap_error" in metrics:
            title = (
                f"Iteration {snapshot.iteration} · gap error {metrics['gap_error']:.3f} box widths"
            )
        elif "direction_accuracy" in metrics:
            title = (
                f"Iteration {snapshot.iteration} · direction right "
                f"{metrics['direction_accuracy']:.0%} (chance {1 / self._directions:.0%})"
            )
        else:
            title = f"Iteration {snapshot.iteration}"
        set_title(self.plot, title)

    # ---------------------------------------------------------------- drawing

    def _draw(self) -> None:
        preds = self.shown
        if preds is None:
            return
        true = np.asarray(preds["true_positions"], dtype=np.float64)  # (T, 2)
        visible = np.asarray(preds["visible"], dtype=bool)  # (T,)
        predicted = np.asarray(preds["predicted_positions"], dtype=np.float64)  # (T, 2)
        self._steps = len(true)
        self.trail.setData(true[:, 0], true[:, 1])
        self.trail_points.setData(pos=_finite_rows(true[visible]))
        self.hidden_points.setData(pos=_finite_rows(true[~visible]))
        self.predicted_path.setData(pos=_finite_rows(predicted))
        self._fit_range()

        if self._mode is BallMode.GAP and not visible.all():
            hidden = np.flatnonzero(~visible)
            # the filled-in path: last seen position, the guesses, first position seen again
            lo, hi = max(hidden[0] - 1, 0), min(hidden[-1] + 1, len(true) - 1)
            path = np.where(visible[:, None], true, predicted)[lo : hi + 1]
            path = _finite_rows(path)
            self.predicted_line.setData(path[:, 0], path[:, 1])
            self.predicted_line.setVisible(True)
            box = true[hidden]
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

    def zoom_range(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) the arena should show: the whole box, or zoomed in on the example
        (a square around its positions, at least ``ZOOM_MIN_SPAN`` wide, inside the box)."""
        whole = (0.0, 0.0, 1.0, 1.0)
        if not self.zoom_box.isChecked() or self.thrown is not None or self.example is None:
            return whole
        points = _finite_rows(self.example["true_positions"])
        if len(points) == 0:
            return whole
        lo, hi = points.min(axis=0) - ZOOM_MARGIN, points.max(axis=0) + ZOOM_MARGIN
        span = float(min(max((hi - lo).max(), ZOOM_MIN_SPAN), 1.0))
        centre = (lo + hi) / 2
        x0, y0 = np.clip(centre - span / 2, 0.0, 1.0 - span)
        return (float(x0), float(y0), float(x0) + span, float(y0) + span)

    @Slot()
    def _fit_range(self, *_args) -> None:
        if not self._dragging and self._set_range(self.zoom_range()):
            self._place_cursor()

    def _zoom(self) -> float:
        """The shown span of the box (1: the whole box): arrows keep their size on screen."""
        return 1.0 if self._range is None else self._range[2] - self._range[0]

    def _set_range(self, box: tuple[float, float, float, float]) -> bool:
        if box == self._range:
            return False
        self._range = box
        x0, y0, x1, y1 = box
        pad = 0.02 * (x1 - x0)
        self.view_box.setRange(xRange=(x0 - pad, x1 + pad), yRange=(y0 - pad, y1 + pad), padding=0)
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

    @staticmethod
    def _arrow(start, move, zoom: float) -> tuple:
        if start is None or move is None or not np.all(np.isfinite(move)):
            return None, None
        length = float(np.hypot(*move))
        if length < 1e-9:
            return None, None
        return start, start + ARROW_LENGTH * zoom * np.asarray(move) / length

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
        if guessed != NO_DIRECTION:
            mark = "✓" if guessed == right else "✗"
            head += (
                f" · predicted {direction_name(guessed, D)}, true {direction_name(right, D)} {mark}"
            )
        return f"{head}   ·   {SHORT_HINT}"

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
        self.back_button.setEnabled(True)
        self._update_title()
        self._draw()

    @Slot()
    def back_to_example(self) -> None:
        """Forget the thrown ball and show the training example again."""
        self._throw = None
        self.thrown = None
        self._throw_timer.stop()
        self.aim_arrow.set(None, None)
        self.back_button.setEnabled(False)
        self._update_title()
        self._draw()
