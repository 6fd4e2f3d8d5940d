"""The BPTT animation's controls on the diagram's bar, and its clock.

``BpttPlayer`` holds the animation's model (``bptt.BpttPass``) and moves it on a ``QTimer``
(never blocking): "BPTT ▶" plays one forward + backward pass (and pauses it while playing),
"Step" moves it to the next time step, "■" stops it, and the speed box sets how many time steps
a second it takes. The diagram view draws the model and is told when it moved.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QTimer, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QWidget

from rnnviz.gui.diagram.bptt import DONE, IDLE, BpttPass
from rnnviz.gui.panels.style import TEXT_PT, font

__all__ = ["SPEEDS", "BpttPlayer"]

#: The speeds on offer, in time steps a second, and the one a pass starts at.
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
DEFAULT_SPEED = 2.0
#: How often the clock moves the pass on while it plays (about 30 frames a second).
TICK_MS = 33
PLAY, PAUSE = "BPTT ▶", "Pause ❚❚"


class BpttPlayer(QWidget):
    """Play / pause, step, stop and speed of the BPTT animation, and its clock.

    ``steps_of`` gives the time steps of the sequence a new pass runs over (None: nothing to
    animate yet). Signals: ``moved`` (the pass moved: redraw), ``step_reached(int)`` (it is at
    another time step), ``ended`` (the pass was stopped, or played to its end).
    """

    moved = Signal()
    step_reached = Signal(int)
    ended = Signal()

    def __init__(self, steps_of: Callable[[], int | None], parent=None) -> None:
        super().__init__(parent)
        self._steps_of = steps_of
        self.run = BpttPass(1)
        self.speed = DEFAULT_SPEED
        self._last_step: tuple[str, int] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self.play_button = QPushButton(PLAY)
        self.play_button.setToolTip(
            "Play one update slowed down: the forward pass left to right, then the gradient "
            "flowing back through time (press again to pause)"
        )
        self.play_button.clicked.connect(self.toggle)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Move the forward or backward pass on by one time step")
        self.step_button.clicked.connect(self.step)
        self.stop_button = QPushButton("■")
        self.stop_button.setToolTip("Stop the animation and show the network as it is now")
        self.stop_button.clicked.connect(self.stop)
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("How many time steps a second the animation takes")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}/s", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.set_speed(self.speed_box.itemData(i))
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for w in (self.play_button, self.step_button, self.stop_button, self.speed_box):
            w.setFont(font(TEXT_PT - 1))
            row.addWidget(w)
        # as narrow as their texts (a style's least button width would crowd a narrow view)
        for button in (self.play_button, self.step_button, self.stop_button):
            texts = (PLAY, PAUSE) if button is self.play_button else (button.text(),)
            fm = button.fontMetrics()
            button.setFixedWidth(max(fm.horizontalAdvance(t) for t in texts) + fm.height())
        self._refresh()

    # ---------------------------------------------------------------- state

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    @property
    def active(self) -> bool:
        """Whether a pass is under way (playing or paused half-way): the view keeps drawing
        the snapshot it started on."""
        return self.run.phase not in (IDLE, DONE)

    # ---------------------------------------------------------------- commands

    @Slot()
    def toggle(self) -> None:
        """Play (a new pass if none is under way), or pause a playing one."""
        if self.playing:
            self.pause()
        else:
            self.play()

    @Slot()
    def play(self) -> None:
        if not self.active and not self._begin():
            return
        self._clock.start()
        self.timer.start()
        self._refresh()

    @Slot()
    def pause(self) -> None:
        self.timer.stop()
        self._refresh()

    @Slot()
    def step(self) -> None:
        """Pause, and move the pass on to its next time step (a new pass's first)."""
        self.timer.stop()
        if not self.active and not self._begin():
            return
        self.run.step_once()
        self._moved()

    @Slot()
    def stop(self) -> None:
        was = self.run.phase != IDLE
        self.timer.stop()
        self.run.stop()
        self._last_step = None
        self._refresh()
        if was:
            self.moved.emit()
            self.ended.emit()

    def set_speed(self, steps_per_second: float) -> None:
        self.speed = float(steps_per_second)
        index = self.speed_box.findData(self.speed)
        if index >= 0 and index != self.speed_box.currentIndex():
            self.speed_box.setCurrentIndex(index)

    # ---------------------------------------------------------------- the clock

    def _begin(self) -> bool:
        steps = self._steps_of()
        if not steps:
            return False
        self.run = BpttPass(int(steps))
        self.run.start()
        self._last_step = None
        return True

    @Slot()
    def _tick(self) -> None:
        seconds = self._clock.restart() / 1000.0
        self.run.advance(min(seconds, 0.25) * self.speed)  # a stalled loop does not jump ahead
        self._moved()

    def _moved(self) -> None:
        where = (self.run.phase, self.run.step)
        if self.run.finished:
            self.timer.stop()
        self._refresh()
        self.moved.emit()
        if where != self._last_step and self.run.phase not in (IDLE, DONE):
            self._last_step = where
            self.step_reached.emit(self.run.step)
        if self.run.finished:
            self.ended.emit()

    def _refresh(self) -> None:
        self.play_button.setText(PAUSE if self.playing else PLAY)
        self.stop_button.setEnabled(self.run.phase != IDLE)
