"""The equations view: one step of one unit, as the slides write it, with the run's numbers.

For the time step of the shared cursor, the layer·direction of the shared selector and the
unit last clicked in the hidden states (``set_unit``), each equation of the cell is written
twice: in symbols, then with every term's value and the result (``rnnviz.training.equations``
computes them with the plain per-step cells of ``rnnviz.core.reference``). Rich text in Qt:
no TeX needed.

While the diagram's BPTT pass is in its backward phase (``set_pass``, connected to
``DiagramView.bptt_moved``), the view shows the backward equations of the step the gradient is
passing instead (``rnnviz.training.backward_equations``), with the snapshot the pass began on:
snapshots that arrive during the pass are shown once it is done or stopped, as the diagram does.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from rnnviz.gui.view import cell_formula
from rnnviz.gui.view import math_html as _math
from rnnviz.gui.view_help import with_help_button
from rnnviz.training.backward_equations import backward_equations
from rnnviz.training.equations import Line, StepEquations, step_equations

__all__ = ["EquationsView", "gradient_number", "line_html"]


def _number(value: float) -> str:
    """A value as the equations show it: 3 decimals, a true minus sign, negatives bracketed
    where a sign before them would be read as an operator."""
    text = f"{value:.3f}".replace("-", "−")
    return f"({text})" if value < 0 else text


def gradient_number(value: float) -> str:
    """A gradient as the backward equations show it: three significant digits, a power of ten
    below 0.001 (a vanishing gradient must not read 0.000), bracketed when negative."""
    if not math.isfinite(value) or value == 0 or 0.1 <= abs(value) < 1e4:
        return _number(value)
    if abs(value) >= 1e-3:
        return _signed(f"{value:.3g}")  # 0.00123 … 0.0999
    mantissa, exponent = f"{value:.2e}".split("e")
    return _signed(f"{mantissa}·10<sup>{int(exponent)}</sup>")


def _signed(text: str) -> str:
    text = text.replace("-", "−")
    return f"({text})" if text.startswith("−") else text


def line_html(line: Line, number=_number) -> str:
    """Two rows of a table: ``name = formula`` in symbols, then ``= formula`` with the terms'
    values and ``= value`` (each written by ``number``). A name ending in "+=" (a share added
    to a sum) stands without "="."""
    numbers = line.formula
    # the longest symbols first, each through a placeholder, so that "W_hn h_{t−1}" is one
    # value and not "W_hn" and a value of h_{t−1}; a symbol used twice ("z_t") gets it twice
    order = sorted(range(len(line.terms)), key=lambda k: -len(line.terms[k].symbol))
    for k in order:
        numbers = numbers.replace(line.terms[k].symbol, f"\x00{k}\x00")
    parts = numbers.split("\x00")
    numbers_html = "".join(
        number(line.terms[int(p)].value) if n % 2 else _math(p) for n, p in enumerate(parts)
    )
    name = _math(line.name)
    equals = "" if line.name.endswith("+=") else "="
    return (
        f"<tr><td align='right' style='white-space:nowrap'><b>{name}</b></td><td>{equals}</td>"
        f"<td>{_math(line.formula)}</td></tr>"
        f"<tr><td></td><td>{equals}</td><td style='color:#1f4e99'>{numbers_html} "
        f"= <b>{number(line.value)}</b></td></tr>"
    )


#: The equations' type size in points, and the least it shrinks to in a small view.
BODY_PT, MIN_BODY_PT = 15, 8


class EquationsView(QWidget):
    """The cell's equations at the cursor's step, for one unit (see the module docstring)."""

    name = "equations"
    about = (
        "One step of the network written out as on the slides, with this run's numbers: the "
        "time step of the cursor, the unit last clicked in the hidden states, the chosen layer "
        "and direction. Each gate adds the weighted input W x_t, the weighted previous state "
        "W h_{t−1} and two biases, then squashes the sum: σ to 0…1 (how much to let through), "
        "tanh to −1…1 (a value). The weights are the same at every step. While the diagram "
        "plays BPTT ▶ backwards, the backward equations of the step the gradient is passing: "
        "what reaches h_t from its output and from step t + 1 (the step after in the row's own "
        "direction: for a ← row, the step to its left), and what each pre-activation gets."
    )
    cursor_moved = Signal(int)

    @property
    def formula(self) -> str:
        """The equations of the shown run's cell (before the first run: every cell's), and the
        backward ones while they are shown."""
        forward = cell_formula(None if self.snapshot is None else self.snapshot.layout.cell)
        if self.backward and self.equations is not None:
            lines = (
                f"{line.name} {'' if line.name.endswith('+=') else '= '}{line.formula}"
                for line in self.equations.lines
            )
            return forward + "\nBackward:\n" + "\n".join(lines)
        return forward

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot = None
        self.t = 0
        self.layer = 0
        self.unit = 0
        self.phase, self.pass_t = "idle", 0  # the diagram's BPTT pass (set_pass)
        self._newest = None  # a snapshot that arrived during the pass
        self._fitted_for: tuple | None = None  # what the body's font size was fitted to
        self.equations: StepEquations | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        self.heading = QLabel()
        self.body = QLabel("Waiting for the first training snapshot…")
        for label, points in ((self.heading, 15), (self.body, BODY_PT)):
            font = QFont()
            font.setPointSize(points)
            label.setFont(font)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(with_help_button(self.heading, self))
        layout.addWidget(self.body, 1)
        # New numbers every snapshot: were the labels' size hints read, each new text would lay
        # out the whole window again (measured: p99 of the event loop 18 ms instead of 12 with
        # the Network tab showing). The body takes the room it is given (its type is fitted to
        # it); the heading's height changes only when its line wraps otherwise.
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    @property
    def backward(self) -> bool:
        """Whether the backward equations are shown (the pass is in its backward phase)."""
        return self.phase == "backward"

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        if self.phase in ("forward", "backward") and self.snapshot is not None:
            self._newest = snapshot  # the pass explains the snapshot it began on
            return
        self.snapshot = snapshot
        self._draw()

    @Slot(str, int)
    def set_pass(self, phase: str, t: int) -> None:
        """The diagram's BPTT pass is in ``phase`` ("forward", "backward", "done" or "idle") at
        step ``t`` (``DiagramView.bptt_moved``): during "backward" show the backward equations
        of the step being passed, otherwise the forward ones at the cursor."""
        if (str(phase), int(t)) == (self.phase, self.pass_t):
            return  # the pass moved within the step (it reports every frame): nothing new
        self.phase, self.pass_t = str(phase), int(t)
        if self.phase not in ("forward", "backward") and self._newest is not None:
            self.snapshot, self._newest = self._newest, None
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
            self._set_heading("")
            self.body.setText("This snapshot carries no weights to compute the equations with.")
            return
        # a smaller new run keeps the view in range rather than failing
        t = min(self.t, s.seq_len - 1)
        entry = min(self.layer, s.layout.count - 1)
        unit = min(self.unit, s.layout.hidden_size - 1)
        if self.backward:
            self._draw_backward(s, entry, unit)
            return
        self.equations = step_equations(s, entry, t, unit)
        self._set_heading(
            f"<b>{html.escape(s.layout.cell_label)}</b>, {html.escape(self.equations.label)}"
            f" · iteration {s.iteration}"
        )
        rows = "".join(line_html(line) for line in self.equations.lines)
        self._set_body(f"<table cellspacing='2'>{rows}</table>")

    def _set_heading(self, text: str) -> None:
        self.heading.setText(text)
        self._fit_heading()

    def _fit_heading(self) -> None:
        need = self.heading.heightForWidth(max(self.heading.width(), 100))
        if need > 0 and need != self.heading.height():
            self.heading.setFixedHeight(need)

    def _set_body(self, text: str) -> None:
        self.body.setText(text)
        self._fit()

    def _fit(self) -> None:
        """The body's font as large as fits the view, from 15 down to 8 points (the heading's
        too): an LSTM's six equations, written twice, are cut off in a small panel at 15, and
        under the diagram on a 1280 × 720 projector they have about 200 pixels. Laying the table out
        takes about 2 ms a size, so it is fitted once per size of the view and kind of
        equations (forward or backward, which cell), with room to spare for longer numbers."""
        width, height = self.body.width(), self.body.height()
        if width < 50 or height < 50:  # not laid out yet: the resize will fit it
            return
        cell = None if self.snapshot is None else self.snapshot.layout.cell
        key = (width, height, cell, self.backward)
        if key == self._fitted_for:
            return
        self._fitted_for = key
        font = self.body.font()

        def fits(points: int) -> bool:
            font.setPointSize(points)
            self.body.setFont(font)
            return self.body.heightForWidth(width) <= 0.92 * height

        points = BODY_PT
        while not fits(points) and points > MIN_BODY_PT:
            points -= 1
        heading = self.heading.font()
        heading.setPointSize(points)
        self.heading.setFont(heading)
        self._fit_heading()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_heading()
        self._fit()

    def _draw_backward(self, s, entry: int, unit: int) -> None:
        """The backward equations of the step the pass is at: the gradient meets a ← row's
        steps in the mirrored order, so its step there is T − 1 − t."""
        T = s.seq_len
        t = min(self.pass_t, T - 1)
        reverse = entry % s.layout.directions == 1
        try:
            self.equations = backward_equations(s, entry, T - 1 - t if reverse else t, unit)
        except ValueError as error:  # a snapshot without its example's gradients
            self.equations = None
            self._set_heading("")
            self.body.setText(html.escape(f"No backward equations: {error}."))
            return
        after = " · t + 1: the step to its left" if reverse else ""
        self._set_heading(
            f"<b>BPTT</b> · {html.escape(s.layout.cell_label)}, "
            f"{html.escape(self.equations.label)}{after}"
        )
        rows = "".join(line_html(line, gradient_number) for line in self.equations.lines)
        self._set_body(f"<table cellspacing='2'>{rows}</table>")
