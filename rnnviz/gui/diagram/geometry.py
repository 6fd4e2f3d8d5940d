"""Where every box and arrow of the network diagram goes (Qt-free).

``layout_diagram(layout, steps, cursor, fold, width, height, text)`` places the diagram of a
network of ``layout`` (a ``rnnviz.training.snapshot.Layout``) over a sequence of ``steps``
time steps in a ``width`` × ``height`` drawing area:

- folded (``fold`` = 0): one cell per layer·direction, x_t below, y_t above, and the loop that
  carries h back into the cell (W_hh); beside it the feed-forward network the slide contrasts
  it with;
- unrolled (``fold`` = 1): one box per shown time step, h_(t−1) → h_t arrows labelled W_hh
  between the boxes (running right to left in a backward row), the LSTM's cell state on its own
  track above them, "…" where the shown window cuts the sequence;
- in between, the boxes slide out of the folded cell and the arrows fade across.

The vertical layout is the same folded and unrolled: layer 1 at the bottom (next to the
inputs), the last layer at the top (next to the outputs); a bidirectional layer's forward row
under its backward row, the two framed together at each step (the layer's output is both).
The shown window of steps is centred on the time cursor and stays in 0 … steps − 1; its size
(``window_capacity``) is what the width holds, at most ``MAX_BOXES``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from rnnviz.gui.diagram.boxes import has_cell_state, min_box_width, place_box
from rnnviz.gui.diagram.feedforward import FEED_FORWARD_CAPTION, feed_forward_parts
from rnnviz.gui.diagram.shapes import Arrow, Box, Parts, Rect, Text, TextMetrics

__all__ = ["MAX_BOXES", "Diagram", "layout_diagram", "step_window", "window_capacity"]

MAX_BOXES = 12
MARGIN = 6.0
#: Room around a bidirectional layer's two boxes at one step, and between its two rows.
FRAME_PAD = 4.0
INNER_GAP = 6.0
#: An arrow head's length (the painter draws it this long).
HEAD = 7.0
#: The widest and highest a box gets (a short sequence does not stretch boxes across a screen).
MAX_BOX_W = 120.0
MAX_BOX_H = {False: 72.0, True: 96.0}  # without gates, with gates
#: The feed-forward network's share of the width when folded.
FEED_FORWARD_SHARE = 0.34
FEED_FORWARD_HIGH = 180.0
WEIGHT = "W_hh"
ARROWS = ("→", "←")
CELL_STATE_COLOR = "#009E73"  # Okabe–Ito green: the LSTM's memory track

FOLDED_CAPTIONS = (("recurrent network", "input cycles through a loop"),)
UNROLLED_CAPTION = ("unrolled: one box per time step", f"the same {WEIGHT} at every step")
#: the LSTM's second line names its green track
CELL_STATE_CAPTION = f"the same {WEIGHT} at every step · green: cell state c"


def _ramp(v: float, a: float, b: float) -> float:
    """0 below ``a``, 1 above ``b``, linear between."""
    return min(max((v - a) / (b - a), 0.0), 1.0)


def step_window(steps: int, cursor: int, capacity: int) -> range:
    """The ``capacity`` steps (fewer if the sequence is shorter) centred on ``cursor``,
    within 0 … steps − 1."""
    if steps <= 0:
        return range(0)
    n = max(1, min(int(capacity), steps))
    cursor = min(max(int(cursor), 0), steps - 1)
    start = min(max(cursor - n // 2, 0), steps - n)
    return range(start, start + n)


@dataclass(frozen=True)
class _Columns:
    """The horizontal plan: the row labels' column, the gaps, the boxes' x extents."""

    label_w: float
    side: float  # room at each end for "…" and an arrow stub
    gap: float
    capacity: int


def _columns(layout, width: float, text: TextMetrics, max_boxes: int) -> _Columns:
    label_w = max(text.measure(s) for s in _row_labels(layout)) + 12 if layout.count > 1 else 0.0
    side = text.measure("…") + 24
    gap = max(text.measure(WEIGHT) + 2 * HEAD, 28.0)
    avail = width - 2 * MARGIN - label_w - 2 * side
    cap = math.floor((avail + gap) / (min_box_width(layout) + gap))
    return _Columns(label_w, side, gap, min(max(cap, 1), max_boxes))


def window_capacity(layout, width: float, text: TextMetrics, max_boxes: int = MAX_BOXES) -> int:
    """How many steps a ``width``-wide area shows unrolled (1 … ``max_boxes``)."""
    return _columns(layout, width, text, max_boxes).capacity


def _row_labels(layout) -> list[str]:
    return [
        f"{k // layout.directions + 1} {ARROWS[k % layout.directions]}" for k in range(layout.count)
    ]


@dataclass
class Diagram:
    """The placed diagram: its ``parts`` and what they show (see the module docstring)."""

    width: float
    height: float
    steps: int
    window: range
    cursor: int
    fold: float
    text: TextMetrics
    parts: Parts = field(default_factory=Parts)

    @property
    def boxes_in(self) -> float:
        """The unrolled steps' boxes and arrows: in from a third of the way."""
        return _ramp(self.fold, 0.35, 1.0)

    @property
    def folded_in(self) -> float:
        """The loops, the feed-forward network and the folded texts: out by half-way."""
        return 1.0 - _ramp(self.fold, 0.0, 0.5)

    @property
    def unrolled_in(self) -> float:
        """The unrolled texts, in from half-way (no two texts show at once in one place)."""
        return _ramp(self.fold, 0.5, 1.0)

    @property
    def boxes(self) -> list[Box]:
        return self.parts.boxes

    def bounds(self) -> Rect:
        """The smallest rectangle around everything drawn (parts faded out to nothing left)."""
        p = self.parts
        rects = [r for r, a in p.frames if a > 0.01]
        rects += [b.rect for b in p.boxes if b.alpha > 0.01]
        rects += [a.bounds(self.text, HEAD) for a in p.arrows if a.alpha > 0.01]
        rects += [n.bounds() for n in p.nodes if n.alpha > 0.01]
        rects += [t.bounds(self.text) for t in p.texts if t.alpha > 0.01]
        out = rects[0]
        for r in rects[1:]:
            out = out.union(r)
        return out

    def step_at(self, x: float, y: float) -> int | None:
        """The time step of the box column under (x, y), or None (a faded box is not there)."""
        shown = [b for b in self.parts.boxes if b.alpha > 0.5]
        for b in sorted(shown, key=lambda b: not b.cursor):
            if b.rect.x <= x <= b.rect.right and 0 <= y <= self.height:
                return b.t
        return None


def layout_diagram(
    layout,
    steps: int,
    cursor: int,
    fold: float,
    width: float,
    height: float,
    text: TextMetrics,
    selected: int = -1,
    max_boxes: int = MAX_BOXES,
) -> Diagram:
    """Place the diagram (see the module docstring); ``selected`` is the layout entry whose
    row label is bold (the window's layer choice)."""
    fold = min(max(float(fold), 0.0), 1.0)
    cols = _columns(layout, width, text, max_boxes)
    window = step_window(steps, cursor, cols.capacity)
    cursor = min(max(int(cursor), 0), max(steps - 1, 0))
    d = Diagram(width, height, steps, window, cursor, fold, text)
    if not window:
        return d
    rows = _Rows(layout, height, text)
    folded, unrolled = _folded_x(layout, cols, width, text), _unrolled_x(cols, width, len(window))
    p = d.parts
    for i, t in enumerate(window):
        x0, w0 = folded.box
        x1, w1 = unrolled[i]
        cx = x0 + w0 / 2 + (x1 + w1 / 2 - x0 - w0 / 2) * fold
        if t == cursor:  # the folded cell becomes this step's box, narrowing early
            w = w0 + (w1 - w0) * (min(1.0, 1.6 * fold) if w1 < w0 else fold)
        else:  # the others slide out of it at their own width, fading in
            w = w1
        x, alpha = cx - w / 2, 1.0 if t == cursor else d.boxes_in
        for k in range(layout.count):
            rect = Rect(x, rows.box_top[k], w, rows.box_h)
            p.boxes.append(place_box(layout, k, t, i, rect, alpha, t == cursor, text))
    _add_columns(d, layout, rows)
    _add_recurrence(d, layout, cols)
    _add_loops(d, layout, folded.loop_w)
    _add_labels(d, layout, rows, cols, folded, unrolled, selected)
    ffn_stack, ffn_x, ffn_y = rows.feed_forward_rows(text.line)
    feed_forward_parts(p, folded.ffn, ffn_stack, ffn_x, ffn_y, rows.caption_cy, d.folded_in)
    return d


class _Rows:
    """The vertical plan, the same folded and unrolled."""

    def __init__(self, layout, height: float, text: TextMetrics) -> None:
        L, D = layout.layers, layout.directions
        line = text.line
        a = min(max(height * 0.05, 10.0), 22.0)
        extra = (D - 1) * INNER_GAP + (2 * FRAME_PAD if D == 2 else 0.0)
        caption_top = height - MARGIN - 2 * line
        room = caption_top - 4 - MARGIN  # the y labels, the stack and the x labels
        stack = room - 2 * line - 2 * a
        box_h = (stack - (L - 1) * a - L * extra) / (L * D)
        self.box_h = min(max(box_h, 4.0), MAX_BOX_H[bool(layout.gates)])
        used = L * D * self.box_h + L * extra + (L - 1) * a
        top = MARGIN + (room - used - 2 * line - 2 * a) / 2  # centred when boxes are maxed
        self.y_cy = top + line / 2
        stack_top = top + line + a
        self.stack = (stack_top, stack_top + used)
        self.room = (MARGIN, MARGIN + room)
        self.arrow = a
        self.x_cy = stack_top + used + a + line / 2
        self.caption_cy = (caption_top + line / 2, caption_top + 1.5 * line)
        self.box_top: list[float] = []
        slot_h = D * self.box_h + extra
        for k in range(layout.count):
            layer, direction = divmod(k, D)
            slot_bottom = stack_top + used - layer * (slot_h + a)
            pad = FRAME_PAD if D == 2 else 0.0
            self.box_top.append(
                slot_bottom - pad - (direction + 1) * self.box_h - direction * INNER_GAP
            )

    def feed_forward_rows(self, line: float) -> tuple[tuple[float, float], float, float]:
        """The feed-forward network's (top, bottom) of neurons and its x and y label rows: as
        the layer rows, but at least ``FEED_FORWARD_HIGH`` pixels high where there is room
        (beside a single low row of boxes its four layers would touch)."""
        top, bottom = self.stack
        lowest, highest = self.room[0] + line + self.arrow, self.room[1] - line - self.arrow
        grow = max(min(FEED_FORWARD_HIGH, highest - lowest) - (bottom - top), 0.0) / 2
        top, bottom = max(top - grow, lowest), min(bottom + grow, highest)
        return (top, bottom), bottom + self.arrow + line / 2, top - self.arrow - line / 2


@dataclass(frozen=True)
class _Folded:
    box: tuple[float, float]  # x, w of the folded cell
    loop_w: float  # the loops' reach beyond the box (one side)
    label_cx: float  # the row labels' centre
    ffn: Rect  # the feed-forward network's region (x extent; y comes from the rows)
    rnn_cx: float


def _folded_x(layout, cols: _Columns, width: float, text: TextMetrics) -> _Folded:
    loop = 26.0 if has_cell_state(layout) else 16.0
    loop_room = loop + 6 + text.measure(WEIGHT) + 4
    both = layout.directions == 2
    left = cols.label_w + (loop_room if both else 8.0)
    # the recurrent network's least room; the feed-forward one gets what is left, or is left
    # out when its caption does not fit beside it (a narrow view)
    least = max(left + loop_room + min_box_width(layout), *map(text.measure, FOLDED_CAPTIONS[0]))
    ffn_w = max(
        (width - 2 * MARGIN) * FEED_FORWARD_SHARE, max(map(text.measure, FEED_FORWARD_CAPTION))
    )
    if width - 2 * MARGIN - ffn_w - 8 < least + 8:
        ffn_w = 0.0
    region_x = MARGIN + (ffn_w + 8 if ffn_w else 0.0)
    region_w = width - MARGIN - region_x
    box_w = min(max(region_w - left - loop_room, min_box_width(layout)), 150.0)
    x = region_x + left + max(region_w - left - loop_room - box_w, 0.0) / 2
    label_cx = x - (loop_room if both else 8.0) - cols.label_w / 2
    return _Folded((x, box_w), loop, label_cx, Rect(MARGIN, 0, ffn_w, 0), region_x + region_w / 2)


def _unrolled_x(cols: _Columns, width: float, n: int) -> list[tuple[float, float]]:
    avail = width - 2 * MARGIN - cols.label_w - 2 * cols.side
    box_w = min(max((avail - (n - 1) * cols.gap) / n, 4.0), MAX_BOX_W)
    total = n * box_w + (n - 1) * cols.gap
    x0 = MARGIN + cols.label_w + cols.side + (avail - total) / 2
    return [(x0 + i * (box_w + cols.gap), box_w) for i in range(n)]


def _rows_of(d: Diagram, k: int) -> list[Box]:
    return [b for b in d.parts.boxes if b.entry == k]


def _add_columns(d: Diagram, layout, rows: _Rows) -> None:
    """Each shown step's column: x_t into layer 1, each layer into the next, the last to y_t;
    a bidirectional layer's two boxes framed together."""
    D, text = layout.directions, d.text
    for i, _t in enumerate(d.window):
        boxes = [b for b in d.parts.boxes if b.slot == i]
        alpha = boxes[0].alpha
        slots = []
        for layer in range(layout.layers):
            pair = [b.rect for b in boxes if b.entry // D == layer]
            r = pair[0] if D == 1 else pair[0].union(pair[1]).inset(-FRAME_PAD)
            if D == 2:
                d.parts.frames.append((r, alpha))
            slots.append(r)
        cx = slots[0].cx
        d.parts.arrows.append(
            Arrow(((cx, rows.x_cy - text.line / 2), (cx, slots[0].bottom)), "in", alpha)
        )
        for lower, upper in itertools.pairwise(slots):
            d.parts.arrows.append(Arrow(((cx, lower.y), (cx, upper.bottom)), "up", alpha))
        d.parts.arrows.append(
            Arrow(((cx, slots[-1].y), (cx, rows.y_cy + text.line / 2)), "out", alpha)
        )


def _add_recurrence(d: Diagram, layout, cols: _Columns) -> None:
    """h_(t−1) → h_t (and c) between consecutive boxes, and stubs to the "…" at cut ends."""
    f, line = d.boxes_in, d.text.line
    for k in range(layout.count):
        boxes = _rows_of(d, k)
        backward = k % layout.directions == 1
        tracks = [("h", boxes[0].h_strip.cy)]
        if boxes[0].c_strip is not None:
            tracks.append(("c", boxes[0].c_strip.cy))
        for kind, y in tracks:
            # W_hh over the h arrow (an RNN's) or under it (beside a gated cell's bars), where
            # it fits the box's height: a low row of a deep network leaves it to the caption
            below = bool(layout.gates)
            ly = boxes[0].h_strip.bottom + line / 2 + 1 if below else y - line / 2 - 3
            r = boxes[0].rect
            fits = kind == "h" and r.y - 2 <= ly - line / 2 and ly + line / 2 <= r.bottom + 2
            for b0, b1 in itertools.pairwise(boxes):
                x0, x1 = b0.rect.right, b1.rect.x
                if x1 - x0 < 2 * HEAD:
                    continue  # still sliding out of the folded cell
                label = WEIGHT if fits else ""
                pts = ((x1, y), (x0, y)) if backward else ((x0, y), (x1, y))
                d.parts.arrows.append(Arrow(pts, kind, f, label, ((x0 + x1) / 2, ly)))
            ends = (
                (d.window.start > 0, boxes[0].rect.x, -1),
                (d.window.stop < d.steps, boxes[-1].rect.right, 1),
            )
            for cut, x, sign in ends:
                if not cut:
                    continue
                far = x + sign * (cols.side - d.text.measure("…") - 6)
                pts = ((far, y), (x, y)) if (sign < 0) != backward else ((x, y), (far, y))
                d.parts.arrows.append(Arrow(pts, kind, f))
        for cut, x, sign in (
            (d.window.start > 0, boxes[0].rect.x, -1),
            (d.window.stop < d.steps, boxes[-1].rect.right, 1),
        ):
            if cut:
                mx = x + sign * (cols.side - d.text.measure("…") / 2 - 2)
                d.parts.texts.append(Text("…", mx, boxes[0].h_strip.cy, "more", f))


def _add_loops(d: Diagram, layout, reach: float) -> None:
    """The folded cell's loops: h back into the cell through W_hh (and the LSTM's c)."""
    alpha = d.folded_in
    if alpha <= 0.0:
        return
    text = d.text
    for b in d.parts.boxes:
        if not b.cursor:
            continue
        r = b.rect
        sign = -1 if b.entry % layout.directions == 1 else 1
        edge = r.x if sign < 0 else r.right
        loops = []
        if b.c_strip is not None:
            loops.append(("loop_c", b.c_strip.cy, r.y + r.h * 0.93, reach, "c"))
            loops.append(("loop", b.h_strip.cy, r.y + r.h * 0.8, reach * 0.55, WEIGHT))
        elif layout.gates:
            loops.append(("loop", b.h_strip.cy, r.y + r.h * 0.85, reach, WEIGHT))
        else:
            loops.append(("loop", r.y + r.h * 0.3, r.y + r.h * 0.75, reach, WEIGHT))
        for kind, y_out, y_in, w, label in loops:
            out = edge + sign * w
            pts = ((edge, y_out), (out, y_out), (out, y_in), (edge, y_in))
            lx = edge + sign * (reach + 6 + text.measure(label) / 2)
            # the c loop is named where it leaves, W_hh mid-loop (or where it returns, under c)
            ly = y_out if kind == "loop_c" else y_in if len(loops) == 2 else (y_out + y_in) / 2
            d.parts.arrows.append(Arrow(pts, kind, alpha, label, (lx, ly)))


def _add_labels(
    d: Diagram, layout, rows: _Rows, cols: _Columns, folded: _Folded, unrolled, selected: int
) -> None:
    f, p = d.fold, d.parts
    out, come = d.folded_in, d.unrolled_in
    for i, t in enumerate(d.window):
        b = next(b for b in p.boxes if b.slot == i)
        cx = b.rect.cx
        for kind, y in (("x", rows.x_cy), ("y", rows.y_cy)):
            if t == d.cursor:
                p.texts.append(Text(f"{kind}_t", cx, y, kind, out, bold=True))
                p.texts.append(Text(f"{kind}_{t}", cx, y, kind, come, bold=True))
            else:
                p.texts.append(Text(f"{kind}_{t}", cx, y, kind, b.alpha))
    if layout.count > 1:
        x_unrolled = unrolled[0][0] - cols.side - cols.label_w / 2
        x = folded.label_cx + (x_unrolled - folded.label_cx) * f
        for k, label in enumerate(_row_labels(layout)):
            y = rows.box_top[k] + rows.box_h / 2
            p.texts.append(Text(label, x, y, "row", 1.0, bold=k == selected))
    caption = UNROLLED_CAPTION
    if has_cell_state(layout):
        caption = (caption[0], CELL_STATE_CAPTION)
    for line, cy in zip(caption, rows.caption_cy, strict=True):
        p.texts.append(Text(line, d.width / 2, cy, "caption", come, bold=line is caption[0]))
    for line, cy in zip(FOLDED_CAPTIONS[0], rows.caption_cy, strict=True):
        p.texts.append(
            Text(line, folded.rnn_cx, cy, "caption", out, bold=line is FOLDED_CAPTIONS[0][0])
        )
