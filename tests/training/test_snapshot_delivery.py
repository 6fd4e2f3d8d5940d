"""Every update's snapshot reaches the window when updates are slow, from the first update on;
a snapshot's cost is counted in CPU time; the training process never waits for the window to
read; frames cross whole, in one read; a snapshot says when it was made and its size is bounded.

The loop is driven one pass at a time with fake clocks (no sleeping, nothing timed)."""

from __future__ import annotations

import math
import socket
import threading
import time

import pytest

from rnnviz.training import protocol as p
from rnnviz.training.config import TrainConfig
from rnnviz.training.loop import TrainingLoop
from rnnviz.training.remote import _Sender
from rnnviz.training.snapshot_schedule import SnapshotSchedule
from rnnviz.training.trainer import Trainer
from rnnviz.training.wire import FrameSocket, decode, encode


def small_config(**extra: str) -> TrainConfig:
    """The ball task, small: an update takes about a millisecond."""
    return TrainConfig(task="ball").with_settings(
        {"model.hidden_size": "8", "batch_size": "4", "seq_len": "10", **extra}
    )


class SlowRun:
    """A loop whose updates and snapshots take as long as told, on fake wall and CPU clocks,
    in a training process (every snapshot acknowledged before the next update).

    ``snapshots``: what each snapshot costs, the new run's first, the last one repeated."""

    def __init__(
        self, monkeypatch, update: float, snapshots: list[float], wall_extra: float = 0.0
    ) -> None:
        self.wall = self.cpu = 100.0  # fake clocks: they move only when told to
        self.snapshots: list = []
        self.calls: list[str] = []  # what the trainer was asked to do, in order
        self.acked = 0  # snapshots acknowledged
        self.ack_in_step = False  # acknowledge while the next update runs, not after a pass
        costs = iter(snapshots)
        run = self

        class SlowTrainer(Trainer):
            def step(self):
                run.calls.append("step")
                if run.ack_in_step and run.acked < len(run.snapshots):
                    run.ack()  # the Ack arrives while the update runs
                run.wall += update
                run.cpu += update
                return super().step()

            def evaluate(self, *args, **kwargs):
                run.calls.append("evaluate")
                run.wall += 3.6  # the figures on fresh data at hidden 512, 200 steps
                run.cpu += 3.6
                return super().evaluate(*args, **kwargs)

            def snapshot(self):
                run.calls.append("snapshot")
                cost = next(costs, snapshots[-1])
                run.wall += cost + wall_extra  # (wall_extra: the thread was interrupted)
                run.cpu += cost
                return super().snapshot()

        monkeypatch.setattr("rnnviz.training.loop.Trainer", SlowTrainer)
        self.loop = TrainingLoop(
            self._report,
            clock=lambda: self.wall,
            cpu_clock=lambda: self.cpu,
            acknowledged=True,
        )
        self.loop.send(p.Reset(small_config(), run_id=1))
        self.passes(2)  # the new run, shown; its Ack

    def _report(self, event) -> None:
        if isinstance(event, p.SnapshotMade):
            self.snapshots.append(event.snapshot)

    def ack(self) -> None:
        self.loop.send(p.Ack())
        self.acked += 1

    def passes(self, n: int) -> None:
        """``n`` passes of the loop, each snapshot acknowledged after the pass that made it
        (or, with ``ack_in_step``, during the next update)."""
        for _ in range(n):
            self.loop.tick(block=False)
            if not self.ack_in_step and self.acked < len(self.snapshots):
                self.ack()

    def play(self) -> None:
        self.loop.send(p.Play())
        self.passes(1)  # (the pass that carries out play makes no update)

    def shown(self) -> list[int]:
        return [s.iteration for s in self.snapshots]


def test_every_slow_update_is_shown_from_the_first(monkeypatch):
    # an LSTM with hidden 512 and 200 steps: 0.9 s an update, a snapshot 40 ms (the new run's,
    # its arrays not yet allocated, 0.15 s: counted nine times over, it held update 1 back)
    run = SlowRun(monkeypatch, update=0.9, snapshots=[0.15, 0.04])
    run.play()
    run.passes(8)
    assert run.loop.updates == 8
    assert run.shown() == list(range(9))  # the new run's, then every update's


def test_the_first_update_is_shown_before_the_figures_on_fresh_data_are_taken(monkeypatch):
    run = SlowRun(monkeypatch, update=0.9, snapshots=[0.04])
    run.play()
    run.passes(4)
    # the first take 2 s (WINDOW_EVERY) after update 1 is shown, after the update of its pass
    # is shown (the new run's snapshot first)
    assert run.calls[1:] == ["step", "snapshot"] * 4 + ["evaluate"]
    assert run.shown() == [0, 1, 2, 3, 4]
    assert not any(dict(s.checked) for s in run.snapshots)
    run.passes(1)
    assert dict(run.snapshots[5].checked)  # the next one carries them


def test_an_update_ending_after_the_last_snapshot_s_ack_came_is_shown_at_once(monkeypatch):
    run = SlowRun(monkeypatch, update=0.9, snapshots=[0.04])
    run.ack_in_step = True
    run.play()
    run.passes(6)
    # each snapshot made right after its update, not owed until the next pass (the figures on
    # fresh data, 3.6 s at this size, came in between)
    assert run.calls[1:] == ["step", "snapshot"] * 4 + ["evaluate"] + ["step", "snapshot"] * 2
    assert run.shown() == [0, 1, 2, 3, 4, 5, 6]


def test_the_first_update_after_play_is_shown_at_once(monkeypatch):
    run = SlowRun(
        monkeypatch, update=0.01, snapshots=[0.05]
    )  # snapshots too costly for every update
    run.play()
    run.passes(40)
    shown = run.shown()
    assert shown[1] == 1 and len(shown) < 20  # the first update; then within the budget
    run.loop.send(p.Pause())
    run.passes(2)  # paused (and shown where it stopped); its Ack
    paused_at, count = run.loop.trainer.iteration, len(run.snapshots)
    run.play()
    run.passes(1)
    assert run.shown()[count:] == [paused_at + 1]


def test_a_snapshot_interrupted_by_other_work_does_not_hold_the_next_back(monkeypatch):
    # each snapshot costs 40 ms of CPU but takes 2 s on the wall clock (the process was made
    # to wait): counted on the wall clock it held the next 18 s back, 20 updates
    run = SlowRun(monkeypatch, update=0.9, snapshots=[0.04], wall_extra=2.0)
    run.play()
    run.passes(6)
    assert run.shown() == list(range(7))


def test_costly_snapshots_still_keep_to_the_budget(monkeypatch):
    # a snapshot costing half an update: the next waits 9 × 0.05 s of CPU time from its start,
    # 0.4 s of training: one every 4 updates, a ninth of the time (budget 0.1), not every one
    run = SlowRun(monkeypatch, update=0.1, snapshots=[0.05])
    run.play()
    run.passes(200)
    during = len(run.snapshots) - 1
    assert 45 <= during <= 55


def test_the_schedule_refuses_a_bad_rate_or_budget():
    with pytest.raises(ValueError, match="max_snapshot_rate"):
        SnapshotSchedule(0.0, 0.1)
    with pytest.raises(ValueError, match="snapshot_budget"):
        SnapshotSchedule(30.0, 1.5)


# ---------------------------------------------------------------------------- the socket


class HeldSocket:
    """A socket whose sends wait until released, as when the window has not read yet."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.sent: list[bytes] = []

    def send_bytes(self, frame: bytes) -> None:
        self.release.wait(30)
        self.sent.append(frame)


def test_the_training_process_never_waits_for_the_window_to_read():
    conn = HeldSocket()
    sender = _Sender(conn)
    events = [p.StateChanged(p.TRAINING), p.SnapshotMade(Trainer(small_config()).snapshot())]
    events.append(p.StateChanged(p.PAUSED))
    for event in events:
        sender(event)  # returns at once, although nothing can be sent yet
    assert conn.sent == []
    conn.release.set()
    sender.close()
    received = [decode(frame) for frame in conn.sent]
    assert [type(e) for e in received] == [type(e) for e in events]  # all of them, in order
    assert received[1].snapshot.iteration == 0


def test_a_large_frame_crosses_whole_and_the_end_is_seen():
    ours, theirs = socket.socketpair()
    reader, writer = FrameSocket(ours), FrameSocket(theirs)
    frame = bytes(range(256)) * 20_000  # 5 MB: many times what the socket holds at once
    sending = threading.Thread(target=lambda: [writer.send_bytes(frame), writer.close()])
    sending.start()
    assert reader.recv_bytes() == frame
    with pytest.raises(EOFError):
        reader.recv_bytes()
    sending.join()
    reader.close()


class RecordingSocket:
    """A socket holding one frame, recording how it is asked for it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.flags: list[int] = []

    def recv_into(self, view, size, flags=0) -> int:
        self.flags.append(flags)
        n = min(size, len(self.data))
        view[:n] = self.data[:n]
        self.data = self.data[n:]
        return n

    def close(self) -> None:
        pass


def test_a_frame_is_read_in_one_call_that_waits_for_all_of_it():
    body = b"P" + bytes(1_000_000)
    conn = RecordingSocket(len(body).to_bytes(8, "big") + body)
    assert FrameSocket(conn).recv_bytes() == body
    assert conn.flags == [socket.MSG_WAITALL] * 2  # the length, then the frame: two calls


def test_a_frame_longer_than_the_limit_is_refused_unread():
    conn = RecordingSocket((10**12).to_bytes(8, "big"))
    with pytest.raises(p.ProtocolError, match="at most"):
        FrameSocket(conn, limit=1 << 20).recv_bytes()
    assert len(conn.flags) == 1  # the length only: nothing allocated for it


# ---------------------------------------------------------------------------- the snapshot


def test_a_snapshot_says_when_it_was_made_and_keeps_it_across_the_socket():
    trainer = Trainer(small_config())
    before = time.monotonic()
    snapshot = trainer.snapshot()
    after = time.monotonic()
    assert before <= snapshot.made_at <= after
    crossed = decode(encode(p.SnapshotMade(snapshot))).snapshot
    assert crossed.made_at == snapshot.made_at and math.isfinite(crossed.made_at)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_a_snapshot_is_no_larger_than_what_the_views_draw_and_the_weights(cell):
    config = small_config(**{"model.cell": cell, "model.hidden_size": "64", "seq_len": "50"})
    trainer = Trainer(config)
    for _ in range(3):
        trainer.step()
    snapshot = trainer.snapshot()
    T, H = 50, 64
    LD = snapshot.layout.count
    gates = len(snapshot.layout.gates)
    cell_state = 2 if cell == "lstm" else 0  # c_t and ∂L/∂c_t
    per_step = LD * T * H * (2 + gates + cell_state)  # h_t, ∂L/∂h_t, the gates, c_t, ∂L/∂c_t
    history = len(snapshot.history_iterations) * (2 + len(snapshot.metric_history) + LD * T)
    floats = trainer.model.num_parameters() + per_step + history + 8 * T * LD
    size = len(encode(p.SnapshotMade(snapshot)))
    assert size <= 4 * floats + 64_000  # float32 throughout, and a small rest
