"""Drawing the BPTT animation (``bptt.BpttPass``) over a placed, painted diagram.

Forward: the steps the pass has not reached are veiled; at the step it is at, the input arrow,
the box (its state), the output arrow and the loss L_t at the output light up in turn
(vermillion). Backward: the gradient runs back along the h_(t−1) → h_t arrows, right to left
(left to right in a backward-direction row), each arrow as wide and as bright as ‖∂L/∂h_t‖ of
the step it leaves on a log scale (``bptt.GradientScale``), the LSTM's c track likewise with
‖∂L/∂c_t‖; each box the gradient reached is framed in its colour. Under the boxes, where
there is room, the whole sequence: one bar per step, as high as ‖∂L/∂h_t‖ on the same scale
(an LSTM's ‖∂L/∂c_t‖ a green mark), filled in as the gradient reaches it, so that a long
sequence's vanishing gradient is seen whole while the boxes show a window of it. The
captions' two lines say what is happening and show the scale.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QLinearGradient, QPainter, QPen, QPolygonF

from rnnviz.gui.diagram.bptt import BACKWARD, DONE, FORWARD, BpttPass, GradientScale
from rnnviz.gui.diagram.geometry import CELL_STATE_COLOR, Diagram
from rnnviz.gui.diagram.painting import CURSOR_COLOR, Labels
from rnnviz.gui.panels.axes import decade_text
from rnnviz.gui.panels.style import INFERNO_LUT
from rnnviz.training.snapshot import cell_state_norms

__all__ = ["gradient_color", "gradient_width", "paint_bptt"]

#: The part of the inferno map the arrows use: its black and its palest yellow hardly show on
#: white, so the weakest gradient is a dark purple and the strongest an orange.
LUT_FROM, LUT_TO = 25, 215
WIDTH_FROM, WIDTH_TO = 1.5, 13.0
VEIL = QColor(255, 255, 255, 200)
LIT = QColor(CURSOR_COLOR)
NO_GRADIENT = QColor("#b0b0b0")


def gradient_color(level: float | None) -> QColor:
    """The colour of a gradient at ``level`` (0 … 1 on the log scale; None: no gradient)."""
    if level is None:
        return NO_GRADIENT
    r, g, b = INFERNO_LUT[round(LUT_FROM + (LUT_TO - LUT_FROM) * level)]
    return QColor(int(r), int(g), int(b))


def gradient_width(level: float | None, widest: float = WIDTH_TO) -> float:
    """The width in pixels of an arrow carrying a gradient at ``level``, at most ``widest``."""
    widest = max(widest, WIDTH_FROM + 1.0)
    return WIDTH_FROM if level is None else WIDTH_FROM + (widest - WIDTH_FROM) * level


def paint_bptt(
    p: QPainter, d: Diagram, run: BpttPass, snapshot, labels: Labels, selected: int = 0
) -> None:
    """Draw where ``run`` stands over the diagram ``d`` of ``snapshot`` (already painted)."""
    phase = run.phase
    if phase not in (FORWARD, BACKWARD, DONE) or not d.window:
        return
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    layout = snapshot.layout
    boxes = [b for b in d.parts.boxes if b.alpha > 0.5]
    D = layout.directions
    if phase == FORWARD:
        _forward(p, d, run, boxes, D, labels)
    dc = cell_state_norms(snapshot)
    scale = GradientScale.of(snapshot.dh_norms, *(() if dc is None else (dc,)))  # once a frame
    if phase != FORWARD:
        for k in range(layout.count):
            row = sorted((b for b in boxes if b.entry == k), key=lambda b: b.t)
            _backward_row(p, run, row, k % D == 1, snapshot, k, scale, labels)
        k = min(max(selected, 0), layout.count - 1)
        _sequence_bars(p, d, run, snapshot, k, k % D == 1, scale, labels)
    _captions(p, d, run, snapshot, labels, selected, scale)


def _column_texts(d: Diagram, t: int) -> dict[str, object]:
    """The x_t and y_t labels of step ``t`` (the unrolled ones, shown)."""
    return {
        tx.kind: tx
        for tx in d.parts.texts
        if tx.kind in ("x", "y") and tx.alpha > 0.5 and tx.text == f"{tx.kind}_{t}"
    }


def _forward(p: QPainter, d: Diagram, run: BpttPass, boxes, D: int, labels: Labels) -> None:
    line = d.text.line
    for b in boxes:
        reverse = b.entry % D == 1
        previous = next(  # the box h_(t−1) (and c) comes from
            (o for o in boxes if o.entry == b.entry and o.t == b.t + (1 if reverse else -1)), None
        )
        if previous is not None and run.part_lit(b.t, "state", reverse):
            if run.forward_lit(b.t, reverse) < 1.0:
                x0 = previous.rect.x if reverse else previous.rect.right
                x1 = b.rect.right if reverse else b.rect.x
                for strip in (b.h_strip, b.c_strip):
                    if strip is not None:
                        _line_arrow(p, (x0, strip.cy), (x1, strip.cy), LIT, 3.0)
        if not run.part_lit(b.t, "state", reverse):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(VEIL)
            p.drawRect(QRectF(b.rect.x - 2, b.rect.y - 2, b.rect.w + 4, b.rect.h + 4))
        elif run.forward_lit(b.t, reverse) < 1.0:  # the step the pass is at: its box glows
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(LIT, 3.5))
            p.drawRoundedRect(QRectF(b.rect.x - 3, b.rect.y - 3, b.rect.w + 6, b.rect.h + 6), 5, 5)
    for t in d.window:
        column = [b for b in boxes if b.t == t]
        texts = _column_texts(d, t)
        if not column or "x" not in texts or "y" not in texts:
            continue
        bottom = max(b.rect.bottom for b in column)
        top = min(b.rect.y for b in column)
        x, y = texts["x"], texts["y"]
        lit = run.forward_lit(t)
        for part, y0, y1 in (
            ("input", x.y - line / 2, bottom + 1),
            ("output", top - 1, y.y + line / 2),
        ):
            if run.part_lit(t, part) and lit < 1.0:
                _line_arrow(p, (x.x, y0), (x.x, y1), LIT, 3.0)
        for text in (x, y):
            if not run.part_lit(t, "input" if text is x else "output"):
                r = d.text.rect(text.text, text.x, text.y)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(VEIL)
                p.drawRect(QRectF(r.x - 2, r.y, r.w + 4, r.h))
        if run.part_lit(t, "loss"):
            _loss_badge(p, d, y, labels, strong=lit < 1.0)


def _loss_badge(p: QPainter, d: Diagram, y, labels: Labels, strong: bool) -> None:
    """L_t beside y_t: the loss of that output."""
    t = y.text.partition("_")[2]
    text = f"L_{t}"
    w = d.text.measure(text) + 6
    cx = y.x + d.text.measure(y.text) / 2 + 4 + w / 2
    r = QRectF(cx - w / 2, y.y - d.text.line / 2, w, d.text.line)
    p.setPen(QPen(LIT, 1.5))
    p.setBrush(QBrush(LIT if strong else QColor("#ffffff")))
    p.drawRoundedRect(r, 4, 4)
    p.setPen(QColor("#ffffff") if strong else LIT)
    labels.draw(p, text, cx, y.y)


def _backward_row(
    p: QPainter, run: BpttPass, row, reverse: bool, snapshot, k: int, scale, labels
) -> None:
    """The gradient along one layer·direction's row of boxes (sorted by t)."""
    dh = np.asarray(snapshot.dh_norms)
    dc = cell_state_norms(snapshot)
    tracks = [("h", dh)]
    if dc is not None and row and row[0].c_strip is not None:
        tracks.append(("c", dc))
    # as wide as the box leaves room for: the h and c arrows of one box must not run together
    widest = WIDTH_TO if not row else row[0].rect.h * 0.22
    if len(tracks) == 2:
        widest = min(widest, abs(row[0].h_strip.cy - row[0].c_strip.cy) * 0.8)
    for b0, b1 in itertools.pairwise(row):
        # the gradient leaves the later step of processing order for the earlier one
        src, dst = (b0, b1) if reverse else (b1, b0)
        reached = run.gradient_reached(dst.t, reverse)
        if reached <= 0.0 or run.gradient_reached(src.t, reverse) < 1.0:
            continue
        for kind, norms in tracks:
            level = scale.level(norms[k, src.t])
            y = (src.h_strip if kind == "h" else src.c_strip).cy
            x0 = src.rect.x if not reverse else src.rect.right
            x1 = dst.rect.right if not reverse else dst.rect.x
            end = x0 + (x1 - x0) * reached
            width = gradient_width(level, min(widest, WIDTH_TO))
            _line_arrow(p, (x0, y), (end, y), gradient_color(level), width)
    for b in row:
        if run.gradient_reached(b.t, reverse) < 1.0:
            continue
        level = scale.level(dh[k, b.t])
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(gradient_color(level), 1.0 + (level or 0.0) * 3.0))
        p.drawRoundedRect(QRectF(b.rect.x - 3, b.rect.y - 3, b.rect.w + 6, b.rect.h + 6), 5, 5)


def _sequence_bars(
    p: QPainter, d: Diagram, run: BpttPass, snapshot, k: int, reverse: bool, scale, labels
) -> None:
    """Entry ``k``'s ‖∂L/∂h_t‖ over the whole sequence, as far as the gradient has come, in the
    room between the inputs' labels and the captions (nothing where there is too little)."""
    line = d.text.line
    xs = [t for t in d.parts.texts if t.kind == "x" and t.alpha > 0.5]
    captions = [t for t in d.parts.texts if t.kind == "caption" and t.alpha > 0.5]
    if not xs or not captions:
        return
    top = max(t.y for t in xs) + line * 2.0  # under the x labels, and a line for the title
    bottom = min(t.y for t in captions) - line
    height = min(bottom - top, 140.0)
    if height < 2.5 * line:
        return
    bottom = top + height
    T = run.steps
    left = min(b.rect.x for b in d.parts.boxes if b.alpha > 0.5)
    right = max(b.rect.right for b in d.parts.boxes if b.alpha > 0.5)
    if right - left < 2 * T:  # not even 2 px a step
        left, right = 12.0, d.width - 12.0
    pitch = (right - left) / T
    dh = np.asarray(snapshot.dh_norms)[k]
    dc = cell_state_norms(snapshot)
    dc = None if dc is None else dc[k]
    p.setPen(QColor("#444444"))
    title = "‖∂L/∂hₜ‖ at every step of the sequence" + (
        " (green: ‖∂L/∂cₜ‖)" if dc is not None else ""
    )
    labels.draw(p, title, (left + right) / 2, top - line * 0.7)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#eeeeee"))
    p.drawRect(QRectF(left, top, right - left, height))
    shown = d.window
    p.setBrush(QColor("#e0e0e0"))
    p.drawRect(QRectF(left + shown.start * pitch, top, len(shown) * pitch, height))
    bar = max(pitch * 0.7, 1.0)
    for t in range(T):
        if run.gradient_reached(t, reverse) <= 0.0:
            continue
        x = left + t * pitch + (pitch - bar) / 2
        level = scale.level(dh[t])
        h = 1.0 if level is None else max(level * height, 1.0)
        p.setBrush(gradient_color(level))
        p.drawRect(QRectF(x, bottom - h, bar, h))
        if dc is not None and (c := scale.level(dc[t])) is not None:
            p.setBrush(QColor(CELL_STATE_COLOR))
            y = bottom - c * height
            p.drawRect(QRectF(x - 1, y - 1.5, bar + 2, 3))
    p.setPen(QColor("#6b6b6b"))
    for t in sorted({0, T - 1}):
        labels.draw(p, f"t = {t}", left + (t + 0.5) * pitch, bottom + line * 0.6)


def _line_arrow(p: QPainter, a, b, color: QColor, width: float) -> None:
    """A straight arrow a → b, ``width`` wide, its head in proportion."""
    (x0, y0), (x1, y1) = a, b
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 1.0:
        return
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    head = min(max(7.0, width * 1.9), length)
    half = max(min(head * 0.5, width * 1.3), width * 0.9)
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.setPen(pen)
    p.drawLine(QPointF(x0, y0), QPointF(x1 - ux * head * 0.8, y1 - uy * head * 0.8))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawPolygon(
        QPolygonF(
            [
                QPointF(x1, y1),
                QPointF(x1 - ux * head - uy * half, y1 - uy * head + ux * half),
                QPointF(x1 - ux * head + uy * half, y1 - uy * head - ux * half),
            ]
        )
    )


def _captions(
    p: QPainter, d: Diagram, run: BpttPass, snapshot, labels: Labels, k: int, scale
) -> None:
    """The captions' two lines: what the pass is doing, and (backward) the scale."""
    lines = sorted(
        (t for t in d.parts.texts if t.kind == "caption" and t.alpha > 0.5), key=lambda t: t.y
    )
    if len(lines) < 2:
        return
    line = d.text.line
    first, second = lines[0].y, lines[-1].y
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ffffff"))
    p.drawRect(QRectF(0, first - line / 2 - 1, d.width, second - first + line + 2))
    status = run.describe()
    if run.phase == BACKWARD:
        k = min(max(k, 0), snapshot.layout.count - 1)
        status += f" · ‖∂L/∂hₜ‖ = {_norm(snapshot.dh_norms[k, run.step])}"
        dc = cell_state_norms(snapshot)
        if dc is not None:
            status += f" · ‖∂L/∂cₜ‖ = {_norm(dc[k, run.step])}"
    room = d.width - 8
    if d.text.measure(status) > room:  # a narrow view: the step, without the figures
        status = status.split(" · ‖")[0].replace("back-propagation through time", "BPTT")
    p.setPen(QColor("#000000"))
    labels.draw(p, status, d.width / 2, first, bold=True)
    if run.phase == FORWARD:
        text = "the same weights at every step · the loss L = Σₜ Lₜ scores the outputs yₜ"
        if d.text.measure(text) > room:
            text = "the same weights at every step"
        p.setPen(QColor("#444444"))
        labels.draw(p, text, d.width / 2, second)
        return
    low, high = decade_text(round(scale.low)), decade_text(round(scale.high))
    text = f"arrow width and colour: gradient norm, log scale {low}"
    ramp_w = min(160.0, d.width * 0.2)
    total = d.text.measure(text) + ramp_w + d.text.measure(high) + 16
    if total > room:
        text = f"‖∂L/∂h‖ {low}"
        total = d.text.measure(text) + ramp_w + d.text.measure(high) + 16
    x = d.width / 2 - total / 2
    p.setPen(QColor("#444444"))
    labels.draw(p, text, x + d.text.measure(text) / 2, second)
    x += d.text.measure(text) + 8
    ramp = QLinearGradient(x, 0, x + ramp_w, 0)
    for f in (0.0, 0.25, 0.5, 0.75, 1.0):
        ramp.setColorAt(f, gradient_color(f))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(ramp))
    p.drawRect(QRectF(x, second - line * 0.3, ramp_w, line * 0.6))
    p.setPen(QColor("#444444"))
    labels.draw(p, high, x + ramp_w + 8 + d.text.measure(high) / 2, second)


def _norm(value) -> str:
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    return "0" if value == 0 else f"{value:.1e}"
