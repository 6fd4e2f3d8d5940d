"""Reading ``.npz`` archives that may be hostile, in bounded memory and time.

An ``.npz`` file is a zip archive with one ``.npy`` member per array. ``numpy.load`` trusts
what the file claims: a header may declare terabytes, a member may inflate to gigabytes, a
central directory may list millions of entries. :class:`NpzArchive` checks every claim before
it acts on it:

1. the path must name a regular file (``os.stat`` before ``open``, so a FIFO or a device is
   never opened, and ``fstat`` after, in case the name was swapped in between);
2. the end-of-central-directory record is read first, and a central directory larger than
   ``MAX_CENTRAL_DIRECTORY_BYTES`` (or a ZIP64 one) is refused before ``zipfile`` parses it;
3. each member must be a ``.npy`` name, stored or deflated, not encrypted, and its sizes from
   the central directory must fit ``max_member_bytes`` and, all together,
   ``max_total_bytes``; a deflated member may not claim more than ``MAX_DEFLATE_RATIO`` times
   its packed size (deflate cannot do better than about 1032 : 1, so only a lie does);
4. each member's ``.npy`` header is read from the first bytes of the member, its length
   checked (at most ``MAX_HEADER_BYTES``) before it is read, and parsed here, not by NumPy:
   the dictionary must be a plain literal (``ast.literal_eval``) with exactly the three keys,
   the dtype a plain numeric, boolean or text one written as ``dtype.str`` writes it (no
   object, structured, void or sub-array dtype; no alias, which NumPy would warn about), a
   sane shape, and ``header + shape × itemsize`` equal to the member's declared size;
5. data is read only on request (:meth:`NpzArchive.read`), at most the declared number of
   bytes, into an array allocated once; zipfile checks the CRC at the end.

Everything that goes wrong raises :class:`ArchiveError` with a short reason of one line
(without the file name: the caller adds it and says what kind of file it expected). Reading
hostile bytes with zipfile, zlib or NumPy can raise anything (a ``tokenize.TokenError`` from
deep inside NumPy's header filter was one), so every ``Exception`` that escapes them becomes an
``ArchiveError``, not only a list of the types seen so far.
"""

from __future__ import annotations

import ast
import math
import os
import re
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from rnnviz.files import open_regular_file

__all__ = [
    "MAX_DEFLATE_RATIO",
    "MAX_HEADER_BYTES",
    "ArchiveError",
    "Member",
    "NpzArchive",
]

#: The central directory (the list of members) may take at most this many bytes; a real
#: session's is a few kilobytes. ``zipfile`` builds an object per entry, so this bounds memory.
MAX_CENTRAL_DIRECTORY_BYTES = 1 << 20
#: At most this many members (a session has about 100; a PyTorch state dict a few hundred).
MAX_MEMBERS = 4096
#: Largest ``.npy`` header read (NumPy's own default limit).
MAX_HEADER_BYTES = 10_000
#: A deflated member may claim at most this many times its packed size. Deflate's best ratio is
#: about 1032 : 1 (a run of zeros), so a real member never comes near; a lie does.
MAX_DEFLATE_RATIO = 1100
#: Arrays have at most this many axes (rnnviz's have at most 3).
MAX_NDIM = 8
#: Dtype kinds an array may have: bool, signed and unsigned integers, floats, text.
PLAIN_KINDS = frozenset("biufU")
#: Bytes read from a member per call while filling an array.
_CHUNK = 1 << 20

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD_SIZE = 22
_EOCD_STRUCT = "<4s4H2LH"
#: The ``.npy`` magic string, and the format versions read with the size of their header
#: length field (version 3.0 only adds UTF-8 field names, which no plain array has).
_NPY_MAGIC = b"\x93NUMPY"
_HEADER_LENGTH = {(1, 0): "<H", (2, 0): "<I"}
#: A dtype as ``dtype.str`` writes it: a byte order, a kind letter, a size ("<f4", "|b1",
#: "<U12"; none for objects, "|O"). NumPy would also take aliases ("a5", "Float64"), some with
#: a DeprecationWarning, which would reach stderr.
_DESCR = re.compile(r"[<>|=](?P<kind>[A-Za-z])(?P<size>[0-9]{0,9})", re.ASCII)
#: A reason quoted from an exception is at most this long.
MAX_REASON = 160


class ArchiveError(ValueError):
    """An archive cannot be read safely; the message says why, as a clause without the file's
    name ("it is damaged, …", "its member 'x.npy' is encrypted")."""


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB" if n >= 1 << 20 else f"{n:,} bytes"


def _check_end_record(fp: BinaryIO) -> None:
    """Refuse an archive whose central directory is too large to parse, before zipfile does.

    Finds the end record exactly as ``zipfile`` does (the last 22 bytes, else the last
    occurrence of its signature in the final 64 KiB), so both read the same numbers.
    """
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    if size < _EOCD_SIZE:
        raise ArchiveError(f"it is damaged, truncated or another kind of file ({size} bytes)")
    tail_start = max(size - (1 << 16) - _EOCD_SIZE - 20, 0)
    fp.seek(tail_start)
    tail = fp.read()
    last = tail[-_EOCD_SIZE:]
    if last[:4] == _EOCD and last[-2:] == b"\0\0":
        start = len(tail) - _EOCD_SIZE
    else:
        start = tail.rfind(_EOCD, max(len(tail) - (1 << 16) - _EOCD_SIZE, 0))
        if start < 0 or start + _EOCD_SIZE > len(tail):
            raise ArchiveError(
                "it is damaged, truncated or another kind of file (no zip end record)"
            )
    record = struct.unpack(_EOCD_STRUCT, tail[start : start + _EOCD_SIZE])
    entries, directory_bytes = record[4], record[5]
    if start >= 20 and tail[start - 20 : start - 16] == _EOCD64_LOCATOR:
        raise ArchiveError("it is a ZIP64 archive, larger than any file rnnviz reads")
    if directory_bytes > MAX_CENTRAL_DIRECTORY_BYTES or entries > MAX_MEMBERS:
        raise ArchiveError(
            f"it lists {entries:,} members in a {_mib(directory_bytes)} directory; "
            f"at most {MAX_MEMBERS:,} are read"
        )


@dataclass(frozen=True)
class Member:
    """One ``.npy`` member, described by its header (no data read yet).

    Attributes
    ----------
    key : str
        The member's name without ``.npy`` (as ``numpy.load`` names it).
    info : zipfile.ZipInfo
    dtype : numpy.dtype
    shape : tuple of int
    fortran_order : bool
    header_bytes : int
        Bytes before the data: magic, version, header.
    """

    key: str
    info: zipfile.ZipInfo
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran_order: bool
    header_bytes: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    @property
    def ndim(self) -> int:
        return len(self.shape)


def _check_dtype(name: str, dtype: np.dtype) -> None:
    if dtype.hasobject:
        raise ArchiveError(
            f"its member {_short(name)} holds Python objects (it would need unpickling)"
        )
    if dtype.names is not None or dtype.subdtype is not None or dtype.kind == "V":
        raise ArchiveError(f"its member {_short(name)} has a structured or raw dtype {dtype.str!r}")
    if dtype.kind not in PLAIN_KINDS:
        raise ArchiveError(f"its member {_short(name)} has an unsupported dtype {dtype.str!r}")
    if dtype.itemsize == 0 or (dtype.kind == "f" and dtype.itemsize not in (2, 4, 8)):
        raise ArchiveError(f"its member {_short(name)} has an unsupported dtype {dtype.str!r}")


def _read_exactly(fp: BinaryIO, count: int) -> bytes:
    """Up to ``count`` bytes from ``fp``, fewer only at its end."""
    parts, got = [], 0
    while got < count:
        part = fp.read(count - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _read_header(
    fp: BinaryIO, info: zipfile.ZipInfo
) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Read and parse the ``.npy`` header at the start of a member stream.

    Returns the shape, the memory order, the dtype and the bytes before the data. NumPy only
    builds the dtype, from a descriptor already checked to be a plain one.
    """
    name = info.filename
    magic = _read_exactly(fp, len(_NPY_MAGIC) + 2)
    if len(magic) < len(_NPY_MAGIC) + 2 or not magic.startswith(_NPY_MAGIC):
        raise ArchiveError(f"its member {_short(name)} is not a NumPy array (bad magic)")
    version = (magic[-2], magic[-1])
    if version not in _HEADER_LENGTH:
        raise ArchiveError(
            f"its member {_short(name)} is a .npy file of version {version}, not 1.0 or 2.0"
        )
    length_format = _HEADER_LENGTH[version]
    length_bytes = _read_exactly(fp, struct.calcsize(length_format))
    if len(length_bytes) < struct.calcsize(length_format):
        raise ArchiveError(f"its member {_short(name)} is truncated in its header")
    (length,) = struct.unpack(length_format, length_bytes)
    if length > MAX_HEADER_BYTES:
        raise ArchiveError(
            f"its member {_short(name)} has a header of {length:,} bytes, more than the "
            f"{MAX_HEADER_BYTES:,} rnnviz reads"
        )
    raw = _read_exactly(fp, length)
    if len(raw) < length:
        raise ArchiveError(f"its member {_short(name)} is truncated in its header")
    shape, fortran_order, dtype = _parse_header(raw.decode("latin-1"), name)
    return shape, fortran_order, dtype, len(magic) + len(length_bytes) + length


def _parse_header(text: str, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """The shape, memory order and dtype a ``.npy`` header's dictionary holds, all checked."""
    # a written header has no backslash; without one, no escape in a string literal can make
    # the parser warn (an invalid escape is a SyntaxWarning from Python 3.12 on)
    if "\\" in text:
        raise ArchiveError(f"its member {_short(name)} has an unreadable header (a backslash)")
    try:
        header = ast.literal_eval(text)
    except Exception as error:  # SyntaxError, ValueError, MemoryError, RecursionError, …
        raise ArchiveError(
            f"its member {_short(name)} has an unreadable header ({_describe(error)})"
        ) from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise ArchiveError(
            f"its member {_short(name)} has an unreadable header (not the dictionary of "
            "descr, fortran_order and shape a .npy header holds)"
        )
    shape, fortran_order = header["shape"], header["fortran_order"]
    if not isinstance(fortran_order, bool):
        raise ArchiveError(f"its member {_short(name)} has an invalid memory order")
    if (
        not isinstance(shape, tuple)
        or len(shape) > MAX_NDIM
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise ArchiveError(_one_line(f"its member {_short(name)} has an invalid shape {shape!r}"))
    return shape, fortran_order, _dtype_of(header["descr"], name)


def _dtype_of(descr: object, name: str) -> np.dtype:
    """The plain dtype ``descr`` describes; anything else is refused before NumPy sees it."""
    if isinstance(descr, list | tuple):
        raise ArchiveError(f"its member {_short(name)} has a structured or raw dtype")
    if not isinstance(descr, str):
        raise ArchiveError(f"its member {_short(name)} has an unreadable header (no dtype)")
    match = _DESCR.fullmatch(descr)
    if match is not None and match["kind"] == "O":
        raise ArchiveError(
            f"its member {_short(name)} holds Python objects (it would need unpickling)"
        )
    if match is not None and match["kind"] == "V":
        raise ArchiveError(f"its member {_short(name)} has a structured or raw dtype {descr!r}")
    if match is None or match["kind"] not in PLAIN_KINDS or not match["size"]:
        raise ArchiveError(f"its member {_short(name)} has an unsupported dtype {_short(descr)}")
    try:
        dtype = np.dtype(descr)
    except Exception:  # a size NumPy has no such type for: "<i3", "<f7"
        raise ArchiveError(
            f"its member {_short(name)} has an unsupported dtype {_short(descr)}"
        ) from None
    _check_dtype(name, dtype)
    return dtype


class NpzArchive:
    """A checked ``.npz`` archive: its members' headers now, their data on request.

    Parameters
    ----------
    path : path-like
    max_member_bytes : int
        Most bytes one member may inflate to.
    max_total_bytes : int
        Most bytes all members together may inflate to.

    Attributes
    ----------
    members : dict[str, Member]
        By key (the name without ``.npy``), in the archive's order.

    Use as a context manager; :meth:`read` only while it is open.
    """

    def __init__(
        self, path: str | os.PathLike, *, max_member_bytes: int, max_total_bytes: int
    ) -> None:
        self.path = Path(path)
        self.max_member_bytes = max_member_bytes
        self.max_total_bytes = max_total_bytes
        self.members: dict[str, Member] = {}
        self._file = open_regular_file(self.path)
        self._zip: zipfile.ZipFile | None = None
        try:
            self._open()
        except BaseException as error:
            self.close()
            if isinstance(error, ArchiveError) or not isinstance(error, Exception):
                raise  # ours already, or KeyboardInterrupt, SystemExit: not the file's fault
            raise ArchiveError(
                f"it is damaged, truncated or another kind of file ({_describe(error)})"
            ) from None

    def _open(self) -> None:
        _check_end_record(self._file)
        self._file.seek(0)
        self._zip = zipfile.ZipFile(self._file)
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(f"it has {len(infos):,} members; at most {MAX_MEMBERS:,} are read")
        archive_bytes = os.fstat(self._file.fileno()).st_size
        total = 0
        for info in infos:
            self._check_info(info, archive_bytes)
            total += info.file_size
            if total > self.max_total_bytes:
                raise ArchiveError(
                    f"it would inflate to more than {_mib(self.max_total_bytes)}, the most "
                    "rnnviz reads from one file"
                )
        for info in infos:
            key = info.filename[: -len(".npy")]
            if key in self.members:
                raise ArchiveError(f"it holds the member {_short(info.filename)} twice")
            with _damage_reported(info.filename), self._zip.open(info) as fp:
                shape, fortran_order, dtype, header_bytes = _read_header(fp, info)
            member = Member(key, info, dtype, shape, fortran_order, header_bytes)
            if header_bytes + member.nbytes != info.file_size:
                raise ArchiveError(
                    f"its member {_short(info.filename)} claims {_mib(member.nbytes)} of data "
                    f"({dtype.str} {shape}) but holds {_mib(info.file_size - header_bytes)}"[:300]
                )
            self.members[key] = member

    def _check_info(self, info: zipfile.ZipInfo, archive_bytes: int) -> None:
        name = info.filename
        if info.flag_bits & 0x1:
            raise ArchiveError(f"its member {_short(name)} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ArchiveError(
                f"its member {_short(name)} uses compression method {info.compress_type}; "
                "only stored and deflated members are read"
            )
        if info.is_dir() or not name.endswith(".npy") or len(name) > 1000:
            raise ArchiveError(f"it holds a member {_short(name)} that is not a NumPy array (.npy)")
        if info.file_size > self.max_member_bytes:
            raise ArchiveError(
                f"its member {_short(name)} would inflate to {_mib(info.file_size)}, more than the "
                f"{_mib(self.max_member_bytes)} rnnviz reads for one array"
            )
        if info.compress_size > archive_bytes:
            raise ArchiveError(f"its member {_short(name)} claims more bytes than the file holds")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise ArchiveError(f"its member {_short(name)} has inconsistent sizes")
        if (
            info.compress_type == zipfile.ZIP_DEFLATED
            and info.file_size > MAX_DEFLATE_RATIO * info.compress_size + 1024
        ):
            raise ArchiveError(
                f"its member {_short(name)} claims to inflate "
                f"{info.file_size // max(info.compress_size, 1):,} times its packed size, "
                "more than deflate can"
            )

    # ------------------------------------------------------------------ data

    def read(self, key: str) -> np.ndarray:
        """The array ``key``, read from the member (at most its declared size), writeable.

        Raises
        ------
        KeyError
            If there is no such member.
        ArchiveError
            If the member is damaged or no longer matches its header.
        """
        member = self.members[key]
        if self._zip is None:
            raise ArchiveError("it is closed")
        with _damage_reported(member.info.filename):
            return self._read(member)

    def _read(self, member: Member) -> np.ndarray:
        with self._zip.open(member.info) as fp:
            header = _read_header(fp, member.info)
            if header != (member.shape, member.fortran_order, member.dtype, member.header_bytes):
                raise ArchiveError(
                    f"its member {_short(member.info.filename)} changed while being read"
                )
            count = math.prod(member.shape)
            flat = np.empty(count, member.dtype)  # (count,): bounded by the checked sizes
            view = memoryview(flat.view(np.uint8))
            done = 0
            while done < member.nbytes:
                n = fp.readinto(view[done : done + _CHUNK])
                if not n:
                    raise ArchiveError(f"its member {_short(member.info.filename)} is truncated")
                done += n
            if fp.read(1):
                raise ArchiveError(
                    f"its member {_short(member.info.filename)} holds more than its header says"
                )
        if member.fortran_order:
            return flat.reshape(member.shape[::-1]).transpose()
        return flat.reshape(member.shape)

    # ------------------------------------------------------------------ closing

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        self._file.close()

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _short(name: str) -> str:
    """A member's name for a message: quoted, escaped, at most 100 characters."""
    return repr(name if len(name) <= 100 else name[:100] + "…")


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line: runs of whitespace (newlines too) as one space, other characters
    that are not printable escaped as Python writes them, at most ``limit`` characters."""
    text = " ".join(text[: limit * 4].split())  # bounded work, whatever the error's size
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextmanager
def _damage_reported(filename: str) -> Iterator[None]:
    """Whatever zipfile or zlib raise on a member's damaged bytes becomes an ArchiveError
    naming the member; an ArchiveError passes as it is."""
    try:
        yield
    except ArchiveError:
        raise
    except Exception as error:
        raise ArchiveError(
            f"its member {_short(filename)} is damaged ({_describe(error)})"
        ) from None


def _describe(error: BaseException) -> str:
    """A short reason of one line for an error raised while reading, for a message."""
    if isinstance(error, MemoryError):
        return "not enough memory to read it"
    if isinstance(error, RecursionError):
        return "it is nested too deeply"
    if isinstance(error, OSError) and error.strerror:
        return _one_line(error.strerror, MAX_REASON)
    return _one_line(str(error) or type(error).__name__, MAX_REASON)
