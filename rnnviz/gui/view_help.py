"""The "?" in a view's corner: "what am I looking at?" for that one view.

``ViewHelpButton`` is a small flat "?" that shows the view's ``explain`` text (its ``about`` and
its ``formula``, ``rnnviz.gui.view``) in a tooltip when the mouse rests on it, and again, for
longer, when it is clicked. It takes no keyboard focus (the arrow keys stay with the view's time
cursor) and the text is made when it is shown, so that a view whose formula follows the cell of
its run shows the current one.

A view with a line that has room for it at its end (the panels' read-out line, a heading)
puts the button there (``with_help_button``), where it covers nothing. ``add_help_button(view)``
gives any other view one (once, however often it is called): at the end of the row its layout
begins with (a header, a tool bar), or else floating in its top-right corner, kept there as the
view is resized.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Slot
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QToolButton, QToolTip, QWidget

from rnnviz.gui.view import explain

__all__ = ["HELP_SHOWN_MS", "ViewHelpButton", "add_help_button", "with_help_button"]

#: How long a click keeps the text up (a tooltip shown by hovering goes as the mouse leaves).
HELP_SHOWN_MS = 60_000

#: The "?"'s size in points: a point under the panels' read-out text (``panels.style.TEXT_PT``,
#: not imported: the panels import this module), small in a corner.
HELP_PT = 13

#: The floating button's distance from the view's corner, in pixels.
CORNER_MARGIN = 2


class ViewHelpButton(QToolButton):
    """A "?" showing ``explain(view)`` (see the module docstring).

    Parameters
    ----------
    view : QWidget
        The view explained (``rnnviz.gui.view``).
    parent : QWidget, optional
        Where the button sits; the view itself when None.
    """

    def __init__(self, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else view)
        # a weak reference: the view owns the button, and a cycle through Python objects would
        # let the garbage collector empty the view's attributes while Qt still sends it events
        self._explained = weakref.ref(view)
        self.setText("?")
        self.setAutoRaise(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.WhatsThisCursor)
        self.setAccessibleName("What am I looking at?")
        self.setStyleSheet(
            f"QToolButton {{ font-weight: bold; font-size: {HELP_PT}pt; color: #1f4e99;"
            " border: 1px solid #9fb3d1; border-radius: 9px; padding: 0px 4px;"
            " background: rgba(255, 255, 255, 200); }"
        )
        self.clicked.connect(self.show_help)

    def help_text(self) -> str:
        """What the tooltip shows: the view's ``about`` and ``formula`` as rich text."""
        view = self._explained()
        text = "" if view is None else explain(view)
        return f"<div style='font-size:{HELP_PT}pt'>{text}</div>" if text else ""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:  # made now: the formula can follow the run
            QToolTip.showText(event.globalPos(), self.help_text(), self, QRect(), -1)
            return True
        return super().event(event)

    @Slot()
    def show_help(self) -> None:
        """Show the text under the button, for HELP_SHOWN_MS or until the mouse moves away."""
        below = self.mapToGlobal(QPoint(0, self.height()))
        QToolTip.showText(below, self.help_text(), self, QRect(), HELP_SHOWN_MS)


class _CornerKeeper(QObject):
    """Keeps a floating button in its view's top-right corner as the view is resized."""

    def __init__(self, button: ViewHelpButton) -> None:
        super().__init__(button)
        self.button = button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest):
            place_in_corner(self.button)
        return False


def place_in_corner(button: ViewHelpButton) -> None:
    """Put ``button`` in the top-right corner of its parent, above its other children."""
    parent = button.parentWidget()
    button.adjustSize()
    button.move(parent.width() - button.width() - CORNER_MARGIN, CORNER_MARGIN)
    button.raise_()


def add_help_button(view: QWidget) -> ViewHelpButton:
    """``view``'s "?" button: the one it has; else a new one at the end of the view's top row
    (where its layout begins with a row: a header, a tool bar), covering nothing; else a new
    one floating in its top-right corner."""
    existing = view.findChild(ViewHelpButton)
    if existing is not None:
        return existing
    button = ViewHelpButton(view)
    row = _top_row(view)
    if row is not None:
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        return button
    view.installEventFilter(_CornerKeeper(button))
    place_in_corner(button)
    button.show()
    return button


def _top_row(view: QWidget) -> QBoxLayout | None:
    """The left-to-right row ``view``'s layout begins with, if it does."""
    layout = view.layout()
    first = layout.itemAt(0) if layout is not None and layout.count() else None
    row = first.layout() if first is not None else None
    if isinstance(row, QBoxLayout) and row.direction() == QBoxLayout.Direction.LeftToRight:
        return row
    return None


def with_help_button(line: QWidget, view: QWidget) -> QHBoxLayout:
    """A row of ``line`` (a heading, a read-out line: it takes the width) and ``view``'s "?"
    at its end, for the view to add to its layout."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 2, 0)
    row.addWidget(line, 1)
    row.addWidget(ViewHelpButton(view), 0, Qt.AlignmentFlag.AlignTop)
    return row
