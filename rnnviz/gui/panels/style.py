"""The projector style every view shares: colours, fonts, colour maps and styled plots.

Dark text on a white background, big fonts, thick lines, and colour-blind-safe colours:
Okabe–Ito for curves; pyqtgraph's own colour maps for heat maps (viridis for 0 … 1 values,
CET-D1, blue–white–red, for −1 … 1, inferno for the gradient history), each a 256-entry lookup
table taken from ``pg.colormap``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem

__all__ = [
    "BACKGROUND",
    "CELL_COLORS",
    "CIVIDIS_LUT",
    "DIVERGING_LUT",
    "FOREGROUND",
    "INFERNO_LUT",
    "OKABE_ITO",
    "VIRIDIS_LUT",
    "color_bar",
    "fixed_levels",
    "font",
    "map_of",
    "style_axis",
    "style_plot",
]

BACKGROUND = "#ffffff"
FOREGROUND = "#1a1a1a"
TICK_PT = 13
LABEL_PT = 15
TITLE_PT = 15
TEXT_PT = 14  # hover read-out, messages, controls
#: Pixels above and below a plot's title text.
TITLE_MARGIN = 1.5
CURVE_WIDTH = 3

#: Okabe & Ito's colour-blind-safe palette (without its yellow, too pale on white).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")

#: Each cell's colour wherever cells are drawn side by side (compare mode, the delay sweep):
#: the same cell, the same colour (Okabe–Ito: vermillion, blue, bluish green, reddish purple).
CELL_COLORS = {"rnn_tanh": "#D55E00", "lstm": "#0072B2", "gru": "#009E73", "rnn_relu": "#CC79A7"}

#: The colour maps by what they show: values of one sign, of both signs, the gradient's size.
SEQUENTIAL, DIVERGING, HEAT = "viridis", "CET-D1", "inferno"


def lookup_table(name: str, n: int = 256) -> np.ndarray:
    """The (n, 3) uint8 lookup table of pyqtgraph's colour map ``name`` (read-only)."""
    lut = np.ascontiguousarray(pg.colormap.get(name).getLookupTable(nPts=n, alpha=False))
    lut = lut.astype(np.uint8)
    lut.setflags(write=False)
    return lut


DIVERGING_LUT = lookup_table(DIVERGING)
VIRIDIS_LUT = lookup_table(SEQUENTIAL)
CIVIDIS_LUT = lookup_table("cividis")
INFERNO_LUT = lookup_table(HEAT)


def fixed_levels(low: float, high: float) -> tuple[float, float]:
    """The colour levels of values in ``low`` … ``high`` (a ``Layout.value_range``): an
    unbounded end (the LSTM's cell state c, a ReLU's h) is drawn up to ±1, where tanh and
    the gates end, so that every map of a view reads on the same scale."""
    low = -1.0 if not math.isfinite(low) else float(low)
    high = 1.0 if not math.isfinite(high) else float(high)
    return low, high


def map_of(levels: tuple[float, float]) -> np.ndarray:
    """The lookup table for ``levels``: blue–white–red when they hold both signs, else viridis."""
    return DIVERGING_LUT if levels[0] < 0 < levels[1] else VIRIDIS_LUT


def font(points: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSize(points)
    f.setBold(bold)
    return f


def style_axis(axis: pg.AxisItem, label: str | None = None) -> None:
    axis.enableAutoSIPrefix(False)
    # an axis whose ticks did not change is drawn from a cached pixmap: repainting axes was a
    # third of the window's paint time
    axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    axis.setPen(pg.mkPen(FOREGROUND, width=1.5))
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
        colorMap=pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), np.asarray(lut)),
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
