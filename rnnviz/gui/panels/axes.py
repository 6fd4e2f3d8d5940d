"""Axes whose tick labels are as dense as fit and never overlap, measured with their own font.

``IntegerAxis``: whole numbers only (time steps, units, iterations). ``NumberAxis``: real numbers,
linear or, in pyqtgraph's log mode (``PlotItem.setLogMode``), powers of ten.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

__all__ = ["IntegerAxis", "NumberAxis", "decade_text", "nice_step", "power_texts"]


def nice_step(least: float, mantissas: tuple[float, ...] = (1.0, 2.0, 5.0)) -> float:
    """The smallest m × 10ⁿ (m one of ``mantissas``, n whole) that is at least ``least`` > 0."""
    exponent = math.floor(math.log10(least))
    for e in (exponent, exponent + 1):
        for m in mantissas:
            if m * 10.0**e >= least * (1 - 1e-9):
                return m * 10.0**e
    return 10.0 ** (exponent + 2)


def tick_label_room(axis: pg.AxisItem, widest: str) -> float:
    """Pixels a tick label of ``axis`` takes along it (the widest one, ``widest``, along a
    horizontal axis), with the gap it keeps from the next: measured in the axis's tick font,
    so the labels never overlap whatever the font."""
    metrics = pg.QtGui.QFontMetricsF(axis.style.get("tickFont") or axis.font())
    if axis.orientation in ("left", "right"):
        return metrics.height() + 6.0
    return metrics.horizontalAdvance(widest) + 16.0


class IntegerAxis(pg.AxisItem):
    """An axis with ticks on whole numbers only (time steps, units, iterations), spaced 1, 2,
    5, 10, 20 … apart: as densely as the labels fit, so a short axis still gets several (0, 20,
    40 over 42 steps in 120 px)."""

    def tickValues(self, minVal, maxVal, size):
        lo, hi = sorted((float(minVal), float(maxVal)))
        if not (math.isfinite(lo) and math.isfinite(hi)) or size <= 0 or hi - lo > 1e15:
            return []
        widest = max(str(math.ceil(lo)), str(math.floor(hi)), key=len)
        least = tick_label_room(self, widest) * (hi - lo) / size  # units between two labels
        step = max(1, round(nice_step(max(least, 1e-9))))
        first = math.ceil(lo / step) * step
        values = [float(v) for v in range(first, math.floor(hi) + 1, step)]
        return [(float(step), values)]


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_text(exponent: int) -> str:
    """10ⁿ as a tick label: "1", "10", "10²", "10⁻³"."""
    if exponent in (0, 1):
        return ("1", "10")[exponent]
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def power_texts(values) -> list[str]:
    """Labels of the numbers 10^v for the log₁₀ values ``values``, all in one format: plain
    ("0.01", "0.05", "2500") when every number is between 0.01 and 9999, else powers of ten
    ("10⁻³", "5×10⁻³", "2.5×10⁻⁴"; 1 … 99 stay plain, as "1" and "10" are)."""
    parts = []
    for v in values:
        exponent = math.floor(v + 1e-9)
        mantissa = float(f"{10.0 ** (v - exponent):.3g}")
        if mantissa >= 10.0:
            mantissa, exponent = 1.0, exponent + 1
        parts.append((mantissa, exponent))
    plain = all(-2 <= e <= 3 for _, e in parts)
    out = []
    for mantissa, exponent in parts:
        digits = f"{mantissa:.3g}"
        if plain or exponent in (0, 1):
            decimals = max(0, len(digits.partition(".")[2]) - exponent)
            out.append(f"{mantissa * 10.0**exponent:.{decimals}f}")
        elif mantissa == 1.0:
            out.append(decade_text(exponent))
        else:
            out.append(f"{digits}×{decade_text(exponent)}")
    return out


def _multiples(lo: float, hi: float, step: float) -> list[float]:
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [k * step + 0.0 for k in range(first, last + 1)]


def _steps(span: float, most: float):
    """1, 2, 5 × 10ⁿ from the span down, while at most ``most`` of them fit in it."""
    step = nice_step(span)
    while span / step <= most:
        yield step
        step = nice_step(step * 0.4)  # the next smaller one


def _decimals(value: float) -> int:
    return len(f"{value:.10f}".rstrip("0").partition(".")[2])


def _min_gap(values: list[float]) -> float:
    return float(np.min(np.diff(values))) if len(values) > 1 else math.inf


def _log_families(lo: float, hi: float, size: float) -> list[list[float]]:
    """Candidate tick sets over log₁₀ values lo … hi: whole decades every 1, 2, 5 … decades;
    1, 2, 5 × 10ⁿ; 1 … 9 × 10ⁿ; evenly spaced numbers (for a range inside one decade)."""
    first, last = math.floor(lo), math.ceil(hi)
    families = []
    step = 1
    while step <= max(hi - lo, 1.0) * 10:
        families.append([float(e) for e in range(math.ceil(lo / step) * step, last + 1, step)])
        step = round(nice_step(step * 1.5))
    if hi - lo <= 12:
        for ms in ((1, 2, 5), range(1, 10)):
            families.append([e + math.log10(m) for e in range(first, last + 1) for m in ms])
    if hi - lo <= 1.0:
        v_lo, v_hi = 10.0**lo, 10.0**hi
        for step in _steps(v_hi - v_lo, size / 4):
            families.append([math.log10(v) for v in _multiples(v_lo, v_hi, step) if v > 0])
    return [[v for v in f if lo - 1e-9 <= v <= hi + 1e-9] for f in families]


class NumberAxis(pg.AxisItem):
    """An axis labelled as densely as its labels fit with room to spare (``SPACING`` times their
    height), at least two wherever two fit; the next finer set of ticks goes unlabelled.

    Linear: ticks 1, 2 or 5 × 10ⁿ apart. In pyqtgraph's log mode (the view holds log₁₀ of the
    data): whole decades, 1-2-5 × 10ⁿ, 1 … 9 × 10ⁿ or evenly spaced numbers, all labels in one
    format (``power_texts``); ``zero_at`` is where the view draws zeros (no number of decades),
    labelled ``zero_text`` with no other tick within a decade above it. (pyqtgraph's own log
    ticks label every minor tick of a short range, and none when no decade is in range.)
    """

    SPACING = 1.5

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.setStyle(hideOverlappingLabels=30)  # the labels at both ends stay
        self.zero_at: float | None = None
        self.zero_text = "0"
        self._labels: dict[float, str] = {}

    def setLogMode(self, *args, **kwargs):
        self._labels = {}  # they were chosen for the other mode
        super().setLogMode(*args, **kwargs)

    def tickValues(self, minVal, maxVal, size):
        lo, hi = sorted((float(minVal), float(maxVal)))
        self._labels = {}
        if not (math.isfinite(lo) and math.isfinite(hi)) or size <= 0 or hi <= lo:
            return []
        if self.logMode and hi - lo > 400:
            return []
        room = tick_label_room(self, "5×10⁻¹⁰") * (hi - lo) / size  # a label's room, in values
        major = []
        if self.logMode and self.zero_at is not None and lo - 1e-9 <= self.zero_at <= hi + 1e-9:
            self._labels[round(self.zero_at, 9)] = self.zero_text
            major.append(self.zero_at)
            lo = max(lo, self.zero_at + max(1.0, room) - 1e-9)
            if hi <= lo:
                return [(1.0, major)]
        if self.logMode:
            families = _log_families(lo, hi, size)
        else:
            families = [_multiples(lo, hi, step) for step in _steps(hi - lo, size / 4)]
        families.sort(key=len)  # stable: the nicer of two as dense first
        several = [f for f in families if len(f) >= 2]
        fitting = [f for f in several if _min_gap(f) >= room * self.SPACING] or [
            f for f in several if _min_gap(f) >= room
        ]
        if fitting:
            labelled = fitting[-1]
        elif several:  # the sparsest set, thinned to a label's room
            labelled = []
            for v in several[0]:
                if not labelled or v - labelled[-1] >= room:
                    labelled.append(v)
        else:
            labelled = max(families, key=len, default=[])
        if self.logMode:
            texts = power_texts(labelled)
        else:
            decimals = max((_decimals(v) for v in labelled), default=0)  # 0.0, 0.5, 1.0
            texts = [f"{v:.{decimals}f}" for v in labelled]
        self._labels.update({round(v, 9): t for v, t in zip(labelled, texts, strict=True)})
        levels = [(1.0, major + labelled)]
        finer = [f for f in families if len(f) > len(labelled) and len(f) <= size / 6]
        finer = [f for f in finer if _min_gap(f) >= 3 * (hi - lo) / size]
        if finer:
            levels.append((0.3, [v for v in finer[-1] if round(v, 9) not in self._labels]))
        return levels

    def tickStrings(self, values, scale, spacing):
        # the labels were chosen with the ticks; values not among them are unlabelled ticks
        if not self._labels:  # ticks set from outside
            return super().tickStrings(values, scale, spacing)
        return [self._labels.get(round(v, 9), "") for v in values]

    def boundingRect(self):
        # pyqtgraph lets the labels at a vertical axis's ends stick out by
        # hideOverlappingLabels pixels, but not when the plot shows a grid: there a label at
        # either end was dropped (0 … 1 in 90 px showed only "0.5")
        rect = super().boundingRect()
        margin = self.style["hideOverlappingLabels"]
        if self.grid is not False and self.orientation in ("left", "right"):
            rect = rect.adjusted(0, -int(margin), 0, int(margin))
        return rect
