"""The controller with real training, in the training thread and in a child process:
snapshots at most ~30 a second, exactly one per step, live settings, stale runs dropped,
failures reported with the run left alone, sessions, and clean shutdown (the conftest fixture
fails any test that leaves the thread or the process running).

No test sleeps: each waits for a signal or a condition (pytest-qt's waitSignal/waitUntil).
Most tests run on both backends and look only at what the controller emits. A few peek at the
worker's trainer (thread backend only), and only while it is paused (the worker is then blocked
on its command queue), never while it trains.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("PySide6.QtCore")

from PySide6.QtCore import QCoreApplication

from rnnviz.gui.controller import Controller
from rnnviz.training.config import TrainConfig
from rnnviz.training.protocol import DIVERGED, ERROR, IDLE, PAUSED, STOPPED, TRAINING
from rnnviz.training.trainer import Trainer

SMALL = {"model.hidden_size": "8", "batch_size": "4", "seq_len": "10"}
WAIT = 5000  # ms: generous for a loaded machine; the tests normally take a fraction of it


def small_config(**extra: str) -> TrainConfig:
    # the ball task: quick to build and to step (about 1 ms per update)
    return TrainConfig(task="ball").with_settings({**SMALL, **extra})


class Log:
    """Everything a controller emits, in order."""

    def __init__(self, controller: Controller) -> None:
        self.snapshots = []
        self.times = []
        self.states = []
        self.failures = []
        self.resets = []
        controller.snapshot_ready.connect(self._snapshot)
        controller.state_changed.connect(self.states.append)
        controller.failed.connect(self.failures.append)
        controller.run_reset.connect(self.resets.append)

    def _snapshot(self, snapshot) -> None:
        self.times.append(time.perf_counter())
        self.snapshots.append(snapshot)


BACKENDS = ("thread", "process")


@pytest.fixture(params=BACKENDS)
def controller(qtbot, request):
    controller = Controller(backend=request.param)
    yield controller
    assert controller.shutdown()


@pytest.fixture
def thread_controller(qtbot):
    controller = Controller(backend="thread")
    yield controller
    assert controller.shutdown()


@pytest.fixture
def process_controller(qtbot):
    controller = Controller(backend="process")
    yield controller
    assert controller.shutdown()


@pytest.fixture
def log(controller) -> Log:
    return Log(controller)


def trainer_of(controller: Controller) -> Trainer:
    """The worker's trainer: only to be looked at while paused (thread backend)."""
    assert controller.backend == "thread"
    assert controller.state in (PAUSED, DIVERGED, ERROR)
    return controller.main.worker.loop.trainer


def start_paused(qtbot, controller: Controller, config: TrainConfig | None = None) -> None:
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
        controller.start(config or small_config())
    qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=WAIT)


def pause(qtbot, controller: Controller) -> None:
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=WAIT)


def test_play_gives_increasing_iterations_at_most_about_30_a_second(qtbot, controller, log):
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 16, timeout=WAIT)
    rate = (len(log.times) - 1) / (log.times[-1] - log.times[0])
    assert rate <= 40
    iterations = [s.iteration for s in log.snapshots]
    assert iterations == sorted(iterations) and len(set(iterations)) == len(iterations)
    # many updates per snapshot: snapshots are made only when due, not per update
    assert iterations[-1] > 3 * len(iterations)
    assert all(s.run_id == controller.run_id for s in log.snapshots)
    assert controller.latest is log.snapshots[-1]
    status = controller.status()
    assert status.state == TRAINING and status.iteration == iterations[-1]
    assert "iteration" in status.text()


def test_step_is_exactly_one_update_and_one_snapshot(qtbot, controller, log):
    start_paused(qtbot, controller)
    for n in range(1, 4):
        with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
            controller.step()
        assert blocker.args[0].iteration == n
        with qtbot.assertNotEmitted(controller.snapshot_ready, wait=100):
            pass
    assert controller.latest.iteration == 3 and controller.state == PAUSED
    if controller.backend == "thread":
        loop = controller.main.worker.loop
        assert loop.updates == 3 and loop.snapshots == 4  # the start's snapshot, then 3
        assert trainer_of(controller).iteration == 3


def test_pause_stops_training(qtbot, controller, log):
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 3, timeout=WAIT)
    pause(qtbot, controller)
    stopped_at = controller.latest.iteration
    with qtbot.assertNotEmitted(controller.snapshot_ready, wait=150):
        pass
    assert log.states[-2:] == [TRAINING, PAUSED]
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.step()  # one update on from where it was shown to stop
    assert blocker.args[0].iteration == stopped_at + 1


def test_learning_rate_changes_mid_run_keeping_iteration_and_weights(qtbot, controller, log):
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 3, timeout=WAIT)
    before = controller.latest.iteration
    with qtbot.waitSignal(controller.config_changed, timeout=WAIT):
        assert controller.set_live({"optim.lr": "0.001"})
    qtbot.waitUntil(
        lambda: controller.latest.config.optim.lr == 0.001 and controller.latest.iteration > before,
        timeout=WAIT,
    )
    # paused, the weights can be compared exactly
    pause(qtbot, controller)
    paused = controller.latest
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.set_live(**{"optim.lr": "0.0005", "optim.clip": "1.0"})
    changed = blocker.args[0]
    assert changed.iteration == paused.iteration
    assert changed.config.optim.lr == 0.0005 and changed.config.optim.clip == 1.0
    assert set(changed.weights) == set(paused.weights)
    for name, value in paused.weights.items():
        assert np.array_equal(changed.weights[name], value)
    assert log.resets == ["started"] and log.failures == []
    if controller.backend == "thread":
        trainer = trainer_of(controller)
        assert trainer.optimizer.lr == 0.0005 and trainer.iteration == paused.iteration


def test_a_shape_setting_resets_and_says_so(qtbot, controller, log):
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 2, timeout=WAIT)
    assert controller.would_reset({"model.hidden_size": "12"})
    assert not controller.would_reset({"optim.lr": "0.1"})
    with qtbot.waitSignal(controller.run_reset, timeout=WAIT) as blocker:
        controller.set_live({"model.hidden_size": "12"})
    assert "model.hidden_size" in blocker.args[0]
    qtbot.waitUntil(lambda: controller.latest.hidden[0].shape[1] == 12, timeout=WAIT)
    assert controller.state == TRAINING


def test_an_invalid_setting_fails_at_once(qtbot, controller, log):
    start_paused(qtbot, controller)
    assert not controller.set_live({"optim.lr": "fast"})
    assert len(log.failures) == 1 and "optim.lr" in log.failures[0]
    with pytest.raises(ValueError):
        controller.set_slow_motion(-1)


def test_reset_drops_snapshots_of_the_old_run(qtbot, controller, log):
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 2, timeout=WAIT)
    old = controller.latest
    with qtbot.waitSignal(controller.run_reset, timeout=WAIT):
        controller.reset(small_config(seed="5"))
    pause(qtbot, controller)
    after = len(log.snapshots)
    dropped = controller.stale_dropped
    # a snapshot of the replaced run, arriving late, through the real delivery path
    controller.main.worker.post_snapshot(old)
    qtbot.waitUntil(lambda: controller.stale_dropped == dropped + 1, timeout=WAIT)
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
        controller.step()
    new = log.snapshots[after:]
    assert old not in new and all(s.run_id == controller.run_id for s in new)
    assert controller.latest.config.seed == 5 and controller.latest.run_id != old.run_id


def test_an_exception_in_training_is_reported_and_the_worker_stays_usable(
    qtbot, thread_controller, monkeypatch
):
    # the failure is injected into this process's Trainer: the thread backend's
    controller = thread_controller
    log = Log(controller)
    real_step = Trainer.step
    calls = {"n": 0}

    def flaky_step(self):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("injected failure")
        return real_step(self)

    monkeypatch.setattr(Trainer, "step", flaky_step)
    with qtbot.waitSignal(controller.failed, timeout=WAIT) as blocker:
        controller.start(small_config(), play=True)
    assert "injected failure" in blocker.args[0] and "iteration 4" in blocker.args[0]
    qtbot.waitUntil(lambda: controller.state == ERROR, timeout=WAIT)
    assert "injected failure" in controller.status().message
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.step()
    assert blocker.args[0].iteration == 5
    qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=WAIT)  # the state follows
    controller.play()
    qtbot.waitUntil(lambda: controller.latest.iteration > 20, timeout=WAIT)
    assert controller.state == TRAINING and len(log.failures) == 1


@pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
def test_divergence_pauses_and_says_what_to_do(qtbot, controller, log):
    config = small_config(
        **{"model.cell": "rnn_relu", "optim.kind": "sgd", "optim.lr": "1000", "optim.clip": "none"}
    )
    controller.start(config, play=True)
    # the reason comes with the run's last snapshot, which may arrive just after the state
    # (across the process the snapshot waits for its acknowledgement)
    qtbot.waitUntil(
        lambda: controller.state == DIVERGED and bool(controller.latest.diverged), timeout=WAIT
    )
    status = controller.status()
    assert "diverged" in status.message and "learning rate" in status.message
    assert log.failures == []


def test_save_and_open_round_trip(qtbot, controller, log, tmp_path):
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 3, timeout=WAIT)
    pause(qtbot, controller)
    saved = controller.latest
    path = tmp_path / "lesson.rnnviz"
    with qtbot.waitSignal(controller.session_saved, timeout=WAIT) as blocker:
        controller.save(path)
    assert blocker.args == [str(path)] and path.is_file()
    # train on, then go back to the saved state
    controller.play()
    qtbot.waitUntil(lambda: controller.latest.iteration > saved.iteration + 10, timeout=WAIT)
    with qtbot.waitSignals([controller.session_opened, controller.run_reset], timeout=WAIT):
        controller.open(path)
    qtbot.waitUntil(lambda: controller.latest.run_id == controller.run_id, timeout=WAIT)
    opened = controller.latest
    assert controller.state == PAUSED and opened.iteration == saved.iteration
    assert np.array_equal(opened.hidden[0], saved.hidden[0])
    assert np.array_equal(opened.loss_history, saved.loss_history)
    assert log.resets[-1] == "opened lesson.rnnviz" and log.failures == []


def test_bad_files_fail_with_a_message_and_leave_the_run_alone(qtbot, controller, log, tmp_path):
    bad = tmp_path / "broken.rnnviz"
    bad.write_bytes(b"\x00\x01 this is not a session " * 40)
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 2, timeout=WAIT)
    attempts = [
        (lambda: controller.open(bad), "broken.rnnviz"),
        (lambda: controller.import_weights(bad), "broken.rnnviz"),
        (lambda: controller.save(tmp_path / "no" / "such" / "x.rnnviz"), "Could not save"),
        (lambda: controller.open(tmp_path / "missing.rnnviz"), "missing.rnnviz"),
    ]
    for attempt, expected in attempts:
        with qtbot.waitSignal(controller.failed, timeout=WAIT) as blocker:
            attempt()
        assert expected in blocker.args[0]
        before = log.snapshots[-1].iteration
        qtbot.waitUntil(lambda b=before: controller.latest.iteration > b, timeout=WAIT)
        assert controller.state == TRAINING
    assert log.resets == ["started"]  # the same run throughout
    iterations = [s.iteration for s in log.snapshots]
    assert iterations == sorted(iterations)


def test_import_weights_loads_them_and_pauses(qtbot, controller, log, tmp_path):
    donor = Trainer(small_config(seed="9"))
    path = tmp_path / "torch_weights.npz"
    np.savez(path, **{f"lstm.{k}": v for k, v in donor.model.rnn.params.items()})
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 2, timeout=WAIT)
    with qtbot.waitSignal(controller.weights_imported, timeout=WAIT) as blocker:
        controller.import_weights(path)
    assert blocker.args[0]["recurrent"] and not blocker.args[0]["readout"]
    qtbot.waitUntil(lambda: controller.state == PAUSED, timeout=WAIT)

    def shows_donor() -> bool:
        shown = controller.latest.weights
        return all(np.array_equal(shown[f"rnn.{k}"], v) for k, v in donor.model.rnn.params.items())

    # the snapshot made after the import (from a process it may follow the signal)
    qtbot.waitUntil(shows_donor, timeout=WAIT)
    with qtbot.assertNotEmitted(controller.snapshot_ready, wait=100):
        pass  # paused: it stays


@pytest.mark.parametrize("backend", BACKENDS)
def test_shutdown_while_training_is_quick_and_final(qtbot, backend):
    controller = Controller(backend=backend)
    log = Log(controller)
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 2, timeout=WAIT)
    began = time.perf_counter()
    assert controller.shutdown()
    assert time.perf_counter() - began < 1.0
    assert not controller.running and controller.state == STOPPED
    assert controller.shutdown()  # idempotent
    # nothing the thread sent before it ended reaches the views afterwards
    count, states = len(log.snapshots), list(log.states)
    QCoreApplication.processEvents()
    assert len(log.snapshots) == count and log.states == states


@pytest.mark.parametrize("backend", BACKENDS)
def test_slow_motion_shutdown_is_quick(qtbot, backend):
    controller = Controller(backend=backend)
    controller.set_slow_motion(10.0)
    log = Log(controller)
    controller.start(small_config(), play=True)
    # the start's snapshot, then the first update's: the loop now waits out the 10 s pause
    qtbot.waitUntil(lambda: any(s.iteration == 1 for s in log.snapshots), timeout=WAIT)
    began = time.perf_counter()
    assert controller.shutdown()
    assert time.perf_counter() - began < 1.0


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_start_and_shutdown_20_times(qtbot, backend):
    for _ in range(20):
        controller = Controller(backend=backend)
        with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
            controller.start(small_config(), play=True)
        assert controller.shutdown()
    # one controller, stopped and started again
    controller = Controller(backend=backend)
    for _ in range(3):
        with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
            controller.start(small_config(), play=True)
        assert controller.shutdown() and controller.state == STOPPED


def test_reset_50_times_mid_run(qtbot, controller, log):
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 2, timeout=WAIT)
    for k in range(50):
        config = small_config(seed=str(k), **{"model.hidden_size": str(4 + k % 5)})
        controller.reset(config)
        QCoreApplication.processEvents()
    qtbot.waitUntil(lambda: len(log.resets) == 51, timeout=WAIT)
    qtbot.waitUntil(
        lambda: controller.latest.run_id == controller.run_id and controller.latest.iteration > 5,
        timeout=WAIT,
    )
    assert controller.latest.config == config and controller.state == TRAINING
    assert log.failures == []


@pytest.mark.slow
def test_thousands_of_snapshot_signals_lose_no_reference_to_true(qtbot):
    # PySide6 6.12.0 lost a reference to True per emission; Python 3.11 then aborts
    controller = Controller(max_snapshot_rate=None, snapshot_budget=1.0, backend="thread")
    received = []
    controller.snapshot_ready.connect(received.append)
    true_before = sys.getrefcount(True)
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: controller.delivered >= 1000, timeout=20_000)
    assert controller.shutdown()
    snapshot = controller.latest
    for k in range(3000):  # and straight through the controller's own delivery
        controller.main._deliver(replace(snapshot, iteration=k))
    true_after = sys.getrefcount(True)
    tolerance = 100 if sys.version_info < (3, 12) else 0
    assert true_after >= true_before - tolerance
    assert len(received) == controller.delivered >= 4000


def test_commands_before_start_say_what_to_do(qtbot, controller, log):
    assert controller.state == IDLE and controller.latest is None
    controller.play()
    controller.step()
    controller.save("x.rnnviz")
    assert len(log.failures) == 3 and not controller.running
    assert not controller.start("no_such_lesson")
    assert "no_such_lesson" in log.failures[-1]


def test_a_lost_training_process_is_reported_and_reset_starts_a_new_one(qtbot, process_controller):
    controller = process_controller
    log = Log(controller)
    controller.start(small_config(), play=True)
    qtbot.waitUntil(lambda: len(log.snapshots) >= 2, timeout=WAIT)
    with qtbot.waitSignal(controller.failed, timeout=WAIT) as blocker:
        controller.main.worker.loop.process.kill()
    assert "ended unexpectedly" in blocker.args[0]
    qtbot.waitUntil(lambda: controller.state == ERROR and not controller.running, timeout=WAIT)
    with qtbot.waitSignal(controller.run_reset, timeout=WAIT):
        assert controller.reset()
    controller.play()
    qtbot.waitUntil(
        lambda: controller.latest.run_id == controller.run_id and controller.latest.iteration > 5,
        timeout=WAIT,
    )
    assert controller.state == TRAINING
