"""Presentation mode: the window as a lecturer shows it to a room (F11, View → Presentation
mode, ``rnnviz --present``; ``rnnviz render --theme projector`` draws it).

The views are already drawn for a projector (dark on white, 13–15 pt type, thick lines,
colour-blind-safe colours: ``rnnviz.gui.panels.style``). Presentation mode adds what a room
needs around them: the whole screen, the settings sidebar and the menu bar hidden (a lesson's
settings are not the lecture), the lesson's title and explanation and the tabs' names in
larger type, and state changes as a large banner (``rnnviz.gui.state_banner``). The keys a
presenter's clicker sends work as everywhere: Space plays or pauses, → one update, R resets,
PageDown / PageUp the next / previous lesson; Esc or F11 leaves.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from rnnviz.gui.panels.style import TEXT_PT
from rnnviz.gui.state_banner import GoalWatch, StateBanner

__all__ = ["PRESENT_SCALE", "Presentation", "install_presentation"]

#: How much larger the lesson bar's and the tabs' type is in presentation mode.
PRESENT_SCALE = 1.4


class Presentation(QObject):
    """Enters and leaves presentation mode in ``window`` (a ``MainWindow``); ``toggled(on)``.

    Leaving puts back what entering changed: the window's state (normal, maximised), the
    sidebar as it was, the type sizes.
    """

    toggled = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.on = False
        self._before: dict = {}

    def _scaled(self) -> list[QWidget]:
        """The widgets whose type grows: the lesson bar's texts and buttons, the tab bars."""
        w = self._window
        bar = w.lesson_bar
        return [
            bar.title,
            bar.explanation,
            w.tabs.tabBar(),
            w.panel_area.tab_bar(),
        ]

    def set_on(self, on: bool, full_screen: bool = True) -> None:
        """Enter (``on``) or leave presentation mode; ``full_screen`` False keeps the window's
        size (``render --theme projector``)."""
        if on == self.on:
            return
        w = self._window
        if on:
            widgets = self._scaled()
            self._before = {
                "state": w.windowState(),
                "sidebar": w.sidebar_action.isChecked(),
                "fonts": [(widget, widget.font()) for widget in widgets],
                "buttons": w.lesson_bar.styleSheet(),
                "menus": w.menuBar().isVisible(),
            }
            for widget in widgets:
                bigger = widget.font()
                bigger.setPointSizeF(bigger.pointSizeF() * PRESENT_SCALE)
                widget.setFont(bigger)
            # the comparison buttons are made anew for each lesson: a style sheet reaches them
            points = round(TEXT_PT * PRESENT_SCALE)
            bigger = f"QPushButton {{ font-size: {points}pt; }}"
            w.lesson_bar.setStyleSheet(self._before["buttons"] + bigger)
            w.show_sidebar(False)
            # the menus' room goes to the views (every action is the window's own: its keys
            # still work, F11 / Esc bring the menus back); the toolbar stays (play, speed)
            w.menuBar().setVisible(False)
            if full_screen:
                w.setWindowState(w.windowState() | Qt.WindowState.WindowFullScreen)
        else:
            before, self._before = self._before, {}
            for widget, old in before.get("fonts", ()):
                widget.setFont(old)
            w.lesson_bar.setStyleSheet(before.get("buttons", ""))
            w.show_sidebar(before.get("sidebar", True))
            w.menuBar().setVisible(before.get("menus", True))
            w.setWindowState(before.get("state", Qt.WindowState.WindowNoState))
        self.on = on
        w.lesson_bar.updateGeometry()
        self.toggled.emit(on)


def install_presentation(window, menu) -> Presentation:
    """Give ``window`` presentation mode (``window.presentation``, its checkable
    ``present_action`` in ``menu``: F11; Esc leaves) and the state banner
    (``window.banner``: "diverged" always, "goal reached" once a run where the snapshot
    measures the lesson's goal)."""
    presentation = Presentation(window)
    action = QAction("Presentation mode", window)
    action.setCheckable(True)
    action.setShortcut(QKeySequence("F11"))
    action.setToolTip(
        "Full screen, settings hidden, larger type, state changes as a banner (F11; Esc leaves)"
    )
    action.toggled.connect(presentation.set_on)
    presentation.toggled.connect(action.setChecked)
    leave = QAction("Leave presentation mode", window)
    leave.setShortcut(QKeySequence("Esc"))
    leave.setEnabled(False)  # Esc is the views' and dialogs' own outside presentation mode
    leave.triggered.connect(lambda: presentation.set_on(False))
    presentation.toggled.connect(leave.setEnabled)
    window.addAction(action)
    window.addAction(leave)
    menu.addAction(action)
    window.presentation, window.present_action = presentation, action

    banner = StateBanner(window.centralWidget())
    watch = GoalWatch()
    window.banner = banner

    def on_snapshot(snapshot) -> None:
        own = window.lesson if getattr(window, "_variant", 0) == 0 else None
        if watch.reached(own, snapshot):
            banner.announce(f"Goal reached: {own.goal.describe(snapshot.task.label)}", "good")

    def on_state(state: str) -> None:
        if state == "diverged":
            banner.announce("Training diverged: the loss is no longer a number", "bad")

    window.controller.snapshot_ready.connect(on_snapshot)
    window.controller.state_changed.connect(on_state)
    return presentation
