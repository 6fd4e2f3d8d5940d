"""SIGINT (Ctrl+C in the terminal), SIGTERM and SIGHUP close the window the normal way.

Python's own SIGINT handler raises KeyboardInterrupt wherever the main thread happens to be:
inside a Qt slot or a paint event, where it printed a traceback, left the window running and
now and then crashed the process. Here the signals are only *noted* where they arrive; the
GUI thread hears of them through ``signal.set_wakeup_fd`` and a ``QSocketNotifier`` (the
signal's number is written to a socket the event loop watches) and then closes the window:
``closeEvent`` → ``controller.shutdown()``, the one shutdown path, which also ends the
training process. The process then exits with 128 + the signal's number (130 for SIGINT, 143
for SIGTERM, 129 for SIGHUP), as a shell reports a program that a signal ended.

    with quit_on_signals() as quitter:
        quitter.received.connect(lambda signum: window.close())
        code = app.exec()
    return quitter.exit_code if quitter.signum is not None else code
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, Signal, Slot

__all__ = ["QUIT_SIGNALS", "SignalQuitter", "SignalReceived", "quit_on_signals"]

#: The signals that close the window: Ctrl+C, a polite kill, and a closed terminal (SIGHUP,
#: where the system has it: an SSH session that drops must not leave the window half-alive).
QUIT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class SignalReceived(BaseException):
    """Raised by code that noted a quit signal and stopped what it was doing (``render``), for
    the command line to report it in one line; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class SignalQuitter(QObject):
    """Notes the QUIT_SIGNALS and reports the first on the GUI thread (``received``).

    Install it in the main thread (Python runs signal handlers there only); ``uninstall``
    puts back the handlers that were in place. Installed before the application object
    exists, it notes signals at once (``signum``) and reports them once ``watch`` is called
    with the application made.
    """

    #: The first quit signal's number, emitted on the GUI thread from its event loop.
    received = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signum: int | None = None
        self._emitted = False
        self._previous: dict[int, object] = {}
        self._previous_fd: int | None = None
        self._reader: socket.socket | None = None
        self._writer: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None

    @property
    def signum(self) -> int | None:
        """The first quit signal received (None: none yet)."""
        return self._signum

    @property
    def exit_code(self) -> int | None:
        """128 + the signal's number, the exit status a shell expects (None: no signal)."""
        return None if self._signum is None else 128 + self._signum

    def install(self) -> None:
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)  # (set_wakeup_fd needs it: a handler must never block)
        self._reader, self._writer = reader, writer
        if QCoreApplication.instance() is not None:
            self.watch()
        # the C-level handler writes the signal's number to this socket, however busy the
        # event loop is; Python's handler (below) runs only once the main thread runs Python
        self._previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        for signum in QUIT_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._note)

    def watch(self) -> None:
        """Start reporting on the GUI thread (needs the application object; ``install`` calls
        it when there is one). A signal noted before is reported as soon as the event loop
        runs."""
        if self._notifier is not None or self._reader is None:
            return
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wakeup)

    def uninstall(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}
        if self._previous_fd is not None:
            signal.set_wakeup_fd(self._previous_fd)
            self._previous_fd = None
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        for end in (self._reader, self._writer):
            if end is not None:
                end.close()
        self._reader = self._writer = None

    def _note(self, signum: int, _frame) -> None:
        """Python's handler: note the signal, nothing else (it may interrupt any code; the
        window is closed from the event loop, in ``_on_wakeup``)."""
        if self._signum is None:
            self._signum = signum

    @Slot()
    def _on_wakeup(self) -> None:
        try:
            data = self._reader.recv(512) if self._reader is not None else b""
        except (BlockingIOError, InterruptedError):
            return
        for signum in data:
            if signum in QUIT_SIGNALS and self._signum is None:
                self._signum = signum
        if self._signum is not None and not self._emitted:
            self._emitted = True
            self.received.emit(self._signum)


@contextmanager
def quit_on_signals() -> Iterator[SignalQuitter]:
    """A ``SignalQuitter`` installed for the block (see the module docstring)."""
    quitter = SignalQuitter()
    quitter.install()
    try:
        yield quitter
    finally:
        quitter.uninstall()
