"""What is inside a box of the network diagram (Qt-free): where its state strips and gate
bars go, and how a long state wraps into rows of cells."""

from __future__ import annotations

import math

from rnnviz.gui.diagram.shapes import Box, Rect, TextMetrics

__all__ = ["has_cell_state", "min_box_width", "place_box", "strip_grid"]


def has_cell_state(layout) -> bool:
    """Whether the cell has a cell state c (the LSTM)."""
    return any(name == "c" for name, _, _ in layout.ranges)


def min_box_width(layout) -> float:
    """The narrowest box that still shows its strip and its gate bars."""
    return max(44.0, 11.0 * len(layout.gates) + 8.0)


def place_box(
    layout, k: int, t: int, slot: int, rect: Rect, alpha: float, cursor: bool, text: TextMetrics
) -> Box:
    """The box of entry ``k`` at step ``t`` in ``rect``: an RNN's box is its h strip; a gated
    cell's has the h strip (under the LSTM's c strip) over one bar per gate, with the gates'
    letters under the bars when the box is high enough for a line of text."""
    pad = min(max(rect.h * 0.08, 2.0), 5.0)
    inner = rect.inset(pad)
    H, gates = layout.hidden_size, layout.gates
    if not gates:
        return Box(k, t, slot, rect, alpha, cursor, inner, strip_grid(H, inner))
    letters = inner.h >= 2.6 * text.line + 8
    letter_h = text.line if letters else 0.0
    c_strip = None
    if has_cell_state(layout):
        s = inner.h * (0.17 if letters else 0.2)
        c_strip = Rect(inner.x, inner.y, inner.w, s)
        h_strip = Rect(inner.x, inner.y + s + pad, inner.w, s)
    else:
        h_strip = Rect(inner.x, inner.y, inner.w, inner.h * (0.25 if letters else 0.35))
    top, bottom = h_strip.bottom + pad, inner.bottom - letter_h
    slice_w = inner.w / len(gates)
    bar_w = min(slice_w * 0.6, 16.0)
    bars, marks = [], []
    for j, name in enumerate(gates):
        cx = inner.x + (j + 0.5) * slice_w
        bars.append((name, Rect(cx - bar_w / 2, top, bar_w, max(bottom - top, 1.0))))
        if letters:
            marks.append((name, cx, bottom + letter_h / 2))
    return Box(
        k,
        t,
        slot,
        rect,
        alpha,
        cursor,
        h_strip,
        strip_grid(H, h_strip),
        c_strip,
        tuple(bars),
        tuple(marks),
    )


def strip_grid(units: int, rect: Rect) -> tuple[int, int]:
    """(columns, rows) of the units' cells in ``rect``: one row while a cell is at least
    3 px wide, more rows (wrapped) while they stay at least 2 px high."""
    rows = 1
    while rect.w / math.ceil(units / rows) < 3.0 and rect.h / (rows + 1) >= 2.0 and rows < units:
        rows += 1
    return math.ceil(units / rows), rows
