"""One direction of one layer run on its batch in slices, one a thread (``rnnviz.core.threads``).

The sequences of a batch never meet inside a cell, so each slice b of the batch runs the cell's
own forward and backward on its own; what the slices give back is joined along the batch, and
the parameter gradients, sums over the batch, are the sums of the slices':

    dW = Σ_b dW^(b),   db = Σ_b db^(b)                 dx, dh0, dc0, ∂L/∂h_t, ∂L/∂c_t: joined

Each slice has a workspace of its own (``rnnviz.core.workspace``): a workspace is never used by
two threads at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

import numpy as np

from rnnviz.core.gru import GRUCache
from rnnviz.core.lstm import LSTMCache
from rnnviz.core.threads import run_slices
from rnnviz.core.vanilla import RNNCache
from rnnviz.core.workspace import Workspace

__all__ = ["SplitCache", "join_batch", "split_backward", "split_forward"]

Cache = RNNCache | LSTMCache | GRUCache


@dataclass(frozen=True)
class SplitCache:
    """The caches of a forward pass run in batch slices.

    Attributes
    ----------
    parts : tuple of RNNCache, LSTMCache or GRUCache
        One per slice, each the cell's own cache of its sequences.
    slices : tuple of slice
        The sequences of each part, contiguous and in order, covering the batch.
    """

    parts: tuple[Cache, ...]
    slices: tuple[slice, ...]


def join_batch(parts: list[np.ndarray | None], axis: int) -> np.ndarray | None:
    """The slices' arrays joined along the batch ``axis``; None when they are None."""
    if parts[0] is None:
        return None
    return np.concatenate(parts, axis=axis)


def _rows(a: np.ndarray | None, s: slice) -> np.ndarray | None:
    return None if a is None else a[s]


def split_forward(
    cell_forward: Callable[..., Cache],
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray | None,
    weights: tuple[np.ndarray, ...],
    slices: list[slice],
    workspaces: list[Workspace],
) -> SplitCache:
    """``cell_forward(x, h0, c0, weights, workspace)`` over each batch slice, at once.

    ``x`` (T, B, I); ``h0`` and ``c0`` (B, H), c0 None but for the LSTM; ``workspaces`` one
    per slice.
    """

    def work(k: int) -> Cache:
        s = slices[k]
        x_s = np.ascontiguousarray(x[:, s])  # (T, b, I) the slice's sequences
        return cell_forward(x_s, h0[s], _rows(c0, s), weights, workspaces[k])

    return SplitCache(tuple(run_slices(work, len(slices))), tuple(slices))


def split_backward(
    cell_backward: Callable[..., tuple],
    dy: np.ndarray | None,
    dh_last: np.ndarray | None,
    dc_last: np.ndarray | None,
    cache: SplitCache,
    need_dx: bool,
    workspaces: list[Workspace],
) -> tuple:
    """``cell_backward`` over each slice of a ``split_forward``, at once, joined.

    The arguments and results are ``RecurrentLayer._cell_backward``'s: dy (T, B, H) or None,
    dh_last and dc_last (B, H) or None; back come dx (T, B, I) or None, dh0 (B, H), dc0 (B, H)
    or None, the weight gradients summed over the slices, ∂L/∂h_t and ∂L/∂c_t (T, B, H).
    """
    slices = cache.slices

    def work(k: int) -> tuple:
        s = slices[k]
        dy_s = None if dy is None else dy[:, s]  # (T, b, H)
        dh_s, dc_s = _rows(dh_last, s), _rows(dc_last, s)  # (b, H) each, or None
        return cell_backward(dy_s, dh_s, dc_s, cache.parts[k], need_dx, workspaces[k])

    results = run_slices(work, len(slices))
    dxs, dh0s, dc0s, grads, dHs, dCs = zip(*results, strict=True)
    total = {name: reduce(np.add, (g[name] for g in grads)) for name in grads[0]}  # new arrays
    return (
        join_batch(list(dxs), 1),  # (T, B, I) or None
        join_batch(list(dh0s), 0),  # (B, H)
        join_batch(list(dc0s), 0),  # (B, H) or None
        total,
        join_batch(list(dHs), 1),  # (T, B, H)
        join_batch(list(dCs), 1),  # (T, B, H) or None
    )
