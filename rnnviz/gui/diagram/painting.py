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

__all__ = ["Labels", "Strips", "paint_backdrop", "paint_boxes", "paint_diagram"]

CURSOR_COLOR = OKABE_ITO[4]  # vermillion: the time cursor's box
BAR_COLOR = OKABE_ITO[0]
MUTED = "#6b6b6b"
FRAME_COLOR = "#9a9a9a"
EMPTY_CELL = (235, 235, 235)
_PENS = {  # arrow kind: (colour, width)
    "h": (FOREGROUND, 1.6),
    "loop": (FOREGROUND, 1.8),
    "c": (CELL_STATE_COLOR, 2.2),
    "loop_c": (CELL_STATE_COLOR, 2.2),
    "in": (MUTED, 1.3),
    "up": (MUTED, 1.3),
    "out": (MUTED, 1.3),
    "ff": ("#a0a0a0", 1.0),
}


def _pen(color: str, width: float, style=Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(color), width, style)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


# made once: a snapshot draws a hundred boxes and arrows
ARROW_PENS = {kind: (_pen(c, w), QColor(c)) for kind, (c, w) in _PENS.items()}
BOX_PEN, CURSOR_PEN = _pen(FOREGROUND, 1.4), _pen(CURSOR_COLOR, 3.0)
FRAME_PEN, FRAME_BRUSH = _pen(FRAME_COLOR, 1.0, Qt.PenStyle.DashLine), QBrush(QColor("#f6f6f6"))
WHITE, TRACK, BAR = QBrush(QColor("#ffffff")), QBrush(QColor("#e4e4e4")), QBrush(QColor(BAR_COLOR))
MUTED_COLOR = QColor(MUTED)


def _qrect(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


class Labels:
    """The diagram's label font, its ``TextMetrics`` and the drawing of a text with a
    subscript ("W_hh": W, then hh smaller and lower). A text's pieces are measured once."""

    def __init__(self, points: int) -> None:
        self.font = QFont()
        self.font.setPointSize(points)
        self.bold = QFont(self.font)
        self.bold.setBold(True)
        self.sub = QFont(self.font)
        self.sub.setPointSizeF(points * 0.75)
        self._fm = {False: QFontMetricsF(self.font), True: QFontMetricsF(self.bold)}
        self._sub = QFontMetricsF(self.sub)
        self._pieces: dict[tuple[str, bool], list[tuple[QFont, float, float, str]]] = {}
        # bold is the wider: measuring in bold bounds both
        self.metrics = TextMetrics(self._fm[True].height(), self.measure)

    def measure(self, text: str) -> float:
        base, sub, rest = _split(text)
        fm = self._fm[True]
        return (
            fm.horizontalAdvance(base)
            + self._sub.horizontalAdvance(sub)
            + fm.horizontalAdvance(rest)
        )

    def _layout(self, text: str, bold: bool) -> list[tuple[QFont, float, float, str]]:
        """(font, dx, dy, piece) of ``text`` centred on (0, 0), dy to the baseline."""
        if len(self._pieces) > 4000:  # x_0 … y_T labels of many runs: bounded
            self._pieces.clear()
        key = (text, bold)
        if key not in self._pieces:
            base, sub, rest = _split(text)
            main, fm = (self.bold if bold else self.font), self._fm[bold]
            widths = (fm.horizontalAdvance(base), self._sub.horizontalAdvance(sub))
            x = -(sum(widths) + fm.horizontalAdvance(rest)) / 2
            baseline = (fm.ascent() - fm.descent()) / 2
            pieces = [(main, x, baseline, base)]
            if sub:
                pieces.append((self.sub, x + widths[0], baseline + fm.height() * 0.22, sub))
            if rest:
                pieces.append((main, x + sum(widths), baseline, rest))
            self._pieces[key] = pieces
        return self._pieces[key]

    def draw(self, p: QPainter, text: str, cx: float, cy: float, bold: bool = False) -> None:
        for font, dx, dy, piece in self._layout(text, bold):
            p.setFont(font)
            p.drawText(QPointF(cx + dx, cy + dy), piece)


def _split(text: str) -> tuple[str, str, str]:
    """ "the W_hh of" → ("the W", "hh", " of"): the subscript runs from "_" to a space."""
    base, _, tail = text.partition("_")
    sub, space, rest = tail.partition(" ")
    return base, sub, space + rest


class Strips:
    """The boxes' state strips as images, one per layout entry and state ("h", "c"), each
    holding the window's steps one under the other; made once per readings and grid."""

    def __init__(self) -> None:
        self._readings: Readings | None = None
        self._images: dict[tuple, QImage] = {}

    def image(self, readings: Readings, k: int, kind: str, levels, grid) -> QImage | None:
        if readings is not self._readings:
            self._readings, self._images = readings, {}
        key = (k, kind, grid)
        if key not in self._images:
            values = readings.hidden[k] if kind == "h" else readings.cells[k]
            self._images[key] = None if values is None else _strips_image(values, levels, grid)
        return self._images[key]


def _strips_image(values: np.ndarray, levels, grid: tuple[int, int]) -> QImage:
    """(n, H) values → an image of n strips of ``grid`` (columns, rows) cells, stacked."""
    lo, hi = levels
    index = np.nan_to_num((np.asarray(values, np.float32) - lo) * (255.0 / (hi - lo)))
    rgb = map_of(levels)[np.clip(index, 0, 255).astype(np.uint8)]  # (n, H, 3)
    cols, rows = grid
    n, units = values.shape
    cells = np.empty((n, rows * cols, 3), np.uint8)
    cells[:] = EMPTY_CELL
    cells[:, :units] = rgb
    cells = np.ascontiguousarray(cells.reshape(n * rows, cols, 3))
    image = QImage(cells.data, cols, n * rows, cols * 3, QImage.Format.Format_RGB888)
    return image.copy()  # owns its pixels: ``cells`` goes away


def paint_diagram(
    p: QPainter, d: Diagram, readings: Readings | None, layout, labels: Labels, strips: Strips
) -> None:
    """Draw ``d``; the boxes' strips and bars from ``readings`` (None: empty boxes)."""
    paint_backdrop(p, d, labels)
    paint_boxes(p, d, readings, layout, labels, strips)


def paint_backdrop(p: QPainter, d: Diagram, labels: Labels) -> None:
    """Draw what does not change from one snapshot to the next: frames, arrows, the boxes'
    outlines and gate letters, the feed-forward network and the texts."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    parts = d.parts
    p.setPen(FRAME_PEN)
    p.setBrush(FRAME_BRUSH)
    for rect, alpha in parts.frames:
        if alpha > 0.01:
            p.setOpacity(alpha)
            p.drawRoundedRect(_qrect(rect), 5, 5)
    for a in parts.arrows:
        if a.alpha > 0.01:
            _arrow(p, a, labels)
    for b in parts.boxes:
        if b.alpha > 0.01:
            _shell(p, b, labels)
    p.setPen(QPen(QColor(MUTED), 1.2))
    p.setBrush(WHITE)
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


def paint_boxes(
    p: QPainter, d: Diagram, readings: Readings | None, layout, labels: Labels, strips: Strips
) -> None:
    """Draw what each box shows of a snapshot, over the backdrop: state strips, gate bars."""
    if readings is None:
        return
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    levels = {"h": fixed_levels(*layout.value_range("h"))}
    if any(name == "c" for name, _, _ in layout.ranges):
        levels["c"] = fixed_levels(*layout.value_range("c"))
    gate_levels = {name: layout.value_range(name) for name in layout.gates}
    for b in d.parts.boxes:
        if b.alpha > 0.01:
            _values(p, b, readings, levels, gate_levels, strips)
    p.setOpacity(1.0)


def _arrow(p: QPainter, a, labels: Labels) -> None:
    pen, color = ARROW_PENS.get(a.kind, ARROW_PENS["h"])
    p.setOpacity(a.alpha)
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
        p.setBrush(color)
        p.drawPolygon(head)
    if a.label:
        p.setPen(color)
        labels.draw(p, a.label, *a.label_at)


def _shell(p: QPainter, b, labels: Labels) -> None:
    """A box without its values: outline, the gate bars' tracks and letters."""
    p.setOpacity(b.alpha)
    p.setPen(CURSOR_PEN if b.cursor else BOX_PEN)
    p.setBrush(WHITE)
    p.drawRoundedRect(_qrect(b.rect.inset(-1)), 4, 4)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(TRACK)
    for _, r in b.bars:
        p.drawRect(_qrect(r))
    p.setPen(MUTED_COLOR)
    for name, x, y in b.letters:
        labels.draw(p, name, x, y)


def _values(p: QPainter, b, readings: Readings, levels, gate_levels, strips: Strips) -> None:
    """A box's values: its state strips and how far each gate bar is filled."""
    if b.t not in readings.steps:
        return
    p.setOpacity(b.alpha)
    i = readings.steps.index(b.t)
    cols, rows = b.grid
    source = QRectF(0, i * rows, cols, rows)
    for kind, strip in (("h", b.h_strip), ("c", b.c_strip)):
        if strip is not None:
            image = strips.image(readings, b.entry, kind, levels[kind], b.grid)
            if image is not None:
                # its own image, not a source rectangle: an SVG painter ignores the latter
                p.drawImage(_qrect(strip), image.copy(source.toRect()))
    if not b.bars:
        return
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(BAR)
    for (name, r), v in zip(b.bars, readings.gates[b.entry][i], strict=True):
        lo, hi = gate_levels[name]
        zero = min(max(0.0, lo), hi)
        value = min(max(float(v), lo), hi)
        top, base = sorted(r.bottom - (x - lo) / (hi - lo) * r.h for x in (value, zero))
        p.drawRect(QRectF(r.x, top, r.w, max(base - top, 0.5)))
