"""The training worker: the Qt-free loop driven one pass at a time with a fake clock, the
latest-wins mailbox, and the QThread around them (started, stopped, never leaked)."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

pytest.importorskip("PySide6.QtCore")

from rnnviz.gui.worker import TrainingWorker
from rnnviz.training import protocol as p
from rnnviz.training.config import TrainConfig
from rnnviz.training.loop import TrainingLoop
from rnnviz.training.mailbox import SnapshotMailbox
from rnnviz.training.trainer import Trainer

SMALL = {"model.hidden_size": "8", "batch_size": "4", "seq_len": "10"}


def small_config(**extra: str) -> TrainConfig:
    # the ball task: quick to build and to step (about 1 ms per update)
    return TrainConfig(task="ball").with_settings({**SMALL, **extra})


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Recorder:
    """A reporter that keeps every event, by kind."""

    def __init__(self) -> None:
        self.snapshots = []
        self.states = []
        self.failures = []
        self.resets = []
        self.configs = []
        self.saved = []
        self.opened = []
        self.saved_iterations = []
        self.opened_iterations = []

    def __call__(self, event) -> None:
        match event:
            case p.SnapshotMade(snapshot):
                self.snapshots.append(snapshot)
            case p.StateChanged(state):
                self.states.append(state)
            case p.Failed(message):
                self.failures.append(message)
            case p.RunReset(reason):
                self.resets.append(reason)
            case p.ConfigChanged(config):
                self.configs.append(config)
            case p.Saved(path, iteration):
                self.saved.append(path)
                self.saved_iterations.append(iteration)
            case p.Opened(path, iteration):
                self.opened.append(path)
                self.opened_iterations.append(iteration)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def loop(rec, clock) -> TrainingLoop:
    """A loop with a small run in place, paused, driven by hand."""
    loop = TrainingLoop(rec, max_snapshot_rate=30.0, clock=clock)
    loop.send(p.Reset(small_config(), run_id=1))
    loop.tick(block=False)
    return loop


def drive(loop: TrainingLoop, clock: Clock, passes: int, dt: float = 0.001) -> None:
    """``passes`` passes of the loop, the clock moving ``dt`` after each."""
    for _ in range(passes):
        loop.tick(block=False)
        clock.advance(dt)


def play(loop: TrainingLoop, clock: Clock) -> None:
    """Play; the pass that carries out the command makes no update yet."""
    loop.send(p.Play())
    drive(loop, clock, 1)


def test_reset_builds_the_run_paused_and_shows_it(loop, rec):
    assert loop.trainer is not None and loop.trainer.run_id == 1
    assert rec.resets == ["reset"] and rec.states == [p.PAUSED]
    assert [s.iteration for s in rec.snapshots] == [0]  # paused: shown at once


def test_step_is_exactly_one_update_and_one_snapshot(loop, rec, clock):
    for n in range(1, 4):
        loop.send(p.Step())
        drive(loop, clock, 5)  # more passes than needed: nothing else may happen
        assert loop.trainer.iteration == n and loop.updates == n
        assert [s.iteration for s in rec.snapshots[1:]] == list(range(1, n + 1))
    assert loop.state == p.PAUSED


def test_step_while_playing_pauses_first(loop, rec, clock):
    play(loop, clock)
    drive(loop, clock, 10)
    before = loop.trainer.iteration
    count = len(rec.snapshots)
    loop.send(p.Step())
    drive(loop, clock, 5)
    assert loop.trainer.iteration == before + 1 and loop.state == p.PAUSED
    assert len(rec.snapshots) == count + 1 and rec.snapshots[-1].iteration == before + 1


def test_playing_snapshots_only_when_due(loop, rec, clock):
    play(loop, clock)
    drive(loop, clock, 300, dt=0.001)  # 300 updates over 0.3 s of clock time
    assert loop.updates == 300 and loop.state == p.TRAINING
    during = rec.snapshots[1:]
    assert 8 <= len(during) <= 10  # 30 a second, not one per update
    iterations = [s.iteration for s in during]
    assert iterations == sorted(iterations) and len(set(iterations)) == len(iterations)
    assert all(b - a >= 30 for a, b in itertools.pairwise(iterations))


def test_costly_snapshots_are_made_less_often(rec, clock):
    loop = TrainingLoop(rec, max_snapshot_rate=30.0, snapshot_budget=0.1, clock=clock)
    loop.send(p.Reset(small_config(), run_id=1))
    loop.tick(block=False)
    snapshot = loop.trainer.snapshot

    def slow_snapshot():
        clock.advance(0.02)  # a 20 ms snapshot: then at most one every 200 ms
        return snapshot()

    loop.trainer.snapshot = slow_snapshot
    play(loop, clock)
    drive(loop, clock, 400, dt=0.0025)  # 1 s of clock time
    during = len(rec.snapshots) - 1
    assert 4 <= during <= 8  # not 30


def test_a_process_loop_makes_a_snapshot_only_once_the_last_was_acknowledged(rec, clock):
    loop = TrainingLoop(rec, max_snapshot_rate=30.0, clock=clock, acknowledged=True)
    loop.send(p.Reset(small_config(), run_id=1))
    loop.tick(block=False)
    assert [s.iteration for s in rec.snapshots] == [0] and loop.snapshots == 1
    play(loop, clock)
    drive(loop, clock, 300)  # 0.3 s: nine snapshots due, none made while the first is away
    assert loop.updates == 300 and loop.snapshots == 1 and len(rec.snapshots) == 1
    loop.send(p.Ack())
    drive(loop, clock, 1)
    assert rec.snapshots[-1].iteration == 300  # the owed one, of the run as it is now
    loop.send(p.Step())  # pauses: its snapshot is owed too, as the last one is away
    drive(loop, clock, 3)
    assert loop.state == p.PAUSED and rec.snapshots[-1].iteration == 300
    loop.send(p.Ack())
    drive(loop, clock, 1)
    assert rec.snapshots[-1].iteration == loop.trainer.iteration == 302
    assert loop.snapshots == len(rec.snapshots) == 3  # none made in vain
    loop.send(p.Ack())
    drive(loop, clock, 2)
    assert len(rec.snapshots) == 3  # nothing owed: nothing made


def test_pause_stops_and_shows_where_it_stopped(loop, rec, clock):
    play(loop, clock)
    drive(loop, clock, 50)
    loop.send(p.Pause())
    drive(loop, clock, 20)
    stopped_at = loop.trainer.iteration
    assert stopped_at == 50 and loop.state == p.PAUSED
    assert rec.snapshots[-1].iteration == stopped_at
    assert rec.states[-2:] == [p.TRAINING, p.PAUSED]


def test_learning_rate_changes_live(loop, rec, clock):
    play(loop, clock)
    drive(loop, clock, 20)
    loop.send(p.Pause())
    drive(loop, clock, 1)
    trainer = loop.trainer
    weights = {k: v.copy() for k, v in trainer.model.params.items()}
    loop.send(p.SetLive({"optim.lr": "0.001", "temperature": "0.5"}, run_id=2))
    drive(loop, clock, 1)
    assert loop.trainer is trainer and trainer.iteration == 20 and trainer.run_id == 2
    assert trainer.optimizer.lr == 0.001 and rec.configs[-1].temperature == 0.5
    for name, value in weights.items():
        assert np.array_equal(trainer.model.params[name], value)
    assert rec.resets == ["reset"]  # no new run
    assert rec.snapshots[-1].run_id == 2 and rec.snapshots[-1].iteration == 20


def test_shape_setting_starts_a_new_run_and_says_why(loop, rec, clock):
    play(loop, clock)
    drive(loop, clock, 20)
    loop.send(p.SetLive({"model.hidden_size": "12", "optim.lr": "0.005"}, run_id=2))
    drive(loop, clock, 5)
    assert loop.trainer.run_id == 2 and loop.trainer.config.model.hidden_size == 12
    assert loop.trainer.iteration == 5 and loop.state == p.TRAINING  # still playing
    assert "model.hidden_size" in rec.resets[-1] and "optim.lr" not in rec.resets[-1]


def test_invalid_setting_fails_and_keeps_the_run(loop, rec, clock):
    loop.send(p.Step())
    drive(loop, clock, 1)
    trainer = loop.trainer
    loop.send(p.SetLive({"optim.lr": "-1"}, run_id=2))
    loop.send(p.SetLive({"no.such": "1"}, run_id=3))
    drive(loop, clock, 2)
    assert loop.trainer is trainer and trainer.iteration == 1 and trainer.run_id == 3
    assert len(rec.failures) == 2 and "optim.lr" in rec.failures[0]


def test_rewind_repeats_the_run_and_reseed_changes_it(loop, rec, clock):
    loop.send(p.Step())
    drive(loop, clock, 1)
    first = rec.snapshots[-1]
    loop.send(p.Rewind(run_id=2))
    loop.send(p.Step())
    drive(loop, clock, 3)
    again = rec.snapshots[-1]
    assert again.run_id == 2 and again.iteration == 1
    assert np.array_equal(again.hidden[0], first.hidden[0])
    loop.send(p.Reseed(None, run_id=3))
    loop.send(p.Step())
    drive(loop, clock, 3)
    other = rec.snapshots[-1]
    assert loop.trainer.config.seed == 1 and other.run_id == 3
    assert not np.array_equal(other.hidden[0], first.hidden[0])
    assert rec.resets[-2].startswith("rewound") and "seed 1" in rec.resets[-1]


@pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
def test_divergence_pauses_with_the_reason(rec, clock):
    loop = TrainingLoop(rec, clock=clock)
    config = small_config(
        **{"model.cell": "rnn_relu", "optim.kind": "sgd", "optim.lr": "1000", "optim.clip": "none"}
    )
    loop.send(p.Reset(config, run_id=1))
    loop.send(p.Play())
    drive(loop, clock, 20)
    assert loop.state == p.DIVERGED
    assert (
        "diverged" in rec.snapshots[-1].diverged and "learning rate" in rec.snapshots[-1].diverged
    )
    # holding: play tries once more, then pauses again at once
    play(loop, clock)
    drive(loop, clock, 3)
    assert loop.state == p.DIVERGED and rec.states[-2:] == [p.TRAINING, p.DIVERGED]


def test_exception_in_training_reports_and_pauses(loop, rec, clock):
    real_step = loop.trainer.step
    calls = {"n": 0}

    def flaky_step():
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("injected failure")
        return real_step()

    loop.trainer.step = flaky_step
    play(loop, clock)
    drive(loop, clock, 10)
    assert loop.state == p.ERROR and loop.trainer.iteration == 2
    assert len(rec.failures) == 1 and "injected failure" in rec.failures[0]
    play(loop, clock)  # still usable
    drive(loop, clock, 10)
    assert loop.state == p.TRAINING and loop.trainer.iteration == 12


def test_exception_while_making_a_snapshot_reports_and_pauses(loop, rec, clock):
    def broken_snapshot():
        raise ValueError("no picture")

    loop.trainer.snapshot = broken_snapshot
    loop.send(p.Step())
    drive(loop, clock, 2)
    assert loop.state == p.ERROR and "no picture" in rec.failures[-1]


def test_commands_without_a_run_say_what_to_do(rec, clock):
    loop = TrainingLoop(rec, clock=clock)
    for command in (p.Play(), p.Step(), p.Save("x.rnnviz")):
        loop.send(command)
    drive(loop, clock, 5)
    assert len(rec.failures) == 3 and all("first" in m for m in rec.failures)
    assert loop.trainer is None and rec.snapshots == []


def test_failed_open_keeps_the_run(loop, rec, clock, tmp_path):
    play(loop, clock)
    drive(loop, clock, 10)
    trainer = loop.trainer
    loop.send(p.Open(tmp_path / "missing.rnnviz", run_id=2))
    drive(loop, clock, 10)
    assert loop.trainer is trainer and trainer.run_id == 2 and trainer.iteration == 20
    assert loop.state == p.TRAINING and rec.resets == ["reset"]
    assert "missing.rnnviz" in rec.failures[-1]


def test_save_then_open_gives_the_same_run_paused(loop, rec, clock, tmp_path):
    play(loop, clock)
    drive(loop, clock, 10)
    loop.send(p.Pause())
    loop.send(p.Save(tmp_path / "run.rnnviz"))
    drive(loop, clock, 2)
    saved = rec.snapshots[-1]
    assert rec.saved == [str(tmp_path / "run.rnnviz")]
    play(loop, clock)
    drive(loop, clock, 10)
    loop.send(p.Open(tmp_path / "run.rnnviz", run_id=2))
    drive(loop, clock, 2)
    opened = rec.snapshots[-1]
    assert loop.state == p.PAUSED and opened.run_id == 2 and opened.iteration == saved.iteration
    assert np.array_equal(opened.hidden[0], saved.hidden[0])
    assert rec.opened == [str(tmp_path / "run.rnnviz")] and rec.resets[-1] == "opened run.rnnviz"


def test_slow_motion_pauses_between_updates(loop, clock):
    loop.send(p.SetSlowMotion(0.5))
    play(loop, clock)
    drive(loop, clock, 3, dt=0.0)
    assert loop.updates == 1  # the first at once, the next only after 0.5 s
    clock.advance(0.49)
    drive(loop, clock, 3, dt=0.0)
    assert loop.updates == 1
    clock.advance(0.01)
    drive(loop, clock, 1, dt=0.0)
    assert loop.updates == 2
    loop.send(p.SetSlowMotion(None))
    drive(loop, clock, 5, dt=0.0)
    assert loop.updates == 7


def test_check_slow_motion():
    assert p.check_slow_motion(None) is None and p.check_slow_motion(0) is None
    assert p.check_slow_motion(1) == 1.0
    for bad in (-1, float("nan"), 61):
        with pytest.raises(ValueError):
            p.check_slow_motion(bad)
    with pytest.raises(TypeError):
        p.check_slow_motion("1")


def test_mailbox_latest_wins():
    box = SnapshotMailbox()
    assert box.take() is None
    assert box.put("a") is True  # was empty: notify
    assert box.put("b") is False  # a notification is already on its way
    assert box.take() == "b" and box.take() is None
    assert box.put("c") is True


# --------------------------------------------------------------------------- the QThread


def test_worker_notifies_once_per_waiting_snapshot(qtbot):
    worker = TrainingWorker()  # not started: post_snapshot works from any thread
    notes = []
    worker.snapshot_posted.connect(lambda: notes.append(1))
    snapshot = Trainer(small_config()).snapshot()
    for _ in range(5):
        worker.post_snapshot(snapshot)
    assert len(notes) == 1
    assert worker.mailbox.take() is snapshot
    worker.post_snapshot(snapshot)
    assert len(notes) == 2


@pytest.mark.parametrize("slow_motion", [None, 10.0])
def test_worker_stops_quickly_while_training(qtbot, slow_motion):
    worker = TrainingWorker()
    worker.loop.send(p.Reset(small_config(), run_id=1))
    worker.loop.send(p.SetSlowMotion(slow_motion))
    worker.loop.send(p.Play())
    with qtbot.waitSignal(worker.snapshot_posted, timeout=5000):
        worker.start()
    qtbot.waitUntil(lambda: worker.loop.updates >= 1, timeout=5000)
    began = time.perf_counter()
    assert worker.stop(1000)
    assert time.perf_counter() - began < 1.0
    assert not worker.isRunning()
    assert worker.stop(1000)  # again: nothing to do


def test_worker_stops_when_paused_and_reports_state(qtbot):
    worker = TrainingWorker()
    with qtbot.waitSignal(
        worker.reported, check_params_cb=lambda e: isinstance(e, p.StateChanged), timeout=5000
    ) as blocker:
        worker.start()
        worker.loop.send(p.Reset(small_config(), run_id=1))
    assert blocker.args == [p.StateChanged(p.PAUSED)]
    assert worker.stop(1000) and not worker.isRunning()
