"""`rnnviz --benchmark SECONDS --compare rnn,lstm,gru`: the window in compare mode, measured.

Every compared run trains flat out, each in its own training process; the compare page is in
sight. Measured once every run has drawn its first snapshot: the event loop's lateness (a 5 ms
timer: how much later than due it fires; p50, p99, max), how often each run's column and
curves were redrawn, and each run's updates per second.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer

__all__ = ["run_compare_benchmark"]

#: The timer whose lateness is the event loop's, in milliseconds.
TICK_MS = 5


def run_compare_benchmark(preset: str, seconds: float, cells, size: tuple[int, int]) -> dict:
    """Measure the window of ``preset`` comparing ``cells`` for ``seconds`` at ``size``."""
    from rnnviz.gui.app import _close_and_quit, make_app, offscreen_notices_silenced
    from rnnviz.gui.main_window import MainWindow
    from rnnviz.gui.quit_signals import quit_on_signals
    from rnnviz.training.presets import load_preset

    app = make_app()
    with offscreen_notices_silenced(), quit_on_signals() as quitter:
        window = MainWindow()
        quitter.watch()
        quitter.received.connect(lambda _signum: _close_and_quit(app, window))
        window.resize(*size)
        window.show()
        page = window.compare_page
        draws: dict[object, list[tuple[float, int]]] = {}
        lateness: list[float] = []
        clock = {"last": time.perf_counter(), "since": None}

        def column_drawn(handle, snapshot) -> None:
            if clock["since"] is not None:
                draws.setdefault(handle, []).append((time.perf_counter(), snapshot.iteration))

        original = page._draw  # counted around, drawn as in the window

        def draw_and_count() -> None:
            waiting = dict(page._dirty) if page.isVisible() else {}
            original()
            for handle, (snapshot, state) in waiting.items():
                if page._dirty.get(handle) != (snapshot, state):  # drawn this turn
                    column_drawn(handle, snapshot)

        page._timer.timeout.disconnect()
        page._timer.timeout.connect(draw_and_count)

        def tick() -> None:
            now = time.perf_counter()
            late = max(0.0, (now - clock["last"]) * 1e3 - TICK_MS)
            clock["last"] = now
            if clock["since"] is not None:
                if now - clock["since"] <= seconds:
                    lateness.append(late)
                return
            if page.columns and all(c.snapshot is not None for c in page.columns.values()):
                clock["since"] = now
                QTimer.singleShot(int(seconds * 1000) + 50, window.close)
                QTimer.singleShot(int(seconds * 1000) + 50, app.quit)

        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        lesson = load_preset(preset)
        window.start(preset, play=False)
        window.compare_cells(cells, lesson, True)
        timer.start()
        if quitter.signum is None:
            app.exec()
        timer.stop()
        window.close()
        window.controller.shutdown()
    if quitter.signum is not None:
        raise SystemExit(quitter.exit_code)
    late = np.array(lateness or [0.0])
    runs = {}
    for handle, seen in draws.items():
        span = seen[-1][0] - seen[0][0] if len(seen) > 1 else 0.0
        runs[handle.config.model.cell.value] = {
            "redraws_per_second": round((len(seen) - 1) / span, 1) if span > 0 else 0.0,
            "updates_per_second": round((seen[-1][1] - seen[0][1]) / span, 1) if span else 0.0,
        }
    return {
        "preset": preset,
        "seconds": seconds,
        "compare": [cell.value for cell in cells],
        "window_size": list(size),
        "training": window.controller.backend,
        "event_loop_latency_ms": {
            "p50": round(float(np.percentile(late, 50)), 2),
            "p99": round(float(np.percentile(late, 99)), 2),
            "max": round(float(late.max()), 2),
        },
        "runs": runs,
    }
