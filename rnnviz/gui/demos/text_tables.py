"""The lecture's "RAM scales with the number of words, not combinations", for the run shown: the
sizes of the bigram, trigram and 4-gram tables of its training text (the n-grams that occur,
and the Vⁿ a table of every combination would hold) beside the network's parameter count.

The figures are the snapshot's: ``snapshot.task.ngram_tables`` (counted by the text task) and
``snapshot.num_parameters``.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import Qt

from rnnviz.gui.demos._text_widgets import MUTED, label
from rnnviz.gui.panels._common import TEXT_PT
from rnnviz.gui.panels.axes import decade_text

__all__ = ["count", "sizes_html", "table_sizes_label"]


def count(n: float) -> str:
    """A count as people read it: "25,563" up to a million, "4.3 × 10⁹" beyond."""
    if n < 1e6:
        return f"{n:,.0f}"
    exponent = math.floor(math.log10(n))
    mantissa = float(f"{n / 10**exponent:.1f}")
    if mantissa >= 10.0:  # 9.96 × 10⁶ rounds up to 1.0 × 10⁷, not "10.0 × 10⁶"
        mantissa, exponent = 1.0, exponent + 1
    return f"{mantissa:.1f} × {decade_text(exponent)}"


def sizes_html(snapshot) -> str:
    """The sizes table (rich text) of ``snapshot``: each n-gram table's entries seen in the
    training text and possible (Vⁿ), then the network's parameters; "" for a task without
    tables."""
    tables = getattr(snapshot.task, "ngram_tables", ())
    if not tables:
        return ""

    def row(name: str, seen: str, possible: str) -> str:
        cell = '<td align="right" style="padding-left: 14px">{}</td>'
        return f"<tr><td>{name}</td>{cell.format(seen)}{cell.format(possible)}</tr>"

    return (
        "<table cellspacing=0>"
        + row("<b>numbers stored</b>", "<b>seen</b>", "<b>possible</b>")
        + "".join(
            row(f"{html.escape(t.name)} table", count(t.entries), count(t.possible)) for t in tables
        )
        + row("<b>this network</b>", f"<b>{count(snapshot.num_parameters)}</b>", "parameters")
        + "</table>"
    )


def table_sizes_label():
    """The wrapping label the sizes line is shown in, its tooltip saying what it compares."""
    widget = label("", TEXT_PT - 1, color=MUTED)
    widget.setTextFormat(Qt.TextFormat.RichText)
    widget.setToolTip(
        "An n-gram (Markov) model keeps one count per n characters in a row: its table grows "
        "with the combinations, up to Vⁿ. The network's parameters do not grow with how many "
        "characters back it looks."
    )
    return widget
