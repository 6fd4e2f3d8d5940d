"""Where the network diagram puts its boxes and arrows (Qt-free: rnnviz.gui.diagram.geometry)."""

from __future__ import annotations

import itertools

import pytest

from rnnviz.core import CELLS
from rnnviz.gui.diagram.geometry import MAX_BOXES, layout_diagram, step_window, window_capacity
from rnnviz.gui.diagram.shapes import Rect, TextMetrics
from rnnviz.training.snapshot import Layout

#: Made-up text sizes: the geometry is tested without fonts.
TEXT = TextMetrics(16.0, lambda s: 8.0 * len(s.replace("_", "")))

NETWORKS = {
    "rnn": ("rnn_tanh", 1, False),
    "lstm 2 layers bidirectional": ("lstm", 2, True),
    "gru": ("gru", 1, False),
    "relu 3 layers": ("rnn_relu", 3, False),
    "gru 2 layers bidirectional": ("gru", 2, True),
}


def layout_of(name: str, hidden: int = 16) -> Layout:
    cell, layers, bidirectional = NETWORKS[name]
    return Layout.of(CELLS[cell], layers, bidirectional, hidden)


def rows_of(d, k):
    return sorted((b for b in d.boxes if b.entry == k), key=lambda b: b.t)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_one_box_per_shown_step_and_row(name):
    layout = layout_of(name)
    d = layout_diagram(layout, 40, 20, 1.0, 900, 600, TEXT)
    assert len(d.window) == window_capacity(layout, 900, TEXT) < 40
    assert len(d.boxes) == len(d.window) * layout.count
    assert {b.entry for b in d.boxes} == set(range(layout.count))
    for k in range(layout.count):
        assert [b.t for b in rows_of(d, k)] == list(d.window)
        assert len({b.rect.y for b in rows_of(d, k)}) == 1, "a row is a row"
    tops = {b.entry: b.rect.y for b in d.boxes}
    assert len(set(tops.values())) == layout.count, "each layer·direction has its own row"
    layers = [tops[k] for k in range(0, layout.count, layout.directions)]
    assert layers == sorted(layers, reverse=True), "layer 1 at the bottom, next to the inputs"


@pytest.mark.parametrize("name", list(NETWORKS))
def test_arrows_join_consecutive_boxes_and_backward_rows_run_right_to_left(name):
    layout = layout_of(name)
    d = layout_diagram(layout, 40, 20, 1.0, 900, 600, TEXT)
    for k in range(layout.count):
        boxes = rows_of(d, k)
        y = boxes[0].h_strip.cy
        inner = [a for a in d.parts.arrows if a.kind == "h" and a.points[0][1] == y]
        between = [a for a in inner if min(a.points[0][0], a.points[-1][0]) >= boxes[0].rect.x]
        between = [
            a for a in between if max(a.points[0][0], a.points[-1][0]) <= boxes[-1].rect.right
        ]
        assert len(between) == len(boxes) - 1
        assert all(a.label == "W_hh" for a in between), "the same weights at each step"
        backward = k % layout.directions == 1
        for b0, b1 in itertools.pairwise(boxes):
            ends = {(b0.rect.right, y), (b1.rect.x, y)}
            a = next(a for a in between if {a.points[0], a.points[-1]} == ends)
            assert a.points[-1] == ((b0.rect.right, y) if backward else (b1.rect.x, y))


def test_the_cell_state_has_its_own_track_above_the_hidden_state():
    d = layout_diagram(layout_of("lstm 2 layers bidirectional"), 40, 5, 1.0, 900, 600, TEXT)
    for b in d.boxes:
        assert b.c_strip is not None and b.c_strip.cy < b.h_strip.cy
        assert [name for name, _ in b.bars] == ["i", "f", "g", "o"]
    c_arrows = [a for a in d.parts.arrows if a.kind == "c"]
    ys = {a.points[0][1] for a in c_arrows}
    assert ys == {b.c_strip.cy for b in d.boxes}
    gru = layout_diagram(layout_of("gru"), 40, 5, 1.0, 900, 600, TEXT)
    assert all(b.c_strip is None and len(b.bars) == 3 for b in gru.boxes)
    assert not [a for a in gru.parts.arrows if a.kind == "c"]
    rnn = layout_diagram(layout_of("rnn"), 40, 5, 1.0, 900, 600, TEXT)
    assert all(not b.bars for b in rnn.boxes)


@pytest.mark.parametrize("steps", [1, 5, 12, 40])
@pytest.mark.parametrize("capacity", [1, 4, 7, 12])
def test_the_window_follows_the_cursor_and_stays_in_range(steps, capacity):
    for cursor in range(-2, steps + 3):
        w = step_window(steps, cursor, capacity)
        assert len(w) == min(capacity, steps)
        assert 0 <= w.start and w.stop <= steps
        assert min(max(cursor, 0), steps - 1) in w
    assert step_window(0, 3, 5) == range(0)
    if steps > capacity:
        assert step_window(steps, steps - 1, capacity) != step_window(steps, 0, capacity)


def test_the_window_widens_with_the_room_up_to_a_limit():
    layout = layout_of("lstm 2 layers bidirectional")
    caps = [window_capacity(layout, w, TEXT) for w in (420, 600, 900, 1400, 3000)]
    assert caps == sorted(caps) and caps[0] >= 1 and caps[-1] == MAX_BOXES
    d = layout_diagram(layout, 40, 39, 1.0, 600, 400, TEXT)
    assert d.window.stop == 40 and 39 in d.window
    more = [t for t in d.parts.texts if t.kind == "more" and t.alpha > 0]
    assert len(more) == layout.count, "'…' only where the window cuts the sequence: the left"
    assert all(t.x < d.boxes[0].rect.x for t in more)


def test_folded_is_one_cell_a_row_with_its_loop_beside_a_feed_forward_network():
    layout = layout_of("lstm 2 layers bidirectional")
    d = layout_diagram(layout, 40, 20, 0.0, 900, 600, TEXT)
    shown = [b for b in d.boxes if b.alpha > 0]
    assert len(shown) == layout.count and all(b.t == 20 and b.cursor for b in shown)
    loops = [a for a in d.parts.arrows if a.kind == "loop" and a.alpha == 1.0]
    assert len(loops) == layout.count and all(a.label == "W_hh" for a in loops)
    for a in loops:  # out of the cell and back into it
        box = next(b for b in shown if b.rect.y <= a.points[0][1] <= b.rect.bottom)
        assert a.points[0][0] == a.points[-1][0] in (box.rect.x, box.rect.right)
    for a in loops:  # forward rows loop on the right, backward rows on the left
        box = next(b for b in shown if b.rect.y <= a.points[0][1] <= b.rect.bottom)
        outward = a.points[1][0] - a.points[0][0]
        assert (outward < 0) == (box.entry % layout.directions == 1)
    assert not [a for a in d.parts.arrows if a.kind in ("h", "c") and a.alpha > 0]
    assert [n for n in d.parts.nodes if n.alpha == 1.0], "the feed-forward network beside it"
    captions = {t.text for t in d.parts.texts if t.kind == "caption" and t.alpha == 1.0}
    assert "input never touches a node twice" in captions
    assert "input cycles through a loop" in captions


def test_unrolled_has_no_loop_and_no_feed_forward_network():
    d = layout_diagram(layout_of("rnn"), 40, 20, 1.0, 900, 600, TEXT)
    assert all(b.alpha == 1.0 for b in d.boxes)
    assert not [a for a in d.parts.arrows if a.kind.startswith("loop") and a.alpha > 0]
    assert not [n for n in d.parts.nodes if n.alpha > 0]
    assert [a for a in d.parts.arrows if a.kind == "h" and a.alpha == 1.0]


def test_half_unrolled_slides_the_boxes_out_of_the_cell():
    layout = layout_of("gru")
    folded, half, unrolled = (
        layout_diagram(layout, 40, 20, f, 900, 600, TEXT) for f in (0, 0.6, 1)
    )
    for a, b, c in zip(folded.boxes, half.boxes, unrolled.boxes, strict=True):
        assert min(a.rect.cx, c.rect.cx) <= b.rect.cx <= max(a.rect.cx, c.rect.cx)
        assert b.alpha == 1.0 if b.cursor else 0.0 < b.alpha < 1.0
    others = sorted((b for b in half.boxes if not b.cursor), key=lambda b: b.t)
    for b0, b1 in itertools.pairwise(others):
        assert b0.rect.right <= b1.rect.x, "sliding boxes do not pile up"
    shown = [t for t in half.parts.texts if t.kind == "caption" and t.alpha > 0]
    assert len({(t.x, t.y) for t in shown}) == len(shown), "never two captions on each other"


@pytest.mark.parametrize("name", list(NETWORKS))
@pytest.mark.parametrize("size", [(600, 400), (900, 600), (1900, 1000), (420, 300)])
@pytest.mark.parametrize("fold", [0.0, 0.3, 1.0])
def test_nothing_is_drawn_outside_the_area(name, size, fold):
    d = layout_diagram(layout_of(name, hidden=32), 40, 3, fold, *size, TEXT)
    assert d.bounds().within(Rect(0, 0, *size)), (d.bounds(), size)


@pytest.mark.parametrize("name", [*NETWORKS, "lstm 3 layers bidirectional"])
@pytest.mark.parametrize("size", [(600, 400), (900, 600), (1900, 1000)])
@pytest.mark.parametrize("fold", [0.0, 1.0])
def test_labels_cover_no_box_and_no_other_label(name, size, fold):
    layout = Layout.of(CELLS["lstm"], 3, True, 32) if name.startswith("lstm 3") else layout_of(name)
    d = layout_diagram(layout, 40, 20, fold, *size, TEXT)
    labels = [TEXT.rect(a.label, *a.label_at) for a in d.parts.arrows if a.label and a.alpha > 0]
    labels += [t.bounds(TEXT) for t in d.parts.texts if t.alpha > 0]
    boxes = [b.rect for b in d.boxes if b.alpha > 0]
    for i, r in enumerate(labels):
        assert not any(r.overlaps(b) for b in boxes), r
        assert not any(r.overlaps(o) for o in labels[i + 1 :]), r


def test_a_point_on_a_box_is_its_step():
    d = layout_diagram(layout_of("lstm 2 layers bidirectional"), 40, 20, 1.0, 900, 600, TEXT)
    for b in d.boxes:
        assert d.step_at(b.rect.cx, b.rect.cy) == b.t
    gap = (d.boxes[0].rect.right + 2, d.boxes[0].rect.cy)
    assert d.step_at(*gap) is None
    folded = layout_diagram(layout_of("rnn"), 40, 20, 0.0, 900, 600, TEXT)
    box = next(b for b in folded.boxes if b.cursor)
    assert folded.step_at(box.rect.cx, box.rect.cy) == 20, "the folded cell is the cursor's step"


def test_a_long_state_wraps_into_rows_of_cells():
    d = layout_diagram(layout_of("rnn", hidden=256), 40, 20, 1.0, 600, 400, TEXT)
    cols, rows = d.boxes[0].grid
    assert rows > 1 and cols * rows >= 256
    assert d.boxes[0].h_strip.w / cols >= 2.0
