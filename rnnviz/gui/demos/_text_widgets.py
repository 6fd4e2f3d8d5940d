"""Painted widgets of the text view: coloured characters, a probability key row, a colour key.

- ``ActivationText``: one monospace cell per character, its background the value of a hidden
  unit on the blue–white–red map (−1 … 1), as in Karpathy's and LSTMVis's pictures; the time
  cursor's character is outlined; a click reports the character's index.
- ``ProbabilityBars``: the predictive keyboard's suggestion row: one key per candidate
  character with a bar of its probability (on an absolute 0 … 100 % scale) and the percentage;
  a click on a key reports its character.
- ``ColorKey``: the −1 … +1 colour bar of the activation colours.
- ``TypingField``: a line edit that takes the keyboard only when clicked (see its docstring).
- ``ElidedLabel``: one line of text that ends in "…" rather than wrapping or widening its view.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QToolTip, QWidget

from rnnviz.gui.panels._common import BACKGROUND, DIVERGING_LUT, FOREGROUND, OKABE_ITO, font

__all__ = [
    "ActivationText",
    "ColorKey",
    "ElidedLabel",
    "KeyGeometry",
    "ProbabilityBars",
    "TypingField",
    "char_glyph",
    "mono_font",
    "percent",
    "value_colors",
]

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


def _ink_for(rgb) -> QColor:
    """Black or white, whichever reads better on the background ``rgb``."""
    r, g, b = (float(c) for c in rgb)
    return QColor("#ffffff") if 0.299 * r + 0.587 * g + 0.114 * b < 140 else QColor(FOREGROUND)


class ActivationText(QWidget):
    """The example text, one coloured cell per character (see the module docstring).

    ``colors`` (T, 3) uint8 holds the drawn background colours; ``cursor`` the outlined index.
    """

    clicked = Signal(int)
    hovered = Signal(int)  # −1 when the mouse leaves

    PAD_X, PAD_Y, ROW_GAP = 3, 6, 6
    #: The font shrinks (down to ``MIN_POINTS``) so that this many characters fit on a row.
    COLUMNS = 40
    MIN_POINTS = 12

    def __init__(self, points: int = 20, parent=None) -> None:
        super().__init__(parent)
        self.max_points = points
        self.setFont(mono_font(points))
        self._fonts: dict[int, QFont] = {}
        self.chars: list[str] = []
        self.colors = np.zeros((0, 3), np.uint8)
        self.cursor = -1
        self._hovered = -1
        self.setMouseTracking(True)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_text(self, chars: list[str], values: np.ndarray | None, colors=None) -> None:
        """Show ``chars`` with the colours of ``values`` (T,) on the −1 … 1 map, or the given
        ``colors`` (T, 3) uint8, or light grey when both are None."""
        changed_length = len(chars) != len(self.chars)
        self.chars = list(chars)
        if colors is not None:
            self.colors = np.asarray(colors, np.uint8).reshape(len(chars), 3)
        elif values is None:
            self.colors = np.full((len(chars), 3), 245, np.uint8)
        else:
            self.colors = value_colors(values)
        if changed_length:
            self.updateGeometry()
        self.update()

    def set_cursor(self, t: int) -> None:
        if t != self.cursor:
            self.cursor = t
            self.update()

    # ---------------------------------------------------------------- layout

    def font_for(self, width: int) -> QFont:
        """The largest font up to ``max_points`` that fits ``COLUMNS`` characters in ``width``
        pixels (at least ``MIN_POINTS``)."""
        points = self.max_points
        while points > self.MIN_POINTS:
            advance = QFontMetrics(self._font(points)).horizontalAdvance("M") + 2 * self.PAD_X
            if advance * self.COLUMNS <= width - 8:
                break
            points -= 1
        return self._font(points)

    def _font(self, points: int) -> QFont:
        if points not in self._fonts:
            f = QFont(self.font())
            f.setPointSize(points)
            self._fonts[points] = f
        return self._fonts[points]

    def _cell(self, width: int | None = None) -> tuple[int, int]:
        fm = QFontMetrics(self.font_for(self.width() if width is None else width))
        return fm.horizontalAdvance("M") + 2 * self.PAD_X, fm.height() + 2 * self.PAD_Y

    def _positions(self, width: int) -> tuple[list[tuple[int, int]], int]:
        """(row, column) of every character when wrapped at ``width`` pixels, and the rows."""
        cw, _ = self._cell(width)
        columns = max(1, (width - 4) // cw)
        out, row, col = [], 0, 0
        for ch in self.chars:
            if col >= columns:
                row, col = row + 1, 0
            out.append((row, col))
            col += 1
            if ch == "\n":
                row, col = row + 1, 0
        rows = (out[-1][0] + 1) if out else 1
        return out, rows

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = self._positions(width)[1]
        _, ch = self._cell(width)
        return rows * ch + (rows - 1) * self.ROW_GAP + 8

    def sizeHint(self) -> QSize:
        cw, _ = self._cell(10_000)
        width = min(max(len(self.chars), 20), 64) * cw + 8
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 30)

    def _rect(self, row: int, col: int) -> QRectF:
        cw, ch = self._cell()
        return QRectF(4 + col * cw, 4 + row * (ch + self.ROW_GAP), cw, ch)

    def index_at(self, point: QPointF) -> int:
        positions, _ = self._positions(self.width())
        for k, (row, col) in enumerate(positions):
            if self._rect(row, col).contains(point):
                return k
        return -1

    # ---------------------------------------------------------------- painting

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        painter.setFont(self.font_for(self.width()))
        positions, _ = self._positions(self.width())
        for k, (row, col) in enumerate(positions):
            rect = self._rect(row, col)
            rgb = self.colors[k] if k < len(self.colors) else (245, 245, 245)
            painter.fillRect(rect, QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
            painter.setPen(_ink_for(rgb))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, char_glyph(self.chars[k]))
        if 0 <= self.cursor < len(positions):
            rect = self._rect(*positions[self.cursor]).adjusted(-1, -1, 1, 1)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for color, width in (("#ffffff", 7.0), ("#000000", 3.0)):
                pen = QPen(QColor(color))
                pen.setWidthF(width)
                painter.setPen(pen)
                painter.drawRect(rect)
        painter.end()

    # ---------------------------------------------------------------- mouse

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            k = self.index_at(event.position())
            if k >= 0:
                self.clicked.emit(k)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        k = self.index_at(event.position())
        if k != self._hovered:
            self._hovered = k
            self.hovered.emit(k)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        if self._hovered != -1:
            self._hovered = -1
            self.hovered.emit(-1)
        super().leaveEvent(event)


class KeyGeometry(NamedTuple):
    """Where one suggestion key of ``ProbabilityBars`` is drawn (widget pixels)."""

    column: QRectF  # the key's whole column: a click anywhere in it types the character
    track: QRectF  # the bar's 0 … 100 % track
    bar: QRectF  # the filled part
    key: QRectF  # the key with the character
    label: QRectF | None  # the percentage's box, None when it does not fit
    text: str  # the percentage as drawn
    label_font: QFont


class ProbabilityBars(QWidget):
    """The suggestion row of the predictive keyboard (see the module docstring).

    ``chars`` and ``probs`` hold what is drawn, most likely first; ``key_geometry()`` says
    where. Everything shrinks with the widget: the keys, their letters, the bars and the
    percentages, whose font is the largest that fits every column (measured, so that "<0.1 %"
    and "100 %" are never cut); where even the smallest does not fit, a percentage is left out
    and shown in the column's tooltip instead.
    """

    key_clicked = Signal(str)

    MAX_COLUMN = 130.0
    KEY_HEIGHT = (30.0, 58.0)  # smallest, largest
    KEY_POINTS = (12, 26)
    LABEL_POINTS = (9, 15)
    GAP = 8.0  # between a bar and its key
    MIN_BAR = 24.0

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.chars: list[str] = []
        self.probs = np.zeros(0)
        self._fonts: dict[tuple[int, bool], QFont] = {}
        label_height = QFontMetrics(self._label_font(self.LABEL_POINTS[1])).height()
        self.setMinimumHeight(
            math.ceil(label_height + self.MIN_BAR + self.GAP + self.KEY_HEIGHT[0] + 2)
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_probabilities(self, chars: list[str], probs) -> None:
        self.chars = list(chars)
        self.probs = np.asarray(probs, dtype=np.float64)
        self.update()

    def sizeHint(self) -> QSize:
        # no more than the minimum: the page above asks for its preferred height and would
        # rather scroll than squeeze; the bars take whatever room is left (they expand)
        return QSize(8 * 96, self.minimumHeight())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.minimumHeight())

    def _label_font(self, points: int) -> QFont:
        return self._cached_font(points, False)

    def _cached_font(self, points: int, mono: bool) -> QFont:
        if (points, mono) not in self._fonts:
            self._fonts[points, mono] = mono_font(points, True) if mono else font(points, True)
        return self._fonts[points, mono]

    def _column(self, k: int) -> QRectF:
        n = max(len(self.chars), 1)
        width = min(self.width() / n, self.MAX_COLUMN)
        return QRectF(k * width, 0, width, self.height())

    def _labels(self, room: float) -> tuple[QFont, list[str], list[bool]]:
        """The percentages' font and texts, and which fit in ``room`` pixels: the largest font
        at which all fit, with "12 %" before "12%"; else the smallest, leaving out the ones
        that still do not fit."""
        spaced = [percent(p) for p in self.probs]
        compact = [t.replace(" ", "") for t in spaced]
        smallest, largest = self.LABEL_POINTS
        for points in range(largest, smallest - 1, -1):
            f = self._label_font(points)
            fm = QFontMetrics(f)
            for texts in (spaced, compact):
                if all(fm.horizontalAdvance(t) <= room for t in texts):
                    return f, texts, [True] * len(texts)
        f = self._label_font(smallest)
        fm = QFontMetrics(f)
        return f, compact, [fm.horizontalAdvance(t) <= room for t in compact]

    def _key_font(self, key: QRectF) -> QFont:
        """The largest key font whose widest key glyph fits ``key`` with a margin."""
        glyphs = [char_glyph(c, key=True) for c in self.chars] or ["M"]
        smallest, largest = self.KEY_POINTS
        for points in range(largest, smallest, -1):
            fm = QFontMetrics(self._cached_font(points, True))
            wide = max(fm.horizontalAdvance(g) for g in glyphs)
            if fm.height() <= key.height() - 4 and wide <= key.width() - 8:
                return self._cached_font(points, True)
        return self._cached_font(smallest, True)

    def key_geometry(self) -> list[KeyGeometry]:
        """Where each key, bar and percentage goes at the widget's present size."""
        if not self.chars:
            return []
        column_width = self._column(0).width()
        margin = float(np.clip(column_width * 0.08, 2.0, 6.0))
        # a percentage may use its whole column except a pixel each side: never its neighbour's
        label_font, texts, fits = self._labels(column_width - 2)
        fm = QFontMetrics(label_font)
        label_height = float(fm.height())
        height = float(self.height())
        spare = height - label_height - self.GAP - 2
        key_height = float(np.clip(spare * 0.35, *self.KEY_HEIGHT))
        key_height = max(min(key_height, spare - self.MIN_BAR), 12.0)
        bar_height = max(spare - key_height, 1.0)
        out = []
        for k, p in enumerate(self.probs):
            column = self._column(k)
            inner = column.adjusted(margin, 0, -margin, 0)
            track = QRectF(
                inner.left() + inner.width() * 0.2, label_height, inner.width() * 0.6, bar_height
            )
            filled = float(np.clip(p, 0, 1)) * bar_height
            bar = QRectF(track.left(), track.bottom() - filled, track.width(), filled)
            key = QRectF(inner.left(), track.bottom() + self.GAP, inner.width(), key_height)
            label = None
            if fits[k]:
                width = fm.horizontalAdvance(texts[k]) + 2.0
                label = QRectF(
                    column.center().x() - width / 2, bar.top() - label_height, width, label_height
                )
            out.append(KeyGeometry(column, track, bar, key, label, texts[k], label_font))
        return out

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        geometry = self.key_geometry()
        key_font = self._key_font(geometry[0].key) if geometry else None
        for k, (char, g) in enumerate(zip(self.chars, geometry, strict=True)):
            painter.fillRect(g.track, QColor("#eeeeee"))
            color = QColor(OKABE_ITO[4] if k == 0 else OKABE_ITO[0])
            painter.fillRect(g.bar, color)
            if g.label is not None:
                painter.setPen(QColor(FOREGROUND))
                painter.setFont(g.label_font)
                painter.drawText(
                    g.label,
                    Qt.AlignmentFlag.AlignHCenter
                    | Qt.AlignmentFlag.AlignBottom
                    | Qt.TextFlag.TextDontClip,  # the box was measured: a glyph's overhang may stay
                    g.text,
                )
            pen = QPen(color if k == 0 else QColor("#9a9a9a"))
            pen.setWidthF(3 if k == 0 else 1.5)
            painter.setPen(pen)
            painter.setBrush(QColor("#ffffff"))
            radius = min(8.0, g.key.height() / 4)
            painter.drawRoundedRect(g.key, radius, radius)
            painter.setPen(QColor(FOREGROUND))
            painter.setFont(key_font)
            painter.drawText(g.key, Qt.AlignmentFlag.AlignCenter, char_glyph(char, key=True))
        painter.end()

    def _key_at(self, point: QPointF) -> int:
        for k in range(len(self.chars)):
            if self._column(k).contains(point):
                return k
        return -1

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            k = self._key_at(event.position())
            if k >= 0:
                self.key_clicked.emit(self.chars[k])
                event.accept()
                return
        super().mousePressEvent(event)

    def event(self, event) -> bool:
        # the exact figure on hover: the only place to read a percentage left out for room
        if event.type() == QEvent.Type.ToolTip:
            k = self._key_at(QPointF(event.pos()))
            if k >= 0:
                glyph = char_glyph(self.chars[k], key=True)
                QToolTip.showText(event.globalPos(), f"“{glyph}”: {percent(self.probs[k])}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


def percent(p: float) -> str:
    """A probability as a short percentage: \"62 %\", \"1.6 %\", \"<0.1 %\"."""
    if p >= 0.995:
        return "100 %"
    if p >= 0.1:
        return f"{100 * p:.0f} %"
    if p >= 0.001:
        return f"{100 * p:.1f} %"
    return "<0.1 %"


class ColorKey(QWidget):
    """The colour bar −1 (blue) … 0 (white) … +1 (red) of the activation colours."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFixedSize(150, 42)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        bar = QRectF(18, 2, self.width() - 36, 16)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        lut = np.asarray(DIVERGING_LUT)
        for k in range(0, len(lut), 16):
            r, g, b = (int(c) for c in lut[k])
            gradient.setColorAt(k / (len(lut) - 1), QColor(r, g, b))
        r, g, b = (int(c) for c in lut[-1])
        gradient.setColorAt(1.0, QColor(r, g, b))
        painter.fillRect(bar, gradient)
        painter.setPen(QColor(FOREGROUND))
        painter.drawRect(bar)
        painter.setFont(font(12))
        for x, text in ((bar.left(), "−1"), (bar.center().x(), "0"), (bar.right(), "+1")):
            painter.drawText(
                QRectF(x - 18, bar.bottom() + 2, 36, 22), Qt.AlignmentFlag.AlignCenter, text
            )
        painter.end()


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
