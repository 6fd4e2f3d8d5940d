"""How a signal ends an ``rnnviz`` command: Ctrl+C (SIGINT), SIGTERM and SIGHUP end it with one
line and status 128 + the signal's number, never a traceback; while ``rnnviz train`` trains, the
first one stops it after the update under way (``StopSignals``)."""

from __future__ import annotations

import signal
import threading

__all__ = ["STOP_SIGNALS", "Interrupted", "StopSignals", "raise_interrupted", "signal_word"]


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM) ended a command; exit status 128 + its number.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way
    swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: The signals that stop a command: Ctrl+C, a polite kill, and a closed terminal (SIGHUP, where
#: the system has it: a dropped SSH session), each ending with 128 + its number.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def signal_word(signum: int) -> str:
    """What the message says happened: "interrupted", "terminated", ..."""
    if signum == signal.SIGINT:
        return "interrupted"
    if signum == getattr(signal, "SIGHUP", None):
        return "stopped (the terminal closed)"
    return "terminated"


def raise_interrupted(signum: int, frame: object) -> None:
    """A signal handler: end the command (``Interrupted``) wherever it is."""
    raise Interrupted(signum)


class StopSignals:
    """While training: the first SIGINT, SIGTERM or SIGHUP asks for a stop after the update under
    way (``signum`` says which came), a second one ends at once (``Interrupted``). Once
    ``protect()`` is called (the run is being saved), further signals are only noted.
    Outside the main thread (where Python delivers signals) it does nothing."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._protected = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        elif not self._protected:
            raise Interrupted(signum)

    def protect(self) -> None:
        self._protected = True
