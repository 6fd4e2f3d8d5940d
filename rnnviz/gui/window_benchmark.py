"""Measuring the live window: the event loop's lateness and how often each view redraws.

    probe = LatenessProbe(on_tick)        # a 5 ms timer; how much later than due it fires
    probe.measure(seconds)                # from now, for ``seconds``: lateness is kept
    lateness_summary(probe.lateness)      # {"p50": …, "p99": …, "max": …} in milliseconds

``rnnviz --benchmark S`` (``run_window_benchmark``: one lesson, the window at its opening size
or a given one) and ``rnnviz --benchmark S --compare CELLS`` (``compare_benchmark``) both
measure with these, so that their figures mean the same.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

__all__ = [
    "TICK_MS",
    "LatenessProbe",
    "lateness_summary",
    "rate_per_second",
    "run_window_benchmark",
]

#: The timer whose lateness is the event loop's, in milliseconds.
TICK_MS = 5


def lateness_summary(lateness: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of ``lateness`` (milliseconds), rounded to 0.01 ms (zeros if empty)."""
    late = np.asarray(lateness or [0.0], np.float64)  # (ticks,)
    return {
        "p50": round(float(np.percentile(late, 50)), 2),
        "p99": round(float(np.percentile(late, 99)), 2),
        "max": round(float(late.max()), 2),
    }


def seconds_since_launch() -> float | None:
    """How long ago this process started (Linux: from /proc), or None where unknown."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def rate_per_second(times: Sequence[float]) -> float:
    """Events per second between the first and the last of ``times`` (0 with fewer than 2)."""
    if len(times) < 2 or times[-1] <= times[0]:
        return 0.0
    return (len(times) - 1) / (times[-1] - times[0])


class LatenessProbe(QObject):
    """A ``TICK_MS`` timer that notes how much later than due each tick fires.

    Before ``measure`` the ticks' lateness goes to ``before`` (the start-up's stalls) and
    ``on_tick()`` is called each tick (to decide when to start); from ``measure(seconds)`` on,
    for ``seconds``, it goes to ``lateness``, and ``measuring_since`` is the clock's start;
    ``cpu_share()`` is the CPU time this process (the window, the threads that receive the
    snapshots) used over the span, per second of it: 1.0 is one core.
    """

    def __init__(self, on_tick: Callable[[], None] | None = None, parent=None) -> None:
        super().__init__(parent)
        self._on_tick = on_tick
        self.lateness: list[float] = []
        self.before: list[float] = []
        self.measuring_since: float | None = None
        self._seconds = 0.0
        self._last = time.perf_counter()
        self._cpu: list[tuple[float, float]] = []  # (clock, process time) at start and end
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def measure(self, seconds: float) -> None:
        """Keep the lateness of the ticks of the next ``seconds``."""
        self.measuring_since = time.perf_counter()
        self._seconds = seconds
        self._cpu = [(self.measuring_since, time.process_time())] * 2

    def measuring(self, now: float | None = None) -> bool:
        """Whether ``now`` (default: the clock) is inside the measured span."""
        since = self.measuring_since
        now = time.perf_counter() if now is None else now
        return since is not None and now - since <= self._seconds

    def cpu_share(self) -> float | None:
        """Seconds of CPU this process used per second measured (None before measuring)."""
        if not self._cpu or self._cpu[1][0] <= self._cpu[0][0]:
            return None
        (t0, c0), (t1, c1) = self._cpu
        return round((c1 - c0) / (t1 - t0), 3)

    def _tick(self) -> None:
        now = time.perf_counter()
        late = max(0.0, (now - self._last) * 1e3 - TICK_MS)
        self._last = now
        if self.measuring_since is not None:
            if self.measuring(now):  # not the closing itself
                self.lateness.append(late)
                self._cpu[1] = (now, time.process_time())
            return
        self.before.append(late)
        if self._on_tick is not None:
            self._on_tick()


#: Measures a fresh trainer of a preset headless, with no snapshots, at the training process's
#: lower priority (``rnnviz.training.remote.NICENESS``): the same footing as training behind
#: the window, so that other load on the machine weighs on both alike.
HEADLESS_SCRIPT = """
import os, sys, time
from rnnviz.training.remote import NICENESS
try:
    os.nice(NICENESS)
except OSError:
    pass
from rnnviz.training.presets import load_preset
from rnnviz.training.trainer import Trainer
trainer = Trainer(load_preset(sys.argv[1]).config)
for _ in range(20):
    trainer.step()
start, n = time.perf_counter(), 0
while time.perf_counter() - start < float(sys.argv[2]):
    trainer.step()
    n += 1
print(n / (time.perf_counter() - start))
"""


def headless_steps_per_second(preset: str, seconds: float, quitter=None) -> float:
    """Updates per second of ``preset`` trained headless for ``seconds`` in a process of its
    own (``HEADLESS_SCRIPT``); 0 if it failed or a signal came meanwhile."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", HEADLESS_SCRIPT, preset, repr(seconds)],
        capture_output=True,
        text=True,
        timeout=120 + seconds,
    )
    if done.returncode != 0 or (quitter is not None and quitter.signum is not None):
        return 0.0
    return float(done.stdout.strip().splitlines()[-1])


def run_window_benchmark(
    preset: str, seconds: float, quitter, view: str | None = None, size=None
) -> dict:
    """``rnnviz.gui.app.run_benchmark``'s measurement (see there); ``size`` (width, height):
    the window's size, None: the size it opens at on this screen (``window_size``)."""
    from rnnviz.gui.main_window import MainWindow
    from rnnviz.training.remote import NICENESS

    def headless(duration: float) -> float:
        return headless_steps_per_second(preset, duration, quitter)

    age = seconds_since_launch()
    # before and after the window, as the machine's speed drifts (±10 % seen on one run)
    headless_before = headless(min(seconds, 5.0) / 2)
    launched = time.perf_counter()
    app = QApplication.instance()  # (made by app.run_benchmark)
    window = MainWindow()
    quitter.watch()

    def close_and_quit(_signum: int) -> None:  # as a quit signal does in the window
        window.close()
        app.quit()

    quitter.received.connect(close_and_quit)
    window.focus_action.setChecked(False)  # every view, not only a focused lesson's
    if size is not None:
        window.resize(*size)
    window.show()
    app.processEvents()
    visible_after = time.perf_counter() - launched + (age or 0.0)  # imports included
    gc.collect()  # what the window has made is frozen, as app.freeze_startup_objects does
    gc.freeze()
    draws: dict[str, list[float]] = {}
    updates: list[tuple[float, int]] = []
    started = time.perf_counter()
    shown: list[str] = []

    def begin() -> None:
        if window.run_shown:
            probe.measure(seconds)
            shown.extend(v.name for v in window.views if v.isVisible())
            QTimer.singleShot(int(seconds * 1000) + 50, window.close)
            QTimer.singleShot(int(seconds * 1000) + 50, app.quit)

    def view_drawn(drawn_view) -> None:
        now = time.perf_counter()
        if probe.measuring(now):
            draws.setdefault(drawn_view.name, []).append(now)

    def snapshot_came(snapshot) -> None:
        now = time.perf_counter()
        if probe.measuring(now):
            updates.append((now, snapshot.iteration))

    probe = LatenessProbe(begin, window)
    window.redraw.drawn.connect(view_drawn)
    window.controller.snapshot_ready.connect(snapshot_came)
    window.start(preset, play=True)
    if view is not None:
        window.panel_area.bring_into_view(window.view_named(view))
    probe.start()
    if quitter.signum is None:  # (one that came before the window is reported once it runs)
        app.exec()
    probe.stop()
    if quitter.signum is not None:
        window.close()
        # (a signal heard while the window was being shown closed it before the run began:
        # then close() does nothing, and the run must be stopped here)
        window.controller.shutdown()
        return {}
    first_draw = (probe.measuring_since or time.perf_counter()) - started
    span = updates[-1][0] - updates[0][0] if len(updates) >= 2 else 0.0
    window_steps = (updates[-1][1] - updates[0][1]) / span if span > 0 else 0.0
    headless_after = headless(min(seconds, 5.0) / 2)
    headless_rate = (headless_before + headless_after) / 2
    per_view = {name: round(rate_per_second(draws.get(name, [])), 1) for name in shown}
    return {
        "preset": preset,
        "seconds": seconds,
        "training": window.controller.backend,
        # from the process's start (imports included; the headless measurement left out)
        "window_visible_after_s": round(visible_after, 3),
        "first_draw_s": round(first_draw, 3),
        "first_draw_max_stall_ms": round(max(probe.before or [0.0]), 1),
        "event_loop_latency_ms": lateness_summary(probe.lateness),
        "window_cpu_share": probe.cpu_share(),
        "window_size": [window.width(), window.height()],
        "views_in_sight": len(shown),
        "views_shown": shown,
        "redraws_per_second": round(rate_per_second([t for t, _ in updates]), 1),
        "view_redraws_per_second": per_view,
        "min_view_redraws_per_second": min(per_view.values(), default=0.0),
        "training_steps_per_second": round(window_steps, 1),
        "headless_steps_per_second": round(headless_rate, 1),
        "headless_before_and_after": [round(headless_before, 1), round(headless_after, 1)],
        "headless_niceness": NICENESS,
        "window_over_headless": round(window_steps / headless_rate, 3) if headless_rate else None,
    }
