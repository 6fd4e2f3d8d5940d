"""Files a user names: only regular files are read or written, and nothing else is opened.

Opening a FIFO waits for a writer, forever if there is none; a device may never end
(``/dev/zero``) or be replaced by a regular file when written (``/dev/null``, as root). So a
path is looked at with ``os.stat`` first, and anything but a regular file is refused before any
``open``; a file that is opened is opened without waiting (``O_NONBLOCK``) and checked again
with ``fstat``, so that a path swapped for a pipe in between is refused, not waited on.

Every layer (tasks, training, the command line) reads and writes through these and words the
refusal its own way; the messages here are predicates about the path ("is a FIFO (named pipe),
not a regular file"), to follow its name.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "NotARegularFileError",
    "check_output_path",
    "open_regular_file",
    "special_kind",
    "stat_regular_file",
]


class NotARegularFileError(ValueError):
    """The path names no regular file; the message is a predicate about it ("does not exist",
    "is a FIFO (named pipe), not a regular file"). ``kind`` is what it is ("a folder", …, or
    "missing"), for callers that word it their own way."""

    def __init__(self, predicate: str, kind: str = "") -> None:
        super().__init__(predicate)
        self.kind = kind


def special_kind(mode: int) -> str | None:
    """What a file of ``st_mode`` ``mode`` is, e.g. "a FIFO (named pipe)"; None if regular."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)


def stat_regular_file(path: str | os.PathLike[str]) -> os.stat_result:
    """``os.stat(path)``, refusing anything but an existing regular file (never opens it).

    Raises
    ------
    NotARegularFileError
        For an empty path, a missing file, one that cannot be looked at, a folder, a FIFO, a
        device or a socket.
    """
    name = os.fspath(path)
    if not str(name).strip() or str(name) == ".":
        raise NotARegularFileError("names no file", "missing")
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise NotARegularFileError("does not exist", "missing") from None
    except PermissionError:
        raise NotARegularFileError("cannot be read: permission denied", "unreadable") from None
    except (OSError, ValueError) as error:  # a name too long, a NUL in it, a symlink loop
        raise NotARegularFileError(f"cannot be read: {_reason(error)}", "unreadable") from None
    kind = special_kind(info.st_mode)
    if kind is not None:
        raise NotARegularFileError(f"is {kind}, not a regular file", kind)
    return info


def open_regular_file(path: str | os.PathLike[str]) -> BinaryIO:
    """Open ``path`` for reading, only if it is a regular file; never blocks on a FIFO.

    Raises
    ------
    NotARegularFileError
        As :func:`stat_regular_file`, or if the path changed into something else meanwhile or
        cannot be opened.
    """
    before = stat_regular_file(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except PermissionError:
        raise NotARegularFileError("cannot be read: permission denied", "unreadable") from None
    except OSError as error:
        raise NotARegularFileError(f"cannot be read: {_reason(error)}", "unreadable") from None
    try:
        after = os.fstat(fd)
        kind = special_kind(after.st_mode)
        if kind is not None or (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise NotARegularFileError(
                "changed into something other than a regular file", kind or "changed"
            )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path if a file may be written there: an existing regular file that some
    one may write (to be replaced) or a new name in an existing, writable folder. Nothing is
    opened or created.

    Raises
    ------
    NotARegularFileError
        For an empty name, a folder, a FIFO, a device or a socket (``kind`` says which), a
        read-only file, a missing or unwritable folder, or a path that cannot be looked at.
    """
    target = Path(path)
    if not os.fspath(path).strip():
        raise NotARegularFileError("names no file", "missing")
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as error:
        raise NotARegularFileError(f"cannot be written: {_reason(error)}", "unwritable") from None
    if info is not None:
        kind = special_kind(info.st_mode)
        if kind == "a folder":
            raise NotARegularFileError("is a folder: give a file name inside it", kind)
        if kind is not None:
            raise NotARegularFileError(
                f"is {kind}, not a regular file: rnnviz writes only regular files", kind
            )
        if not info.st_mode & 0o222:  # no one may write it: someone meant it to stay
            raise NotARegularFileError(
                "is read-only: make it writable or give another name", "read-only"
            )
    if target.name in ("", ".", ".."):
        raise NotARegularFileError("names no file", "missing")
    folder = target.parent
    if not folder.is_dir():
        raise NotARegularFileError(f"cannot be written: there is no folder {folder}", "missing")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NotARegularFileError(
            f"cannot be written: the folder {folder} is not writable", "unwritable"
        )
    return target
