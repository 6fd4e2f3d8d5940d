"""What every panel shares: the projector style, the colour maps, the time cursor, the mouse.

Style: dark text on a white background, big fonts, thick lines, and colour-blind-safe colours
(Okabe–Ito for curves, viridis/cividis for 0..1 values, ColorBrewer's blue–white–red for −1..1),
each colour map a 256-entry uint8 lookup table built here in NumPy.

The time cursor: every panel keeps one step t. ``set_cursor(t)`` (a slot) moves the highlight
without emitting anything; a click or drag on a time axis or a heat map, or the ←/→/Home/End
keys, move it and emit ``cursor_moved(t)``, which the window sends to every other panel.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsItem,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "BACKGROUND",
    "CIVIDIS_LUT",
    "DIVERGING_LUT",
    "FOREGROUND",
    "OKABE_ITO",
    "VIRIDIS_LUT",
    "ColumnCursor",
    "IntegerAxis",
    "LogAxis",
    "Panel",
    "ReadoutLabel",
    "TimeViewBox",
    "direction_labels",
    "make_lut",
    "style_plot",
]

# ------------------------------------------------------------------------------------ style

BACKGROUND = "#ffffff"
FOREGROUND = "#1a1a1a"
TICK_PT = 13
LABEL_PT = 15
TITLE_PT = 15
TEXT_PT = 14  # hover read-out, messages, controls
CURVE_WIDTH = 3

#: Pixels a view asks for beyond its plots' minimum width when a run starts, for titles and
#: tick labels that grow during the run.
SIZE_SLACK = 24

#: The smallest data area (width, height) of any plot: below this a curve or a heat map is a
#: sliver with one tick, unreadable from the back of the room, so the window would rather show
#: the views in tabs.
MIN_DATA_AREA = QSize(120, 64)

#: Okabe & Ito's colour-blind-safe palette (without its yellow, too pale on white).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")

# anchor colours, interpolated in RGB to 256 entries
_RDBU = (  # ColorBrewer RdBu, reversed: −1 dark blue … 0 near-white … +1 dark red
    "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7",
    "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f",
)  # fmt: skip
_VIRIDIS = (
    "#440154", "#482878", "#3e4989", "#31688e", "#26828e",
    "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725",
)  # fmt: skip
_CIVIDIS = (
    "#00224e", "#123570", "#3b496c", "#575d6d", "#707173",
    "#8a8678", "#a59c74", "#c3b369", "#e1cc55", "#fee838",
)  # fmt: skip


def make_lut(anchors: tuple[str, ...], n: int = 256) -> np.ndarray:
    """An (n, 3) uint8 lookup table through the ``anchors`` colours, evenly spaced."""
    rgb = np.array([[int(c[k : k + 2], 16) for k in (1, 3, 5)] for c in anchors], float)
    at = np.linspace(0.0, 1.0, len(anchors))
    x = np.linspace(0.0, 1.0, n)
    lut = np.stack([np.interp(x, at, rgb[:, k]) for k in range(3)], axis=1)
    lut = np.clip(np.rint(lut), 0, 255).astype(np.uint8)
    lut.setflags(write=False)
    return lut


DIVERGING_LUT = make_lut(_RDBU)
VIRIDIS_LUT = make_lut(_VIRIDIS)
CIVIDIS_LUT = make_lut(_CIVIDIS)


def colormap(lut: np.ndarray) -> pg.ColorMap:
    """The pyqtgraph ColorMap of a lookup table (for colour bars)."""
    return pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), np.asarray(lut))


def font(points: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSize(points)
    f.setBold(bold)
    return f


def direction_labels(num_layers: int, num_directions: int) -> list[str]:
    """The labels "layer 1 →", "layer 1 ←", "layer 2 →", … in layer-major order."""
    arrows = ("→", "←")
    return [f"layer {k + 1} {arrows[d]}" for k in range(num_layers) for d in range(num_directions)]


def layers_and_directions(snapshot, count: int) -> tuple[int, int]:
    """(L, D) of a snapshot holding ``count`` layer·direction entries."""
    model = getattr(getattr(snapshot, "config", None), "model", None)
    directions = 2 if getattr(model, "bidirectional", False) else 1
    if count % directions:
        directions = 1
    return max(1, count // directions), directions


class IntegerAxis(pg.AxisItem):
    """An axis with ticks on whole numbers only (time steps, units), spaced 1, 2, 5, 10, 20 …
    so that the labels never overlap, however small the plot."""

    #: Pixels each label needs along a vertical and a horizontal axis.
    PIXELS_PER_LABEL = (24, 44)

    def tickValues(self, minVal, maxVal, size):
        lo, hi = sorted((float(minVal), float(maxVal)))
        if not (math.isfinite(lo) and math.isfinite(hi)) or size <= 0:
            return []
        vertical = self.orientation in ("left", "right")
        need = self.PIXELS_PER_LABEL[0 if vertical else 1]
        most = max(1, int(size // need))
        step = 1
        for decade in (1, 10, 100, 1000, 10_000, 100_000):
            step = next((m * decade for m in (1, 2, 5) if (hi - lo) / (m * decade) < most), 0)
            if step:
                break
        step = step or 1_000_000
        first = math.ceil(lo / step) * step
        values = [float(v) for v in range(first, math.floor(hi) + 1, step)]
        return [(float(step), values)]


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_text(exponent: int) -> str:
    """10ⁿ as a tick label: "1", "10", "10²", "10⁻³"."""
    if exponent == 0:
        return "1"
    if exponent == 1:
        return "10"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


class LogAxis(pg.AxisItem):
    """An axis for data the panel already took log₁₀ of (when ``log_values`` is True): ticks
    at whole decades labelled 10ⁿ; over two decades or fewer also 2× and 5× labelled plainly;
    over six or fewer, unlabelled ticks at 2…9×. When ``log_values`` is False it is an
    ordinary axis. (pyqtgraph's own log mode labels every minor tick when the range is short,
    which crowds the axis.)"""

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.setStyle(hideOverlappingLabels=30)  # the decades at both ends keep their labels
        self.log_values = True
        self._label_minor = False

    def tickValues(self, minVal, maxVal, size):
        if not self.log_values:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = sorted((float(minVal), float(maxVal)))
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo > 400:
            return []
        first, last = math.floor(lo), math.ceil(hi)
        decades = hi - lo
        most = max(2, int(size // 30))
        step = max(1, math.ceil((last - first + 1) / most))
        major = [float(e) for e in range(first, last + 1) if e % step == 0 and lo <= e <= hi]
        levels = [(float(step), major)]
        self._label_minor = decades <= 2.0
        if step == 1 and decades <= 6.0:
            mantissas = (2, 5) if self._label_minor else range(2, 10)
            minor = [
                e + math.log10(m)
                for e in range(first, last + 1)
                for m in mantissas
                if lo <= e + math.log10(m) <= hi
            ]
            levels.append((0.3, minor))
        return levels

    def tickStrings(self, values, scale, spacing):
        if not self.log_values:
            return super().tickStrings(values, scale, spacing)
        out = []
        for v in values:
            e = round(v)
            if abs(v - e) < 1e-6:
                out.append(decade_text(e))
            elif self._label_minor:
                out.append(f"{10.0**v:.3g}")
            else:
                out.append("")
        return out


def style_axis(axis: pg.AxisItem, label: str | None = None) -> None:
    axis.enableAutoSIPrefix(False)
    # an axis whose ticks did not change is drawn from a cached pixmap: repainting axes was a
    # third of the window's paint time
    axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    pen = pg.mkPen(FOREGROUND, width=1.5)
    axis.setPen(pen)
    axis.setTextPen(pg.mkPen(FOREGROUND))
    axis.setStyle(tickFont=font(TICK_PT), tickTextOffset=6, tickLength=-8)
    if label is not None:
        axis.setLabel(label, color=FOREGROUND, **{"font-size": f"{LABEL_PT}pt"})


def style_plot(plot: pg.PlotItem, bottom: str | None, left: str | None, title: str | None):
    """Big dark labels and ticks on a plot; no pan/zoom buttons or menus."""
    style_axis(plot.getAxis("bottom"), bottom)
    style_axis(plot.getAxis("left"), left)
    set_title(plot, title)
    plot.hideButtons()
    plot.setMenuEnabled(False)


def set_title(plot: pg.PlotItem, title: str | None) -> None:
    plot.setTitle(title, color=FOREGROUND, size=f"{TITLE_PT}pt")


def hide_tick_values(plot: pg.PlotItem, axis: str = "bottom") -> None:
    """Keep an axis's ticks but not its numbers (stacked maps share the bottom one's)."""
    plot.getAxis(axis).setStyle(showValues=False)


def color_bar(
    lut: np.ndarray, levels: tuple[float, float], label: str, ticks: bool = True
) -> pg.ColorBarItem:
    """A read-only colour bar (the legend of a heat map's colours)."""
    bar = pg.ColorBarItem(
        values=levels,
        colorMap=colormap(lut),
        interactive=False,
        label=None,
        width=22,
        colorMapMenu=False,
    )
    for name in ("left", "top", "bottom"):
        bar.getAxis(name).setPen(pg.mkPen(FOREGROUND))
    style_axis(bar.axis)
    bar.axis.setLabel(label, color=FOREGROUND, **{"font-size": f"{TICK_PT}pt"})
    bar.axis.setWidth(72)
    if ticks:
        lo, hi = levels
        mid = (lo + hi) / 2
        bar.axis.setTicks([[(v, f"{v:g}".replace("-", "−")) for v in (lo, mid, hi)]])
    return bar


# ------------------------------------------------------------------------------------ cursor


class ColumnCursor:
    """The highlighted time step on a heat map: a black outline with a white halo, so it shows
    on every colour of every map. ``x()`` is the step it outlines."""

    def __init__(self, view: pg.ViewBox, horizontal: bool = False, dashed: bool = False):
        self.horizontal = horizontal
        self.items = []
        for color, width in (("#ffffff", 6.0), ("#000000", 2.5)):
            pen = QPen(QColor(color))
            pen.setWidthF(width)
            pen.setCosmetic(True)
            if dashed and color == "#000000":
                pen.setStyle(Qt.PenStyle.DashLine)
            item = QGraphicsRectItem()
            item.setPen(pen)
            item.setBrush(Qt.BrushStyle.NoBrush)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            item.setAcceptHoverEvents(False)
            item.setZValue(20 if color == "#000000" else 19)
            view.addItem(item, ignoreBounds=True)
            self.items.append(item)
        self._rect = QRectF()

    def place(self, center: float, span: tuple[float, float]) -> None:
        """Outline the band ``center ± 0.5`` across ``span`` (the other axis's extent)."""
        lo, hi = span
        if self.horizontal:
            rect = QRectF(lo, center - 0.5, hi - lo, 1.0)
        else:
            rect = QRectF(center - 0.5, lo, 1.0, hi - lo)
        if rect != self._rect:
            self._rect = rect
            for item in self.items:
                item.setRect(rect)

    def setVisible(self, visible: bool) -> None:
        for item in self.items:
            item.setVisible(visible)

    def isVisible(self) -> bool:
        return self.items[0].isVisible()

    def x(self) -> float:
        return self._rect.center().x()

    def y(self) -> float:
        return self._rect.center().y()


class TimeViewBox(pg.ViewBox):
    """A fixed (no pan, no zoom) view that reports left clicks, left drags and hovering.

    ``on_pointer(view, point, is_click)`` gets the point in data coordinates; ``on_hover(view,
    point or None)`` too (None when the mouse leaves). Clicks and drags on the plot's axes are
    forwarded here by pyqtgraph, so the time axis is clickable as well.
    """

    def __init__(self, on_pointer: Callable, on_hover: Callable, **kwargs):
        super().__init__(enableMenu=False, **kwargs)
        self.setMouseEnabled(x=False, y=False)
        self._on_pointer = weakref.WeakMethod(on_pointer)
        self._on_hover = weakref.WeakMethod(on_hover)

    def _call(self, ref, *args) -> None:
        method = ref()
        if method is not None:
            method(self, *args)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._call(self._on_pointer, self.mapSceneToView(ev.scenePos()), True)
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._call(self._on_pointer, self.mapSceneToView(ev.scenePos()), False)
        else:
            ev.ignore()

    def wheelEvent(self, ev, axis=None):
        ev.ignore()

    def hoverEvent(self, ev):
        if ev.isExit():
            self._call(self._on_hover, None)
        else:
            self._call(self._on_hover, self.mapSceneToView(ev.scenePos()))


# ------------------------------------------------------------------------------------ panel

HOVER_HINT = "Hover: exact values · click, drag or ←/→: time cursor"


class ReadoutLabel(QLabel):
    """A one-line label that shows as much of its text as fits (ending in …) without ever
    asking for more room, so a long read-out cannot resize the plots under the mouse;
    ``text()`` is the full text, also shown as the tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        hint.setWidth(0)
        return hint

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = self.contentsRect().adjusted(6, 0, -6, 0)
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text
        )
        painter.end()


class Panel(QWidget):
    """Base of the panels: a graphics view (or a message in its place), a read-out line under
    it, and the shared time cursor.

    Signals
    -------
    cursor_moved(int)
        The user moved the time cursor here (click, drag, ←/→/Home/End). Not emitted by
        ``set_cursor``, so the window can connect every panel's signal to every panel's slot.
    """

    cursor_moved = Signal(int)

    #: The read-out line's text when nothing is hovered.
    hint = HOVER_HINT

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._requested_cursor = 0
        self._steps = 0  # T of the shown snapshot; 0 before the first one
        self.snapshot = None
        self._sized_for_run: int | None = None

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(BACKGROUND)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # arrow keys go to the panel
        self.view.ci.setContentsMargins(6, 6, 6, 6)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.message = QLabel("Waiting for the first training snapshot…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setFont(font(TEXT_PT + 4))
        self.message.setStyleSheet(
            f"QLabel {{ background: {BACKGROUND}; color: #555555; padding: 24px; }}"
        )

        self._stack = QStackedWidget()
        self._stack.addWidget(self.message)
        self._stack.addWidget(self.view)

        self.hover_label = ReadoutLabel(self.hint)
        self.hover_label.setFont(font(TEXT_PT))
        self.hover_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hover_label.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; padding: 3px 0px; }}")

        self.controls = QWidget()  # subclasses may fill it (selectors, check boxes)
        self.controls.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.controls)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.hover_label)

    def add_layer_selector(self, caption: str, on_chosen: Callable[[int], None]) -> QComboBox:
        """A "<caption> [layer·direction ▾]" row above the plots (shown by the subclass)."""
        selector = QComboBox()
        selector.setFont(font(TEXT_PT))
        selector.currentIndexChanged.connect(on_chosen)
        label = QLabel(caption)
        label.setFont(font(TEXT_PT))
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(6, 2, 6, 0)
        row.addWidget(label)
        row.addWidget(selector)
        row.addStretch(1)
        return selector

    # ---------------------------------------------------------------- empty state

    def show_message(self, text: str) -> None:
        """Show ``text`` instead of the plots (no data, nothing to draw for this model)."""
        self.message.setText(text)
        self._stack.setCurrentWidget(self.message)

    def show_plots(self) -> None:
        self._stack.setCurrentWidget(self.view)
        # pyqtgraph clips plots that get less than their layout's minimum (titles, axes,
        # colour bars), so the widget asks for that much, and the window makes room or shows
        # the views in tabs. Only once per run: each change lays the whole window out again
        # (30 ms, measured), and a title's number growing a digit must not do that; the slack
        # covers such growth.
        run = getattr(self.snapshot, "run_id", None)
        if run == self._sized_for_run:
            return
        self._sized_for_run = run
        for plot in self.view.ci.items:
            if isinstance(plot, pg.PlotItem):
                plot.vb.setMinimumSize(QSizeF(MIN_DATA_AREA))
        self.view.ci.layout.invalidate()  # its size hints are cached until the next layout pass
        least = self.view.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        size = QSize(math.ceil(least.width()) + SIZE_SLACK, math.ceil(least.height()) + 2)
        if size != self.view.minimumSize():
            self.view.setMinimumSize(size)

    def is_showing_message(self) -> bool:
        return self._stack.currentWidget() is self.message

    # ---------------------------------------------------------------- time cursor

    def cursor(self) -> int:
        """The highlighted time step (clamped to the shown sequence)."""
        if self._steps <= 0:
            return max(0, self._requested_cursor)
        return min(max(self._requested_cursor, 0), self._steps - 1)

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        """Highlight step ``t`` (clamped to 0 … T − 1); emits nothing."""
        self._requested_cursor = int(t)
        self._place_cursor()
        self._refresh_hover()

    def _user_cursor(self, t: int) -> None:
        """The user picked step ``t``: move there and tell the others."""
        if self._steps <= 0:
            return
        t = min(max(int(t), 0), self._steps - 1)
        if t == self.cursor() and t == self._requested_cursor:
            return
        self._requested_cursor = t
        self._place_cursor()
        self.cursor_moved.emit(t)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if self._steps > 0 and key in (
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Home,
            Qt.Key.Key_End,
        ):
            t = {
                Qt.Key.Key_Left: self.cursor() - 1,
                Qt.Key.Key_Right: self.cursor() + 1,
                Qt.Key.Key_Home: 0,
                Qt.Key.Key_End: self._steps - 1,
            }[key]
            self._user_cursor(t)
            event.accept()
            return
        super().keyPressEvent(event)

    # ---------------------------------------------------------------- for subclasses

    def _place_cursor(self) -> None:
        """Move the cursor items to ``self.cursor()``."""

    def _refresh_hover(self) -> None:
        """Recompute the read-out for the hovered point (the data may have changed)."""

    def _hover_moves(self, view, point) -> bool:
        """Whether a hover report should change the read-out: pyqtgraph tells a view the mouse
        left it after telling the next view the mouse entered, so a leave from a view that is
        no longer the hovered one is ignored."""
        if point is None:
            if view is not getattr(self, "_hover_view", None):
                return False
            self._hover_view = None
        else:
            self._hover_view = view
        return True

    def set_readout(self, text: str | None) -> None:
        self.hover_label.setText(text if text else self.hint)


def nearest_index(values: np.ndarray, x: float) -> int:
    """Index of the entry of the sorted ``values`` nearest ``x`` (-1 if empty)."""
    n = len(values)
    if n == 0:
        return -1
    i = int(np.searchsorted(values, x))
    if i <= 0:
        return 0
    if i >= n:
        return n - 1
    return i if values[i] - x < x - values[i - 1] else i - 1


def point_cell(point: QPointF | None, columns: int, rows: int) -> tuple[int, int] | None:
    """The (column, row) of a heat map whose cell (c, r) is centred on (c, r), or None."""
    if point is None:
        return None
    c, r = round(point.x()), round(point.y())
    if 0 <= c < columns and 0 <= r < rows:
        return c, r
    return None
