"""The delay sweep's plot: accuracy (0 … 1) against the delay N, one line with markers per cell,
filled in point by point as runs finish, and chance (1/K) as a dashed line.

The delays are placed on a log₂ axis (5, 10, 20, 40 come out evenly spaced, as a lecture's
doubling delays read) and labelled with their own values. Colours are Okabe–Ito's and every
cell has its own marker shape too, so that the lines are told apart without colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy

from rnnviz.gui.panels.style import FOREGROUND, OKABE_ITO, TEXT_PT, font, style_plot
from rnnviz.training.cell_list import cell_label
from rnnviz.training.settings import Cell

__all__ = ["SweepPlot"]

#: Marker shapes, by cell (in the order of the plan): circle, square, triangle, diamond.
MARKERS = ("o", "s", "t", "d")
MARKER_SIZE = 16
TICK_PT = 16
LABEL_PT = 17
X_LABEL = "delay N (steps between the symbol and the cue)"
#: The accuracy axis's ticks (and grid lines): a few round values, nothing in between.
Y_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
LINE_WIDTH = 4


class SweepPlot(pg.PlotWidget):
    """Accuracy against the delay, one line per cell. ``start`` lays a sweep out (its axes,
    an empty line per cell, the chance line); ``add_point`` puts in one finished run."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="w")
        plot = self.getPlotItem()
        style_plot(plot, None, None, None)
        # larger than the live views' fonts: this plot is shown alone, on a slide
        for name, label in (("bottom", X_LABEL), ("left", "accuracy")):
            axis = plot.getAxis(name)
            axis.setStyle(tickFont=font(TICK_PT))
            axis.setLabel(label, color=FOREGROUND, **{"font-size": f"{LABEL_PT}pt"})
        plot.getAxis("left").setTicks([[(y, f"{y:g}") for y in Y_TICKS]])
        plot.showGrid(x=False, y=True, alpha=0.35)
        plot.setMouseEnabled(x=False, y=False)
        plot.setYRange(0.0, 1.0, padding=0.04)
        # the legend in a column of its own right of the plot: inside, it would hide a line
        # wherever that line happens to be
        self.legend = pg.LegendItem(labelTextSize=f"{TEXT_PT + 2}pt", labelTextColor=FOREGROUND)
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        plot.layout.addItem(self.legend, 2, 3, Qt.AlignmentFlag.AlignVCenter)
        self.chance_line = pg.InfiniteLine(
            angle=0, pen=pg.mkPen(FOREGROUND, width=2.5, style=Qt.PenStyle.DashLine)
        )
        # at the left end, where short delays have every cell far above chance
        self.chance_label = pg.TextItem(color=FOREGROUND, anchor=(0, 1))
        self.chance_label.setFont(font(TEXT_PT + 2))
        self.curves: list[pg.PlotDataItem] = []
        self._x = np.zeros(0)
        self._table = np.zeros((0, 0))
        self._finished = np.zeros((0, 0), dtype=bool)

    def start(
        self, cells: Sequence[Cell], delays: Sequence[int], chance: float, title: str = ""
    ) -> None:
        """Lay out an empty sweep of ``cells`` at ``delays``, with ``chance`` dashed."""
        plot = self.getPlotItem()
        for curve in self.curves:
            plot.removeItem(curve)
        self.legend.clear()
        self._x = np.log2(np.asarray(delays, dtype=float))
        self._table = np.full((len(cells), len(delays)), np.nan)
        self._finished = np.zeros(self._table.shape, dtype=bool)
        self.curves = []
        for i, cell in enumerate(cells):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            curve = pg.PlotDataItem(
                pen=pg.mkPen(colour, width=LINE_WIDTH),
                symbol=MARKERS[i % len(MARKERS)],
                symbolSize=MARKER_SIZE,
                symbolBrush=colour,
                symbolPen=pg.mkPen(FOREGROUND, width=1),
            )
            plot.addItem(curve)
            self.legend.addItem(curve, cell_label(cell))
            self.curves.append(curve)
        axis = plot.getAxis("bottom")
        axis.setTicks([[(float(x), str(d)) for x, d in zip(self._x, delays, strict=True)]])
        low, high = float(self._x.min()), float(self._x.max())
        margin = max(0.35, 0.08 * (high - low))
        plot.setXRange(low - margin, high + margin, padding=0)
        self.chance_line.setPos(chance)
        if self.chance_line.scene() is None:
            plot.addItem(self.chance_line, ignoreBounds=True)
            plot.addItem(self.chance_label, ignoreBounds=True)
        self.chance_label.setText(f"chance 1/{round(1 / chance)}" if chance > 0 else "chance")
        self.chance_label.setPos(low - margin * 0.9, chance)
        plot.setTitle(title or None, color=FOREGROUND, size=f"{LABEL_PT}pt")

    def add_point(self, cell_index: int, delay_index: int, accuracy: float) -> None:
        """Put in the accuracy of cell ``cell_index`` at delay ``delay_index`` (NaN: none, the
        run diverged); its line joins the points in so far, left to right."""
        self._table[cell_index, delay_index] = accuracy
        self._finished[cell_index, delay_index] = True
        row = self._table[cell_index]
        order = np.argsort(self._x)
        shown = order[np.isfinite(row[order])]
        self.curves[cell_index].setData(self._x[shown], row[shown])

    def fill(self, table: Sequence[Sequence[float]]) -> None:
        """Put in every point of ``table`` (rows: cells, columns: delays)."""
        for i, row in enumerate(table):
            for j, accuracy in enumerate(row):
                self.add_point(i, j, accuracy)

    def points_in(self) -> int:
        """How many points are in (a diverged run's counts, though it draws none)."""
        return int(np.count_nonzero(self._finished))

    @staticmethod
    def default_title(steps: int) -> str:
        return f"Recalling a symbol N steps back, after {steps:,} updates per point"
