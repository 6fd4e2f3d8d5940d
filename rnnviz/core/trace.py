"""What one forward and one backward pass of a recurrent layer computed, as the views read it.

All arrays in the natural time order, t = 0 … T − 1, batch-major:

``trace[k, d].h``                  hidden states h_t, (T, B, H)
``trace[k, d].c``                  LSTM cell states c_t, (T, B, H)
``trace[k, d].gates[name]``        gate activations, (T, B, H): LSTM "i" input, "f" forget,
                                   "g" candidate, "o" output; GRU "r" reset, "z" update,
                                   "n" candidate (``rnnviz.core.layers.GATE_NAMES``)
``grads.dh_norms``                 ‖∂L/∂h_t‖ per layer·direction and step, (L·D, T): the norm
                                   over batch and units of the total gradient reaching h_t
``grads.dh[k·D + d]``              that gradient itself, (T, B, H)
``grads.dc_norms``                 ‖∂L/∂c_t‖ likewise, for the LSTM's cell state (L·D, T);
                                   (0, T) for cells without one; ``grads.dc`` the gradients
``grads.norms()``                  ‖∂L/∂θ‖ for every parameter, a dict keyed like ``state_dict``

The caches hold the arrays in processing order (the backward direction reads the sequence
reversed) and, for the LSTM, feature-major (``rnnviz.core.lstm`` says why); the properties here
turn them into the order and layout above as views, without copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rnnviz.core.gru import GRUCache
from rnnviz.core.lstm import LSTMCache
from rnnviz.core.vanilla import RNNCache

__all__ = ["Cache", "DirectionTrace", "Gradients", "Trace", "step_norms"]

Cache = RNNCache | LSTMCache | GRUCache


@dataclass(frozen=True)
class DirectionTrace:
    """The forward pass of one layer in one direction, as the views read it.

    ``cache`` holds the arrays in processing order; the properties give them in natural time
    order (views, no copies), which for the backward direction is reversed.

    Attributes
    ----------
    cell : str
        The layer's family, "rnn", "lstm" or "gru".
    reverse : bool
        The backward direction (it read the sequence from the end).
    cache : RNNCache, LSTMCache or GRUCache
    gate_names : tuple of str
        The gates in the order of the cache's rows, e.g. ("i", "f", "g", "o").
    """

    cell: str
    reverse: bool
    cache: Cache
    gate_names: tuple[str, ...] = ()

    def _natural(self, a: np.ndarray) -> np.ndarray:
        return a[::-1] if self.reverse else a

    @property
    def _feature_major(self) -> bool:
        # the LSTM keeps (T, H, B) arrays for speed (see rnnviz.core.lstm)
        return isinstance(self.cache, LSTMCache)

    def _batch_major(self, a: np.ndarray) -> np.ndarray:
        return a.transpose(0, 2, 1) if self._feature_major else a

    @property
    def hidden_size(self) -> int:
        return self.cache.H.shape[1 if self._feature_major else 2]

    @property
    def _h(self) -> np.ndarray:
        # (T + 1, B, H) h_t batch-major, processing order (the LSTM keeps a batch-major copy)
        return self.cache.Hb if self._feature_major else self.cache.H

    @property
    def h(self) -> np.ndarray:
        """Hidden states h_t, (T, B, H)."""
        return self._natural(self._h[1:])

    @property
    def h_last(self) -> np.ndarray:
        """The state this direction ended in (h_n's entry), (B, H)."""
        return self._h[-1]

    @property
    def h0(self) -> np.ndarray:
        """The initial hidden state, (B, H)."""
        return self._h[0]

    @property
    def c(self) -> np.ndarray | None:
        """LSTM cell states c_t, (T, B, H); None for other cells."""
        if isinstance(self.cache, LSTMCache):
            return self._natural(self.cache.C[1:].transpose(0, 2, 1))
        return None

    @property
    def c_last(self) -> np.ndarray | None:
        """The LSTM cell state this direction ended in, (B, H); None for other cells."""
        if isinstance(self.cache, LSTMCache):
            return self.cache.C[-1].T
        return None

    @property
    def gates(self) -> dict[str, np.ndarray]:
        """Gate activations by name (``gate_names``), each (T, B, H)."""
        if not self.gate_names:
            return {}
        H = self.hidden_size
        a = self._batch_major(self._natural(self.cache.gates))  # (T, B, G·H)
        # the cache's rows may be in an order of its own (the LSTM's: i, f, o, g)
        order = getattr(self.cache, "gate_order", self.gate_names)
        rows = {name: k * H for k, name in enumerate(order)}
        return {name: a[:, :, rows[name] : rows[name] + H] for name in self.gate_names}


@dataclass(frozen=True)
class Trace:
    """Everything one forward pass computed, per layer and direction.

    Index with ``trace[layer, direction]`` (direction 0 forwards, 1 backwards) or iterate in
    PyTorch's h_n order (layer-major).
    """

    cell: str
    num_layers: int
    num_directions: int
    directions: tuple[DirectionTrace, ...]
    x: np.ndarray  # (T, B, I)

    def __getitem__(self, key: tuple[int, int]) -> DirectionTrace:
        layer, direction = key
        if not (0 <= layer < self.num_layers and 0 <= direction < self.num_directions):
            raise IndexError(
                f"no layer {layer}, direction {direction} in a trace of {self.num_layers} "
                f"layer(s) and {self.num_directions} direction(s)"
            )
        return self.directions[layer * self.num_directions + direction]

    def __iter__(self) -> Iterator[DirectionTrace]:
        return iter(self.directions)

    def __len__(self) -> int:
        return len(self.directions)


class Gradients(dict):
    """Parameter gradients keyed like ``state_dict``, with the gradient-flow figures attached.

    Attributes
    ----------
    dh : tuple of ndarray
        Per layer·direction (PyTorch's h_n order), the total gradient reaching h_t, (T, B, H),
        in natural time order.
    dh_norms : ndarray, (L·D, T)
        ‖∂L/∂h_t‖, the norm over batch and units of ``dh``: the gradient-flow curve.
    dc : tuple of ndarray
        The LSTM's: per layer·direction, the total gradient reaching its cell state c_t,
        (T, B, H), natural time order; empty for cells without a cell state.
    dc_norms : ndarray, (L·D, T), or (0, T) without a cell state
        ‖∂L/∂c_t‖, the norm over batch and units of ``dc``: the path that carries the
        LSTM's gradient back. Computed when first read (only snapshots read it, not every
        update).
    """

    dh: tuple[np.ndarray, ...]
    dh_norms: np.ndarray
    dc: tuple[np.ndarray, ...]

    @cached_property
    def dc_norms(self) -> np.ndarray:
        return step_norms(self.dc, self.dh_norms.shape[1], self.dh_norms.dtype)  # (L·D, T)

    def norms(self) -> dict[str, float]:
        """The L2 norm of every parameter's gradient."""
        return {name: float(np.linalg.norm(g)) for name, g in self.items()}


def step_norms(gradients, T: int, dtype: np.dtype) -> np.ndarray:
    """‖g_t‖ over batch and units of each of ``gradients`` ((T, B, H) each): (len, T).

    One batched dot product per array, in its own dtype (a tenth of the time of squaring into
    a float64 copy); where a float32 sum of squares overflows or may have underflowed (a
    vanishing gradient), that array is summed again in float64.
    """
    norms = np.zeros((len(gradients), T), dtype)  # (len, T)
    small = np.finfo(dtype).tiny / np.finfo(dtype).eps  # squares above it lost no digits
    for row, g in zip(norms, gradients, strict=True):
        if g.strides[1] < g.strides[2]:
            g = g.transpose(0, 2, 1)  # feature-major (LSTM): the sum does not mind the order
        flat = g.reshape(T, -1)  # (T, B·H), a view when each step's block is contiguous
        with np.errstate(over="ignore", under="ignore"):  # both are caught just below
            squares = np.matmul(flat[:, None, :], flat[:, :, None])[:, 0, 0]  # (T,)
        # an overflow, a NaN (which fails any comparison) or a sum so small that its squares
        # may have underflowed (vanishing gradients): summed again in float64
        if not (squares.max() < np.inf and squares.min() >= small):
            squares = np.square(flat, dtype=np.float64).sum(axis=1)  # (T,)
        row[...] = np.sqrt(squares)
    return norms
