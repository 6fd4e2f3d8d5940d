"""The delay sweep's window (Lessons → Delay sweep…): choose the cells, the delays and the updates
per point, press Start, and watch accuracy against the delay fill in, one point as each run
finishes.

The sweep trains off the GUI thread: a ``SweepRunner`` (a QThread) drives
``rnnviz.training.sweep.run_sweep``, which trains in two worker processes (in the thread
itself when ``RNNVIZ_TRAINING=thread``, as the tests run), and hands each finished point to the
window as a signal. Stop, closing the window and quitting the application all stop it: no
worker process or thread outlives them.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Qt, QThread, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.panels.style import TEXT_PT, font
from rnnviz.gui.sweep.plot import SweepPlot
from rnnviz.gui.worker import default_backend
from rnnviz.training.cell_list import cell_label, parse_cells
from rnnviz.training.config import ConfigError
from rnnviz.training.settings import Cell
from rnnviz.training.sweep import (
    DEFAULT_CELLS,
    DEFAULT_DELAYS,
    DEFAULT_STEPS,
    MAX_SWEEP_STEPS,
    SweepPlan,
    SweepPoint,
    parse_delays,
    run_sweep,
)

__all__ = ["SweepRunner", "SweepWindow", "open_sweep_window", "running_sweeps"]

#: Worker processes a sweep trains in: one per core of a classroom laptop.
WORKERS = 2

#: Runners started and not yet finished: a running QThread whose Python object is collected
#: makes Qt abort the process, and the application waits for them as it quits.
_running: set[SweepRunner] = set()
_quit_hook_installed = False


def running_sweeps() -> list[SweepRunner]:
    """The sweeps still running (stopping ones too)."""
    return list(_running)


def _stop_all() -> None:
    """As the application quits: stop every sweep and wait for it (its workers end with it)."""
    for runner in list(_running):
        runner.request_stop()
    for runner in list(_running):
        runner.wait()


class SweepRunner(QThread):
    """Trains a sweep's points off the GUI thread, emitting each as it finishes
    (``point_finished``), or ``failed`` with one sentence; ``request_stop`` ends it soon (within
    a few updates of a run, or a tenth of a second with worker processes)."""

    point_finished = Signal(object)  # SweepPoint
    failed = Signal(str)

    def __init__(self, plan: SweepPlan, workers: int) -> None:
        super().__init__()
        self.plan = plan
        self.workers = workers
        self._stop = False
        global _quit_hook_installed
        if not _quit_hook_installed and QCoreApplication.instance() is not None:
            QCoreApplication.instance().aboutToQuit.connect(_stop_all)
            _quit_hook_installed = True
        _running.add(self)
        self.finished.connect(lambda: _running.discard(self))

    def request_stop(self) -> None:
        self._stop = True

    @property
    def stopping(self) -> bool:
        return self._stop

    def run(self) -> None:
        try:
            for point in run_sweep(self.plan, self.workers, lambda: not self._stop):
                self.point_finished.emit(point)
        except Exception as error:  # a failed run or worker: one sentence, never a traceback
            self.failed.emit(str(error) or type(error).__name__)


class SweepWindow(QWidget):
    """The sweep's controls (cells, delays, updates per point, Start and Stop), its plot and a
    line saying how far it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Delay sweep — rnnviz")
        self.runner: SweepRunner | None = None
        self.error_box: QMessageBox | None = None
        self._started = 0.0
        self._done = 0
        about = QLabel(
            "Each point trains a new network to recall a symbol N steps back and scores it "
            "on new sequences. A vanilla RNN falls to chance as N grows; LSTM and GRU hold."
        )
        about.setWordWrap(True)
        defaults = parse_cells(DEFAULT_CELLS)
        self.cell_boxes = {cell: QCheckBox(cell_label(cell)) for cell in Cell}
        for cell, box in self.cell_boxes.items():
            box.setChecked(cell in defaults)
        self.delays_edit = QLineEdit(",".join(map(str, DEFAULT_DELAYS)))
        self.delays_edit.setToolTip("The delays N, in steps, separated by commas")
        self.steps_box = QSpinBox()
        self.steps_box.setRange(1, MAX_SWEEP_STEPS)
        self.steps_box.setSingleStep(100)
        self.steps_box.setValue(DEFAULT_STEPS)
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        self.status = QLabel("Press Start to train every cell at every delay.")
        self.plot = SweepPlot()
        shown = SweepPlan(defaults, DEFAULT_DELAYS)
        self.plot.start(
            defaults, DEFAULT_DELAYS, shown.chance, SweepPlot.default_title(shown.steps)
        )

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Cells:"))
        for box in self.cell_boxes.values():
            controls.addWidget(box)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Delays N:"))
        controls.addWidget(self.delays_edit, 1)
        controls.addWidget(QLabel("Updates per point:"))
        controls.addWidget(self.steps_box)
        controls.addWidget(self.start_button)
        controls.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        self.setFont(font(TEXT_PT))  # the controls as readable as the plot, on a projector
        self.resize(1100, 700)

    # ------------------------------------------------------------------ commands

    @Slot()
    def start(self) -> None:
        """Start the sweep the controls describe; a bad choice is a message box."""
        if self.runner is not None:
            return
        try:
            plan = self.plan()
        except (ValueError, ConfigError) as error:
            self._warn(str(error))
            return
        self.plot.start(plan.cells, plan.delays, plan.chance, SweepPlot.default_title(plan.steps))
        workers = WORKERS if default_backend() == "process" else 0
        self.runner = SweepRunner(plan, workers)
        self.runner.point_finished.connect(self._on_point)
        self.runner.failed.connect(self._warn)
        self.runner.finished.connect(self._on_finished)
        self._started = time.perf_counter()
        self._done = 0
        self._set_running(True)
        self.status.setText(f"Training 0 of {self._total()} runs…")
        self.runner.start()

    @Slot()
    def stop(self) -> None:
        """Stop the sweep (the points in so far stay)."""
        if self.runner is not None:
            self.runner.request_stop()
            self.stop_button.setEnabled(False)
            self.status.setText("Stopping…")

    def plan(self) -> SweepPlan:
        """The sweep the controls describe. Raises ValueError or ConfigError, one sentence."""
        cells = tuple(cell for cell, box in self.cell_boxes.items() if box.isChecked())
        if not cells:
            raise ValueError("Choose at least one cell to sweep.")
        delays = parse_delays(self.delays_edit.text())
        plan = SweepPlan(cells, delays, self.steps_box.value())
        plan.check()
        return plan

    def running(self) -> bool:
        return self.runner is not None

    # ------------------------------------------------------------------ what the runner says

    @Slot(object)
    def _on_point(self, point: SweepPoint) -> None:
        if self.sender() is not self.runner:
            return  # a sweep stopped before this one started
        self.plot.add_point(point.cell_index, point.delay_index, point.accuracy)
        self._done += 1
        score = "diverged" if point.diverged else f"accuracy {point.accuracy:.2f}"
        self.status.setText(
            f"{self._done} of {self._total()} runs done ({self._seconds()}); last: "
            f"{cell_label(point.cell)} at N = {point.delay}, {score}"
        )

    @Slot()
    def _on_finished(self) -> None:
        runner, self.runner = self.runner, None
        self._set_running(False)
        if runner is None or (self.error_box is not None and self.error_box.isVisible()):
            return
        total = len(runner.plan.cells) * len(runner.plan.delays)
        if self._done == total:
            self.status.setText(f"Done: {total} runs in {self._seconds()}.")
        else:
            self.status.setText(f"Stopped after {self._done} of {total} runs.")

    @Slot(str)
    def _warn(self, message: str) -> None:
        self.status.setText(message)
        box = QMessageBox(QMessageBox.Icon.Warning, "rnnviz", message, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal, does not block the event loop
        self.error_box = box

    # ------------------------------------------------------------------ helpers

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for widget in (*self.cell_boxes.values(), self.delays_edit, self.steps_box):
            widget.setEnabled(not running)

    def _total(self) -> int:
        return len(self.runner.plan.cells) * len(self.runner.plan.delays) if self.runner else 0

    def _seconds(self) -> str:
        return f"{time.perf_counter() - self._started:.0f} s"

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window stops its sweep (its thread and workers end on their own)."""
        self.stop()
        event.accept()


def open_sweep_window(parent: QWidget) -> SweepWindow:
    """Show ``parent``'s sweep window, made the first time it is asked for."""
    window = parent.findChild(SweepWindow)
    if window is None:
        window = SweepWindow(parent)
    window.show()
    window.raise_()
    window.activateWindow()
    return window
