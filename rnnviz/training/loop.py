"""The training loop: one trainer, trained flat out, behind a thread-safe command queue. No Qt.

``TrainingLoop`` owns the ``Trainer`` and runs it. Commands (``rnnviz.training.protocol``: play,
pause, step, live settings, reset, rewind, reseed, recover, slow motion, save, open, import) are
sent from any thread onto a ``queue.SimpleQueue`` and carried out by the loop *between two
updates*, in the order they were given. It tells what happened by calling its reporter with the
protocol's events, on the loop's thread. The window runs it in a thread of its own process or
in a child process (``rnnviz.training.remote``); ``rnnviz.gui.worker`` hands the events on.

Why a plain loop over a command queue: training runs flat out, so a loop living on an event loop
would have to chop training into timer-driven chunks just to hear about a pause. This loop has
no work per update besides one ``queue.empty()`` and one clock read; paused, it blocks on the
queue (no CPU, wakes at once); the slow-motion pause is ``queue.get(timeout=…)``, so pause, step
or stop cut it short.

Snapshots are made only when due (``rnnviz.training.snapshot_schedule``): while training at
most ``max_snapshot_rate`` a second and about ``snapshot_budget`` of the loop thread's CPU
time, and always after the first update of a run or since play; after every command that
changes what the views show (step, pause, a new run, a live setting while paused, open,
import). In a training process (``acknowledged``) one more condition holds: the snapshot sent
before has arrived (an ``Ack`` says so). One that falls due before is owed, not made, and is
made, of the run as it is then, when the ``Ack`` comes: no backlog, no snapshot made in vain.

Run ids: every command that may start a new run carries a fresh id chosen by the controller.
When the loop has carried it out, its trainer is labelled with that id *whether or not the run
restarted* (a failed ``open`` keeps the old run under the new id), so the controller can drop
every snapshot whose id is not the latest one it handed out.
"""

from __future__ import annotations

import logging
import math
import queue
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rnnviz.training import protocol
from rnnviz.training.config import ConfigError, TrainConfig
from rnnviz.training.fresh_figures import WINDOW_EVERY, FreshFigures
from rnnviz.training.protocol import DIVERGED, ERROR, IDLE, PAUSED, TRAINING
from rnnviz.training.sessions import (
    SessionError,
    import_torch_state_dict,
    load_session,
    save_session,
)
from rnnviz.training.settings import settings_needing_a_new_run
from rnnviz.training.snapshot_schedule import SnapshotSchedule
from rnnviz.training.trainer import Trainer, needs_reset

__all__ = ["TrainingLoop"]

log = logging.getLogger(__name__)


def _describe(error: BaseException) -> str:
    """A user-facing text for an error: our own errors already read well; others get a type."""
    if isinstance(error, SessionError | ConfigError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror + (f" ({error.filename})" if error.filename else "")
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class TrainingLoop:
    """Trains one run at a time and carries out commands between updates. No Qt.

    ``send`` only puts a command on the queue: it is safe to call from any thread and returns
    at once. ``run`` (the training thread's body) and ``tick`` carry the commands out; nothing
    else touches the trainer.

    Parameters
    ----------
    reporter : callable
        Called with every event (``rnnviz.training.protocol``), on the thread that runs the loop.
    max_snapshot_rate : float or None
        Snapshots per second while training (None: after every update).
    snapshot_budget : float
        About the largest share of the loop thread's CPU time, while training, spent making
        snapshots (``SnapshotSchedule``'s).
    clock, cpu_clock : callable
        Seconds, monotonic, and the loop thread's CPU seconds (``SnapshotSchedule``'s).
    acknowledged : bool
        Make a snapshot only once the one before was acknowledged (``Ack``): a training
        process's loop, whose snapshots cross a socket (see the module docstring).
    """

    def __init__(
        self,
        reporter: Callable[[protocol.Event], None],
        *,
        max_snapshot_rate: float | None = 30.0,
        snapshot_budget: float = 0.1,
        clock: Callable[[], float] = time.perf_counter,
        cpu_clock: Callable[[], float] | None = None,
        acknowledged: bool = False,
    ) -> None:
        self._schedule = SnapshotSchedule(max_snapshot_rate, snapshot_budget, clock, cpu_clock)
        self._report = reporter
        self._queue: queue.SimpleQueue[protocol.Command] = queue.SimpleQueue()
        self._clock = clock
        self._stopping = False
        self._playing = False
        self._slow: float | None = None
        self._state = IDLE
        self._last_update_at = -math.inf
        self._dirty = False  # the trainer changed since the last snapshot
        self._acknowledged = acknowledged
        self._sent = self._acks = 0  # snapshots sent; Acks, counted on arrival (``send``)
        self._owed = False  # one fell due while the last was on its way: make it at the Ack
        #: The current run (only the loop's own thread may touch it while the loop runs).
        self.trainer: Trainer | None = None
        #: Updates made and snapshots posted, for tests and diagnostics.
        self.updates = 0
        self.snapshots = 0

    # ------------------------------------------------------------------ commands (any thread)

    def send(self, command: protocol.Command) -> None:
        """Queue ``command`` (any thread; returns at once). ``Stop`` takes effect at once: the
        loop ends after the current update, and what is still queued is dropped."""
        if not isinstance(command, protocol.Command):
            raise protocol.ProtocolError(f"the training loop takes commands, not {command!r}")
        if isinstance(command, protocol.Stop):
            self._stopping = True  # the command itself wakes a loop blocked on the queue
        elif isinstance(command, protocol.Ack):
            self._acks += 1  # now: an update ending after it is shown at once (not next pass);
            # queued too, to wake a paused loop that owes a snapshot
        self._queue.put(command)

    # ------------------------------------------------------------------ the loop

    @property
    def state(self) -> str:
        return self._state

    @property
    def stopping(self) -> bool:
        return self._stopping

    def run(self) -> None:
        """Carry out commands and train until ``Stop``: the training thread's body."""
        while not self._stopping:
            self.tick()

    def tick(self, block: bool = True) -> None:
        """One pass: waiting commands, then an update if playing (``block`` False: never wait)."""
        if not self._playing:
            try:
                command = self._queue.get(block=block)
            except queue.Empty:
                return
            self._execute(command)
            return
        if self._slow is not None and not self._slow_motion_due(block):
            return
        # the only per-update overhead besides the clock read in _update
        while not self._queue.empty() and not self._stopping:
            self._execute(self._queue.get_nowait())
        if self._playing and not self._stopping:
            # in slow motion every update is shown: that is what it is for
            self._update(forced=self._slow is not None)

    def _slow_motion_due(self, block: bool) -> bool:
        """Wait out the slow-motion pause, carrying out commands meanwhile; True to update."""
        while self._playing and not self._stopping:
            if self._slow is None:
                return True
            remaining = self._last_update_at + self._slow - self._clock()
            if remaining <= 0:
                return True
            try:
                command = self._queue.get(block=block, timeout=remaining if block else None)
            except queue.Empty:
                if not block:
                    return False
                continue
            self._execute(command)
        return False

    def _execute(self, command: protocol.Command) -> None:
        if self._stopping:
            return  # shutting down: what is left in the queue no longer matters
        try:
            getattr(self, f"_do_{command.kind}")(command)
        except Exception as error:  # a bug of ours: report it, keep the thread alive
            log.exception("the training worker failed to carry out %s", command.kind)
            self._playing = False
            self._fail(f"Internal error while doing {command.kind}: {_describe(error)}")
            self._set_state(ERROR)

    # ------------------------------------------------------------------ training

    def _update(self, forced: bool) -> bool:
        """An update, its snapshot if due (or ``forced``), then fresh figures; False: it failed."""
        trainer = self.trainer
        try:
            result = trainer.step()
        except Exception as error:
            self._training_failed(error)
            return False
        self._last_update_at = now = self._clock()
        if result is None or not result.applied:  # diverged: the trainer says why
            self._playing = False
            self._post(now)
            self._set_state(DIVERGED)
            return False
        self.updates += 1
        self._dirty = True
        shown = self._post(now) if self._schedule.due(now) or forced else True
        try:
            trainer.fresh.maybe_take(trainer)
        except Exception as error:
            self._training_failed(error)
            return False
        return shown

    def _post(self, now: float | None = None) -> bool:
        """Make a snapshot and hand it on (or owe it, while the last is on its way); False if
        making it failed."""
        if self._acknowledged and self._acks < self._sent:  # the last is on its way
            self._owed = True
            return True
        self._schedule.begin()
        try:
            snapshot = self.trainer.snapshot()
        except Exception as error:
            self._training_failed(error)
            return False
        self._schedule.made(now)
        self._dirty = self._owed = False
        self._sent += 1
        self.snapshots += 1
        self._report(protocol.SnapshotMade(snapshot))
        return True

    def _training_failed(self, error: Exception) -> None:
        # the user reads the message (a dialog, the status bar); the traceback goes only to
        # a logger set to INFO: printed, it reached the terminal for a model that overflowed
        log.info("training failed", exc_info=True)
        self._playing = False
        iteration = self.trainer.iteration if self.trainer is not None else 0
        self._fail(
            f"Training stopped at iteration {iteration}: {_describe(error)}. "
            "It is paused: press play to try again, or rewind or reset."
        )
        self._set_state(ERROR)

    def _fail(self, message: str) -> None:
        self._report(protocol.Failed(message))

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._report(protocol.StateChanged(state))

    def _settle(self) -> None:
        """The state that follows from playing/paused and the trainer (clears "error")."""
        if self.trainer is None:
            self._set_state(IDLE)
        elif self._playing:
            self._set_state(TRAINING)
        elif self.trainer.diverged:
            self._set_state(DIVERGED)
        else:
            self._set_state(PAUSED)

    def _need_trainer(self, doing: str) -> bool:
        if self.trainer is None:
            self._fail(f"Cannot {doing} yet: choose a lesson or open a session first.")
            return False
        return True

    # ------------------------------------------------------------------ command bodies

    def _do_stop(self, _: protocol.Stop) -> None:
        pass  # (send set the flag; the command only woke the loop)

    def _do_ack(self, _: protocol.Command) -> None:
        if self._owed and self.trainer is not None:
            self._post()  # the run as it is now: the newest picture of it

    def _do_play(self, _: protocol.Command) -> None:
        if self._need_trainer("train"):
            if not self._playing:
                self._schedule.restart()  # the first update after play is shown at once
            self._playing = True
            self._set_state(TRAINING)

    def _do_pause(self, _: protocol.Command) -> None:
        was_playing, self._playing = self._playing, False
        if was_playing and self._dirty:
            self._post()  # so the views and the status bar show where it stopped
        if self.trainer is not None and self._state != ERROR:
            self._settle()

    def _do_step(self, _: protocol.Command) -> None:
        if not self._need_trainer("step"):
            return
        self._playing = False
        if self._update(forced=True):
            self._settle()

    def _do_set_slow_motion(self, command: protocol.SetSlowMotion) -> None:
        self._slow = command.seconds

    def _do_reset(self, command: protocol.Reset) -> None:
        config, run_id = command.config, command.run_id
        self._restart(config, run_id, command.reason, "start the run")

    def _do_rewind(self, command: protocol.Rewind) -> None:
        if self._need_trainer("rewind"):
            # a fresh trainer rather than Trainer.rewind(): if building fails half-way, the
            # current run is left intact (same seed and config, so the identical run)
            config, run_id = self.trainer.config, command.run_id
            self._restart(
                config,
                run_id,
                "rewound: the same run again, from the same initial weights",
                "rewind",
            )

    def _do_reseed(self, command: protocol.Reseed) -> None:
        if not self._need_trainer("reseed"):
            return
        old, run_id = self.trainer.config, command.run_id
        new_seed = (old.seed + 1) % 2**32 if command.seed is None else command.seed
        try:
            config = replace(old, seed=new_seed)
        except ConfigError as error:
            self._relabel(run_id)
            self._fail(f"Cannot reseed: {error}")
            return
        self._restart(
            config,
            run_id,
            f"seed {new_seed} (new initial weights and data)",
            "reseed",
        )

    def _do_recover(self, command: protocol.Recover) -> None:
        if self._need_trainer("rewind"):
            lr = self.trainer.config.optim.lr / command.factor
            if self._do_set_live(protocol.SetLive({"optim.lr": repr(lr)}, command.run_id)):
                self._do_play(command)

    def _do_set_live(self, command: protocol.SetLive) -> bool:
        """(True if the settings were applied.)"""
        if not self._need_trainer("change settings"):
            return False
        settings, run_id = command.settings, command.run_id
        trainer = self.trainer
        old = trainer.config
        try:
            new = old.with_settings(settings)
        except ConfigError as error:
            self._relabel(run_id)
            self._fail(f"Cannot apply that setting: {error}")
            return False
        if trainer.diverged and new.optim.lr < old.optim.lr and not needs_reset(old, new):
            # the update that blew up was not applied, but the ones before it already made the
            # weights useless: a smaller learning rate went on from them and diverged again at
            # once (every lesson at a learning rate of 10 or 100, measured). Lowering it after
            # a divergence therefore starts the run again, from the same initial weights.
            return self._restart(
                new,
                run_id,
                f"rewound with learning rate {new.optim.lr:g} (the diverged weights could "
                "not be trained on)",
                "rewind",
            )
        if needs_reset(old, new):
            names = ", ".join(settings_needing_a_new_run(old, settings)) or "that setting"
            return self._restart(
                new,
                run_id,
                f"{names} changes the model or the data, so training starts again",
                "apply that setting",
            )
        trainer.update(new)  # learning rate, clipping, optimiser, temperature: weights kept
        trainer.run_id = run_id
        self._report(protocol.ConfigChanged(new))
        self._dirty = True
        if not self._playing:
            self._post()
        if self._state != ERROR:
            self._settle()
        return True

    def _do_save(self, command: protocol.Save) -> None:
        path = Path(command.path)
        written = self._on_file(
            "save",
            f"Could not save the session to {path}",
            lambda: save_session(self.trainer, path),
        )
        if written is not None:
            self._report(protocol.Saved(str(written), self.trainer.iteration))

    def _do_open(self, command: protocol.Open) -> None:
        path, run_id = Path(command.path), command.run_id
        if self._restart(
            lambda: load_session(path, run_id=run_id),
            run_id,
            f"opened {path.name}",
            "open the session",
            pause=True,
        ):
            self._report(protocol.Opened(str(path), self.trainer.iteration))

    def _do_import_weights(self, command: protocol.ImportWeights) -> None:
        path = Path(command.path)
        report = self._on_file(
            "import weights",
            f"Could not import weights from {path.name}",
            lambda: import_torch_state_dict(self.trainer, path),
        )
        if report is None:
            return
        # paused, so the imported weights are what the views show, not a moment later's
        self._playing = False
        self._post()
        self._settle()
        self._report(protocol.Imported({**report, "path": str(path)}))

    def _on_file(self, doing: str, failure: str, act: Callable[[], Any]) -> Any:
        """``act()``'s result, or None (the run untouched) after a failure: ``failure`` and why."""
        if not self._need_trainer(doing):
            return None
        try:
            return act()
        except Exception as error:
            log.info("could not %s", doing, exc_info=True)
            self._fail(f"{failure}: {_describe(error)}")
            return None

    def _restart(
        self,
        build: TrainConfig | Callable[[], Trainer],
        run_id: int,
        reason: str,
        doing: str,
        pause: bool = False,
    ) -> bool:
        """Replace the run by a new one of the config ``build``, or by ``build()``; on error
        keep the current one (relabelled)."""
        try:
            trainer = Trainer(build, run_id=run_id) if isinstance(build, TrainConfig) else build()
        except Exception as error:
            log.info("could not %s", doing, exc_info=True)
            self._relabel(run_id)
            self._fail(f"Could not {doing}: {_describe(error)}")
            return False
        self.trainer = trainer
        trainer.fresh = FreshFigures(every=WINDOW_EVERY, clock=self._clock)  # goal banner's
        self._schedule.restart()
        if pause:
            self._playing = False
        self._dirty = True
        self._last_update_at = -math.inf
        self._report(protocol.ConfigChanged(trainer.config))
        # what the data's user must know (e.g. rare characters of a text file folded into one)
        note = trainer.task.note()
        self._report(protocol.RunReset(f"{reason}; {note}" if note else reason))
        if not self._playing:
            self._post()  # playing: the next update's snapshot, when due
        self._settle()
        return True

    def _relabel(self, run_id: int) -> None:
        """A command that might have started a new run did not: the run carries on under the
        new id (the controller drops the old one's snapshots), its configuration reported again."""
        if self.trainer is not None:
            self.trainer.run_id = run_id
            self._report(protocol.ConfigChanged(self.trainer.config))
            if not self._playing:
                self._post()
