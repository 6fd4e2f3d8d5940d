"""The character model's demo view: what the network reads, predicts and writes.

From top to bottom, each part a widget of its own module:

- the title with the iteration and loss, and **Open text file…**: the file is checked
  (``read_text_file``); a good one is announced with ``text_file_chosen(path)`` (the window
  restarts the run on it), a bad one shows the ``CorpusError`` message here and emits
  ``failed(message)``;
- ``example`` (``ColouredExample``): the example text coloured by one hidden unit of the
  layer·direction the window chose (``set_layer``), with the time cursor;
- three tabs: ``keyboard`` (``PredictiveKeyboard``), ``scorer`` (``SentenceScorer``) and
  ``samples`` (``LiveSamples``). ``set_section(name)`` shows one: the window calls it when a
  lesson about that part is opened (the lesson's "demo" field).

The text fields take the keyboard only when clicked, never when their tab is shown or by Tab,
and Escape gives it back: a field with the focus takes the space bar before the window's
play/pause.

Everything that needs the network runs a private copy built from the snapshot's weights
(``TextRun``), on the GUI thread, at most every ``REFRESH_MS`` while training runs.

Signals: ``cursor_moved(int)``, ``unit_selected(int)``, ``temperature_changed(float)``,
``text_file_chosen(str)``, ``failed(str)``.
Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``set_layer(int)``,
``select_unit(int)``, ``set_section(str)``, ``open_text_file(str)``, ``refresh()``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.demos._text_widgets import BAD, MUTED, ElidedLabel, label
from rnnviz.gui.demos.coloured_example import ColouredExample
from rnnviz.gui.demos.text_keyboard import PredictiveKeyboard
from rnnviz.gui.demos.text_run import TextRun
from rnnviz.gui.demos.text_samples import LiveSamples
from rnnviz.gui.demos.text_scorer import SentenceScorer
from rnnviz.gui.panels._common import BACKGROUND, TEXT_PT, font
from rnnviz.training.demos.text import CorpusError, read_text_file
from rnnviz.training.presets import DEMO_PARTS

__all__ = ["TextView"]

#: Keyboard, scorer and samples follow new weights at most this often while training runs.
REFRESH_MS = 250


class TextView(QWidget):
    """The character model's demo view (see the module docstring).

    Its parts: ``example``, ``keyboard``, ``scorer``, ``samples``; and ``tabs``,
    ``title_label``, ``progress_label``, ``open_button``, ``status_label``,
    ``typing_fields`` (the keyboard's and the scorer's text fields).
    """

    name = "text"
    about = (
        "The character model reads a text one character at a time and guesses the next. The "
        "example text is coloured by one hidden unit after each character (blue −1, white 0, "
        "red +1): pick the unit in the heat maps or here. The keyboard shows the network's "
        "guesses for what you type, the scorer compares how probable two sentences are, and "
        "the samples are text the network writes by itself at a temperature."
    )
    formula = "p(x_{t+1} | x_1 … x_t) = softmax(W_hy h_t + b_y)\nL = −(1/T) Σ_t log p(x_{t+1})"

    cursor_moved = Signal(int)
    #: The user picked a unit with the spin box here.
    unit_selected = Signal(int)
    #: The user changed the sampling temperature.
    temperature_changed = Signal(float)
    #: The user chose a text file that loads; the window restarts the run on it.
    text_file_chosen = Signal(str)
    #: Something went wrong that the user should read (a bad text file).
    failed = Signal(str)

    #: The tabs, by the names a lesson's "demo" field uses.
    SECTIONS = DEMO_PARTS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = TextRun()
        self._config_temperature: float | None = None
        #: Asks the user for a text file (replaceable, so that tests need no modal dialog).
        self.ask_for_file: Callable[[], str] = self._ask_for_file
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"TextView {{ background: {BACKGROUND}; }}")
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)

        self.example = ColouredExample(self.run)
        self.example.cursor_moved.connect(self.cursor_moved)
        self.example.unit_selected.connect(self.unit_selected)
        self.keyboard = PredictiveKeyboard(self.run)
        self.scorer = SentenceScorer(self.run)
        self.samples = LiveSamples(self.run)
        self.samples.temperature_changed.connect(self.temperature_changed)
        self.typing_fields = (self.keyboard.edit, *self.scorer.edits)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(self._build_header())
        layout.addWidget(self.example)
        self.tabs = QTabWidget()
        self.tabs.setFont(font(TEXT_PT + 1, bold=True))
        # each page scrolls up and down rather than being squeezed when the view is small; it
        # never needs to scroll sideways (its lines wrap or are cut with "…")
        for page, title, tip in (
            (self.keyboard, "Keyboard", "The predictive keyboard"),
            (self.scorer, "Scorer", "The sentence scorer"),
            (self.samples, "Samples", "Live samples at a temperature"),
        ):
            page.setObjectName("page")
            page.setStyleSheet(f"#page {{ background: {BACKGROUND}; }}")
            scroll = QScrollArea()
            scroll.setWidget(page)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.tabs.setTabToolTip(self.tabs.addTab(scroll, title), tip)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        # the tabs get the room the title and the example leave, not their preferred height:
        # else the example's rows were cut at a projector's size
        self.tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.tabs, 1)
        self._show_waiting()

    def _build_header(self) -> QHBoxLayout:
        self.title_label = label("Character model", TEXT_PT + 3, bold=True, wrap=False)
        # the iteration and loss beside the title, cut rather than wrapped: a title wrapped over
        # four lines pushed the keyboard out of a projector's window
        self.progress_label = ElidedLabel()
        self.progress_label.setFont(font(TEXT_PT))
        self.progress_label.setStyleSheet(f"QLabel {{ color: {MUTED}; }}")
        self.open_button = QPushButton("Open text file…")
        self.open_button.setFont(font(TEXT_PT))
        self.open_button.clicked.connect(self._choose_file)
        self.status_label = label("", TEXT_PT)
        self.status_label.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.title_label)
        row.addSpacing(4)
        row.addWidget(self.progress_label, 1, Qt.AlignmentFlag.AlignBaseline)
        row.addWidget(self.open_button)
        column = QVBoxLayout()
        column.addLayout(row)
        column.addWidget(self.status_label)
        outer = QHBoxLayout()
        outer.addLayout(column)
        return outer

    def _show_waiting(self) -> None:
        self.example.show_message("Waiting for the first training snapshot…")
        self.progress_label.set_full_text("")
        self.keyboard.clear()
        self.samples.sample_label.setText("")

    # ---------------------------------------------------------------- sections

    def set_section(self, name: str) -> None:
        """Show the tab ``name``: "keyboard", "scorer" or "samples" (a lesson's part)."""
        self.tabs.setCurrentIndex(self.SECTIONS.index(name))

    def section(self) -> str:
        return self.SECTIONS[self.tabs.currentIndex()]

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        # Qt gives a shown page the focus back where it was, which may be a text field the
        # user typed in before: then the space bar would type instead of play/pause
        self._release_typing_fields()
        self.refresh()

    def _release_typing_fields(self) -> None:
        """No text field keeps or gets back the keyboard focus until the user clicks it."""
        for field in self.typing_fields:
            # clearFocus also makes the field's parents forget it as the child to focus again
            field.clearFocus()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._release_typing_fields()  # else Qt focuses the field again when the tab is shown

    # ---------------------------------------------------------------- the view interface

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        """Colour the example at once; refresh the network's guesses at most every
        ``REFRESH_MS``."""
        new_run = self.run.show(snapshot)
        if self.run.vocab is None:
            self.example.show_message(
                f"The text view shows the character model; this run trains the "
                f"{snapshot.task.name} task."
            )
            return
        if new_run:
            self.refresh()
        self._sync_temperature(snapshot.config.temperature)
        self._title()
        self.example.show_run()
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        """Outline character ``t`` of the example (clamped); emits nothing."""
        self.example.set_cursor(t)

    def cursor(self) -> int:
        return self.example.cursor()

    @Slot(int)
    def set_layer(self, index: int) -> None:
        """Colour the example by layer·direction ``index`` (0: layer 1 →, as in
        ``snapshot.layout``)."""
        self.example.set_layer(index)

    @Slot(int)
    def select_unit(self, unit: int) -> None:
        """Colour the example by hidden unit ``unit`` (clamped); emits nothing."""
        self.example.select_unit(unit)

    def selected_unit(self) -> int:
        return self.example.selected_unit()

    def keyPressEvent(self, event) -> None:
        if self.example.move_cursor_by_key(event.key()):
            event.accept()
            return
        super().keyPressEvent(event)

    # ---------------------------------------------------------------- following the run

    def _title(self) -> None:
        s = self.run.snapshot
        if math.isfinite(s.loss):
            loss = f"loss {s.loss:.2f}"
            self.progress_label.set_full_text(
                f"iteration {s.iteration} · {loss} nats/char", f"it. {s.iteration} · {loss}", loss
            )
        else:
            self.progress_label.set_full_text(f"iteration {s.iteration}", f"it. {s.iteration}")

    def _sync_temperature(self, temperature: float) -> None:
        """Follow the config's temperature when it changes there (a preset, a reset), not when
        an older snapshot still carries the previous one after the user changed it here."""
        if temperature != self._config_temperature:
            self._config_temperature = temperature
            self.samples.set_temperature(temperature)

    @Slot()
    def refresh(self) -> None:
        """Bring the part in sight (keyboard, scorer or samples) up to the latest weights now."""
        self._refresh_timer.stop()
        if not self.run.ready:
            return
        # only the tab in sight: each part runs the network, and a tab brought to the front is
        # refreshed then (_on_tab_changed); refreshing all three took 1.7 times as long as the
        # keyboard alone (measured), on a core the training shares
        (self.keyboard, self.scorer, self.samples)[self.tabs.currentIndex()].refresh()

    # ---------------------------------------------------------------- text file

    def _ask_for_file(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a text file for the character model", "", "Text files (*.txt);;All (*)"
        )
        return path

    @Slot()
    def _choose_file(self) -> None:
        path = self.ask_for_file()
        if path:
            self.open_text_file(path)

    @Slot(str)
    def open_text_file(self, path: str) -> bool:
        """Check the text file ``path``; emit ``text_file_chosen(path)`` if it can be learned
        from, else show why and emit ``failed(message)``. Returns whether it was accepted."""
        try:
            text = read_text_file(path)
        except CorpusError as error:
            self.show_status(str(error), error=True)
            self.failed.emit(str(error))
            return False
        self.show_status(f"Training restarts on {Path(path).name} ({len(text):,} characters).")
        self.text_file_chosen.emit(str(path))
        return True

    @Slot(str)
    def show_status(self, message: str, error: bool = False) -> None:
        """Show ``message`` under the title (red for an error); an empty message hides it."""
        color = BAD if error else MUTED
        self.status_label.setStyleSheet(f"QLabel {{ color: {color}; }}")
        self.status_label.setText(("⚠ " if error else "") + message)
        self.status_label.setVisible(bool(message))
