"""The rnnviz window: demo tabs, the live views, the controls, the toolbar and the status bar.

    ┌ toolbar: play/pause · step · reset · rewind · reseed · speed ─────────────────────────┐
    │ controls │ demo tabs (ball, text, alphabet, recall) │ hidden states │ gates          │
    │          │                                          │ gradient flow │ loss, accuracy │
    └ status: iteration · loss · steps/s · redraws/s · state ───────────────────────────────┘

The window holds no training state: the ``Controller`` runs the trainer on its own thread and
hands over frozen snapshots; every view draws from them on this (the GUI) thread. One time
cursor is shared by every view with a time axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.controller import Controller
from rnnviz.gui.controls import ControlPanel
from rnnviz.gui.demos.ball_view import BallView
from rnnviz.gui.demos.text_view import TextView
from rnnviz.gui.lesson_bar import LessonBar
from rnnviz.gui.lesson_views import AlphabetView, RecallView
from rnnviz.gui.panel_area import PanelArea
from rnnviz.gui.panels import GatePanel, GradientFlowPanel, HiddenStatePanel, LossPanel
from rnnviz.gui.redraw import SLOW_VIEW_INTERVAL, RedrawScheduler
from rnnviz.gui.window_size import place_on_screen
from rnnviz.training.presets import VIEWS, Preset, list_presets, load_preset

__all__ = ["DEMO_TABS", "MainWindow"]

#: tab title, task, the preset the tab opens
DEMO_TABS = (
    ("Moving ball", "ball", "moving_ball"),
    ("Text", "text", "text_messaging"),
    ("Alphabet", "alphabet", "alphabet"),
    ("Long-range memory", "recall", "vanishing_gradient"),
)

SLOW_MOTION_SECONDS = 0.4

#: The speed menu: its text, and the pause between updates (None: none, flat out). At full
#: speed a small lesson is learnt in a second or two; the steady pace lets a lecturer talk
#: over the curves as they fall; slow motion shows every single update.
SPEEDS = (
    ("Full speed", None),
    ("Steady: 20 updates/s", 0.05),
    ("Slow motion: 2.5 updates/s", SLOW_MOTION_SECONDS),
)

TITLE = "rnnviz: watch a recurrent network learn"

#: How much smaller the learning rate of "Rewind, learning rate ÷ 10" (after a divergence) is.
RECOVERY_FACTOR = 10.0

#: How long the status bar shows a confirmation ("Saved to …", "Imported …"), in ms.
CONFIRMATION_MS = 10_000

#: The ignored entries an import's confirmation names before "and N more".
IGNORED_NAMED = 4


def _home_short(path: str) -> str:
    """``path`` with the home folder as ~ (a status bar has little room)."""
    home = str(Path.home())
    return "~" + path[len(home) :] if home != "/" and path.startswith(home + "/") else path


def describe_import(report: dict) -> str:
    """The status bar's confirmation of an import: "Imported 4 recurrent weights and the
    readout from w.npz; ignored: fc1.weight, fc1.bias"."""
    recurrent = list(report.get("recurrent", ()))
    text = f"Imported {len(recurrent)} recurrent weight{'' if len(recurrent) == 1 else 's'}"
    if report.get("readout"):
        text += " and the readout"
    name = Path(str(report.get("path", ""))).name
    if name:
        text += f" from {name}"
    ignored = list(report.get("ignored", ()))
    if ignored:
        named = ", ".join(ignored[:IGNORED_NAMED])
        more = len(ignored) - IGNORED_NAMED
        text += f"; ignored: {named}" + (f" and {more} more" if more > 0 else "")
    return text


class MainWindow(QMainWindow):
    """The main window; ``start(preset, play)`` opens a lesson."""

    def __init__(self, controller: Controller | None = None) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        self.controller = controller or Controller(self)
        self.last_error = ""
        #: "Discard the run trained for … updates?" while it is asked (see ask_to_discard)
        self.question: QMessageBox | None = None
        self._after_save: Callable[[], None] | None = None  # what a Save… answer goes on to
        self._saved_note = ""  # "Saved to …", for the status message of the run that follows
        # the lesson (and comparison) a run that was asked for belongs to: shown once that run
        # has begun, so a run that is refused (a text file that is not text) leaves the bar
        self._pending_lesson: tuple[object, Preset | None, int | None] | None = None
        self._variant: int | None = 0  # the lesson bar's pressed comparison
        self._cursor = 0
        self._refitter = QTimer(self)
        self._refitter.setSingleShot(True)
        self._refitter.setInterval(0)

        # views
        self.ball_view = BallView()
        self.text_view = TextView()
        self.alphabet_view = AlphabetView()
        self.recall_view = RecallView()
        self.demo_views = (self.ball_view, self.text_view, self.alphabet_view, self.recall_view)
        self.tabs = QTabWidget()
        for (title, _, _), view in zip(DEMO_TABS, self.demo_views, strict=True):
            self.tabs.addTab(view, title)
        self.hidden_panel = HiddenStatePanel()
        self.gate_panel = GatePanel()
        self.gradient_panel = GradientFlowPanel()
        self.loss_panel = LossPanel()
        self.panels = (self.hidden_panel, self.gate_panel, self.gradient_panel, self.loss_panel)
        self._views_by_name = dict(zip(VIEWS, self.panels, strict=True))  # a lesson's "view"
        self.redraw = RedrawScheduler(
            (*self.panels, *self.demo_views),
            {getattr(self, name): seconds for name, seconds in SLOW_VIEW_INTERVAL.items()},
            self,
        )
        self.redraw.drawn.connect(self._view_drawn)
        self.panel_area = PanelArea(
            self.panels, ("Hidden states", "Gates", "Gradient flow", "Loss")
        )
        self.panel_area.view_shown.connect(self.draw_now)  # a tab brought a view into sight
        self._refitter.timeout.connect(self.panel_area.refit)
        self.controls = ControlPanel()
        self.sidebar = QScrollArea()
        self.sidebar.setWidget(self.controls)
        self.sidebar.setWidgetResizable(True)
        # as wide as the settings need, scrolling only up and down
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setMinimumWidth(
            self.controls.sizeHint().width()
            + self.sidebar.verticalScrollBar().sizeHint().width()
            + 2 * self.sidebar.frameWidth()
        )
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.panel_area)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 3)
        self._splitter_moved_by_user = False
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        self.lesson_bar = LessonBar()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.lesson_bar)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self._build_status_bar()
        self._connect()
        place_on_screen(self)  # most of the screen it opens on, never more

    # ------------------------------------------------------------------ building

    def _action(
        self, text: str, slot, shortcut: str | tuple[str, ...] | None = None, tip: str = ""
    ) -> QAction:
        """An action of the window; ``shortcut``: one key or several (the first is the one
        menus show). Window-wide: the keys work wherever the focus is, except in a text field
        being typed in (Qt lets a focused editor claim the keys it types or moves with)."""
        action = QAction(text, self)
        action.triggered.connect(slot)
        keys = (shortcut,) if isinstance(shortcut, str) else tuple(shortcut or ())
        if keys:
            action.setShortcuts([QKeySequence(key) for key in keys])
            native = QKeySequence.SequenceFormat.NativeText
            names = " or ".join(QKeySequence(key).toString(native) for key in keys)
            action.setToolTip(f"{tip or text} ({names})")
        else:
            action.setToolTip(tip or text)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        c = self.controller
        # Space, → and R are what a presenter's clicker and hands use (→ is "next"); the time
        # cursor therefore moves with Shift+←/→ (and ←), Home and End (View → Time cursor)
        self.play_action = self._action("Play", c.toggle, "Space", "Play / pause")
        self.step_action = self._action("Step", c.step, ("Right", "."), "One update, one redraw")
        self.reset_action = self._action("Reset", self.reset, "R", "New run with these settings")
        self.rewind_action = self._action("Rewind", c.rewind, "Ctrl+R", "Same seed, same run")
        self.reseed_action = self._action(
            "Reseed", self.reseed, "Ctrl+Shift+R", "A new run from a new seed"
        )
        # shown only while the run is diverged: the one step that gets training going again
        self.recover_action = self._action("Rewind, learning rate ÷ 10", self.recover)
        self.recover_action.setVisible(False)
        self.training_actions = (
            self.play_action,
            self.step_action,
            self.reset_action,
            self.rewind_action,
            self.reseed_action,
        )
        toolbar = self.addToolBar("Training")
        toolbar.setObjectName("training")
        toolbar.addActions(list(self.training_actions))
        toolbar.addAction(self.recover_action)
        recover_button = toolbar.widgetForAction(self.recover_action)
        if recover_button is not None:
            recover_button.setStyleSheet(
                "QToolButton { background: #D55E00; color: white; font-weight: bold;"
                " border-radius: 3px; padding: 2px 6px; }"
            )
        self.speed = QComboBox()
        self.speed.addItems([text for text, _ in SPEEDS])
        self.speed.setToolTip("How fast training runs: flat out, or a pause after each update")
        self.speed.currentIndexChanged.connect(lambda i: c.set_slow_motion(SPEEDS[i][1]))
        toolbar.addWidget(self.speed)
        self.sidebar_action = QAction("Settings", self)
        self.sidebar_action.setCheckable(True)
        self.sidebar_action.setChecked(True)
        self.sidebar_action.setShortcut(QKeySequence("F9"))
        self.sidebar_action.setToolTip("Show or hide the settings (F9): more room for the views")
        self.sidebar_action.toggled.connect(self.show_sidebar)
        self.addAction(self.sidebar_action)
        toolbar.addSeparator()
        toolbar.addAction(self.sidebar_action)

        menu = self.menuBar()
        files = menu.addMenu("&File")
        files.addAction(self._action("Open session…", self.open_session, "Ctrl+O"))
        files.addAction(self._action("Save session…", self.save_session, "Ctrl+S"))
        files.addAction(self._action("Import PyTorch weights (.npz)…", self.import_weights))
        files.addAction(self._action("Open text file…", self.open_text_file))
        files.addSeparator()
        files.addAction(self._action("Quit", self.close, "Ctrl+Q"))
        lessons = menu.addMenu("&Lessons")
        for preset in list_presets():
            action = QAction(preset.title, self)
            action.setToolTip("\n".join(preset.explanation))
            action.triggered.connect(lambda _=False, name=preset.name: self.open_lesson(name))
            lessons.addAction(action)
        # PageDown/PageUp, as a presenter's clicker sends them (and a focused settings box
        # would otherwise take them to change the cell or the optimiser: a new run)
        lessons.addSeparator()
        self.next_lesson_action = self._action(
            "Next lesson", lambda: self.open_next_lesson(1), "PgDown"
        )
        self.previous_lesson_action = self._action(
            "Previous lesson", lambda: self.open_next_lesson(-1), "PgUp"
        )
        lessons.addActions([self.next_lesson_action, self.previous_lesson_action])
        training_menu = menu.addMenu("&Training")
        training_menu.addActions(list(self.training_actions))
        training_menu.addAction(self.recover_action)
        self.lesson_bar_action = QAction("Lesson notes", self)
        self.lesson_bar_action.setCheckable(True)
        self.lesson_bar_action.setChecked(True)
        self.lesson_bar_action.setShortcut(QKeySequence("F10"))
        self.lesson_bar_action.setToolTip(
            "Show or hide the lesson's title, explanation and comparison buttons (F10)"
        )
        self.lesson_bar_action.toggled.connect(self._show_lesson_bar)
        self.addAction(self.lesson_bar_action)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.sidebar_action)
        view_menu.addAction(self.lesson_bar_action)
        # window-wide, so the keys work wherever the focus is; a text field the user types
        # in keeps its own arrow keys (Qt lets a focused editor claim them first). → alone is
        # one update (Training → Step), as a presenter's clicker sends it
        cursor_menu = view_menu.addMenu("Time cursor")
        for text, key, move in (
            ("One step back", ("Shift+Left", "Left"), lambda t, T: t - 1),
            ("One step on", "Shift+Right", lambda t, T: t + 1),
            ("First step", "Home", lambda t, T: 0),
            ("Last step", "End", lambda t, T: T - 1),
        ):
            cursor_menu.addAction(
                self._action(text, lambda _=False, m=move: self._move_cursor(m), key)
            )

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_labels = {
            name: QLabel() for name in ("seed", "iteration", "loss", "speed", "redraws", "state")
        }
        for label in self.status_labels.values():
            bar.addPermanentWidget(label)
        self.status_labels["state"].setMinimumWidth(300)

    def _connect(self) -> None:
        c = self.controller
        c.snapshot_ready.connect(self.show_snapshot)
        c.state_changed.connect(self.show_state)
        c.failed.connect(self.show_error)
        c.run_reset.connect(self.on_run_reset)
        c.config_changed.connect(self.controls.show_config)
        c.config_changed.connect(self._select_tab_for)
        c.config_changed.connect(self._show_seed)
        c.session_saved.connect(self._on_session_saved)
        c.weights_imported.connect(self._on_weights_imported)
        c.failed.connect(self._drop_pending_save)
        self.controls.settings_changed.connect(self.apply_settings)
        self.text_view.temperature_changed.connect(
            lambda value: c.set_live({"temperature": repr(value)})
        )
        self.text_view.text_file_chosen.connect(self.ask_to_use_text_file)
        self.text_view.failed.connect(self.show_error)
        self.lesson_bar.variant_chosen.connect(self.choose_variant)
        c.session_opened.connect(self._on_session_opened)
        self.tabs.currentChanged.connect(self._tab_changed)
        views = [*self.panels, *self.demo_views]
        for view in views:
            if hasattr(view, "cursor_moved"):
                view.cursor_moved.connect(self.set_cursor)
        for panel in (self.hidden_panel, self.gate_panel, self.text_view):
            if panel is not self.text_view:
                panel.unit_selected.connect(self.text_view.select_unit)
            panel.unit_selected.connect(self.hidden_panel.set_unit)
            panel.unit_selected.connect(self.gate_panel.set_unit)

    # ------------------------------------------------------------------ commands

    def start(self, preset: str, play: bool | None = None) -> None:
        """Open the lesson ``preset``; keep playing if training was playing. Replaces the run
        without asking (``open_lesson`` asks first)."""
        if play is None:
            play = self.controller.state == "training"
        lesson = load_preset(preset)
        if self.controller.start(lesson, play=play):
            self._expect_lesson(lesson.config, lesson, 0)
            if lesson.view is not None:
                self.panel_area.bring_into_view(self.view_named(lesson.view))

    def open_lesson(self, preset: str) -> None:
        """The Lessons menu: open ``preset``, asking first if that discards a trained run."""
        title = load_preset(preset).title
        self.ask_to_discard(f"The lesson “{title}” replaces it.", lambda: self.start(preset))

    def open_next_lesson(self, step: int = 1) -> None:
        """The lesson ``step`` places after the open one in the Lessons menu (around the end;
        the first, or the last, when no lesson is open), asking first if that discards a
        trained run."""
        names = [preset.name for preset in list_presets()]
        lesson = self.lesson
        if lesson is not None and lesson.name in names:
            index = (names.index(lesson.name) + step) % len(names)
        else:
            index = 0 if step > 0 else len(names) - 1
        self.open_lesson(names[index])

    @Slot(int)
    def choose_variant(self, k: int) -> None:
        """A comparison button: its run, asking first if that discards a trained run (the
        button pressed before stays pressed if the user keeps the run)."""
        lesson = self.lesson
        if lesson is None:
            return
        self.ask_to_discard(
            f"The lesson’s run “{self.lesson_bar.buttons[k].text()}” replaces it."
            if k < len(self.lesson_bar.buttons)
            else "Another run of the lesson replaces it.",
            lambda: self.start_variant(k),
            lambda: self.lesson_bar.show_lesson(self.lesson, self._variant),
        )

    @Slot(int)
    def start_variant(self, k: int) -> None:
        """Run the open lesson as it is (0) or as its k-th comparison changes it."""
        lesson = self.lesson
        if lesson is None:
            return
        config = lesson.config if k == 0 else lesson.compare_configs()[k - 1][1]
        if self.controller.start(config, play=self.controller.state == "training"):
            self._expect_lesson(config, lesson, k)

    def _expect_lesson(self, config, lesson: Preset | None, variant: int | None) -> None:
        """Show ``lesson`` once the run of ``config`` has begun (``on_run_reset``): a run the
        worker refuses leaves the lesson, its bar and the title as they were."""
        self._pending_lesson = (config, lesson, variant)

    def view_named(self, name: str) -> QWidget:
        """The view a lesson's "view" field names (``rnnviz.training.presets.VIEWS``)."""
        return self._views_by_name[name]

    @property
    def lesson(self) -> Preset | None:
        """The open lesson (None after opening a session or a text file of one's own)."""
        return self.lesson_bar.preset

    def show_lesson(self, lesson: Preset | None, variant: int | None = 0) -> None:
        """Name ``lesson`` in the bar and the title, its run ``variant`` pressed (None: a run
        of the lesson's task changed otherwise, no button pressed)."""
        self._variant = variant
        self.lesson_bar.show_lesson(lesson, variant)
        self._show_lesson_bar(self.lesson_bar_action.isChecked())
        self.setWindowTitle(TITLE if lesson is None else f"rnnviz: {lesson.title}")

    @Slot(str)
    def _on_session_opened(self, path: str) -> None:
        self._pending_lesson = None
        self.show_lesson(None)
        self.setWindowTitle(f"rnnviz: {Path(path).name}")

    @Slot(bool)
    def _show_lesson_bar(self, shown: bool) -> None:
        self.lesson_bar.setVisible(shown and self.lesson is not None)

    def reset(self) -> None:
        self.controller.reset()

    def reseed(self) -> None:
        """A new run from the next seed (the status bar says which)."""
        self.controller.reseed()  # (not connected directly: triggered(bool) gave it seed=False)

    def recover(self) -> None:
        """After a divergence: rewind with a ten times smaller learning rate, and train."""
        self.controller.recover(RECOVERY_FACTOR)

    @Slot(dict)
    def apply_settings(self, settings: dict) -> None:
        self.controller.set_live(settings)

    # ------------------------------------------------------------------ asking first

    def ask_to_discard(
        self,
        replaced_by: str,
        then: Callable[[], None],
        cancelled: Callable[[], None] | None = None,
    ) -> None:
        """Run ``then`` (which replaces the run) at once if that loses no work: the run is
        untrained or saved since its last update. Else ask first, window-modal, "Discard the
        run trained for 2,400 updates?", ``replaced_by`` saying what takes its place:

        Save…     choose a file, save, and go on once it is saved (not if that fails)
        Discard   go on
        Cancel    keep the run; ``cancelled`` puts back what the user clicked
        """
        updates = self.controller.unsaved_updates
        if not updates:
            then()
            return
        if self.question is not None:  # one at a time (the box blocks the window meanwhile)
            if cancelled is not None:
                cancelled()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "rnnviz",
            f"Discard the run trained for {updates:,} updates?",
            parent=self,
        )
        box.setInformativeText(
            f"{replaced_by} Save… keeps it in a session file first (File → Open session "
            "brings it back)."
        )
        save = box.addButton("Save…", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self.question = None
            clicked = box.clickedButton()
            if clicked is discard:
                then()
            elif clicked is save and self.save_session(then=then):
                pass  # goes on in _on_session_saved
            elif cancelled is not None:
                cancelled()

        box.finished.connect(answered)
        self.question = box
        box.open()  # window-modal, does not block the event loop

    def answer_question(self, answer: str) -> None:
        """Click the open question's button named ``answer`` ("Save…", "Discard", "Cancel")."""
        if self.question is None:
            raise RuntimeError("no question is open")
        [button] = [b for b in self.question.buttons() if b.text() == answer]
        button.click()

    @Slot(str)
    def _on_session_saved(self, path: str) -> None:
        """Say where it went; go on with what a Save… answer was asked before."""
        then, self._after_save = self._after_save, None
        self._saved_note = f"Saved to {_home_short(path)}"
        self.statusBar().showMessage(self._saved_note, CONFIRMATION_MS)
        if then is not None:
            then()  # its run_reset's message names the save too
        else:
            self._saved_note = ""

    @Slot(str)
    def _drop_pending_save(self, _message: str = "") -> None:
        """A failure (the save itself, most likely) cancels what was to follow the save."""
        self._after_save = None

    @Slot(object)
    def _on_weights_imported(self, report: dict) -> None:
        self.statusBar().showMessage(describe_import(report), CONFIRMATION_MS)

    def _tab_changed(self, index: int) -> None:
        self.draw_now()  # the tab just shown draws the newest snapshot it missed
        config = self.controller.config
        title, task, preset = DEMO_TABS[index]
        if config is not None and config.task.value == task:
            return
        # a trained model is not thrown away by a click on a tab: ask first
        self.ask_to_discard(
            f"The {title} demo’s lesson replaces it.",
            lambda: self.start(preset),
            self._back_to_the_run_s_tab,
        )

    def _back_to_the_run_s_tab(self) -> None:
        if self.controller.config is not None:
            self._select_tab_for(self.controller.config)

    @property
    def tab_question(self) -> QMessageBox | None:
        """The question a tab click asked, while it is open (an alias of ``question``)."""
        return self.question

    @Slot(object)
    def _select_tab_for(self, config) -> None:
        for index, (_, task, _) in enumerate(DEMO_TABS):
            if config.task.value == task and self.tabs.currentIndex() != index:
                self.tabs.blockSignals(True)
                self.tabs.setCurrentIndex(index)
                self.tabs.blockSignals(False)

    def _file(self, title: str, filters: str, save: bool = False) -> str:
        dialog = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = dialog(self, title, str(Path.home()), filters)
        return path

    def open_session(self) -> None:
        path = self._file("Open a session", "rnnviz sessions (*.rnnviz);;All files (*)")
        if path:
            self.ask_to_discard(
                f"The session {Path(path).name} replaces it.", lambda: self.controller.open(path)
            )

    def save_session(self, then: Callable[[], None] | None = None) -> bool:
        """Choose a file and save the session to it; ``then`` runs once it is saved. False if
        no file was chosen."""
        path = self._file("Save the session", "rnnviz sessions (*.rnnviz)", save=True)
        if not path:
            return False
        self._after_save = then
        self.controller.save(path if path.endswith(".rnnviz") else path + ".rnnviz")
        return True

    def import_weights(self) -> None:
        path = self._file("Import PyTorch weights", "NumPy archives (*.npz);;All files (*)")
        if path:
            self.controller.import_weights(path)

    def open_text_file(self) -> None:
        path = self._file("Open a text file", "Text (*.txt *.md *.py);;All files (*)")
        if path:
            self.ask_to_use_text_file(path)

    @Slot(str)
    def ask_to_use_text_file(self, path: str) -> None:
        """``use_text_file``, asking first if that discards a trained run."""
        self.ask_to_discard(
            f"A character model of {Path(path).name} replaces it.",
            lambda: self.use_text_file(path),
        )

    @Slot(str)
    def use_text_file(self, path: str) -> None:
        """Train the character model on the user's own file (a new run). A file the worker
        refuses (empty, binary, a folder …) is a message; the run and the lesson stay."""
        config = self.controller.config
        if config is None or config.task.value != "text":
            config = load_preset("text_messaging").config
        try:
            config = config.with_settings({"task.corpus": "file", "task.path": path})
        except ValueError as error:
            self.show_error(str(error))
            return
        if self.controller.start(config, play=self.controller.state == "training"):
            self._expect_lesson(config, None, 0)

    # ------------------------------------------------------------------ showing

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        """Hand a snapshot to the views (``RedrawScheduler``: they draw it one per turn of the
        event loop, the newest always wins) and show its figures in the status bar."""
        self.redraw.post(snapshot)
        status = self.status_labels
        status["iteration"].setText(f"iteration {snapshot.iteration}")
        # before the first update there is no loss yet (the snapshot says NaN)
        trained = snapshot.iteration > 0 or math.isfinite(snapshot.loss)
        status["loss"].setText(f"loss {snapshot.loss:.4f}" if trained else "loss –")
        status["speed"].setText(f"{snapshot.steps_per_second:.0f} steps/s")
        status["redraws"].setText(f"{self.redraw.posted_per_second():.0f} redraws/s")
        if snapshot.diverged:
            status["state"].setText(f"diverged: {snapshot.diverged}")

    @Slot(object)
    def _view_drawn(self, view) -> None:
        if view in self.panels:
            # a new model shape may need more room than the grid has; looked at on the next
            # turn of the event loop, once Qt has updated the layouts' cached minimums
            self._refitter.start()

    # the scheduler's: every visible view's waiting snapshot drawn at once (pictures, tests, a
    # tab shown); whether every visible view has drawn the newest run; whether one has yet to
    draw_now = property(lambda self: self.redraw.draw_now)
    run_shown = property(lambda self: self.redraw.run_shown)
    drawing = property(lambda self: self.redraw.drawing)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._share_width()
        self.redraw.schedule()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._share_width()

    @Slot(bool)
    def show_sidebar(self, shown: bool) -> None:
        """Show or hide the settings; the views share the room."""
        self.sidebar.setVisible(shown)
        if self.sidebar_action.isChecked() != shown:
            self.sidebar_action.setChecked(shown)
        self._share_width(force=True)

    @Slot(int, int)
    def _on_splitter_moved(self, pos: int, index: int) -> None:
        self._splitter_moved_by_user = True

    def _share_width(self, force: bool = False) -> None:
        """Settings as wide as they need; of the rest, 2/5 for the demo and 3/5 for the views.
        Kept on resizing (a projector's 1280 × 720 as much as a wide screen) until the user
        drags a divider."""
        if self._splitter_moved_by_user and not force:
            return
        total = self.splitter.width()
        side = self.sidebar.minimumWidth() if self.sidebar.isVisible() else 0
        demo = round((total - side) * 0.4)
        self.splitter.setSizes([side, demo, max(0, total - side - demo)])

    @Slot(str)
    def show_state(self, state: str) -> None:
        text = self.controller.status().text() if state in ("diverged", "error") else state
        self.status_labels["state"].setText(text)
        self.play_action.setText("Pause" if state == "training" else "Play")
        diverged = state == "diverged"
        config = self.controller.config
        if diverged and config is not None:
            lr = config.optim.lr / RECOVERY_FACTOR
            self.recover_action.setText(f"Rewind with learning rate {lr:g}")
            self.recover_action.setToolTip(
                "Training diverged, and the weights it reached cannot be trained on: start "
                "this run again from its initial weights (rewind) with a ten times smaller "
                f"learning rate, {lr:g}, and train. (Lowering the learning rate in the "
                "settings rewinds too.)"
            )
        self.recover_action.setVisible(diverged and config is not None)

    @Slot(str)
    def on_run_reset(self, reason: str) -> None:
        pending = self._pending_lesson
        if pending is not None and pending[0] == self.controller.config:
            self._pending_lesson = None
            self.show_lesson(pending[1], pending[2])
        note, self._saved_note = self._saved_note, ""
        message = f"New run: {reason}"
        self.statusBar().showMessage(f"{note} · {message}" if note else message, 5000)

    @Slot(object)
    def _show_seed(self, config) -> None:
        self.status_labels["seed"].setText(f"seed {config.seed}")

    @Slot(int)
    def set_cursor(self, t: int) -> None:
        self._cursor = t
        for view in (*self.panels, *self.demo_views):
            view.set_cursor(t)

    def _move_cursor(self, move) -> None:
        snapshot = self.controller.latest
        if snapshot is None:
            return
        steps = snapshot.seq_len
        self.set_cursor(min(max(move(min(self._cursor, steps - 1), steps), 0), steps - 1))

    @Slot(str)
    def show_error(self, message: str) -> None:
        """Every failure is a dialog with the message; training is left as it was."""
        self.last_error = message
        box = QMessageBox(QMessageBox.Icon.Warning, "rnnviz", message, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal, does not block the event loop
        self.error_box = box

    def closeEvent(self, event: QCloseEvent) -> None:  # the one shutdown path
        self.controller.shutdown()
        event.accept()
