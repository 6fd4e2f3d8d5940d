"""The predictive keyboard's suggestion row: one key per candidate character with a bar of its
probability (on an absolute 0 … 100 % scale) and the percentage; a click on a key reports its
character.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from rnnviz.gui.demos._text_widgets import char_glyph, mono_font, percent
from rnnviz.gui.panels._common import BACKGROUND, FOREGROUND, OKABE_ITO, font

__all__ = ["KeyGeometry", "ProbabilityBars"]


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
