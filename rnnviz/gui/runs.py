"""One run of the controller: its training thread (or process), run ids, mailbox and settings.

A ``RunHandle`` is what ``Controller.add_run`` returns and ``Controller.runs`` lists; the
window's own run is ``Controller.main``. Its command methods (``start``, ``play``, ``step``,
``set_live`` …) return at once: the run's training thread carries them out between two updates
and the outcome comes back as an event. The handle keeps what the views read of its run (the
latest snapshot, the state, the configuration) and hands every snapshot and event to the
controller, which emits them as signals.

Run ids: each command that may start a new run (start, reset, rewind, reseed, recover, open, a
live setting) gets a fresh id, unique across the controller's runs; a snapshot whose id is not
the latest one its handle handed out was made before that command took effect and is dropped,
so no picture of a replaced run reaches the views. Views should clear their own state on
``run_reset``, not on a change of id (a live setting that does not reset still moves to a new
id).
"""

from __future__ import annotations

import logging
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Slot

from rnnviz.training import protocol
from rnnviz.training.config import ConfigError, TrainConfig
from rnnviz.training.mailbox import SnapshotMailbox
from rnnviz.training.presets import Preset, PresetError, load_preset
from rnnviz.training.protocol import DIVERGED, ERROR, IDLE, STOPPED, TRAINING, check_slow_motion
from rnnviz.training.snapshot import Snapshot
from rnnviz.training.trainer import needs_reset

from .worker import TrainingWorker

__all__ = ["RunHandle", "Status", "resolve_config"]

log = logging.getLogger(__name__)


def resolve_config(config: TrainConfig | Preset | str) -> TrainConfig:
    """A TrainConfig from a config, a preset, or a preset's name.

    Raises PresetError (unknown or broken preset) or TypeError.
    """
    if isinstance(config, TrainConfig):
        return config
    if isinstance(config, Preset):
        return config.config
    if isinstance(config, str):
        return load_preset(config).config
    raise TypeError(f"start() takes a TrainConfig, a Preset or a preset name, got {config!r}")


def _read_only(attribute: str, doc: str) -> property:
    return property(operator.attrgetter(attribute), doc=doc)


@dataclass(frozen=True)
class Status:
    """What the status bar shows. ``message``: the divergence or error text, else empty."""

    state: str
    iteration: int | None = None
    loss: float | None = None
    steps_per_second: float | None = None
    message: str = ""

    def text(self) -> str:
        parts = [self.state.capitalize()]
        if self.iteration is not None:
            parts.append(f"iteration {self.iteration:,}")
        if self.loss is not None and math.isfinite(self.loss):
            parts.append(f"loss {self.loss:.4g}")
        if self.state == TRAINING and self.steps_per_second:
            parts.append(f"{self.steps_per_second:,.0f} steps/s")
        if self.message:
            parts.append(self.message)
        return " · ".join(parts)


class RunHandle(QObject):
    """One run: its training thread, made on the first command that needs one.

    Made by the controller (``Controller.add_run``, or the window's own ``Controller.main``).

    Parameters
    ----------
    key : int
        The run's place in the controller, for ever (its run ids change with every new run).
    new_run_id : callable
        A fresh run id, unique among the controller's runs.
    deliver, tell : callable
        Called with the handle and each snapshot of the current run, or each event.
    backend, max_snapshot_rate, snapshot_budget
        As for ``TrainingWorker``.
    """

    def __init__(
        self,
        key: int,
        new_run_id: Callable[[], int],
        deliver: Callable[[RunHandle, Snapshot], None],
        tell: Callable[[RunHandle, protocol.Event], None],
        *,
        backend: str,
        max_snapshot_rate: float | None,
        snapshot_budget: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.backend = backend
        self.mailbox = SnapshotMailbox()
        self._new_id = new_run_id
        self._deliver_to = deliver
        self._tell = tell
        self._rates = (max_snapshot_rate, snapshot_budget)
        self._worker: TrainingWorker | None = None
        self._run_id = 0
        self._latest: Snapshot | None = None
        self._state = IDLE
        self._config: TrainConfig | None = None
        self._slow_motion: float | None = None
        self._error = ""
        self._saved_iteration: int | None = None  # the run's iteration held in a file
        #: What compare mode calls the run, e.g. "LSTM" or "one direction" (``Controller.compare``)
        self.name = ""
        #: Snapshots handed on, and stale ones dropped (for tests and diagnostics).
        self.delivered = 0
        self.stale_dropped = 0

    def __repr__(self) -> str:
        return f"<RunHandle {self.key}: {self._state}, run {self._run_id}>"

    # ------------------------------------------------------------------ what the views read

    latest = _read_only("_latest", "The last snapshot handed on (None before the first).")
    state = _read_only("_state", "idle, training, paused, diverged, error or stopped.")
    config = _read_only("_config", "The run's configuration, as last asked for or reported.")
    run_id = _read_only("_run_id", "The id snapshots must carry to be handed on.")
    worker = _read_only("_worker", "The training thread (None before the first run, after stop).")
    slow_motion = _read_only("_slow_motion", "The pause between updates (None: full speed).")

    @property
    def running(self) -> bool:
        """Whether the training thread exists (between start/open and stop)."""
        return self._worker is not None

    def status(self) -> Status:
        """The status bar's content: state, iteration, loss, training steps/s, message."""
        snap = self._latest
        message = ""
        if self._state == DIVERGED and snap is not None:
            message = snap.diverged
        elif self._state == ERROR:
            message = self._error
        if snap is None:
            return Status(self._state, message=message)
        return Status(self._state, snap.iteration, snap.loss, snap.steps_per_second, message)

    @property
    def unsaved_updates(self) -> int:
        """The updates of the current run that no session file holds: 0 when it is untrained
        or was saved (or opened) since its last update, else its iteration (what discarding it
        would throw away; the window asks first)."""
        snap = self._latest
        if snap is None or snap.iteration <= 0:
            return 0
        if self._saved_iteration is not None and snap.iteration <= self._saved_iteration:
            return 0
        return snap.iteration

    def would_reset(self, settings: Mapping[str, Any] | None = None, /, **dotted: Any) -> bool:
        """Whether ``set_live`` with these settings would start a new run (False if unknown)."""
        settings = {**(settings or {}), **dotted}
        if self._config is None:
            return False
        try:
            return needs_reset(self._config, self._config.with_settings(settings))
        except ConfigError:
            return False

    # ------------------------------------------------------------------ commands

    def start(self, config: TrainConfig | Preset | str, *, play: bool = False) -> bool:
        """Start a run of ``config`` (a TrainConfig, a Preset or a preset's name), replacing
        any current run; starts the training thread if needed. False (and a failure) if the
        preset or config is not valid."""
        try:
            resolved = resolve_config(config)
        except (PresetError, ConfigError, TypeError) as error:
            self._fail(str(error))
            return False
        self._config = resolved
        self._send(protocol.Reset(resolved, self._next_run_id(), "started"), start=True)
        if play:
            self._send(protocol.Play())
        return True

    def reset(self, config: TrainConfig | None = None) -> bool:
        """A new run of ``config`` (default: the current configuration, from its seed)."""
        config = config if config is not None else self._config
        if not isinstance(config, TrainConfig):
            self._fail("Nothing to reset yet: choose a lesson or open a session first.")
            return False
        self._config = config
        self._send(protocol.Reset(config, self._next_run_id(), "reset"), start=True)
        return True

    def play(self) -> None:
        if self._require_worker("train"):
            self._send(protocol.Play())

    def pause(self) -> None:
        if self._worker is not None:
            self._send(protocol.Pause())

    def toggle(self) -> None:
        """Play if not training, else pause (the space bar)."""
        if self._state == TRAINING:
            self.pause()
        else:
            self.play()

    def step(self) -> None:
        """Pause, then exactly one update and one snapshot."""
        if self._require_worker("step"):
            self._send(protocol.Step())

    def set_live(self, settings: Mapping[str, Any] | None = None, /, **dotted: Any) -> bool:
        """Change settings by dotted name, e.g. ``set_live({"optim.lr": 0.001})`` or
        ``set_live(temperature="0.5")``. Optimisation settings apply live (iteration and
        weights kept); shape or data settings start a new run and a RunReset says so.

        Returns False (and a failure) if a setting is unknown or its value invalid.
        """
        settings = {**(settings or {}), **dotted}
        if not settings:
            return True
        if self._config is not None:
            try:
                self._config = self._config.with_settings(settings)
            except ConfigError as error:
                self._fail(f"Cannot apply that setting: {error}")
                return False
        if self._worker is None:
            if self._config is None:
                self._fail("Choose a lesson or open a session first.")
                return False
            return True  # remembered for the next start/reset of this config
        # the worker applies them to the run's real configuration (ours may lag an open())
        self._send(protocol.SetLive(settings, self._next_run_id()))
        return True

    def rewind(self) -> None:
        """The same run again: same seed, same initial weights."""
        if self._require_worker("rewind"):
            self._send(protocol.Rewind(self._next_run_id()))

    def reseed(self, seed: int | None = None) -> bool:
        """A new run from ``seed`` (default: the current seed + 1)."""
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32
        ):
            self._fail(f"The seed must be a whole number from 0 to 2³²−1, got {seed!r}")
            return False
        if not self._require_worker("reseed"):
            return False
        self._send(protocol.Reseed(seed, self._next_run_id()))
        return True

    def recover(self, factor: float = 10.0) -> bool:
        """After a divergence: the run again from its initial weights with a ``factor`` times
        smaller learning rate, training (the diverged weights cannot be trained on). False if
        there is no run."""
        if self._config is None or not self._require_worker("rewind"):
            return False
        self._send(protocol.Recover(factor, self._next_run_id()))
        return True

    def set_slow_motion(self, seconds: float | None) -> None:
        """Pause ``seconds`` between updates (narration); None or 0 for full speed.

        Raises ValueError/TypeError for a negative, huge or non-numeric value.
        """
        self._slow_motion = check_slow_motion(seconds)
        if self._worker is not None:
            self._send(protocol.SetSlowMotion(self._slow_motion))

    def save(self, path: str | Path) -> None:
        """Save the session; Saved or a failure follows."""
        if self._require_worker("save"):
            self._send(protocol.Save(path))

    def open(self, path: str | Path) -> None:
        """Open a session (paused); Opened and RunReset follow, or a failure with the
        current run carrying on as it was."""
        self._send(protocol.Open(path, self._next_run_id()), start=True)

    def import_weights(self, path: str | Path) -> None:
        """Load PyTorch weights (``.npz``) into the current model and pause; Imported or a
        failure follows."""
        if self._require_worker("import weights"):
            self._send(protocol.ImportWeights(path))

    def stop(self, timeout_ms: int = 1000) -> bool:
        """Stop the training thread (and process): stop flag, quit, wait up to ``timeout_ms``.

        True when no training thread is left (at once if there was none). False if the thread
        is still busy, e.g. in a very long update; call again to wait more.
        """
        worker = self._worker
        if worker is None:
            return True
        if not worker.stop(timeout_ms):
            log.warning("the training thread did not stop within %d ms", timeout_ms)
            return False
        self._worker = None
        # what the thread sent before it ended is of no use now, and must not reach the views
        # after "stopped" (or, after a restart, pass for the new thread's news)
        QCoreApplication.removePostedEvents(self, QEvent.Type.MetaCall)
        self.mailbox.take()
        self._set_state(STOPPED)
        return True

    # ------------------------------------------------------------------ plumbing

    def _next_run_id(self) -> int:
        self._run_id = self._new_id()
        return self._run_id

    def _fail(self, message: str) -> None:
        self._tell(self, protocol.Failed(message))

    def _require_worker(self, doing: str) -> bool:
        if self._worker is None:
            self._fail(f"Cannot {doing} yet: choose a lesson or open a session first.")
            return False
        return True

    def _send(self, command: protocol.Command, start: bool = False) -> None:
        """Hand ``command`` to the training thread (making it first if ``start``)."""
        worker = self._worker
        if worker is None and start:
            worker = self._start_worker()
        if worker is not None:
            worker.send(command)

    def _start_worker(self) -> TrainingWorker:
        worker = TrainingWorker(*self._rates, backend=self.backend, mailbox=self.mailbox)
        queued = Qt.ConnectionType.QueuedConnection  # always deliver later, in the GUI thread
        worker.snapshot_posted.connect(self._take_snapshot, queued)
        worker.reported.connect(self._on_reported, queued)
        worker.finished.connect(self._on_worker_finished, queued)
        if self._slow_motion is not None:
            worker.send(protocol.SetSlowMotion(self._slow_motion))
        self._worker = worker
        worker.start()
        return worker

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self._tell(self, protocol.StateChanged(state))

    def _deliver(self, snapshot: Snapshot) -> None:
        if snapshot.run_id != self._run_id:
            self.stale_dropped += 1  # made before a reset (or open, …) took effect
            return
        self._latest = snapshot
        self.delivered += 1
        self._deliver_to(self, snapshot)

    @Slot()
    def _take_snapshot(self) -> None:
        snapshot = self.mailbox.take()
        if snapshot is not None and self._worker is not None:  # None: already taken
            self._deliver(snapshot)

    @Slot(object)
    def _on_reported(self, event: protocol.Event) -> None:
        """What the run's state keeps of an event, before it goes on."""
        match event:
            case protocol.StateChanged(state):
                if state != ERROR:
                    self._error = ""
                self._set_state(state)
                return  # (told by _set_state, if it changed anything)
            case protocol.Failed(message):
                self._error = message
            case protocol.RunReset():
                self._saved_iteration = None  # a new run: nothing of it is in a file yet
            case protocol.ConfigChanged(config):
                self._config = config
            case protocol.Saved(_, iteration) | protocol.Opened(_, iteration):
                self._saved_iteration = iteration  # (an Opened follows its RunReset)
            case protocol.Imported():
                self._saved_iteration = None  # other weights than the file's
        self._tell(self, event)

    @Slot()
    def _on_worker_finished(self) -> None:
        worker = self.sender()
        if worker is None or worker is not self._worker or worker.stopping:
            return
        # the trainer was lost (its process killed); the failure was reported just before.
        # The next start, reset or open makes a new one.
        worker.stop()
        self._worker = None
