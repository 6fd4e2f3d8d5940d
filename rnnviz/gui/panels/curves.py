"""Loss and metric curves against the training iteration, with the baselines that say what
"good" means (chance, the n-gram models, linear interpolation …) as labelled dashed lines.

Plots: "loss" (log y on request), "accuracy" (every metric whose name says accuracy, 0 … 1), and
one plot per other metric (position error, bits per character, …). Each baseline goes on the
plot of the figure it is a reference for: the task's ``baseline_metrics`` says which; without
it, "chance" goes with the accuracy and anything else with the loss.

The x axis is the training iteration, not a time step, so this panel has no time cursor:
``set_cursor`` is accepted (for a uniform API) and does nothing visible.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout

from rnnviz.gui.panels._common import (
    CURVE_WIDTH,
    FOREGROUND,
    OKABE_ITO,
    TEXT_PT,
    TICK_PT,
    LogAxis,
    Panel,
    TimeViewBox,
    font,
    nearest_index,
    set_title,
    style_plot,
)

__all__ = ["LOSS_FLOOR", "LossPanel", "baseline_targets", "nice_ceiling"]

#: Smallest loss drawn on the log axis.
LOSS_FLOOR = 1e-12
BASELINE_COLORS = ("#555555", "#8a5a00", "#005a8a", "#7a2a5a", "#2a6a2a")


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 × 10ⁿ that is ≥ ``x`` (x > 0)."""
    if not x > 0:
        return 1.0
    decade = 10.0 ** math.floor(math.log10(x))
    for step in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if step * decade >= x * (1 - 1e-12):
            return step * decade
    return 10.0 * decade


def _declared_baseline_metrics(task) -> dict[str, str]:
    """The task class's ``baseline_metrics`` ({baseline: metric or "loss"}), if it has one."""
    try:
        from rnnviz.tasks.registry import TASKS, TaskName

        module, _, class_name = TASKS[TaskName(task)]
        cls = getattr(importlib.import_module(module), class_name)
    except (KeyError, ValueError, ImportError, AttributeError, TypeError):
        return {}
    return dict(getattr(cls, "baseline_metrics", {}) or {})


def _is_accuracy(name: str) -> bool:
    return "accuracy" in name


def baseline_targets(snapshot) -> dict[str, str]:
    """{baseline name: plot key} for the snapshot's baselines: "loss", "accuracy" or a metric
    name. Baselines of a metric the run does not report are left out."""
    declared = _declared_baseline_metrics(getattr(getattr(snapshot, "config", None), "task", None))
    metrics = list(snapshot.metric_history)
    accuracies = [m for m in metrics if _is_accuracy(m)]
    targets = {}
    for name in snapshot.baselines:
        target = declared.get(name)
        if target is None:
            target = "accuracy" if (name == "chance" or _is_accuracy(name)) else "loss"
        if target != "loss":
            if _is_accuracy(target):
                if not accuracies:
                    continue
                target = "accuracy"
            elif target not in metrics:
                continue
        targets[name] = target
    return targets


def _plot_key(metric: str) -> str:
    return "accuracy" if _is_accuracy(metric) else metric


def _pretty(name: str) -> str:
    return name.replace("_", " ")


class LossPanel(Panel):
    """Training loss and metrics vs iteration, with labelled baseline lines.

    Signals: ``cursor_moved(int)`` (never emitted: no time axis here).
    Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)`` (no-op), ``set_log_loss(bool)``.
    """

    hint = "Hover over a curve to read the loss and metrics at that iteration"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.baseline_lines: dict[str, pg.InfiniteLine] = {}
        self._baseline_values: dict[str, float] = {}
        self._targets: dict[str, str] = {}
        self._x_range: tuple[float, float] | None = None
        self.baseline_bounds: dict[str, pg.PlotDataItem] = {}
        self._key = None
        self._log = False
        self._hover_x: float | None = None
        self._iterations = np.zeros(0, np.int64)

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
        axis = plot.getAxis("left")
        axis.log_values = on
        axis.setLabel(
            "loss (log scale)" if on else "loss", color=FOREGROUND, **{"font-size": "15pt"}
        )
        axis.picture = None
        axis.update()
        self._place_baselines()
        if self.snapshot is not None:
            self._draw_loss(self.snapshot)
        plot.enableAutoRange(y=True)

    # ---------------------------------------------------------------- building

    def _rebuild(self, metrics: tuple[str, ...], targets: dict[str, str]) -> None:
        self.view.ci.clear()
        self.plots, self.curves, self.baseline_lines = {}, {}, {}
        keys = ["loss"]
        for metric in metrics:
            key = _plot_key(metric)
            if key not in keys:
                keys.append(key)
        for n, key in enumerate(keys):
            view = TimeViewBox(self._on_pointer, self._on_hover)
            view.sigResized.connect(self._on_plot_resized)  # the labels' places are in pixels
            axes = {"left": LogAxis("left")} if key == "loss" else {}
            plot = pg.PlotItem(viewBox=view, axisItems=axes)
            if key == "loss":
                plot.getAxis("left").log_values = False
            title = {"loss": "training loss", "accuracy": "accuracy"}.get(key, _pretty(key))
            style_plot(plot, "training iteration", _pretty(key), title)
            plot.showGrid(x=False, y=True, alpha=0.25)
            plot.getAxis("left").setWidth(62)
            if key == "accuracy":
                plot.setYRange(0.0, 1.0, padding=0.06)
                plot.enableAutoRange(x=True, y=False)
                plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
            # (no x-link: pyqtgraph links by screen position, which breaks for unequal widths;
            # every plot has the same iterations, so their autoscaled ranges agree anyway)
            view.setDefaultPadding(0.06)  # room for the baselines' labels
            view.enableAutoRange(x=False)  # the x range is set to the iterations run
            # one plot per row: side by side, their titles and axes did not fit the panel's
            # width in the window (the plots were clipped on the right)
            row, col, span = n, 0, 1
            self.view.addItem(plot, row=row, col=col, colspan=span)
            self.plots[key] = plot
        self.curves["loss"] = self._curve(self.plots["loss"], "loss", OKABE_ITO[0])
        colours = iter(OKABE_ITO[2:] + OKABE_ITO[:2])
        for metric in metrics:
            plot = self.plots[_plot_key(metric)]
            self.curves[metric] = self._curve(plot, _pretty(metric), next(colours))
        accuracy_metrics = [m for m in metrics if _plot_key(m) == "accuracy"]
        if len(accuracy_metrics) > 1:
            legend = self.plots["accuracy"].addLegend(
                offset=(10, 10), labelTextSize=f"{TEXT_PT}pt", labelTextColor=FOREGROUND,
                brush=pg.mkBrush(255, 255, 255, 210), pen=pg.mkPen("#999999"),
            )  # fmt: skip
            for m in accuracy_metrics:
                legend.addItem(self.curves[m], _pretty(m))
        for k, (name, target) in enumerate(targets.items()):
            colour = BASELINE_COLORS[k % len(BASELINE_COLORS)]
            line = pg.InfiniteLine(
                pos=0.0,
                angle=0,
                movable=False,
                pen=pg.mkPen(colour, width=2.5, style=Qt.PenStyle.DashLine),
                label=name,
                labelOpts={
                    "position": 0.98,
                    "color": colour,
                    "fill": pg.mkBrush(255, 255, 255, 220),
                    # below the line in the upper half of the view, above it in the lower
                    # half (pyqtgraph switches), so a label is never clipped at the top
                    "anchors": [(1, 0), (1, 1)],
                },
            )
            line.label.setFont(font(TICK_PT, bold=True))
            line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.plots[target].addItem(line, ignoreBounds=True)
            self.baseline_lines[name] = line
        # an invisible item at the baselines' heights, so that autoscaling keeps them in view
        self.baseline_bounds = {}
        for target in set(targets.values()):
            bounds = pg.PlotDataItem(pen=pg.mkPen(None))
            self.plots[target].addItem(bounds)
            self.baseline_bounds[target] = bounds
        self.set_log_loss(self._log)

    def _curve(self, plot: pg.PlotItem, name: str, colour: str) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(
            pen=pg.mkPen(colour, width=CURVE_WIDTH), name=name, antialias=False, connect="finite"
        )
        plot.addItem(curve)
        return curve

    def _on_plot_resized(self, *_) -> None:
        if self.baseline_lines:
            self._place_baselines()

    def _place_baselines(self) -> None:
        heights: dict[str, list[float]] = {key: [] for key in self.baseline_bounds}
        for name, line in self.baseline_lines.items():
            value = self._baseline_values.get(name, float("nan"))
            target = self._targets.get(name, "loss")
            on_log = self._log and target == "loss"
            shown = math.isfinite(value) and (value > 0 or not on_log)
            line.setVisible(shown)
            if not shown:
                continue
            y = math.log10(value) if on_log else value
            line.setValue(y)
            line.label.setFormat(f"{name} {value:.3g}")
            heights[target].append(y)
        # labels side by side, the lowest line's at the right (the one the curve must beat
        # last), the others leftwards; stacked at one x they covered each other whenever two
        # baselines were close. A label with no room left is hidden (its line stays).
        for target in heights:
            on_plot = [
                (line.value(), line)
                for name, line in self.baseline_lines.items()
                if self._targets.get(name, "loss") == target and line.isVisible()
            ]
            on_plot.sort(key=lambda pair: pair[0])
            width = max(self.plots[target].getViewBox().width(), 1.0)
            place = 0.98  # the label's right end, as a share of the plot's width
            for _, line in on_plot:
                share = (line.label.boundingRect().width() + 12) / width
                line.label.setVisible(place - share >= -0.01)
                line.label.setPosition(max(place, 0.0))
                place -= share
        x0 = float(self._iterations[0]) if len(self._iterations) else 0.0
        for target, bounds in self.baseline_bounds.items():
            ys = heights.get(target, [])
            bounds.setData([x0] * len(ys), ys)

    # ---------------------------------------------------------------- drawing

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        metrics = tuple(snapshot.metric_history)
        targets = baseline_targets(snapshot)
        key = (metrics, tuple(targets.items()))
        if key != self._key:
            self._targets = targets
            self._baseline_values = {}
            self._x_range = None
            self._rebuild(metrics, targets)
            self._key = key
        iterations = np.asarray(snapshot.history_iterations, dtype=np.float64)
        first_moved = len(iterations) and (
            not len(self._iterations) or iterations[0] != self._iterations[0]
        )
        self._iterations = iterations
        values = {name: float(snapshot.baselines[name]) for name in targets}
        if values != self._baseline_values or first_moved:
            self._baseline_values = values
            self._place_baselines()
        if len(iterations):
            # the axis grows in steps (1, 1.5, 2, 3, 5, 7.5 × 10ⁿ), not at every snapshot: a
            # steady frame to watch the curve grow into, and redrawing the axes' ticks at every
            # snapshot took most of this panel's time (measured)
            x_range = (float(iterations[0]), nice_ceiling(max(iterations[-1], iterations[0] + 1)))
            if x_range != self._x_range:
                self._x_range = x_range
                for plot in self.plots.values():
                    plot.setXRange(*x_range, padding=0.01)
        self._draw_loss(snapshot)
        for metric in metrics:
            self.curves[metric].setData(iterations, snapshot.metric_history[metric])
        self._set_titles(snapshot)
        self._refresh_hover()
        self.show_plots()

    def _draw_loss(self, snapshot) -> None:
        loss = np.maximum(np.asarray(snapshot.loss_history, dtype=np.float64), LOSS_FLOOR)
        if self._log:
            np.log10(loss, out=loss)
        self.curves["loss"].setData(self._iterations, loss)

    def _set_titles(self, snapshot) -> None:
        if snapshot.diverged:
            loss_title = "training loss: diverged"
        elif len(snapshot.loss_history):
            loss_title = f"training loss: {float(snapshot.loss_history[-1]):.4g}"
        else:
            loss_title = "training loss"
        titles = {"loss": loss_title}
        for metric, values in snapshot.metric_history.items():
            key = _plot_key(metric)
            if key == "accuracy" and metric != "accuracy" and "accuracy" in snapshot.metric_history:
                continue  # the title names the main accuracy; the legend names the others
            latest = float(values[-1]) if len(values) else float("nan")
            label = "accuracy" if key == "accuracy" else _pretty(metric)
            titles[key] = f"{label}: {latest:.3g}" if math.isfinite(latest) else label
        for key, text in titles.items():
            plot = self.plots.get(key)
            if plot is not None and plot.titleLabel.text != text:
                set_title(plot, text)

    # ---------------------------------------------------------------- hover

    def _on_pointer(self, view, point, is_click: bool) -> None:
        """No time axis here; clicks do nothing."""

    def _on_hover(self, view, point) -> None:
        if not self._hover_moves(view, point):
            return
        self._hover_x = None if point is None else float(point.x())
        self._refresh_hover()

    def _refresh_hover(self) -> None:
        snapshot = self.snapshot
        if self._hover_x is None or snapshot is None:
            self.set_readout(None)
            return
        i = nearest_index(self._iterations, self._hover_x)
        if i < 0:
            self.set_readout(None)
            return
        parts = [f"iteration {int(self._iterations[i])}", f"loss {snapshot.loss_history[i]:.4g}"]
        for metric, values in snapshot.metric_history.items():
            parts.append(f"{_pretty(metric)} {float(values[i]):.4g}")
        self.set_readout("   ".join(parts))
