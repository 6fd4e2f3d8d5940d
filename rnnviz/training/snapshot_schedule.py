"""When the training loop makes its next snapshot while training. No Qt, no NumPy.

A snapshot is due after an update when

* it is the first update of a run, or the first since play: the views show it at once, however
  long the snapshot before it took (after a new run the first snapshot is the slowest, its
  arrays not yet allocated: its cost held back the first trained one by nine times as long);
* otherwise, once both hold: ``1 / max_rate`` seconds have passed on a fixed grid (at most
  ``max_rate`` a second), and ``1/budget − 1`` times the last snapshot's cost has passed on
  the loop thread's CPU clock since that snapshot began (so it counts itself): snapshots take
  at most ``1 / (1/budget − 1)`` of the thread's time, a ninth at the default budget of 0.1,
  the count the loop kept before on the wall clock.

Costs are the loop thread's CPU time (``time.thread_time``), not the wall clock: a training
process runs at a lower priority than the window, and a snapshot interrupted by other work
counted as costly and held the next ones back by nine times as long as the interruption. For
a large model a snapshot costs a few per cent of an update (measured by
``benchmarks/bench_snapshot.py``), so every update's snapshot is made.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

__all__ = ["SnapshotSchedule"]


class SnapshotSchedule:
    """Says when the next snapshot is due (see the module docstring).

    Parameters
    ----------
    max_rate : float or None
        Snapshots per second at most (None: no limit).
    budget : float
        Largest share of the loop thread's CPU time spent making snapshots (0 < share ≤ 1).
    clock : callable
        Seconds, monotonic, for the rate (tests may pass a fake one).
    cpu_clock : callable, optional
        The loop thread's CPU seconds, for the cost (default: ``clock`` if one was given,
        else ``time.thread_time``).
    """

    def __init__(
        self,
        max_rate: float | None,
        budget: float,
        clock: Callable[[], float] = time.perf_counter,
        cpu_clock: Callable[[], float] | None = None,
    ) -> None:
        if max_rate is not None and not max_rate > 0:
            raise ValueError(f"max_snapshot_rate must be positive, got {max_rate!r}")
        if not 0 < budget <= 1:
            raise ValueError(f"snapshot_budget must be in (0, 1], got {budget!r}")
        self._interval = 0.0 if max_rate is None else 1.0 / max_rate
        # a snapshot that cost c is followed by the next c·(1/budget − 1) after it began
        self._cost_factor = 1.0 / budget - 1.0
        self._clock = clock
        default_cpu = time.thread_time if clock is time.perf_counter else clock
        self._cpu = default_cpu if cpu_clock is None else cpu_clock
        self._next_at = -math.inf  # the grid's next time
        self._cpu_due = -math.inf  # the thread's CPU time the next snapshot waits for
        self._began = self._cpu_began = 0.0
        #: The next update is the first of a run, or the first since play: shown at once.
        self.first_update = True

    def restart(self) -> None:
        """A new run began, or training resumed: the next update is shown at once."""
        self.first_update = True

    def due(self, now: float) -> bool:
        """Whether the update that ended at ``now`` is to be shown."""
        if self.first_update:
            self.first_update = False
            return True
        return now >= self._next_at and self._cpu() >= self._cpu_due

    def begin(self) -> None:
        """A snapshot is about to be made."""
        self._began, self._cpu_began = self._clock(), self._cpu()

    def made(self, now: float | None = None) -> None:
        """The snapshot begun last is made (``now``: when its update ended, if one did)."""
        cost = self._cpu() - self._cpu_began
        self._cpu_due = self._cpu_began + cost * self._cost_factor
        start = self._began if now is None else now
        interval = self._interval
        # on a fixed grid: "now + interval" would add part of a training step to every interval
        # and give 28 snapshots a second instead of 30; after a pause the grid restarts
        grid = self._next_at + interval
        self._next_at = max(grid, start) if start - grid < interval else start + interval
