"""Loss and metric curves against the training iteration, with the baselines that say what
"good" means (chance, the n-gram models, linear interpolation …) as dashed lines.

Plots: "loss" (log y on request, pyqtgraph's log mode), "accuracy" (every metric whose name says
accuracy, 0 … 1), and one plot per other metric (position error, bits per character, …). Each
baseline goes on the plot of the figure it is a reference for (``snapshot.task.baselines``).

Each baseline's name and value sit on its line at the plot's right end (a ``pg.TextItem``
anchored there, in the line's colour, on a white box), inside the plot. One with no such place
(lines too close together for two labels, a curve running along its line) is hidden and named in
its plot's title instead, as room allows. Hovering near a line names it in the read-out, and its
label's tooltip says what it is. When one plot shows several accuracies, its title is their
legend.

The x axis is the training iteration, not a time step, so this panel has no time cursor:
``set_cursor`` is accepted (for a uniform API) and does nothing visible.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout

from rnnviz.gui.panels._common import Panel, TimeViewBox, nearest_index
from rnnviz.gui.panels.axes import IntegerAxis, NumberAxis
from rnnviz.gui.panels.figures import (
    baseline_targets,
    covers,
    display_name,
    legend_title,
    nice_ceiling,
    plot_key,
    steady_range,
    title_width,
)
from rnnviz.gui.panels.style import (
    CURVE_WIDTH,
    FOREGROUND,
    LABEL_PT,
    OKABE_ITO,
    TEXT_PT,
    TICK_PT,
    font,
    set_title,
    style_plot,
)

__all__ = ["LOSS_FLOOR", "LossPanel", "baseline_targets", "display_name", "nice_ceiling"]

#: Smallest loss drawn on the log axis.
LOSS_FLOOR = 1e-12
BASELINE_COLORS = ("#555555", "#8a5a00", "#005a8a", "#7a2a5a", "#2a6a2a")
#: Width of every plot's left axis (equal, so that the plots' iterations line up), room for
#: the axis title and a label like "2.5×10⁻³".
LEFT_AXIS_WIDTH = 92
#: Pixels kept between two baselines' labels, and between a label and the plot's right edge.
LABEL_GAP = 3
#: Pixels within which hovering a baseline's line names it in the read-out.
LINE_HOVER_PX = 8


class LossPanel(Panel):
    """Training loss and metrics vs iteration, with the baselines as labelled dashed lines.

    Signals: ``cursor_moved(int)`` (never emitted: no time axis here).
    Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)`` (no-op), ``set_layer(int)``
    (no-op: the loss is the whole network's), ``set_log_loss(bool)``.
    """

    name = "loss"
    about = (
        "How training is going: the loss (how wrong the network's predictions are, lower is "
        "better) and the task's scores, against the training iteration. The dashed lines are "
        "baselines, simple guesses that need no network (chance, counting letter pairs …): "
        "the network has learned something once its curve beats them."
    )
    formula = "L = −(1/T) Σ_t log p(y_t)  or  (1/T) Σ_t ‖ŷ_t − y_t‖²\nbaselines: L of guesses"
    hint = "Hover over a curve for its values"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        #: Each baseline's dashed line and its label.
        self.baseline_lines: dict[str, pg.PlotDataItem] = {}
        self.baseline_labels: dict[str, pg.TextItem] = {}
        #: Baselines whose label had no room on its line: their plot's title names them.
        self.titled_baselines: list[str] = []
        self._baseline_values: dict[str, float] = {}
        self._targets: dict[str, str] = {}
        self._x_range: tuple[float, float] | None = None
        self._y_ranges: dict[str, tuple[float, float]] = {}  # plot → its steady_range
        self._key = None
        self._log = False
        self._hover_x: float | None = None
        self._hover_at: tuple[pg.ViewBox, float] | None = None  # the hovered view, pointer's y
        self._iterations = np.zeros(0, np.int64)
        self._run_sized: object = ()  # the run the view last sized itself for
        self._sizing = False  # while it does, the titles take their shortest forms

        self.log_box = QCheckBox("log scale for the loss")
        self.log_box.setFont(font(TEXT_PT))
        self.log_box.toggled.connect(self.set_log_loss)
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(6, 2, 6, 0)
        row.addWidget(self.log_box)
        row.addStretch(1)
        self.controls.setVisible(True)

    # ---------------------------------------------------------------- log scale

    def log_loss(self) -> bool:
        return self._log

    @Slot(bool)
    def set_log_loss(self, on: bool) -> None:
        """Draw the loss on a log axis (the baselines follow)."""
        on = bool(on)
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)  # → set_log_loss again via toggled
            return
        self._log = on
        plot = self.plots.get("loss")
        if plot is None:
            return
        plot.setLogMode(y=on)  # (it autoscales both axes: the x range is ours)
        self._y_ranges.pop("loss", None)  # the next snapshot sets the y range
        if self._x_range is not None:
            plot.setXRange(*self._x_range, padding=0.01)
        plot.getAxis("left").setLabel(
            "loss (log scale)" if on else "loss", color=FOREGROUND, **{"font-size": f"{LABEL_PT}pt"}
        )
        self._place_baselines()
        self._fit_axis_titles()

    # ---------------------------------------------------------------- building

    def _rebuild(self, metrics: tuple[str, ...], targets: dict[str, str], task) -> None:
        self.view.ci.clear()
        self.plots, self.curves, self.baseline_lines, self.baseline_labels = {}, {}, {}, {}
        self._y_ranges = {}
        self.titled_baselines = []
        keys = ["loss"]
        for metric in metrics:
            if plot_key(metric) not in keys:
                keys.append(plot_key(metric))
        for row, key in enumerate(keys):
            view = TimeViewBox(self._on_pointer, self._on_hover)
            view.sigResized.connect(self._on_plot_resized)
            view.sigRangeChanged.connect(self._place_labels)  # they are placed in pixels
            axes = {"left": NumberAxis("left"), "bottom": IntegerAxis("bottom")}
            plot = pg.PlotItem(viewBox=view, axisItems=axes)
            title = {"loss": "training loss", "accuracy": "accuracy"}.get(key, display_name(key))
            style_plot(plot, "training iteration", display_name(key), title)
            plot.showGrid(x=False, y=True, alpha=0.25)
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            if key == "accuracy":
                plot.setYRange(0.0, 1.0, padding=0.06)
                plot.enableAutoRange(x=True, y=False)
            # (no x-link: pyqtgraph links by screen position, which breaks for unequal widths;
            # every plot has the same iterations, so their autoscaled ranges agree anyway)
            view.setDefaultPadding(0.06)
            # the x range is set to the iterations run, the y range to steady_range's
            view.enableAutoRange(x=False, y=False)
            # one plot per row: side by side, their titles and axes did not fit the panel's
            # width in the window (the plots were clipped on the right)
            self.view.addItem(plot, row=row, col=0)
            self.plots[key] = plot
        self.curves["loss"] = self._curve(self.plots["loss"], "loss", OKABE_ITO[0])
        colours = iter(OKABE_ITO[2:] + OKABE_ITO[:2])
        for metric in metrics:
            plot = self.plots[plot_key(metric)]
            self.curves[metric] = self._curve(plot, display_name(metric, task), next(colours))
        for k, (name, target) in enumerate(targets.items()):
            colour = BASELINE_COLORS[k % len(BASELINE_COLORS)]
            pen = pg.mkPen(colour, width=2.5, style=Qt.PenStyle.DashLine)
            # a curve across the plot, not an InfiniteLine: it follows the log mode, and
            # autoscaling keeps it in view
            line = pg.PlotDataItem(pen=pen, antialias=False)
            line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.plots[target].addItem(line)
            label = pg.TextItem(
                color=colour, fill=pg.mkBrush(255, 255, 255, 200), border=pg.mkPen(colour)
            )
            label.setFont(font(TICK_PT, bold=True))
            label.setZValue(10)
            self.plots[target].addItem(label, ignoreBounds=True)
            self.baseline_lines[name], self.baseline_labels[name] = line, label
        self.set_log_loss(self._log)

    def _curve(self, plot: pg.PlotItem, name: str, colour: str) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(
            pen=pg.mkPen(colour, width=CURVE_WIDTH), name=name, antialias=False, connect="finite"
        )
        plot.addItem(curve)
        return curve

    def _on_plot_resized(self, *_) -> None:
        self._place_labels()
        self._fit_axis_titles()
        if self.snapshot is not None:
            self._set_titles(self.snapshot)

    def _fit_axis_titles(self) -> None:
        """Hide a plot's y-axis title when the plot is shorter than it (the plot's own title
        names the figure too): drawn anyway, it ran over the next plot and the tick labels."""
        for plot in self.plots.values():
            axis = plot.getAxis("left")
            fits = axis.label.boundingRect().width() <= plot.getViewBox().height() + 8
            if axis.label.isVisible() != fits:
                axis.showLabel(fits)

    def baseline_label(self, name: str) -> pg.TextItem:
        """The label of baseline ``name``: its name and value, on its line."""
        return self.baseline_labels[name]

    def baseline_y(self, name: str) -> float | None:
        """Where baseline ``name``'s line is in its view's coordinates (None: not drawn)."""
        _, y = self.baseline_lines[name].getData()
        return float(y[0]) if y is not None and len(y) else None

    def _place_baselines(self) -> None:
        task = getattr(self.snapshot, "task", None)
        x0, x1 = self._x_range or (0.0, 1.0)
        for name, line in self.baseline_lines.items():
            value = self._baseline_values.get(name, float("nan"))
            on_log = self._log and self._targets.get(name) == "loss"
            if math.isfinite(value) and (value > 0 or not on_log):
                line.setData([x0, x1], [value, value])
            else:
                line.setData([], [])
            words = display_name(name, task)
            about = next((b.help for b in task.baselines if b.name == name), "") if task else ""
            tip = f"{words}: {value:.4g}" + (f", {about}" if about else "")
            label = self.baseline_labels[name]
            label.setText(f"{words} {value:.3g}")
            label.setToolTip(tip)
            line.setToolTip(tip)
        self._place_labels()

    def _place_labels(self, *_) -> None:
        """Put each label on its line at the plot's right end: centred on it, or moved along it
        as far as keeps it inside the plot and off the other lines (a label over another line
        was read as that one's). Lowest line first; a label with no such place, or that would
        cover one already placed, is hidden, and named in its plot's title instead."""
        titled = []
        for key, plot in self.plots.items():
            view = plot.getViewBox()
            height, (_, x1) = view.height(), view.viewRange()[0]
            x = x1 - LABEL_GAP * view.viewPixelSize()[0]
            names = [n for n in self.baseline_lines if self._targets.get(n) == key]
            drawn = [n for n in names if self.baseline_y(n) is not None]
            # each line's height in pixels from the plot's top, lowest line (largest) first
            at = {n: view.mapFromView(QPointF(x, self.baseline_y(n))).y() for n in drawn}
            drawn.sort(key=lambda n: -at[n])
            taken: list[tuple[float, float]] = []  # (top, bottom) of each label placed, px
            for k, name in enumerate(drawn):
                label, h = (
                    self.baseline_labels[name],
                    self.baseline_labels[name].boundingRect().height(),
                )
                # room between the lines below and above, within the plot
                low = min([height] + [at[n] - 1 for n in drawn[:k] if at[n] > at[name] + 0.5])
                high = max([0.0] + [at[n] + 1 for n in drawn[k + 1 :] if at[n] < at[name] - 0.5])
                top = min(max(at[name] - h / 2, high), low - h)
                free = all(top + h + LABEL_GAP <= a or top >= b + LABEL_GAP for a, b in taken)
                shown = top >= high and top <= at[name] <= top + h and free
                box = view.mapToView(QRectF(0, top, 1, h)).boundingRect()  # its y span in data
                width = label.boundingRect().width() * view.viewPixelSize()[0]
                shown = shown and not covers(
                    self.curves, plot, (x - width, x), (box.top(), box.bottom())
                )
                label.setVisible(shown)
                if shown:
                    taken.append((top, top + h))
                    label.setAnchor((1.0, (at[name] - top) / h))
                    label.setPos(x, self.baseline_y(name))
                else:
                    titled.append(name)
            for name in set(names) - set(drawn):
                self.baseline_labels[name].setVisible(False)
        if titled != self.titled_baselines:
            self.titled_baselines = titled
            if self.snapshot is not None:
                self._set_titles(self.snapshot)

    # ---------------------------------------------------------------- drawing

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        metrics = tuple(snapshot.metric_history)
        targets = baseline_targets(snapshot)
        key = (metrics, tuple(targets.items()))
        iterations = np.asarray(snapshot.history_iterations, dtype=np.float64)
        # before the plots are rebuilt: rebuilding draws the loss (set_log_loss), which must
        # pair this snapshot's losses with its own iterations, not the last run's
        self._iterations = iterations
        if key != self._key:
            self._targets = targets
            self._baseline_values = {}
            self._x_range = None
            self._rebuild(metrics, targets, getattr(snapshot, "task", None))
            self._key = key
        # the axis grows in steps (1, 1.5, 2, 3, 5, 7.5 × 10ⁿ), not at every snapshot: a steady
        # frame to watch the curve grow into, and redrawing the axes' ticks at every snapshot
        # took most of this panel's time (measured). A new run (Reset) starts with no history:
        # its frame is 0 … 1 until the first iteration, not the last run's.
        if len(iterations):
            x_range = (float(iterations[0]), nice_ceiling(max(iterations[-1], iterations[0] + 1)))
        else:
            x_range = (0.0, 1.0)
        moved = x_range != self._x_range
        if moved:
            self._x_range = x_range
            for plot in self.plots.values():
                plot.setXRange(*x_range, padding=0.01)
        loss = np.maximum(np.asarray(snapshot.loss_history, dtype=np.float64), LOSS_FLOOR)
        self.curves["loss"].setData(iterations, loss)
        for metric in metrics:
            self.curves[metric].setData(iterations, snapshot.metric_history[metric])
        values = {name: float(snapshot.baselines[name]) for name in targets}
        shown = {"loss": [loss, list(values.values())]}
        for metric in metrics:
            shown.setdefault(plot_key(metric), []).append(snapshot.metric_history[metric])
        self._fit_y_ranges(shown)
        if values != self._baseline_values or moved:
            self._baseline_values = values
            self._place_baselines()
        else:
            self._place_labels()  # the curves moved: one may now run under a label
        run = getattr(snapshot, "run_id", None)
        if run != self._run_sized:
            # the view sizes itself once per run (``show_plots``), with the shortest titles
            self._run_sized = run
            self._sizing = True  # (showing the view resizes the plots: _on_plot_resized)
            try:
                self._set_titles(snapshot)
                self.show_plots()
            finally:
                self._sizing = False
        self._set_titles(snapshot)
        self._refresh_hover()
        self.show_plots()

    def _fit_y_ranges(self, shown: dict[str, list]) -> None:
        """Each plot's y range around the values ``shown`` on it (its curves' and baselines'),
        steady while they stay inside (``steady_range``); the accuracy plot keeps 0 … 1."""
        for key, arrays in shown.items():
            plot = self.plots.get(key)
            if plot is None or key == "accuracy":
                continue
            values = np.concatenate([np.ravel(np.asarray(a, np.float64)) for a in arrays])  # (n,)
            if self._log and key == "loss":
                values = np.log10(values[values > 0])  # (n',) the log axis's own units
            values = values[np.isfinite(values)]
            if values.size:
                fitted = steady_range(
                    float(values.min()), float(values.max()), self._y_ranges.get(key)
                )
                if fitted != self._y_ranges.get(key):
                    self._y_ranges[key] = fitted
                    plot.setYRange(*fitted, padding=0.0)

    def _set_titles(self, snapshot) -> None:
        """Each plot's title: its figure and latest value, or for several accuracies their
        legend; the longest form that fits the width there is (a title wider than the panel
        widens the whole view, and the view sizes itself once per run, with the shortest)."""
        if any(metric not in self.curves for metric in snapshot.metric_history):
            return  # the plots are being rebuilt for this snapshot, which sets them after
        task = getattr(snapshot, "task", None)
        if snapshot.diverged:
            loss_title = "training loss: diverged"
        elif len(snapshot.loss_history):
            loss_title = f"training loss: {float(snapshot.loss_history[-1]):.4g}"
        else:
            loss_title = "training loss"
        # each plot's possible titles, longest first ("loss: …" leaves the baselines room)
        forms = {"loss": [loss_title, loss_title.replace("training loss", "loss"), "loss"]}
        accuracies = [m for m in snapshot.metric_history if plot_key(m) == "accuracy"]
        for metric, values in snapshot.metric_history.items():
            key = plot_key(metric)
            latest = float(values[-1]) if len(values) else float("nan")
            label = "accuracy" if key == "accuracy" else display_name(metric, task)
            forms[key] = [f"{label}: {latest:.3g}" if math.isfinite(latest) else label]
        if len(accuracies) > 1:
            forms["accuracy"] = [
                legend_title(snapshot, accuracies, self.curves, values=True),
                legend_title(snapshot, accuracies, self.curves, values=False),
            ]
        # the title's share of a plot's width: the left axis takes the rest
        room = self.view.width() - 12 - LEFT_AXIS_WIDTH - 16
        for key, options in forms.items():
            plot = self.plots.get(key)
            if plot is None:
                continue
            fitting = [o for o in options if not self._sizing and title_width(o) <= room]
            text = (fitting or options[-1:])[0]
            if not self._sizing:
                text = self._titled_baselines(key, fitting or [text], room)
            if plot.titleLabel.text != text:
                set_title(plot, text)

    def _titled_baselines(self, key: str, titles: list[str], room: float) -> str:
        """A title of ``titles`` (longest first, the last a last resort) with the labels of plot
        ``key``'s baselines that had no room on their lines, in their colours: all, in the largest
        form that fits ``room`` px (name and value; smaller; the name alone), else what fits."""
        names = [n for n in self.titled_baselines if self._targets.get(n) == key]
        colours = {n: self.baseline_lines[n].opts["pen"].color().name() for n in names}
        full = {n: self.baseline_labels[n].toPlainText() for n in names}  # name and value
        short = {n: display_name(n, self.snapshot.task) for n in names}
        for candidates in (titles[:-1] or titles, titles[-1:]):
            for points, gap, words in ((TICK_PT, 2, full), (TICK_PT - 2, 1, full), (10, 1, short)):
                entries = [
                    f"{'&nbsp;' * gap}<span style='color: {colours[n]}; font-size: {points}pt'>"
                    f"╌╌ {html.escape(words[n])}</span>"  # after a stroke of its line
                    for n in names
                ]
                for title in candidates:
                    if title_width(title + "".join(entries)) <= room:
                        return title + "".join(entries)
        while entries and title_width(titles[-1] + "".join(entries)) > room:
            entries.pop()
        return titles[-1] + "".join(entries)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # refit the titles to the new width before the plots are laid out again: a title
        # wider than the view keeps the plots from shrinking to it (they are clipped)
        if self.snapshot is not None and self.plots:
            self._set_titles(self.snapshot)

    # ---------------------------------------------------------------- hover

    def _on_pointer(self, view, point, is_click: bool) -> None:
        """No time axis here; clicks do nothing."""

    def _on_hover(self, view, point) -> None:
        if not self._hover_moves(view, point):
            return
        self._hover_x = None if point is None else float(point.x())
        self._hover_at = None if point is None else (view, float(point.y()))
        self._refresh_hover()

    def _hovered_baseline(self) -> str | None:
        """The baseline whose line is within ``LINE_HOVER_PX`` of the pointer, if any."""
        if self._hover_at is None:
            return None
        view, y = self._hover_at
        pointer = view.mapFromView(QPointF(0.0, y)).y()
        best = None
        for name, line in self.baseline_lines.items():
            at = self.baseline_y(name)
            if at is None or not line.isVisible() or line.getViewBox() is not view:
                continue
            distance = abs(view.mapFromView(QPointF(0.0, at)).y() - pointer)
            if distance <= LINE_HOVER_PX and (best is None or distance < best[0]):
                best = (distance, name)
        return None if best is None else best[1]

    def _refresh_hover(self) -> None:
        snapshot = self.snapshot
        if self._hover_x is None or snapshot is None:
            self.set_readout(None)
            return
        task = getattr(snapshot, "task", None)
        parts = []
        name = self._hovered_baseline()
        if name is not None:
            parts.append(f"dashed line: {display_name(name, task)} {snapshot.baselines[name]:.4g}")
        i = nearest_index(self._iterations, self._hover_x)
        if i >= 0:
            parts += [
                f"iteration {int(self._iterations[i])}",
                f"loss {snapshot.loss_history[i]:.4g}",
            ]
            for metric, values in snapshot.metric_history.items():
                parts.append(f"{display_name(metric, task)} {float(values[i]):.4g}")
        self.set_readout("   ".join(parts) if parts else None)
