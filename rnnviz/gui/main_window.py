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
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
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
from rnnviz.gui.file_commands import FileCommands
from rnnviz.gui.lesson_bar import LessonBar
from rnnviz.gui.lesson_focus import focus_lesson
from rnnviz.gui.lesson_views import AlphabetView, RecallView
from rnnviz.gui.network_page import NetworkPage
from rnnviz.gui.panel_area import PanelArea
from rnnviz.gui.panels import GatePanel, GradientFlowPanel, HiddenStatePanel, LossPanel
from rnnviz.gui.redraw import SLOW_VIEW_INTERVAL, RedrawScheduler
from rnnviz.gui.view_choice import LayerSelector, ViewChoice
from rnnviz.gui.view_help import add_help_button
from rnnviz.gui.window_menus import WindowMenus
from rnnviz.gui.window_size import place_on_screen
from rnnviz.training.presets import Preset, list_presets, load_preset

__all__ = ["DEMO_TABS", "MainWindow"]

#: tab title, task, the preset the tab opens
DEMO_TABS = (
    ("Moving ball", "ball", "moving_ball"),
    ("Text", "text", "text_messaging"),
    ("Alphabet", "alphabet", "alphabet"),
    ("Long-range memory", "recall", "vanishing_gradient"),
)

TITLE = "rnnviz: watch a recurrent network learn"

#: How much smaller the learning rate of "Rewind, learning rate ÷ 10" (after a divergence) is.
RECOVERY_FACTOR = 10.0


class MainWindow(FileCommands, WindowMenus, QMainWindow):
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
        self.choice = ViewChoice()  # the time step and layer·direction every view shows
        self._refitter = QTimer(self)
        self._refitter.setSingleShot(True)
        self._refitter.setInterval(0)

        # views
        self.demo_views = (BallView(), TextView(), AlphabetView(), RecallView())
        self.ball_view, self.text_view, self.alphabet_view, self.recall_view = self.demo_views
        self.tabs = QTabWidget()
        for (title, _, _), view in zip(DEMO_TABS, self.demo_views, strict=True):
            self.tabs.addTab(view, title)
        self.panels = (HiddenStatePanel(), GatePanel(), GradientFlowPanel(), LossPanel())
        self.hidden_panel, self.gate_panel, self.gradient_panel, self.loss_panel = self.panels
        # the network drawn over one step of it written out: a tab of their own
        self.network_page = NetworkPage()
        self.diagram_view = self.network_page.diagram
        self.equations_view = self.network_page.equations
        pages = self.network_page.views
        #: the view a lesson's "view" field names (``rnnviz.training.presets.VIEWS``)
        self._views_by_name = {view.name: view for view in (*self.panels, *pages)}
        #: every view, on the one interface of ``rnnviz.gui.view``
        self.views = (*self.panels, *pages, *self.demo_views)
        for view in self.views:
            add_help_button(view)  # "?": what the view shows and its formula
        self.layer_selector = LayerSelector()
        self.redraw = RedrawScheduler(
            self.views,
            {v: SLOW_VIEW_INTERVAL[v.name] for v in self.views if v.name in SLOW_VIEW_INTERVAL},
            self,
        )
        self.redraw.drawn.connect(self._view_drawn)
        self.panel_area = PanelArea(
            self.panels,
            ("Hidden states", "Gates", "Gradient flow", "Loss"),
            ((self.network_page, "Network"),),
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
        for view in self.views:
            view.cursor_moved.connect(self.set_cursor)
        self.layer_selector.layer_chosen.connect(self.set_layer)
        for panel in (self.hidden_panel, self.gate_panel, self.text_view):
            if panel is not self.text_view:
                panel.unit_selected.connect(self.text_view.select_unit)
            panel.unit_selected.connect(self.hidden_panel.set_unit)
            panel.unit_selected.connect(self.gate_panel.set_unit)
            panel.unit_selected.connect(self.equations_view.set_unit)
        # the BPTT pass on the diagram: its backward steps written out, as they are passed
        self.diagram_view.bptt_moved.connect(self.equations_view.set_pass)

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
            if lesson.demo is not None:  # the text demo's keyboard, scorer or samples
                self.text_view.set_section(lesson.demo)

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
        focus_lesson(self, lesson, self.focus_action.isChecked())
        self._show_lesson_bar(self.lesson_bar_action.isChecked())
        place = (
            f" ({self.lesson_bar.place})" if lesson is not None and self.lesson_bar.place else ""
        )
        self.setWindowTitle(TITLE if lesson is None else f"rnnviz: {lesson.title}{place}")

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

    @Slot(object)
    def _select_tab_for(self, config) -> None:
        for index, (_, task, _) in enumerate(DEMO_TABS):
            if config.task.value == task and self.tabs.currentIndex() != index:
                self.tabs.blockSignals(True)
                self.tabs.setCurrentIndex(index)
                self.tabs.blockSignals(False)

    # ------------------------------------------------------------------ showing

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        """Hand a snapshot to the views (``RedrawScheduler``: they draw it one per turn of the
        event loop, the newest always wins) and show its figures in the status bar."""
        if snapshot.layout.labels != list(self.choice.labels) or snapshot.seq_len != (
            self.choice.steps
        ):
            moved = self.choice.fit(snapshot.layout.labels, snapshot.seq_len)
            self.layer_selector.show_labels(self.choice.labels, self.choice.layer)
            if moved:
                self.set_layer(self.choice.layer)
        if self.scrubber.offer(snapshot):  # not while the user looks back at an older one
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
        """Show time step ``t`` in every view (a view's own cursor moves come here too)."""
        self.choice.t = t
        for view in self.views:
            view.set_cursor(t)

    def _move_cursor(self, move) -> None:
        t = self.choice.move_cursor(move)
        if t is not None:
            self.set_cursor(t)

    @Slot(int)
    def set_layer(self, index: int) -> None:
        """Show layer·direction entry ``index`` (of ``snapshot.layout``) in every view."""
        self.choice.layer = index
        self.layer_selector.show_labels(self.choice.labels, index)
        for view in self.views:
            view.set_layer(index)
        self.compare_page.set_layer(index)  # its columns' gates (and a deep model's states)

    def step_layer(self, step: int) -> None:
        """The next (1) or previous (−1) layer·direction, around the end (L, Shift+L)."""
        index = self.choice.step_layer(step)
        if index is not None:
            self.set_layer(index)

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
