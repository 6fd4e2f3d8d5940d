"""Writing a session file atomically: a temporary file beside the target, renamed over it.

A target that exists and is not a regular file (a folder, a FIFO, ``/dev/null``) is refused,
never replaced, and so is a read-only file; a file that is replaced keeps its permissions. A
symbolic link is written through. Temporary files of the same target left by a killed save
are removed by the next save (see ``rnnviz.training.sessions``).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from pathlib import Path

import numpy as np

from rnnviz.files import special_kind
from rnnviz.training.session_errors import SessionTargetError
from rnnviz.training.session_errors import label as _label

__all__ = [
    "STALE_TEMP_SECONDS",
    "TEMP_NAME_BYTES",
    "atomic_savez",
    "check_target",
    "remove_stale_temporaries",
    "resolve_target",
]

#: A temporary file of an earlier save is stale once untouched this long (and its process gone).
STALE_TEMP_SECONDS = 60.0
#: Most bytes of the target's name in its temporary files' names: ``.<name>.<pid>.<random>.tmp``
#: adds up to 25 bytes, and a name may have 255 (NAME_MAX on most file systems).
TEMP_NAME_BYTES = 100


def check_target(path: Path, shown: Path) -> os.stat_result | None:
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


def resolve_target(path: Path) -> Path:
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


def remove_stale_temporaries(path: Path) -> list[Path]:
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


def atomic_savez(
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
        check_target(path, shown)  # again: something may have appeared there meanwhile
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
