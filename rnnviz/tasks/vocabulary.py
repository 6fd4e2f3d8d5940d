"""The characters a text model reads and predicts: a vocabulary numbered in code-point order,
with one-hot encoding, decoding and printable labels.

Shared by the character language model (``rnnviz.tasks.text``) and its n-gram baselines
(``rnnviz.tasks.ngram``), which both read text through it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["CHUNK", "Vocabulary", "whole"]

#: Characters are encoded in chunks of this many, to bound the temporary arrays of a large text.
CHUNK = 1 << 20

# Printable stand-ins for characters that are invisible on screen.
_LABELS = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍"}


def whole(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` as an int, or a ValueError when it is not a whole number ≥ ``minimum`` (the
    check of every count the text model's functions are given: lengths, sizes, k)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def _describe_char(ch: str) -> str:
    """``'é' (U+00E9 LATIN SMALL LETTER E WITH ACUTE)``, for error messages."""
    name = unicodedata.name(ch, "")
    return f"{ch!r} (U+{ord(ch):04X}{' ' + name if name else ''})"


class Vocabulary:
    """The characters a model reads and predicts, numbered in sorted (code point) order.

    The order depends only on the set of characters, so a vocabulary rebuilt from the same
    text, or saved as its ``chars`` and loaded again, numbers them the same way.

    Parameters
    ----------
    chars : iterable of str
        Single characters; duplicates are dropped and the rest sorted.

    Attributes
    ----------
    chars : tuple of str
        The characters, code ``i`` is ``chars[i]``.
    """

    def __init__(self, chars: Iterable[str]) -> None:
        unique = sorted(set(chars))
        if not unique:
            raise ValueError("a vocabulary needs at least one character")
        bad = [c for c in unique if not isinstance(c, str) or len(c) != 1]
        if bad:
            raise ValueError(f"a vocabulary holds single characters, got {bad[0]!r}")
        self.chars: tuple[str, ...] = tuple(unique)
        self._index = {c: i for i, c in enumerate(self.chars)}
        # sorted code points: a vectorised encode looks characters up with searchsorted
        self._points = np.array([ord(c) for c in self.chars], dtype=np.int64)  # (V,)

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The vocabulary of the characters in ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        return cls(set(text))

    @property
    def size(self) -> int:
        """V, the number of characters."""
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char: object) -> bool:
        return char in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.chars == other.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    def __repr__(self) -> str:
        shown = "".join(self.label(c) for c in self.chars[:40])
        more = "…" if self.size > 40 else ""
        return f"Vocabulary(V={self.size}: {shown}{more})"

    def index(self, char: str) -> int:
        """The code of ``char``; a ValueError naming it if it is not in the vocabulary."""
        try:
            return self._index[char]
        except (KeyError, TypeError):
            raise ValueError(self._unknown_message(char, None)) from None

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that are not in the vocabulary, in order of
        first appearance (e.g. to warn a student typing into the keyboard)."""
        return list(dict.fromkeys(c for c in text if c not in self._index))

    def _unknown_message(self, char: object, position: int | None) -> str:
        where = f" at position {position}" if position is not None else ""
        what = _describe_char(char) if isinstance(char, str) and len(char) == 1 else repr(char)
        return (
            f"the character {what}{where} is not in the vocabulary: the model never saw it in "
            f"its training text, which has {self.size} different characters"
        )

    def encode(
        self, text: str, *, skip_unknown: bool = False, dtype: np.dtype | type = np.int64
    ) -> np.ndarray:
        """The codes of the characters of ``text``.

        Parameters
        ----------
        text : str
            N characters.
        skip_unknown : bool
            Drop characters that are not in the vocabulary instead of raising (the documented
            fallback for free typing).
        dtype : integer dtype
            Of the result; a compact one (uint8 when V ≤ 256) saves memory on a large text.

        Returns
        -------
        ndarray, (N,) (fewer when characters were skipped)

        Raises
        ------
        ValueError
            Naming the first unknown character and its position (unless ``skip_unknown``).
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        V = self.size
        pieces = []
        for begin in range(0, len(text), CHUNK):
            chunk = text[begin : begin + CHUNK]
            # one unsigned 32-bit code point per character
            points = np.frombuffer(chunk.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            i = np.searchsorted(self._points, points)  # (n,)
            i_safe = np.minimum(i, V - 1)
            known = self._points[i_safe] == points  # (n,)
            if not known.all():
                if not skip_unknown:
                    first = int(np.argmin(known))
                    raise ValueError(self._unknown_message(chunk[first], begin + first))
                i_safe = i_safe[known]
            pieces.append(i_safe.astype(dtype, copy=False))
        if not pieces:
            return np.zeros(0, dtype=dtype)
        return np.concatenate(pieces)

    def decode(self, codes: Iterable[int] | np.ndarray) -> str:
        """The text of ``codes`` (any integer array or sequence, values in [0, V))."""
        codes = np.asarray(codes)
        if codes.size == 0:
            return ""
        if codes.dtype.kind not in "iu":
            raise ValueError(f"codes must be integers, got dtype {codes.dtype}")
        if codes.min() < 0 or codes.max() >= self.size:
            raise ValueError(f"codes must be in [0, {self.size}), got {codes.min()}…{codes.max()}")
        return "".join(self.chars[i] for i in codes.reshape(-1).tolist())

    def one_hot(self, codes: np.ndarray, dtype: np.dtype | type = np.float32) -> np.ndarray:
        """One-hot rows of ``codes``: shape (*codes.shape, V), a single 1 per row."""
        codes = np.asarray(codes)
        out = np.zeros((*codes.shape, self.size), dtype=dtype)  # (..., V)
        np.put_along_axis(out, codes[..., None].astype(np.intp), 1, axis=-1)
        return out

    def label(self, char_or_code: str | int) -> str:
        """A printable label: "␣" for a space, "⏎" for a line end, "⇥" for a tab."""
        char = self.chars[char_or_code] if not isinstance(char_or_code, str) else char_or_code
        if char in _LABELS:
            return _LABELS[char]
        if not char.isprintable():
            return f"U+{ord(char):04X}"
        return char
