"""A large banner over the views for the moments a room must not miss: training diverged, the
lesson's goal reached. The status bar says the same in small type; the banner says it in type
the back row reads, for a few seconds, and goes."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from rnnviz.gui.panels.style import font
from rnnviz.training.presets import Preset, goal_reached

__all__ = ["BANNER_MS", "BANNER_PT", "GoalWatch", "StateBanner"]

#: How long a banner stays up, in milliseconds.
BANNER_MS = 4000
#: Its type size in points: a back row's, about twice the panels' read-out text.
BANNER_PT = 28
#: Background and text colour of each kind of news (Okabe–Ito: vermillion, bluish green).
KINDS = {"bad": ("#D55E00", "#ffffff"), "good": ("#009E73", "#ffffff")}


class StateBanner(QLabel):
    """A label floating over ``host`` (centred at its top), shown by ``announce`` for
    ``BANNER_MS`` and hidden again; it takes no clicks from the views under it."""

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setFont(font(BANNER_PT, bold=True))
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BANNER_MS)
        self._timer.timeout.connect(self.hide)
        # placed when it is shown, for its few seconds: an event filter on the host to follow
        # its size crashed the process when a window was deleted (a Python filter called on a
        # half-destroyed object)

    def announce(self, text: str, kind: str = "good") -> None:
        """Show ``text`` (``kind`` "good" or "bad") for ``BANNER_MS``."""
        background, color = KINDS[kind]
        self.setStyleSheet(
            f"QLabel {{ background: {background}; color: {color}; border-radius: 10px;"
            " padding: 14px 28px; }"
        )
        self.setText(text)
        self._place()
        self.show()
        self.raise_()
        self._timer.start()

    def _place(self) -> None:
        host = self.parentWidget()
        width = min(host.width() - 40, max(self.sizeHint().width(), host.width() // 2))
        width = max(width, 100)
        height = self.heightForWidth(width)
        self.setGeometry((host.width() - width) // 2, host.height() // 6, width, height)


class GoalWatch:
    """Tells once a run whether the lesson's goal has just been reached by its snapshots."""

    def __init__(self) -> None:
        self._run: object = None
        self._told = False

    def reached(self, lesson: Preset | None, snapshot) -> bool:
        """True for the first snapshot of a run that meets ``lesson``'s goal."""
        if snapshot.run_id != self._run:
            self._run, self._told = snapshot.run_id, False
        if self._told or lesson is None or snapshot.diverged:
            return False
        # the figures on fresh data where taken (every lesson's goal figure, as the headless
        # check judges it), else the last update's own
        metrics = {**snapshot.metrics, "loss": snapshot.loss, **snapshot.checked}
        if goal_reached(lesson.goal, metrics, snapshot.baselines):
            self._told = True
            return True
        return False
