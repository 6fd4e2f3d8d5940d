"""Small pieces the text demo's parts share: how a character looks on screen, the colours of
values, percentages, typed text read in the model's characters, labels, and two widgets:

- ``TypingField``: a line edit that takes the keyboard only when clicked (see its docstring).
- ``ElidedLabel``: one line of text that ends in "…" rather than wrapping or widening its view.

The painted widgets are in ``activation_text`` (the coloured characters and their colour key)
and ``probability_bars`` (the keyboard's suggestion row).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy

from rnnviz.gui.panels._common import DIVERGING_LUT, FOREGROUND, OKABE_ITO, TEXT_PT, font

__all__ = [
    "BAD",
    "GOOD",
    "MUTED",
    "ElidedLabel",
    "TypingField",
    "char_glyph",
    "fit_to_vocabulary",
    "label",
    "mono_font",
    "percent",
    "quoted",
    "value_colors",
]

GOOD = OKABE_ITO[2]
BAD = OKABE_ITO[4]
MUTED = "#555555"

_GLYPHS = {" ": " ", "\n": "⏎", "\t": "⇥", "\r": "␍"}
_KEY_LABELS = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍"}


def mono_font(points: int, bold: bool = False) -> QFont:
    f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    f.setPointSize(points)
    f.setBold(bold)
    return f


def char_glyph(char: str, key: bool = False) -> str:
    """What a character looks like on screen: a space stays blank in running text ("␣" on a
    key), a line end is "⏎", other invisible characters "·"."""
    table = _KEY_LABELS if key else _GLYPHS
    if char in table:
        return table[char]
    return char if char.isprintable() else "·"


def value_colors(values: np.ndarray, lut: np.ndarray = DIVERGING_LUT) -> np.ndarray:
    """(T, 3) uint8 colours of ``values`` (T,) on the −1 … 1 map (NaN: mid-grey)."""
    v = np.asarray(values, dtype=np.float64)
    index = np.rint((np.clip(np.nan_to_num(v, nan=0.0), -1.0, 1.0) + 1.0) * 0.5 * (len(lut) - 1))
    colors = np.array(lut)[index.astype(np.intp)]
    colors[~np.isfinite(v)] = 160
    return colors


def percent(p: float) -> str:
    """A probability as a short percentage: \"62 %\", \"1.6 %\", \"<0.1 %\"."""
    if p >= 0.995:
        return "100 %"
    if p >= 0.1:
        return f"{100 * p:.0f} %"
    if p >= 0.001:
        return f"{100 * p:.1f} %"
    return "<0.1 %"


class TypingField(QLineEdit):
    """A line edit the user types into on purpose: it takes the keyboard focus only when
    clicked, never when its tab is shown, the window opens or Tab is pressed, and Escape gives
    it back.

    While a line edit has the focus it takes printable keys before the window's shortcuts, so
    a field that took the focus by itself would turn the space bar (play/pause) into a typed
    space.
    """

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(text, parent)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.hasFocus():
            self.clearFocus()
            event.accept()
            return
        super().keyPressEvent(event)


class ElidedLabel(QLabel):
    """One line of text that never wraps onto more lines or widens the view: the longest of
    its versions that fits the label's width (``set_full_text(text, *shorter)``), else the
    shortest cut with "…"; the whole text is the tooltip when it is not all shown.
    ``full_text()`` is the longest version."""

    def __init__(self, text: str = "", parent=None) -> None:
        super().__init__(parent)
        self._versions: tuple[str, ...] = ("",)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._versions[0]

    def set_full_text(self, text: str, *shorter: str) -> None:
        self._versions = (text, *shorter)
        self._elide()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        fm, width = self.fontMetrics(), max(self.width(), 0)
        shown = next((v for v in self._versions if fm.horizontalAdvance(v) <= width), None)
        if shown is None:
            shown = fm.elidedText(self._versions[-1], Qt.TextElideMode.ElideRight, width)
        if shown != self.text():  # a new text asks the window for a new layout
            self.setText(shown)
        self.setToolTip(self._versions[0] if shown != self._versions[0] else "")


def label(text: str = "", points: int = TEXT_PT, bold=False, wrap=True, color=None) -> QLabel:
    """A label of the text demo: ``points`` in the window's font, wrapped unless told not."""
    widget = QLabel(text)
    widget.setFont(font(points, bold))
    widget.setWordWrap(wrap)
    widget.setStyleSheet(f"QLabel {{ color: {color or FOREGROUND}; }}")
    return widget


def quoted(chars: list[str]) -> str:
    """“a”, “␣”, “⏎”: characters named in a sentence."""
    return ", ".join(f"“{char_glyph(c, key=True)}”" for c in chars)


def fit_to_vocabulary(text: str, vocab) -> tuple[str, list[str]]:
    """``text`` in the network's characters (``vocab`` tells which with ``in``): a character
    it never saw is replaced by its lower case when that is known ("I" → "i"), else left out.
    Returns the text and the distinct characters left out."""
    kept, dropped = [], []
    for c in text:
        if c in vocab:
            kept.append(c)
        elif c.lower() in vocab:
            kept.append(c.lower())
        elif c not in dropped:
            dropped.append(c)
    return "".join(kept), dropped
