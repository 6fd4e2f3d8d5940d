"""What a view is: the one interface every view of the window offers.

The window holds its views (the four panels and the demo tabs) by this interface only: it
hands each the latest snapshot, moves one shared time cursor and one shared layer·direction
choice, and asks each what it shows. A new view implements it and is added to the window's
list; nothing else in the window changes.

    name               short key: "hidden", "gates", "gradient", "loss", "ball", "text", …
    about              "what am I looking at": a few plain sentences for a student
    formula            the formula of what is drawn, as the slides write it: plain text with
                       Unicode, one equation a line, subscripts as "_t" or "_{t−1}" (a view
                       drawing the cell gives the formulas of the cell it shows: a property)
    cursor_moved(t)    signal: the user moved the time cursor in this view
    show_snapshot(s)   draw snapshot ``s`` (a ``rnnviz.training.snapshot.Snapshot``)
    set_cursor(t)      show time step ``t`` (never emits ``cursor_moved``)
    set_layer(k)       show entry ``k`` of ``s.layout`` (layer k // D + 1, direction k % D)

``show_snapshot`` is not called ``show`` because every view is a ``QWidget``, whose ``show()``
makes it visible: overriding it would break Qt's own calls.

``explain(view)`` is the "what am I looking at" of one view as rich text (its ``about``, then
its ``formula``), shared by the "?" button in each view's corner (``rnnviz.gui.view_help``) and
the window's Help menu; ``cell_formula(cell)`` is the formulas of a cell, for views that draw it.
"""

from __future__ import annotations

import html
import re
from typing import Any, Protocol, runtime_checkable

from rnnviz.core.layers import CELLS

__all__ = ["CELL_FORMULAS", "View", "cell_formula", "check_view", "explain", "math_html"]

#: The step of each cell, as the slides write it (σ the logistic sigmoid, ⊙ elementwise).
CELL_FORMULAS = {
    "rnn_tanh": "h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)",
    "rnn_relu": "h_t = ReLU(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)",
    "lstm": (
        "i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)\n"
        "f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)\n"
        "g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)\n"
        "o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)\n"
        "c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t\n"
        "h_t = o_t ⊙ tanh(c_t)"
    ),
    "gru": (
        "r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)\n"
        "z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)\n"
        "n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))\n"
        "h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}"
    ),
}


def cell_formula(cell: str | None, lines: tuple[str, ...] | None = None) -> str:
    """The formulas of ``cell`` ("rnn_tanh", "lstm", …), or, for None (no snapshot yet) or an
    unknown cell, those of every cell, each under its name. ``lines``: only the equations of
    these left-hand names ("h_t", "c_t", …), where the cell has them."""

    def chosen(text: str) -> str:
        rows = text.split("\n")
        return "\n".join(r for r in rows if lines is None or r.split(" =")[0] in lines)

    if cell in CELL_FORMULAS:
        return chosen(CELL_FORMULAS[cell])
    parts = ((CELLS[c].label, chosen(f)) for c, f in CELL_FORMULAS.items())
    return "\n".join(
        f"{label}: {text}" if "\n" not in text else f"{label}:\n{text}"
        for label, text in parts
        if text
    )


_SUB_BRACED = re.compile(r"_\{([^}]*)\}")
_SUB = re.compile(r"_([A-Za-z0-9]+)")


def math_html(text: str) -> str:
    """Escaped ``text`` with its subscripts set: "W_hf h_{t−1}" → W<sub>hf</sub> h<sub>t−1</sub>."""
    text = html.escape(text)
    text = _SUB_BRACED.sub(r"<sub>\1</sub>", text)
    return _SUB.sub(r"<sub>\1</sub>", text)


def explain(view: object) -> str:
    """What ``view`` shows, as rich text: its ``about``, then its ``formula`` (one equation a
    line, subscripts set). Empty for an object with neither."""
    about = str(getattr(view, "about", "") or "").strip()
    formula = str(getattr(view, "formula", "") or "").strip()
    parts = [f"<p>{html.escape(about, quote=False)}</p>"] if about else []
    if formula:
        rows = "<br>".join(math_html(row) for row in formula.split("\n"))
        # an equation is never broken across lines: the text around it wraps instead
        parts.append(f"<p style='margin-left:12px; white-space:pre'><i>{rows}</i></p>")
    return "".join(parts)


@runtime_checkable
class View(Protocol):
    """See the module docstring."""

    name: str
    about: str
    formula: str
    cursor_moved: Any  # a Signal(int)

    def show_snapshot(self, snapshot: Any) -> None: ...

    def set_cursor(self, t: int) -> None: ...

    def set_layer(self, index: int) -> None: ...


def check_view(view: object) -> None:
    """Raise TypeError naming what ``view`` lacks of the ``View`` interface."""
    missing = [
        name
        for name in (
            "name",
            "about",
            "formula",
            "cursor_moved",
            "show_snapshot",
            "set_cursor",
            "set_layer",
        )
        if not hasattr(view, name)
    ]
    if missing:
        raise TypeError(f"{type(view).__name__} is not a View: it lacks {', '.join(missing)}")
    for name in ("name", "about", "formula"):
        if not isinstance(getattr(view, name), str) or not getattr(view, name).strip():
            raise TypeError(f"{type(view).__name__}.{name} must be a non-empty string")
