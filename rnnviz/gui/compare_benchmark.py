"""`rnnviz --benchmark SECONDS --compare rnn,lstm,gru`: the window in compare mode, measured.

Every compared run trains flat out, each in its own training process; the compare page is in
sight. Measured once every run has drawn its first snapshot: the event loop's lateness (a 5 ms
timer: how much later than due it fires; p50, p99, max), how often each run's column and
curves were redrawn, and each run's updates per second.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from rnnviz.gui.window_benchmark import LatenessProbe, lateness_summary, rate_per_second

__all__ = ["run_compare_benchmark"]


def run_compare_benchmark(preset: str, seconds: float, cells, size=None) -> dict:
    """Measure the window of ``preset`` comparing ``cells`` for ``seconds`` at ``size``
    (width, height; None: the size the window opens at on this screen)."""
    from rnnviz.gui.app import _close_and_quit, make_app, offscreen_notices_silenced
    from rnnviz.gui.main_window import MainWindow
    from rnnviz.gui.quit_signals import quit_on_signals
    from rnnviz.training.presets import load_preset

    app = make_app()
    with offscreen_notices_silenced(), quit_on_signals() as quitter:
        window = MainWindow()
        quitter.watch()
        quitter.received.connect(lambda _signum: _close_and_quit(app, window))
        if size is not None:
            window.resize(*size)
        window.show()
        page = window.compare_page
        draws: dict[object, list[tuple[float, int]]] = {}

        def column_drawn(handle, snapshot) -> None:
            if probe.measuring():
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

        def begin() -> None:
            if page.columns and all(c.snapshot is not None for c in page.columns.values()):
                probe.measure(seconds)
                QTimer.singleShot(int(seconds * 1000) + 50, window.close)
                QTimer.singleShot(int(seconds * 1000) + 50, app.quit)

        probe = LatenessProbe(begin, window)
        lesson = load_preset(preset)
        window.start(preset, play=False)
        window.compare_cells(cells, lesson, True)
        probe.start()
        if quitter.signum is None:
            app.exec()
        probe.stop()
        window.close()
        window.controller.shutdown()
    if quitter.signum is not None:
        raise SystemExit(quitter.exit_code)
    runs = {}
    for handle, seen in draws.items():
        span = seen[-1][0] - seen[0][0] if len(seen) > 1 else 0.0
        runs[handle.config.model.cell.value] = {
            "redraws_per_second": round(rate_per_second([t for t, _ in seen]), 1),
            "updates_per_second": round((seen[-1][1] - seen[0][1]) / span, 1) if span else 0.0,
        }
    return {
        "preset": preset,
        "seconds": seconds,
        "compare": [cell.value for cell in cells],
        "window_size": [window.width(), window.height()],
        "training": window.controller.backend,
        "event_loop_latency_ms": lateness_summary(probe.lateness),
        "window_cpu_share": probe.cpu_share(),
        "runs": runs,
        "min_redraws_per_second": min(
            (r["redraws_per_second"] for r in runs.values()), default=0.0
        ),
    }
