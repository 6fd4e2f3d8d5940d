"""How a message of ``rnnviz.training.protocol`` crosses a training process's socket. No NumPy
imported, no Qt.

One frame (``Connection.send_bytes``) per message. Every message but a snapshot is ``b"J"`` and
JSON: ``{"kind": "reset", "config": {...}, "run_id": 3, "reason": "started"}``, its fields as
the message's ``to_plain`` gives them (a configuration as ``config_to_dict`` writes it). A
snapshot is ``b"P"`` and the one pickle: it holds a dozen arrays, and pickling them is the
fastest way across (half a millisecond for the ball). It is unpickled by an unpickler that
accepts only what a snapshot is made of (``rnnviz.training.snapshot``, the configuration's
dataclasses and enums from rnnviz's own core, tasks and training, NumPy's arrays, scalars and
dtypes) and refuses any other class or function before calling it.

``decode`` raises ``ProtocolError`` for anything that is not a declared message with valid
fields; the receiving side logs it once and drops it.

A frame crosses the socket as its length (8 bytes, big-endian) and its bytes (``FrameSocket``).
It is read in one call that waits for all of it (``MSG_WAITALL``), holding Python's GIL only
before and after: ``multiprocessing``'s ``Connection`` read a large frame in pieces of what the
socket held (about 200 kB), taking the GIL back after each, so a 7.5 MB snapshot (LSTM, hidden
512, 200 steps) took 11-14 ms to cross, 39-40 ms with a busy Python thread on the reading
side as the window's GUI thread is while it draws (2-5 and 19-22 ms now, measured).
"""

from __future__ import annotations

import dataclasses
import io
import json
import pickle
import socket
import struct
from enum import Enum
from typing import Any

from rnnviz.training.protocol import (
    COMMANDS,
    EVENTS,
    Command,
    Event,
    Message,
    ProtocolError,
    SnapshotMade,
)

__all__ = ["MAX_FRAME", "FrameSocket", "decode", "encode", "is_snapshot"]

_JSON, _PICKLE = b"J", b"P"

#: The longest frame read (bytes): a snapshot of the largest model the memory budget
#: (``rnnviz.training.budget``) allows stays well below; a longer length is refused unread.
MAX_FRAME = 1 << 32
_LENGTH = struct.Struct("!Q")
_WAIT_ALL = getattr(socket, "MSG_WAITALL", 0)


class FrameSocket:
    """One end of a training process's socket, carrying frames (``bytes``) both ways.

    ``send_bytes`` and ``recv_bytes`` as ``multiprocessing.connection.Connection``'s (see the
    module docstring for why not that); ``recv_bytes`` raises EOFError when the other end has
    closed, ``ProtocolError`` (the socket is then closed) for a length above ``limit``.
    """

    def __init__(self, sock: socket.socket, limit: int = MAX_FRAME) -> None:
        self._sock = sock
        self._limit = limit

    def send_bytes(self, frame: bytes) -> None:
        """Send ``frame`` whole (blocks until the socket took it; OSError if it is closed)."""
        self._sock.sendall(_LENGTH.pack(len(frame)))
        self._sock.sendall(frame)

    def recv_bytes(self) -> bytearray:
        """The next frame; EOFError once the other end has closed."""
        (length,) = _LENGTH.unpack(self._receive(_LENGTH.size))
        if length > self._limit:
            self.close()
            raise ProtocolError(f"a frame of {length:,} bytes (at most {self._limit:,} are read)")
        return self._receive(length)

    def _receive(self, length: int) -> bytearray:
        buffer = bytearray(length)
        view = memoryview(buffer)
        got = 0
        while got < length:  # (one call, unless a signal cut it short)
            n = self._sock.recv_into(view[got:], length - got, _WAIT_ALL)
            if n == 0:
                raise EOFError("the other end closed the socket")
            got += n
        return buffer

    def close(self) -> None:
        self._sock.close()


def encode(message: Message) -> bytes:
    """One frame: ``b"P"`` and a pickle for a snapshot, else ``b"J"`` and JSON."""
    if isinstance(message, SnapshotMade):
        return _PICKLE + pickle.dumps(message.snapshot, protocol=pickle.HIGHEST_PROTOCOL)
    if not isinstance(message, Command | Event):
        raise ProtocolError(f"not a command or an event: {message!r}")
    return _JSON + json.dumps({"kind": message.kind, **message.to_plain()}).encode()


def is_snapshot(frame: bytes) -> bool:
    """Whether ``frame`` holds a snapshot (what a training process's window acknowledges)."""
    return frame[:1] == _PICKLE


def decode(frame: bytes) -> Message:
    """The message in ``frame``; ProtocolError if it is not a declared one with valid fields."""
    tag, body = frame[:1], frame[1:]
    if tag == _PICKLE:
        try:
            snapshot = _SnapshotUnpickler(io.BytesIO(body)).load()
        except Exception as error:
            raise ProtocolError(f"a snapshot that cannot be read: {error}") from None
        return SnapshotMade(snapshot)
    if tag != _JSON:
        raise ProtocolError(f"a message of no known form (it begins {bytes(frame[:12])!r})")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError(f"a message that is not valid JSON: {error}") from None
    kind = data.get("kind") if isinstance(data, dict) else None
    declared = (COMMANDS.get(kind) or EVENTS.get(kind)) if isinstance(kind, str) else None
    if declared is None:
        raise ProtocolError(f"an unknown message {kind!r}")
    del data["kind"]
    try:
        return declared.from_plain(data)
    except (TypeError, ValueError) as error:  # ConfigError and ProtocolError are ValueErrors
        raise ProtocolError(f"a malformed {kind!r} message: {error}") from None


#: What a pickled snapshot may name besides rnnviz's own: NumPy's arrays, dtypes and scalars.
_NUMPY_NAMES = frozenset(
    (module, name)
    for core in ("numpy.core", "numpy._core")
    for module, name in (
        (f"{core}.numeric", "_frombuffer"),
        (f"{core}.multiarray", "_reconstruct"),
        (f"{core}.multiarray", "scalar"),
    )
) | {("numpy", "dtype"), ("numpy", "ndarray")}


#: Where the dataclasses and enums a snapshot may hold (its configuration's) are declared.
_RNNVIZ_DATA = ("rnnviz.core.", "rnnviz.tasks.", "rnnviz.training.")


class _SnapshotUnpickler(pickle.Unpickler):
    """Unpickles a snapshot and nothing else: a pickle naming any other class or function (which
    unpickling would call) is refused before anything of it is called."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _NUMPY_NAMES or (module, name) == (
            "rnnviz.training.snapshot",
            "_rebuild_snapshot",
        ):
            return super().find_class(module, name)
        if module.startswith(_RNNVIZ_DATA):
            found = super().find_class(module, name)
            if isinstance(found, type) and (
                issubclass(found, Enum) or dataclasses.is_dataclass(found)
            ):
                return found  # the configuration's dataclasses and enums, wherever they live
        raise pickle.UnpicklingError(f"a snapshot may not hold {module}.{name}")
