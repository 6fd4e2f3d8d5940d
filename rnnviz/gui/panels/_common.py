"""What every panel shares: the time cursor, the mouse, the read-out line, the empty state.

The time cursor: every panel keeps one step t. ``set_cursor(t)`` (a slot) moves the highlight
without emitting anything; a click or drag on a time axis or a heat map, or the Shift+←/→/Home/End
keys, move it and emit ``cursor_moved(t)``, which the window sends to every other panel.

The projector style (colours, fonts, colour maps, styled plots) is in ``style``, the axes in
``axes``; their names are importable from here too.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.panels.axes import (  # noqa: F401  (importable from here)
    IntegerAxis,
    NumberAxis,
    decade_text,
    nice_step,
    power_texts,
    tick_label_room,
)
from rnnviz.gui.panels.style import (  # noqa: F401  (importable from here)
    BACKGROUND,
    CIVIDIS_LUT,
    CURVE_WIDTH,
    DIVERGING_LUT,
    FOREGROUND,
    INFERNO_LUT,
    LABEL_PT,
    OKABE_ITO,
    TEXT_PT,
    TICK_PT,
    TITLE_MARGIN,
    TITLE_PT,
    VIRIDIS_LUT,
    color_bar,
    font,
    hide_tick_values,
    set_title,
    style_axis,
    style_plot,
    title_row_height,
)
from rnnviz.gui.view_help import with_help_button

__all__ = [
    "BACKGROUND",
    "DIVERGING_LUT",
    "FOREGROUND",
    "OKABE_ITO",
    "ColumnCursor",
    "Panel",
    "ReadoutLabel",
    "TimeViewBox",
    "style_plot",
]

#: Pixels a view asks for beyond its plots' minimum width when a run starts, for titles and
#: tick labels that grow during the run.
SIZE_SLACK = 24

#: The smallest data area (width, height) of any plot: below this a curve or a heat map is a
#: sliver with one tick, unreadable from the back of the room, so the window would rather show
#: the views in tabs.
MIN_DATA_AREA = QSize(120, 64)


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

    def _pointer(self, ev, is_click: bool) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._call(self._on_pointer, self.mapSceneToView(ev.scenePos()), is_click)
        else:
            ev.ignore()

    def mouseClickEvent(self, ev):
        self._pointer(ev, True)

    def mouseDragEvent(self, ev, axis=None):
        self._pointer(ev, False)

    def wheelEvent(self, ev, axis=None):
        ev.ignore()

    def hoverEvent(self, ev):
        if ev.isExit():
            self._call(self._on_hover, None)
        else:
            self._call(self._on_hover, self.mapSceneToView(ev.scenePos()))


# ------------------------------------------------------------------------------------ panel

HOVER_HINT = "Hover for values · click or Shift+←/→ sets the time"


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
    it, the shared time cursor and the shared layer·direction choice (a ``rnnviz.gui.view``).

    Signals
    -------
    cursor_moved(int)
        The user moved the time cursor here (click, drag, Shift+←/→, Home, End). Not emitted by
        ``set_cursor``, so the window can connect every panel's signal to every panel's slot.
    """

    cursor_moved = Signal(int)

    #: The view's short key, its "what am I looking at" text and the formula of what it
    #: draws (``rnnviz.gui.view``; each panel states its own formula).
    name = "panel"
    about = "A live view of the training run."
    formula = ""

    #: The read-out line's text when nothing is hovered.
    hint = HOVER_HINT

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._requested_cursor = 0
        self._layer = 0
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

        self.controls = QWidget()  # subclasses may fill it (check boxes)
        self.controls.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.controls)
        layout.addWidget(self._stack, 1)
        # the "?" at the read-out line's end: in a row of its own, it covers none of the plots
        layout.addLayout(with_help_button(self.hover_label, self))

    # ---------------------------------------------------------------- layer·direction

    def layer(self) -> int:
        """The chosen entry of the snapshot's layout (``set_layer``), in range."""
        count = self.snapshot.layout.count if self.snapshot is not None else 1
        return min(self._layer, max(count - 1, 0))

    @Slot(int)
    def set_layer(self, index: int) -> None:
        """Show entry ``index`` of ``snapshot.layout`` (0: layer 1 →); a view that shows
        every entry, or none, keeps it for the next snapshot."""
        index = max(0, int(index))
        if index != self._layer:
            self._layer = index
            if self.snapshot is not None:
                self._layer_changed()

    def _layer_changed(self) -> None:
        """Redraw for the chosen layer·direction (views that show one)."""

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
        self._measuring_size(True)
        try:
            self._ask_for_least_size()
        finally:
            self._measuring_size(False)

    def _measuring_size(self, measuring: bool) -> None:
        """Called with True before the view measures the room it asks for (once a run, in
        ``show_plots``) and with False after: a view whose titles follow its size shows,
        while measuring, the ones it asks room for, and after, the ones that fit."""

    def _ask_for_least_size(self) -> None:
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


def fit_columns(legend: pg.LegendItem, width: float) -> None:
    """As many of ``legend``'s entries to a row as fit ``width`` pixels (a wide legend would
    push the plots out of a narrow view), measured with the entries' own fonts. The legend
    fills its rows left to right, each column as wide as its widest entry."""
    gap = legend.layout.horizontalSpacing()
    entries = [s.boundingRect().width() + t.itemRect().width() for s, t in legend.items]
    columns = len(entries)
    while columns > 1:
        widths = [max(entries[c::columns]) for c in range(columns)]
        if sum(widths) + (2 * columns - 1) * gap <= width:
            break
        columns -= 1
    if entries and legend.columnCount != columns:
        legend.setColumnCount(columns)


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
