"""A run's training thread, and the Qt signals it emits.

The trainer runs in a ``TrainingLoop`` (``rnnviz.training.loop``, no Qt), in one of two places:

``"process"`` (the window's default)
    A child process (``rnnviz.training.remote``). The training thread here only receives its
    events from a socket. The trainer and the views then never wait for each other's GIL: with
    every view live, training keeps ~90 % of its headless speed and the event loop stays smooth.
``"thread"``
    The loop itself runs in the training thread (no process to start: what most tests use).

Either way the worker takes the protocol's commands (``worker.send(Play())``, see
``rnnviz.training.protocol``) and hands on the loop's events: a snapshot goes into the run's
one-slot ``SnapshotMailbox`` (latest wins; ``snapshot_posted`` only when the box was empty, so
at most one notification is ever queued and a slow GUI gets the newest snapshot, never a
backlog), every other event goes out as ``reported(event)``. Both reach the GUI thread as queued
calls.

No slot ever runs on the training thread: the ``QThread`` object itself lives in the GUI thread
and only *emits* from ``run()``.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QCoreApplication, QThread, Signal

from rnnviz.training.loop import TrainingLoop
from rnnviz.training.mailbox import SnapshotMailbox
from rnnviz.training.protocol import Command, Event, Failed, SnapshotMade, Stop
from rnnviz.training.remote import TrainingProcess
from rnnviz.training.snapshot import Snapshot

__all__ = ["BACKENDS", "TrainingWorker", "default_backend"]

log = logging.getLogger(__name__)

#: Where the trainer may run: in a child process, or in the training thread itself.
BACKENDS = ("process", "thread")


def default_backend() -> str:
    """``RNNVIZ_TRAINING`` ("process" or "thread") if set, else "process"."""
    backend = os.environ.get("RNNVIZ_TRAINING", "").strip().lower() or "process"
    if backend not in BACKENDS:
        raise ValueError(f"RNNVIZ_TRAINING must be one of {', '.join(BACKENDS)}, got {backend!r}")
    return backend


# Started workers, until stopped: a running QThread whose Python wrapper is garbage-collected
# makes Qt abort the process ("QThread: Destroyed while thread is still running").
_running_workers: set[TrainingWorker] = set()
_quit_hook_installed = False


def _stop_all_workers() -> None:
    """Last line of defence when the application quits: stop whatever is still running."""
    for worker in list(_running_workers):
        if not worker.stop(5000):
            log.error("the training thread did not stop within 5 s of quitting")


class TrainingWorker(QThread):
    """A run's training thread: runs a ``TrainingLoop`` (or receives a training process's
    events) and hands the events on (see the module docstring).

    ``send`` is thread-safe. The signals are emitted on the worker thread; connect them with
    ``Qt.QueuedConnection`` to receivers in the GUI thread.

    Parameters
    ----------
    max_snapshot_rate, snapshot_budget
        As for ``TrainingLoop``.
    backend : {"thread", "process"}
        Where the trainer runs (see the module docstring).
    mailbox : SnapshotMailbox, optional
        The run's mailbox (default: a new one).
    """

    #: A snapshot is waiting in ``mailbox`` (sent only when it was empty: latest wins).
    snapshot_posted = Signal()
    #: Any other event of the loop (``rnnviz.training.protocol.Event``).
    reported = Signal(object)

    def __init__(
        self,
        max_snapshot_rate: float | None = 30.0,
        snapshot_budget: float = 0.1,
        parent=None,
        *,
        backend: str = "thread",
        mailbox: SnapshotMailbox | None = None,
    ) -> None:
        super().__init__(parent)
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        self.setObjectName("rnnviz-training")
        self.backend = backend
        self.mailbox = SnapshotMailbox() if mailbox is None else mailbox
        self.loop: TrainingLoop | TrainingProcess
        if backend == "process":
            self.loop = TrainingProcess(max_snapshot_rate, snapshot_budget)
        else:
            self.loop = TrainingLoop(
                self.report, max_snapshot_rate=max_snapshot_rate, snapshot_budget=snapshot_budget
            )

    def send(self, command: Command) -> None:
        """Hand ``command`` to the loop (any thread; returns at once)."""
        self.loop.send(command)

    def report(self, event: Event) -> None:
        """Hand an event of the loop on (the training thread; any thread for tests)."""
        if type(event) is SnapshotMade:
            self.post_snapshot(event.snapshot)
        else:
            self.reported.emit(event)

    def post_snapshot(self, snapshot: Snapshot) -> None:
        """Put ``snapshot`` in the mailbox; notify only if nothing was waiting (any thread)."""
        if self.mailbox.put(snapshot):
            self.snapshot_posted.emit()

    def start(self, *args) -> None:
        global _quit_hook_installed
        app = QCoreApplication.instance()
        if app is not None and not _quit_hook_installed:
            app.aboutToQuit.connect(_stop_all_workers)
            _quit_hook_installed = True
        _running_workers.add(self)
        super().start(*args)

    def run(self) -> None:
        try:
            if isinstance(self.loop, TrainingProcess):
                self.loop.receive(self.report)
            else:
                self.loop.run()
        except BaseException:  # the loop catches everything it expects: this is a bug
            log.exception("the training thread ended unexpectedly")
            self.reported.emit(
                Failed("The training thread stopped unexpectedly; please restart rnnviz.")
            )

    @property
    def stopping(self) -> bool:
        """Whether ``stop`` was called (else an ended thread means the trainer was lost)."""
        return self.loop.stopping

    def stop(self, timeout_ms: int = 1000) -> bool:
        """The one way to end the thread: stop flag, quit, wait. True if it has ended.

        A training process that has not ended within ``timeout_ms`` is terminated (and waited
        for up to another second): the window never waits on it for longer.
        """
        self.loop.send(Stop())
        self.quit()  # no event loop runs in this thread; kept so the path is the usual one
        ended = self.wait(max(0, int(timeout_ms)))
        if not ended and isinstance(self.loop, TrainingProcess):
            log.warning("the training process did not stop within %d ms: ending it", timeout_ms)
            self.loop.kill()
            ended = self.wait(1000)
        if not ended:
            return False
        _running_workers.discard(self)
        return True
