"""Loss and metric curves against the training iteration, with the baselines that say what
"good" means (chance, the n-gram models, linear interpolation …) as labelled dashed lines.

Plots: "loss" (log y on request), "accuracy" (every metric whose name says accuracy, 0 … 1), and
one plot per other metric (position error, bits per character, …). Each baseline goes on the
plot of the figure it is a reference for: the task's ``baseline_metrics`` says which; without
it, "chance" goes with the accuracy and anything else with the loss.

Each baseline's label sits on its own line (the line runs into it), as far right as it can go
without covering the curves, another label or another line; one with no such place is hidden
and named in its plot's title instead, as room allows. Hovering near a line names it in the
read-out, and its tooltip says what it is. When one plot shows several accuracies, its title is
their legend (a legend box inside the plot covered the curves).

The x axis is the training iteration, not a time step, so this panel has no time cursor:
``set_cursor`` is accepted (for a uniform API) and does nothing visible.
"""

from __future__ import annotations

import functools
import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Slot
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QCheckBox, QHBoxLayout

from rnnviz.gui.panels._common import (
    CURVE_WIDTH,
    FOREGROUND,
    LABEL_PT,
    OKABE_ITO,
    TEXT_PT,
    TICK_PT,
    TITLE_PT,
    IntegerAxis,
    LogAxis,
    Panel,
    TimeViewBox,
    font,
    nearest_index,
    nice_step,
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
#: Pixels within which hovering a baseline's line names it in the read-out.
LINE_HOVER_PX = 8


def display_name(name: str, task=None) -> str:
    """A metric's or a baseline's key as a reader would write it: the words ``task`` (the
    snapshot's ``TaskFacts``) gives for it, else the key without "_" ("linear_interpolation"
    → "linear interpolation")."""
    if task is not None:
        return task.label(name)
    return name.replace("_", " ")


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 5, 7.5 × 10ⁿ that is ≥ ``x`` (1 when x ≤ 0)."""
    return nice_step(x, (1.0, 1.5, 2.0, 3.0, 5.0, 7.5)) if x > 0 else 1.0


def _is_accuracy(name: str) -> bool:
    return "accuracy" in name


def baseline_targets(snapshot) -> dict[str, str]:
    """{baseline name: plot key} for the snapshot's baselines: "loss", "accuracy" or a metric
    name. Baselines of a metric the run does not report are left out."""
    metrics = list(snapshot.metric_history)
    accuracies = [m for m in metrics if _is_accuracy(m)]
    targets = {}
    for baseline in snapshot.task.baselines:
        name, target = baseline.name, baseline.metric
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


def _legend_entry(metric: str, task) -> str:
    """A metric's name in the accuracy plot's title-legend, without the word the title has."""
    if metric == "accuracy":
        return "all"
    name = display_name(metric, task)
    return name.replace("accuracy", "").strip(" ,") or name


@functools.lru_cache(maxsize=256)  # (bounded: the titles' numbers change every snapshot)
def _title_width(text: str) -> float:
    """Pixels a plot title (HTML, in the title's size) takes, as pyqtgraph lays it out."""
    document = QTextDocument()
    document.setDefaultFont(font(TITLE_PT))
    document.setHtml(text)
    return document.idealWidth()


def _covered(curves, left: float, right: float, low: float, high: float) -> int:
    """How much of the curves (x, y arrays, x sorted) lies in the box left … right × low …
    high (data coordinates): the points inside it, or 1 if none is but a line between two of
    them crosses it."""
    score = 0
    for x, y in curves:
        i0 = max(int(np.searchsorted(x, left)) - 1, 0)
        i1 = int(np.searchsorted(x, right, side="right")) + 1
        seg_x, seg_y = x[i0:i1], y[i0:i1]
        finite = seg_y[np.isfinite(seg_y)]
        if finite.size == 0 or finite.max() < low or finite.min() > high:
            continue
        inside = (seg_x >= left) & (seg_x <= right) & (seg_y >= low) & (seg_y <= high)
        score += max(int(inside.sum()), 1)
    return score


class LossPanel(Panel):
    """Training loss and metrics vs iteration, with labelled baseline lines.

    Signals: ``cursor_moved(int)`` (never emitted: no time axis here).
    Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)`` (no-op), ``set_log_loss(bool)``.
    """

    hint = "Hover over a curve for its values"

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
        self._hover_at: tuple[pg.ViewBox, float] | None = None  # the hovered view, pointer's y
        self._iterations = np.zeros(0, np.int64)
        self._placing = False
        self._run_sized: object = ()  # the run the view last sized itself for
        self._sizing = False  # while it does, the titles leave the baselines out
        #: Baselines whose label had no free place on the plot: their plot's title names them.
        self.titled_baselines: list[str] = []
        self._heights: dict[str, list[float]] = {}  # the baselines' y on each plot
        self._headroom: dict[str, float] = {}

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
            "loss (log scale)" if on else "loss", color=FOREGROUND, **{"font-size": f"{LABEL_PT}pt"}
        )
        axis.picture = None
        axis.update()
        if self.snapshot is not None:
            self._draw_loss(self.snapshot)
        self._place_baselines()
        plot.enableAutoRange(y=True)
        self._fit_axis_titles()

    # ---------------------------------------------------------------- building

    def _rebuild(self, metrics: tuple[str, ...], targets: dict[str, str], task) -> None:
        self.view.ci.clear()
        self.plots, self.curves, self.baseline_lines = {}, {}, {}
        keys = ["loss"]
        for metric in metrics:
            key = _plot_key(metric)
            if key not in keys:
                keys.append(key)
        for n, key in enumerate(keys):
            view = TimeViewBox(self._on_pointer, self._on_hover)
            # the labels' places are in pixels, and depend on the range shown
            view.sigResized.connect(self._on_plot_resized)
            view.sigRangeChanged.connect(self._on_range_changed)
            left = LogAxis("left")
            left.log_values = False  # a linear axis with ticks as dense as fit its height
            axes = {"left": left, "bottom": IntegerAxis("bottom")}  # iterations are whole
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
            self.curves[metric] = self._curve(plot, display_name(metric, task), next(colours))
        for k, (name, target) in enumerate(targets.items()):
            colour = BASELINE_COLORS[k % len(BASELINE_COLORS)]
            line = pg.InfiniteLine(
                pos=0.0,
                angle=0,
                movable=False,
                pen=pg.mkPen(colour, width=2.5, style=Qt.PenStyle.DashLine),
                label=display_name(name, task),
                labelOpts={
                    "position": 0.98,
                    "color": colour,
                    "fill": pg.mkBrush(255, 255, 255, 230),
                    "border": pg.mkPen(colour, width=1),
                    # centred on the line (``_place_labels`` moves it off centre only to keep
                    # it inside the plot and off the other lines): above or below it, a label
                    # between two lines was read as the other line's
                    "anchors": [(1, 0.5), (1, 0.5)],
                },
            )
            line.label.setFont(font(TICK_PT, bold=True))
            # a snug box: Qt's default 4 px around the text made labels of lines a label's
            # height apart collide
            line.label.textItem.document().setDocumentMargin(1.5)
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
            self._place_labels()
        self._fit_axis_titles()
        if self.snapshot is not None:
            self._set_titles(self.snapshot)  # the baselines named there fit another width

    def _on_range_changed(self, *_) -> None:
        if self.baseline_lines:
            self._place_labels()

    def _fit_axis_titles(self) -> None:
        """Hide a plot's y-axis title when the plot is shorter than it (the plot's own title
        names the figure too): drawn anyway, it ran over the next plot and the tick labels."""
        for plot in self.plots.values():
            axis = plot.getAxis("left")
            fits = axis.label.boundingRect().width() <= plot.getViewBox().height() + 8
            if axis.label.isVisible() != fits:
                axis.showLabel(fits)

    def _place_baselines(self) -> None:
        heights: dict[str, list[float]] = {key: [] for key in self.baseline_bounds}
        task = getattr(self.snapshot, "task", None)
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
            line.label.setFormat(f"{display_name(name, task)} {value:.3g}")
            about = next((b.help for b in task.baselines if b.name == name), "") if task else ""
            tip = f"{display_name(name, task)}: {value:.4g}" + (f", {about}" if about else "")
            line.setToolTip(tip)
            line.label.setToolTip(tip)
            heights[target].append(y)
        self._heights = heights
        self._headroom = {}
        self._place_labels()

    def _fit_headroom(self, target: str, view: pg.ViewBox, label_height: float) -> None:
        """Keep the baselines in view when autoscaling, with room above the highest and below
        the lowest for half a label: pushed off centre to stay in the plot, a label covered
        the next line too. Set again only when that room changes by a tenth (each change
        rescales the plot)."""
        bounds = self.baseline_bounds.get(target)
        ys = self._heights.get(target, [])
        if bounds is None:
            return
        pad = (0.6 * label_height + 2.0) * abs(view.viewPixelSize()[1]) if ys else 0.0
        old = self._headroom.get(target)
        if old is not None and abs(pad - old) <= 0.1 * old:
            return
        self._headroom[target] = pad
        if ys:
            ys = [*ys, max(ys) + pad, min(ys) - pad]
        x0 = float(self._iterations[0]) if len(self._iterations) else 0.0
        bounds.setData([x0] * len(ys), ys)

    def _place_labels(self) -> None:
        """Put each baseline's label on its line, lowest line first (the one the curve must
        beat last): the rightmost place that covers neither the curves nor another label nor
        another line. A label keeps its place while that stays free, so labels do not wander
        as the curves grow. One with no such place is hidden and named in its plot's title
        instead (a curve running along its line, as an untrained accuracy does along chance,
        would be covered wherever the label went)."""
        if self._placing:  # moving a label may change the range: no recursion
            return
        self._placing = True
        try:
            titled = []
            for target, plot in self.plots.items():
                names = [
                    name
                    for name, line in self.baseline_lines.items()
                    if self._targets.get(name, "loss") == target and line.isVisible()
                ]
                if names:
                    names.sort(key=lambda name: self.baseline_lines[name].value())
                    lines = [self.baseline_lines[name] for name in names]
                    shown = self._place_plot_labels(plot, lines)
                    titled += [name for name, ok in zip(names, shown, strict=True) if not ok]
                    tallest = max(line.label.boundingRect().height() for line in lines)
                    self._fit_headroom(target, plot.getViewBox(), tallest)
        finally:
            self._placing = False
        if titled != self.titled_baselines:
            self.titled_baselines = titled
            if self.snapshot is not None:
                self._set_titles(self.snapshot)

    def _place_plot_labels(self, plot: pg.PlotItem, lines: list[pg.InfiniteLine]) -> list[bool]:
        """Place the labels of ``lines`` (sorted by value); whether each is shown."""
        view = plot.getViewBox()
        width, height = view.width(), view.height()
        if width < 2 or height < 2:
            return [line.label.isVisible() for line in lines]
        shown = []
        curves = []
        for item in plot.listDataItems():
            if item in self.baseline_bounds.values():
                continue
            x, y = item.getData()
            if x is not None and len(x):
                curves.append((np.asarray(x, np.float64), np.asarray(y, np.float64)))
        placed: list[QRectF] = []
        step = max(8.0, width / 40)
        # pixel (px, py) of the view is the point (x0 + px·sx, y1 − py·sy) of the data
        (x0, x1), (y0, y1) = view.viewRange()
        sx, sy = (x1 - x0) / width, (y1 - y0) / height
        heights = [view.mapFromView(QPointF(0.0, line.value())).y() for line in lines]
        for line, y_px in zip(lines, heights, strict=True):
            label = line.label
            if not 0.0 <= y_px <= height:  # the view has not yet scaled to take the line in
                shown.append(label.isVisible())
                continue
            w, h = label.boundingRect().width(), label.boundingRect().height()
            # the share of the label's height above its line: 1/2, unless that would take it
            # out of the plot (the view clips it) or over another line (it would be read as
            # that one's); never so far that its own line misses it
            low, high = max(0.2, 1.0 - (height - y_px) / h), min(0.8, y_px / h)
            for other in heights:
                if other > y_px + 0.5:
                    low = max(low, 1.0 - (other - 1.0 - y_px) / h)
                elif other < y_px - 0.5:
                    high = min(high, (y_px - other - 1.0) / h)
            if low > high:  # no such place
                label.setVisible(False)
                shown.append(False)
                continue
            above = min(max(0.5, low), high)
            top = y_px - above * h
            rights = [label.orthoPos * width] if label.isVisible() else []
            right = width - 4.0
            while right >= w + 2.0:
                rights.append(right)
                right -= step
            best = None
            for right in rights:
                box = QRectF(right - w, top, w, h)
                if (
                    right > width + 0.5
                    or right < w
                    or any(box.adjusted(-4, -2, 4, 2).intersects(other) for other in placed)
                ):
                    continue
                score = _covered(
                    curves,
                    x0 + (right - w) * sx,
                    x0 + right * sx,
                    y1 - (top + h) * sy,
                    y1 - top * sy,
                )
                if best is None or score < best[0]:
                    best = (score, right, box)
                if score == 0:
                    break  # the current place if free, else the rightmost free one
            if best is None or best[0] > 0:
                label.setVisible(False)
                shown.append(False)
                continue
            _, right, box = best
            shown.append(True)
            placed.append(box)
            anchors = [(1.0, above), (1.0, above)]
            changed = label.anchors != anchors or abs(label.orthoPos - right / width) > 1e-6
            label.anchors = anchors
            if not label.isVisible():
                label.orthoPos = right / width
                label.setVisible(True)  # (places it)
            elif changed:
                label.setPosition(right / width)
        return shown

    # ---------------------------------------------------------------- drawing

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        metrics = tuple(snapshot.metric_history)
        targets = baseline_targets(snapshot)
        key = (metrics, tuple(targets.items()))
        iterations = np.asarray(snapshot.history_iterations, dtype=np.float64)
        first_moved = len(iterations) and (
            not len(self._iterations) or iterations[0] != self._iterations[0]
        )
        # before the plots are rebuilt: rebuilding draws the loss (set_log_loss), which must
        # pair this snapshot's losses with its own iterations, not the last run's (a length
        # mismatch raised in every redraw until the new run had as many points as the old)
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
        if x_range != self._x_range:
            self._x_range = x_range
            for plot in self.plots.values():
                plot.setXRange(*x_range, padding=0.01)
        self._draw_loss(snapshot)
        for metric in metrics:
            self.curves[metric].setData(iterations, snapshot.metric_history[metric])
        values = {name: float(snapshot.baselines[name]) for name in targets}
        if values != self._baseline_values or first_moved:
            self._baseline_values = values
            self._place_baselines()
        else:
            self._place_labels()  # the curves moved: a label they now cover moves aside
        run = getattr(snapshot, "run_id", None)
        if run != self._run_sized:
            # the view sizes itself once per run (``show_plots``), from its titles too: with
            # the titles' own text only, not the baselines named there for want of room
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

    def _draw_loss(self, snapshot) -> None:
        loss = np.maximum(np.asarray(snapshot.loss_history, dtype=np.float64), LOSS_FLOOR)
        if self._log:
            np.log10(loss, out=loss)
        self.curves["loss"].setData(self._iterations, loss)

    def _set_titles(self, snapshot) -> None:
        """Each plot's title: its figure and latest value, or for several accuracies their
        legend; then the baselines whose label had no place on the plot. Fitted to the width
        there is (a title wider than the panel widens the whole view, and the view sizes
        itself once per run, with the shortest forms)."""
        if any(metric not in self.curves for metric in snapshot.metric_history):
            return  # the plots are being rebuilt for this snapshot, which sets them after
        task = getattr(snapshot, "task", None)
        if snapshot.diverged:
            loss_title = "training loss: diverged"
        elif len(snapshot.loss_history):
            loss_title = f"training loss: {float(snapshot.loss_history[-1]):.4g}"
        else:
            loss_title = "training loss"
        forms = {"loss": [loss_title]}  # each plot's possible titles, longest first
        accuracies = [m for m in snapshot.metric_history if _plot_key(m) == "accuracy"]
        for metric, values in snapshot.metric_history.items():
            key = _plot_key(metric)
            if key == "accuracy" and len(accuracies) > 1:
                continue
            latest = float(values[-1]) if len(values) else float("nan")
            label = "accuracy" if key == "accuracy" else display_name(metric, task)
            forms[key] = [f"{label}: {latest:.3g}" if math.isfinite(latest) else label]
        if len(accuracies) > 1:
            forms["accuracy"] = [
                self._legend_title(snapshot, accuracies, values=True),
                self._legend_title(snapshot, accuracies, values=False),
            ]
        # the title's share of a plot's width: the left axis takes the rest
        room = self.view.width() - 12 - LEFT_AXIS_WIDTH - 16
        for key, options in forms.items():
            plot = self.plots.get(key)
            if plot is None:
                continue
            if self._sizing:
                text = options[-1]
            else:
                text = next((o for o in options if _title_width(o) <= room), options[-1])
            spare = room - _title_width(text)
            for name in () if self._sizing else self.titled_baselines:
                if self._targets.get(name, "loss") != key:
                    continue
                value = self._baseline_values.get(name, float("nan"))
                colour = self.baseline_lines[name].pen.color().name()
                style = f"color: {colour}; font-size: {TICK_PT}pt"
                entry = html.escape(f"{display_name(name, task)} {value:.3g}")
                entry = f"&nbsp;&nbsp;<span style='{style}'>╌╌ {entry}</span>"  # its dashes
                spare -= _title_width(entry)
                if spare < 0:
                    break
                text += entry
            if plot.titleLabel.text != text:
                set_title(plot, text)

    def _legend_title(self, snapshot, metrics: list[str], values: bool) -> str:
        """The accuracy plot's title when it has several curves: their legend, each name in
        its curve's colour after a stroke of its line (``values``: and its latest value)."""
        task = getattr(snapshot, "task", None)
        entries = []
        for metric in metrics:
            history = snapshot.metric_history[metric]
            latest = float(history[-1]) if len(history) else float("nan")
            colour = self.curves[metric].opts["pen"].color().name()
            text = html.escape(_legend_entry(metric, task))
            if values and math.isfinite(latest):
                text += f" {latest:.3g}"
            style = f"color: {colour}; font-size: {TICK_PT}pt"
            entries.append(f"<span style='{style}'>━ {text}</span>")
        return "accuracy: " + "&nbsp;&nbsp;".join(entries)

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
            if not line.isVisible() or line.getViewBox() is not view:
                continue
            distance = abs(view.mapFromView(QPointF(0.0, line.value())).y() - pointer)
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
