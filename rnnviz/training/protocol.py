"""The window ↔ training protocol: every command and every event, declared once. No NumPy, no Qt.

A *command* is what the window asks of a training loop; an *event* is what the loop reports.
Each is a frozen dataclass declared here with its fields and their checks: building one with a
field of the wrong kind raises ``ProtocolError`` (a ``ValueError``) saying which. Both ways of
training use them as they are: a ``TrainingLoop`` in a thread of the window's process takes the
command objects on its queue and hands the event objects to its reporter, and a training process
(``rnnviz.training.remote``) receives and sends the same objects over its socket.

Commands: ``Play``, ``Pause``, ``Step``, ``SetLive``, ``Reset``, ``Rewind``, ``Reseed``,
``Recover``, ``SetSlowMotion``, ``Save``, ``Open``, ``ImportWeights``, ``Stop``, and a training
process's own ``Ack`` (the last snapshot arrived). Events: ``SnapshotMade``, ``StateChanged``,
``Failed`` (for the user: it says what to do), ``RunReset``, ``ConfigChanged``, ``Saved``,
``Opened``, ``Imported``. Each class says what it asks for or reports.

On a training process's socket the same messages cross as ``rnnviz.training.wire`` writes
them: JSON, and a snapshot as the one pickle; ``wire.decode`` refuses (``ProtocolError``)
anything that is not a declared message with valid fields.

Run ids: each command that may start a new run carries a fresh id (see ``rnnviz.training.loop``).
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, dataclass_transform

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
# Each takes the field's name and value and returns the value to keep (a copy where it is a
# mapping, a path as text); a field's name says what it holds in every message (``_FIELDS``).


def _whole(name: str, value: Any, low: int = 0, high: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
        raise ProtocolError(f"{name} must be a whole number {bounds}, got {value!r}")
    return value


def _seed(name: str, value: Any) -> int | None:
    return None if value is None else _whole(f"the {name}", value, 0, 2**32 - 1)


def _factor(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"the recovery {name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 1:
        raise ProtocolError(f"the recovery {name} must be more than 1, got {value!r}")
    return float(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"{name} must be text, got {value!r}")
    return value


def _state(name: str, value: Any) -> str:
    if value not in STATES:
        raise ProtocolError(f"{name} must be one of {', '.join(sorted(STATES))}, got {value!r}")
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


def _instance(module: str, cls: str) -> Callable[[str, Any], Any]:
    """A check that the value is a ``module.cls`` (imported when first checked: it needs NumPy)."""

    def check(name: str, value: Any) -> Any:
        expected = getattr(importlib.import_module(module), cls)
        if not isinstance(value, expected):
            raise ProtocolError(f"{name} must be a {cls}, got {type(value).__name__}")
        return value

    return check


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


#: The check of every field, by its name (a ValueError or TypeError says what is wrong).
_FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "run_id": _whole,
    "iteration": _whole,
    "seed": _seed,
    "factor": _factor,
    "seconds": lambda _, value: check_slow_motion(value),
    "reason": _text,
    "message": _text,
    "state": _state,
    "path": _path,
    "settings": _plain_mapping,
    "report": lambda name, value: _plain_mapping(name, value, nested=True),
    "config": _instance("rnnviz.training.config", "TrainConfig"),
    "snapshot": _instance("rnnviz.training.snapshot", "Snapshot"),
}


# ---------------------------------------------------------------------------- messages


#: Every command and every event, by kind.
COMMANDS: dict[str, type[Command]] = {}
EVENTS: dict[str, type[Event]] = {}


@dataclass_transform(frozen_default=True)
class Message:
    """A command or an event; ``kind`` names it (on the wire, and the loop's ``_do_<kind>``).

    A message is declared as ``class Save(Command, kind="save")`` with its fields: declaring it
    lists it in ``COMMANDS`` (or ``EVENTS``) under its kind and makes it a frozen dataclass, so
    that no message can be declared without its fields' checks. Its fields are checked when it
    is made, each as ``_FIELDS`` says for its name.
    """

    kind: ClassVar[str]
    #: Where the messages of this family are listed by kind: ``COMMANDS`` or ``EVENTS``.
    declared: ClassVar[dict[str, type[Message]]]

    def __init_subclass__(cls, kind: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if kind:  # a message; Command and Event, the two families, have no kind
            cls.kind = kind
            cls.declared[kind] = cls
            dataclass(frozen=True)(cls)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            # a frozen dataclass: the checked value (a copy, a path as text) goes in this way
            object.__setattr__(self, f.name, _FIELDS[f.name](f.name, getattr(self, f.name)))

    def to_plain(self) -> dict[str, Any]:
        """The fields as JSON carries them (a configuration as ``config_to_dict`` writes it)."""
        plain = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if "config" in plain:
            from rnnviz.training.config import config_to_dict

            plain["config"] = config_to_dict(plain["config"])
        return plain

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> Message:
        """The message from ``to_plain``'s fields (checked as any new one is)."""
        if "config" in data:
            from rnnviz.training.config import config_from_dict

            data = {**data, "config": config_from_dict(data["config"])}
        return cls(**data)


class Command(Message):
    """What the window asks of the training loop."""

    declared = COMMANDS


class Event(Message):
    """What the training loop reports."""

    declared = EVENTS


# ---------------------------------------------------------------------------- commands


class Play(Command, kind="play"):
    """Train flat out (or at the slow-motion pace)."""


class Pause(Command, kind="pause"):
    """Stop after the current update; a snapshot shows where it stopped."""


class Step(Command, kind="step"):
    """Pause, then make exactly one update and one snapshot."""


class SetLive(Command, kind="set_live"):
    """Apply dotted settings; if they change the model or the data, start a new run. After a
    divergence, a lower learning rate starts the run again from its initial weights."""

    settings: dict[str, Any]
    run_id: int


class Reset(Command, kind="reset"):
    """Start a new run of ``config``; ``reason`` is what its RunReset says."""

    config: TrainConfig
    run_id: int
    reason: str = "reset"


class Rewind(Command, kind="rewind"):
    """Start the identical run again (same seed, same initial weights)."""

    run_id: int


class Reseed(Command, kind="reseed"):
    """Start a new run from ``seed`` (None: the current seed + 1)."""

    seed: int | None
    run_id: int


class Recover(Command, kind="recover"):
    """After a divergence: the run again from its initial weights with a ``factor`` times
    smaller learning rate, and play (the diverged weights cannot be trained on)."""

    factor: float
    run_id: int


class SetSlowMotion(Command, kind="set_slow_motion"):
    """Pause ``seconds`` between updates while playing; None for full speed. A bad value
    raises ValueError or TypeError (as ``check_slow_motion``)."""

    seconds: float | None


class Save(Command, kind="save"):
    """Write the session to ``path``."""

    path: str


class Open(Command, kind="open"):
    """Make the session in ``path`` the run (paused); on error keep the current run."""

    path: str
    run_id: int


class ImportWeights(Command, kind="import_weights"):
    """Load PyTorch weights (``.npz``) into the current model, and pause."""

    path: str


class Stop(Command, kind="stop"):
    """End the loop after the current update (it takes effect at once, ahead of the queue)."""


class Ack(Command, kind="ack"):
    """A training process's own: its last snapshot arrived, the next may be made and sent."""


# ---------------------------------------------------------------------------- events


class SnapshotMade(Event, kind="snapshot"):
    """A new snapshot (a frozen copy: safe to hand to another thread)."""

    snapshot: Snapshot


class StateChanged(Event, kind="state"):
    """The run's state changed: training, paused, diverged, error, idle (or stopped)."""

    state: str


class Failed(Event, kind="failure"):
    """Something failed; ``message`` is for the user and says what to do."""

    message: str


class RunReset(Event, kind="run_reset"):
    """A new run began (start, reset, rewind, reseed, open, or a shape-changing setting)."""

    reason: str


class ConfigChanged(Event, kind="config"):
    """The running configuration is now ``config``."""

    config: TrainConfig


class Saved(Event, kind="saved"):
    """The session was written to ``path``; it holds the run at ``iteration`` (the window asks
    before discarding a run only when it has trained since it was saved)."""

    path: str
    iteration: int


class Opened(Event, kind="opened"):
    """The session in ``path``, at ``iteration``, is now the run."""

    path: str
    iteration: int


class Imported(Event, kind="imported"):
    """Weights were imported: ``{"recurrent": [names], "readout": bool, "ignored": [names],
    "path": the file they came from}``."""

    report: dict[str, Any]
