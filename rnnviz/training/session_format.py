"""The session file's format and its checks, from the bytes up to a ``TrainerState``.

``meta`` is a small JSON description (format, version, configuration, iteration, random state,
divergence fields, the count of carried states); every other member is a plain array named by
its prefix (``param.``, ``optim.``, ``hist.``, ``carry.``, ``task.``). ``read_meta`` and
``check_meta`` check the description, ``check_layout`` every array's name, shape and dtype
against the configuration from the headers alone, before any data is read; ``state_of``
makes the ``TrainerState`` whose values ``check_state_values`` then checks.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from rnnviz.core import GRU, LSTM, RNN
from rnnviz.files import NotARegularFileError, stat_regular_file
from rnnviz.training.archive import ArchiveError, Member, NpzArchive
from rnnviz.training.config import TrainConfig, config_from_dict, config_to_dict
from rnnviz.training.session_errors import SessionError
from rnnviz.training.session_errors import label as _label
from rnnviz.training.trainer import make_optimizer
from rnnviz.training.trainer_state import (
    HISTORIES,
    MAX_TASK_STATE_BYTES,
    TrainerState,
    check_iteration,
    check_note,
    check_positive_or_inf,
    check_rng_state,
    is_whole,
)

__all__ = [
    "FORMAT",
    "MAX_ARRAY_BYTES",
    "MAX_SESSION_BYTES",
    "VERSION",
    "check_layout",
    "check_meta",
    "group",
    "members_of",
    "meta_of",
    "open_archive",
    "read_meta",
    "state_of",
]

FORMAT = "rnnviz-session"
VERSION = 1

#: Most bytes one array in a session or weights file may take. A run may need at most 2 GiB
#: (``rnnviz.training.budget``), and that counts every array a session holds plus a snapshot's
#: copy of the histories, so the largest one, the per-step gradient-norm history (``history``
#: rows of L·D·T float32), can reach 1 GiB; the largest weight stays under 256 MB.
MAX_ARRAY_BYTES = 1 << 30
#: Most bytes all arrays of one file may take together: the same 2 GiB a run may need, which
#: holds the weights, the optimiser's buffers and the histories with room to spare.
MAX_SESSION_BYTES = 2 << 30
#: Most bytes of the JSON description (UCS-4 text, so a quarter as many characters).
MAX_META_BYTES = 1 << 20
#: Deepest nesting of the JSON description (a real one nests 3 deep).
MAX_JSON_DEPTH = 16
#: Most digits of a whole number in the JSON (the random state's 128-bit numbers have 39).
MAX_JSON_DIGITS = 40
#: Most metric columns a metric history may have.
MAX_METRICS = 64

_GATES = {"rnn_tanh": RNN.gate_count, "rnn_relu": RNN.gate_count}
_GATES |= {"lstm": LSTM.gate_count, "gru": GRU.gate_count}
_META_KEYS = {
    "format",
    "version",
    "config",
    "iteration",
    "rng",
    "diverged",
    "lr_at_divergence",
    "loss_limit",
    "carry_parts",
}
_PREFIXES = ("param.", "optim.", "hist.", "carry.", "task.")


def open_archive(
    path: Path,
    what: str,
    max_member_bytes: int = MAX_ARRAY_BYTES,
    max_total_bytes: int = MAX_SESSION_BYTES,
) -> NpzArchive:
    """The checked archive at ``path``; SessionError naming the file if it cannot be."""
    try:
        stat_regular_file(path)  # before anything opens it
        return NpzArchive(path, max_member_bytes=max_member_bytes, max_total_bytes=max_total_bytes)
    except NotARegularFileError as error:
        raise SessionError(f"{_label(path)} {error}") from None
    except ArchiveError as error:
        raise SessionError(f"{_label(path)} is not a readable {what}: {error}") from None


def group(arrays: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The entries of ``arrays`` whose name starts with ``prefix``, without it."""
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def _json_depth(text: str, limit: int) -> int:
    """How deeply ``text``'s arrays and objects nest (brackets inside strings not counted),
    counted up to ``limit + 1``. One pass over the characters: no recursion, no regex that
    could backtrack."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif char in "]}":
            depth -= 1
    return deepest


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"the session description holds a number of {len(text)} digits")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the session description holds a number too large ({text[:20]}…)")
    return value


def _json_constant(name: str) -> Any:
    raise ValueError(f"the session description holds {name}, which is not a number")


_NOT_UNICODE = "the session description holds text that is not valid Unicode"


def _meta_text(array: np.ndarray, label: str) -> str:
    """The JSON text of the ``meta`` array (0-d, UCS-4), refused if a code point is none
    (above U+10FFFF, which NumPy turns into a SystemError) or a lone surrogate."""
    codes = array.reshape(1).view(array.dtype.byteorder + "u4")  # (characters,)
    if (codes > 0x10FFFF).any() or ((codes >= 0xD800) & (codes <= 0xDFFF)).any():
        raise SessionError(f"{label}: {_NOT_UNICODE}")
    return str(array[()])


def read_meta(archive: NpzArchive, label: str) -> dict[str, Any]:
    member = archive.members.get("meta")
    if member is None or member.dtype.kind != "U" or member.ndim != 0:
        raise SessionError(f"{label} is not an rnnviz session (no session description)")
    if member.nbytes > MAX_META_BYTES:
        raise SessionError(
            f"{label}: the session description is {member.nbytes:,} bytes, more than the "
            f"{MAX_META_BYTES:,} an rnnviz session has"
        )
    text = _meta_text(archive.read("meta"), label)
    if _json_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise SessionError(f"{label}: the session description is nested too deeply")
    try:
        meta = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError:
        raise SessionError(f"{label}: the session description is damaged") from None
    except ValueError as error:
        raise SessionError(f"{label}: {error}") from None
    try:
        # JSON's "\ud800" is a lone surrogate: no text, and it breaks whatever prints it
        json.dumps(meta, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise SessionError(f"{label}: {_NOT_UNICODE} (a lone surrogate)") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SessionError(f"{label} is not an rnnviz session")
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int):  # true == 1 in Python
        raise SessionError(
            f"{label}: the session description's version must be a whole number, got "
            f"{json.dumps(version)[:20]}"
        )
    if version != VERSION:
        raise SessionError(
            f"{label} is a version {str(version)[:20]} session; this rnnviz reads version {VERSION}"
        )
    unknown = sorted(set(meta) - _META_KEYS)
    if unknown:
        raise SessionError(f"{label}: the session description has an unknown field {unknown[0]!r}")
    return meta


def check_meta(meta: dict[str, Any]) -> tuple[TrainConfig, dict[str, Any]]:
    """The configuration and the other fields, validated (ValueError or ConfigError)."""
    config = config_from_dict(meta.get("config"))
    iteration = check_iteration(meta.get("iteration"))
    diverged = check_note(meta.get("diverged", ""))
    carry_parts = meta.get("carry_parts")
    if not is_whole(carry_parts, 0, 2):
        raise ValueError(f"invalid count of carried states {str(carry_parts)[:30]}")
    fields = {"iteration": iteration, "rng": check_rng_state(meta.get("rng")), "diverged": diverged}
    for key, name in (
        ("lr_at_divergence", "learning rate at divergence"),
        ("loss_limit", "loss limit"),
    ):  # JSON holds no inf: None stands for it
        value = meta.get(key)
        fields[key] = float("inf") if value is None else check_positive_or_inf(name, value)
    fields["carry_parts"] = carry_parts
    return config, fields


def _expect(member: Member | None, what: str, shape: tuple[int, ...], dtype: Any) -> None:
    if member is None:
        raise ValueError(f"{what} is missing (expected shape {shape})")
    if member.shape != shape:
        raise ValueError(f"{what} has shape {member.shape}, expected {shape}")
    if member.dtype != np.dtype(dtype):
        raise ValueError(
            f"{what} has dtype {member.dtype}, expected {np.dtype(dtype)} as rnnviz saves it"
        )


def _parameter_shapes(
    config: TrainConfig, input_size: int, output_size: int
) -> dict[str, tuple[int, ...]]:
    """The model's parameter names and shapes for this config, without building it."""
    m = config.model
    G, H, D = _GATES[m.cell.value], m.hidden_size, 2 if m.bidirectional else 1
    shapes: dict[str, tuple[int, ...]] = {}
    for k in range(m.num_layers):
        inputs = input_size if k == 0 else D * H
        for suffix in ("", "_reverse")[:D]:
            shapes[f"rnn.weight_ih_l{k}{suffix}"] = (G * H, inputs)
            shapes[f"rnn.weight_hh_l{k}{suffix}"] = (G * H, H)
            shapes[f"rnn.bias_ih_l{k}{suffix}"] = (G * H,)
            shapes[f"rnn.bias_hh_l{k}{suffix}"] = (G * H,)
    shapes["readout.weight"] = (output_size, D * H)
    shapes["readout.bias"] = (output_size,)
    return shapes


def check_layout(
    members: dict[str, Member], config: TrainConfig, carry_parts: int
) -> dict[str, tuple[int, ...]]:
    """Every array's name, shape and dtype against the config, from the headers alone.

    Returns the parameter shapes. The input and output sizes come from the task (the text
    task's from its vocabulary), so they are taken from the file here and checked against the
    task once it is built.
    """
    unknown = sorted(k for k in members if k != "meta" and not k.startswith(_PREFIXES))
    if unknown:
        raise ValueError(f"unexpected entry {unknown[0][:100]!r}")
    params = group(members, "param.")
    first, readout = params.get("rnn.weight_ih_l0"), params.get("readout.weight")
    if first is None or first.ndim != 2:
        raise ValueError("the weights are missing 'weight_ih_l0'")
    if readout is None or readout.ndim != 2:
        raise ValueError("the weights are missing 'readout.weight'")
    shapes = _parameter_shapes(config, first.shape[1], readout.shape[0])
    for name, shape in shapes.items():
        short = name.removeprefix("rnn.")
        if name not in params:
            raise ValueError(f"the weights are missing {short!r} (expected shape {shape})")
        _expect(params[name], f"the weight {short!r}", shape, np.float32)
    extra = sorted(set(params) - set(shapes))
    if extra:
        raise ValueError(f"unexpected entry 'param.{extra[0][:100]}' for these settings")

    # the optimiser the config names, over one dummy parameter, tells its keys and types
    dummy = make_optimizer(config.optim, {"p": np.zeros(1, np.float32)})
    optim = group(members, "optim.")
    buffers = [buf for buf, _ in dummy._buffers]
    expected = {"step": ((), np.int64)}
    for key, value in dummy.hyperparameters.items():
        expected[key] = ((), np.bool_ if isinstance(value, bool) else np.float64)
    for buf in buffers:
        for name, shape in shapes.items():
            expected[f"{buf}.{name}"] = (shape, np.float32)
    for key, (shape, dtype) in expected.items():
        _expect(optim.get(key), f"the optimiser's {key!r}", shape, dtype)
    extra = sorted(set(optim) - set(expected))
    if extra:
        raise ValueError(
            f"the optimiser state has an unexpected entry {extra[0][:100]!r} for "
            f"{config.optim.kind.value}"
        )

    m = config.model
    LD = m.num_layers * (2 if m.bidirectional else 1)
    hist = group(members, "hist.")
    for h in HISTORIES:
        state = group(hist, f"{h}.")
        title = h.replace("_", " ")
        if set(state) != {"iterations", "values", "stride"}:
            raise ValueError(f"the {title} is missing or incomplete")
        iterations, values = state["iterations"], state["values"]
        if iterations.ndim != 1:
            raise ValueError(f"the {title}'s iterations have shape {iterations.shape}")
        n = iterations.shape[0]
        if n > config.history:
            raise ValueError(f"the {title} has {n} rows; these settings keep {config.history}")
        _expect(iterations, f"the {title}'s iterations", (n,), np.int64)
        _expect(state["stride"], f"the {title}'s stride", (), np.int64)
        row_ok = {
            "loss_history": values.shape[1:] == (),
            "metric_history": values.ndim == 2 and values.shape[1] <= MAX_METRICS,
            "dh_history": values.ndim == 3 and values.shape[1] == LD,
        }[h]
        if values.shape[:1] != (n,) or not row_ok:
            raise ValueError(f"the {title} has shape {values.shape}, which these settings rule out")
        _expect(values, f"the {title}'s values", values.shape, np.float32)
    extra = sorted(k for k in hist if k.split(".", 1)[0] not in HISTORIES)
    if extra:
        raise ValueError(f"unexpected entry 'hist.{extra[0][:100]}'")

    carry = group(members, "carry.")
    if set(carry) != {str(k) for k in range(carry_parts)}:
        raise ValueError("the carried hidden state is incomplete")
    for part in carry.values():
        shape = (LD, config.batch_size, m.hidden_size)
        _expect(part, "the carried hidden state", shape, np.float32)

    for key, member in group(members, "task.").items():
        if member.nbytes > MAX_TASK_STATE_BYTES or member.dtype.kind not in "biuf":
            raise ValueError(f"the task state {key[:100]!r} is not a small array of numbers")
    return shapes


def state_of(arrays: dict[str, np.ndarray], fields: dict[str, Any]) -> TrainerState:
    """The trainer state the checked arrays and description fields of a session hold."""
    carry = group(arrays, "carry.")
    return TrainerState(
        iteration=fields["iteration"],
        params=group(arrays, "param."),
        optimizer=group(arrays, "optim."),
        histories={h: group(arrays, f"hist.{h}.") for h in HISTORIES},
        rng=fields["rng"],
        task=group(arrays, "task."),
        carry=tuple(carry[str(k)] for k in range(fields["carry_parts"])),
        diverged=fields["diverged"],
        lr_at_divergence=fields["lr_at_divergence"],
        loss_limit=fields["loss_limit"],
    )


def meta_of(state: TrainerState, config: TrainConfig) -> dict[str, Any]:
    """The JSON description of a session holding ``state`` of a trainer with ``config``."""
    finite_or_none = lambda value: None if math.isinf(value) else value  # noqa: E731
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": config_to_dict(config),
        "iteration": state.iteration,
        "rng": state.rng,
        "diverged": state.diverged,
        "lr_at_divergence": finite_or_none(state.lr_at_divergence),
        "loss_limit": finite_or_none(state.loss_limit),
        "carry_parts": len(state.carry),
    }


def members_of(state: TrainerState) -> dict[str, np.ndarray]:
    """The arrays of a session holding ``state``, by member name (``meta`` aside)."""
    arrays = {f"param.{k}": v for k, v in state.params.items()}
    arrays |= {f"optim.{k}": np.asarray(v) for k, v in state.optimizer.items()}
    for h, hist in state.histories.items():
        arrays |= {f"hist.{h}.{k}": v for k, v in hist.items()}
    arrays |= {f"carry.{k}": part for k, part in enumerate(state.carry)}
    arrays |= {f"task.{k}": np.asarray(v) for k, v in state.task.items()}
    return arrays
