"""The plot of a finished delay sweep, drawn offscreen to a picture file (``rnnviz sweep --out``),
in the format of the file's extension (``rnnviz.gui.picture_files``)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnviz.gui.app import make_app, offscreen_notices_silenced
from rnnviz.gui.picture_files import save_and_dispose
from rnnviz.gui.quit_signals import SignalReceived, quit_on_signals
from rnnviz.gui.sweep.plot import SweepPlot
from rnnviz.training.sweep import SweepPlan

__all__ = ["save_sweep_picture"]


def save_sweep_picture(
    plan: SweepPlan, table: Sequence[Sequence[float]], out: str, size: tuple[int, int]
) -> None:
    """Draw ``plan``'s accuracies ``table`` (rows: cells, columns: delays) to ``out``, exactly
    ``size`` pixels.

    Raises
    ------
    OSError
        The file could not be written.
    SignalReceived
        A quit signal came while Qt painted; nothing was written.
    """
    app = make_app(offscreen_if_headless=True)
    with offscreen_notices_silenced(), quit_on_signals() as quitter:
        # in a plain widget: an SVG is painted through QWidget.render, which a pyqtgraph view
        # (a QGraphicsView) overrides with another signature
        picture = QWidget()
        plot = SweepPlot(picture)
        QVBoxLayout(picture).setContentsMargins(0, 0, 0, 0)
        picture.layout().addWidget(plot)
        plot.start(plan.cells, plan.delays, plan.chance, SweepPlot.default_title(plan.steps))
        plot.fill(table)
        picture.setFixedSize(*size)
        picture.show()
        app.processEvents()
        ok = save_and_dispose(app, picture, out, QSize(*size), quitter)
    if quitter.signum is not None:
        raise SignalReceived(quitter.signum)
    if not ok:
        raise OSError(f"could not write {out}")
