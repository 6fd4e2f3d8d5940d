"""When each view draws the newest snapshot: the window's one redraw scheduler.

    scheduler = RedrawScheduler(views, {loss_panel: 0.2}, parent=window)
    controller.snapshot_ready.connect(scheduler.post)

``post`` only notes the snapshot as the newest; the views then draw it one per turn of the
event loop (``_draw_next``, on a single-shot timer), so the window answers input between them
(drawing every view at once blocked it for 15 to 40 ms, measured). A view with an interval
draws at most that often, except the first snapshot of a new run, which every view draws at
once; a view out of sight (a hidden tab) draws when it is shown (``draw_now``). A view never
draws an older snapshot than the one it drew: the newest always wins, and one posted while a
view waits replaces the one it was waiting for.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

__all__ = ["SLOW_VIEW_INTERVAL", "RedrawScheduler"]

#: Seconds between two redraws of the costlier views (by the views' names, ``View.name``): at
#: most a frame of 30 a second, however fast snapshots come (a burst of steps). Once 0.2 and
#: 0.1 s (the curves over iterations, 5 and 10 redraws a second) while their axes moved with
#: every snapshot; with steady ranges (``panels.figures.steady_range``) they draw at the
#: snapshots' 25–30 a second, as every other view does.
SLOW_VIEW_INTERVAL = {"loss": 1 / 30, "gradient": 1 / 30}


class RedrawScheduler(QObject):
    """Draws the newest snapshot in each view, one view per turn of the event loop.

    Parameters
    ----------
    views : sequence of QWidget
        Each with ``show_snapshot(snapshot)``.
    intervals : mapping, optional
        The least seconds between two redraws of a view (default: none, as soon as possible).
    parent : QObject, optional
    """

    #: ``view`` has just drawn (e.g. to look again at the room a new model shape needs).
    drawn = Signal(object)

    def __init__(
        self,
        views: Sequence[QWidget],
        intervals: Mapping[QWidget, float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._views = tuple(views)
        self._intervals = dict(intervals or {})
        self._newest = None  # the newest snapshot posted
        # the views that have not drawn it, those waiting longest first (when snapshots come
        # faster than all views draw, each still gets its turn)
        self._waiting: dict[QWidget, None] = {}
        self._urgent: set[QWidget] = set()  # a new run: draw without waiting for the interval
        self._drawn_at: dict[QWidget, float] = {}
        self._run_of: dict[QWidget, int] = {}  # view → the run of the snapshot it last drew
        self._posted: deque[float] = deque(maxlen=120)
        self._timer = QTimer(self)
        self._timer.setObjectName("view-drawer")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._draw_next)

    @Slot(object)
    def post(self, snapshot) -> None:
        """``snapshot`` is the newest: every view is to draw it (none draws it here)."""
        now = time.perf_counter()
        newest = self._newest
        if newest is None or snapshot.run_id != newest.run_id:
            self._urgent.update(self._views)
        self._newest = snapshot
        for view in self._views:
            self._waiting.setdefault(view)
        self._posted.append(now)
        self.schedule()

    def posted_per_second(self) -> float:
        """Snapshots posted over the last second."""
        now = time.perf_counter()
        return float(sum(1 for t in self._posted if now - t <= 1.0))

    @property
    def drawing(self) -> bool:
        """Whether a visible view still has a snapshot to draw."""
        return any(v.isVisible() for v in self._waiting)

    @property
    def run_shown(self) -> bool:
        """Whether every visible view has drawn a snapshot of the newest run."""
        newest = self._newest
        return newest is not None and all(
            self._run_of.get(v) == newest.run_id for v in self._views if v.isVisible()
        )

    def draw_now(self) -> None:
        """Draw the newest snapshot in every visible view that has not (pictures, tests, a
        tab shown)."""
        now = time.perf_counter()
        for view in [v for v in self._waiting if v.isVisible()]:
            self._draw(view, now)
        self.schedule()

    def schedule(self) -> None:
        """Start the timer for the earliest visible view that is waiting (a window shown)."""
        due = [self._due_at(v) for v in self._waiting if v.isVisible()]
        if not due:
            self._timer.stop()
            return
        wait = min(due) - time.perf_counter()
        wait_ms = math.ceil(wait * 1000) if wait > 0 else 0
        if not self._timer.isActive() or self._timer.remainingTime() > wait_ms:
            self._timer.start(wait_ms)

    def _due_at(self, view: QWidget) -> float:
        """When ``view`` may draw next (its interval; at once for a new run)."""
        interval = self._intervals.get(view, 0.0)
        if not interval or view in self._urgent:
            return -math.inf
        return self._drawn_at.get(view, -math.inf) + interval

    @Slot()
    def _draw_next(self) -> None:
        """Draw one waiting view, then come back on the next turn of the event loop."""
        now = time.perf_counter()
        for view in self._waiting:
            if view.isVisible() and self._due_at(view) <= now:
                self._draw(view, now)
                break
        self.schedule()

    def _draw(self, view: QWidget, now: float) -> None:
        snapshot = self._newest
        del self._waiting[view]
        self._urgent.discard(view)
        self._drawn_at[view] = now
        self._run_of[view] = snapshot.run_id
        view.show_snapshot(snapshot)
        self.drawn.emit(view)
