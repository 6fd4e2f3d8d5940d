"""The network diagram view: the loop, and the same network unrolled in time, live.

``DiagramView`` is a view of the window (``rnnviz.gui.view``): a bar with the Fold / Unroll
button and a read-out line, over a drawing area (``DiagramCanvas``) that places the diagram
with ``geometry.layout_diagram`` for its size and paints it with ``painting.paint_diagram``.
The button animates the fold fraction (``QVariantAnimation``, never blocking) between the
folded loop (0) and the unrolled network (1). The bar's BPTT controls (``bptt_player``) play
one update slowed down over the unrolled network (``bptt_painting`` draws it): the snapshot it
started on stays drawn until the pass ends or is stopped, and the time cursor follows it.
"""

from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QSize, Qt, QVariantAnimation, Signal, Slot
from PySide6.QtGui import QPaintEngine, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from rnnviz.gui.diagram.bptt import IDLE
from rnnviz.gui.diagram.bptt_painting import paint_bptt
from rnnviz.gui.diagram.bptt_player import BpttPlayer
from rnnviz.gui.diagram.geometry import Diagram, layout_diagram
from rnnviz.gui.diagram.painting import MUTED, Labels, Strips, paint_backdrop, paint_boxes
from rnnviz.gui.diagram.readings import Readings, read_window
from rnnviz.gui.panels.style import TEXT_PT, font

__all__ = ["DiagramCanvas", "DiagramView"]

#: How long a whole fold or unroll takes, in milliseconds.
FOLD_MS = 450
#: Label sizes (points) below and from this drawing-area height.
LABEL_PT_SMALL, LABEL_PT_LARGE, LARGE_FROM = 11, 13, 560
HINT = "Click a box to move the time cursor · hover for its values"
EMPTY = "The network appears here when the run makes its first snapshot."


class DiagramCanvas(QWidget):
    """The drawing area of a ``DiagramView``: it places and paints the diagram for its size."""

    def __init__(self, view: DiagramView) -> None:
        super().__init__(view)
        self.view = view
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._labels: dict[int, Labels] = {}
        self.strips = Strips()
        self._backdrop: tuple[Diagram, QPixmap] | None = None

    def labels(self) -> Labels:
        points = LABEL_PT_LARGE if self.height() >= LARGE_FROM else LABEL_PT_SMALL
        if points not in self._labels:
            self._labels[points] = Labels(points)
        return self._labels[points]

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.white)
        d = self.view.diagram()
        if d is None:
            p.setPen(Qt.GlobalColor.darkGray)
            p.setFont(font(TEXT_PT))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, EMPTY)
            return
        if p.paintEngine().type() == QPaintEngine.Type.SVG:  # a vector picture: no pixmap
            paint_backdrop(p, d, self.labels())
        else:
            p.drawPixmap(0, 0, self.backdrop(d))
        layout = self.view.snapshot.layout
        paint_boxes(p, d, self.view.readings(d), layout, self.labels(), self.strips)
        run = self.view.player.run
        if run.phase != IDLE:
            paint_bptt(p, d, run, self.view.snapshot, self.labels(), self.view._layer)
        p.end()

    def backdrop(self, d: Diagram) -> QPixmap:
        """The arrows, frames and texts of ``d``, drawn once: a new snapshot redraws only
        the boxes (a fraction of the cost with a 2-layer bidirectional LSTM)."""
        if self._backdrop is None or self._backdrop[0] is not d:
            ratio = self.devicePixelRatioF()
            pixmap = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.white)
            p = QPainter(pixmap)
            paint_backdrop(p, d, self.labels())
            p.end()
            self._backdrop = (d, pixmap)
        return self._backdrop[1]

    def mousePressEvent(self, event) -> None:
        d = self.view.diagram()
        if d is not None and event.button() == Qt.MouseButton.LeftButton:
            t = d.step_at(event.position().x(), event.position().y())
            if t is not None:
                self.view.user_cursor(t)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        self.view.hover(event.position().x(), event.position().y())
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self.view.hover(None, None)
        super().leaveEvent(event)


class DiagramView(QWidget):
    """The network as the slides draw it: folded (the loop) or unrolled (one box per step).

    Signals: ``cursor_moved(int)`` (a box was clicked, or ←/→/Home/End pressed, or the BPTT
    pass moved to another step), ``bptt_moved(str, int)`` (the pass's phase, "forward",
    "backward", "done" or "idle", and its time step: for a view that explains that step).
    Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``set_layer(int)`` (its row's label
    is bold), ``set_unrolled(bool, animate=True)``.
    """

    name = "diagram"
    about = (
        "The network itself. Folded, it is one cell per layer with a loop: the hidden state h "
        "goes back into the cell at the next step, while a feed-forward network (beside it) "
        "never sees a node twice. Unrolled (the button above), it is one box per time step: "
        "x_t comes in from below, y_t goes out at the top, and h_(t−1) → h_t arrows carry the "
        "memory along, through the same weights W_hh at every step. Each box's strip is its "
        "hidden state, one cell per unit (red positive, blue negative; a ReLU's 0 … 1 on "
        "viridis); an LSTM's green track and upper strip is its cell state c, and the bars are "
        "the gates' mean values from 0 to 1. A bidirectional layer's second row runs right to "
        "left. BPTT ▶ plays one update slowed down: the forward pass lights the steps left to "
        "right, then the gradient flows back right to left, each arrow as wide and bright as "
        "‖∂L/∂h_t‖ on a log scale (an LSTM's c track with ‖∂L/∂c_t‖), the bars under the "
        "boxes the same for the whole sequence: a vanilla RNN's shrink step by step."
    )
    formula = "h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)\ny_t = W_hy h_t + b_y, same W each t"

    cursor_moved = Signal(int)
    bptt_moved = Signal(str, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.snapshot = None
        self._newest = None  # what arrived while a BPTT pass was drawing an older snapshot
        self._cursor = 0
        self._layer = 0
        self._fold = 1.0  # 0 folded … 1 unrolled
        self._target = 1.0
        self._diagram: tuple[tuple, Diagram] | None = None
        self._readings: tuple[tuple, Readings] | None = None
        self._hovered: tuple[int, int] | None = None  # (entry, t)
        self.fold_button = QPushButton("Fold")
        self.fold_button.setFont(font(TEXT_PT))
        self.fold_button.setToolTip("Fold the network into its loop, or unroll it in time")
        self.fold_button.clicked.connect(self.toggle_unrolled)
        self.readout = QLabel(HINT)
        self.readout.setFont(font(TEXT_PT - 2))
        self.readout.setStyleSheet(f"color: {MUTED}")
        self.readout.setMinimumWidth(10)  # a long read-out is cut, it never widens the view
        self.canvas = DiagramCanvas(self)
        self.player = BpttPlayer(lambda: None if self.snapshot is None else self.snapshot.seq_len)
        self.player.moved.connect(self.canvas.update)
        self.player.moved.connect(
            lambda: self.bptt_moved.emit(self.player.run.phase, self.player.run.step)
        )
        self.player.step_reached.connect(self._follow_pass)
        self.player.ended.connect(self._pass_ended)
        self.player.play_button.clicked.connect(self._unroll_for_pass)
        self.player.step_button.clicked.connect(self._unroll_for_pass)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(self.fold_button)
        bar.addWidget(self.player)
        bar.addWidget(self.readout, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.animation = QVariantAnimation(self)
        self.animation.setEasingCurve(QEasingCurve.Type.InOutCubic)
        self.animation.valueChanged.connect(self._set_fold)

    def minimumSizeHint(self) -> QSize:
        return QSize(420, 300)

    def sizeHint(self) -> QSize:
        return QSize(640, 420)

    # ---------------------------------------------------------------- the view interface

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        if self.player.active and self.snapshot is not None:
            self._newest = snapshot  # shown when the pass ends: it animates the one it began on
            return
        self._newest = None
        self.snapshot = snapshot
        self.canvas.update()
        self._refresh_readout()

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        """Show step ``t`` (the window of boxes follows it); emits nothing."""
        self._cursor = max(int(t), 0)
        self.canvas.update()

    @Slot(int)
    def set_layer(self, index: int) -> None:
        """Every layer·direction is drawn: entry ``index``'s row label is bold."""
        self._layer = max(int(index), 0)
        self.canvas.update()

    # ---------------------------------------------------------------- fold and unroll

    @property
    def fold(self) -> float:
        """How unrolled the drawing is now: 0 folded … 1 unrolled (between: animating)."""
        return self._fold

    @property
    def unrolled(self) -> bool:
        """Whether the view is (or is turning) unrolled."""
        return self._target == 1.0

    @Slot()
    def toggle_unrolled(self) -> None:
        self.set_unrolled(not self.unrolled)

    def set_unrolled(self, unrolled: bool, animate: bool = True) -> None:
        """Unroll (True) or fold the network, in a short animation unless ``animate`` is False."""
        self._target = 1.0 if unrolled else 0.0
        self.fold_button.setText("Fold" if unrolled else "Unroll")
        self.animation.stop()
        if not animate or self._fold == self._target:
            self._set_fold(self._target)
            return
        self.animation.setStartValue(float(self._fold))
        self.animation.setEndValue(self._target)
        self.animation.setDuration(max(1, round(FOLD_MS * abs(self._target - self._fold))))
        self.animation.start()

    @Slot(object)
    def _set_fold(self, value) -> None:
        self._fold = float(value)
        self.canvas.update()

    # ---------------------------------------------------------------- the BPTT pass

    @Slot()
    def _unroll_for_pass(self) -> None:
        if self.player.run.phase != IDLE and not self.unrolled:
            self.set_unrolled(True)

    @Slot(int)
    def _follow_pass(self, t: int) -> None:
        """The pass is at step ``t``: the cursor (and every view) follows it."""
        if t != self.cursor():
            self.user_cursor(t)

    @Slot()
    def _pass_ended(self) -> None:
        """Show what arrived meanwhile (a finished pass stays drawn over it)."""
        if self._newest is not None:
            self.show_snapshot(self._newest)

    # ---------------------------------------------------------------- what is drawn

    def cursor(self) -> int:
        """The time cursor, within the snapshot's steps."""
        steps = self.snapshot.seq_len if self.snapshot is not None else 1
        return min(self._cursor, max(steps - 1, 0))

    def diagram(self) -> Diagram | None:
        """The diagram placed for the drawing area's size (None before the first snapshot)."""
        s = self.snapshot
        if s is None or not s.hidden:
            return None
        labels = self.canvas.labels()
        size = (self.canvas.width(), self.canvas.height())
        key = (
            s.layout,
            s.seq_len,
            self.cursor(),
            self._fold,
            size,
            self._layer,
            labels.metrics.line,
        )
        if self._diagram is None or self._diagram[0] != key:
            d = layout_diagram(
                s.layout, s.seq_len, self.cursor(), self._fold, *size, labels.metrics, self._layer
            )
            self._diagram = (key, d)
        return self._diagram[1]

    def readings(self, d: Diagram) -> Readings:
        """The values of the boxes of ``d``'s window, read once per snapshot and window."""
        key = (id(self.snapshot), d.window)
        if self._readings is None or self._readings[0] != key:
            self._readings = (key, read_window(self.snapshot, d.window))
        return self._readings[1]

    # ---------------------------------------------------------------- the user

    def user_cursor(self, t: int) -> None:
        """The user picked step ``t``: show it and tell the other views."""
        self.set_cursor(t)
        self.cursor_moved.emit(self.cursor())

    def keyPressEvent(self, event) -> None:
        if self.snapshot is not None:
            last = self.snapshot.seq_len - 1
            moves = {
                Qt.Key.Key_Left: self.cursor() - 1,
                Qt.Key.Key_Right: self.cursor() + 1,
                Qt.Key.Key_Home: 0,
                Qt.Key.Key_End: last,
            }
            if event.key() in moves:
                t = min(max(moves[event.key()], 0), last)
                if t != self.cursor():  # at an end: nothing moved, nobody to tell
                    self.user_cursor(t)
                event.accept()
                return
        super().keyPressEvent(event)

    def hover(self, x: float | None, y: float | None) -> None:
        """Read out the values of the box under (x, y) of the drawing area (None: left it)."""
        d = self.diagram() if x is not None else None
        box = None
        if d is not None:
            box = next(
                (b for b in d.boxes if b.alpha > 0.5 and b.rect.contains(x, y)),
                None,
            )
        self._hovered = None if box is None else (box.entry, box.t)
        self._refresh_readout()

    def _refresh_readout(self) -> None:
        s = self.snapshot
        if self._hovered is None or s is None or self._hovered[0] >= s.layout.count:
            self.readout.setText(HINT)
            return
        k, t = self._hovered
        if t >= s.seq_len:
            self.readout.setText(HINT)
            return
        h = s.hidden[k][t]
        parts = [
            f"{s.layout.labels[k]}   t = {t}",
            f"h: mean {h.mean():+.2f}, |h| max {abs(h).max():.2f}",
        ]
        if k < len(s.cell_states):
            parts.append(f"c: mean {s.cell_states[k][t].mean():+.2f}")
        if s.layout.gates and k < len(s.gates):
            parts.append("  ".join(f"{g} {s.gates[k][g][t].mean():.2f}" for g in s.layout.gates))
        self.readout.setText("   ·   ".join(parts))
