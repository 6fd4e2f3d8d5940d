"""The strip above the views that says which lesson is open and what it shows.

It holds the lesson's title and the two lines the lecturer reads out, and one button for each
run the lesson compares: "LSTM (the lesson)", "vanilla RNN", "GRU". The buttons are how the
class sees the point of a lesson such as the vanishing gradient: the same task, one click
apart, every view showing the other cell.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.controls import CELLS
from rnnviz.gui.panels._common import FOREGROUND, TEXT_PT, font
from rnnviz.training.presets import Preset, list_presets

__all__ = ["LessonBar", "run_labels"]


class LessonBar(QFrame):
    """The open lesson's title, explanation and comparison buttons.

    Signals
    -------
    variant_chosen(int)
        The user pressed a comparison button: 0 is the lesson as it is, k ≥ 1 its k-th
        ``compare`` run.
    side_by_side_toggled(bool)
        The user pressed "Side by side": compare mode on (the lesson's runs in columns) or off.
    """

    variant_chosen = Signal(int)
    side_by_side_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset: Preset | None = None
        self.place = ""
        self.setObjectName("lesson-bar")
        self.setStyleSheet(
            "QFrame#lesson-bar { background: #eef3f8; border-bottom: 1px solid #c8d3de; }"
            f"QLabel {{ color: {FOREGROUND}; }}"
            # buttons no higher than the title beside them: the bar's every pixel is taken
            # from the views on a projector's 720 px
            "QPushButton { padding: 1px 8px; }"
            "QPushButton:checked { background: #0072B2; color: white; border: 1px solid #005a8c;"
            " border-radius: 3px; padding: 1px 8px; }"
        )
        self.title = QLabel()
        self.title.setFont(font(TEXT_PT + 2, bold=True))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)  # a projector's 1280 px must not be widened by a title
        self.explanation = QLabel()
        self.explanation.setFont(font(TEXT_PT))
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        self._buttons = QButtonGroup(self)
        self._buttons.setExclusive(True)
        self._buttons.idClicked.connect(self._on_clicked)
        self._button_row = QHBoxLayout()
        self._button_row.setSpacing(6)
        self.side_by_side = QPushButton("Side by side")
        self.side_by_side.setFont(font(TEXT_PT))
        self.side_by_side.setCheckable(True)
        self.side_by_side.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays play/pause
        self.side_by_side.setToolTip(
            "Compare mode: the lesson's runs side by side, each training at once on the same "
            "data and seed; press again for one run"
        )
        self.side_by_side.toggled.connect(self.side_by_side_toggled)
        self.side_by_side.setVisible(False)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addLayout(self._button_row)
        top.addWidget(self.side_by_side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 3, 10, 4)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.explanation)
        self.setVisible(False)

    @property
    def buttons(self) -> list[QPushButton]:
        """The comparison buttons, the lesson's own first (empty without comparisons)."""
        return [self._buttons.button(k) for k in range(len(self._buttons.buttons()))]

    def show_lesson(self, preset: Preset | None, variant: int | None = 0) -> None:
        """Show ``preset`` (None: no lesson) with run ``variant`` pressed (None: none of them).
        Whether the bar is shown at all is the window's to say (a lesson, and F10)."""
        same = preset is not None and preset == self.preset
        self.preset = preset
        if same and preset.compare:
            self._check(variant)
            return
        for button in self._buttons.buttons():
            self._buttons.removeButton(button)
            self._button_row.removeWidget(button)
            button.deleteLater()
        if preset is None:
            return
        self.title.setText(preset.title)
        names = [lesson.name for lesson in list_presets()]
        #: "lesson 8 of 12": where it stands in the lecture's tour (PageDown: the next one)
        self.place = (
            f"lesson {names.index(preset.name) + 1} of {len(names)}" if preset.name in names else ""
        )
        self.explanation.setText("  ".join(preset.explanation))
        labels = run_labels(preset)
        if preset.compare:
            for k, label in enumerate(labels):
                button = QPushButton(label)
                button.setFont(font(TEXT_PT))
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays play/pause
                button.setToolTip(f"Start a new run of this lesson: {label}")
                self._buttons.addButton(button, k)
                self._button_row.addWidget(button)
            self._check(variant)
        self.side_by_side.setVisible(bool(preset.compare))

    def _check(self, variant: int | None) -> None:
        if variant is None:  # an exclusive group keeps one checked unless told otherwise
            self._buttons.setExclusive(False)
            for button in self._buttons.buttons():
                button.setChecked(False)
            self._buttons.setExclusive(True)
        else:
            self._buttons.button(variant).setChecked(True)

    @Slot(int)
    def _on_clicked(self, k: int) -> None:
        self.variant_chosen.emit(k)


def run_labels(preset: Preset) -> list[str]:
    """The names of the lesson's own run and of its comparisons, as its buttons show them:
    the lesson's own run is named by what the comparisons change."""
    keys = {key for _, settings in preset.compare for key in settings}
    model = preset.config.model
    if keys == {"model.cell"}:
        names = {value: label for label, value in CELLS}  # as the settings name them
        own = f"{names[model.cell.value]} (the lesson)"
    elif keys == {"model.bidirectional"}:
        own = "both directions (the lesson)" if model.bidirectional else "one direction"
    else:
        own = "as in the lesson"
    return [own, *(label for label, _ in preset.compare)]
