"""The equations view: one step of one unit, as the slides write it, with the run's numbers.

For the time step of the shared cursor, the layer·direction of the shared selector and the
unit last clicked in the hidden states (``set_unit``), each equation of the cell is written
twice: in symbols, then with every term's value and the result (``rnnviz.training.equations``
computes them with the plain per-step cells of ``rnnviz.core.reference``). Rich text in Qt:
no TeX needed.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from rnnviz.gui.view import cell_formula
from rnnviz.gui.view import math_html as _math
from rnnviz.gui.view_help import with_help_button
from rnnviz.training.equations import Line, StepEquations, step_equations

__all__ = ["EquationsView", "line_html"]


def _number(value: float) -> str:
    """A value as the equations show it: 3 decimals, a true minus sign, negatives bracketed
    where a sign before them would be read as an operator."""
    text = f"{value:.3f}".replace("-", "−")
    return f"({text})" if value < 0 else text


def line_html(line: Line) -> str:
    """Two rows of a table: ``name = formula`` in symbols, then ``= formula`` with the terms'
    values and ``= value``."""
    numbers = line.formula
    # the longest symbols first, each through a placeholder, so that "W_hn h_{t−1}" is one
    # value and not "W_hn" and a value of h_{t−1}; a symbol used twice ("z_t") gets it twice
    order = sorted(range(len(line.terms)), key=lambda k: -len(line.terms[k].symbol))
    for k in order:
        numbers = numbers.replace(line.terms[k].symbol, f"\x00{k}\x00")
    parts = numbers.split("\x00")
    numbers_html = "".join(
        _number(line.terms[int(p)].value) if n % 2 else _math(p) for n, p in enumerate(parts)
    )
    name = _math(line.name)
    return (
        f"<tr><td align='right'><b>{name}</b></td><td>=</td><td>{_math(line.formula)}</td></tr>"
        f"<tr><td></td><td>=</td><td style='color:#1f4e99'>{numbers_html} "
        f"= <b>{_number(line.value)}</b></td></tr>"
    )


class EquationsView(QWidget):
    """The cell's equations at the cursor's step, for one unit (see the module docstring)."""

    name = "equations"
    about = (
        "One step of the network written out as on the slides, with this run's numbers: the "
        "time step of the cursor, the unit last clicked in the hidden states, the chosen layer "
        "and direction. Each gate adds the weighted input W x_t, the weighted previous state "
        "W h_{t−1} and two biases, then squashes the sum: σ to 0…1 (how much to let through), "
        "tanh to −1…1 (a value). The weights are the same at every step."
    )
    cursor_moved = Signal(int)

    @property
    def formula(self) -> str:
        """The equations of the shown run's cell (before the first run: every cell's)."""
        return cell_formula(None if self.snapshot is None else self.snapshot.layout.cell)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot = None
        self.t = 0
        self.layer = 0
        self.unit = 0
        self.equations: StepEquations | None = None
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.body = QLabel("Waiting for the first training snapshot…")
        for label, points in ((self.heading, 15), (self.body, 15)):
            font = QFont()
            font.setPointSize(points)
            label.setFont(font)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(with_help_button(self.heading, self))
        layout.addWidget(self.body, 1)

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        self._draw()

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        self.t = int(t)
        self._draw()

    @Slot(int)
    def set_layer(self, index: int) -> None:
        self.layer = int(index)
        self._draw()

    @Slot(int)
    def set_unit(self, unit: int) -> None:
        """Show unit ``unit`` (a click on a unit's row of the hidden states or gates)."""
        self.unit = int(unit)
        self._draw()

    def _draw(self) -> None:
        s = self.snapshot
        if s is None:
            return
        if not s.weights:
            self.equations = None
            self.heading.setText("")
            self.body.setText("This snapshot carries no weights to compute the equations with.")
            return
        # a smaller new run keeps the view in range rather than failing
        t = min(self.t, s.seq_len - 1)
        entry = min(self.layer, s.layout.count - 1)
        unit = min(self.unit, s.layout.hidden_size - 1)
        self.equations = step_equations(s, entry, t, unit)
        self.heading.setText(
            f"<b>{html.escape(s.layout.cell_label)}</b>, {html.escape(self.equations.label)}"
            f" · iteration {s.iteration}"
        )
        rows = "".join(line_html(line) for line in self.equations.lines)
        self.body.setText(f"<table cellspacing='4'>{rows}</table>")
