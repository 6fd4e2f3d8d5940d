"""The feed-forward network drawn beside the folded loop, as the slide contrasts them.

"Feed-forward: input information never touches a node twice" (every edge points up, to the
next layer), against "recurrent: input information cycles through a loop" (the folded cell).
"""

from __future__ import annotations

import itertools
import math

from rnnviz.gui.diagram.shapes import Arrow, Node, Parts, Text

__all__ = ["FEED_FORWARD_CAPTION", "feed_forward_parts"]

FEED_FORWARD_CAPTION = ("feed-forward network", "input never touches a node twice")
#: Neurons per layer, inputs first.
LAYER_SIZES = (3, 4, 4, 2)


def feed_forward_parts(
    parts: Parts,
    region,
    stack: tuple[float, float],
    x_cy: float,
    y_cy: float,
    caption_cy: tuple[float, float],
    alpha: float,
) -> None:
    """Add the network's neurons and edges to ``parts``: inputs at the bottom of ``stack``
    (the diagram's layer rows, top and bottom y), outputs at its top, within ``region``'s x
    extent; "x" and "y" at the rows of the inputs' and outputs' labels, the caption under it."""
    if alpha <= 0.0 or region.w <= 0:
        return
    top, bottom = stack
    n = len(LAYER_SIZES)
    widest = max(LAYER_SIZES)
    r = min(10.0, region.w / (widest * 3.0), (bottom - top) / (n * 3.0))
    r = max(r, 2.0)
    cx = region.x + region.w / 2
    layers = []
    for j, size in enumerate(LAYER_SIZES):
        y = bottom - r - j * (bottom - top - 2 * r) / (n - 1)
        pitch = min(region.w / widest, 5 * r)
        xs = [cx + (i - (size - 1) / 2) * pitch for i in range(size)]
        layers.append([(x, y) for x in xs])
        parts.nodes.extend(Node(x, y, r, alpha) for x in xs)
    for lower, upper in itertools.pairwise(layers):
        for x0, y0 in lower:
            for x1, y1 in upper:
                parts.arrows.append(
                    Arrow(_shortened((x0, y0), (x1, y1), r), "ff", alpha, head=False)
                )
    parts.arrows.append(Arrow(((cx, x_cy - 9), (cx, bottom + 1)), "in", alpha))
    parts.arrows.append(Arrow(((cx, top - 1), (cx, y_cy + 9)), "out", alpha))
    parts.texts.append(Text("x", cx, x_cy, "x", alpha))
    parts.texts.append(Text("y", cx, y_cy, "y", alpha))
    for line, cy in zip(FEED_FORWARD_CAPTION, caption_cy, strict=True):
        bold = line is FEED_FORWARD_CAPTION[0]
        parts.texts.append(Text(line, cx, cy, "caption", alpha, bold=bold))


def _shortened(a, b, r: float):
    """The segment a → b without the neurons' discs (radius ``r``) at its ends."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy) or 1.0
    ux, uy = dx / d, dy / d
    return ((a[0] + ux * r, a[1] + uy * r), (b[0] - ux * (r + 1), b[1] - uy * (r + 1)))
