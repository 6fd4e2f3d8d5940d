"""The controller's list of runs: a second and a third run, each with its own training thread
(or process), run ids, mailbox and settings, trained side by side and delivered with their
handles; commands to one leave the others alone; removing one stops it; shutdown stops all.

No test sleeps: each waits for a signal or a condition (pytest-qt's waitUntil).
"""

from __future__ import annotations

import sys
from collections import defaultdict

import pytest

pytest.importorskip("PySide6.QtCore")

from PySide6.QtCore import QCoreApplication

from rnnviz.gui.controller import Controller, RunHandle
from rnnviz.training.config import TrainConfig
from rnnviz.training.presets import PresetError
from rnnviz.training.protocol import PAUSED, STOPPED, TRAINING, RunReset

WAIT = 10_000  # ms: three trainers on a loaded machine; normally a fraction of it


def config(cell: str, **extra: str) -> TrainConfig:
    small = {"model.hidden_size": "8", "batch_size": "4", "seq_len": "10", "model.cell": cell}
    return TrainConfig(task="ball").with_settings({**small, **extra})


@pytest.fixture(params=["thread", "process"])
def controller(qtbot, request):
    controller = Controller(backend=request.param)
    yield controller
    assert controller.shutdown()


class Seen:
    """Every run's snapshots and events, by handle, and the main run's signals."""

    def __init__(self, controller: Controller) -> None:
        self.snapshots: dict[RunHandle, list] = defaultdict(list)
        self.events: dict[RunHandle, list] = defaultdict(list)
        self.main: list = []
        controller.run_snapshot.connect(lambda h, s: self.snapshots[h].append(s))
        controller.run_reported.connect(lambda h, e: self.events[h].append(e))
        controller.snapshot_ready.connect(self.main.append)


def three_runs(qtbot, controller: Controller) -> tuple[RunHandle, RunHandle]:
    """The main run (LSTM) and two more (RNN, GRU), training, each shown once."""
    controller.start(config("lstm"), play=True)
    rnn = controller.add_run(config("rnn_tanh"), play=True)
    gru = controller.add_run(config("gru"), play=True)
    qtbot.waitUntil(lambda: all(r.latest is not None for r in controller.runs), timeout=WAIT)
    return rnn, gru


def test_three_runs_train_side_by_side_each_delivered_with_its_handle(qtbot, controller):
    seen = Seen(controller)
    assert controller.runs == (controller.main,) and not controller.main.running
    controller.start(config("lstm"), play=True)
    rnn = controller.add_run(config("rnn_tanh"), play=True)
    gru = controller.add_run(config("gru", seed="3"), play=True)
    runs = (controller.main, rnn, gru)
    assert controller.runs == runs and len({r.key for r in runs}) == 3
    qtbot.waitUntil(
        lambda: all(r.latest is not None and r.latest.iteration > 5 for r in runs), timeout=WAIT
    )
    for run, cell in zip(runs, ("lstm", "rnn_tanh", "gru"), strict=True):
        assert run.state == TRAINING and run.backend == controller.backend
        assert run.config.model.cell.value == cell
        assert seen.snapshots[run] and all(
            s.config.model.cell.value == cell for s in seen.snapshots[run]
        )
        assert run.latest is seen.snapshots[run][-1] and run.delivered == len(seen.snapshots[run])
        iterations = [s.iteration for s in seen.snapshots[run]]
        assert iterations == sorted(iterations)
        assert [e.reason for e in seen.events[run] if isinstance(e, RunReset)] == ["started"]
    # each its own run ids, mailbox and training thread (and process)
    assert len({r.run_id for r in runs}) == 3
    assert len({id(r.mailbox) for r in runs}) == 3 and len({id(r.worker) for r in runs}) == 3
    if controller.backend == "process":
        assert len({r.worker.loop.process.pid for r in runs}) == 3
    # the main run's signals carry the main run's snapshots only
    assert seen.main and all(s.config.model.cell.value == "lstm" for s in seen.main)
    assert controller.latest is controller.main.latest


def test_a_command_to_one_run_leaves_the_others_alone(qtbot, controller):
    seen = Seen(controller)
    rnn, gru = three_runs(qtbot, controller)
    rnn.pause()
    qtbot.waitUntil(lambda: rnn.state == PAUSED, timeout=WAIT)
    stopped_at = rnn.latest.iteration
    gru_at = gru.latest.iteration
    qtbot.waitUntil(lambda: gru.latest.iteration > gru_at + 10, timeout=WAIT)
    assert rnn.latest.iteration == stopped_at and controller.state == TRAINING
    rnn.step()
    qtbot.waitUntil(lambda: rnn.latest.iteration == stopped_at + 1, timeout=WAIT)
    # a shape setting resets that run only, under a new id of its own
    before = {r: r.run_id for r in controller.runs}
    assert gru.set_live({"model.hidden_size": "12"})
    qtbot.waitUntil(lambda: gru.latest.hidden[0].shape[1] == 12, timeout=WAIT)
    assert gru.run_id not in before.values()
    assert controller.run_id == before[controller.main] and rnn.run_id == before[rnn]
    assert controller.latest.hidden[0].shape[1] == 8
    assert any(isinstance(e, RunReset) for e in seen.events[gru][1:])
    # a snapshot of another run, arriving in this one's mailbox, is dropped as stale
    dropped = rnn.stale_dropped
    rnn.worker.post_snapshot(gru.latest)
    qtbot.waitUntil(lambda: rnn.stale_dropped == dropped + 1, timeout=WAIT)
    assert rnn.latest.config.model.cell.value == "rnn_tanh"


def test_removing_a_run_stops_it_and_shutdown_stops_them_all(qtbot, controller):
    seen = Seen(controller)
    rnn, gru = three_runs(qtbot, controller)
    worker = gru.worker
    assert controller.remove_run(gru)
    assert controller.runs == (controller.main, rnn)
    assert not gru.running and gru.state == STOPPED and not worker.isRunning()
    count = len(seen.snapshots[gru])
    QCoreApplication.processEvents()
    assert len(seen.snapshots[gru]) == count  # nothing of it arrives afterwards
    at = rnn.latest.iteration
    qtbot.waitUntil(lambda: rnn.latest.iteration > at, timeout=WAIT)  # the others train on
    assert controller.shutdown()
    assert all(not r.running and r.state == STOPPED for r in controller.runs)
    if controller.backend == "process":
        remote = sys.modules["rnnviz.training.remote"]
        assert remote.live_processes() == []


def test_adding_and_removing_runs_refuses_what_makes_no_sense(qtbot, controller):
    with pytest.raises(PresetError):
        controller.add_run("no_such_lesson")
    with pytest.raises(TypeError):
        controller.add_run(42)
    assert controller.runs == (controller.main,)
    with pytest.raises(ValueError, match="main run"):
        controller.remove_run(controller.main)
    other = Controller(backend="thread").main
    with pytest.raises(ValueError, match="not one of"):
        controller.remove_run(other)
    assert controller.runs == (controller.main,)
