"""The window's one handle on training: owns the training thread, forwards commands to it,
and hands the views the snapshots of the current run.

    controller = Controller()
    controller.snapshot_ready.connect(view.show_snapshot)
    controller.state_changed.connect(toolbar.show_state)
    controller.failed.connect(window.show_error)
    controller.start("vanishing_gradient", play=True)
    ...
    controller.shutdown()                       # closeEvent; also connected to aboutToQuit

Every command returns at once: the training thread carries it out between two updates (see
``rnnviz.gui.worker``) and the outcome arrives as a signal. Signals are only ever emitted on the
GUI thread. The controller never touches the trainer or its arrays; it sees only snapshots,
which are frozen copies.

Run ids: each command that may start a new run (start, reset, rewind, reseed, open, a live
setting) gets a fresh id; a snapshot whose id is not the latest one handed out was made before
that command took effect and is dropped, so no picture of a replaced run reaches the views.
Views should clear their own state on ``run_reset``, not on a change of id (a live setting
that does not reset still moves to a new id).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal, Slot

from rnnviz.training.config import ConfigError, TrainConfig
from rnnviz.training.presets import Preset, PresetError, load_preset
from rnnviz.training.snapshot import Snapshot
from rnnviz.training.trainer import needs_reset

from .worker import (
    DIVERGED,
    ERROR,
    IDLE,
    PAUSED,
    TRAINING,
    TrainingWorker,
    check_slow_motion,
    default_backend,
)

__all__ = [
    "DIVERGED",
    "ERROR",
    "IDLE",
    "PAUSED",
    "STOPPED",
    "TRAINING",
    "Controller",
    "Status",
    "resolve_config",
]

log = logging.getLogger(__name__)

#: After ``shutdown``: no training thread (``start`` or ``open`` makes a new one).
STOPPED = "stopped"


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


class Controller(QObject):
    """Owns the training thread and its worker; a thin, Qt-side front for the views.

    Parameters
    ----------
    parent : QObject, optional
    max_snapshot_rate : float or None
        Snapshots per second while training (None: one per update, for tests only).
    snapshot_budget : float
        Largest share of the training thread's time spent making snapshots (see the worker).
    backend : {"process", "thread"}, optional
        Where the trainer runs: a child process (the default, see ``rnnviz.gui.worker``) or
        the training thread; None reads ``RNNVIZ_TRAINING``.
    """

    #: A snapshot of the current run (frozen, read-only). Latest wins: a slow GUI skips some.
    snapshot_ready = Signal(object)
    #: "idle", "training", "paused", "diverged", "error" or "stopped".
    state_changed = Signal(str)
    #: A message for a dialog: a file could not be saved/opened/imported, a setting is invalid,
    #: or training raised (then the state is "error" and the run paused). File failures leave
    #: the run as it was.
    failed = Signal(str)
    #: A new run began; the reason says why (e.g. "model.hidden_size changes the model …").
    run_reset = Signal(str)
    #: The running configuration changed (new run, live setting, opened session).
    config_changed = Signal(object)
    #: The session was written to this path.
    session_saved = Signal(str)
    session_opened = Signal(str)
    #: The weights were imported: ``{"recurrent": [...], "readout": bool, "ignored": [...],
    #: "path": str}``.
    weights_imported = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_snapshot_rate: float | None = 30.0,
        snapshot_budget: float = 0.1,
        backend: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._backend = default_backend() if backend is None else backend
        if max_snapshot_rate is not None and not max_snapshot_rate > 0:
            raise ValueError(f"max_snapshot_rate must be positive, got {max_snapshot_rate!r}")
        if not 0 < snapshot_budget <= 1:
            raise ValueError(f"snapshot_budget must be in (0, 1], got {snapshot_budget!r}")
        self._max_snapshot_rate = max_snapshot_rate
        self._snapshot_budget = snapshot_budget
        self._worker: TrainingWorker | None = None
        self._run_ids = itertools.count(1)
        self._run_id = 0
        self._latest: Snapshot | None = None
        self._state = IDLE
        self._config: TrainConfig | None = None
        self._slow_motion: float | None = None
        self._error = ""
        self._saved_iteration: int | None = None  # the run's iteration held in a file
        #: Snapshots handed to the views, and stale ones dropped (for tests and diagnostics).
        self.delivered = 0
        self.stale_dropped = 0
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_about_to_quit)

    # ------------------------------------------------------------------ what the views read

    @property
    def latest(self) -> Snapshot | None:
        """The last snapshot delivered through ``snapshot_ready`` (None before the first)."""
        return self._latest

    @property
    def state(self) -> str:
        return self._state

    @property
    def config(self) -> TrainConfig | None:
        """The configuration of the run, as last asked for or reported by the worker."""
        return self._config

    @property
    def run_id(self) -> int:
        """The id snapshots must carry to be delivered."""
        return self._run_id

    @property
    def running(self) -> bool:
        """Whether the training thread exists (between start/open and shutdown)."""
        return self._worker is not None

    @property
    def backend(self) -> str:
        """Where the trainer runs: "process" or "thread"."""
        return self._backend

    @property
    def slow_motion(self) -> float | None:
        return self._slow_motion

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
        any current run; starts the training thread if needed. False (and ``failed``) if the
        preset or config is not valid."""
        try:
            resolved = resolve_config(config)
        except (PresetError, ConfigError, TypeError) as error:
            self.failed.emit(str(error))
            return False
        worker = self._ensure_worker()
        self._config = resolved
        worker.loop.reset(resolved, self._new_run_id(), "started")
        if play:
            worker.loop.play()
        return True

    def reset(self, config: TrainConfig | None = None) -> bool:
        """A new run of ``config`` (default: the current configuration, from its seed)."""
        config = config if config is not None else self._config
        if not isinstance(config, TrainConfig):
            self.failed.emit("Nothing to reset yet: choose a lesson or open a session first.")
            return False
        worker = self._ensure_worker()
        self._config = config
        worker.loop.reset(config, self._new_run_id(), "reset")
        return True

    def play(self) -> None:
        if self._require_worker("train"):
            self._worker.loop.play()

    def pause(self) -> None:
        if self._worker is not None:
            self._worker.loop.pause()

    def toggle(self) -> None:
        """Play if not training, else pause (the space bar)."""
        if self._state == TRAINING:
            self.pause()
        else:
            self.play()

    def step(self) -> None:
        """Pause, then exactly one update and one snapshot."""
        if self._require_worker("step"):
            self._worker.loop.step()

    def set_live(self, settings: Mapping[str, Any] | None = None, /, **dotted: Any) -> bool:
        """Change settings by dotted name, e.g. ``set_live({"optim.lr": 0.001})`` or
        ``set_live(temperature="0.5")``. Optimisation settings apply live (iteration and
        weights kept); shape or data settings start a new run and ``run_reset`` says so.

        Returns False (and emits ``failed``) if a setting is unknown or its value invalid.
        """
        settings = {**(settings or {}), **dotted}
        if not settings:
            return True
        if self._config is not None:
            try:
                self._config = self._config.with_settings(settings)
            except ConfigError as error:
                self.failed.emit(f"Cannot apply that setting: {error}")
                return False
        if self._worker is None:
            if self._config is None:
                self.failed.emit("Choose a lesson or open a session first.")
                return False
            return True  # remembered for the next start/reset of this config
        # the worker applies them to the run's real configuration (ours may lag an open())
        self._worker.loop.set_live(settings, self._new_run_id())
        return True

    def rewind(self) -> None:
        """The same run again: same seed, same initial weights."""
        if self._require_worker("rewind"):
            self._worker.loop.rewind(self._new_run_id())

    def reseed(self, seed: int | None = None) -> bool:
        """A new run from ``seed`` (default: the current seed + 1)."""
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32
        ):
            self.failed.emit(f"The seed must be a whole number from 0 to 2³²−1, got {seed!r}")
            return False
        if not self._require_worker("reseed"):
            return False
        self._worker.loop.reseed(seed, self._new_run_id())
        return True

    def recover(self, factor: float = 10.0) -> bool:
        """After a divergence: the run again from its initial weights with a ``factor`` times
        smaller learning rate, training (the worker rewinds when the learning rate drops after
        a divergence: the diverged weights cannot be trained on). False if there is no run."""
        config = self._config
        if config is None or not self._require_worker("rewind"):
            return False
        if not self.set_live({"optim.lr": repr(config.optim.lr / factor)}):
            return False
        self.play()
        return True

    def set_slow_motion(self, seconds: float | None) -> None:
        """Pause ``seconds`` between updates (narration); None or 0 for full speed.

        Raises ValueError/TypeError for a negative, huge or non-numeric value.
        """
        self._slow_motion = check_slow_motion(seconds)
        if self._worker is not None:
            self._worker.loop.set_slow_motion(self._slow_motion)

    def save(self, path: str | Path) -> None:
        """Save the session; ``session_saved(path)`` or ``failed(message)`` follows."""
        if self._require_worker("save"):
            self._worker.loop.save(path)

    def open(self, path: str | Path) -> None:
        """Open a session (paused); ``session_opened`` and ``run_reset`` follow, or ``failed``
        with the current run carrying on as it was."""
        worker = self._ensure_worker()
        worker.loop.open(path, self._new_run_id())

    def import_weights(self, path: str | Path) -> None:
        """Load PyTorch weights (``.npz``) into the current model and pause;
        ``weights_imported(report)`` or ``failed(message)`` follows."""
        if self._require_worker("import weights"):
            self._worker.loop.import_weights(path)

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop the training thread: stop flag, quit, wait up to ``timeout_ms``.

        True when no training thread is left (at once if there was none: safe to call twice,
        from closeEvent and from aboutToQuit). False if the thread is still busy, e.g. in a
        very long update; call again to wait more.
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
        self._set_state(STOPPED)
        return True

    # ------------------------------------------------------------------ plumbing

    def _new_run_id(self) -> int:
        self._run_id = next(self._run_ids)
        return self._run_id

    def _require_worker(self, doing: str) -> bool:
        if self._worker is None:
            self.failed.emit(f"Cannot {doing} yet: choose a lesson or open a session first.")
            return False
        return True

    def _ensure_worker(self) -> TrainingWorker:
        if self._worker is not None:
            return self._worker
        worker = TrainingWorker(
            self._max_snapshot_rate, self._snapshot_budget, backend=self._backend
        )
        queued = Qt.ConnectionType.QueuedConnection  # always deliver later, in the GUI thread
        worker.snapshot_posted.connect(self._on_snapshot_posted, queued)
        worker.state_changed.connect(self._on_state_changed, queued)
        worker.failed.connect(self._on_failed, queued)
        worker.run_reset.connect(self._on_run_reset, queued)
        worker.config_changed.connect(self._on_config_changed, queued)
        worker.session_saved.connect(self._on_session_saved, queued)
        worker.session_opened.connect(self._on_session_opened, queued)
        worker.weights_imported.connect(self._on_weights_imported, queued)
        worker.finished.connect(self._on_worker_finished, queued)
        if self._slow_motion is not None:
            worker.loop.set_slow_motion(self._slow_motion)
        self._worker = worker
        worker.start()
        return worker

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    def _deliver(self, snapshot: Snapshot) -> None:
        if snapshot.run_id != self._run_id:
            self.stale_dropped += 1  # made before a reset (or open, …) took effect
            return
        self._latest = snapshot
        self.delivered += 1
        self.snapshot_ready.emit(snapshot)

    @Slot()
    def _on_snapshot_posted(self) -> None:
        worker = self._worker
        if worker is None:
            return
        snapshot = worker.mailbox.take()
        if snapshot is not None:  # None: an earlier notification already took it
            self._deliver(snapshot)

    @Slot(str)
    def _on_state_changed(self, state: str) -> None:
        if state != ERROR:
            self._error = ""
        self._set_state(state)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._error = message
        self.failed.emit(message)

    @Slot(str)
    def _on_run_reset(self, reason: str) -> None:
        self._saved_iteration = None  # a new run: nothing of it is in a file yet
        self.run_reset.emit(reason)

    @Slot(object)
    def _on_config_changed(self, config: TrainConfig) -> None:
        self._config = config
        self.config_changed.emit(config)

    @Slot(str, object)
    def _on_session_saved(self, path: str, iteration: int) -> None:
        self._saved_iteration = iteration
        self.session_saved.emit(path)

    @Slot(str, object)
    def _on_session_opened(self, path: str, iteration: int) -> None:
        self._saved_iteration = iteration  # (after its run_reset)
        self.session_opened.emit(path)

    @Slot(object)
    def _on_weights_imported(self, report: dict) -> None:
        self._saved_iteration = None  # other weights than the file's
        self.weights_imported.emit(report)

    @Slot()
    def _on_worker_finished(self) -> None:
        worker = self.sender()
        if worker is None or worker is not self._worker or worker.stopping:
            return
        # the trainer was lost (its process killed); the failure was reported just before.
        # The next start, reset or open makes a new one.
        worker.stop()
        self._worker = None

    @Slot()
    def _on_about_to_quit(self) -> None:
        if not self.shutdown(timeout_ms=5000):
            log.error("the training thread did not stop within 5 s of quitting")
