"""Painted widgets of the text view: coloured characters, a probability key row, a colour key.

- ``ActivationText``: one monospace cell per character, its background the value of a hidden
  unit on the blue–white–red map (−1 … 1), as in Karpathy's and LSTMVis's pictures; the time
  cursor's character is outlined; a click reports the character's index.
- ``ProbabilityBars``: the predictive keyboard's suggestion row: one key per candidate
  character with a bar of its probability (on an absolute 0 … 100 % scale) and the percentage;
  a click on a key reports its character.
- ``ColorKey``: the −1 … +1 colour bar of the activation colours.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from rnnviz.gui.panels._common import BACKGROUND, DIVERGING_LUT, FOREGROUND, OKABE_ITO, font

__all__ = [
    "ActivationText",
    "ColorKey",
    "ProbabilityBars",
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


class ProbabilityBars(QWidget):
    """The suggestion row of the predictive keyboard (see the module docstring).

    ``chars`` and ``probs`` hold what is drawn, most likely first.
    """

    key_clicked = Signal(str)

    BAR_HEIGHT = 110  # at least; the bars grow with the widget
    KEY_HEIGHT = 58
    LABEL_HEIGHT = 30

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.chars: list[str] = []
        self.probs = np.zeros(0)
        self.setMinimumHeight(self.BAR_HEIGHT + self.KEY_HEIGHT + self.LABEL_HEIGHT + 12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_probabilities(self, chars: list[str], probs) -> None:
        self.chars = list(chars)
        self.probs = np.asarray(probs, dtype=np.float64)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(8 * 96, self.minimumHeight())

    def _column(self, k: int) -> QRectF:
        n = max(len(self.chars), 1)
        width = min(self.width() / n, 130.0)
        return QRectF(k * width, 0, width, self.height())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        label_font, key_font = font(15, bold=True), mono_font(26, bold=True)
        top = self.LABEL_HEIGHT
        bar_height = max(self.height() - self.KEY_HEIGHT - self.LABEL_HEIGHT - 12, 40)
        for k, (char, p) in enumerate(zip(self.chars, self.probs, strict=True)):
            col = self._column(k).adjusted(6, 0, -6, 0)
            track = QRectF(col.left() + col.width() * 0.2, top, col.width() * 0.6, bar_height)
            painter.fillRect(track, QColor("#eeeeee"))
            height = float(np.clip(p, 0, 1)) * bar_height
            bar = QRectF(track.left(), track.bottom() - height, track.width(), height)
            color = QColor(OKABE_ITO[4] if k == 0 else OKABE_ITO[0])
            painter.fillRect(bar, color)
            painter.setPen(QColor(FOREGROUND))
            painter.setFont(label_font)
            painter.drawText(
                QRectF(col.left(), bar.top() - self.LABEL_HEIGHT, col.width(), self.LABEL_HEIGHT),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                percent(p),
            )
            key = QRectF(col.left(), track.bottom() + 8, col.width(), self.KEY_HEIGHT)
            pen = QPen(color if k == 0 else QColor("#9a9a9a"))
            pen.setWidthF(3 if k == 0 else 1.5)
            painter.setPen(pen)
            painter.setBrush(QColor("#ffffff"))
            painter.drawRoundedRect(key, 8, 8)
            painter.setPen(QColor(FOREGROUND))
            painter.setFont(key_font)
            painter.drawText(key, Qt.AlignmentFlag.AlignCenter, char_glyph(char, key=True))
        painter.end()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            for k, char in enumerate(self.chars):
                if self._column(k).contains(event.position()):
                    self.key_clicked.emit(char)
                    event.accept()
                    return
        super().mousePressEvent(event)


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
        self.setFixedSize(210, 46)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        bar = QRectF(24, 2, self.width() - 48, 18)
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
        painter.setFont(font(13))
        for x, text in ((bar.left(), "−1"), (bar.center().x(), "0"), (bar.right(), "+1")):
            painter.drawText(
                QRectF(x - 24, bar.bottom() + 2, 48, 22), Qt.AlignmentFlag.AlignCenter, text
            )
        painter.end()
