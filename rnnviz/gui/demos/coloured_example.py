"""The text demo's example text coloured by one hidden unit, with the time cursor.

Each character's background is h_t of the chosen unit after reading it, in the chosen
layer·direction, on the blue–white–red map −1 … +1, as in Karpathy's and LSTMVis's pictures.
The unit is the one selected in the heat maps or with the spin box here; the layer·direction
is the window's shared choice (``set_layer``, named beside the spin box for a deep or
bidirectional network). The time cursor's character is outlined; clicking a character moves
the cursor. The line under it reads out the value and what the network expected next at the
cursor (or under the mouse).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from rnnviz.gui.demos._text_widgets import MUTED, ElidedLabel, char_glyph, label, percent
from rnnviz.gui.demos.activation_text import ActivationText, ColorKey
from rnnviz.gui.demos.text_run import TextRun
from rnnviz.gui.panels._common import FOREGROUND, TEXT_PT, font

__all__ = ["ColouredExample"]

#: The cursor keys that move the time cursor, and where to.
_MOVES = {
    Qt.Key.Key_Left: lambda t, steps: t - 1,
    Qt.Key.Key_Right: lambda t, steps: t + 1,
    Qt.Key.Key_Home: lambda t, steps: 0,
    Qt.Key.Key_End: lambda t, steps: steps - 1,
}


class ColouredExample(QWidget):
    """The example text coloured by a hidden unit (see the module docstring).

    ``activation_text`` draws it (``colors``, ``cursor``); ``readout`` and ``readout_next``
    are the lines under it; ``unit_box`` chooses the unit.

    Signals: ``cursor_moved(int)`` (a click or a cursor key), ``unit_selected(int)`` (the
    spin box).
    """

    cursor_moved = Signal(int)
    unit_selected = Signal(int)

    def __init__(self, run: TextRun, parent=None) -> None:
        super().__init__(parent)
        self._run = run
        self._requested_cursor = 0
        self._unit = 0
        self._layer = 0
        self._names: list[str] = []  # the layer·direction labels of the snapshot's layout
        self._hovered = -1
        self.unit_box = QSpinBox()
        self.unit_box.setFont(font(TEXT_PT))
        self.unit_box.setRange(0, 0)
        self.unit_box.setPrefix("hidden unit ")
        self.unit_box.valueChanged.connect(self._on_unit_chosen)
        # which of the window's layer·direction choices colours the text
        self.layer_label = label("", TEXT_PT, wrap=False, color=MUTED)
        self.layer_label.setVisible(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label("Text coloured by", TEXT_PT, bold=True, wrap=False))
        row.addWidget(self.unit_box)
        row.addWidget(self.layer_label)
        row.addStretch(1)
        self.activation_text = ActivationText(20)
        self.activation_text.clicked.connect(self.move_cursor)
        self.activation_text.hovered.connect(self._on_char_hovered)
        self.readout = label("", TEXT_PT, color=FOREGROUND)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # the guesses under both the read-out and the colour key, on one line: as many as fit
        # (beside the key they took three lines at a projector's size)
        self.readout_next = ElidedLabel()
        self.readout_next.setFont(font(TEXT_PT))
        self.readout_next.setTextFormat(Qt.TextFormat.PlainText)
        self.readout_next.setVisible(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.activation_text)
        below = QHBoxLayout()  # the colour key here, not beside the caption: a narrower view
        below.setContentsMargins(0, 0, 0, 0)
        below.addWidget(self.readout, 1)
        below.addWidget(ColorKey(), 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(below)
        column.addWidget(self.readout_next)

    def show_message(self, message: str) -> None:
        """No text, and ``message`` where the read-out goes."""
        self.activation_text.set_text([], None)
        self.readout.setText(message)
        self._show_next_guesses("")

    def show_run(self) -> None:
        """Colour the run's example text (its layer·direction names and unit count too)."""
        snapshot = self._run.snapshot
        self._layer_names(snapshot.layout.labels)
        units = snapshot.layout.hidden_size
        if self.unit_box.maximum() != units - 1:
            self.unit_box.blockSignals(True)
            self.unit_box.setRange(0, units - 1)
            self._unit = min(self._unit, units - 1)
            self.unit_box.setValue(self._unit)
            self.unit_box.blockSignals(False)
        self._color()

    def _layer_names(self, names: list[str]) -> None:
        self._names = names
        self.layer_label.setVisible(len(names) > 1)
        if names:
            self.layer_label.setText(names[min(self._layer, len(names) - 1)])

    # ---------------------------------------------------------------- unit and layer

    @Slot(int)
    def select_unit(self, unit: int) -> None:
        """Colour by hidden unit ``unit`` (clamped); emits nothing."""
        unit = max(0, int(unit))
        if self.unit_box.maximum() > 0:
            unit = min(unit, self.unit_box.maximum())
        self._unit = unit
        self.unit_box.blockSignals(True)
        self.unit_box.setValue(unit)
        self.unit_box.blockSignals(False)
        self._color()

    def selected_unit(self) -> int:
        return self._unit

    @Slot(int)
    def _on_unit_chosen(self, unit: int) -> None:
        self._unit = unit
        self._color()
        self.unit_selected.emit(unit)

    def set_layer(self, index: int) -> None:
        """Colour by layer·direction ``index`` of the snapshot's layout (0: layer 1 →)."""
        self._layer = max(0, int(index))
        self._layer_names(self._names)
        self._color()

    def values(self) -> np.ndarray | None:
        """The colouring values (T,): the chosen unit of the chosen layer·direction."""
        snapshot, codes = self._run.snapshot, self._run.codes
        hidden = snapshot.hidden if snapshot is not None else ()
        if not hidden or len(codes) == 0:
            return None
        layer = hidden[min(self._layer, len(hidden) - 1)]  # (T, H)
        unit = min(self._unit, layer.shape[1] - 1)
        return np.asarray(layer[: len(codes), unit], dtype=np.float64)

    def _color(self) -> None:
        vocab = self._run.vocab
        if vocab is None:
            return
        chars = [vocab.chars[int(c)] for c in self._run.codes]
        self.activation_text.set_text(chars, self.values())
        self.activation_text.set_cursor(self.cursor())
        self._update_readout()

    # ---------------------------------------------------------------- time cursor

    def cursor(self) -> int:
        steps = len(self._run.codes)
        if steps == 0:
            return max(0, self._requested_cursor)
        return min(max(self._requested_cursor, 0), steps - 1)

    def set_cursor(self, t: int) -> None:
        """Outline character ``t`` (clamped); emits nothing."""
        self._requested_cursor = int(t)
        self.activation_text.set_cursor(self.cursor())
        self._update_readout()

    @Slot(int)
    def move_cursor(self, t: int) -> None:
        """The user moved the cursor to ``t`` (clamped): show it and emit ``cursor_moved``."""
        steps = len(self._run.codes)
        if steps == 0:
            return
        t = min(max(int(t), 0), steps - 1)
        if t == self.cursor() and t == self._requested_cursor:
            return
        self.set_cursor(t)
        self.cursor_moved.emit(t)

    def move_cursor_by_key(self, key) -> bool:
        """Left, Right, Home and End move the cursor; whether ``key`` was one of them."""
        steps = len(self._run.codes)
        if not steps or key not in _MOVES:
            return False
        self.move_cursor(_MOVES[key](self.cursor(), steps))
        return True

    @Slot(int)
    def _on_char_hovered(self, t: int) -> None:
        self._hovered = t if t < len(self._run.codes) else -1
        self._update_readout()

    # ---------------------------------------------------------------- read-out

    def _update_readout(self) -> None:
        vocab, codes = self._run.vocab, self._run.codes
        if vocab is None or len(codes) == 0:
            return
        t = self._hovered if self._hovered >= 0 else self.cursor()
        char = vocab.chars[int(codes[t])]
        values = self.values()
        parts = [f"step {t}: “{char_glyph(char, key=True)}”"]
        if values is not None and t < len(values):
            parts.append(f"unit {self._unit} = {values[t]:+.2f}".replace("-", "−"))
        predictions = self._run.snapshot.predictions
        guesses = []
        if "top_chars" in predictions and t < len(predictions["top_chars"]):
            top = [
                f"{char_glyph(vocab.chars[int(c)], key=True)} {percent(float(p))}"
                for c, p in zip(
                    predictions["top_chars"][t][:4], predictions["top_probs"][t][:4], strict=True
                )
            ]
            guesses = ["expected next: " + ", ".join(top[:n]) for n in range(len(top), 0, -1)]
        self.readout.setText(" · ".join(parts))
        self._show_next_guesses(*guesses)

    def _show_next_guesses(self, *versions: str) -> None:
        """The read-out's second line: the first of ``versions`` (longest first) that fits."""
        self.readout_next.set_full_text(*(versions or ("",)))
        self.readout_next.setVisible(bool(versions and versions[0]))
