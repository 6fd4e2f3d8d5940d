"""The training loop in a child process, driven through a socket. No Qt.

Why a process: the trainer is NumPy on small arrays, which holds Python's GIL nearly all the
time, and so does pyqtgraph's painting on the window's side. In one process the two take turns
at the GIL, and with every view live training ran at a third of its headless speed while the
event loop stalled for 40 ms at a time. In a child process the trainer has its own interpreter
and its own core; only snapshots cross, pickled (12 kB and half a millisecond for the ball).

What crosses is the protocol of ``rnnviz.training.protocol`` and nothing else, one message a
frame (``rnnviz.training.wire``), both ways: commands to the child, events back, each checked
when it is decoded (a message that is not a declared one with valid fields is logged and
dropped). The window's side
answers each snapshot with an ``Ack``; the child's loop makes the next one only after it
(``TrainingLoop(acknowledged=True)``), so a busy window never makes the trainer block on a full
socket, and never receives a backlog of old snapshots.

The child is a fresh interpreter (``python -m rnnviz.training.remote``) holding one end of a
socket pair: forking a process that runs Qt threads is unsafe, and multiprocessing's "spawn"
re-runs the caller's main script, which breaks any script without a ``__main__`` guard.

The child keeps out of the terminal's Ctrl+C: a Ctrl+C reaches every process of the terminal's
foreground process group, and interrupted on its own (even while Python was still starting) the
child printed a traceback and the window reported a lost trainer. So it runs in a process group
of its own, and ignores SIGINT besides; the window ends it (it sends ``Stop`` or closes its end
of the socket, which stops the loop) after its own orderly shutdown.
"""

from __future__ import annotations

import signal

if __name__ == "__main__":  # before the slow imports below, which a Ctrl+C would interrupt
    signal.signal(signal.SIGINT, signal.SIG_IGN)

import argparse
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .loop import TrainingLoop
from .protocol import (
    ERROR,
    Ack,
    Command,
    Event,
    Failed,
    ProtocolError,
    StateChanged,
    Stop,
)
from .wire import FrameSocket, decode, encode, is_snapshot

__all__ = ["TrainingProcess", "live_processes", "serve"]

log = logging.getLogger(__name__)


#: Every TrainingProcess made in this process (weakly held), to find ones left running.
_made: weakref.WeakSet[TrainingProcess] = weakref.WeakSet()


def live_processes() -> list[int]:
    """The process ids of the training processes started here that are still running."""
    return [p.process.pid for p in list(_made) if p.process.poll() is None]


def _decoded(frame: bytes, expected: type[Command | Event], sender: str) -> Any:
    """The ``expected`` message (a command or an event) in ``frame``, or None: anything else
    is logged, once, and dropped."""
    try:
        message = decode(frame)
        if not isinstance(message, expected):
            what = expected.__name__.lower()
            raise ProtocolError(f"{sender} sent {message.kind!r}, which is no {what}")
    except ProtocolError as error:
        log.error("dropped a message from %s: %s", sender, error)
        return None
    return message


# ---------------------------------------------------------------------------- the child's side


class _Sender:
    """The child's reporter: the loop hands it each event and goes on; a thread of its own
    encodes the events and sends them to the window, in the order given.

    So the trainer never waits for the socket: a large snapshot (7.5 MB for an LSTM with hidden
    512 and 200 steps) is not taken until the window's reader has read it, which takes longer
    while the window's threads are busy, and pickling it is no longer the trainer's work. At
    most one snapshot waits here: the loop makes the next after the ``Ack``.
    """

    def __init__(self, conn: FrameSocket) -> None:
        self._conn = conn
        self._events: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._send_all, name="events", daemon=True)
        self._thread.start()

    def __call__(self, event: Event) -> None:
        self._events.put(event)

    def _send_all(self) -> None:
        while (event := self._events.get()) is not None:
            try:
                self._conn.send_bytes(encode(event))
            except (OSError, ValueError):  # the window is gone; the reader stops the loop
                pass
            except Exception as error:  # a bug of ours: said in one line, the next goes on
                log.error("could not send %s to the window: %s", event.kind, error)

    def close(self, timeout: float = 5.0) -> None:
        """Send what is waiting (for at most ``timeout`` seconds), then stop the thread."""
        self._events.put(None)
        self._thread.join(timeout)


def _read_commands(conn: FrameSocket, loop: TrainingLoop) -> None:
    """The child's reader thread: hand each command to the loop (which only queues it)."""
    while True:
        try:
            frame = conn.recv_bytes()
        except (EOFError, OSError, ProtocolError) as error:  # the window closed its end
            if isinstance(error, ProtocolError):
                log.error("the window's socket is unreadable: %s", error)
            loop.send(Stop())
            return
        command = _decoded(frame, Command, "the window")
        if command is None:
            continue
        loop.send(command)
        if isinstance(command, Stop):
            return


def serve(conn: FrameSocket, max_snapshot_rate: float | None, snapshot_budget: float) -> None:
    """The child process's body: run a TrainingLoop on the commands that arrive on ``conn``."""
    sender = _Sender(conn)
    loop = TrainingLoop(
        sender,
        max_snapshot_rate=max_snapshot_rate,
        snapshot_budget=snapshot_budget,
        acknowledged=True,
    )
    reader = threading.Thread(
        target=_read_commands, args=(conn, loop), name="commands", daemon=True
    )
    reader.start()
    try:
        loop.run()
    finally:
        sender.close()
        conn.close()


# ---------------------------------------------------------------------------- the window's side


def main(argv: list[str] | None = None) -> int:
    """``python -m rnnviz.training.remote --fd N``: serve the window on socket ``N``.

    SIGINT is ignored (see the module docstring); the child ends when the window closes its
    end of the socket or sends ``Stop``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parser = argparse.ArgumentParser(prog="python -m rnnviz.training.remote")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--rate", type=float, default=30.0, help="snapshots/s; 0: every update")
    parser.add_argument("--budget", type=float, default=0.1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="rnnviz training: %(message)s")
    _yield_to_the_window()
    serve(FrameSocket(socket.socket(fileno=args.fd)), args.rate or None, args.budget)
    return 0


#: How much lower the training process's CPU priority is than the window's (``os.nice``).
NICENESS = 5


def _yield_to_the_window() -> None:
    """Lower this process's priority: when runs and the window want more CPU than there is
    (three compared runs on two cores), the window's event loop goes first and training takes
    the rest; with CPU to spare it changes nothing."""
    try:
        os.nice(NICENESS)
    except (AttributeError, OSError):  # no nice (Windows), or not allowed: as it was
        pass


class TrainingProcess:
    """A TrainingLoop in a child process: ``send`` as the loop's.

    ``send`` returns at once (any thread). ``receive`` is the body of the window's training
    thread for this process: it hands every event on until the child ends.

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
        self._conn = FrameSocket(ours)
        _made.add(self)

    # ------------------------------------------------------------------ commands (any thread)

    def send(self, command: Command) -> None:
        """Send ``command`` to the child (any thread; returns at once). After ``Stop`` the
        child finishes its update and ends; ``receive`` then returns."""
        if not isinstance(command, Command):
            raise ProtocolError(f"the training process takes commands, not {command!r}")
        if isinstance(command, Stop):
            self._stopping = True
        frame = encode(command)
        with self._send_lock:
            try:
                self._conn.send_bytes(frame)
            except (OSError, ValueError):
                pass  # the child has ended; ``receive`` reports it

    @property
    def stopping(self) -> bool:
        return self._stopping

    # ------------------------------------------------------------------ the reader

    def receive(self, report: Callable[[Event], None]) -> None:
        """Hand every event to ``report`` until the child ends (the training thread's body).

        If the child ends without being asked (killed, out of memory), ``report`` hears a
        failure and the "error" state; nothing is raised: the window stays usable.
        """
        while True:
            try:
                frame = self._conn.recv_bytes()
            except (EOFError, OSError):
                break
            except ProtocolError as error:  # out of step with the child: it is ended below
                log.error("the training process's socket is unreadable: %s", error)
                break
            if is_snapshot(frame):  # it has crossed (readable or not): the child may go on
                self.send(Ack())
            event = _decoded(frame, Event, "the training process")
            if event is not None:
                report(event)
        self._conn.close()
        try:
            code = self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        if not self._stopping:
            report(
                Failed(
                    f"The training process ended unexpectedly (exit code {code}). "
                    "Press reset or choose a lesson to start training again."
                )
            )
            report(StateChanged(ERROR))

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
