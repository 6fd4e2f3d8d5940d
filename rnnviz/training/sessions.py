"""Session files (``.rnnviz``) and PyTorch weight import. Nothing is ever unpickled.

A session is an ``.npz`` archive of plain arrays plus one JSON string:

    meta              JSON: format, version, configuration, iteration, random state, flags
    param.<name>      model parameters (``rnn.weight_ih_l0``, ``readout.weight``, …)
    optim.<key>       optimiser state (buffers, step count, hyper-parameters)
    hist.<h>.<key>    the bounded histories (loss, metrics, gradient norms)
    carry.<k>         the hidden state carried between batches (truncated BPTT), if any
    task.<key>        the task's own state (e.g. where each text stream has got to), if any

It holds everything a run depends on, so ``load_session(path)`` followed by training gives
exactly the run that never stopped. It is read with ``allow_pickle=False``, every key is
checked, and a damaged or tampered file raises ``SessionError`` and loads nothing. Files are
written to a temporary name and renamed, so a crash never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from rnnviz.training.config import ConfigError, config_from_dict, config_to_dict
from rnnviz.training.trainer import Trainer

__all__ = ["SessionError", "import_torch_state_dict", "load_session", "save_session"]

FORMAT = "rnnviz-session"
VERSION = 1
_HISTORIES = ("loss_history", "metric_history", "dh_history")


class SessionError(ValueError):
    """A session or weights file cannot be used; the message says why."""


def _atomic_savez(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_session(trainer: Trainer, path: str | os.PathLike) -> Path:
    """Write ``trainer``'s whole state to ``path`` (conventionally ``*.rnnviz``)."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    for name, value in trainer.model.params.items():
        arrays[f"param.{name}"] = value
    for key, value in trainer.optimizer.state_dict().items():
        arrays[f"optim.{key}"] = np.asarray(value)
    for hist in _HISTORIES:
        for key, value in getattr(trainer, hist).state().items():
            arrays[f"hist.{hist}.{key}"] = value
    carry = trainer.h_carry
    if carry is not None:
        parts = carry if isinstance(carry, tuple) else (carry,)
        for k, part in enumerate(parts):
            arrays[f"carry.{k}"] = part
    for key, value in trainer.task.state().items():
        arrays[f"task.{key}"] = np.asarray(value)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "config": config_to_dict(trainer.config),
        "iteration": trainer.iteration,
        "rng": trainer.rng.bit_generator.state,
        "diverged": trainer.diverged,
        "lr_at_divergence": None
        if np.isinf(trainer._lr_at_divergence)
        else trainer._lr_at_divergence,
        "loss_limit": None if np.isinf(trainer._loss_limit) else trainer._loss_limit,
        "carry_parts": 0 if carry is None else (2 if isinstance(carry, tuple) else 1),
    }
    arrays["meta"] = np.array(json.dumps(meta))
    _atomic_savez(path, arrays)
    return path


def _read_npz(path: Path, what: str) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise SessionError(f"{path} does not exist or is not a file")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
        raise SessionError(
            f"{path.name} is not a readable {what} (damaged, truncated or another kind of "
            f"file): {error}"
        ) from None


def _group(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def load_session(path: str | os.PathLike, run_id: int = 0) -> Trainer:
    """Rebuild the trainer saved in ``path``; raises SessionError and loads nothing on error."""
    path = Path(path)
    arrays = _read_npz(path, "rnnviz session")
    if "meta" not in arrays or arrays["meta"].dtype.kind != "U" or arrays["meta"].ndim != 0:
        raise SessionError(f"{path.name} is not an rnnviz session (no session description)")
    try:
        meta = json.loads(str(arrays["meta"]))
    except json.JSONDecodeError:
        raise SessionError(f"{path.name}: the session description is damaged") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SessionError(f"{path.name} is not an rnnviz session")
    if meta.get("version") != VERSION:
        raise SessionError(
            f"{path.name} is a version {meta.get('version')!r} session; "
            f"this rnnviz reads version {VERSION}"
        )
    known = {"meta"}
    for prefix in ("param.", "optim.", "hist.", "carry.", "task."):
        known |= {k for k in arrays if k.startswith(prefix)}
    unknown = sorted(set(arrays) - known)
    if unknown:
        raise SessionError(f"{path.name} has an unexpected entry {unknown[0]!r}")
    try:
        config = config_from_dict(meta.get("config"))
        trainer = Trainer(config, run_id=run_id)
        trainer.model.load_state_dict(_group(arrays, "param."))
        trainer.optimizer.load_state_dict(_group(arrays, "optim."))
        for hist in _HISTORIES:
            state = _group(arrays, f"hist.{hist}.")
            if set(state) != {"iterations", "values", "stride"}:
                raise ValueError(f"the {hist.replace('_', ' ')} is missing or incomplete")
            getattr(trainer, hist).load_state(state)
        trainer.task.load_state(_group(arrays, "task."))
        iteration = meta.get("iteration")
        if isinstance(iteration, bool) or not isinstance(iteration, int) or iteration < 0:
            raise ValueError(f"invalid iteration {iteration!r}")
        trainer.iteration = iteration
        _restore_rng(trainer, meta.get("rng"))
        _restore_carry(trainer, arrays, meta.get("carry_parts"))
        diverged = meta.get("diverged", "")
        if not isinstance(diverged, str):
            raise ValueError("invalid divergence note")
        trainer.diverged = diverged
        lr_div = meta.get("lr_at_divergence")
        trainer._lr_at_divergence = float("inf") if lr_div is None else float(lr_div)
        limit = meta.get("loss_limit")
        trainer._loss_limit = float("inf") if limit is None else float(limit)
    except SessionError:
        raise
    except (ConfigError, ValueError, TypeError, KeyError) as error:
        raise SessionError(f"{path.name} cannot be opened: {error}") from None
    return trainer


def _restore_rng(trainer: Trainer, state: Any) -> None:
    bit_generator = trainer.rng.bit_generator
    if not isinstance(state, dict) or state.get("bit_generator") != type(bit_generator).__name__:
        raise ValueError("the random state is missing or of another kind")
    bit_generator.state = state


def _restore_carry(trainer: Trainer, arrays: dict[str, np.ndarray], parts: Any) -> None:
    carry = _group(arrays, "carry.")
    if parts == 0 and not carry:
        trainer.h_carry = None
        return
    if parts not in (1, 2) or set(carry) != {str(k) for k in range(parts)}:
        raise ValueError("the carried hidden state is incomplete")
    rnn = trainer.model.rnn
    shape = (rnn.num_layers * rnn.num_directions, trainer.config.batch_size, rnn.hidden_size)
    values = []
    for k in range(parts):
        a = carry[str(k)]
        if a.shape != shape or a.dtype.kind != "f" or not np.all(np.isfinite(a)):
            raise ValueError(f"the carried hidden state has shape {a.shape}, expected {shape}")
        values.append(a.astype(rnn.dtype))
    if (parts == 2) != (rnn.cell == "lstm"):
        raise ValueError("the carried hidden state does not match the cell")
    trainer.h_carry = tuple(values) if parts == 2 else values[0]


_RECURRENT_KEY = re.compile(r"^(?P<prefix>.*?)(?P<name>(weight|bias)_(ih|hh)_l\d+(_reverse)?)$")


def import_torch_state_dict(trainer: Trainer, path: str | os.PathLike) -> dict[str, Any]:
    """Load weights trained in PyTorch, saved as ``.npz`` under PyTorch's parameter names.

    The recurrent weights may carry any module prefix (``lstm.weight_ih_l0``); a readout
    saved as ``<prefix>weight`` (O, D·H) and ``<prefix>bias`` (O,) is loaded too when its
    shapes fit this model. Everything is checked first; on error nothing is loaded.

    Returns
    -------
    dict
        ``{"recurrent": [...names...], "readout": bool, "ignored": [...names...]}``
    """
    path = Path(path)
    arrays = _read_npz(path, "weights file (.npz)")
    recurrent: dict[str, np.ndarray] = {}
    prefixes = set()
    others = {}
    for key, value in arrays.items():
        match = _RECURRENT_KEY.match(key)
        if match:
            recurrent[match["name"]] = value
            prefixes.add(match["prefix"])
        else:
            others[key] = value
    if not recurrent:
        raise SessionError(
            f"{path.name} holds no recurrent weights under PyTorch's names "
            "(weight_ih_l0, weight_hh_l0, …)"
        )
    if len(prefixes) > 1:
        raise SessionError(
            f"{path.name} holds more than one recurrent module ({', '.join(sorted(prefixes))})"
        )
    model = trainer.model
    O, DH = model.readout.out_features, model.readout.in_features
    readout = None
    for key in others:
        if key.endswith("weight") and others[key].shape == (O, DH):
            bias_key = key[: -len("weight")] + "bias"
            if bias_key in others and others[bias_key].shape == (O,):
                readout = {"weight": others[key], "bias": others[bias_key]}
                break
    try:
        if readout is not None:  # check the readout first: the layer's load checks itself
            model.readout.__class__(DH, O, dtype=model.dtype).load_state_dict(readout)
        model.rnn.load_state_dict(recurrent)  # checks every key and shape, then loads
    except ValueError as error:
        raise SessionError(
            f"{path.name} does not fit this {model.rnn.describe()}: {error}"
        ) from None
    if readout is not None:
        model.readout.load_state_dict(readout)
    used = set(recurrent) | ({"weight", "bias"} if readout else set())
    return {
        "recurrent": sorted(recurrent),
        "readout": readout is not None,
        "ignored": sorted(k for k in others if readout is None or k.rsplit(".", 1)[-1] not in used),
    }
