"""What the ``rnnviz`` command prints: one-line messages on stderr, strict JSON on stdout and the
progress bar of ``rnnviz train``.

Every bad input is one line ``rnnviz: …`` (``say``), raised as a ``UsageError`` where it is found
and printed once by ``rnnviz.cli.main``, which exits with status 2.
"""

from __future__ import annotations

import json
import math
import re
import sys

__all__ = [
    "MAX_MESSAGE",
    "UsageError",
    "end_progress_line",
    "one_line",
    "print_json",
    "progress",
    "progress_line",
    "say",
]

#: The longest message line rnnviz prints; a longer one (a huge value quoted back) keeps its
#: start and its end, joined by "…".
MAX_MESSAGE = 600
#: Characters that would break the one line or be invisible: shown escaped, as Python writes
#: them (a path with a newline in it reads "/tmp/a\nb").
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class UsageError(Exception):
    """A bad preset name, setting or file: one line for the user, exit status 2."""


def one_line(text: str) -> str:
    """``text`` as one line of at most MAX_MESSAGE characters."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    if len(text) > MAX_MESSAGE:
        text = f"{text[: MAX_MESSAGE - 160]} … {text[-150:]}"
    return text


def say(text: str) -> None:
    """One line ``rnnviz: text`` on stderr, whatever ``text`` holds."""
    print(f"rnnviz: {one_line(text)}", file=sys.stderr)


def _finite(value: object) -> object:
    """``value`` with NaN and infinities as None: JSON has no such numbers (Python would write
    ``NaN``, which strict JSON readers refuse). The loss before the first update is NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def print_json(result: dict, indent: int | None = None) -> None:
    """``result`` on stdout as strict JSON (NaN and infinities as null)."""
    print(json.dumps(_finite(result), allow_nan=False, indent=indent))


# whether the progress bar's line on stderr waits for its end (a message then starts a new one)
_progress_line_open = False


def progress(done: int, total: int, loss: float, width: int = 30) -> None:
    """The progress bar of ``rnnviz train``, redrawn in place on stderr."""
    # .4g: a diverging loss of 1e30 stays one short number, not 31 digits
    progress_line(done, total, f"loss {loss:.4g}", width)


def progress_line(done: int, total: int, note: str, width: int = 30) -> None:
    """A progress bar with ``note`` after it (``rnnviz sweep``: the run that finished)."""
    global _progress_line_open
    filled = int(width * done / max(total, 1))
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total}  {note}", end="", file=sys.stderr, flush=True)
    _progress_line_open = True


def end_progress_line() -> None:
    """End the progress bar's line, if one is open, so that a message starts on its own."""
    global _progress_line_open
    if _progress_line_open:
        print(file=sys.stderr)
        _progress_line_open = False
