"""File → Export view…, Export all views…, Export training GIF…: pictures for slides from the
window, written as ``rnnviz render`` writes them (``picture_files.save_picture``; GIF frames as
``animation_gif`` makes them).

The view in front is the panel area's current tab: the four plots where they share the grid, one
plot where they are in tabs, a page (Network) as a whole; in compare mode, the runs side by side.
All views is the window below the toolbar and above the status bar: the lesson bar, the settings
if shown, the demo and the views.

File → Record training GIF (off until asked: each grab paints the view in front once more, 20 ms
at a time, which held the event loop up twice a second while nobody was recording): while it
is on and training runs, the view in front is grabbed every ``FRAME_INTERVAL_MS`` (at most
``MAX_FRAMES`` frames, each at most ``FRAME_BOX`` pixels at one byte a pixel: at most 58 MB).
When full, every other frame is dropped and frames are taken half as often, so the GIF always
spans the recording from its start. A new run, or another view in front, starts a new
recording; turning it off keeps the frames for Export training GIF.

Files are written to a temporary file in the same folder and then moved into place, so that a
failed write leaves no half file; a folder, a device or a pipe is refused before it is opened.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QObject, QSize, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QWidget

from rnnviz.gui.animation_gif import LAST_FRAME_MS
from rnnviz.gui.animation_gif import _frame as gif_frame
from rnnviz.gui.picture_files import picture_formats, save_picture

__all__ = ["FRAME_BOX", "MAX_FRAMES", "TrainingRecorder", "front_view", "install_export"]

#: How often the view in front is grabbed while training (doubled each time the frames fill up).
FRAME_INTERVAL_MS = 500
#: The most frames kept, and the box each frame is scaled into.
MAX_FRAMES = 120
FRAME_BOX = QSize(800, 600)
#: How long each frame of the training GIF shows.
GIF_FRAME_MS = 100

_UMASK = os.umask(0)
os.umask(_UMASK)


def front_view(window) -> QWidget:
    """The view in front: the compare page while comparing, else the panel area's current tab
    (one view, the grid of views, or a page)."""
    if window.compare_page.isVisible():
        return window.compare_page
    shown = window.panel_area.shown_panels()
    if len(shown) == 1 and shown[0] in window.panel_area.panels:
        return shown[0]
    page = next((p for p, _ in window.panel_area.pages if shown and shown[0] in p.views), None)
    return page if page is not None else shown[0].parentWidget()


def checked_path(path: str, formats: tuple[str, ...], default: str) -> str:
    """``path`` with ``default`` as its extension if it has none; ValueError with the message
    to show when it cannot be written (unknown extension, a folder or special file, no folder)."""
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix("." + default)
    kind = target.suffix.lower().lstrip(".")
    if kind not in formats:
        listed = ", ".join("." + f for f in formats[:6])
        raise ValueError(f"{target.name}: choose a file ending in {listed}")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        pass
    except OSError as error:
        raise ValueError(f"{target}: {error.strerror}") from None
    else:
        if stat.S_ISDIR(mode):
            raise ValueError(f"{target} is a folder: choose a file name")
        if not stat.S_ISREG(mode):
            raise ValueError(f"{target} is not a regular file (a device or a pipe)")
    if not target.parent.is_dir():
        raise ValueError(f"{target.parent}: no such folder")
    return str(target)


def write_atomically(out: str, write: Callable[[str], bool]) -> None:
    """``write(temporary path)`` in ``out``'s folder, then moved onto ``out``; OSError if it
    fails (no file is left behind)."""
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        if not write(tmp):
            raise OSError(f"could not write {out}")
        os.chmod(tmp, 0o666 & ~_UMASK)  # as a file written directly would be
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class TrainingRecorder(QObject):
    """Grabs the view in front while training, once ``set_recording(True)``: ``frames``
    (palette images, all one size)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.frames: list[Image.Image] = []
        self._view: QWidget | None = None
        self._size: QSize | None = None
        self._every, self._ticks = 1, 0
        self._grabbed: QImage | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        # the palette is made on the next turn of the event loop: grab and palette together
        # held one turn for ~25 ms
        self._keeper = QTimer(self)
        self._keeper.setSingleShot(True)
        self._keeper.setInterval(0)
        self._keeper.timeout.connect(self._keep)
        window.controller.run_reset.connect(self.clear)

    @property
    def recording(self) -> bool:
        return self.timer.isActive()

    def set_recording(self, on: bool) -> None:
        """Start a new recording (``on``) or stop, keeping the frames to export."""
        if on and not self.timer.isActive():
            self.clear()
            self.timer.start()
        elif not on:
            self.timer.stop()

    def clear(self, *_args) -> None:
        """Start a new recording."""
        self.frames, self._view, self._size = [], None, None
        self._every, self._ticks, self._grabbed = 1, 0, None

    def _tick(self) -> None:
        window = self._window
        if window.controller.state != "training" or not window.isVisible():
            return
        view = front_view(window)
        if view is not self._view:
            self.clear()
            self._view = view
        self._ticks += 1
        if (self._ticks - 1) % self._every or not view.isVisible() or view.width() < 2:
            return
        image = view.grab().toImage()
        if self._size is None:
            self._size = image.size().scaled(
                image.size().boundedTo(FRAME_BOX), Qt.AspectRatioMode.KeepAspectRatio
            )
        self._grabbed = image.scaled(
            self._size,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self._keeper.start()

    def _keep(self) -> None:
        if self._grabbed is None:
            return
        self.frames.append(gif_frame(self._grabbed))
        self._grabbed = None
        if len(self.frames) > MAX_FRAMES:  # half as many, half as often: still from the start
            self.frames = self.frames[::2]
            self._every *= 2

    def write_gif(self, out: str) -> None:
        frames = self.frames
        durations = [GIF_FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]

        def write(tmp: str) -> bool:
            frames[0].save(
                tmp,
                format="GIF",
                save_all=True,
                append_images=frames[1:],
                duration=durations,
                loop=0,
            )
            return True

        write_atomically(out, write)


class WindowExport(QObject):
    """The File menu's export commands of ``window``."""

    def __init__(self, window, menu) -> None:
        super().__init__(window)
        self._window = window
        self.folder = Path.home()  # the last folder chosen
        self.recorder = TrainingRecorder(window)
        window.export_view_action = window._action(
            "Export view…", self.export_view, "Ctrl+E", "The view in front as PNG or SVG"
        )
        window.export_all_action = window._action(
            "Export all views…",
            self.export_all_views,
            "Ctrl+Shift+E",
            "The lesson bar, the demo and the views as one PNG or SVG picture",
        )
        window.record_gif_action = window._action(
            "Record training GIF",
            self.recorder.set_recording,
            tip="While on, the view in front is recorded as it trains, for Export training GIF",
        )
        window.record_gif_action.setCheckable(True)
        window.export_gif_action = window._action(
            "Export training GIF…",
            self.export_gif,
            tip="The view in front as it trained while recording, as an animated GIF",
        )
        menu.addActions(
            [
                window.export_view_action,
                window.export_all_action,
                window.record_gif_action,
                window.export_gif_action,
            ]
        )

    def _name(self, what: str, extension: str) -> str:
        lesson = self._window.lesson
        stem = f"{lesson.name if lesson is not None else 'rnnviz'}-{what}"
        return re.sub(r"[^\w.-]+", "_", stem.lower()) + "." + extension

    def _ask(self, title: str, name: str, filters: str) -> tuple[str, str]:
        path, chosen = QFileDialog.getSaveFileName(
            self._window, title, str(self.folder / name), filters
        )
        if path and Path(path).parent.is_dir():
            self.folder = Path(path).parent
        return path, chosen

    def _export_picture(self, widget: QWidget, what: str) -> None:
        filters = "PNG image (*.png);;SVG vector picture (*.svg);;All files (*)"
        path, chosen = self._ask(f"Export {what}", self._name(what, "png"), filters)
        if not path:
            return
        default = "svg" if "*.svg" in chosen else "png"
        try:
            out = checked_path(path, picture_formats(), default)
            size = widget.size()
            write_atomically(out, lambda tmp: save_picture(widget, tmp, size))
        except (OSError, ValueError) as error:
            self._window.show_error(f"Nothing exported: {error}")
            return
        self._window.statusBar().showMessage(f"Exported {out}", 10_000)

    def export_view(self) -> None:
        """File → Export view…: the view in front."""
        window = self._window
        view = front_view(window)
        title = "compare" if view is window.compare_page else "views"
        if view in window.panels or any(view is p for p, _ in window.panel_area.pages):
            title = window.panel_area.title_of(view)
        self._export_picture(view, title)

    def export_all_views(self) -> None:
        """File → Export all views…: everything below the toolbar."""
        self._export_picture(self._window.centralWidget(), "window")

    def export_gif(self) -> None:
        """File → Export training GIF…: the recorded frames of the view in front."""
        if len(self.recorder.frames) < 2:
            self._window.show_error(
                "Nothing recorded yet: turn on File → Record training GIF and train a little "
                "first. The GIF is made of the view in front as it trains "
                f"(a frame every {FRAME_INTERVAL_MS / 1000:g} s)."
            )
            return
        path, _ = self._ask("Export training GIF", self._name("training", "gif"), "GIF (*.gif)")
        if not path:
            return
        try:
            out = checked_path(path, ("gif",), "gif")
            self.recorder.write_gif(out)
        except (OSError, ValueError) as error:
            self._window.show_error(f"Nothing exported: {error}")
            return
        self._window.statusBar().showMessage(f"Exported {out}", 10_000)


def install_export(window, menu) -> WindowExport:
    """Add File → Export view / all views / training GIF to ``menu``; ``window.window_export``."""
    window.window_export = WindowExport(window, menu)
    return window.window_export
