"""Text coloured by a hidden unit: ``ActivationText`` draws one monospace cell per character,
its background the unit's value on the blue–white–red map (−1 … 1), as in Karpathy's and
LSTMVis's pictures; the time cursor's character is outlined and a click reports the
character's index. ``ColorKey`` is the −1 … +1 colour bar beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from rnnviz.gui.demos._text_widgets import char_glyph, mono_font, value_colors
from rnnviz.gui.panels._common import BACKGROUND, DIVERGING_LUT, FOREGROUND, font

__all__ = ["ActivationText", "ColorKey"]


@dataclass(frozen=True)
class _Layout:
    """How ``ActivationText`` lays out its characters at one width."""

    font: QFont
    cell_width: int
    cell_height: int
    positions: list[tuple[int, int]]  # (row, column) of each character
    rows: int


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
        self._fonts: dict[int, QFont] = {}
        # (width, text's version) → its layout: painted every snapshot (30 a second), the
        # layout was measured again for every character, most of the text view's time
        self._layouts: dict[tuple[int, int], _Layout] = {}
        self._version = 0
        self.setFont(mono_font(points))
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
        chars = list(chars)
        if chars != self.chars:
            self.chars = chars
            self._version += 1
            self._layouts.clear()
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
        return self._layout(width).font

    def _fitting_font(self, width: int) -> QFont:
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

    def _layout(self, width: int) -> _Layout:
        """The font, cell size and (row, column) of every character at ``width`` pixels,
        measured once per width and text."""
        key = (width, self._version)
        layout = self._layouts.get(key)
        if layout is None:
            font = self._fitting_font(width)
            fm = QFontMetrics(font)
            cw, ch = fm.horizontalAdvance("M") + 2 * self.PAD_X, fm.height() + 2 * self.PAD_Y
            columns = max(1, (width - 4) // cw)
            positions, row, col = [], 0, 0
            for c in self.chars:
                if col >= columns:
                    row, col = row + 1, 0
                positions.append((row, col))
                col += 1
                if c == "\n":
                    row, col = row + 1, 0
            rows = (positions[-1][0] + 1) if positions else 1
            if len(self._layouts) >= 8:  # sizes asked while laid out: a handful
                self._layouts.clear()
            layout = self._layouts[key] = _Layout(font, cw, ch, positions, rows)
        return layout

    def _cell(self, width: int | None = None) -> tuple[int, int]:
        layout = self._layout(self.width() if width is None else width)
        return layout.cell_width, layout.cell_height

    def _positions(self, width: int) -> tuple[list[tuple[int, int]], int]:
        """(row, column) of every character when wrapped at ``width`` pixels, and the rows."""
        layout = self._layout(width)
        return layout.positions, layout.rows

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:  # measured with the old font
            self._fonts.clear()
            self._layouts.clear()
        super().changeEvent(event)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        layout = self._layout(width)
        return layout.rows * layout.cell_height + (layout.rows - 1) * self.ROW_GAP + 8

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
        layout = self._layout(self.width())
        painter.setFont(layout.font)
        positions, cw, ch = layout.positions, layout.cell_width, layout.cell_height
        for k, (row, col) in enumerate(positions):
            rect = QRectF(4 + col * cw, 4 + row * (ch + self.ROW_GAP), cw, ch)
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
