"""The window ↔ training protocol: every message is declared once, survives the wire as it
is, and anything else (unknown, malformed, a pickle of something other than a snapshot) is
refused with one clear error, on both backends."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from rnnviz.training import protocol as p
from rnnviz.training.config import TrainConfig
from rnnviz.training.loop import TrainingLoop
from rnnviz.training.presets import list_presets
from rnnviz.training.remote import TrainingProcess
from rnnviz.training.trainer import Trainer
from rnnviz.training.wire import decode, encode

WAIT = 30.0  # seconds: a generous bound, never a sleep


def small_config(**extra: str) -> TrainConfig:
    return TrainConfig(task="ball").with_settings(
        {"model.hidden_size": "8", "batch_size": "4", "seq_len": "10", **extra}
    )


def a_snapshot(config: TrainConfig | None = None):
    trainer = Trainer(config or small_config())
    trainer.step()
    return trainer.snapshot()


def every_message() -> list[p.Message]:
    """One of each command and event, with fields of every kind."""
    return [
        p.Play(),
        p.Pause(),
        p.Step(),
        p.SetLive({"optim.lr": "0.001", "model.hidden_size": 12, "x": 0.5, "y": None}, run_id=3),
        p.Reset(small_config(seed="7"), run_id=4, reason="started"),
        p.Rewind(5),
        p.Reseed(None, 6),
        p.Reseed(2**32 - 1, 7),
        p.Recover(10, 8),
        p.SetSlowMotion(0.4),
        p.SetSlowMotion(None),
        p.Save("/tmp/a b/ü.rnnviz"),
        p.Open(Path("/tmp/x.rnnviz"), run_id=9),
        p.ImportWeights("w.npz"),
        p.Stop(),
        p.Ack(),
        p.SnapshotMade(a_snapshot()),
        p.StateChanged(p.PAUSED),
        p.Failed("Could not save: disk full"),
        p.RunReset("seed 3 (new initial weights and data)"),
        p.ConfigChanged(small_config(**{"optim.lr": "0.0123"})),
        p.Saved("/tmp/x.rnnviz", 12),
        p.Opened("/tmp/x.rnnviz", 0),
        p.Imported({"recurrent": ["weight_ih_l0"], "readout": True, "ignored": [], "path": "w"}),
    ]


def test_every_declared_message_has_a_sample_here():
    kinds = {m.kind for m in every_message()}
    assert kinds == set(p.COMMANDS) | set(p.EVENTS)
    assert not set(p.COMMANDS) & set(p.EVENTS)  # a kind names one message


@pytest.mark.parametrize("message", every_message(), ids=lambda m: m.kind)
def test_every_message_survives_the_wire_as_it_is(message):
    copy = decode(encode(message))
    assert type(copy) is type(message)
    if isinstance(message, p.SnapshotMade):
        a, b = message.snapshot, copy.snapshot
        assert (a.run_id, a.iteration, a.config) == (b.run_id, b.iteration, b.config)
        np.testing.assert_array_equal(a.hidden[0], b.hidden[0])
        assert not b.hidden[0].flags.writeable
    else:
        assert copy == message


@pytest.mark.parametrize("preset", [lesson.name for lesson in list_presets()])
def test_a_snapshot_of_every_lesson_crosses(preset):
    lesson = next(lesson for lesson in list_presets() if lesson.name == preset)
    snapshot = a_snapshot(lesson.config)
    copy = decode(encode(p.SnapshotMade(snapshot))).snapshot
    assert copy.config == snapshot.config and copy.iteration == snapshot.iteration


class Evil:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (b"", "no known form"),
        (b"X{}", "no known form"),
        (b"J{not json", "not valid JSON"),
        (b"J\xff\xfe", "not valid JSON"),
        (b"J[1, 2]", "unknown message"),
        (b'J{"kind": "explode"}', "unknown message 'explode'"),
        (b'J{"kind": 3}', "unknown message 3"),
        (b'J{"kind": "rewind"}', "malformed 'rewind'"),  # a field missing
        (b'J{"kind": "rewind", "run_id": "3"}', "run_id"),
        (b'J{"kind": "rewind", "run_id": true}', "run_id"),
        (b'J{"kind": "rewind", "run_id": -1}', "run_id"),
        (b'J{"kind": "rewind", "run_id": 1, "extra": 2}', "malformed 'rewind'"),
        (b'J{"kind": "play", "now": 1}', "malformed 'play'"),
        (b'J{"kind": "set_live", "settings": {"a": [1]}, "run_id": 1}', "settings"),
        (b'J{"kind": "set_live", "settings": [], "run_id": 1}', "settings"),
        (b'J{"kind": "reseed", "seed": 4294967296, "run_id": 1}', "seed"),
        (b'J{"kind": "recover", "factor": 0.5, "run_id": 1}', "factor"),
        (b'J{"kind": "set_slow_motion", "seconds": -1}', "slow motion"),
        (b'J{"kind": "set_slow_motion", "seconds": "1"}', "slow motion"),
        (b'J{"kind": "save", "path": ""}', "file name"),
        (b'J{"kind": "state", "state": "dancing"}', "state must be one of"),
        (b'J{"kind": "reset", "config": {"task": "juggling"}, "run_id": 1}', "juggling"),
        (b'J{"kind": "reset", "config": [], "run_id": 1}', "malformed 'reset'"),
        (b'J{"kind": "config", "config": {"model": {"hidden_size": 0}}}', "malformed 'config'"),
        (b'J{"kind": "snapshot", "snapshot": {}}', "must be a Snapshot"),
        (b'J{"kind": "imported", "report": {"a": {"b": 1}}}', "report"),
        (b"P" + pickle.dumps(Evil()), "may not hold builtins.print"),
        (b"P" + pickle.dumps({"not": "a snapshot"}), "must be a Snapshot"),
        (b"P" + pickle.dumps(Path("x")), "may not hold pathlib"),
        (b"Pnot a pickle", "cannot be read"),
    ],
)
def test_a_malformed_message_is_refused_with_one_clear_error(frame, expected, capsys):
    with pytest.raises(p.ProtocolError, match=expected.replace("(", r"\(")):
        decode(frame)
    assert "must never run" not in capsys.readouterr().out


def test_a_message_is_checked_when_it_is_made_too():
    with pytest.raises(p.ProtocolError, match="TrainConfig"):
        p.Reset({"task": "ball"}, run_id=1)
    with pytest.raises(p.ProtocolError, match="settings"):
        p.SetLive({"optim.lr": object()}, run_id=1)
    with pytest.raises(p.ProtocolError, match="run_id"):
        p.Open("x", run_id=1.5)
    with pytest.raises(ValueError, match="slow motion"):
        p.SetSlowMotion(61)
    with pytest.raises(p.ProtocolError, match="not a command or an event"):
        encode("play")


def test_messages_are_frozen_and_what_they_were_given_is_not_altered():
    settings = {"optim.lr": Path("0.1")}
    message = p.SetLive(settings, run_id=1)
    assert message.settings == {"optim.lr": "0.1"} and settings == {"optim.lr": Path("0.1")}
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.run_id = 2


def test_the_protocol_loads_without_numpy_or_qt():
    script = (
        "import sys, rnnviz.training.protocol, rnnviz.training.wire\n"
        "print(sorted({'numpy', 'PySide6'} & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_loop_takes_only_commands():
    loop = TrainingLoop(lambda event: None)
    with pytest.raises(p.ProtocolError):
        loop.send(p.StateChanged(p.PAUSED))
    with pytest.raises(p.ProtocolError):
        loop.send(("play", ()))


# --------------------------------------------------------------------------- both backends


class Events:
    """Every event a backend reported, with a wait for a condition on them."""

    def __init__(self) -> None:
        self.all: list[p.Event] = []
        self.changed = threading.Condition()

    def __call__(self, event) -> None:
        with self.changed:
            self.all.append(event)
            self.changed.notify_all()

    def of(self, kind: type) -> list:
        with self.changed:
            return [e for e in self.all if isinstance(e, kind)]

    def snapshots(self) -> list:
        return [e.snapshot for e in self.of(p.SnapshotMade)]

    def wait(self, condition, what: str = "") -> None:
        with self.changed:
            assert self.changed.wait_for(condition, timeout=WAIT), f"timed out: {what}"

    def wait_for_new(self, kind: type, before: int, test=lambda e: True) -> p.Event:
        self.wait(lambda: any(test(e) for e in self.of(kind)[before:]), kind.__name__)
        return next(e for e in self.of(kind)[before:] if test(e))


@pytest.fixture(params=["thread", "process"])
def backend(request):
    """(sender, events, the thread to join, the process or None), stopped afterwards."""
    events = Events()
    if request.param == "thread":
        sender = TrainingLoop(events)
        thread = threading.Thread(target=sender.run, name="loop")
        process = None
    else:
        sender = TrainingProcess()
        thread = threading.Thread(target=sender.receive, args=(events,), name="receive")
        process = sender
    thread.start()
    yield sender, events, thread, process
    sender.send(p.Stop())
    thread.join(WAIT)
    assert not thread.is_alive()


def test_every_command_round_trips_on_both_backends(backend, tmp_path):
    sender, events, thread, process = backend
    sender.send(p.Reset(small_config(), run_id=1, reason="started"))
    events.wait(lambda: events.of(p.StateChanged)[-1:] == [p.StateChanged(p.PAUSED)], "paused")
    assert events.of(p.RunReset)[-1] == p.RunReset("started")
    assert events.of(p.ConfigChanged)[-1].config == small_config()
    events.wait(lambda: any(s.run_id == 1 for s in events.snapshots()), "the first snapshot")

    n = len(events.snapshots())
    sender.send(p.Step())
    assert events.wait_for_new(p.SnapshotMade, n).snapshot.iteration == 1

    n = len(events.of(p.ConfigChanged))
    sender.send(p.SetLive({"optim.lr": "0.002"}, run_id=2))
    assert events.wait_for_new(p.ConfigChanged, n).config.optim.lr == 0.002
    events.wait(lambda: events.snapshots()[-1].run_id == 2, "a snapshot of run 2")

    sender.send(p.SetSlowMotion(0.01))  # every update shown, one a hundredth of a second
    n = len(events.snapshots())
    sender.send(p.Play())
    events.wait(lambda: len(events.snapshots()) >= n + 4, "four updates in slow motion")
    sender.send(p.Pause())
    sender.send(p.SetSlowMotion(None))
    events.wait(lambda: events.of(p.StateChanged)[-1] == p.StateChanged(p.PAUSED), "paused again")
    iterations = [s.iteration for s in events.snapshots()[n:]]
    assert p.TRAINING in [e.state for e in events.of(p.StateChanged)]
    assert iterations[:4] == list(range(iterations[0], iterations[0] + 4))  # none skipped

    n = len(events.of(p.RunReset))
    sender.send(p.Rewind(3))
    assert events.wait_for_new(p.RunReset, n).reason.startswith("rewound")
    events.wait(lambda: events.snapshots()[-1].run_id == 3, "the rewound run")
    assert events.snapshots()[-1].iteration == 0

    n = len(events.of(p.RunReset))
    sender.send(p.Reseed(5, 4))
    assert "seed 5" in events.wait_for_new(p.RunReset, n).reason
    events.wait(lambda: events.snapshots()[-1].config.seed == 5, "the reseeded run")

    sender.send(p.Step())
    path = tmp_path / "run.rnnviz"
    sender.send(p.Save(path))
    events.wait(lambda: bool(events.of(p.Saved)), "saved")
    assert events.of(p.Saved) == [p.Saved(str(path), 1)]

    sender.send(p.Open(path, 5))
    events.wait(lambda: bool(events.of(p.Opened)), "opened")
    assert events.of(p.Opened) == [p.Opened(str(path), 1)]
    events.wait(lambda: events.snapshots()[-1].run_id == 5, "the opened run")

    donor = Trainer(small_config(seed="9"))
    weights = tmp_path / "torch.npz"
    np.savez(weights, **{f"rnn.{k}": v for k, v in donor.model.rnn.params.items()})
    sender.send(p.ImportWeights(weights))
    events.wait(lambda: bool(events.of(p.Imported)), "imported")
    report = events.of(p.Imported)[0].report
    assert report["path"] == str(weights) and report["recurrent"]

    n = len(events.of(p.ConfigChanged))
    sender.send(p.Recover(10, 6))  # (not diverged: the learning rate goes down, training goes on)
    assert events.wait_for_new(p.ConfigChanged, n).config.optim.lr == pytest.approx(0.0002)
    events.wait(lambda: events.of(p.StateChanged)[-1] == p.StateChanged(p.TRAINING), "training")

    sender.send(p.Stop())
    thread.join(WAIT)
    assert not thread.is_alive() and events.of(p.Failed) == []
    if process is not None:
        assert process.process.wait(WAIT) == 0


def test_the_training_process_drops_a_malformed_message_and_carries_on(capfd):
    process = TrainingProcess()  # started here, so that its stderr is capfd's
    events = Events()
    thread = threading.Thread(target=process.receive, args=(events,), name="receive")
    thread.start()
    with process._send_lock:
        process._conn.send_bytes(b"J{not json")
        process._conn.send_bytes(encode(p.StateChanged(p.PAUSED)))  # an event, sent to the child
        process._conn.send_bytes(b"J" + json.dumps({"kind": "rewind"}).encode())
    process.send(p.Reset(small_config(), run_id=1))
    process.send(p.Step())
    events.wait(lambda: any(s.iteration == 1 for s in events.snapshots()), "a step")
    process.send(p.Stop())
    thread.join(WAIT)
    assert not thread.is_alive() and process.process.wait(WAIT) == 0
    err = capfd.readouterr().err
    assert err.count("dropped a message from the window") == 3
    assert "not valid JSON" in err and "sent 'state', which is no command" in err
    assert "malformed 'rewind'" in err
    assert events.of(p.Failed) == []


class FakeConnection:
    """The window's end of a socket, holding what the child 'sent'."""

    def __init__(self, frames: list[bytes]) -> None:
        self.frames = list(frames)
        self.sent: list[bytes] = []

    def recv_bytes(self) -> bytes:
        if not self.frames:
            raise EOFError
        return self.frames.pop(0)

    def send_bytes(self, frame: bytes) -> None:
        self.sent.append(frame)

    def close(self) -> None:
        pass


def test_the_window_drops_a_malformed_message_from_the_process_and_carries_on(caplog):
    snapshot = a_snapshot()
    process = TrainingProcess.__new__(TrainingProcess)  # its reader alone, on a fake socket
    process._conn = FakeConnection(
        [
            b"J{not json",
            encode(p.Play()),  # a command, sent to the window
            b"P" + pickle.dumps(Evil()),
            encode(p.SnapshotMade(snapshot)),
            encode(p.StateChanged(p.PAUSED)),
        ]
    )
    process._send_lock = threading.Lock()
    process._stopping = True
    process.process = subprocess.Popen([sys.executable, "-c", "pass"])
    events = Events()
    process.receive(events)
    assert [type(e) for e in events.all] == [p.SnapshotMade, p.StateChanged]
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 3 and "sent 'play', which is no event" in dropped[1]
    # both snapshot frames, the unreadable one too, are acknowledged: the child goes on
    assert [decode(f) for f in process._conn.sent] == [p.Ack(), p.Ack()]
