"""One update, slowed down: the forward pass and back-propagation through time (Qt-free).

``BpttPass`` is where an animation of one pass over a sequence of T steps stands. Its
``position`` runs from 0 to 2T: the forward pass lights step t while the position is in
[t, t + 1), the input x_t first, then the state h_t, the output y_t and the loss L_t at it
(``FORWARD_PARTS``); from T on the gradient flows back, reaching step t while the position is in
[2T − 1 − t, 2T − t). A backward-direction row of a bidirectional layer reads the sequence from
its end, so its steps are met in the mirrored order (``order``). At a whole position the step
before it is complete: "Step" moves from one such position to the next.

``GradientScale`` maps a gradient's norm to 0 … 1 on a log scale (what the arrows' width and
colour show), over the decades of the norms of the pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BACKWARD",
    "DONE",
    "FORWARD",
    "FORWARD_PARTS",
    "IDLE",
    "BpttPass",
    "GradientScale",
]

IDLE, FORWARD, BACKWARD, DONE = "idle", "forward", "backward", "done"
#: What the forward pass lights at each step, in order, each for an equal share of the step.
FORWARD_PARTS = ("input", "state", "output", "loss")
#: At most this many decades between the lowest and the highest gradient the scale tells apart,
#: and at least this many: a gradient that is kept (an LSTM's) looks kept, not spread over the
#: whole scale by its small ups and downs.
MAX_DECADES, MIN_DECADES = 12.0, 6.0
#: A norm at or below this is no gradient at all.
FLOOR = 1e-30


class BpttPass:
    """Where the animation of one forward + backward pass over ``steps`` steps stands.

    Parameters
    ----------
    steps : int
        T, the sequence's time steps (≥ 1).
    """

    def __init__(self, steps: int) -> None:
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"a pass needs at least one time step, got {steps!r}")
        self.steps = steps
        self.position = 0.0
        self.started = False

    # ---------------------------------------------------------------- moving

    @property
    def end(self) -> float:
        """The last position, 2T: the gradient has reached every step."""
        return 2.0 * self.steps

    def start(self) -> None:
        """Back to the beginning of the forward pass."""
        self.position, self.started = 0.0, True

    def stop(self) -> None:
        """No pass shown (``phase`` is IDLE)."""
        self.position, self.started = 0.0, False

    def advance(self, steps: float) -> None:
        """Move on by ``steps`` time steps (a fraction moves within a step), up to the end."""
        if not self.started:
            self.start()
        self.position = min(max(self.position + float(steps), 0.0), self.end)

    def step_once(self) -> None:
        """Move on to the start of the next step (the end after the last)."""
        if not self.started:
            self.start()
        self.position = min(math.floor(self.position + 1e-9) + 1.0, self.end)

    # ---------------------------------------------------------------- where it stands

    @property
    def phase(self) -> str:
        """IDLE (not started), FORWARD, BACKWARD, or DONE (the gradient reached t = 0)."""
        if not self.started:
            return IDLE
        if self.position >= self.end:
            return DONE
        return FORWARD if self.position <= self.steps else BACKWARD

    @property
    def finished(self) -> bool:
        return self.phase == DONE

    @property
    def step(self) -> int:
        """The time step the pass is at (the forward pass counts up, the backward one down);
        0 at the end and when idle."""
        if self.phase in (IDLE, DONE):
            return 0
        i = self._index()
        return i if i < self.steps else 2 * self.steps - 1 - i

    def _index(self) -> int:
        """Which step of the 2T the position is in: (i, i + 1], and step 0 at the start."""
        return min(max(math.ceil(self.position) - 1, 0), 2 * self.steps - 1)

    @property
    def progress(self) -> float:
        """How far through the current step, 0 … 1 (1 when done)."""
        if self.phase == DONE:
            return 1.0
        return min(max(self.position - self._index(), 0.0), 1.0)

    def order(self, t: int, reverse: bool = False) -> int:
        """When step ``t`` is met: its index in processing order (a backward-direction row,
        ``reverse``, reads the sequence from its end)."""
        return self.steps - 1 - t if reverse else t

    def forward_lit(self, t: int, reverse: bool = False) -> float:
        """How much of step ``t``'s forward pass is lit, 0 … 1 (1 once the pass is past it,
        and through the whole backward pass); 0 when idle."""
        if self.phase == IDLE:
            return 0.0
        return min(max(self.position - self.order(t, reverse), 0.0), 1.0)

    def part_lit(self, t: int, part: str, reverse: bool = False) -> bool:
        """Whether the forward pass has lit ``part`` (one of ``FORWARD_PARTS``) of step ``t``."""
        share = 1.0 / len(FORWARD_PARTS)
        return self.forward_lit(t, reverse) >= FORWARD_PARTS.index(part) * share + 1e-9

    def gradient_reached(self, t: int, reverse: bool = False) -> float:
        """How far the gradient has come into step ``t``, 0 … 1 (1 once it reached h_t and
        is on its way to t − 1); 0 until the backward pass gets there."""
        if self.phase == IDLE:
            return 0.0
        met = self.end - 1 - self.order(t, reverse)  # the position where it arrives
        return min(max(self.position - met, 0.0), 1.0)

    def describe(self) -> str:
        """What is happening, in a few words: "forward pass · t = 3", "BPTT · t = 17" …"""
        phase = self.phase
        if phase == FORWARD:
            part = FORWARD_PARTS[min(int(self.progress * len(FORWARD_PARTS) - 1e-9), 3)]
            what = {"input": "x", "state": "h", "output": "y", "loss": "L"}[part]
            return f"forward pass · t = {self.step} · {what}_{self.step}"
        if phase == BACKWARD:
            return f"back-propagation through time · t = {self.step}"
        if phase == DONE:
            return "back-propagation through time · done: the gradient reached t = 0"
        return ""

    def positions(self, per_step: int) -> list[float]:
        """The positions of an animation with ``per_step`` frames per step each way (2T·per_step
        frames): the first shows a part of step 0 lit, the last the gradient at t = 0."""
        if per_step < 1:
            raise ValueError(f"per_step must be at least 1, got {per_step}")
        n = 2 * self.steps * per_step
        return [(i + 1) / per_step if i < n else self.end for i in range(n)]


@dataclass(frozen=True)
class GradientScale:
    """Log-scale levels of gradient norms: ``level(norm)`` is 0 at ``low`` (10^low) and below,
    1 at ``high`` and above; a norm at or below ``FLOOR`` is no gradient (``None``)."""

    low: float
    high: float

    @classmethod
    def of(cls, *norms: np.ndarray) -> GradientScale:
        """The whole decades around the finite norms above the floor of all of ``norms``, from
        ``MIN_DECADES`` to ``MAX_DECADES`` below the highest."""
        values = np.concatenate([np.asarray(n, np.float64).reshape(-1) for n in norms] or [[]])
        values = values[np.isfinite(values) & (values > FLOOR)]
        if values.size == 0:
            return cls(-MIN_DECADES, 0.0)
        high = math.ceil(math.log10(values.max()))
        low = math.floor(math.log10(values.min()))
        low = min(max(low, high - MAX_DECADES), high - MIN_DECADES)
        return cls(float(low), float(high))

    def level(self, norm: float) -> float | None:
        """0 … 1 on the log scale, or None for no gradient (zero, or not a number)."""
        norm = float(norm)
        if not math.isfinite(norm) or norm <= FLOOR:
            return None
        return min(max((math.log10(norm) - self.low) / (self.high - self.low), 0.0), 1.0)
