"""The checks a saved state passes before anything of it is loaded (the readout's and the
optimiser's ``load_state_dict``): exactly the expected keys, and every array of the shape of the
one it replaces, floating point and finite once cast to its dtype. Each failure is a ValueError
that names the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = ["check_keys", "saved_array"]


def check_keys(state: Any, expected: Iterable[str], what: str = "state") -> None:
    """A ValueError unless ``state`` is a mapping with exactly the ``expected`` keys.

    Parameters
    ----------
    state : object
        What is to be loaded.
    expected : iterable of str
        The keys it must have.
    what : str
        How the messages name it, e.g. "optimizer state".
    """
    if not isinstance(state, Mapping):
        raise ValueError(f"{what} must be a mapping of names to arrays, got {type(state)}")
    expected = list(expected)
    missing = [k for k in expected if k not in state]
    if missing:
        raise ValueError(f"{what} is missing the key(s) {missing}")
    extra = [k for k in state if k not in expected]
    if extra:
        raise ValueError(f"{what} has unexpected key(s) {extra}")


def saved_array(key: str, value: Any, like: np.ndarray) -> np.ndarray:
    """``value`` checked to replace the array ``like`` and cast to its dtype.

    Parameters
    ----------
    key : str
        The entry's name, for the messages.
    value : array_like
        The saved values: ``like``'s shape, floating point.
    like : ndarray
        The array it replaces.

    Returns
    -------
    ndarray
        ``value`` in ``like``'s dtype (not a copy if it already was).

    Raises
    ------
    ValueError
        On another shape, a dtype that is not floating point, or a NaN or an infinity (also
        one that a value too large for ``like``'s dtype became in the cast).
    """
    a = np.asarray(value)
    if a.shape != like.shape:
        raise ValueError(f"state[{key!r}] must have shape {like.shape}, got {a.shape}")
    if a.dtype.kind != "f":
        raise ValueError(f"state[{key!r}] must be floating-point, got dtype {a.dtype}")
    with np.errstate(over="ignore"):  # an overflow shows up as inf just below
        a = a.astype(like.dtype, copy=False)
    if not np.isfinite(a).all():
        raise ValueError(
            f"state[{key!r}] contains NaN or infinite values (or values too large for {like.dtype})"
        )
    return a
