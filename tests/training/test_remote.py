"""The training loop in a child process (no Qt): snapshots cross intact, latest wins, stop is
clean, and a lost process is reported."""

from __future__ import annotations

import os
import pickle
import threading
from types import MappingProxyType

import numpy as np
import pytest

from rnnviz.training.config import TrainConfig
from rnnviz.training.protocol import (
    ERROR,
    PAUSED,
    TRAINING,
    Failed,
    Play,
    Reset,
    RunReset,
    SnapshotMade,
    StateChanged,
    Step,
    Stop,
)
from rnnviz.training.remote import NICENESS, TrainingProcess, live_processes
from rnnviz.training.trainer import Trainer

WAIT = 30.0  # seconds: a generous bound, never a sleep


def small_config() -> TrainConfig:
    return TrainConfig(task="ball").with_settings({"model.hidden_size": "8", "batch_size": "4"})


def test_a_snapshot_survives_pickling_frozen_and_equal():
    trainer = Trainer(small_config())
    trainer.step()
    snapshot = trainer.snapshot()
    copy = pickle.loads(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy.iteration == snapshot.iteration and copy.config == snapshot.config
    assert isinstance(copy.metrics, MappingProxyType) and isinstance(copy.weights, MappingProxyType)
    for a, b in zip(copy.hidden, snapshot.hidden, strict=True):
        np.testing.assert_array_equal(a, b)
        assert not a.flags.writeable
    for name, array in snapshot.weights.items():
        np.testing.assert_array_equal(copy.weights[name], array)
        assert copy.weights[name].dtype == array.dtype and not copy.weights[name].flags.writeable
    for gates_copy, gates in zip(copy.gates, snapshot.gates, strict=True):
        assert isinstance(gates_copy, MappingProxyType) and set(gates_copy) == set(gates)
    with pytest.raises(ValueError):
        copy.dh_norms[0, 0] = 1.0
    with pytest.raises(TypeError):
        copy.metrics["x"] = 1.0


class Recorder:
    def __init__(self):
        self.snapshots = []
        self.states = []
        self.failures = []
        self.resets = []
        self.changed = threading.Condition()

    def __call__(self, event):
        where, value = {
            SnapshotMade: (self.snapshots, "snapshot"),
            StateChanged: (self.states, "state"),
            Failed: (self.failures, "message"),
            RunReset: (self.resets, "reason"),
        }.get(type(event), (None, None))
        if where is not None:
            with self.changed:
                where.append(getattr(event, value))
                self.changed.notify_all()

    def wait_for(self, condition):
        with self.changed:
            assert self.changed.wait_for(condition, timeout=WAIT), "timed out"


@pytest.fixture
def remote():
    process = TrainingProcess(max_snapshot_rate=30.0)
    recorder = Recorder()
    reader = threading.Thread(target=process.receive, args=(recorder,), name="reader")
    reader.start()
    yield process, recorder, reader
    process.send(Stop())
    reader.join(WAIT)
    if reader.is_alive():  # pragma: no cover - only if stop failed
        process.kill()
        reader.join(WAIT)
    assert not reader.is_alive()


def test_the_process_trains_steps_pauses_and_stops(remote):
    process, recorder, reader = remote
    process.send(Reset(small_config(), run_id=7, reason="started"))
    recorder.wait_for(lambda: recorder.snapshots and recorder.states[-1:] == [PAUSED])
    assert recorder.resets == ["started"] and recorder.snapshots[-1].run_id == 7
    assert recorder.snapshots[-1].iteration == 0
    process.send(Step())
    recorder.wait_for(lambda: recorder.snapshots[-1].iteration == 1)
    process.send(Play())
    recorder.wait_for(lambda: recorder.snapshots[-1].iteration > 20)
    assert TRAINING in recorder.states
    iterations = [s.iteration for s in recorder.snapshots]
    assert iterations == sorted(iterations)
    process.send(Stop())
    reader.join(WAIT)
    assert not reader.is_alive() and process.process.poll() == 0
    assert recorder.failures == [] and live_processes() == []


def test_a_lost_process_is_reported_as_an_error(remote):
    process, recorder, reader = remote
    process.send(Reset(small_config(), run_id=1, reason="started"))
    recorder.wait_for(lambda: bool(recorder.snapshots))
    process.process.kill()
    reader.join(WAIT)
    assert not reader.is_alive()
    assert recorder.states[-1] == ERROR
    assert "ended unexpectedly" in recorder.failures[-1]


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities here")
def test_the_training_process_yields_the_cpu_to_the_window(remote):
    # three compared runs on two cores: the window's event loop must go first
    process, recorder, _ = remote
    process.send(Reset(small_config(), run_id=1, reason="started"))
    recorder.wait_for(lambda: recorder.snapshots)
    child = os.getpriority(os.PRIO_PROCESS, process.process.pid)
    assert child >= os.getpriority(os.PRIO_PROCESS, 0) + NICENESS or child == 19
