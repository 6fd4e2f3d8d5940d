"""The checks a saved state passes before anything of it is loaded (the ``load_state_dict`` of
the recurrent layers, the readout and the optimisers): exactly the expected keys, and every
array of the shape of the one it replaces, of numbers, finite once cast to its dtype. Each
failure is a ValueError that names the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = ["check_keys", "saved_array"]


def check_keys(
    state: Any, expected: Mapping[str, tuple[int, ...]] | Iterable[str], what: str = "state"
) -> None:
    """A ValueError unless ``state`` is a mapping with exactly the ``expected`` keys.

    Parameters
    ----------
    state : object
        What is to be loaded.
    expected : mapping of str to tuple of int, or iterable of str
        The keys it must have; given with their shapes, a missing key's message says its shape.
    what : str
        How the messages name it, e.g. "optimizer state".
    """
    if not isinstance(state, Mapping):
        raise ValueError(f"{what} must be a mapping of names to arrays, got {type(state)}")
    shapes = dict(expected) if isinstance(expected, Mapping) else dict.fromkeys(expected)
    missing = [k for k in shapes if k not in state]
    if missing:
        shape = shapes[missing[0]]
        expecting = "" if shape is None else f" (expected shape {tuple(shape)})"
        raise ValueError(f"{what} is missing {missing[0]!r}{expecting}")
    extra = [k for k in state if k not in shapes]
    if extra:
        raise ValueError(
            f"{what} has an unexpected entry {extra[0]!r}; it takes {', '.join(map(str, shapes))}"
        )


def saved_array(key: str, value: Any, like: np.ndarray, *, kinds: str = "f") -> np.ndarray:
    """``value`` checked to replace the array ``like`` and cast to its dtype.

    Parameters
    ----------
    key : str
        The entry's name, for the messages.
    value : array_like
        The saved values: ``like``'s shape, of a dtype kind in ``kinds``.
    like : ndarray
        The array it replaces.
    kinds : str
        The dtype kinds taken (NumPy's ``dtype.kind``): "f" floating point only, "fiu" integers
        too (weights saved by other tools may be whole numbers).

    Returns
    -------
    ndarray
        ``value`` in ``like``'s dtype (not a copy if it already was).

    Raises
    ------
    ValueError
        On another shape, another dtype kind, or a NaN or an infinity (also one that a value
        too large for ``like``'s dtype became in the cast).
    """
    a = np.asarray(value)
    if a.dtype.kind not in kinds:
        wanted = "numbers" if "i" in kinds else "floating-point numbers"
        raise ValueError(f"{key!r} must hold {wanted}, got dtype {a.dtype}")
    if a.shape != like.shape:
        raise ValueError(f"{key!r} has shape {a.shape}, expected {like.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow shows up as inf just below
        a = a.astype(like.dtype, copy=False)
    if not np.isfinite(a).all():
        raise ValueError(
            f"{key!r} holds NaN or infinite values (or values too large for {like.dtype})"
        )
    return a
