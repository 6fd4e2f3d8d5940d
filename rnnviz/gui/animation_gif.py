"""``rnnviz render --panel diagram --animate --out bptt.gif``: one forward + BPTT pass of the
network diagram as an animated GIF (Qt writes no GIFs; Pillow does).

The diagram view draws the pass (``diagram.bptt.BpttPass``) at each frame's position; each
frame is grabbed, reduced to a palette of 255 colours and kept, and Pillow writes them all at
the end. At least one frame per time step each way (up to ``MAX_FRAMES_PER_STEP``, the forward
pass's parts one by one), bounded: at most ``MAX_FRAMES`` frames and ``MAX_PIXELS`` pixels in
all, checked before a frame is drawn. A sequence too long for one frame per step each way within
those bounds is shown a few steps a frame, and the result says so (``steps_per_frame``).
"""

from __future__ import annotations

import math

from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from rnnviz.gui.diagram import DiagramView
from rnnviz.gui.diagram.bptt import BpttPass

__all__ = ["MAX_FRAMES", "MAX_PIXELS", "frame_plan", "write_bptt_gif"]

#: The most frames a GIF gets, and the most pixels all its frames hold together (one byte a
#: pixel once reduced to a palette: 300 MB).
MAX_FRAMES = 400
MAX_PIXELS = 300_000_000
#: Frames per time step at most: one for each part of a forward step (x, h, y, L).
MAX_FRAMES_PER_STEP = 4
#: How fast the GIF plays, in time steps a second, and how long its last frame stays.
STEPS_PER_SECOND = 4.0
LAST_FRAME_MS = 3000


def frame_plan(steps: int, size: tuple[int, int]) -> tuple[list[float], float]:
    """The positions of the pass to draw for a sequence of ``steps`` time steps at ``size``
    pixels, and how many time steps each frame moves on (1 / frames per step, or more than 1
    where the bounds leave fewer frames than 2·``steps``)."""
    width, height = size
    most = min(MAX_FRAMES, MAX_PIXELS // (width * height))
    if most < 2:
        raise ValueError(f"{width}x{height} pixels is too large a GIF frame")
    run = BpttPass(steps)
    per_step = min(MAX_FRAMES_PER_STEP, most // (2 * steps))
    if per_step >= 1:
        return run.positions(per_step), 1.0 / per_step
    stride = math.ceil(2 * steps / most)  # time steps a frame
    positions = [float(p) for p in range(stride, 2 * steps, stride)] + [run.end]
    return positions, float(stride)


def write_bptt_gif(app: QApplication, snapshot, out: str, size: tuple[int, int], quitter) -> dict:
    """Draw one forward + BPTT pass over ``snapshot``'s example on the unrolled diagram and write
    it to ``out`` as an animated GIF of ``size`` pixels (unless ``quitter`` noted a signal:
    then nothing is written)."""
    positions, step_per_frame = frame_plan(snapshot.seq_len, size)
    view = DiagramView()
    for widget in (view.fold_button, view.player, view.readout):
        widget.hide()  # the picture is the drawing alone
    view.resize(*size)
    view.show()
    app.processEvents()
    extra = view.height() - view.canvas.height()  # what is left of the bar: its margins
    view.setFixedSize(size[0], size[1] + extra)
    view.show_snapshot(snapshot)
    view.set_unrolled(True, animate=False)
    app.processEvents()
    run = BpttPass(snapshot.seq_len)
    run.start()
    view.player.run = run
    frames: list[Image.Image] = []
    for position in positions:
        if quitter.signum is not None:
            break
        run.position = position
        view.set_cursor(run.step)
        frames.append(_frame(view.canvas.grab().toImage()))
    view.close()
    view.deleteLater()
    app.processEvents()
    if quitter.signum is None:
        ms = max(round(1000 * step_per_frame / STEPS_PER_SECOND / 10) * 10, 20)
        durations = [ms] * (len(frames) - 1) + [LAST_FRAME_MS]
        frames[0].save(
            out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0
        )
    return {
        "out": out,
        "iteration": snapshot.iteration,
        "panel": "diagram",
        "animate": True,
        "frames": len(frames),
        "steps": snapshot.seq_len,
        "steps_per_frame": step_per_frame,
        "loss": snapshot.loss,
        "size": list(size),
    }


def _frame(image: QImage) -> Image.Image:
    """A grabbed picture as a palette image (255 colours: the GIF's)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = bytes(image.constBits())[: image.bytesPerLine() * h]
    rgb = Image.frombuffer("RGB", (w, h), data, "raw", "RGB", image.bytesPerLine(), 1)
    return rgb.quantize(colors=255, method=Image.Quantize.FASTOCTREE)
