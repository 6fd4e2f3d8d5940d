"""Text for the character model: the classroom grammar, the Zen of Python, standard-library
source, or the student's own file.

Every source returns one ``str``. Lines end with ``"\\n"`` (a ``"\\r\\n"`` or ``"\\r"`` line
ending is turned into ``"\\n"``, so that the model does not have to learn two kinds of line
end), and the text is what the character model reads, one character per time step.

The classroom corpus is generated from the lecture's sentences (``rnnviz.tasks.classroom``).

A user's file is checked before it is used, and every problem is a :class:`CorpusError` (a
``ValueError``) whose message says what is wrong and what to do: a missing or unreadable file,
a folder, a pipe or a device (refused from ``os.stat`` alone, before anything opens them: a
pipe would wait for a writer forever, a device may never end), a file too large (its size
decides, and at most ``max_bytes + 1`` bytes are ever read), a binary file (NUL bytes), text
that is not UTF-8, an empty file, or a file that repeats a single character (there is nothing
to predict).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path

from rnnviz.files import NotARegularFileError, open_regular_file, stat_regular_file
from rnnviz.tasks.classroom import classroom_text

__all__ = [
    "CORPUS_NAMES",
    "DEFAULT_MAX_BYTES",
    "STDLIB_MODULES",
    "CorpusError",
    "check_text_file",
    "load_corpus",
    "load_text_file",
    "stdlib_text",
    "zen_text",
]

#: The corpora :func:`load_corpus` knows, by the name configs use.
CORPUS_NAMES = ("classroom", "zen", "stdlib", "file")

#: The largest file :func:`load_text_file` accepts by default: 50 MB, far more than a lesson
#: needs, and small enough that the text and its codes fit in a laptop's memory.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: Pure-Python, ASCII standard-library modules whose source makes the "stdlib" corpus.
STDLIB_MODULES = (
    "textwrap", "bisect", "colorsys", "fnmatch", "queue", "glob", "copy", "operator", "calendar",
)  # fmt: skip

#: The "stdlib" corpus is cut at this many characters (about 100 KB).
STDLIB_MAX_CHARS = 100_000


class CorpusError(ValueError):
    """A corpus cannot be used; the message says why and what to do."""


# --------------------------------------------------------------------------- helpers


def _normalise_newlines(text: str) -> str:
    """``text`` with Windows (``\\r\\n``) and old Mac (``\\r``) line ends turned into ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


# --------------------------------------------------------------------------- zen


def zen_text() -> str:
    """The Zen of Python, from the standard library's ``this`` module, without printing it.

    ``this`` keeps the poem ROT13-encoded in ``this.s`` with the decoding table ``this.d``, and
    prints it when imported. The module is run here into a private namespace whose ``print``
    does nothing, so nothing reaches ``sys.stdout`` (which other threads may be writing to) and
    ``sys.modules`` is not touched: a later ``import this`` still prints, as it should.
    """
    module = sys.modules.get("this")
    if module is None:
        spec = importlib.util.find_spec("this")
        if spec is None or spec.loader is None:
            raise CorpusError("the Zen of Python (the 'this' module) is missing from this Python")
        module = types.ModuleType("this")
        # a module-level ``print`` shadows the built-in one for the module's own code only;
        # swapping sys.stdout instead would also swallow what other threads print meanwhile
        module.print = lambda *args, **kwargs: None
        spec.loader.exec_module(module)
    text = "".join(module.d.get(c, c) for c in module.s)
    return _normalise_newlines(text).strip("\n") + "\n"


# --------------------------------------------------------------------------- stdlib


def stdlib_text(
    modules: tuple[str, ...] = STDLIB_MODULES, max_chars: int = STDLIB_MAX_CHARS
) -> str:
    """Python source of a few standard-library modules, read from disk (nothing is imported).

    Parameters
    ----------
    modules : tuple of str
        Module names, in order. A module without a readable ``.py`` file (a frozen or
        byte-code-only install) is skipped.
    max_chars : int
        The text is cut after this many characters, at a line end.

    Raises
    ------
    CorpusError
        If none of the modules has readable source.
    """
    parts: list[str] = []
    total = 0
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = getattr(spec, "origin", None)
        if not origin or not origin.endswith(".py"):
            continue
        try:
            source = Path(origin).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        parts.append(_normalise_newlines(source))
        total += len(source)
        if total >= max_chars:
            break
    if not parts:
        raise CorpusError(
            f"no Python source found for the standard-library modules {', '.join(modules)}; "
            "this Python may ship byte code only: choose another corpus"
        )
    text = "\n".join(parts)
    if len(text) > max_chars:
        cut = text.rfind("\n", 0, max_chars)
        text = text[: cut if cut > 0 else max_chars]
    return text.rstrip("\n") + "\n"


# --------------------------------------------------------------------------- user file


def _refusal(shown: str, error: NotARegularFileError) -> str:
    """Why ``shown`` is no text file to learn from, in words a student knows."""
    if error.kind == "missing":
        return f"there is no file at {shown}: check the name and the folder"
    if error.kind == "a folder":
        return f"{shown} is a folder, not a text file: choose a file inside it"
    if error.kind.startswith("a "):
        return f"{shown} is {error.kind}, not a text file: choose a regular file (.txt)"
    return f"{shown} {error}"


def check_text_file(
    path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> os.stat_result:
    """Refuse, without opening it, a path that cannot be a text file to learn from.

    Only the file system's description of the path is read (``os.stat``): opening a pipe
    waits for a writer, forever if there is none, and a device may never end, so anything but
    a regular file is refused here, before any ``open``. This is what a setting is checked
    with (``task.path``), and what :func:`load_text_file` checks first.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int
        The largest file accepted, in bytes.

    Returns
    -------
    os.stat_result
        The file's description, for a caller that goes on to read it.

    Raises
    ------
    CorpusError
        If no path is given, or it is missing, unreachable, a folder, a pipe, a device or a
        socket, empty, or larger than ``max_bytes``.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a whole number ≥ 1, got {max_bytes!r}")
    shown = os.fspath(path) if isinstance(path, str | os.PathLike) else path
    if not isinstance(shown, str) or not shown.strip():
        raise CorpusError("choose a text file to learn from (no file was given)")
    if "\x00" in shown:
        raise CorpusError(f"{shown!r} is not a file name (it contains a NUL character)")
    try:
        info = stat_regular_file(shown)
    except NotARegularFileError as error:
        raise CorpusError(_refusal(shown, error)) from None
    if info.st_size == 0:
        raise CorpusError(f"{shown} is empty: the model needs some text to learn from")
    if info.st_size > max_bytes:
        raise CorpusError(
            f"{shown} is too large ({_mb(info.st_size)}); the limit is {_mb(max_bytes)}: "
            "use a smaller part of it"
        )
    return info


def _read_regular_file(shown: str, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of the regular file ``shown``, opened without waiting
    and checked again once open (``rnnviz.files.open_regular_file``): had the path been
    swapped for a pipe since :func:`check_text_file` looked, it is refused instead of read."""
    try:
        with open_regular_file(shown) as f:
            return f.read(max_bytes + 1)  # one byte more than allowed tells "too large"
    except NotARegularFileError as error:
        raise CorpusError(_refusal(shown, error)) from None
    except OSError as error:
        raise CorpusError(f"{shown} cannot be read: {error.strerror or error}") from None


def load_text_file(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of the student's own file, checked so that a bad file gets a clear message.

    The path is checked before it is opened (:func:`check_text_file`): only a regular file of
    at most ``max_bytes`` bytes is opened, and at most ``max_bytes + 1`` bytes of it are read
    (a file that grew meanwhile is still refused as too large). A UTF-8 byte-order mark is
    dropped and line ends become ``"\\n"``.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int
        The largest file accepted, in bytes (50 MB by default).

    Returns
    -------
    str

    Raises
    ------
    CorpusError
        If the file is missing, not a regular file (a folder, a pipe, a device), unreadable,
        larger than ``max_bytes``, binary (contains NUL bytes), not UTF-8, empty (or only
        white space), or made of one repeated character.
    """
    check_text_file(path, max_bytes)
    shown = os.fspath(path)
    raw = _read_regular_file(shown, max_bytes)
    if len(raw) > max_bytes:
        raise CorpusError(
            f"{shown} is too large (more than {_mb(max_bytes)}): use a smaller part of it"
        )
    if not raw:
        raise CorpusError(f"{shown} is empty: the model needs some text to learn from")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorpusError(
            f"{shown} is UTF-16 text; rnnviz reads UTF-8: save it again as UTF-8 "
            "(most editors offer this under 'Save as… / Encoding')"
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise CorpusError(
            f"{shown} looks like a binary file, not text (it contains a NUL byte at byte {nul}): "
            "choose a plain text file (.txt)"
        )
    try:
        text = raw.decode("utf-8-sig")  # -sig: drop the byte-order mark some editors write
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CorpusError(
            f"{shown} is not UTF-8 text: byte 0x{raw[error.start]:02x} at byte {error.start} "
            f"(line {line}) cannot be decoded; save the file again as UTF-8"
        ) from None
    text = _normalise_newlines(text)
    if not text.strip():
        raise CorpusError(f"{shown} holds only white space: the model needs some text to learn")
    distinct = set(text)
    if len(distinct) < 2:
        raise CorpusError(
            f"{shown} repeats a single character ({next(iter(distinct))!r}): there is nothing "
            "to predict; choose a file with real text"
        )
    return text


# --------------------------------------------------------------------------- dispatch


def load_corpus(name: str, path: str | os.PathLike[str] = "", seed: int = 0) -> str:
    """The text of the corpus called ``name`` (one of ``CORPUS_NAMES``).

    Parameters
    ----------
    name : str
        "classroom", "zen", "stdlib" or "file".
    path : str or path-like
        The file, for "file" only.
    seed : int
        Seeds the classroom generator.

    Raises
    ------
    CorpusError
        For an unknown name, a missing path, or a bad file (see :func:`load_text_file`).
    """
    name = str(getattr(name, "value", name))
    if name == "classroom":
        return classroom_text(seed)
    if name == "zen":
        return zen_text()
    if name == "stdlib":
        return stdlib_text()
    if name == "file":
        if not str(path):
            raise CorpusError("choose a text file to learn from (no file was given)")
        return load_text_file(path)
    raise CorpusError(f"unknown corpus {name!r}; choose one of {', '.join(CORPUS_NAMES)}")
