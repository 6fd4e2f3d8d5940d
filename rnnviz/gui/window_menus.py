"""The window's actions: the toolbar, the menus, their keys, and the status bar.

A mixin of ``MainWindow``: ``_build_actions`` makes every action as an attribute of the window
(``play_action``, ``step_action``, …, ``speed``) and connects it to the window's commands;
Help → What am I looking at? (``explain_views``) explains the views in sight.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel

from rnnviz.gui.compare_mode import install_compare
from rnnviz.gui.explanation_box import ExplanationBox
from rnnviz.gui.history_scrubber import install_history_scrubber
from rnnviz.gui.lesson_focus import focus_action, focus_lesson
from rnnviz.gui.presenting import install_presentation
from rnnviz.gui.sweep.window import open_sweep_window
from rnnviz.gui.view import explain
from rnnviz.gui.window_export import install_export
from rnnviz.training.presets import list_presets

__all__ = ["SPEEDS", "WindowMenus"]

SLOW_MOTION_SECONDS = 0.4

#: The speed menu: its text, and the pause between updates (None: none, flat out). At full
#: speed a small lesson is learnt in a second or two; the steady pace lets a lecturer talk
#: over the curves as they fall; slow motion shows every single update.
SPEEDS = (
    ("Full speed", None),
    ("Steady: 20 updates/s", 0.05),
    ("Slow motion: 2.5 updates/s", SLOW_MOTION_SECONDS),
)


class WindowMenus:
    """Builds the window's toolbar, menus and status bar."""

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
        self.layer_selector.place_in(toolbar)
        self.sidebar_action = QAction("Settings", self)
        self.sidebar_action.setCheckable(True)
        self.sidebar_action.setChecked(True)
        self.sidebar_action.setShortcut(QKeySequence("F9"))
        self.sidebar_action.setToolTip("Show or hide the settings (F9): more room for the views")
        self.sidebar_action.toggled.connect(self.show_sidebar)
        self.addAction(self.sidebar_action)
        toolbar.addSeparator()
        toolbar.addAction(self.sidebar_action)
        install_history_scrubber(self, toolbar)  # drag back through the run's iterations

        menu = self.menuBar()
        files = menu.addMenu("&File")
        files.addAction(self._action("Open session…", self.open_session, "Ctrl+O"))
        files.addAction(self._action("Save session…", self.save_session, "Ctrl+S"))
        files.addAction(self._action("Import PyTorch weights (.npz)…", self.import_weights))
        files.addAction(self._action("Open text file…", self.open_text_file))
        files.addSeparator()
        install_export(self, files)  # Export view / all views / training GIF
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
        lessons.addSeparator()
        self.sweep_action = self._action("Delay sweep…", lambda: open_sweep_window(self))
        lessons.addAction(self.sweep_action)
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
        self.focus_action = focus_action(self)
        self.focus_action.toggled.connect(lambda on: focus_lesson(self, self.lesson, on))
        view_menu.addAction(self.focus_action)
        install_presentation(self, view_menu)  # F11: full screen, settings hidden, banner
        install_compare(self, view_menu)  # the lesson's runs side by side
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
        layer_menu = view_menu.addMenu("Layer and direction")
        layer_menu.addAction(self._action("Next layer·direction", lambda: self.step_layer(1), "L"))
        layer_menu.addAction(
            self._action("Previous layer·direction", lambda: self.step_layer(-1), "Shift+L")
        )
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(
            self._action(
                "What am I looking at?",
                self.explain_views,
                "F1",
                "What the demo and the views in sight show, in plain words",
            )
        )

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.status_labels = {
            name: QLabel() for name in ("seed", "iteration", "loss", "speed", "redraws", "state")
        }
        for label in self.status_labels.values():
            bar.addPermanentWidget(label)
        self.status_labels["state"].setMinimumWidth(300)

    # ------------------------------------------------------------------ help

    def about_shown_views(self) -> str:
        """ "What am I looking at": the demo tab's and the shown views' own words and formulas."""
        shown = [self.tabs.currentWidget(), *self.panel_area.shown_panels()]
        parts = []
        for view in shown:
            explained = explain(view)
            if explained:
                parts.append(f"<h4>{html.escape(self._view_title(view))}</h4>{explained}")
        return "".join(parts)

    def _view_title(self, view) -> str:
        if view in self.demo_views:
            return self.tabs.tabText(self.tabs.indexOf(view))
        return self.panel_area.title_of(view)

    def explain_views(self) -> None:
        """Help → What am I looking at? (F1): the shown views' explanations, in a box."""
        box = ExplanationBox(self.about_shown_views() or "Nothing is shown yet.", self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.about_box = box
