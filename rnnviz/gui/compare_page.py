"""Compare mode's page: two or three runs of one lesson side by side, each with another cell,
mode or direction.

On top, the runs' loss curves overlaid on one plot and their gradient flow ‖∂L/∂h_t‖ overlaid
on a log axis, each in one fixed range (a curve arriving never rescales the others); under
them one column per run: its name, state, updates per second and the task's first metric, and
its hidden states or gates (the window's own heat-map views, one per run). One time cursor:
moving it in any column moves it in all and in the gradient plot. Each run keeps one colour in
every plot and heading: its cell's (``style.CELL_COLORS``) when the runs' cells differ, else
one by its place (a lesson comparing two modes or directions of one cell).

The page draws the newest snapshot of each run at most ``FRAME_MS`` apart, one run a turn of the
event loop, and only while it is shown; the shared loss and gradient plots take every run's
newest curves at once, at most once a ``FRAME_MS`` (three runs each setting their curves painted
both plots 90 times a second: a third of the window's time, measured).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.panels.figures import nice_ceiling
from rnnviz.gui.panels.heatmaps import GatePanel, HiddenStatePanel
from rnnviz.gui.panels.style import (
    BACKGROUND,
    CELL_COLORS,
    CURVE_WIDTH,
    FOREGROUND,
    TEXT_PT,
    font,
    set_title,
    style_plot,
)

__all__ = ["FRAME_MS", "GRADIENT_RANGE", "PLACE_COLORS", "ComparePage", "RunColumn", "run_colors"]

#: How far apart a run's redraws are, at least, in milliseconds (about 30 a second).
FRAME_MS = 33
#: The gradient plot's fixed decades, log₁₀ ‖∂L/∂h_t‖: a vanilla RNN's first steps fall to
#: 10⁻¹⁰ and below on the vanishing-gradient lesson, an LSTM's stay within a few decades.
GRADIENT_RANGE = (-12.0, 1.0)
#: How often a column's heading (state, updates/s, accuracy) is written again, in seconds.
HEADING_S = 0.5
#: The least height of the loss and gradient plots, in pixels: their title, axes and a data
#: area of ``MIN_DATA_AREA``'s height. (170 pushed the gap lesson's two runs, one of them with
#: a map per direction, 13 px past a 1280 × 720 screen.)
PLOT_MIN_HEIGHT = 150
#: The gradient plot's title (", layer 2 ←" is added when the runs have several).
GRADIENT_TITLE = "gradient per step (log)"
#: The most hidden-state maps a column shows: with more layer·directions (a deep bidirectional
#: model's four), the one the window's layer selector chose, as the gates always do.
COLUMN_MAPS = 2
#: The runs' colours, by place, when they share a cell: Okabe and Ito's colour-blind-safe
#: blue, vermilion and bluish green, as ``CELL_COLORS`` takes its colours from the same set.
PLACE_COLORS = ("#0072B2", "#D55E00", "#009E73")
#: The least a norm is drawn at on the log axis (an exact zero would have no logarithm).
FLOOR = 10.0 ** (GRADIENT_RANGE[0] - 1)


def _empty(curve: pg.PlotDataItem) -> bool:
    x, _ = curve.getData()
    return x is None or len(x) == 0


def run_colors(cells: Sequence[str]) -> list[str]:
    """Each run's colour, for the runs' cells in order: the cell's own when the cells differ,
    else one by place (two runs of one cell in one colour could not be told apart)."""
    if len(set(cells)) == len(cells):
        return [CELL_COLORS.get(cell, FOREGROUND) for cell in cells]
    return [PLACE_COLORS[k % len(PLACE_COLORS)] for k in range(len(cells))]


def loss_title(keys: Iterable[tuple[str, str]]) -> str:
    """The loss plot's title with its key: each run's name after a line of its colour, for
    (name, colour) pairs."""
    entries = (
        f"<span style='color:{color}'>━</span>&nbsp;{html.escape(name)}" for name, color in keys
    )
    return "loss: " + " &nbsp; ".join(entries)


class RunColumn(QWidget):
    """One run's column: a heading and its hidden states or gates."""

    def __init__(self, name: str, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.color = color
        self.heading = QLabel()
        self.heading.setFont(font(TEXT_PT))
        self.heading.setWordWrap(True)
        # its text changes with every snapshot: a height of two lines, fixed, so that a
        # change never lays the window out again (measured: 10–20 ms a time with three runs)
        self.heading.setFixedHeight(2 * QFontMetrics(self.heading.font()).lineSpacing() + 4)
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._headed_at = -math.inf
        self.hidden = HiddenStatePanel()
        self.hidden.most_maps = COLUMN_MAPS
        self.gates = GatePanel()
        self.maps = QStackedWidget()
        self.maps.addWidget(self.hidden)
        self.maps.addWidget(self.gates)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.maps, 1)
        self.snapshot = None
        self.show_heading("waiting for its first update")

    @property
    def views(self) -> tuple[QWidget, QWidget]:
        return (self.hidden, self.gates)

    def show_heading(self, status: str) -> None:
        name = html.escape(self.name)
        self.heading.setText(
            f"<span style='color:{self.color}'>■</span> <b>{name}</b> · {html.escape(status)}"
        )

    def show_snapshot(self, snapshot, state: str) -> None:
        self.snapshot = snapshot
        self.maps.currentWidget().show_snapshot(snapshot)
        now = time.monotonic()
        if now - self._headed_at < HEADING_S and not snapshot.diverged:
            return  # figures read at most twice a second
        self._headed_at = now
        metric = next(iter(snapshot.metrics.items()), None)
        parts = [state, f"{snapshot.steps_per_second:.0f} updates/s"]
        if metric is not None and math.isfinite(metric[1]):
            parts.append(f"{snapshot.task.label(metric[0])} {metric[1]:.2f}")
        if snapshot.diverged:
            parts.append("diverged")
        self.show_heading(" · ".join(parts))


class ComparePage(QWidget):
    """The compare page (see the module docstring); a page of the panel area.

    ``set_runs(runs)`` lays out one column per run; ``show_run(key, snapshot,
    state)`` hands it a run's newest snapshot; ``set_layer(index)`` the layer·direction the
    window chose; ``cursor_moved(t)`` when the user moves the shared time cursor.
    """

    cursor_moved = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views: tuple[QWidget, ...] = ()  # a page of the panel area: no views of its own
        self.columns: dict[object, RunColumn] = {}
        self._curves: dict[object, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self._dirty: dict[object, tuple[object, str]] = {}
        self._unplotted: dict[object, object] = {}  # run → its newest snapshot not yet plotted
        self._plotted_at = -math.inf
        self._loss_top = 0.0
        self._loss_right = 0.0
        self._t = 0
        self._layer = 0  # the layer·direction chosen in the window
        self.loss_plot = pg.PlotWidget(background=BACKGROUND)
        style_plot(self.loss_plot.getPlotItem(), "training iteration", "loss", "loss")
        self.gradient_plot = pg.PlotWidget(background=BACKGROUND)
        gradient = self.gradient_plot.getPlotItem()
        style_plot(gradient, "time step t", "‖∂L/∂hₜ‖", GRADIENT_TITLE)
        gradient.setLogMode(y=True)
        gradient.setYRange(*GRADIENT_RANGE, padding=0)
        gradient.getViewBox().setMouseEnabled(x=False, y=False)
        self.loss_plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        # the iterations' axis grows in steps (nice_ceiling), not with each point
        self.loss_plot.getPlotItem().enableAutoRange(x=False, y=False)
        self.cursor_line = pg.InfiniteLine(
            pos=0, angle=90, movable=True, pen=pg.mkPen("k", width=2)
        )
        self.cursor_line.sigPositionChanged.connect(self._on_line_moved)
        gradient.addItem(self.cursor_line)
        for plot in (self.loss_plot, self.gradient_plot):
            plot.setMinimumHeight(PLOT_MIN_HEIGHT)
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot, 1)
        plots.addWidget(self.gradient_plot, 1)
        self.choice = QButtonGroup(self)
        switch = QHBoxLayout()
        for k, text in enumerate(("Hidden states", "Gates")):
            button = QRadioButton(text)
            button.setFont(font(TEXT_PT))
            button.setChecked(k == 0)
            self.choice.addButton(button, k)
            switch.addWidget(button)
        switch.addStretch(1)
        self.choice.idClicked.connect(self.show_maps)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        page = QVBoxLayout(self)
        page.setContentsMargins(4, 4, 4, 4)  # the page is the window's width: no frame to keep
        page.addLayout(plots, 1)
        page.addLayout(switch)
        page.addLayout(self._grid, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._draw)

    # ------------------------------------------------------------------ runs

    def set_runs(self, runs: Sequence[tuple[object, str, str]]) -> None:
        """One column per (key, cell, name) of ``runs``, in that order, replacing any before:
        the cell as configs name it ("lstm"), the name as people read it ("LSTM", or "one
        direction" where the runs share a cell)."""
        for column in self.columns.values():
            self._grid.removeWidget(column)
            for view in column.views:  # no Python filter called while the column is deleted
                view.view.removeEventFilter(view)
            column.hide()
            column.deleteLater()
        for loss, gradient in self._curves.values():
            self.loss_plot.removeItem(loss)
            self.gradient_plot.removeItem(gradient)
        self.columns, self._curves, self._dirty, self._unplotted = {}, {}, {}, {}
        self._loss_top = self._loss_right = 0.0
        self._plotted_at = -math.inf
        colors = run_colors([cell for _, cell, _ in runs])
        for k, ((key, _, name), color) in enumerate(zip(runs, colors, strict=True)):
            column = RunColumn(name, color)
            for view in column.views:
                view.cursor_moved.connect(self.set_cursor)
                view.set_layer(self._layer)
            column.gates.setVisible(False)
            self._grid.addWidget(column, 0, k)
            self.columns[key] = column
            pen = pg.mkPen(column.color, width=CURVE_WIDTH)
            loss = self.loss_plot.plot([], [], pen=pen)
            gradient = self.gradient_plot.plot([], [], pen=pen)
            self._curves[key] = (loss, gradient)
        # the key in the title, "loss: ━ RNN ━ LSTM ━ GRU", in the title's type: a legend in the
        # plot covered the curves of a short plot (1280 × 720), and pyqtgraph's own legend
        # text is small and grey, unreadable from the back of a lecture room
        key = ((column.name, column.color) for column in self.columns.values())
        set_title(self.loss_plot.getPlotItem(), loss_title(key))
        self.show_maps(self.choice.checkedId())
        # each run drawn about FRAME_MS apart, one run a tick
        self._timer.setInterval(max(5, FRAME_MS // max(1, len(runs))))
        self._timer.start()

    @Slot(object, object, str)
    def show_run(self, key, snapshot, state: str) -> None:
        """Keep ``snapshot`` as run ``key``'s newest, to be drawn on the next frame."""
        if key in self.columns:
            self._dirty.pop(key, None)  # to the back of the queue: the others go first
            self._dirty[key] = (snapshot, state)

    @Slot(int)
    def set_layer(self, index: int) -> None:
        """Show layer·direction ``index`` in every column: its gates, and its hidden states
        where a run has more than ``COLUMN_MAPS`` layer·directions."""
        self._layer = index
        for column in self.columns.values():
            for view in column.views:
                view.set_layer(index)
        # the gradient plot too, from each run's newest snapshot drawn
        drawn = {key: c.snapshot for key, c in self.columns.items() if c.snapshot is not None}
        self._unplotted.update(drawn)
        self._plot(every=True)

    @Slot(int)
    def show_maps(self, index: int) -> None:
        """0: every column's hidden states; 1: its gates."""
        for column in self.columns.values():
            column.maps.setCurrentIndex(index)
            if column.snapshot is not None:
                column.maps.currentWidget().show_snapshot(column.snapshot)
                column.maps.currentWidget().set_cursor(self._t)

    # ------------------------------------------------------------------ drawing

    def _draw(self, every: bool = False) -> None:
        """Draw the run that has waited longest for it (``every``: all that wait): one run a
        turn of the event loop, so that three runs never hold it up for one long frame."""
        if not self.isVisible() or not (self._dirty or self._unplotted):
            return
        if every or not self._dirty:
            dirty, self._dirty = self._dirty, {}
        else:
            key = next(iter(self._dirty))
            dirty = {key: self._dirty.pop(key)}
        for key, (snapshot, state) in dirty.items():
            column = self.columns[key]
            column.show_snapshot(snapshot, state)
            column.maps.currentWidget().set_cursor(min(self._t, snapshot.seq_len - 1))
            self._unplotted[key] = snapshot
            # the range at once (it moves seldom): never below a loss its column shows
            self._fit_loss_range(np.asarray(snapshot.loss_history, np.float64))
        self._plot(every)

    def _plot(self, every: bool = False) -> None:
        """Set the runs' newest curves in the loss and gradient plots: at most once a
        ``FRAME_MS`` (``every``: now), and at once for a run with no curve yet."""
        now = time.monotonic()
        first = any(_empty(self._curves[key][0]) for key in self._unplotted)
        if not (every or first) and now - self._plotted_at < FRAME_MS / 1000:
            return
        self._plotted_at = now
        unplotted, self._unplotted = self._unplotted, {}
        for key, snapshot in unplotted.items():
            loss, gradient = self._curves[key]
            iterations = np.asarray(snapshot.history_iterations, np.float64)  # (N,)
            losses = np.asarray(snapshot.loss_history, np.float64)  # (N,)
            loss.setData(iterations, losses)
            norms = np.asarray(snapshot.dh_norms, np.float64)  # (L·D, T)
            if norms.ndim == 2 and norms.shape[1]:
                k = min(self._layer, norms.shape[0] - 1)  # the chosen layer·direction
                gradient.setData(np.arange(norms.shape[1]), np.maximum(norms[k], FLOOR))
                self._title_gradient(snapshot.layout.labels)
            if len(iterations) and iterations[-1] > self._loss_right:
                self._loss_right = nice_ceiling(float(iterations[-1]))
                self.loss_plot.setXRange(0.0, self._loss_right, padding=0.01)

    def _title_gradient(self, labels) -> None:
        """The gradient plot's title, naming the layer·direction shown when there are more."""
        title = GRADIENT_TITLE
        if len(labels) > 1:
            title += f", {labels[min(self._layer, len(labels) - 1)]}"
        plot = self.gradient_plot.getPlotItem()
        if plot.titleLabel.text != title:
            set_title(plot, title)

    def _fit_loss_range(self, losses: np.ndarray) -> None:
        """0 to a little above the highest loss yet: fixed, growing only when a run's loss
        goes above it (never with each new point)."""
        finite = losses[np.isfinite(losses)]
        if finite.size and finite.max() > self._loss_top:
            self._loss_top = float(finite.max()) * 1.1
            self.loss_plot.setYRange(0.0, self._loss_top, padding=0)

    # ------------------------------------------------------------------ the time cursor

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        """Move the shared time cursor to step ``t`` in every column and the gradient plot."""
        self._t = int(t)
        for column in self.columns.values():
            column.maps.currentWidget().set_cursor(self._t)
        if round(self.cursor_line.value()) != self._t:
            self.cursor_line.blockSignals(True)
            self.cursor_line.setValue(self._t)
            self.cursor_line.blockSignals(False)
        self.cursor_moved.emit(self._t)

    def _on_line_moved(self) -> None:
        t = max(0, round(self.cursor_line.value()))
        if t != self._t:
            self.set_cursor(t)

    def cursor(self) -> int:
        return self._t
