"""The size the window opens at: most of the screen it is on, never more than the screen.

On a wide screen the window takes 90 % of the free area (what the task bar and panels leave),
up to ``LARGEST``; on a projector's 1280 × 720 it takes all of it, as the lessons are laid out
to fit that (``PROJECTOR``). The window frame (title bar and borders, drawn by the window
manager) is not part of the size Qt sets, so ``FRAME`` is kept free for it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QWidget

__all__ = ["FRAME", "LARGEST", "PROJECTOR", "SHARE", "opening_size", "place_on_screen"]

#: The largest opening size: beyond it a window only spreads the views further apart.
LARGEST = QSize(1800, 1000)
#: The share of the free area the window takes, leaving the desktop visible around it.
SHARE = 0.9
#: The screen every lesson is laid out to fit (a common projector); below it the window takes
#: the whole free area.
PROJECTOR = QSize(1280, 720)
#: Room kept for the window manager's title bar and borders (a usual frame is 30 to 40 px high).
FRAME = QSize(16, 40)


def opening_size(available: QSize, frame: QSize = FRAME) -> QSize:
    """The window's opening size on a screen whose free area is ``available``.

    90 % of the free area, at most ``LARGEST``, and at least the projector's 1280 × 720 the
    lessons fit (or all of a smaller area), always leaving ``frame`` for the window manager:
    with the frame, the window never covers more than ``available``.
    """
    room = QSize(
        max(1, available.width() - frame.width()), max(1, available.height() - frame.height())
    )
    least = PROJECTOR - frame
    width = max(round(available.width() * SHARE), least.width())
    height = max(round(available.height() * SHARE), least.height())
    return QSize(
        min(width, LARGEST.width(), room.width()), min(height, LARGEST.height(), room.height())
    )


def place_on_screen(window: QWidget) -> None:
    """Size ``window`` for the screen it will open on (the one under the mouse, as window
    managers do, else the primary one) and centre it there."""
    screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all: Qt's default size
        return
    free = screen.availableGeometry()
    size = opening_size(free.size())
    window.resize(size)
    outer = QRect(QPoint(0, 0), size + FRAME)
    outer.moveCenter(free.center())
    window.move(outer.topLeft())
