"""The task's figures on fresh data, taken now and then while a run trains.

Some lessons' goals are figures that only an evaluation gives: the recall lessons' accuracy
when every gap is the full N steps, the alphabet's letters right from F, a text's loss on the
validation text. ``FreshFigures`` takes them (``Trainer.evaluate``) at most once every
``every`` seconds, and with at most ``share`` of the time between two takes spent taking them
(5 to 40 ms a take on the lessons, measured: every 2 s, 0.25 to 2 % of the time), so that the
window can say "goal reached" for every lesson as the headless check does, and training slows
by no more than ``share``.

    trainer.fresh = FreshFigures(every=2.0)   # the window's training loop; headless: off
    trainer.step(); snapshot = trainer.snapshot()
    trainer.fresh.maybe_take(trainer)         # after the update is shown: takes them when due
    snapshot.checked                          # the latest, {} before the first
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

__all__ = ["WINDOW_EVERY", "FreshFigures"]

#: Seconds at least between two takes in the window's training loop.
WINDOW_EVERY = 2.0


class FreshFigures:
    """The latest figures on fresh data of one run, and when to take the next.

    Parameters
    ----------
    every : float or None
        Seconds at least between two takes; None: never (headless, tests).
    share : float
        The most of the time between two takes that taking them may cost.
    clock : callable
        Seconds, monotonic (``time.perf_counter``).
    """

    def __init__(
        self,
        every: float | None = None,
        share: float = 0.02,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"the share of time for fresh figures is in (0, 1], got {share}")
        self.every = every
        self.share = share
        self._clock = clock
        self.figures: Mapping[str, float] = {}
        self.iteration = -1  # the update the figures are of
        self._next = -math.inf

    def reset(self) -> None:
        """Forget the figures (the run's state was replaced)."""
        self.figures = {}
        self.iteration = -1
        self._next = -math.inf

    def maybe_take(self, trainer) -> bool:
        """Take ``trainer.evaluate()`` if it is due (and the run has been trained since the
        last take); True if it was taken."""
        if self.every is None or trainer.iteration in (0, self.iteration):
            return False
        now = self._clock()
        if self._next == -math.inf:
            # the run's first take comes ``every`` seconds in: its first updates are shown
            # first (a take after update 1 held update 2 back 3.6 s at hidden 512, 200 steps)
            self._next = now + self.every
        if now < self._next:
            return False
        figures = trainer.evaluate()
        cost = self._clock() - now
        self.figures = {name: float(value) for name, value in figures.items()}
        self.iteration = trainer.iteration
        self._next = now + max(self.every, cost / self.share)
        return True
