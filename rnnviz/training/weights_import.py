"""Weights trained in PyTorch, from an ``.npz`` of plain arrays under PyTorch's names.

The file is read as safely as a session (``rnnviz.training.sessions``): names and shapes are
checked from the headers before any data is read, values before anything is loaded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from rnnviz.training.archive import Member, NpzArchive
from rnnviz.training.session_errors import SessionError, reason
from rnnviz.training.session_errors import label as _label
from rnnviz.training.session_format import open_archive
from rnnviz.training.trainer import Trainer

__all__ = ["import_torch_state_dict"]

_RECURRENT_KEY = re.compile(r"^(?P<prefix>.*?)(?P<name>(weight|bias)_(ih|hh)_l\d+(_reverse)?)$")


def import_torch_state_dict(trainer: Trainer, path: str | os.PathLike) -> dict[str, Any]:
    """Load weights trained in PyTorch, saved as ``.npz`` under PyTorch's parameter names.

    The recurrent weights may carry any module prefix (``lstm.weight_ih_l0``); a readout
    saved as ``<prefix>weight`` (O, D·H) and ``<prefix>bias`` (O,) is loaded too when its
    shapes fit this model. The file is read as safely as a session (``rnnviz.training.sessions``);
    names and shapes are checked from the headers before any data is read, values before
    anything is loaded. On error nothing is loaded.

    Returns
    -------
    dict
        ``{"recurrent": [...names...], "readout": bool, "ignored": [...names...]}``

    Raises
    ------
    SessionError
        Naming the file and what is wrong with it.
    """
    path = Path(path)
    try:
        with open_archive(path, "weights file (.npz)") as archive:
            return _import(trainer, archive, _label(path))
    except SessionError:
        raise
    except Exception as error:  # hostile bytes can make NumPy or zipfile raise anything
        raise SessionError(f"{_label(path)} cannot be imported: {reason(error)}") from None


def _import(trainer: Trainer, archive: NpzArchive, label: str) -> dict[str, Any]:
    members = archive.members
    recurrent: dict[str, str] = {}  # PyTorch name → member key
    prefixes = set()
    others: dict[str, Member] = {}
    for key, member in members.items():
        match = _RECURRENT_KEY.match(key)
        if match:
            recurrent[match["name"]] = key
            prefixes.add(match["prefix"])
        else:
            others[key] = member
    if not recurrent:
        raise SessionError(
            f"{label} holds no recurrent weights under PyTorch's names "
            "(weight_ih_l0, weight_hh_l0, …)"
        )
    if len(prefixes) > 1:
        listed = ", ".join(repr(p) for p in sorted(prefixes)[:5])
        raise SessionError(f"{label} holds more than one recurrent module ({listed})")
    model = trainer.model
    rnn = model.rnn
    shapes = rnn.parameter_shapes()
    try:
        for name, shape in shapes.items():  # from the headers: nothing read yet
            if name not in recurrent:
                raise ValueError(f"state_dict is missing {name!r} (expected shape {shape})")
            member = members[recurrent[name]]
            if member.shape != shape:
                raise ValueError(f"{name!r} has shape {member.shape}, expected {shape}")
            if member.dtype.kind not in "fiu":
                raise ValueError(f"{name!r} must hold numbers, got dtype {member.dtype}")
        extra = sorted(set(recurrent) - set(shapes))
        if extra:
            raise ValueError(
                f"state_dict has an unexpected entry {extra[0]!r}: this {rnn.describe()} has "
                f"{', '.join(shapes)}"
            )
    except ValueError as error:
        raise SessionError(f"{label} does not fit this {rnn.describe()}: {error}") from None
    O, DH = model.readout.out_features, model.readout.in_features
    readout_keys = None
    for key, member in others.items():
        if key.endswith("weight") and member.shape == (O, DH) and member.dtype.kind == "f":
            bias = others.get(key[: -len("weight")] + "bias")
            if bias is not None and bias.shape == (O,) and bias.dtype.kind == "f":
                readout_keys = {"weight": key, "bias": bias.key}
                break
    state = {name: archive.read(key) for name, key in recurrent.items()}
    readout = None
    if readout_keys is not None:
        readout = {name: archive.read(key) for name, key in readout_keys.items()}
    try:
        if readout is not None:  # check the readout first: the layer's load checks itself
            model.readout.__class__(DH, O, dtype=model.dtype).load_state_dict(readout)
        rnn.load_state_dict(state)  # checks every value (finite, fits the dtype), then loads
    except ValueError as error:
        raise SessionError(f"{label} does not fit this {rnn.describe()}: {error}") from None
    if readout is not None:
        model.readout.load_state_dict(readout)
    used = set(readout_keys.values()) if readout_keys else set()
    return {
        "recurrent": sorted(recurrent),
        "readout": readout is not None,
        "ignored": sorted(k for k in others if k not in used),
    }
