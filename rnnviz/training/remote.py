"""The training loop in a child process, driven through a pipe. No Qt.

Why a process: the trainer is NumPy on small arrays, which holds Python's GIL nearly all the
time, and so does pyqtgraph's painting on the window's side. In one process the two take turns
at the GIL, and with every view live training ran at a third of its headless speed while the
event loop stalled for 40 ms at a time. In a child process the trainer has its own interpreter
and its own core; only snapshots cross, pickled (12 kB and half a millisecond for the ball).

Protocol (``multiprocessing.Pipe``, both directions)::

    window → child   (command, args)  a TrainingLoop command, e.g. ("play", ()); ("stop", ())
                     ("ack", ())      the last snapshot arrived: the next may be sent
    child → window   (report, args)   "snapshot", "state", "failure", "run_reset", "config",
                                       "saved", "opened" or "imported" (the Reporter's methods,
                                       ``args`` their arguments)

Latest wins across the pipe too: the child sends a snapshot only when the previous one has been
acknowledged, and keeps just the newest meanwhile. So a busy window never makes the trainer
block on a full pipe, and never receives a backlog of old snapshots.

The child is a fresh interpreter (``python -m rnnviz.training.remote``) holding one end of a
socket pair: forking a process that runs Qt threads is unsafe, and multiprocessing's "spawn"
re-runs the caller's main script, which breaks any script without a ``__main__`` guard.

The child keeps out of the terminal's Ctrl+C: a Ctrl+C reaches every process of the terminal's
foreground process group, and interrupted on its own (even while Python was still starting) the
child printed a traceback and the window reported a lost trainer. So it runs in a process group
of its own, and ignores SIGINT besides; the window ends it (it sends "stop" or closes its end of
the socket, which stops the loop) after its own orderly shutdown.
"""

from __future__ import annotations

import signal

if __name__ == "__main__":  # before the slow imports below, which a Ctrl+C would interrupt
    signal.signal(signal.SIGINT, signal.SIG_IGN)

import argparse
import logging
import os
import socket
import subprocess
import sys
import threading
import weakref
from multiprocessing.connection import Connection
from typing import Any

from .loop import COMMANDS, ERROR, Reporter, TrainingLoop

__all__ = ["TrainingProcess", "live_processes", "serve"]

log = logging.getLogger(__name__)

_REPORTS = {
    "snapshot": "on_snapshot",
    "state": "on_state",
    "failure": "on_failure",
    "run_reset": "on_run_reset",
    "config": "on_config",
    "saved": "on_saved",
    "opened": "on_opened",
    "imported": "on_imported",
}


#: Every TrainingProcess made in this process (weakly held), to find ones left running.
_made: weakref.WeakSet[TrainingProcess] = weakref.WeakSet()


def live_processes() -> list[int]:
    """The process ids of the training processes started here that are still running."""
    return [p.process.pid for p in list(_made) if p.process.poll() is None]


# ---------------------------------------------------------------------------- the child's side


class _PipeReporter(Reporter):
    """Sends the loop's reports to the window; snapshots only when the last one was taken."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()  # the loop thread and the reader thread both send
        self._may_send_snapshot = True
        self._pending: Any = None

    def _send(self, kind: str, *args: Any) -> None:
        try:
            self._conn.send((kind, args))
        except (OSError, ValueError):  # the window is gone; the reader thread stops the loop
            pass

    def on_snapshot(self, snapshot) -> None:
        with self._lock:
            if self._may_send_snapshot:
                self._may_send_snapshot = False
                self._send("snapshot", snapshot)
            else:
                self._pending = snapshot

    def acknowledged(self) -> None:
        with self._lock:
            if self._pending is not None:
                pending, self._pending = self._pending, None
                self._send("snapshot", pending)
            else:
                self._may_send_snapshot = True

    def _report(self, kind: str, *args: Any) -> None:
        with self._lock:
            self._send(kind, *args)

    def on_state(self, state: str) -> None:
        self._report("state", state)

    def on_failure(self, message: str) -> None:
        self._report("failure", message)

    def on_run_reset(self, reason: str) -> None:
        self._report("run_reset", reason)

    def on_config(self, config) -> None:
        self._report("config", config)

    def on_saved(self, path: str, iteration: int) -> None:
        self._report("saved", path, iteration)

    def on_opened(self, path: str, iteration: int) -> None:
        self._report("opened", path, iteration)

    def on_imported(self, report: dict[str, Any]) -> None:
        self._report("imported", report)


def _read_commands(conn: Connection, loop: TrainingLoop, reporter: _PipeReporter) -> None:
    """The child's reader thread: hand each command to the loop (whose methods only queue)."""
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):  # the window closed its end: stop training
            loop.stop()
            return
        if name == "ack":
            reporter.acknowledged()
        elif name in COMMANDS:
            try:
                getattr(loop, name)(*args)
            except Exception as error:  # the window checks first; this is a bug of ours
                log.exception("bad command %s%r", name, args)
                reporter.on_failure(f"Internal error: the training process refused {name}: {error}")
            if name == "stop":
                return
        else:
            log.error("unknown command %r", name)


def serve(conn: Connection, max_snapshot_rate: float | None, snapshot_budget: float) -> None:
    """The child process's body: run a TrainingLoop on the commands that arrive on ``conn``."""
    reporter = _PipeReporter(conn)
    loop = TrainingLoop(
        reporter, max_snapshot_rate=max_snapshot_rate, snapshot_budget=snapshot_budget
    )
    reader = threading.Thread(
        target=_read_commands, args=(conn, loop, reporter), name="commands", daemon=True
    )
    reader.start()
    try:
        loop.run()
    finally:
        conn.close()


# ---------------------------------------------------------------------------- the window's side


def main(argv: list[str] | None = None) -> int:
    """``python -m rnnviz.training.remote --fd N``: serve the window on socket ``N``.

    SIGINT is ignored (see the module docstring); the child ends when the window closes its
    end of the socket or sends "stop"."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parser = argparse.ArgumentParser(prog="python -m rnnviz.training.remote")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--rate", type=float, default=30.0, help="snapshots/s; 0: every update")
    parser.add_argument("--budget", type=float, default=0.1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="rnnviz training: %(message)s")
    serve(Connection(args.fd), args.rate or None, args.budget)
    return 0


class TrainingProcess:
    """A TrainingLoop in a child process, with the loop's command methods.

    The command methods send and return at once (any thread). ``receive`` is the body of the
    window's one training thread: it hands every report to a ``Reporter`` until the child ends.

    Parameters
    ----------
    max_snapshot_rate, snapshot_budget
        As for ``TrainingLoop``.
    """

    def __init__(self, max_snapshot_rate: float | None = 30.0, snapshot_budget: float = 0.1):
        ours, theirs = socket.socketpair()
        self._send_lock = threading.Lock()
        self._stopping = False
        command = [
            sys.executable,
            "-m",
            "rnnviz.training.remote",
            "--fd",
            str(theirs.fileno()),
            "--rate",
            repr(max_snapshot_rate or 0.0),
            "--budget",
            repr(snapshot_budget),
        ]
        # the child imports this very copy of rnnviz, wherever it came from
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            self.process = subprocess.Popen(
                command,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
                process_group=0,  # out of the terminal's foreground group: no Ctrl+C
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # the child's copy is the only one left: its exit means EOF here
        self._conn = Connection(ours.detach())
        _made.add(self)

    # ------------------------------------------------------------------ commands (any thread)

    def _send(self, name: str, *args: Any) -> None:
        with self._send_lock:
            try:
                self._conn.send((name, args))
            except (OSError, ValueError):
                pass  # the child has ended; ``receive`` reports it

    def play(self) -> None:
        self._send("play")

    def pause(self) -> None:
        self._send("pause")

    def step(self) -> None:
        self._send("step")

    def set_live(self, settings, run_id: int) -> None:
        self._send("set_live", dict(settings), run_id)

    def reset(self, config, run_id: int, reason: str = "reset") -> None:
        self._send("reset", config, run_id, reason)

    def rewind(self, run_id: int) -> None:
        self._send("rewind", run_id)

    def reseed(self, seed: int | None, run_id: int) -> None:
        self._send("reseed", seed, run_id)

    def set_slow_motion(self, seconds: float | None) -> None:
        self._send("set_slow_motion", seconds)

    def save(self, path) -> None:
        self._send("save", str(path))

    def open(self, path, run_id: int) -> None:
        self._send("open", str(path), run_id)

    def import_weights(self, path) -> None:
        self._send("import_weights", str(path))

    def stop(self) -> None:
        """Ask the child to finish its update and end; ``receive`` then returns."""
        self._stopping = True
        self._send("stop")

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ------------------------------------------------------------------ the reader

    def receive(self, reporter: Reporter) -> None:
        """Hand every report to ``reporter`` until the child ends (the training thread's body).

        If the child ends without being asked (killed, out of memory), the reporter hears a
        failure and the "error" state; nothing is raised: the window stays usable.
        """
        while True:
            try:
                kind, args = self._conn.recv()
            except (EOFError, OSError):
                break
            if kind == "snapshot":
                self._send("ack")
            method = _REPORTS.get(kind)
            if method is None:
                log.error("unknown report %r from the training process", kind)
                continue
            getattr(reporter, method)(*args)
        self._conn.close()
        try:
            code = self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        if not self._stopping:
            reporter.on_failure(
                f"The training process ended unexpectedly (exit code {code}). "
                "Press reset or choose a lesson to start training again."
            )
            reporter.on_state(ERROR)

    def kill(self) -> None:
        """Last resort when the child does not stop: end it now (``receive`` then returns)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=1.0)


if __name__ == "__main__":
    sys.exit(main())
