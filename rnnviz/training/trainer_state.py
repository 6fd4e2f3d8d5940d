"""What a trainer is at one moment, as plain arrays and numbers: ``Trainer.state()`` gives it,
``Trainer.load_state(state)`` puts it back, and a session file holds it.

A state is checked whole before anything changes. ``check_state_values`` needs only the
settings, so a session file is checked with it before a trainer is built; ``check_state_fits``
compares every array with the trainer's own (names, shapes, dtypes). A bad state is a
``TrainerStateError`` of one short line, and the trainer stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnviz.training.config import TrainConfig

__all__ = [
    "HISTORIES",
    "MAX_ITERATION",
    "MAX_TASK_STATE_BYTES",
    "TrainerState",
    "TrainerStateError",
    "check_iteration",
    "check_note",
    "check_positive_or_inf",
    "check_rng_state",
    "check_state_fits",
    "check_state_values",
    "is_whole",
]

#: The trainer's bounded histories, by attribute name.
HISTORIES = ("loss_history", "metric_history", "dh_history")
#: Largest iteration count a state may hold.
MAX_ITERATION = 2**53
#: Most bytes of the task's own state (today two numbers).
MAX_TASK_STATE_BYTES = 1 << 16
#: Longest divergence note a state may hold.
MAX_NOTE = 10_000


class TrainerStateError(ValueError):
    """A trainer state that does not fit the trainer; the message says what, in one line."""


@dataclass(frozen=True)
class TrainerState:
    """Everything a run depends on besides its settings, as plain arrays and numbers (copies).

    Attributes
    ----------
    iteration : int
        Updates made, 0 to ``MAX_ITERATION``.
    params : mapping of str to ndarray
        The model's parameters under their flat names (``rnn.weight_ih_l0``, ``readout.bias``).
    optimizer : mapping of str to ndarray
        The optimiser's ``state_dict()``: ``step``, hyper-parameters, buffers.
    histories : mapping of str to mapping of str to ndarray
        For each of ``HISTORIES``, its ``state()`` (``iterations``, ``values``, ``stride``).
    rng : mapping
        The data stream's PCG64 bit-generator state (whole numbers only).
    task : mapping of str to ndarray
        The task's own ``state()`` (e.g. where each text stream has got to); often empty.
    carry : tuple of ndarray
        The hidden state carried between batches: () if none, (h,) or, for an LSTM, (h, c),
        each (layers·directions, batch, hidden).
    diverged : str
        Why the run holds after a divergence; "" when it does not.
    lr_at_divergence : float
        The learning rate at the divergence (inf when none): a smaller one resumes.
    loss_limit : float
        A loss above this counts as diverged (inf before the first update).
    """

    iteration: int
    params: Mapping[str, np.ndarray]
    optimizer: Mapping[str, np.ndarray]
    histories: Mapping[str, Mapping[str, np.ndarray]]
    rng: Mapping[str, Any]
    task: Mapping[str, np.ndarray]
    carry: tuple[np.ndarray, ...]
    diverged: str
    lr_at_divergence: float
    loss_limit: float


def is_whole(value: Any, low: int, high: int) -> bool:
    """True when ``value`` is a whole number (not a bool) from ``low`` to ``high``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        return False
    return low <= value <= high


def check_iteration(value: Any) -> int:
    """``value`` if it is a whole number from 0 to ``MAX_ITERATION``."""
    if not is_whole(value, 0, MAX_ITERATION):
        raise TrainerStateError(
            f"invalid iteration {str(value)[:30]} (must be a whole number from 0 to "
            f"{MAX_ITERATION})"
        )
    return int(value)


def check_note(value: Any) -> str:
    """``value`` if it is a divergence note: text of at most ``MAX_NOTE`` characters."""
    if not isinstance(value, str) or len(value) > MAX_NOTE:
        raise TrainerStateError("invalid divergence note")
    return value


def check_positive_or_inf(name: str, value: Any) -> float:
    """``value`` as a float if it is a number above 0 (inf stands for "none")."""
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, int | float | np.integer | np.floating)
        or np.isnan(value)
        or value <= 0
    ):
        raise TrainerStateError(
            f"invalid {name} {str(value)[:30]} (must be a finite number above 0)"
        )
    return float(value)


def check_rng_state(state: Any) -> Mapping[str, Any]:
    """The PCG64 state ``Trainer`` uses, every field typed and in range; returns it."""
    problem = TrainerStateError("the random state is missing or of another kind")
    if not isinstance(state, Mapping) or state.get("bit_generator") != "PCG64":
        raise problem
    if set(state) != {"bit_generator", "state", "has_uint32", "uinteger"}:
        raise problem
    inner = state["state"]
    if not isinstance(inner, Mapping) or set(inner) != {"state", "inc"}:
        raise problem
    if not (is_whole(inner["state"], 0, 2**128 - 1) and is_whole(inner["inc"], 0, 2**128 - 1)):
        raise TrainerStateError("the random state holds numbers out of range")
    if inner["inc"] % 2 == 0:
        raise TrainerStateError("the random state is invalid (an even increment)")
    if not (is_whole(state["has_uint32"], 0, 1) and is_whole(state["uinteger"], 0, 2**32 - 1)):
        raise TrainerStateError("the random state holds numbers out of range")
    return state


def _arrays(what: str, value: Any) -> Mapping[str, np.ndarray]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, np.ndarray) for k, v in value.items()
    ):
        raise TrainerStateError(f"{what} must map names to NumPy arrays")
    return value


def check_state_values(state: TrainerState, config: TrainConfig) -> None:
    """The numbers of ``state`` on their own and against ``config``: the iteration and the
    divergence fields in range, the random state, weights and carried state finite, the
    optimiser's step within the iteration and its hyper-parameters those of ``config``, the
    histories' iterations increasing from 1 to the iteration and the losses finite.

    Needs no trainer (a session file is checked with it before one is built); the arrays'
    names and shapes are ``check_state_fits``'s. Raises ``TrainerStateError``.
    """
    if not isinstance(state, TrainerState):
        raise TrainerStateError(f"a trainer state must be a TrainerState, got {type(state)}")
    iteration = check_iteration(state.iteration)
    check_note(state.diverged)
    check_positive_or_inf("learning rate at divergence", state.lr_at_divergence)
    check_positive_or_inf("loss limit", state.loss_limit)
    check_rng_state(state.rng)
    for name, value in _arrays("the weights", state.params).items():
        short = name.removeprefix("rnn.")
        if value.dtype.kind != "f":
            raise TrainerStateError(
                f"the weight {short!r} must be floating point, not {value.dtype}"
            )
        if not np.isfinite(value).all():
            raise TrainerStateError(f"the weight {short!r} holds NaN or infinite values")
    optim = _arrays("the optimiser state", state.optimizer)
    for key in ("step", "lr"):
        if key not in optim or optim[key].shape != ():
            raise TrainerStateError(f"the optimiser state has no number {key!r}")
    step = optim["step"]
    if step.dtype.kind not in "iu" or not 0 <= int(step) <= iteration:
        raise TrainerStateError(
            f"the optimiser's step count {step} is not between 0 and the iteration {iteration}"
        )
    if float(optim["lr"]) != config.optim.lr:
        raise TrainerStateError(
            f"the optimiser's learning rate {float(optim['lr']):g} is not the one in the "
            f"settings ({config.optim.lr:g})"
        )
    if "momentum" in optim and float(optim["momentum"]) != config.optim.momentum:
        raise TrainerStateError(
            f"the optimiser's momentum {float(optim['momentum']):g} is not the one in the "
            f"settings ({config.optim.momentum:g})"
        )
    if not isinstance(state.histories, Mapping) or set(state.histories) != set(HISTORIES):
        raise TrainerStateError(f"a trainer state holds the histories {', '.join(HISTORIES)}")
    for h in HISTORIES:
        title = h.replace("_", " ")
        hist = _arrays(f"the {title}", state.histories[h])
        if set(hist) != {"iterations", "values", "stride"}:
            raise TrainerStateError(f"the {title} is missing or incomplete")
        iterations = hist["iterations"]
        if iterations.ndim != 1 or iterations.dtype.kind not in "iu":
            raise TrainerStateError(f"the {title}'s iterations have shape {iterations.shape}")
        if iterations.size and (
            iterations[0] < 1 or iterations[-1] > iteration or (np.diff(iterations) <= 0).any()
        ):
            raise TrainerStateError(
                f"the {title}'s iterations are not increasing from 1 to {iteration}"
            )
        if h == "loss_history" and not np.isfinite(hist["values"]).all():
            raise TrainerStateError("the loss history holds NaN or infinite values")
    for key, value in _arrays("the task state", state.task).items():
        if value.nbytes > MAX_TASK_STATE_BYTES or value.dtype.kind not in "biuf":
            raise TrainerStateError(f"the task state {key[:100]!r} is not a small array of numbers")
    if not isinstance(state.carry, tuple) or len(state.carry) > 2:
        raise TrainerStateError("the carried hidden state must be a tuple of at most 2 arrays")
    for part in state.carry:
        if not isinstance(part, np.ndarray) or part.dtype.kind != "f":
            raise TrainerStateError("the carried hidden state must be floating point arrays")
        if not np.isfinite(part).all():
            raise TrainerStateError("the carried hidden state holds NaN or infinite values")


def _same_arrays(what: str, given: Mapping[str, np.ndarray], own: Mapping[str, Any]) -> None:
    """``given`` has exactly ``own``'s names, each with its shape and kind of dtype."""
    missing = [k for k in own if k not in given]
    if missing:
        raise TrainerStateError(f"{what}: {missing[0][:100]!r} is missing")
    extra = sorted(set(given) - set(own))
    if extra:
        raise TrainerStateError(f"{what}: unexpected entry {extra[0][:100]!r}")
    for key, mine in own.items():
        value, mine = given[key], np.asarray(mine)
        if value.shape != mine.shape:
            raise TrainerStateError(
                f"{what}: {key[:100]!r} has shape {value.shape}, expected {mine.shape}"
            )
        if value.dtype.kind != mine.dtype.kind:
            raise TrainerStateError(
                f"{what}: {key[:100]!r} has dtype {value.dtype}, expected {mine.dtype}"
            )


def check_state_fits(trainer: Any, state: TrainerState) -> None:
    """Every array of ``state`` against ``trainer``'s own (a ``Trainer``, which imports this
    module): the same names, shapes and kinds of
    dtype; histories no longer than the trainer keeps; a carried state only for a task that
    carries one, of the cell's parts. Raises ``TrainerStateError``."""
    _same_arrays("the weights", state.params, trainer.model.params)
    _same_arrays("the optimiser state", state.optimizer, trainer.optimizer.state_dict())
    for h in HISTORIES:
        own, given = getattr(trainer, h), state.histories[h]
        title = h.replace("_", " ")
        n = given["iterations"].shape[0]
        if n > own.capacity:
            raise TrainerStateError(f"the {title} has {n} rows; these settings keep {own.capacity}")
        mine = own.state()
        mine["iterations"] = np.zeros(n, mine["iterations"].dtype)
        mine["values"] = np.zeros((n, *mine["values"].shape[1:]), mine["values"].dtype)
        _same_arrays(f"the {title}", given, mine)
    if not state.carry:
        return
    rnn = trainer.model.rnn
    if not trainer.task.carries_state:
        raise TrainerStateError(
            f"the {trainer.task.name} task carries no hidden state, the saved state does"
        )
    if (len(state.carry) == 2) != (rnn.cell == "lstm"):
        raise TrainerStateError("the carried hidden state does not match the cell")
    cfg = trainer.config
    shape = (rnn.num_layers * rnn.num_directions, cfg.batch_size, cfg.model.hidden_size)
    for part in state.carry:
        if part.shape != shape:
            raise TrainerStateError(
                f"the carried hidden state has shape {part.shape}, expected {shape}"
            )
