"""The errors a session or weights file raises: one short line naming the file and why."""

from __future__ import annotations

from pathlib import Path

__all__ = ["MAX_MESSAGE", "MAX_REASON", "SessionError", "SessionTargetError", "label", "reason"]

#: Longest message of a SessionError; a longer one keeps its start and its end.
MAX_MESSAGE = 500
#: Longest reason quoted from an exception in a message.
MAX_REASON = 200


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


def label(path: Path) -> str:
    """How a message names the file at ``path``."""
    return path.name or str(path) or "''"


def reason(error: BaseException) -> str:
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
