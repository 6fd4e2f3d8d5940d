"""What the network diagram is made of, in plain numbers: rectangles, boxes, arrows, texts.

Qt-free (``geometry`` places them, ``painting`` draws them with a ``QPainter``), so that where
everything goes can be tested without a window. Coordinates are pixels of the drawing area,
y down. Every part has an ``alpha`` (0 … 1): the fold animation fades parts in and out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Arrow", "Box", "Node", "Rect", "Text", "TextMetrics"]


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle: left ``x``, top ``y``, width ``w``, height ``h``."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def inset(self, dx: float, dy: float | None = None) -> Rect:
        """The rectangle shrunk by ``dx`` left and right and ``dy`` (``dx``) top and bottom
        (grown where negative)."""
        dy = dx if dy is None else dy
        return Rect(self.x + dx, self.y + dy, max(self.w - 2 * dx, 0.0), max(self.h - 2 * dy, 0.0))

    def lerp(self, other: Rect, f: float) -> Rect:
        """The rectangle a fraction ``f`` of the way from this one to ``other``."""
        return Rect(
            self.x + (other.x - self.x) * f,
            self.y + (other.y - self.y) * f,
            self.w + (other.w - self.w) * f,
            self.h + (other.h - self.h) * f,
        )

    def union(self, other: Rect) -> Rect:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Rect(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x <= self.right and self.y <= y <= self.bottom

    def overlaps(self, other: Rect) -> bool:
        """Whether the two rectangles share more than an edge."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def within(self, outer: Rect, slack: float = 0.5) -> bool:
        """Whether this rectangle lies inside ``outer`` (``slack`` pixels of rounding allowed)."""
        return (
            self.x >= outer.x - slack
            and self.y >= outer.y - slack
            and self.right <= outer.right + slack
            and self.bottom <= outer.bottom + slack
        )


@dataclass(frozen=True)
class TextMetrics:
    """How big the diagram's labels are: a line's height and a text's width, in pixels.

    The view measures its font (``QFontMetricsF``); the tests pass plain numbers. A text may
    hold one subscript after "_" ("W_hh", "x_12"), drawn smaller and lower, as the slides write
    it; ``measure`` is given the text with its "_".
    """

    line: float
    measure: Callable[[str], float]

    def rect(self, text: str, cx: float, cy: float) -> Rect:
        """The rectangle of ``text`` centred on (cx, cy)."""
        w = self.measure(text)
        return Rect(cx - w / 2, cy - self.line / 2, w, self.line)


@dataclass(frozen=True)
class Box:
    """One cell at one time step of one row (entry ``entry`` of the layout, step ``t``).

    ``h_strip`` and ``c_strip`` (LSTM only) show the state coloured by unit in a grid of
    ``grid`` (columns, rows); ``bars`` are the gates' (name, rect), ``letters`` their labels
    ((name, x, y) centres, empty when the box is too low for them).
    """

    entry: int
    t: int
    slot: int  # index in the window of shown steps
    rect: Rect
    alpha: float
    cursor: bool
    h_strip: Rect
    grid: tuple[int, int]
    c_strip: Rect | None = None
    bars: tuple[tuple[str, Rect], ...] = ()
    letters: tuple[tuple[str, float, float], ...] = ()


@dataclass(frozen=True)
class Arrow:
    """A line through ``points`` with a head at the last point (none when ``head`` is False).

    ``kind``: "h" (h_(t−1) → h_t), "c" (the LSTM's cell state), "loop" (h back into the folded
    cell), "loop_c", "in" (x_t into the first layer), "up" (a layer into the next), "out"
    (the last layer to y_t), "ff" (an edge of the feed-forward network). ``label``, if any, is
    centred on ``label_at``.
    """

    points: tuple[tuple[float, float], ...]
    kind: str
    alpha: float
    label: str = ""
    label_at: tuple[float, float] = (0.0, 0.0)
    head: bool = True

    @property
    def length(self) -> float:
        return sum(
            abs(x1 - x0) + abs(y1 - y0)
            for (x0, y0), (x1, y1) in zip(self.points, self.points[1:], strict=False)
        )

    def bounds(self, text: TextMetrics, head: float) -> Rect:
        xs = [p[0] for p in self.points]
        ys = [p[1] for p in self.points]
        r = Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)).inset(-head)
        if self.label:
            r = r.union(text.rect(self.label, *self.label_at))
        return r


@dataclass(frozen=True)
class Text:
    """A label centred on (x, y). ``kind``: "x", "y" (a step's input and output), "row" (a row's
    layer and direction), "caption", "more" (the "…" where the window cuts the sequence)."""

    text: str
    x: float
    y: float
    kind: str
    alpha: float
    bold: bool = False
    color: str = ""

    def bounds(self, text: TextMetrics) -> Rect:
        return text.rect(self.text, self.x, self.y)


@dataclass(frozen=True)
class Node:
    """A neuron of the feed-forward network drawn beside the folded loop."""

    x: float
    y: float
    r: float
    alpha: float

    def bounds(self) -> Rect:
        return Rect(self.x - self.r, self.y - self.r, 2 * self.r, 2 * self.r)


@dataclass
class Parts:
    """Everything drawn, in drawing order (frames, arrows, boxes, nodes, texts)."""

    frames: list[tuple[Rect, float]] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
