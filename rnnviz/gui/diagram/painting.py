"""Drawing a placed diagram (``geometry.Diagram``) with a ``QPainter``.

Each box's hidden state is a strip of cells coloured by unit, through the same fixed-level
lookup tables as the heat maps (``panels.style``): blue–white–red for tanh's −1 … 1, viridis
for 0 … 1 (a ReLU's unbounded h is drawn on 0 … 1 like the heat maps, 1 and above in the
brightest colour); the LSTM's cell state c on −1 … 1. Gates are bars filled to their mean over
the units, on their own range (0 … 1, or −1 … 1 from a zero line for the tanh candidates).
A strip is one tiny ``QImage`` per box, scaled without smoothing: a snapshot of a 2-layer
bidirectional LSTM with 12 boxes a row draws in a few milliseconds.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QPolygonF

from rnnviz.gui.diagram.geometry import CELL_STATE_COLOR, HEAD, Diagram
from rnnviz.gui.diagram.readings import Readings
from rnnviz.gui.diagram.shapes import Rect, TextMetrics
from rnnviz.gui.panels.style import FOREGROUND, OKABE_ITO, fixed_levels, map_of

__all__ = ["Labels", "paint_diagram"]

CURSOR_COLOR = OKABE_ITO[4]  # vermillion: the time cursor's box
BAR_COLOR = OKABE_ITO[0]
MUTED = "#6b6b6b"
FRAME_COLOR = "#9a9a9a"
EMPTY_CELL = (235, 235, 235)
PENS = {  # arrow kind: (colour, width)
    "h": (FOREGROUND, 1.6),
    "loop": (FOREGROUND, 1.8),
    "c": (CELL_STATE_COLOR, 2.2),
    "loop_c": (CELL_STATE_COLOR, 2.2),
    "in": (MUTED, 1.3),
    "up": (MUTED, 1.3),
    "out": (MUTED, 1.3),
    "ff": ("#a0a0a0", 1.0),
}


def _qrect(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


class Labels:
    """The diagram's label font, its ``TextMetrics`` and the drawing of a text with a
    subscript ("W_hh": W, then hh smaller and lower)."""

    def __init__(self, points: int) -> None:
        self.font = QFont()
        self.font.setPointSize(points)
        self.bold = QFont(self.font)
        self.bold.setBold(True)
        self.sub = QFont(self.font)
        self.sub.setPointSizeF(points * 0.75)
        self._wide = QFontMetricsF(self.bold)  # bold is the wider: it bounds both
        self._sub = QFontMetricsF(self.sub)
        self.metrics = TextMetrics(self._wide.height(), self.measure)

    def measure(self, text: str) -> float:
        base, sub, rest = _split(text)
        fm, small = self._wide, self._sub
        return (
            fm.horizontalAdvance(base) + small.horizontalAdvance(sub) + fm.horizontalAdvance(rest)
        )

    def draw(self, p: QPainter, text: str, cx: float, cy: float, bold: bool = False) -> None:
        base, sub, rest = _split(text)
        main = self.bold if bold else self.font
        fm = QFontMetricsF(main)
        widths = (fm.horizontalAdvance(base), self._sub.horizontalAdvance(sub))
        x = cx - (sum(widths) + fm.horizontalAdvance(rest)) / 2
        baseline = cy + (fm.ascent() - fm.descent()) / 2
        p.setFont(main)
        p.drawText(QPointF(x, baseline), base)
        if sub:
            p.setFont(self.sub)
            p.drawText(QPointF(x + widths[0], baseline + fm.height() * 0.22), sub)
        if rest:
            p.setFont(main)
            p.drawText(QPointF(x + sum(widths), baseline), rest)


def _split(text: str) -> tuple[str, str, str]:
    """ "the W_hh of" → ("the W", "hh", " of"): the subscript runs from "_" to a space."""
    base, _, tail = text.partition("_")
    sub, space, rest = tail.partition(" ")
    return base, sub, space + rest


def paint_diagram(
    p: QPainter, d: Diagram, readings: Readings | None, layout, labels: Labels
) -> None:
    """Draw ``d``; the boxes' strips and bars from ``readings`` (None: empty boxes)."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    parts = d.parts
    for rect, alpha in parts.frames:
        if alpha > 0.01:
            p.setOpacity(alpha)
            pen = QPen(QColor(FRAME_COLOR), 1.0, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(QColor("#f6f6f6"))
            p.drawRoundedRect(_qrect(rect), 5, 5)
    for a in parts.arrows:
        if a.alpha > 0.01:
            _arrow(p, a, labels)
    levels = {"h": fixed_levels(*layout.value_range("h"))}
    if any(name == "c" for name, _, _ in layout.ranges):
        levels["c"] = fixed_levels(*layout.value_range("c"))
    gate_levels = {name: layout.value_range(name) for name in layout.gates}
    for b in parts.boxes:
        if b.alpha > 0.01:
            _box(p, b, readings, levels, gate_levels, labels)
    p.setPen(QPen(QColor(MUTED), 1.2))
    p.setBrush(QColor("#ffffff"))
    for n in parts.nodes:
        if n.alpha > 0.01:
            p.setOpacity(n.alpha)
            p.drawEllipse(QPointF(n.x, n.y), n.r, n.r)
    for t in parts.texts:
        if t.alpha > 0.01:
            p.setOpacity(t.alpha)
            color = CURSOR_COLOR if t.bold and t.kind in ("x", "y") else t.color or FOREGROUND
            p.setPen(QColor(color))
            labels.draw(p, t.text, t.x, t.y, t.bold)
    p.setOpacity(1.0)


def _arrow(p: QPainter, a, labels: Labels) -> None:
    color, width = PENS.get(a.kind, (FOREGROUND, 1.5))
    p.setOpacity(a.alpha)
    pen = QPen(QColor(color), width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    pts = [QPointF(x, y) for x, y in a.points]
    if a.head:
        (x0, y0), (x1, y1) = a.points[-2], a.points[-1]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        pts[-1] = QPointF(x1 - ux * HEAD * 0.8, y1 - uy * HEAD * 0.8)  # the line stops in the head
    p.drawPolyline(QPolygonF(pts))
    if a.head:
        half = HEAD * 0.45
        head = QPolygonF(
            [
                QPointF(x1, y1),
                QPointF(x1 - ux * HEAD - uy * half, y1 - uy * HEAD + ux * half),
                QPointF(x1 - ux * HEAD + uy * half, y1 - uy * HEAD - ux * half),
            ]
        )
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(color))
        p.drawPolygon(head)
    if a.label:
        p.setPen(QColor(color))
        labels.draw(p, a.label, *a.label_at)


def _strip_image(values: np.ndarray, levels, grid: tuple[int, int]) -> QImage:
    lo, hi = levels
    lut = map_of(levels)
    scaled = (np.asarray(values, np.float32) - lo) * (255.0 / (hi - lo))
    rgb = lut[np.clip(np.nan_to_num(scaled), 0, 255).astype(np.uint8)]
    cols, rows = grid
    cells = np.empty((rows * cols, 3), np.uint8)
    cells[:] = EMPTY_CELL
    cells[: len(rgb)] = rgb
    cells = np.ascontiguousarray(cells.reshape(rows, cols, 3))
    image = QImage(cells.data, cols, rows, cols * 3, QImage.Format.Format_RGB888)
    return image.copy()  # owns its pixels: ``cells`` goes away


def _box(p: QPainter, b, readings: Readings | None, levels, gate_levels, labels: Labels) -> None:
    p.setOpacity(b.alpha)
    outline = QPen(QColor(CURSOR_COLOR if b.cursor else FOREGROUND), 3.0 if b.cursor else 1.4)
    p.setPen(outline)
    p.setBrush(QColor("#ffffff"))
    p.drawRoundedRect(_qrect(b.rect.inset(-1)), 4, 4)
    if readings is None or b.t not in readings.steps:
        return
    i = readings.steps.index(b.t)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    p.drawImage(_qrect(b.h_strip), _strip_image(readings.hidden[b.entry][i], levels["h"], b.grid))
    cells = readings.cells[b.entry]
    if b.c_strip is not None and cells is not None:
        p.drawImage(_qrect(b.c_strip), _strip_image(cells[i], levels["c"], b.grid))
    if not b.bars:
        return
    values = readings.gates[b.entry][i]
    p.setPen(Qt.PenStyle.NoPen)
    for (name, r), v in zip(b.bars, values, strict=True):
        lo, hi = gate_levels[name]
        p.setBrush(QColor("#e4e4e4"))
        p.drawRect(_qrect(r))
        zero = min(max(0.0, lo), hi)
        y_of = lambda value, r=r, lo=lo, hi=hi: r.bottom - (value - lo) / (hi - lo) * r.h  # noqa: E731
        top, base = sorted((y_of(min(max(float(v), lo), hi)), y_of(zero)))
        p.setBrush(QBrush(QColor(BAR_COLOR)))
        p.drawRect(QRectF(r.x, top, r.w, max(base - top, 0.5)))
    if b.letters:
        p.setPen(QColor(MUTED))
        for name, x, y in b.letters:
            labels.draw(p, name, x, y)
