"""The controls above the ball arena: the banner saying what the mode asks, the legend (each
entry one unit, symbol and words, wrapping between entries), "Zoom in" and "Back to the
example".
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLayout, QPushButton, QVBoxLayout, QWidget

from rnnviz.gui.demos.arena_items import (
    ARENA_FLOOR,
    BALL_COLOR,
    FUTURE_ALPHA,
    HIDDEN_COLOR,
    PREDICTED_COLOR,
    TRUE_COLOR,
    blend,
)
from rnnviz.gui.panels._common import BACKGROUND, FOREGROUND, TEXT_PT, font

__all__ = ["BANNERS", "BallLegend", "FlowLayout"]

#: The size of the legend's symbols (the markers are big; so are their keys).
LEGEND_SYMBOL_PT = TEXT_PT + 4
#: The most entries the legend has: ball, predicted, true, hidden, later frames.
LEGEND_ENTRIES = 5

#: The banner of each mode: its text and whether it is an alarm (the snapshot model guesses).
BANNERS = {
    "next": (
        "The RNN has seen every frame so far: where does the ball go next?",
        False,
    ),
    "snapshot": (
        "Snapshot model: it sees ONE frame only, no history, so the direction is a guess "
        "(chance: 1 in {directions})",
        True,
    ),
    "gap": (
        "The ball is hidden behind the grey occluder for {gap} frames: where was it?",
        False,
    ),
}


class FlowLayout(QLayout):
    """Widgets left to right, a new row when the next one does not fit: each widget is a unit
    that is never split (a legend entry is one label, symbol and words), so rows break only
    between entries. Every row is as high as the highest widget, shown or not (a button that
    appears must not move what is under the layout), and its widgets are centred on it."""

    def __init__(self, parent=None, spacing: int = 14, row_spacing: int = 2) -> None:
        super().__init__(parent)
        self._items = []  # the QLayoutItems (the layout owns them; Python must keep them)
        self._spacing = spacing
        self._row_spacing = row_spacing

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """All in one row."""
        shown = [item.sizeHint() for item in self._items if not item.isEmpty()]
        width = sum(s.width() for s in shown) + self._spacing * max(len(shown) - 1, 0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), self.row_height() + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        """The widest widget: one per row."""
        size = QSize(0, 0)
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.sizeHint())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def rows(self, width: int) -> list[list]:
        """The shown items, row by row, for a layout ``width`` pixels wide (margins included)."""
        m = self.contentsMargins()
        room = width - m.left() - m.right()
        rows, row, used = [], [], 0
        for item in self._items:
            if item.isEmpty():  # a hidden widget
                continue
            w = item.sizeHint().width()
            if row and used + self._spacing + w > room:
                rows.append(row)
                row, used = [], 0
            used += (self._spacing if row else 0) + w
            row.append(item)
        if row:
            rows.append(row)
        return rows

    def row_height(self) -> int:
        """The height of every row: the highest widget's, hidden ones included."""
        heights = [
            (item.widget().sizeHint() if item.widget() is not None else item.sizeHint()).height()
            for item in self._items
        ]
        return max(heights, default=0)

    def _arrange(self, rect: QRect, move: bool) -> int:
        """Place the items in ``rect`` (when ``move``); returns the height they take."""
        m = self.contentsMargins()
        y = rect.y() + m.top()
        height = self.row_height()
        for i, row in enumerate(self.rows(rect.width())):
            if i:
                y += self._row_spacing
            x = rect.x() + m.left()
            for item in row:
                hint = item.sizeHint()
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self._spacing
            y += height
        return y + m.bottom() - rect.y()


class BallLegend:
    """The controls above the arena, built into ``controls`` (the panel's widget above it): the
    ``banner``, the ``legend_entries`` labels, the ``zoom_box`` check box and the
    ``back_button``, in the ``legend_row`` flow layout under the banner."""

    def __init__(self, controls: QWidget) -> None:
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setFont(font(TEXT_PT + 2, bold=True))
        # one label per legend entry, symbol and words together: never split over two lines
        self.legend_entries: list[QLabel] = []
        for _ in range(LEGEND_ENTRIES):
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setFont(font(TEXT_PT))
            label.setWordWrap(False)
            self.legend_entries.append(label)
        self.back_button = QPushButton("↩  Back to the example")
        self.back_button.setFont(font(TEXT_PT))
        self.back_button.setEnabled(False)
        self.back_button.setVisible(False)  # until a ball is thrown
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.zoom_box = QCheckBox("Zoom in")
        self.zoom_box.setFont(font(TEXT_PT))
        self.zoom_box.setChecked(True)
        self.zoom_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.zoom_box.setToolTip(
            "Frame the example's throw and predictions, larger "
            "(a thrown ball always shows the whole box)"
        )
        # the check box, the legend's entries and the button, wrapping between entries (the
        # check box first: at the end it would take a row of its own in a 400-pixel view)
        self.legend_row = FlowLayout()
        self.legend_row.addWidget(self.zoom_box)
        for label in self.legend_entries:
            self.legend_row.addWidget(label)
        self.legend_row.addWidget(self.back_button)
        column = QVBoxLayout(controls)
        column.setContentsMargins(6, 4, 6, 2)
        column.setSpacing(4)
        column.addWidget(self.banner)
        column.addLayout(self.legend_row)
        controls.setStyleSheet(f"background: {BACKGROUND}; color: {FOREGROUND};")
        controls.setVisible(True)
        self._key: tuple | None = None
        self.set_mode("next", 8, 5, False)

    def set_mode(self, mode: str, directions: int, gap: int, bidirectional: bool) -> None:
        """Say what ``mode`` asks, and the legend of what it draws (no "later frames" for a
        bidirectional network filling a gap: it has seen every frame)."""
        key = (mode, directions, gap, bidirectional)
        if key == self._key:
            return
        self._key = key
        text, alarm = BANNERS[mode]
        self.banner.setText(text.format(directions=directions, gap=gap))
        if alarm:
            style = "background: #fff0b3; border: 2px solid #E69F00; padding: 6px;"
        else:
            style = "padding: 2px 6px;"
        self.banner.setStyleSheet(f"QLabel {{ color: {FOREGROUND}; {style} }}")
        gap_mode = mode == "gap"
        what = "" if gap_mode else " next"
        # the faint dot as it looks on the arena's floor, a little stronger (it is small here)
        later = blend(BALL_COLOR, ARENA_FLOOR, 2 * FUTURE_ALPHA / 255)
        entries = [
            (BALL_COLOR, "●", "ball"),
            (PREDICTED_COLOR, "●➜", f"predicted{what}"),
            (TRUE_COLOR, "○➜", f"true{what}"),
        ]
        if gap_mode:
            entries.append((HIDDEN_COLOR, "▩", "hidden"))
        if not (gap_mode and bidirectional):  # else the network has seen every frame
            entries.append((later, "●", "later frames"))
        for index, label in enumerate(self.legend_entries):
            if index < len(entries):
                color, symbol, words = entries[index]
                label.setText(
                    f'<span style="color:{color}; font-size:{LEGEND_SYMBOL_PT}pt">{symbol}</span>'
                    f"&nbsp;{words.replace(' ', '&nbsp;')}"
                )
            label.setHidden(index >= len(entries))  # the flow layout skips a hidden entry
