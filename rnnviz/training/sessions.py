"""Session files (``.rnnviz``) and PyTorch weight import. Nothing is ever unpickled.

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
import math
import os
import re
import secrets
import stat
import time
from pathlib import Path
from typing import Any

import numpy as np

from rnnviz.core import GRU, LSTM, RNN
from rnnviz.files import NotARegularFileError, special_kind, stat_regular_file
from rnnviz.training.archive import ArchiveError, Member, NpzArchive
from rnnviz.training.config import TrainConfig, config_from_dict, config_to_dict
from rnnviz.training.trainer import Trainer, make_optimizer

__all__ = [
    "MAX_ARRAY_BYTES",
    "MAX_SESSION_BYTES",
    "STALE_TEMP_SECONDS",
    "TEMP_NAME_BYTES",
    "SessionError",
    "SessionTargetError",
    "import_torch_state_dict",
    "load_session",
    "save_session",
]

FORMAT = "rnnviz-session"
VERSION = 1
_HISTORIES = ("loss_history", "metric_history", "dh_history")

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
#: Largest iteration count a session may hold.
MAX_ITERATION = 2**53
#: Most bytes of the task's own state (today two numbers).
MAX_TASK_STATE_BYTES = 1 << 16
#: Most metric columns a metric history may have.
MAX_METRICS = 64
#: A temporary file of an earlier save is stale once untouched this long (and its process gone).
STALE_TEMP_SECONDS = 60.0
#: Most bytes of the target's name in its temporary files' names: ``.<name>.<pid>.<random>.tmp``
#: adds up to 25 bytes, and a name may have 255 (NAME_MAX on most file systems).
TEMP_NAME_BYTES = 100
#: Longest message of a SessionError; a longer one keeps its start and its end.
MAX_MESSAGE = 500
#: Longest reason quoted from an exception in a message.
MAX_REASON = 200

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


def _escape_controls(text: str) -> str:
    """``text`` with characters that would break a line or not show (a file name may hold a
    newline) escaped as Python writes them."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _shorten(text: str, limit: int) -> str:
    """``text`` if at most ``limit`` characters, else its start and end joined by " … "."""
    if len(text) <= limit:
        return text
    end = limit // 3
    return f"{text[: limit - end - 3]} … {text[-end:]}"


class SessionError(ValueError):
    """A session or weights file cannot be used; the message names the file and says why.

    The message is always one line (control characters escaped) of at most ``MAX_MESSAGE``
    characters, whatever it quotes.
    """

    def __init__(self, message: str) -> None:
        super().__init__(_shorten(_escape_controls(str(message)), MAX_MESSAGE))


class SessionTargetError(SessionError, OSError):
    """A session cannot be written there (e.g. the path is a FIFO or a device).

    Also an ``OSError``, so code that reports failed writes reports this one too.
    """


def _label(path: Path) -> str:
    return path.name or str(path) or "''"


# ---------------------------------------------------------------------- saving


def _check_target(path: Path, shown: Path) -> os.stat_result | None:
    """Refuse to replace anything but a regular file that may be written (or nothing); returns
    what ``os.stat`` says of the file replaced, None if there is none. ``shown`` is the name
    the user gave (``path`` may be the file a link of that name leads to)."""
    if path.name in ("", ".", ".."):
        raise SessionTargetError(f"cannot save a session as {str(shown)!r}: it names no file")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # the write itself will fail with the OS's own reason
    kind = special_kind(info.st_mode)
    if kind is not None:
        raise SessionTargetError(
            f"cannot save a session as {_label(shown)}: it is {kind}, not a regular file, "
            "and rnnviz does not replace it"
        )
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise SessionTargetError(
            f"cannot save a session as {_label(shown)}: it is read-only, and rnnviz does not "
            "replace it (make it writable, or save under another name)"
        )
    return info


def _resolve_target(path: Path) -> Path:
    """The file a save of ``path`` writes: ``path`` itself, or, if it is a symbolic link, the
    file the link leads to in the end, so that the save goes through the link and the link
    stays a link (as any program that writes a file does)."""
    try:
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return path
    except (OSError, ValueError):
        return path  # a new file, or one the OS will say why it cannot be written
    target = Path(os.path.realpath(path))
    try:
        looping = stat.S_ISLNK(os.lstat(target).st_mode)  # realpath stops at a loop
    except FileNotFoundError:
        # a dangling link: create the file it names, if its folder is there
        if not target.parent.is_dir():
            raise SessionTargetError(
                f"cannot save a session as {_label(path)}: it is a link to {target}, "
                "whose folder does not exist"
            ) from None
        return target
    except OSError:
        return target
    if looping:
        raise SessionTargetError(
            f"cannot save a session as {_label(path)}: it is a symbolic link that leads round "
            "in a loop"
        )
    return target


_TEMP_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate line ends


def _temp_stem(name: str) -> str:
    """The start of ``name`` that its temporary files are named after: at most
    ``TEMP_NAME_BYTES`` bytes as the file system stores it, so that the temporary name fits
    where the name itself does."""
    stem = name[:TEMP_NAME_BYTES]
    while len(os.fsencode(stem)) > TEMP_NAME_BYTES:
        stem = stem[:-1]
    return stem


def _temp_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Names ``_create_temporary`` gives this target's temporary files: with our pid, and the
    older ones without it. (Two long names with the same first ``TEMP_NAME_BYTES`` bytes
    share them; only stale ones are ever removed, so a save never removes a live one.)"""
    head, random = re.escape(f".{_temp_stem(name)}."), r"[a-z0-9_]{8}\.tmp"
    return re.compile(head + r"(?P<pid>[0-9]{1,10})\." + random), re.compile(head + random)


def _process_running(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":
        # our own: a save of this process may be writing it right now; on Windows os.kill
        # would terminate the process instead of asking about it, so never ask there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        return pid > 0 and not isinstance(pid, bool)  # exists but not ours, or unsure: keep it
    return True


def _remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove this target's temporary files left by a killed save; returns what was removed.

    Only regular files whose name is exactly ``.<name>.<pid>.<8 characters>.tmp`` (or the older
    ``.<name>.<8 characters>.tmp``), untouched for ``STALE_TEMP_SECONDS``, and, when the name
    carries a pid, whose process no longer runs on this machine. Errors are ignored: cleaning
    up is a courtesy, never a reason for a save to fail.
    """
    with_pid, without_pid = _temp_patterns(path.name)
    directory = path.parent
    now = time.time()
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = with_pid.fullmatch(entry.name)
        if match is None and without_pid.fullmatch(entry.name) is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < STALE_TEMP_SECONDS:
                continue
            pid = int(match["pid"]) if match else None
            if pid is not None and (pid < 1 or _process_running(pid)):
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _create_temporary(directory: Path, name: str) -> tuple[int, Path]:
    """A new, empty file beside the target, named as ``_temp_patterns`` expects. Unlike
    ``tempfile.mkstemp``, which makes it private (0600), it gets the permissions the umask gives
    any new file: a saved session is something to share with students."""
    stem = _temp_stem(name)
    for _ in range(100):
        random = "".join(secrets.choice(_TEMP_LETTERS) for _ in range(8))
        tmp = directory / f".{stem}.{os.getpid()}.{random}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {name}")


def _atomic_savez(
    path: Path, shown: Path, arrays: dict[str, np.ndarray], replaced: os.stat_result | None
) -> None:
    """Write ``arrays`` to a temporary file beside ``path`` and rename it to ``path``; the file
    ``replaced`` (if any) lends it its permissions before anything is written."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = _create_temporary(directory, path.name)
    try:
        if replaced is not None:
            mode = stat.S_IMODE(replaced.st_mode) & 0o777
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            else:
                os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        _check_target(path, shown)  # again: something may have appeared there meanwhile
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    target = _resolve_target(path)
    replaced = _check_target(target, path)
    _remove_stale_temporaries(target)
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
    _atomic_savez(target, path, arrays, replaced)
    return path


# ---------------------------------------------------------------------- reading


def _open_archive(path: Path, what: str) -> NpzArchive:
    """The checked archive at ``path``; SessionError naming the file if it cannot be."""
    try:
        stat_regular_file(path)  # before anything opens it
        return NpzArchive(path, max_member_bytes=MAX_ARRAY_BYTES, max_total_bytes=MAX_SESSION_BYTES)
    except NotARegularFileError as error:
        raise SessionError(f"{_label(path)} {error}") from None
    except ArchiveError as error:
        raise SessionError(f"{_label(path)} is not a readable {what}: {error}") from None


def _reason(error: BaseException) -> str:
    """A short reason of one line for an error raised while reading, for a message: whatever
    NumPy, zipfile or json put in it (NumPy words some over three lines), its whitespace
    collapsed and its length bounded."""
    if isinstance(error, MemoryError):
        return "there is not enough memory for it"
    if isinstance(error, RecursionError):
        return "something in it is nested too deeply"
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror + (f" ({error.filename})" if error.filename else "")
    else:
        text = str(error) or type(error).__name__
    return _shorten(" ".join(text[: 4 * MAX_REASON].split()), MAX_REASON)


def _group(arrays: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


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
        raise SessionError(f"{_label(path)} cannot be opened: {_reason(error)}") from None


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


def _read_meta(archive: NpzArchive, label: str) -> dict[str, Any]:
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


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _positive_or_none(name: str, value: Any) -> float:
    """``None`` → inf; otherwise a finite number > 0."""
    if value is None:
        return float("inf")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"invalid {name} {str(value)[:30]} (must be a finite number above 0)")
    return float(value)


def _check_rng(state: Any) -> dict[str, Any]:
    """The PCG64 state ``Trainer`` uses, every field typed and in range."""
    problem = ValueError("the random state is missing or of another kind")
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise problem
    if set(state) != {"bit_generator", "state", "has_uint32", "uinteger"}:
        raise problem
    inner = state["state"]
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"}:
        raise problem
    if not (_whole(inner["state"], 0, 2**128 - 1) and _whole(inner["inc"], 0, 2**128 - 1)):
        raise ValueError("the random state holds numbers out of range")
    if inner["inc"] % 2 == 0:
        raise ValueError("the random state is invalid (an even increment)")
    if not (_whole(state["has_uint32"], 0, 1) and _whole(state["uinteger"], 0, 2**32 - 1)):
        raise ValueError("the random state holds numbers out of range")
    return state


def _check_meta(meta: dict[str, Any]) -> tuple[TrainConfig, dict[str, Any]]:
    """The configuration and the other fields, validated (ValueError or ConfigError)."""
    config = config_from_dict(meta.get("config"))
    iteration = meta.get("iteration")
    if not _whole(iteration, 0, MAX_ITERATION):
        raise ValueError(
            f"invalid iteration {str(iteration)[:30]} (must be a whole number from 0 to "
            f"{MAX_ITERATION})"
        )
    diverged = meta.get("diverged", "")
    if not isinstance(diverged, str) or len(diverged) > 10_000:
        raise ValueError("invalid divergence note")
    carry_parts = meta.get("carry_parts")
    if not _whole(carry_parts, 0, 2):
        raise ValueError(f"invalid count of carried states {str(carry_parts)[:30]}")
    return config, {
        "iteration": iteration,
        "rng": _check_rng(meta.get("rng")),
        "diverged": diverged,
        "lr_at_divergence": _positive_or_none(
            "learning rate at divergence", meta.get("lr_at_divergence")
        ),
        "loss_limit": _positive_or_none("loss limit", meta.get("loss_limit")),
        "carry_parts": carry_parts,
    }


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


def _check_layout(
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
    params = _group(members, "param.")
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
    optim = _group(members, "optim.")
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
    hist = _group(members, "hist.")
    for h in _HISTORIES:
        state = _group(hist, f"{h}.")
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
    extra = sorted(k for k in hist if k.split(".", 1)[0] not in _HISTORIES)
    if extra:
        raise ValueError(f"unexpected entry 'hist.{extra[0][:100]}'")

    carry = _group(members, "carry.")
    if set(carry) != {str(k) for k in range(carry_parts)}:
        raise ValueError("the carried hidden state is incomplete")
    for part in carry.values():
        shape = (LD, config.batch_size, m.hidden_size)
        _expect(part, "the carried hidden state", shape, np.float32)

    for key, member in _group(members, "task.").items():
        if member.nbytes > MAX_TASK_STATE_BYTES or member.dtype.kind not in "biuf":
            raise ValueError(f"the task state {key[:100]!r} is not a small array of numbers")
    return shapes


def _check_values(
    arrays: dict[str, np.ndarray], config: TrainConfig, fields: dict[str, Any]
) -> None:
    """The values the layout check could not see: finite, in range, agreeing with the config."""
    for name, value in _group(arrays, "param.").items():
        if not np.isfinite(value).all():
            raise ValueError(
                f"the weight {name.removeprefix('rnn.')!r} holds NaN or infinite values"
            )
    optim = _group(arrays, "optim.")
    step = int(optim["step"])
    if not 0 <= step <= fields["iteration"]:
        raise ValueError(
            f"the optimiser's step count {step} is not between 0 and the iteration "
            f"{fields['iteration']}"
        )
    if float(optim["lr"]) != config.optim.lr:
        raise ValueError(
            f"the optimiser's learning rate {float(optim['lr']):g} is not the one in the "
            f"settings ({config.optim.lr:g})"
        )
    if "momentum" in optim and float(optim["momentum"]) != config.optim.momentum:
        raise ValueError(
            f"the optimiser's momentum {float(optim['momentum']):g} is not the one in the "
            f"settings ({config.optim.momentum:g})"
        )
    for h in _HISTORIES:
        title = h.replace("_", " ")
        state = _group(arrays, f"hist.{h}.")
        iterations = state["iterations"]
        if iterations.size and (
            iterations[0] < 1
            or iterations[-1] > fields["iteration"]
            or (np.diff(iterations) <= 0).any()
        ):
            raise ValueError(
                f"the {title}'s iterations are not increasing from 1 to {fields['iteration']}"
            )
        if h == "loss_history" and not np.isfinite(state["values"]).all():
            raise ValueError("the loss history holds NaN or infinite values")
    for part in _group(arrays, "carry.").values():
        if not np.isfinite(part).all():
            raise ValueError("the carried hidden state holds NaN or infinite values")


def _load_session(path: Path, run_id: int) -> Trainer:
    label = _label(path)
    with _open_archive(path, "rnnviz session") as archive:
        meta = _read_meta(archive, label)
        config, fields = _check_meta(meta)
        _check_layout(archive.members, config, fields["carry_parts"])
        # only now, with every header checked against the settings, is any data read
        arrays = {key: archive.read(key) for key in archive.members if key != "meta"}
    _check_values(arrays, config, fields)

    trainer = Trainer(config, run_id=run_id)  # ConfigError (too large), MemoryError: wrapped
    trainer.model.load_state_dict(_group(arrays, "param."))
    trainer.optimizer.load_state_dict(_group(arrays, "optim."))
    finite = {"loss_history": True, "metric_history": False, "dh_history": False}
    for hist in _HISTORIES:
        getattr(trainer, hist).load_state(_group(arrays, f"hist.{hist}."), finite=finite[hist])
    trainer.task.load_state(_group(arrays, "task."))
    trainer.iteration = fields["iteration"]
    _restore_rng(trainer, fields["rng"])
    _restore_carry(trainer, arrays, fields["carry_parts"])
    trainer.diverged = fields["diverged"]
    trainer._lr_at_divergence = fields["lr_at_divergence"]
    trainer._loss_limit = fields["loss_limit"]
    return trainer


def _restore_rng(trainer: Trainer, state: dict[str, Any]) -> None:
    bit_generator = trainer.rng.bit_generator
    if state.get("bit_generator") != type(bit_generator).__name__:
        raise ValueError("the random state is missing or of another kind")
    bit_generator.state = state


def _restore_carry(trainer: Trainer, arrays: dict[str, np.ndarray], parts: int) -> None:
    carry = _group(arrays, "carry.")
    if parts == 0:
        trainer.h_carry = None
        return
    rnn = trainer.model.rnn
    if not trainer.task.carries_state:
        raise ValueError(f"the {trainer.task.name} task carries no hidden state, the file does")
    if (parts == 2) != (rnn.cell == "lstm"):
        raise ValueError("the carried hidden state does not match the cell")
    values = [np.ascontiguousarray(carry[str(k)], dtype=rnn.dtype) for k in range(parts)]
    trainer.h_carry = tuple(values) if parts == 2 else values[0]


# ---------------------------------------------------------------------- PyTorch weights

_RECURRENT_KEY = re.compile(r"^(?P<prefix>.*?)(?P<name>(weight|bias)_(ih|hh)_l\d+(_reverse)?)$")


def import_torch_state_dict(trainer: Trainer, path: str | os.PathLike) -> dict[str, Any]:
    """Load weights trained in PyTorch, saved as ``.npz`` under PyTorch's parameter names.

    The recurrent weights may carry any module prefix (``lstm.weight_ih_l0``); a readout
    saved as ``<prefix>weight`` (O, D·H) and ``<prefix>bias`` (O,) is loaded too when its
    shapes fit this model. The file is read as safely as a session (see the module docstring);
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
        with _open_archive(path, "weights file (.npz)") as archive:
            return _import(trainer, archive, _label(path))
    except SessionError:
        raise
    except Exception as error:  # hostile bytes can make NumPy or zipfile raise anything
        raise SessionError(f"{_label(path)} cannot be imported: {_reason(error)}") from None


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
