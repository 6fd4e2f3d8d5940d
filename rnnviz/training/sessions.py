"""Session files (``.rnnviz``) and PyTorch weight import. Nothing is ever unpickled.

A session holds a trainer's settings and its ``Trainer.state()`` (``rnnviz.training.
trainer_state``). The parts live beside this module: ``session_format`` (the members, the JSON
description and their checks), ``session_target`` (the atomic write), ``session_errors``,
``weights_import`` (PyTorch weights); this module saves and opens, and re-exports the rest.

A session is an ``.npz`` archive of plain arrays plus one JSON string:

    meta              JSON: format, version, configuration, iteration, random state, flags
    param.<name>      model parameters (``rnn.weight_ih_l0``, ``readout.weight``, …), float32
    optim.<key>       optimiser state (buffers, step count, hyper-parameters)
    hist.<h>.<key>    the bounded histories (loss, metrics, gradient norms)
    carry.<k>         the hidden state carried between batches (truncated BPTT), if any
    task.<key>        the task's own state (e.g. where each text stream has got to), if any

It holds everything a run depends on, so ``load_session(path)`` followed by training gives
exactly the run that never stopped.

Opening a file trusts nothing in it (``rnnviz.training.archive`` reads the archive): the path
must be a regular file; every member must be a plain ``.npy`` array whose header agrees with
its size, within ``MAX_ARRAY_BYTES`` per array and ``MAX_SESSION_BYTES`` in all; the JSON must
be small, shallow and hold only finite numbers of sane size; the configuration is validated and
every array's name, shape and dtype is checked against what it implies *before* any array data
is read or a trainer is built; then the values (finite, in range) are checked. Any problem is a
``SessionError`` naming the file, of one short line, and nothing is loaded: whatever the bytes
make zipfile, NumPy or json raise (any ``Exception``) becomes one. Opening never writes to the
file.

Saving writes a temporary file beside the target (``.<name>.<pid>.<random>.tmp``, with at most
the first ``TEMP_NAME_BYTES`` bytes of the name, so that a name near the file system's limit
can still be saved) and renames it, so a crash never leaves half a file behind. A target that
exists and is not a regular file (a folder, a FIFO, ``/dev/null``) is refused, never replaced,
and so is a read-only file (no write permission for anyone); a file that is replaced keeps its
permissions. A symbolic link is saved through: the file it names is written (created, if the
link dangles into an existing folder), and the link stays as it was. Temporary files of the
same target left by a save that was killed are removed by the next save: those whose name
matches exactly, untouched for ``STALE_TEMP_SECONDS`` and whose process (the pid in the name)
no longer runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from rnnviz.training.session_errors import (
    MAX_MESSAGE,
    MAX_REASON,
    SessionError,
    SessionTargetError,
    label,
    reason,
)
from rnnviz.training.session_format import (
    MAX_ARRAY_BYTES,
    MAX_SESSION_BYTES,
    check_layout,
    check_meta,
    members_of,
    meta_of,
    open_archive,
    read_meta,
    state_of,
)
from rnnviz.training.session_target import (
    STALE_TEMP_SECONDS,
    TEMP_NAME_BYTES,
    atomic_savez,
    check_target,
    remove_stale_temporaries,
    resolve_target,
)
from rnnviz.training.trainer import Trainer
from rnnviz.training.trainer_state import check_state_values
from rnnviz.training.weights_import import import_torch_state_dict

__all__ = [
    "MAX_ARRAY_BYTES",
    "MAX_MESSAGE",
    "MAX_REASON",
    "MAX_SESSION_BYTES",
    "STALE_TEMP_SECONDS",
    "TEMP_NAME_BYTES",
    "SessionError",
    "SessionTargetError",
    "import_torch_state_dict",
    "load_session",
    "save_session",
]


def save_session(trainer: Trainer, path: str | os.PathLike) -> Path:
    """Write ``trainer``'s whole state to ``path`` (conventionally ``*.rnnviz``).

    A symbolic link is written through (the file it leads to is replaced, or created if the
    link dangles into an existing folder); a file replaced keeps its permission bits.

    Returns
    -------
    Path
        ``path`` as given.

    Raises
    ------
    SessionTargetError
        If ``path`` exists and is not a regular file (a folder, a FIFO, a device), is
        read-only, or is a link that loops or leads into a folder that does not exist.
    OSError
        If the file cannot be written.
    """
    path = Path(path)
    target = resolve_target(path)
    replaced = check_target(target, path)
    remove_stale_temporaries(target)
    state = trainer.state()
    arrays = members_of(state)
    arrays["meta"] = np.array(json.dumps(meta_of(state, trainer.config)))
    atomic_savez(target, path, arrays, replaced)
    return path


def load_session(path: str | os.PathLike, run_id: int = 0) -> Trainer:
    """Rebuild the trainer saved in ``path``.

    Raises
    ------
    SessionError
        If the file is missing, not a regular file, damaged, tampered with, too large, or does
        not fit the settings it holds; no trainer is built then (or the one built is dropped).
    """
    path = Path(path)
    try:
        return _load_session(path, run_id)
    except SessionError:
        raise
    except Exception as error:  # hostile bytes can make NumPy, zipfile or json raise anything
        raise SessionError(f"{label(path)} cannot be opened: {reason(error)}") from None


def _load_session(path: Path, run_id: int) -> Trainer:
    # the limits are read here, from this module, so that they can be lowered for a test
    archive = open_archive(path, "rnnviz session", MAX_ARRAY_BYTES, MAX_SESSION_BYTES)
    with archive:
        meta = read_meta(archive, label(path))
        config, fields = check_meta(meta)
        check_layout(archive.members, config, fields["carry_parts"])
        # only now, with every header checked against the settings, is any data read
        arrays = {key: archive.read(key) for key in archive.members if key != "meta"}
    state = state_of(arrays, fields)
    check_state_values(state, config)  # before a trainer is built
    trainer = Trainer(config, run_id=run_id)  # ConfigError (too large), MemoryError: wrapped
    trainer.load_state(state)  # checks the arrays against the trainer's own, then loads
    return trainer
