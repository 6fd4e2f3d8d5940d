"""The window ↔ training protocol: every command and every event, declared once. No NumPy, no Qt.

A *command* is what the window asks of a training loop; an *event* is what the loop reports.
Each is a frozen dataclass declared here with its fields and their checks: building one with a
field of the wrong kind raises ``ProtocolError`` (a ``ValueError``) saying which. Both ways of
training use them as they are: a ``TrainingLoop`` in a thread of the window's process takes the
command objects on its queue and hands the event objects to its reporter, and a training process
(``rnnviz.training.remote``) receives and sends the same objects, encoded on one side of its
socket and decoded on the other (``encode``, ``decode``).

==============================  ============================================================
command                         what the loop does (between two updates, in order)
==============================  ============================================================
``Play()``, ``Pause()``         train flat out / stop after the current update
``Step()``                      pause, then exactly one update and one snapshot
``SetLive(settings, run_id)``   apply dotted settings (a new run if they change the model)
``Reset(config, run_id, why)``  a new run of ``config``
``Rewind(run_id)``              the same run again (same seed, same initial weights)
``Reseed(seed, run_id)``        a new run from ``seed`` (None: the current one + 1)
``Recover(factor, run_id)``     after a divergence: rewind, learning rate ÷ ``factor``, play
``SetSlowMotion(seconds)``      pause between updates (None: full speed)
``Save(path)``                  write the session
``Open(path, run_id)``          make the session in ``path`` the run (paused)
``ImportWeights(path)``         load PyTorch weights (``.npz``) into the model (paused)
``Stop()``                      end the loop after the current update
``Ack()``                       (a process's own) the last snapshot arrived: send the next
==============================  ============================================================

Events: ``SnapshotMade(snapshot)``, ``StateChanged(state)``, ``Failed(message)`` (for the user:
it says what to do), ``RunReset(reason)``, ``ConfigChanged(config)``, ``Saved(path,
iteration)``, ``Opened(path, iteration)``, ``Imported(report)``.

On the wire (one ``send_bytes`` frame per message), every message but a snapshot is JSON
(``{"kind": "reset", "config": {...}, "run_id": 3, "reason": "started"}``; a configuration as
``config_to_dict`` writes it). A snapshot is the one pickle: it holds a dozen arrays, and pickling
them is the fastest way across (half a millisecond for the ball). It is unpickled by an
unpickler that accepts only what a snapshot is made of (``rnnviz.training.snapshot``, the
configuration's dataclasses and enums from rnnviz's own core, tasks and training, NumPy's
arrays, scalars and dtypes) and refuses any other class or function before calling it.
``decode`` raises ``ProtocolError`` for anything that is not a declared message with valid
fields; the receiving side logs it once and drops it.

Run ids: each command that may start a new run carries a fresh id (see ``rnnviz.training.loop``).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # both import NumPy: the protocol imports them only when it needs them
    from rnnviz.training.config import TrainConfig
    from rnnviz.training.snapshot import Snapshot

__all__ = [
    "COMMANDS",
    "DIVERGED",
    "ERROR",
    "EVENTS",
    "IDLE",
    "MAX_SLOW_MOTION",
    "PAUSED",
    "STATES",
    "STOPPED",
    "TRAINING",
    "Ack",
    "Command",
    "ConfigChanged",
    "Event",
    "Failed",
    "ImportWeights",
    "Imported",
    "Message",
    "Open",
    "Opened",
    "Pause",
    "Play",
    "ProtocolError",
    "Recover",
    "Reporter",
    "Reseed",
    "Reset",
    "Rewind",
    "RunReset",
    "Save",
    "Saved",
    "SetLive",
    "SetSlowMotion",
    "SnapshotMade",
    "StateChanged",
    "Step",
    "Stop",
    "check_slow_motion",
    "decode",
    "encode",
    "is_snapshot",
]

# A run's states: the loop's, and the window's own "stopped" (no training thread left).
TRAINING = "training"
PAUSED = "paused"
DIVERGED = "diverged"
ERROR = "error"
IDLE = "idle"
STOPPED = "stopped"
STATES = frozenset({TRAINING, PAUSED, DIVERGED, ERROR, IDLE, STOPPED})

#: Longest slow-motion pause between updates, in seconds.
MAX_SLOW_MOTION = 60.0


class ProtocolError(ValueError):
    """A message that is not a declared command or event, or a field of one that is not valid."""


# ---------------------------------------------------------------------------- field checks


def _whole(name: str, value: Any, low: int = 0, high: int = 2**63 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProtocolError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"{name} must be text, got {value!r}")
    return value


def _path(name: str, value: Any) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise ProtocolError(f"{name} must be a file name, got {value!r}")
    return value


_PLAIN = (str, int, float, bool, type(None))


def _plain_mapping(name: str, value: Any, *, nested: bool = False) -> dict[str, Any]:
    """A copy of ``value``: text keys, values that JSON carries as they are (lists of them too
    if ``nested``)."""
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{name} must be a mapping, got {value!r}")
    copy = {}
    for key, item in value.items():
        if isinstance(item, os.PathLike):
            item = os.fspath(item)
        if nested and isinstance(item, list | tuple):
            item = list(item)
            bad = [x for x in item if not isinstance(x, _PLAIN)]
        else:
            bad = [] if isinstance(item, _PLAIN) else [item]
        if not isinstance(key, str) or bad:
            raise ProtocolError(f"{name} must map names to text or numbers, got {key!r}: {item!r}")
        copy[key] = item
    return copy


def _config(name: str, value: Any) -> TrainConfig:
    from rnnviz.training.config import TrainConfig

    if not isinstance(value, TrainConfig):
        raise ProtocolError(f"{name} must be a TrainConfig, got {type(value).__name__}")
    return value


def check_slow_motion(seconds: float | None) -> float | None:
    """The pause between updates: None (or 0) for full speed, else 0 < seconds ≤ 60."""
    if seconds is None or seconds == 0:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"slow motion takes seconds or None, got {seconds!r}")
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_SLOW_MOTION:
        raise ValueError(
            f"slow motion must be between 0 and {MAX_SLOW_MOTION:g} seconds, got {seconds!r}"
        )
    return float(seconds)


def _set(message: Message, name: str, value: Any) -> None:
    object.__setattr__(message, name, value)  # a frozen dataclass's checked (or copied) field


# ---------------------------------------------------------------------------- messages


class Message:
    """A command or an event; ``kind`` names it (on the wire, and the loop's ``_do_<kind>``)."""

    kind: ClassVar[str]

    def to_plain(self) -> dict[str, Any]:
        """The fields as JSON carries them."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Message:
        """The message from ``to_plain``'s fields (checked as any new one is)."""
        return cls(**data)


#: Every command and every event, by kind.
COMMANDS: dict[str, type[Command]] = {}
EVENTS: dict[str, type[Event]] = {}


class Command(Message):
    """What the window asks of the training loop."""

    def __init_subclass__(cls, kind: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = kind
        COMMANDS[kind] = cls


class Event(Message):
    """What the training loop reports."""

    def __init_subclass__(cls, kind: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = kind
        EVENTS[kind] = cls


# ---------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Play(Command, kind="play"):
    """Train flat out (or at the slow-motion pace)."""


@dataclass(frozen=True)
class Pause(Command, kind="pause"):
    """Stop after the current update; a snapshot shows where it stopped."""


@dataclass(frozen=True)
class Step(Command, kind="step"):
    """Pause, then make exactly one update and one snapshot."""


@dataclass(frozen=True)
class SetLive(Command, kind="set_live"):
    """Apply dotted settings; if they change the model or the data, start a new run. After a
    divergence, a lower learning rate starts the run again from its initial weights."""

    settings: dict[str, Any]
    run_id: int

    def __post_init__(self) -> None:
        _set(self, "settings", _plain_mapping("settings", self.settings))
        _whole("run_id", self.run_id)


@dataclass(frozen=True)
class Reset(Command, kind="reset"):
    """Start a new run of ``config``; ``reason`` is what its RunReset says."""

    config: TrainConfig
    run_id: int
    reason: str = "reset"

    def __post_init__(self) -> None:
        _config("config", self.config)
        _whole("run_id", self.run_id)
        _text("reason", self.reason)

    def to_plain(self) -> dict[str, Any]:
        from rnnviz.training.config import config_to_dict

        return {**super().to_plain(), "config": config_to_dict(self.config)}

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Reset:
        from rnnviz.training.config import config_from_dict

        return cls(**{**data, "config": config_from_dict(data.get("config"))})


@dataclass(frozen=True)
class Rewind(Command, kind="rewind"):
    """Start the identical run again (same seed, same initial weights)."""

    run_id: int

    def __post_init__(self) -> None:
        _whole("run_id", self.run_id)


@dataclass(frozen=True)
class Reseed(Command, kind="reseed"):
    """Start a new run from ``seed`` (None: the current seed + 1)."""

    seed: int | None
    run_id: int

    def __post_init__(self) -> None:
        if self.seed is not None:
            _whole("the seed", self.seed, 0, 2**32 - 1)
        _whole("run_id", self.run_id)


@dataclass(frozen=True)
class Recover(Command, kind="recover"):
    """After a divergence: the run again from its initial weights with a ``factor`` times
    smaller learning rate, and play (the diverged weights cannot be trained on)."""

    factor: float
    run_id: int

    def __post_init__(self) -> None:
        factor = self.factor
        if isinstance(factor, bool) or not isinstance(factor, int | float):
            raise ProtocolError(f"the recovery factor must be a number, got {factor!r}")
        if not math.isfinite(factor) or factor <= 1:
            raise ProtocolError(f"the recovery factor must be more than 1, got {factor!r}")
        _set(self, "factor", float(factor))
        _whole("run_id", self.run_id)


@dataclass(frozen=True)
class SetSlowMotion(Command, kind="set_slow_motion"):
    """Pause ``seconds`` between updates while playing; None for full speed. A bad value
    raises ValueError or TypeError (as ``check_slow_motion``)."""

    seconds: float | None

    def __post_init__(self) -> None:
        _set(self, "seconds", check_slow_motion(self.seconds))


@dataclass(frozen=True)
class Save(Command, kind="save"):
    """Write the session to ``path``."""

    path: str

    def __post_init__(self) -> None:
        _set(self, "path", _path("path", self.path))


@dataclass(frozen=True)
class Open(Command, kind="open"):
    """Make the session in ``path`` the run (paused); on error keep the current run."""

    path: str
    run_id: int

    def __post_init__(self) -> None:
        _set(self, "path", _path("path", self.path))
        _whole("run_id", self.run_id)


@dataclass(frozen=True)
class ImportWeights(Command, kind="import_weights"):
    """Load PyTorch weights (``.npz``) into the current model, and pause."""

    path: str

    def __post_init__(self) -> None:
        _set(self, "path", _path("path", self.path))


@dataclass(frozen=True)
class Stop(Command, kind="stop"):
    """End the loop after the current update (it takes effect at once, ahead of the queue)."""


@dataclass(frozen=True)
class Ack(Command, kind="ack"):
    """A training process's own: its last snapshot arrived, the next may be made and sent."""


# ---------------------------------------------------------------------------- events


@dataclass(frozen=True)
class SnapshotMade(Event, kind="snapshot"):
    """A new snapshot (a frozen copy: safe to hand to another thread)."""

    snapshot: Snapshot

    def __post_init__(self) -> None:
        from rnnviz.training.snapshot import Snapshot

        if not isinstance(self.snapshot, Snapshot):
            raise ProtocolError(
                f"a snapshot must be a Snapshot, got {type(self.snapshot).__name__}"
            )


@dataclass(frozen=True)
class StateChanged(Event, kind="state"):
    """The run's state changed: training, paused, diverged, error, idle (or stopped)."""

    state: str

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ProtocolError(
                f"state must be one of {', '.join(sorted(STATES))}, got {self.state!r}"
            )


@dataclass(frozen=True)
class Failed(Event, kind="failure"):
    """Something failed; ``message`` is for the user and says what to do."""

    message: str

    def __post_init__(self) -> None:
        _text("message", self.message)


@dataclass(frozen=True)
class RunReset(Event, kind="run_reset"):
    """A new run began (start, reset, rewind, reseed, open, or a shape-changing setting)."""

    reason: str

    def __post_init__(self) -> None:
        _text("reason", self.reason)


@dataclass(frozen=True)
class ConfigChanged(Event, kind="config"):
    """The running configuration is now ``config``."""

    config: TrainConfig

    def __post_init__(self) -> None:
        _config("config", self.config)

    def to_plain(self) -> dict[str, Any]:
        from rnnviz.training.config import config_to_dict

        return {"config": config_to_dict(self.config)}

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> ConfigChanged:
        from rnnviz.training.config import config_from_dict

        return cls(**{**data, "config": config_from_dict(data.get("config"))})


@dataclass(frozen=True)
class Saved(Event, kind="saved"):
    """The session was written to ``path``; it holds the run at ``iteration`` (the window asks
    before discarding a run only when it has trained since it was saved)."""

    path: str
    iteration: int

    def __post_init__(self) -> None:
        _path("path", self.path)
        _whole("iteration", self.iteration)


@dataclass(frozen=True)
class Opened(Event, kind="opened"):
    """The session in ``path``, at ``iteration``, is now the run."""

    path: str
    iteration: int

    def __post_init__(self) -> None:
        _path("path", self.path)
        _whole("iteration", self.iteration)


@dataclass(frozen=True)
class Imported(Event, kind="imported"):
    """Weights were imported: ``{"recurrent": [names], "readout": bool, "ignored": [names],
    "path": the file they came from}``."""

    report: dict[str, Any]

    def __post_init__(self) -> None:
        _set(self, "report", _plain_mapping("report", self.report, nested=True))


class Reporter:
    """Where a loop's events go: called with each event, on the loop's thread. Any callable
    that takes an event will do; this one ignores them all."""

    def __call__(self, event: Event) -> None:
        pass


# ---------------------------------------------------------------------------- the wire

_JSON, _PICKLE = b"J", b"P"


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
