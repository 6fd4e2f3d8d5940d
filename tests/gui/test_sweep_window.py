"""The delay sweep's window: Start fills the plot point by point, Stop and closing leave no thread
or worker process running, a bad choice is a message box, and Lessons → Delay sweep… opens it."""

from __future__ import annotations

import pytest
from gui_helpers import shown
from PySide6.QtWidgets import QMessageBox

from rnnviz.gui.sweep import window as sweep_window_module
from rnnviz.gui.sweep.window import SweepWindow, running_sweeps
from rnnviz.training.settings import Cell
from rnnviz.training.sweep_workers import SweepWorkerError, live_workers


def choose(window: SweepWindow, cells, delays: str, steps: int) -> None:
    for cell, box in window.cell_boxes.items():
        box.setChecked(cell in cells)
    window.delays_edit.setText(delays)
    window.steps_box.setValue(steps)


def nothing_running(window: SweepWindow) -> bool:
    return not window.running() and not running_sweeps() and not live_workers()


@pytest.fixture
def sweep_window(qtbot):
    window = shown(qtbot, SweepWindow, size=(1100, 700))
    yield window
    window.close()
    qtbot.waitUntil(lambda: nothing_running(window), timeout=10_000)


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_start_fills_the_plot_point_by_point(qtbot, sweep_window, monkeypatch, backend):
    monkeypatch.setenv("RNNVIZ_TRAINING", backend)
    choose(sweep_window, (Cell.RNN_TANH, Cell.GRU), "3,2", 2)
    seen = []
    plot = sweep_window.plot
    sweep_window.start_button.click()
    assert sweep_window.running() and not sweep_window.start_button.isEnabled()
    # queued from the sweep's thread, after the window's own slot: the points it had drawn
    sweep_window.runner.point_finished.connect(lambda _: seen.append(plot.points_in()))
    qtbot.waitUntil(lambda: nothing_running(sweep_window), timeout=30_000)
    assert seen == [1, 2, 3, 4]
    assert sweep_window.plot.points_in() == 4
    assert [len(curve.xData) for curve in sweep_window.plot.curves] == [2, 2]
    assert sweep_window.status.text().startswith("Done: 4 runs")
    assert sweep_window.start_button.isEnabled() and not sweep_window.stop_button.isEnabled()


@pytest.mark.parametrize("backend", ["thread", "process"])
@pytest.mark.parametrize("how", ["stop", "close"])
def test_stop_and_close_leave_nothing_running(qtbot, sweep_window, monkeypatch, backend, how):
    monkeypatch.setenv("RNNVIZ_TRAINING", backend)
    choose(sweep_window, (Cell.LSTM, Cell.GRU), "40", 100_000)
    sweep_window.start_button.click()
    assert sweep_window.running()
    if backend == "process":  # the workers have started
        qtbot.waitUntil(lambda: len(live_workers()) == 2, timeout=10_000)
    if how == "stop":
        sweep_window.stop_button.click()
    else:
        sweep_window.close()
    qtbot.waitUntil(lambda: nothing_running(sweep_window), timeout=10_000)
    assert sweep_window.plot.points_in() == 0
    if how == "stop":
        assert sweep_window.status.text() == "Stopped after 0 of 2 runs."
        assert sweep_window.start_button.isEnabled()


@pytest.mark.parametrize(
    ("cells", "delays"), [((), "5,10"), ((Cell.LSTM,), "0"), ((Cell.LSTM,), "5,5")]
)
def test_a_bad_choice_is_a_message_box_and_starts_nothing(sweep_window, cells, delays):
    choose(sweep_window, cells, delays, 10)
    sweep_window.start_button.click()
    assert not sweep_window.running()
    box = sweep_window.error_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() and "\n" not in box.text()
    box.close()


def test_the_lessons_menu_opens_one_sweep_window(qtbot, window):
    window.sweep_action.trigger()
    opened = window.findChildren(SweepWindow)
    assert len(opened) == 1 and opened[0].isVisible()
    window.sweep_action.trigger()
    assert window.findChildren(SweepWindow) == opened
    opened[0].close()


def test_a_failed_worker_is_a_message_box_and_the_points_stay(qtbot, sweep_window, monkeypatch):
    real = sweep_window_module.run_sweep

    def failing(plan, workers, keep_going):
        yield next(real(plan, 0, keep_going))
        raise SweepWorkerError("a sweep worker process ended unexpectedly (exit code -9)")

    monkeypatch.setattr(sweep_window_module, "run_sweep", failing)
    choose(sweep_window, (Cell.RNN_TANH,), "3,2", 2)
    sweep_window.start_button.click()
    qtbot.waitUntil(lambda: nothing_running(sweep_window), timeout=10_000)
    box = sweep_window.error_box
    assert box is not None and box.isVisible() and "exit code -9" in box.text()
    assert sweep_window.plot.points_in() == 1 and sweep_window.start_button.isEnabled()
    box.close()
