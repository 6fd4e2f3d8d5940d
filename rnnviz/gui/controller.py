"""The window's one handle on training: a list of runs, each with its own training thread (or
process), run ids, mailbox and settings; the window's own run is the first, ``main``.

    controller = Controller()
    controller.snapshot_ready.connect(view.show_snapshot)   # the main run's
    controller.state_changed.connect(toolbar.show_state)
    controller.failed.connect(window.show_error)
    controller.start("vanishing_gradient", play=True)       # the main run's commands
    ...
    gru = controller.add_run(config, play=True)             # one more run, side by side
    controller.run_snapshot.connect(compare.show)            # (handle, snapshot) of every run
    controller.remove_run(gru)
    ...
    controller.shutdown()                       # closeEvent; also connected to aboutToQuit

Every command returns at once: the run's training thread carries it out between two updates
(see ``rnnviz.gui.worker``) and the outcome arrives as a signal. Signals are only ever emitted on
the GUI thread. The controller never touches a trainer or its arrays; it sees only snapshots,
which are frozen copies. A run's commands, and what the views read of it, are those of its
``RunHandle`` (``rnnviz.gui.runs``, where run ids are explained); the controller's own are the
main run's.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from rnnviz.training import protocol
from rnnviz.training.cell_list import cell_label
from rnnviz.training.config import TrainConfig
from rnnviz.training.presets import Preset
from rnnviz.training.snapshot import Snapshot

from .runs import RunHandle, Status, resolve_config
from .worker import default_backend

__all__ = ["Controller", "RunHandle", "Status", "resolve_config"]

log = logging.getLogger(__name__)


#: The main run's signal for each kind of event, and the field it carries.
_MAIN_SIGNALS = {
    protocol.StateChanged: ("state_changed", "state"),
    protocol.Failed: ("failed", "message"),
    protocol.RunReset: ("run_reset", "reason"),
    protocol.ConfigChanged: ("config_changed", "config"),
    protocol.Saved: ("session_saved", "path"),
    protocol.Opened: ("session_opened", "path"),
    protocol.Imported: ("weights_imported", "report"),
}


def _of_main_run(name: str, doc: str | None = None) -> property:
    """The main run's ``name`` (read-only; ``doc`` or RunHandle's own docstring)."""
    return property(
        lambda self: getattr(self._main, name), doc=doc or getattr(RunHandle, name).__doc__
    )


class Controller(QObject):
    """The runs (the window's own first) and a thin, Qt-side front for the views.

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

    #: A snapshot of the main run (frozen, read-only). Latest wins: a slow GUI skips some.
    snapshot_ready = Signal(object)
    #: The main run's state: "idle", "training", "paused", "diverged", "error" or "stopped".
    state_changed = Signal(str)
    #: A message for a dialog: a file could not be saved/opened/imported, a setting is invalid,
    #: or training raised (then the state is "error" and the run paused). File failures leave
    #: the run as it was.
    failed = Signal(str)
    #: A new main run began; the reason says why (e.g. "model.hidden_size changes the model …").
    run_reset = Signal(str)
    #: The main run's configuration changed (new run, live setting, opened session).
    config_changed = Signal(object)
    #: The session was written to this path.
    session_saved = Signal(str)
    session_opened = Signal(str)
    #: The weights were imported: ``{"recurrent": [...], "readout": bool, "ignored": [...],
    #: "path": str}``.
    weights_imported = Signal(object)
    #: Every run's snapshots and events, the main run's too: ``(handle, snapshot)`` and
    #: ``(handle, event)`` (an ``rnnviz.training.protocol`` event).
    run_snapshot = Signal(object, object)
    run_reported = Signal(object, object)
    #: Compare mode began or ended: the runs side by side (the main one first), () after.
    compare_changed = Signal(object)

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
        self._rates = {"max_snapshot_rate": max_snapshot_rate, "snapshot_budget": snapshot_budget}
        self._run_ids = itertools.count(1)
        self._keys = itertools.count(1)
        self._runs: list[RunHandle] = []
        self._main = self._new_run(self._backend)
        self._compared: list[RunHandle] = []  # compare mode's runs, the main one first
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._on_about_to_quit)

    # ------------------------------------------------------------------ the runs

    @property
    def runs(self) -> tuple[RunHandle, ...]:
        """Every run, the main one first."""
        return tuple(self._runs)

    @property
    def main(self) -> RunHandle:
        """The window's own run, which the controller's commands and signals are about."""
        return self._main

    def add_run(
        self, config: TrainConfig | Preset | str, *, play: bool = False, backend: str | None = None
    ) -> RunHandle:
        """One more run of ``config``, with its own training thread (or process), started (and
        playing if ``play``); its snapshots and events come with its handle (``run_snapshot``,
        ``run_reported``).

        Raises PresetError, ConfigError or TypeError if ``config`` is not a valid one (and no
        run is added).
        """
        resolved = resolve_config(config)
        handle = self._new_run(self._backend if backend is None else backend)
        handle.start(resolved, play=play)
        return handle

    def remove_run(self, handle: RunHandle, timeout_ms: int = 1000) -> bool:
        """Stop ``handle``'s training and drop it from ``runs``. False (and it stays) if its
        thread has not stopped within ``timeout_ms``. The main run cannot be removed
        (``shutdown`` stops it): ValueError, as for a handle that is not one of ``runs``."""
        if handle is self._main:
            raise ValueError("the main run cannot be removed; shutdown() stops it")
        if handle not in self._runs:
            raise ValueError(f"{handle!r} is not one of this controller's runs")
        if not handle.stop(timeout_ms):
            return False
        self._runs.remove(handle)
        handle.deleteLater()
        return True

    # ------------------------------------------------------------------ compare mode

    @property
    def compared(self) -> tuple[RunHandle, ...]:
        """The runs side by side in compare mode, the main one first; () with one run."""
        return tuple(self._compared)

    def compare(self, configs, *, play: bool = False, names=None) -> bool:
        """Compare mode: the runs of ``configs`` (2 or 3 TrainConfigs: the same task and
        seed, another cell, mode or direction each) side by side, the main run on the first,
        each in a training process (or thread) of its own; play, pause, step, reset and rewind
        then act on them all. ``names`` (one per config) become the runs' ``name``s (default:
        their cells' labels). False (and ``failed``) if the first is refused."""
        configs = [resolve_config(c) for c in configs]
        if not 2 <= len(configs) <= 3:
            raise ValueError(f"compare mode shows 2 or 3 runs, not {len(configs)}")
        names = [cell_label(c.model.cell) for c in configs] if names is None else list(names)
        if len(names) != len(configs):
            raise ValueError(f"{len(names)} names for {len(configs)} runs")
        self.end_compare()
        if not self._main.start(configs[0], play=play):
            return False
        self._compared = [self._main] + [self.add_run(c, play=play) for c in configs[1:]]
        for handle, name in zip(self._compared, names, strict=True):
            handle.name = name
        self.compare_changed.emit(self.compared)
        return True

    def end_compare(self) -> None:
        """Back to one run, the main one: the others stop and go."""
        if not self._compared:
            return
        others, self._compared = self._compared[1:], []
        for handle in others:
            if not self.remove_run(handle):
                handle.stop(0)  # busy in a long update: it goes when the window closes
        self.compare_changed.emit(())

    def _all(self) -> list[RunHandle]:
        """The runs the training commands act on: all compared ones, else the main one."""
        return self._compared or [self._main]

    def shutdown(self, timeout_ms: int = 1000) -> bool:
        """Stop every run's training thread: stop flag, quit, wait up to ``timeout_ms`` each.

        True when no training thread is left (at once if there was none: safe to call twice,
        from closeEvent and from aboutToQuit). False if a thread is still busy, e.g. in a
        very long update; call again to wait more. The runs stay listed, stopped (``start``
        or ``open`` starts the main one again).
        """
        return all([run.stop(timeout_ms) for run in self._runs])

    def _new_run(self, backend: str) -> RunHandle:
        handle = RunHandle(
            next(self._keys),
            lambda: next(self._run_ids),
            self._deliver,
            self._tell,
            backend=backend,
            parent=self,
            **self._rates,
        )
        self._runs.append(handle)
        return handle

    def _deliver(self, handle: RunHandle, snapshot: Snapshot) -> None:
        if handle is self._main:
            self.snapshot_ready.emit(snapshot)
        self.run_snapshot.emit(handle, snapshot)

    def _tell(self, handle: RunHandle, event: protocol.Event) -> None:
        if handle is self._main:
            signal, field = _MAIN_SIGNALS[type(event)]
            getattr(self, signal).emit(getattr(event, field))
        self.run_reported.emit(handle, event)

    @Slot()
    def _on_about_to_quit(self) -> None:
        if not self.shutdown(timeout_ms=5000):
            log.error("a training thread did not stop within 5 s of quitting")

    # ------------------------------------------------------------------ the main run's

    latest = _of_main_run("latest", "The last snapshot of ``snapshot_ready`` (None before one).")
    state = _of_main_run("state")
    config = _of_main_run("config")
    run_id = _of_main_run("run_id", "The id snapshots must carry to be delivered.")
    running = _of_main_run("running")
    backend = _of_main_run("backend", 'Where the trainer runs: "process" or "thread".')
    slow_motion = _of_main_run("slow_motion")
    delivered = _of_main_run("delivered", "Snapshots of the main run handed to the views.")
    stale_dropped = _of_main_run("stale_dropped", "Snapshots dropped as made before a reset.")
    unsaved_updates = _of_main_run("unsaved_updates")

    def status(self) -> Status:
        """The status bar's content: state, iteration, loss, training steps/s, message."""
        return self._main.status()

    def would_reset(self, settings: Mapping[str, Any] | None = None, /, **dotted: Any) -> bool:
        """Whether ``set_live`` with these settings would start a new run (False if unknown)."""
        return self._main.would_reset(settings, **dotted)

    def start(self, config: TrainConfig | Preset | str, *, play: bool = False) -> bool:
        """Start a run of ``config`` (a TrainConfig, a Preset or a preset's name), replacing
        any current run; starts the training thread if needed. False (and ``failed``) if the
        preset or config is not valid. Ends compare mode."""
        self.end_compare()
        return self._main.start(config, play=play)

    def reset(self, config: TrainConfig | None = None) -> bool:
        """A new run of ``config`` (default: the current configuration, from its seed); in
        compare mode every run starts again on its own configuration."""
        for other in self._all()[1:]:
            other.reset()
        return self._main.reset(config)

    def play(self) -> None:
        for run in self._all():
            run.play()

    def pause(self) -> None:
        for run in self._all():
            run.pause()

    def toggle(self) -> None:
        """Play if not training, else pause (the space bar); compared runs follow the main."""
        if self._main.state == "training":
            self.pause()
        else:
            self.play()

    def step(self) -> None:
        """Pause, then exactly one update and one snapshot (of every compared run)."""
        for run in self._all():
            run.step()

    def set_live(self, settings: Mapping[str, Any] | None = None, /, **dotted: Any) -> bool:
        """See ``RunHandle.set_live``: False (and ``failed``) for an unknown or invalid one."""
        return self._main.set_live(settings, **dotted)

    def rewind(self) -> None:
        """The same run again: same seed, same initial weights (every compared run)."""
        for run in self._all():
            run.rewind()

    def reseed(self, seed: int | None = None) -> bool:
        """A new run from ``seed`` (default: the current seed + 1)."""
        return self._main.reseed(seed)

    def recover(self, factor: float = 10.0) -> bool:
        """See ``RunHandle.recover``: rewind with a ``factor`` times smaller learning rate."""
        return self._main.recover(factor)

    def set_slow_motion(self, seconds: float | None) -> None:
        """Pause ``seconds`` between updates; None or 0 for full speed (ValueError/TypeError
        for a negative, huge or non-numeric value)."""
        self._main.set_slow_motion(seconds)

    def save(self, path: str | Path) -> None:
        """Save the session; ``session_saved(path)`` or ``failed(message)`` follows."""
        self._main.save(path)

    def open(self, path: str | Path) -> None:
        """Open a session (paused); ``session_opened`` and ``run_reset`` follow, or ``failed``
        with the current run carrying on as it was. Ends compare mode."""
        self.end_compare()
        self._main.open(path)

    def import_weights(self, path: str | Path) -> None:
        """Load PyTorch weights (``.npz``) into the current model and pause;
        ``weights_imported(report)`` or ``failed(message)`` follows."""
        self._main.import_weights(path)
