"""What every panel shares: the projector style, the colour maps, the time cursor, the mouse.

Style: dark text on a white background, big fonts, thick lines, and colour-blind-safe colours
(Okabe–Ito for curves, viridis/cividis for 0..1 values, ColorBrewer's blue–white–red for −1..1),
each colour map a 256-entry uint8 lookup table built here in NumPy.

The time cursor: every panel keeps one step t. ``set_cursor(t)`` (a slot) moves the highlight
without emitting anything; a click or drag on a time axis or a heat map, or the Shift+←/→/Home/End
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
#: Pixels above and below a plot's title text.
TITLE_MARGIN = 1.5
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


def layers_and_directions(snapshot, count: int | None = None) -> tuple[int, int]:
    """(L, D) of a snapshot's per-layer fields, as its ``layout`` says."""
    del count
    return snapshot.layout.layers, snapshot.layout.directions


def nice_step(least: float, mantissas: tuple[float, ...] = (1.0, 2.0, 5.0)) -> float:
    """The smallest m × 10ⁿ (m one of ``mantissas``, n whole) that is at least ``least`` > 0."""
    exponent = math.floor(math.log10(least))
    for e in (exponent, exponent + 1):
        for m in mantissas:
            if m * 10.0**e >= least * (1 - 1e-9):
                return m * 10.0**e
    return 10.0 ** (exponent + 2)


def tick_label_room(axis: pg.AxisItem, widest: str) -> float:
    """Pixels a tick label of ``axis`` takes along it (the widest one, ``widest``, along a
    horizontal axis), with the gap it keeps from the next: measured in the axis's tick font,
    so the labels never overlap whatever the font."""
    metrics = pg.QtGui.QFontMetricsF(axis.style.get("tickFont") or axis.font())
    if axis.orientation in ("left", "right"):
        return metrics.height() + 6.0
    return metrics.horizontalAdvance(widest) + 16.0


class IntegerAxis(pg.AxisItem):
    """An axis with ticks on whole numbers only (time steps, units, iterations), spaced 1, 2,
    5, 10, 20 … apart: as densely as the labels fit, measured in pixels with the tick font, so
    they never overlap and a short axis still gets several (0, 20, 40 over 42 steps in 120 px).
    """

    def tickValues(self, minVal, maxVal, size):
        lo, hi = sorted((float(minVal), float(maxVal)))
        if not (math.isfinite(lo) and math.isfinite(hi)) or size <= 0 or hi - lo > 1e15:
            return []
        widest = max(str(math.ceil(lo)), str(math.floor(hi)), key=len)
        least = tick_label_room(self, widest) * (hi - lo) / size  # units between two labels
        step = max(1, round(nice_step(max(least, 1e-9))))
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


def power_texts(values) -> list[str]:
    """Labels of the numbers 10^v for the log₁₀ values ``values``, all in one format: plain
    ("0.01", "0.05", "2500") when every number is between 0.01 and 9999, else powers of ten
    ("10⁻³", "5×10⁻³", "2.5×10⁻⁴"; 1 … 99 stay plain, as "1" and "10" are)."""
    parts = []
    for v in values:
        exponent = math.floor(v + 1e-9)
        mantissa = float(f"{10.0 ** (v - exponent):.3g}")
        if mantissa >= 10.0:
            mantissa, exponent = 1.0, exponent + 1
        parts.append((mantissa, exponent))
    plain = all(-2 <= e <= 3 for _, e in parts)
    out = []
    for mantissa, exponent in parts:
        digits = f"{mantissa:.3g}"
        if plain or exponent in (0, 1):
            decimals = max(0, len(digits.partition(".")[2]) - exponent)
            out.append(f"{mantissa * 10.0**exponent:.{decimals}f}")
        elif mantissa == 1.0:
            out.append(decade_text(exponent))
        else:
            out.append(f"{digits}×{decade_text(exponent)}")
    return out


def _key(value: float) -> float:
    return round(float(value), 9)


class LogAxis(pg.AxisItem):
    """An axis for data the panel already took log₁₀ of (when ``log_values`` is True).

    Its labels are the finest of these sets whose labels fit (measured in pixels, with room to
    spare): whole decades every 10, 5, 2 or 1 decades; 1, 2 and 5 × 10ⁿ; 1 … 9 × 10ⁿ; evenly
    spaced numbers (a range inside one decade). At least two labels wherever two fit. The next
    finer set gives unlabelled ticks. All labels in one format (``power_texts``).

    ``zero_at``: where the panel draws zeros on a log axis (values that are no number of
    decades); that tick is labelled ``zero_text`` and no other tick is within a decade above it.

    When ``log_values`` is False it is a linear axis, its ticks 1, 2 or 5 × 10ⁿ apart, as dense
    as the labels fit. (pyqtgraph's own log mode labels every minor tick when the range is
    short, which crowds the axis, and none when no decade is in range.)
    """

    #: The labels keep this many times their own height (a vertical axis) apart, to be read
    #: at a glance; they go down to 1× rather than leave fewer than two.
    SPACING = 1.5

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.setStyle(hideOverlappingLabels=30)  # the labels at both ends stay
        self.log_values = True
        self.zero_at: float | None = None
        self.zero_text = "0"
        self._labels: dict[float, str] = {}
        self._labels_log = True  # whether they were chosen for log₁₀ values

    def tickValues(self, minVal, maxVal, size):
        lo, hi = sorted((float(minVal), float(maxVal)))
        self._labels = {}
        self._labels_log = self.log_values
        if not (math.isfinite(lo) and math.isfinite(hi)) or size <= 0 or hi <= lo:
            return []
        room = tick_label_room(self, "5×10⁻¹⁰")
        if not self.log_values:
            return self._linear_ticks(lo, hi, size, room)
        if hi - lo > 400:
            return []
        per_px = (hi - lo) / size  # decades per pixel
        zero = self.zero_at
        major: list[float] = []
        if zero is not None and lo - 1e-9 <= zero <= hi + 1e-9:
            self._labels[_key(zero)] = self.zero_text
            major.append(zero)
            lo = max(lo, zero + max(1.0, room * per_px) - 1e-9)
        if hi <= lo:
            return [(1.0, major)]
        families = sorted(self._families(lo, hi, size), key=len)  # stable: nicer first
        labelled = self._pick(families, room * self.SPACING * per_px, room * per_px)
        major += labelled
        for value, text in zip(labelled, power_texts(labelled), strict=True):
            self._labels[_key(value)] = text
        levels = [(1.0, major)]
        taken = set(map(_key, major))
        finer = [
            f
            for f in families
            if len(f) > len(labelled) and len(f) <= size / 6 and _min_gap(f) >= 3 * per_px
        ]
        if finer:
            minor = [v for v in finer[-1] if _key(v) not in taken]
            levels.append((0.3, minor))
        return levels

    @staticmethod
    def _families(lo: float, hi: float, size: float) -> list[list[float]]:
        """Candidate tick sets over [lo, hi] (log₁₀ values), each sorted."""
        span = hi - lo
        first, last = math.floor(lo), math.ceil(hi)
        families = []
        step = 1
        while step <= max(span, 1.0) * 10:
            start = math.ceil(lo / step) * step
            families.append([float(e) for e in range(start, last + 1, step) if e <= hi])
            step = round(nice_step(step * 1.5))
        if span <= 12:
            for mantissas in ((1, 2, 5), range(1, 10)):
                values = [e + math.log10(m) for e in range(first, last + 1) for m in mantissas]
                families.append([v for v in values if lo <= v <= hi])
        if span <= 1.0:  # evenly spaced numbers, for a range with few of the above in it
            v_lo, v_hi = 10.0**lo, 10.0**hi
            step = nice_step(v_hi - v_lo)
            while (v_hi - v_lo) / step <= size / 4:
                k0, k1 = math.ceil(v_lo / step - 1e-9), math.floor(v_hi / step + 1e-9)
                families.append([math.log10(k * step) for k in range(max(k0, 1), k1 + 1)])
                step = nice_step(step * 0.4)
        return families

    @staticmethod
    def _pick(families: list[list[float]], wanted: float, least: float) -> list[float]:
        """The densest set whose neighbours are ``wanted`` apart (in values) and has at least
        two ticks; else the sparsest with two or more, thinned to ``least`` apart."""
        fitting = [f for f in families if len(f) >= 2 and _min_gap(f) >= wanted]
        if fitting:
            return fitting[-1]
        several = [f for f in families if len(f) >= 2]
        if not several:
            return max(families, key=len, default=[])
        kept: list[float] = []
        for v in several[0]:
            if not kept or v - kept[-1] >= least:
                kept.append(v)
        return kept

    def _linear_ticks(self, lo: float, hi: float, size: float, room: float):
        per_px = (hi - lo) / size

        def multiples(step: float) -> list[float]:
            first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
            return [k * step + 0.0 for k in range(first, last + 1)]

        # two labels rather than one: closer together, then also 2.5 × 10ⁿ apart; on an axis
        # too short for that, finer ticks with every other one (or fewer) labelled
        step = nice_step(room * self.SPACING * per_px)
        values = multiples(step)
        least = room
        if len(values) < 2:
            step = nice_step(room * per_px, (1, 2, 2.5, 5))
            values = multiples(step)
        while len(values) < 2 and step > (hi - lo) * 1e-6:
            e = math.floor(math.log10(step))  # the next smaller 1, 2, 2.5, 5 × 10ⁿ
            step = max(
                m * 10.0**k
                for k in (e - 1, e)
                for m in (1, 2, 2.5, 5)
                if m * 10.0**k < step * 0.999
            )
            values = multiples(step)
            least = 0.8 * room  # pyqtgraph's own measure of a label's height
        decimals = len(f"{step:.12f}".rstrip("0").partition(".")[2])  # 0.25 → 2, 5 → 0
        last = -math.inf
        for v in values:
            if (v - last) / per_px >= least:
                self._labels[_key(v)] = f"{v:.{decimals}f}"
                last = v
        return [(step, values)]

    def tickStrings(self, values, scale, spacing):
        # the labels were chosen with the ticks; values not among them are unlabelled ticks
        # (a linear axis formats them as pyqtgraph does, for ticks set from outside)
        if not self.log_values and (not self._labels or self._labels_log):
            return super().tickStrings(values, scale, spacing)
        return [self._labels.get(_key(v), "") for v in values]

    def boundingRect(self):
        # pyqtgraph lets the labels at a vertical axis's ends stick out by
        # hideOverlappingLabels pixels, but not when the plot shows a grid: there a label at
        # either end was dropped (0 … 1 in 90 px showed only "0.5")
        rect = super().boundingRect()
        margin = self.style["hideOverlappingLabels"]
        if self.grid is not False and self.orientation in ("left", "right"):
            rect = rect.adjusted(0, -int(margin), 0, int(margin))
        return rect


def _min_gap(values: list[float]) -> float:
    if len(values) < 2:
        return math.inf
    return float(np.min(np.diff(values)))


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
    """Show ``title`` over ``plot`` (None: no title row), in a row as high as its text: the
    30 px pyqtgraph gives every title cost the stacked plots of a view a projector's room."""
    plot.setTitle(title, color=FOREGROUND, size=f"{TITLE_PT}pt")
    if title is None:
        return
    label = plot.titleLabel
    label.item.document().setDocumentMargin(TITLE_MARGIN)  # Qt's 4 px above and below the text
    height = title_row_height()
    label.updateMin()  # its least size, measured with the margins it has now
    label.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


def title_row_height() -> int:
    """The height of a plot's title row: a line of the title font and its margins."""
    return math.ceil(pg.QtGui.QFontMetricsF(font(TITLE_PT)).height() + 2 * TITLE_MARGIN)


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

HOVER_HINT = "Hover for values · click or Shift+←/→ moves the time"


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
        The user moved the time cursor here (click, drag, Shift+←/→, Home, End). Not emitted by
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
        self.hover_label.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; padding: 1px 0px; }}")

        self.controls = QWidget()  # subclasses may fill it (selectors, check boxes)
        self.controls.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
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
            if isinstance(plot, pg.PlotItem) and not isinstance(plot, pg.ColorBarItem):
                plot.vb.setMinimumSize(QSizeF(MIN_DATA_AREA))
        share_axis_titles(self.view.ci)
        self.view.ci.layout.invalidate()  # its size hints are cached until the next layout pass
        least = self.view.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize)
        size = QSize(math.ceil(least.width()) + SIZE_SLACK, math.ceil(least.height()) + 2)
        if size != self.view.minimumSize():
            self.view.setMinimumSize(size)
            self.layout().invalidate()  # so the window's next look at our minimum sees it

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


def share_axis_titles(layout: pg.GraphicsLayout) -> None:
    """In a column of plots stacked one above the other, show a bottom-axis title that each of
    them repeats ("training iteration") under the lowest one only: each took 25 px, and three
    of them a projector's room for a plot. The tick values stay on every plot."""
    columns: dict[int, list[tuple[int, pg.PlotItem]]] = {}
    for item, cells in layout.items.items():
        if isinstance(item, pg.PlotItem) and not isinstance(item, pg.ColorBarItem) and cells:
            row, col = min(cells)
            columns.setdefault(col, []).append((row, item))
    for stacked in columns.values():
        axes = [plot.getAxis("bottom") for _, plot in sorted(stacked, key=lambda rp: rp[0])]
        titled = [axis for axis in axes if axis.labelText and axis.label.isVisible()]
        if (
            len(titled) < 2
            or titled[-1] is not axes[-1]  # the one title left goes under the lowest plot
            or len({(a.labelText, a.labelUnits) for a in titled}) != 1
        ):
            continue
        for axis in titled[:-1]:
            axis.showLabel(False)


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
