"""Starting the window, rendering it to a picture, and measuring it.

run_window(preset, autostart)            rnnviz [--preset NAME] [--autostart]
render(preset, steps, out, panel, size)  rnnviz render --preset NAME --steps N --out F.png
run_benchmark(preset, seconds)           rnnviz --preset NAME --benchmark SECONDS
"""

from __future__ import annotations

import gc
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QSize, QTimer, qFormatLogMessage, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from rnnviz.gui import THEMES
from rnnviz.gui.quit_signals import SignalReceived, quit_on_signals
from rnnviz.resources import resource_path

__all__ = [
    "PANELS",
    "image_formats",
    "make_app",
    "offscreen_notices_silenced",
    "render",
    "run_benchmark",
    "run_window",
]

#: The benchmark's window, wide and high enough for every lesson's views in a grid.
BENCHMARK_WINDOW = (2560, 1440)

#: what ``render --panel`` can draw
PANELS = ("window", "demo", "hidden", "gates", "gradient", "loss", "diagram", "equations")

#: How many times ``render`` lays a picture out again when views it brought into sight need
#: more room (once is the rule; the grid can bring three views into sight at once).
RENDER_LAYOUT_ROUNDS = 4

#: What the offscreen platform says each time a window is shown: it has no window manager to
#: pass size hints to, which changes nothing in a picture. Matched whole, so that any other
#: message still reaches the user.
OFFSCREEN_NOTICES = frozenset({"This plugin does not support propagateSizeHints()"})


def make_app(offscreen_if_headless: bool = False) -> QApplication:
    """The application object (one per process), with rnnviz's name and icon."""
    if offscreen_if_headless and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("rnnviz")
    try:
        app.setWindowIcon(QIcon(str(resource_path("icons", "rnnviz.svg"))))
    except FileNotFoundError:
        pass
    return app


def image_formats() -> tuple[str, ...]:
    """The file extensions ``render`` can write (the format follows the extension), PNG and
    JPEG first, SVG last (``rnnviz.gui.picture_files``)."""
    from rnnviz.gui.picture_files import picture_formats

    return picture_formats()


@contextmanager
def offscreen_notices_silenced() -> Iterator[None]:
    """On the offscreen platform, drop its OFFSCREEN_NOTICES (three or four per picture, on
    stderr) while the block runs; every other message goes on to the handler that was in place
    (or, with none, to stderr as Qt would print it)."""
    if QGuiApplication.platformName() != "offscreen":
        yield
        return
    previous = []

    def handler(kind, context, message: str) -> None:
        if message in OFFSCREEN_NOTICES:
            return
        if previous and previous[0] is not None:
            previous[0](kind, context, message)
        else:
            sys.stderr.write(qFormatLogMessage(kind, context, message) + "\n")

    previous.append(qInstallMessageHandler(handler))
    try:
        yield
    finally:
        qInstallMessageHandler(previous[0])


def freeze_startup_objects() -> None:
    """Move everything made so far (modules, the window's widgets) out of the garbage
    collector's sight: its full collections then scan only what training made since, and took
    20 ms instead of … (one such pause in 6 s stalled the event loop, measured)."""
    gc.collect()
    gc.freeze()


def run_window(
    preset: str | None = None, autostart: bool = False, present: bool = False, compare=None
) -> int:
    """Open the window on ``preset`` (default: the moving ball) and run until it is closed;
    ``present``: in presentation mode (``rnnviz.gui.presenting``); ``compare``: 2 or 3 cells
    side by side on the lesson (``rnnviz.gui.compare_mode``).

    SIGINT (Ctrl+C), SIGTERM and SIGHUP close it as its close button does
    (``rnnviz.gui.quit_signals``) and the exit status is then 128 + the signal's number (130,
    143, 129); else ``app.exec()``'s.
    """
    from rnnviz.gui.main_window import MainWindow
    from rnnviz.training.presets import load_preset

    app = make_app()
    with offscreen_notices_silenced(), quit_on_signals() as quitter:
        window = MainWindow()
        quitter.received.connect(lambda _signum: _close_and_quit(app, window))
        window.show()

        def begin() -> None:  # once the event loop runs: the window is on screen first
            if not window.isVisible():  # (closed by a signal meanwhile)
                return
            freeze_startup_objects()
            window.start(preset or "moving_ball", play=autostart)
            if compare:
                window.compare_cells(compare, load_preset(preset or "moving_ball"), autostart)
            window.presentation.set_on(present)

        QTimer.singleShot(0, window, begin)
        code = app.exec()
        # delete the widgets while the application is alive: left to interpreter exit,
        # pyqtgraph's items can outlive their scene and crash the process on the way out
        window.close()  # (a no-op if it was closed)
        window.controller.shutdown()  # (the same: at once if closing stopped it)
        window.deleteLater()
        app.processEvents()
    return quitter.exit_code if quitter.signum is not None else code


def _close_and_quit(app: QApplication, window) -> None:
    """What a quit signal does: close the window (its closeEvent shuts training down), then
    leave the event loop (also when a dialog's own loop is running)."""
    window.close()
    app.quit()


def render(
    preset: str,
    steps: int,
    out: str,
    panel: str = "window",
    size: tuple[int, int] = (1800, 1000),
    settings: dict[str, str] | None = None,
    animate: bool = False,
    theme: str = "default",
) -> dict:
    """Train ``steps`` updates headless (the preset changed by dotted ``settings``), draw the
    window (or one panel) and save it to ``out``, in the format its extension names (PNG,
    JPEG, ...: see image_formats).

    The picture is exactly ``size`` pixels. Where the window or view cannot fit that size (the
    smallest sizes), it is drawn at the smallest size of the same proportions it fits and
    scaled down; the result's ``drawn_at`` says at what size (else it equals ``size``).
    ``animate``: an animated GIF of one forward + BPTT pass instead (``animation_gif``).
    ``theme`` "projector": the window in presentation mode (``rnnviz.gui.THEMES``).
    """
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; choose one of {', '.join(THEMES)}")
    if animate:
        if panel != "diagram" or Path(out).suffix.lower() != ".gif":
            raise ValueError("animate draws the diagram panel to a .gif file")
    elif panel not in PANELS:
        raise ValueError(f"unknown panel {panel!r}; choose one of {', '.join(PANELS)}")
    app = make_app(offscreen_if_headless=True)
    if not animate and Path(out).suffix.lower().lstrip(".") not in image_formats():
        raise ValueError(f"{out}: the extension names no picture format Qt can write")
    with offscreen_notices_silenced():
        return _render(app, preset, steps, out, panel, size, settings, animate, theme)


def _render(
    app: QApplication,
    preset: str,
    steps: int,
    out: str,
    panel: str,
    size: tuple[int, int],
    settings: dict[str, str] | None,
    animate: bool = False,
    theme: str = "default",
) -> dict:
    from rnnviz.training.presets import load_preset
    from rnnviz.training.trainer import Trainer

    lesson = load_preset(preset)
    config = lesson.config.with_settings(settings or {})
    trainer = Trainer(config)
    for _ in trainer.run(steps=steps, snapshot_every=None):
        pass
    snapshot = trainer.snapshot()
    # from here on Qt paints: a signal is only noted (raised inside a paint event, it was
    # swallowed by Qt or crashed the process), and the picture is then not written
    with quit_on_signals() as quitter:
        if animate:
            from rnnviz.gui.animation_gif import write_bptt_gif

            result = write_bptt_gif(app, snapshot, out, size, quitter)
        else:
            result = _draw(app, lesson, config, snapshot, out, panel, size, quitter, theme)
    if quitter.signum is not None:
        raise SignalReceived(quitter.signum)
    return result


def _draw(app, lesson, config, snapshot, out, panel, size, quitter, theme="default") -> dict:
    """Draw ``snapshot`` as ``render`` says, unless ``quitter`` noted a signal meanwhile."""
    from rnnviz.gui.controller import Controller
    from rnnviz.gui.main_window import DEMO_TABS, MainWindow
    from rnnviz.gui.picture_files import save_picture

    window = MainWindow(controller=Controller())
    window.resize(*size)
    for index, (_, task, _) in enumerate(DEMO_TABS):
        if task == config.task.value:
            window.tabs.blockSignals(True)
            window.tabs.setCurrentIndex(index)
            window.tabs.blockSignals(False)
    window.controls.show_config(config)
    runs = [lesson.config] + [c for _, c in lesson.compare_configs()]
    window.show_lesson(lesson, runs.index(config) if config in runs else None)
    if lesson.demo is not None:  # the text demo's part the lesson is about, as start() opens it
        window.text_view.set_section(lesson.demo)
    if lesson.view is not None:
        window.panel_area.bring_into_view(window.view_named(lesson.view))
    window.presentation.set_on(theme == "projector", full_screen=False)
    window.show()
    app.processEvents()
    widget = {
        "window": window,
        "demo": window.tabs.currentWidget(),
        "hidden": window.hidden_panel,
        "gates": window.gate_panel,
        "gradient": window.gradient_panel,
        "loss": window.loss_panel,
        "diagram": window.diagram_view,
        "equations": window.equations_view,
    }[panel]
    if panel == "diagram":
        window.diagram_view.set_unrolled(True, animate=False)  # the steps around the cursor
    if widget in window.panels:
        window.panel_area.bring_into_view(widget)  # a small window shows the views in tabs
    window.show_snapshot(snapshot)
    window.draw_now()
    window.set_cursor(snapshot.seq_len // 2)
    app.processEvents()
    if panel == "window":

        def draw() -> None:  # views a new layout brought into sight draw the snapshot
            window.draw_now()
            window.set_cursor(snapshot.seq_len // 2)

    else:
        # the view on its own, at the size asked for (inside the window, its layout decides);
        # taking the demo out of the window's tabs is no click on another tab (which opened
        # that tab's lesson)
        window.tabs.blockSignals(True)
        widget.setParent(None)
        window.tabs.blockSignals(False)
        widget.resize(*size)
        widget.show()

        def draw() -> None:
            widget.show_snapshot(snapshot)
            widget.set_cursor(snapshot.seq_len // 2)

        draw()
        app.processEvents()
    drawn = _lay_out_at(app, widget, QSize(*size), draw)
    ok = quitter.signum is not None or save_picture(widget, out, QSize(*size))
    if panel != "window":
        widget.close()
        widget.deleteLater()
    window.close()
    # delete the widgets while the application is alive: left to interpreter exit, pyqtgraph's
    # items can outlive their scene and crash the process on the way out
    window.deleteLater()
    app.processEvents()
    if not ok:
        raise OSError(f"could not write {out}")
    return {
        "out": out,
        "iteration": snapshot.iteration,
        "panel": panel,
        "loss": snapshot.loss,
        "size": list(size),
        "drawn_at": [drawn.width(), drawn.height()],
    }


def _lay_out_at(app: QApplication, widget: QWidget, size: QSize, draw: Callable[[], None]) -> QSize:
    """Fix ``widget`` at exactly ``size``, or, where it cannot fit (its plots need more room
    than a small picture has), at the smallest size of the same proportions it fits, to be
    scaled down to ``size``; return the size it was laid out at.

    A fixed size, as a window's own minimum would otherwise make the picture larger than asked
    (an LSTM's five gate maps grew a 1280 × 720 picture to 788 px high). ``draw`` draws the
    snapshot again: a larger layout can show views (the grid instead of tabs) that then size
    themselves, so this is repeated until the size holds.
    """
    drawn = size
    for _ in range(RENDER_LAYOUT_ROUNDS):
        least = widget.minimumSizeHint().expandedTo(QSize(1, 1))
        scale = max(1.0, least.width() / size.width(), least.height() / size.height())
        drawn = QSize(math.ceil(size.width() * scale), math.ceil(size.height() * scale))
        widget.setFixedSize(drawn)
        app.processEvents()
        draw()
        app.processEvents()
        least = widget.minimumSizeHint()
        if least.width() <= drawn.width() and least.height() <= drawn.height():
            break
    return drawn


def run_benchmark(
    preset: str, seconds: float, view: str | None = None, size=BENCHMARK_WINDOW
) -> dict:
    """Train flat out with every view live for ``seconds``, then measure the same trainer
    headless, and return the figures (event-loop latency, each view's redraws/s, steps/s).

    The clock starts once every visible view has drawn the run's first snapshot: building the
    views for a new model shape is a one-off cost, reported apart as ``first_draw_s`` and
    ``first_draw_max_stall_ms``. Headless speed is measured before and after the window (a
    fresh trainer of the same preset, no snapshots) and averaged.

    ``view`` (a name of ``presets.VIEWS``, e.g. "diagram") is brought to the front as a lesson's
    view is; by default the lesson's own. ``size``: the window's (width, height), by default
    one with room for every view in the grid; None: the size it opens at on this screen.
    (``rnnviz.gui.window_benchmark`` measures.)

    SIGINT, SIGTERM or SIGHUP ends it early, through the window's normal shutdown, with
    SystemExit (128 + the signal's number) and no figures.
    """
    from rnnviz.gui.window_benchmark import run_window_benchmark

    make_app()
    with offscreen_notices_silenced(), quit_on_signals() as quitter:
        result = run_window_benchmark(preset, seconds, quitter, view, size)
    if quitter.signum is not None:
        raise SystemExit(quitter.exit_code)
    return result


def print_json(result: dict) -> None:
    print(json.dumps(result))
