"""The "What am I looking at?" box (Help menu, F1): the views' explanations, scrolling inside
a box that always fits the screen.

With the Network tab in front it explains three views with their formulas, taller than a
1280 × 720 projector: a message box grew past the screen's bottom, its OK button out of reach.
Here the text scrolls and the box is never taller than most of the screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

__all__ = ["ExplanationBox"]

#: The box's width, and its greatest share of the screen's free height.
WIDTH, SCREEN_SHARE = 620, 0.85


class ExplanationBox(QDialog):
    """A window-modal box with ``html`` in a scrolling text and an OK button."""

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("What am I looking at?")
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._fit_screen()

    def text(self) -> str:
        """The explanations, as rich text."""
        return self.browser.toHtml()

    def _fit_screen(self) -> None:
        screen = (self.parentWidget() or self).screen().availableGeometry()
        width = min(WIDTH, screen.width() - 40)
        document = self.browser.document()
        document.setTextWidth(width - 30)  # the browser's frame and scroll bar
        room = int(SCREEN_SHARE * screen.height())
        chrome = 90  # the OK button, the margins and the title bar
        self.resize(width, min(int(document.size().height()) + chrome, room))
