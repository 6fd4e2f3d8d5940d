"""Bounded histories of a run that still cover the whole run.

A ``DecimatingHistory`` keeps at most ``capacity`` rows. When it is full it drops every second
row and from then on records only every second iteration it is offered (the stride doubles), so
an hour-long run and a ten-second one both give a curve of at most ``capacity`` points from the
first iteration to the latest, and memory stays flat.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DecimatingHistory"]


class DecimatingHistory:
    """Rows of ``width`` float32 values, one per recorded iteration.

    Parameters
    ----------
    capacity : int
        Most rows kept (≥ 2).
    width : int or tuple of int
        Shape of one row, e.g. ``(L·D, T)`` for the per-step gradient norms.
    """

    def __init__(self, capacity: int, width: int | tuple[int, ...] = ()) -> None:
        if capacity < 2:
            raise ValueError(f"a history needs room for at least 2 rows, got {capacity}")
        shape = (width,) if isinstance(width, int) else tuple(width)
        self.capacity = capacity
        self.stride = 1
        self._iterations = np.zeros(capacity, np.int64)  # (N,)
        self._values = np.zeros((capacity, *shape), np.float32)  # (N, *row)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def offer(self, iteration: int, value) -> None:
        """Record ``value`` for ``iteration`` if it falls on the current stride."""
        if iteration % self.stride:
            return
        if self._size == self.capacity:
            keep = slice(0, self.capacity, 2)
            n = len(range(*keep.indices(self.capacity)))
            self._iterations[:n] = self._iterations[keep]
            self._values[:n] = self._values[keep]
            self._size = n
            self.stride *= 2
            if iteration % self.stride:
                return
        self._iterations[self._size] = iteration
        self._values[self._size] = value
        self._size += 1

    def iterations(self) -> np.ndarray:
        """The recorded iteration numbers, (n,), a copy."""
        return self._iterations[: self._size].copy()

    def values(self) -> np.ndarray:
        """The recorded rows, (n, *row), a copy."""
        return self._values[: self._size].copy()

    def state(self) -> dict[str, np.ndarray]:
        """Plain arrays for a session file."""
        return {
            "iterations": self.iterations(),
            "values": self.values(),
            "stride": np.array(self.stride, np.int64),
        }

    def load_state(self, state: dict[str, np.ndarray], *, finite: bool = True) -> None:
        """Restore from ``state()``; raises ValueError if the arrays do not fit.

        Everything is checked before anything changes: ``iterations`` a 1-d integer array of
        at most ``capacity`` strictly increasing numbers ≥ 0, ``values`` floating point of the
        row shape, each value within float32 (a finite value that would overflow is refused),
        and all finite when ``finite`` (a loss is; a metric may be NaN), ``stride`` a power of
        two.
        """
        iterations = np.asarray(state["iterations"])
        values = np.asarray(state["values"])
        stride = np.asarray(state["stride"])
        n = iterations.shape[0] if iterations.ndim == 1 else -1
        if n < 0 or n > self.capacity or values.shape != (n, *self._values.shape[1:]):
            raise ValueError("a history in the file does not fit this run's shape")
        if iterations.dtype.kind not in "iu" or values.dtype.kind != "f":
            raise ValueError("a history in the file holds values of the wrong type")
        if stride.shape != () or stride.dtype.kind not in "iu":
            raise ValueError("a history in the file has an invalid stride")
        stride = int(stride)
        if stride < 1 or stride > 2**62 or stride & (stride - 1):
            raise ValueError(f"a history in the file has an invalid stride {stride}")
        if n and (
            int(iterations.min()) < 0
            or int(iterations.max()) >= 2**63
            or (np.diff(iterations.astype(np.float64)) <= 0).any()
        ):
            raise ValueError("a history in the file has iterations out of order or range")
        with np.errstate(over="ignore", invalid="ignore"):  # overflow shows as inf just below
            cast = values.astype(np.float32)
        overflow = ~np.isfinite(cast) & np.isfinite(values)
        if overflow.any():
            raise ValueError("a history in the file holds values too large for float32")
        if finite and not np.isfinite(cast).all():
            raise ValueError("a history in the file holds NaN or infinite values")
        self._iterations[:n] = iterations
        self._values[:n] = cast
        self._size = n
        self.stride = stride
