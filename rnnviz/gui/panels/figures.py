"""The loss view's figures: which plot shows which, what each is called, how titles measure.

The loss view draws the loss, the accuracies (on one plot) and each other metric of the run;
each baseline goes on the plot of the figure it is a reference for (``snapshot.task.baselines``).
"""

from __future__ import annotations

import functools
import html
import math
import re

import numpy as np
from PySide6.QtGui import QTextDocument

from rnnviz.gui.panels.axes import nice_step
from rnnviz.gui.panels.style import TICK_PT, TITLE_PT, font

__all__ = [
    "baseline_targets",
    "covers",
    "display_name",
    "legend_entry",
    "legend_title",
    "nice_ceiling",
    "plot_key",
    "steady_range",
    "title_width",
]

#: The least share of its y range that the values shown fill before ``steady_range`` narrows it.
LEAST_FILL = 0.5


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


def plot_key(metric: str) -> str:
    return "accuracy" if "accuracy" in metric else metric


def baseline_targets(snapshot) -> dict[str, str]:
    """{baseline name: plot key} for the snapshot's baselines: "loss", "accuracy" or a metric
    name. Baselines of a metric the run does not report are left out."""
    keys = {plot_key(m) for m in snapshot.metric_history} | {"loss"}
    targets = {}
    for baseline in snapshot.task.baselines:
        if plot_key(baseline.metric) in keys:
            targets[baseline.name] = plot_key(baseline.metric)
    return targets


def legend_entry(metric: str, task) -> str:
    """A metric's name in the accuracy plot's title-legend, without the word the title has."""
    if metric == "accuracy":
        return "all"
    name = display_name(metric, task)
    return name.replace("accuracy", "").strip(" ,") or name


def legend_title(snapshot, metrics: list[str], curves, values: bool) -> str:
    """The accuracy plot's title when it has several curves (``curves``: metric → its
    PlotDataItem): their legend, each name in its curve's colour after a stroke of its line
    (``values``: and its latest value)."""
    task = getattr(snapshot, "task", None)
    entries = []
    for metric in metrics:
        history = snapshot.metric_history[metric]
        latest = float(history[-1]) if len(history) else float("nan")
        colour = curves[metric].opts["pen"].color().name()
        text = html.escape(legend_entry(metric, task))
        if values and math.isfinite(latest):
            text += f" {latest:.3g}"
        style = f"color: {colour}; font-size: {TICK_PT}pt"
        entries.append(f"<span style='{style}'>━ {text}</span>")
    return "accuracy: " + "&nbsp;&nbsp;".join(entries)


def title_width(text: str) -> float:
    """Pixels a plot title (HTML, in the title's size) takes, as pyqtgraph lays it out.

    Measured with every digit of the text (not of its tags) as 0: a title's numbers change with
    every snapshot, and laying out each new one cost the loss view a millisecond a snapshot,
    while in the fonts used the digits are as wide as one another (where they are not, the
    width is off by what the digits differ: a pixel or two)."""
    return _laid_out_width(_DIGITS_OUTSIDE_TAGS.sub(lambda m: m.group(1) or "0", text))


_DIGITS_OUTSIDE_TAGS = re.compile(r"(<[^>]*>|&[^;\s]*;)|\d")


@functools.lru_cache(maxsize=256)  # (bounded: a handful of titles, each a few lengths)
def _laid_out_width(text: str) -> float:
    document = QTextDocument()
    document.setDefaultFont(font(TITLE_PT))
    document.setHtml(text)
    return document.idealWidth()


def steady_range(lo: float, hi: float, shown: tuple[float, float] | None) -> tuple[float, float]:
    """A y range for values ``lo`` … ``hi`` that stays put while they move inside it: ``shown``
    while it holds them and they fill at least ``LEAST_FILL`` of it, else ``lo`` … ``hi`` with a
    twentieth of room each way, out to whole steps of a nice size (about a fifth of the span).
    Following each snapshot's values moved the axis every time, which drew its ticks again and
    the plot twice (2.2 of the loss view's 3.6 ms a snapshot, measured)."""
    span = hi - lo
    if shown is not None and shown[0] <= lo and hi <= shown[1]:
        if span >= LEAST_FILL * (shown[1] - shown[0]):
            return shown
    span = max(span, abs(hi) * 1e-3, 1e-12)
    step = nice_step(span / 5)
    return (
        math.floor((lo - span / 20) / step) * step,
        math.ceil((hi + span / 20) / step) * step,
    )


def covers(curves, plot, xs: tuple[float, float], ys: tuple[float, float]) -> bool:
    """Whether the box ``xs`` × ``ys`` (data, either order) covers one of ``curves`` (a dict of
    PlotDataItems) drawn in ``plot``: a curve running along its baseline, as an untrained
    accuracy does along chance."""
    (left, right), low, high = sorted(xs), min(ys), max(ys)
    for curve in curves.values():
        x, y = curve.getData()
        if curve.getViewBox() is not plot.getViewBox() or x is None or not len(x):
            continue
        i0 = max(int(np.searchsorted(x, left)) - 1, 0)  # and the points either side
        near = y[i0 : int(np.searchsorted(x, right, side="right")) + 1]
        near = near[np.isfinite(near)]
        if near.size and near.min() <= high and near.max() >= low:
            return True
    return False
