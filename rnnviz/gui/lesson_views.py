"""Demo views of the alphabet and long-range recall lessons.

Both draw from the snapshot only; the alphabet view runs the slide's three prompts on the
window's own copy of the model (``SnapshotModel``), never on the trainer's arrays. Both are
views (``rnnviz.gui.view``); neither has a layer to choose, so ``set_layer`` only notes it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from rnnviz.gui.panels.style import style_plot
from rnnviz.gui.view_help import with_help_button
from rnnviz.training.demos.alphabet import prompts_report
from rnnviz.training.inference import SnapshotModel

__all__ = ["AlphabetView", "RecallView"]

_BIG = QFont()
_BIG.setPointSize(16)
_MONO = QFont("DejaVu Sans Mono")
_MONO.setPointSize(18)


def _label(text: str = "", font: QFont = _BIG) -> QLabel:
    label = QLabel(text)
    label.setFont(font)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


# Okabe–Ito blue and vermillion, told apart with any colour vision (red and green are not),
# and a wrong letter underlined as well, for a washed-out projector
_RIGHT = "color:#0072B2"
_WRONG = "color:#D55E00; text-decoration:underline"


class AlphabetView(QWidget):
    """The slide's three prompts: the alphabet from A, from F, and backwards from Z."""

    cursor_moved = Signal(int)
    name = "alphabet"
    about = (
        "The network has learned to say the alphabet. Here it is given a first letter and "
        "continues on its own, one letter at a time, each letter it says fed back in as the "
        "next input. Blue letters are right, underlined orange ones wrong: to start at F or to go "
        "backwards it must know where in the sequence it is, not just which letter came last."
    )
    formula = (
        "p(x_{t+1} | x_1 … x_t) = softmax(W_hy h_t + b_y)\n"
        "x_{t+1} = the most probable letter, fed back in as the next input"
    )

    ROWS = (
        ("forward", "Say it forward, from A"),
        ("from_F", "Start at F"),
        ("backward", "Say it backwards, from Z"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = SnapshotModel()
        self._key = None
        layout = QGridLayout(self)
        heading = _label(
            "<b>Sequential memory</b>: what the network says next, letter "
            "by letter (blue: right, <u>orange</u>: wrong)"
        )
        layout.addLayout(with_help_button(heading, self), 0, 0, 1, 2)
        self.rows: dict[str, QLabel] = {}
        for r, (key, title) in enumerate(self.ROWS, start=1):
            layout.addWidget(_label(title), 2 * r - 1, 0, 1, 2)
            self.rows[key] = _label("", _MONO)
            layout.addWidget(self.rows[key], 2 * r, 0, 1, 2)
        layout.setRowStretch(len(self.ROWS) * 2 + 1, 1)
        self.report: dict | None = None
        self.layer = 0

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        if snapshot.task.name != "alphabet" or not snapshot.weights:
            return
        key = (snapshot.run_id, snapshot.iteration // 25)  # a few reports a second at most
        if key == self._key:
            return
        self._key = key
        model = self._model.update(snapshot)
        self.report = prompts_report(model)
        for name, row in self.report.items():
            self.rows[name].setText(self._colour(row))

    @staticmethod
    def _colour(row: dict) -> str:
        letters = []
        for k, letter in enumerate(row["continuation"]):
            # right in a row from the prompt, as the score counts them: a letter that happens
            # to match after the network lost its place is not right
            ok = k < row["correct"]
            letters.append(f"<span style='{_RIGHT if ok else _WRONG}'>{letter}</span>")
        score = f"{row['correct']}/{row['possible']} right"
        return f"{row['prompt']} → {''.join(letters)} &nbsp; <small>({score})</small>"

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        del t  # the prompts have no time axis of the example

    @Slot(int)
    def set_layer(self, index: int) -> None:
        self.layer = int(index)  # the prompts are the whole network's: nothing to redraw


_TRUE_BAR = "#009E73"
_OTHER_BAR = "#4575b4"


class RecallView(QWidget):
    """The recall example: the symbol, the gap, and the network's answer at the cue."""

    cursor_moved = Signal(int)
    name = "recall"
    about = (
        "One example of the long-range memory task: a symbol to remember (in bold) comes "
        "first, then distractors, then the question mark asks for it. The bars are the "
        "network's probabilities for each symbol at the question mark; the green bar is the "
        "right one. The longer the gap, the harder it is to carry the symbol across it."
    )
    formula = (
        "p(symbol | x_1 … x_T) = softmax(W_hy h_T + b_y)  at the ? (step T)\n"
        "h_T must still hold x_1: h_t = f(x_t, h_{t−1}) carries it through every step between"
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.sequence = _label("", _MONO)
        self.answer = _label("")
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        # the panels' big dark labels: the pale defaults were unreadable from the back row
        style_plot(
            self.plot.getPlotItem(),
            "symbol (green: the right one)",
            "probability at the ?",
            None,
        )
        self.plot.setYRange(0, 1)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=_OTHER_BAR)
        self.plot.addItem(self.bars)
        heading = _label(
            "<b>Long-range memory</b>: remember the first symbol until the <b>?</b> asks for it"
        )
        layout.addLayout(with_help_button(heading, self))
        layout.addWidget(self.sequence)
        layout.addWidget(self.answer)
        layout.addWidget(self.plot, 1)
        self.cursor = 0
        self.layer = 0
        self._tokens: list[str] = []
        self._ticks: list | None = None  # the symbols' ticks on the bottom axis

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        if snapshot.task.name != "recall":
            return
        p = snapshot.predictions
        names = snapshot.task.symbols  # the symbols to remember, the distractors, the cue
        K = snapshot.task.num_symbols
        self._tokens = [names[i] for i in np.asarray(snapshot.example_x).argmax(axis=1)]
        self._draw_sequence()
        probs = np.asarray(p.get("probs"))[-1] if "probs" in p else np.zeros(K)
        symbol = int(np.asarray(p.get("symbol", -1)))
        # the symbol to remember in green, the others blue: right or wrong at a glance
        brushes = [_TRUE_BAR if k == symbol else _OTHER_BAR for k in range(K)]
        self.bars.setOpts(x=np.arange(K), height=probs, width=0.8, brushes=brushes)
        ticks = [[(k, names[k]) for k in range(K)]]
        if ticks != self._ticks:  # set at every snapshot, they drew the axis again each time
            self._ticks = ticks
            self.plot.getAxis("bottom").setTicks(ticks)
        answer = int(np.argmax(probs))
        verdict = "right" if answer == symbol else "wrong"
        self.answer.setText(
            f"It answers <b>{names[answer]}</b> ({probs[answer]:.0%}); the "
            f"symbol was <b>{names[symbol] if symbol >= 0 else '?'}</b>: {verdict}"
        )

    def _draw_sequence(self) -> None:
        parts = []
        for t, token in enumerate(self._tokens):
            style = "background:#ffd92f;" if t == self.cursor else ""
            weight = "font-weight:bold;" if token not in "·?" and not token.islower() else ""
            parts.append(f"<span style='{style}{weight}'>{token}</span>")
        self.sequence.setText(" ".join(parts))

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        self.cursor = t
        self._draw_sequence()

    @Slot(int)
    def set_layer(self, index: int) -> None:
        self.layer = int(index)  # the answer is the whole network's: nothing to redraw
