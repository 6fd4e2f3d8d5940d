"""The loss view's figures: which plot shows which, what each is called, how titles measure.

The loss view draws the loss, the accuracies (on one plot) and each other metric of the run;
each baseline goes on the plot of the figure it is a reference for (``snapshot.task.baselines``).
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QTextDocument

from rnnviz.gui.panels.axes import nice_step
from rnnviz.gui.panels.style import TITLE_PT, font

__all__ = [
    "baseline_targets",
    "display_name",
    "legend_entry",
    "nice_ceiling",
    "plot_key",
    "title_width",
]


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


@functools.lru_cache(maxsize=256)  # (bounded: the titles' numbers change every snapshot)
def title_width(text: str) -> float:
    """Pixels a plot title (HTML, in the title's size) takes, as pyqtgraph lays it out."""
    document = QTextDocument()
    document.setDefaultFont(font(TITLE_PT))
    document.setHtml(text)
    return document.idealWidth()
