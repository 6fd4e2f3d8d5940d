"""Stacked and bidirectional recurrent layers with PyTorch's equations and parameter layout.

A layer of ``num_layers`` stacked cells, each run forwards and, when ``bidirectional``, also
backwards in time (``D = 2`` directions):

    layer 0 reads x_t;  layer k > 0 reads [h_t^{(k−1, →)}; h_t^{(k−1, ←)}]   (D·H features)
    y_t = [h_t^{(L−1, →)}; h_t^{(L−1, ←)}]                                       (T, B, D·H)
    h_n[k·D + d] = the last state direction d of layer k reached; for the backward direction
                   that is its state at t = 1, as in PyTorch.

The parameters are those of ``torch.nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, under the same names:
``weight_ih_l{k}`` (G·H, I_k), ``weight_hh_l{k}`` (G·H, H), ``bias_ih_l{k}`` and ``bias_hh_l{k}``
(G·H,), with ``_reverse`` appended for the backward direction, where G = 1 (RNN), 4 (LSTM, gates
i f g o) or 3 (GRU, gates r z n); all initialised uniform in ±1/√H.

What the views read (all arrays in the natural time order, t = 0 … T − 1):

``trace[k, d].h``                  hidden states h_t, (T, B, H)
``trace[k, d].c``                  LSTM cell states c_t, (T, B, H)
``trace[k, d].gates[name]``        gate activations, (T, B, H): LSTM "i" input, "f" forget,
                                   "g" candidate, "o" output; GRU "r" reset, "z" update,
                                   "n" candidate (see ``GATE_NAMES``)
``grads.dh_norms``                 ‖∂L/∂h_t‖ per layer·direction and step, (L·D, T): the norm
                                   over batch and units of the total gradient reaching h_t
``grads.dh[k·D + d]``              that gradient itself, (T, B, H)
``grads.norms()``                  ‖∂L/∂θ‖ for every parameter, a dict keyed like ``state_dict``
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from rnnviz.core.gru import GRUCache, gru_backward, gru_forward
from rnnviz.core.lstm import LSTMCache, lstm_backward, lstm_forward
from rnnviz.core.vanilla import NONLINEARITIES, RNNCache, rnn_backward, rnn_forward

__all__ = [
    "GATE_DESCRIPTIONS",
    "GATE_NAMES",
    "GRU",
    "LSTM",
    "RNN",
    "DirectionTrace",
    "Gradients",
    "RecurrentLayer",
    "Trace",
]

GATE_NAMES: dict[str, tuple[str, ...]] = {
    "rnn": (),
    "lstm": ("i", "f", "g", "o"),
    "gru": ("r", "z", "n"),
}

GATE_DESCRIPTIONS: dict[str, str] = {
    "i": "input gate i: how much new input is written to the memory",
    "f": "forget gate f: how much of the memory is kept",
    "g": "candidate g: the new values that may be written",
    "o": "output gate o: how much of the memory is let out",
    "r": "reset gate r: how much of the past enters the candidate",
    "z": "update gate z: how much of the past state is kept",
    "n": "candidate n: the new state proposed",
}

Cache = RNNCache | LSTMCache | GRUCache
State = np.ndarray | tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class DirectionTrace:
    """The forward pass of one layer in one direction, as the views read it.

    ``cache`` holds the arrays in processing order; the properties give them in natural time
    order (views, no copies), which for the backward direction is reversed.
    """

    cell: str
    reverse: bool
    cache: Cache

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
    def h(self) -> np.ndarray:
        """Hidden states h_t, (T, B, H)."""
        return self._natural(self._batch_major(self.cache.H[1:]))

    @property
    def h_last(self) -> np.ndarray:
        """The state this direction ended in (h_n's entry), (B, H)."""
        return self._batch_major(self.cache.H[-1:])[0]

    @property
    def h0(self) -> np.ndarray:
        """The initial hidden state, (B, H)."""
        return self._batch_major(self.cache.H[:1])[0]

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
        """Gate activations by name (``GATE_NAMES[cell]``), each (T, B, H)."""
        names = GATE_NAMES[self.cell]
        if not names:
            return {}
        H = self.hidden_size
        if self._feature_major:
            a = self._natural(self.cache.gates)  # (T, G·H, B)
            return {n: a[:, k * H : (k + 1) * H].transpose(0, 2, 1) for k, n in enumerate(names)}
        a = self._natural(self.cache.gates)  # (T, B, G·H)
        return {name: a[:, :, k * H : (k + 1) * H] for k, name in enumerate(names)}


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

    @property
    def seq_len(self) -> int:
        return self.x.shape[0]

    @property
    def batch_size(self) -> int:
        return self.x.shape[1]


class Gradients(dict):
    """Parameter gradients keyed like ``state_dict``, with the gradient-flow figures attached.

    Attributes
    ----------
    dh : tuple of ndarray
        Per layer·direction (PyTorch's h_n order), the total gradient reaching h_t, (T, B, H),
        in natural time order.
    dh_norms : ndarray, (L·D, T)
        ‖∂L/∂h_t‖, the norm over batch and units of ``dh``: the gradient-flow curve.
    """

    dh: tuple[np.ndarray, ...]
    dh_norms: np.ndarray

    def norms(self) -> dict[str, float]:
        """The L2 norm of every parameter's gradient."""
        return {name: float(np.linalg.norm(g)) for name, g in self.items()}


class RecurrentLayer:
    """Stacked, optionally bidirectional recurrent layer (base of ``RNN``, ``LSTM``, ``GRU``).

    Parameters
    ----------
    input_size : int
        Features per step of the input, I.
    hidden_size : int
        Units per layer and direction, H.
    num_layers : int
        Stacked layers, L ≥ 1.
    bidirectional : bool
        Also run every layer backwards in time (D = 2).
    dtype : numpy float dtype
        float32 (speed) or float64 (checks); kept through forward and backward.
    seed : int
        Seed of the uniform ±1/√H initialisation.
    """

    cell: ClassVar[str]
    gate_count: ClassVar[int]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dtype: np.dtype | type = np.float32,
        seed: int = 0,
    ) -> None:
        for name, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
        if not isinstance(bidirectional, bool | np.bool_):
            raise ValueError(f"bidirectional must be True or False, got {bidirectional!r}")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.num_layers = int(num_layers)
        self.bidirectional = bool(bidirectional)
        self.num_directions = 2 if self.bidirectional else 1
        self.dtype = dtype
        self.seed = seed
        self.params: dict[str, np.ndarray] = {}
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.hidden_size)
        for name, shape in self.parameter_shapes().items():
            self.params[name] = rng.uniform(-bound, bound, size=shape).astype(dtype)

    # ---------------------------------------------------------------- parameters

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """PyTorch's parameter names and shapes, in PyTorch's order."""
        G, H, D = self.gate_count, self.hidden_size, self.num_directions
        shapes: dict[str, tuple[int, ...]] = {}
        for k in range(self.num_layers):
            inputs = self.input_size if k == 0 else D * H
            for suffix in ("", "_reverse")[:D]:
                shapes[f"weight_ih_l{k}{suffix}"] = (G * H, inputs)
                shapes[f"weight_hh_l{k}{suffix}"] = (G * H, H)
                shapes[f"bias_ih_l{k}{suffix}"] = (G * H,)
                shapes[f"bias_hh_l{k}{suffix}"] = (G * H,)
        return shapes

    def num_parameters(self) -> int:
        """How many numbers the layer learns."""
        return sum(p.size for p in self.params.values())

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameters under PyTorch's names."""
        return {name: p.copy() for name, p in self.params.items()}

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Load parameters saved under PyTorch's names.

        Everything is checked before anything is loaded: a missing, extra, mis-shaped,
        non-numeric or non-finite entry is a ``ValueError`` naming the key, and the layer keeps
        its parameters.
        """
        if not isinstance(state, Mapping):
            raise ValueError(f"state must be a mapping of names to arrays, got {type(state)}")
        shapes = self.parameter_shapes()
        missing = [k for k in shapes if k not in state]
        if missing:
            name = missing[0]
            raise ValueError(f"state_dict is missing {name!r} (expected shape {shapes[name]})")
        extra = [k for k in state if k not in shapes]
        if extra:
            raise ValueError(
                f"state_dict has an unexpected entry {extra[0]!r}: this {self.describe()} has "
                f"{', '.join(shapes)}"
            )
        loaded = {}
        for name, shape in shapes.items():
            value = np.asarray(state[name])
            if value.dtype.kind not in "fiu":
                raise ValueError(f"{name!r} must hold numbers, got dtype {value.dtype}")
            if value.shape != shape:
                raise ValueError(f"{name!r} has shape {value.shape}, expected {shape}")
            # cast first: a finite float64 such as 1e300 becomes inf in float32
            with np.errstate(over="ignore", invalid="ignore"):
                value = value.astype(self.dtype, copy=True)
            if not np.all(np.isfinite(value)):
                raise ValueError(
                    f"{name!r} holds NaN or infinite values (or values too large for {self.dtype})"
                )
            loaded[name] = value
        for name, value in loaded.items():
            self.params[name][...] = value

    def describe(self) -> str:
        """A short human description, e.g. '2-layer bidirectional LSTM (H=64)'."""
        layers = f"{self.num_layers}-layer " if self.num_layers > 1 else ""
        bi = "bidirectional " if self.bidirectional else ""
        return f"{layers}{bi}{self.cell_title} (H={self.hidden_size})"

    @property
    def cell_title(self) -> str:
        return self.cell.upper()

    def _weights(self, k: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        suffix = "_reverse" if d == 1 else ""
        p = self.params
        return (
            p[f"weight_ih_l{k}{suffix}"],
            p[f"weight_hh_l{k}{suffix}"],
            p[f"bias_ih_l{k}{suffix}"],
            p[f"bias_hh_l{k}{suffix}"],
        )

    # ---------------------------------------------------------------- validation

    def _check_x(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype.kind not in "fiub":
            raise ValueError(f"x must hold numbers, got dtype {x.dtype}")
        if x.ndim != 3:
            raise ValueError(
                f"x must be 3-D (time steps, batch, features), got shape {x.shape}; "
                "rnnviz is time-major like PyTorch's default"
            )
        T, B, I = x.shape
        if T < 1 or B < 1:
            raise ValueError(f"x needs at least one time step and one sequence, got {x.shape}")
        if I != self.input_size:
            raise ValueError(f"x has {I} features per step, this layer expects {self.input_size}")
        x = x.astype(self.dtype, copy=False)
        if not np.all(np.isfinite(x)):
            raise ValueError("x holds NaN or infinite values")
        return x

    def _check_state(self, name: str, s: np.ndarray, B: int) -> np.ndarray:
        s = np.asarray(s)
        if s.dtype.kind not in "fiu":
            raise ValueError(f"{name} must hold numbers, got dtype {s.dtype}")
        expected = (self.num_layers * self.num_directions, B, self.hidden_size)
        if s.shape != expected:
            raise ValueError(
                f"{name} has shape {s.shape}, expected {expected} "
                "(layers × directions, batch, hidden size)"
            )
        s = s.astype(self.dtype, copy=False)
        if not np.all(np.isfinite(s)):
            raise ValueError(f"{name} holds NaN or infinite values")
        return s

    def _split_state(
        self, state: State | None, name: str, B: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(h, c) from a user state; c is None except for the LSTM."""
        shape = (self.num_layers * self.num_directions, B, self.hidden_size)
        if self.cell == "lstm":
            if state is None:
                return np.zeros(shape, self.dtype), np.zeros(shape, self.dtype)
            if not isinstance(state, tuple | list) or len(state) != 2:
                raise ValueError(f"an LSTM's {name} is a pair (h, c) of arrays shaped {shape}")
            return (
                self._check_state(f"{name}[0] (h)", state[0], B),
                self._check_state(f"{name}[1] (c)", state[1], B),
            )
        if state is None:
            return np.zeros(shape, self.dtype), None
        if isinstance(state, tuple | list):
            raise ValueError(
                f"{name} of a {self.cell_title} is one array shaped {shape}, not a pair"
            )
        return self._check_state(name, state, B), None

    # ---------------------------------------------------------------- forward / backward

    def _cell_forward(self, x, h0, c0, weights) -> Cache:
        raise NotImplementedError

    def _cell_backward(self, dy, dh_last, dc_last, cache, need_dx):
        raise NotImplementedError

    def forward(self, x: np.ndarray, h0: State | None = None) -> tuple[np.ndarray, State, Trace]:
        """Run the network over a sequence.

        Parameters
        ----------
        x : ndarray, (T, B, input_size)
            Time-major input; cast to the layer's dtype.
        h0 : ndarray (L·D, B, H), or (h0, c0) pair for the LSTM, optional
            Initial states in PyTorch's order (layer-major, forward before backward); zeros
            when omitted.

        Returns
        -------
        y : ndarray, (T, B, D·H)
            The top layer's hidden states, directions concatenated.
        h_n : ndarray (L·D, B, H), or (h_n, c_n) pair for the LSTM
            Final states.
        trace : Trace
            Everything the backward pass and the views need.
        """
        x = self._check_x(x)
        T, B, _ = x.shape
        H, D = self.hidden_size, self.num_directions
        h0_all, c0_all = self._split_state(h0, "h0", B)
        directions: list[DirectionTrace] = []
        layer_in = x  # (T, B, I_k)
        for k in range(self.num_layers):
            outs = []
            for d in range(D):
                j = k * D + d
                xin = layer_in if d == 0 else np.ascontiguousarray(layer_in[::-1])
                c0 = None if c0_all is None else c0_all[j]
                cache = self._cell_forward(xin, h0_all[j], c0, self._weights(k, d))
                dtrace = DirectionTrace(self.cell, reverse=d == 1, cache=cache)
                directions.append(dtrace)
                outs.append(dtrace.h)
            layer_in = outs[0] if D == 1 else np.concatenate(outs, axis=2)  # (T, B, D·H)
        y = np.ascontiguousarray(layer_in)  # (T, B, D·H)
        h_n = np.stack([dt.h_last for dt in directions])  # (L·D, B, H)
        if self.cell == "lstm":
            c_n = np.stack([dt.c_last for dt in directions])  # (L·D, B, H)
            state: State = (h_n, c_n)
        else:
            state = h_n
        trace = Trace(self.cell, self.num_layers, D, tuple(directions), x)
        assert y.shape == (T, B, D * H)
        return y, state, trace

    def backward(
        self,
        dy: np.ndarray | None,
        trace: Trace,
        dh_n: State | None = None,
        *,
        need_dx: bool = True,
    ) -> tuple[Gradients, np.ndarray | None, State]:
        """Back-propagate through time and through the stack.

        Parameters
        ----------
        dy : ndarray, (T, B, D·H), or None
            Gradient of the loss with respect to ``y`` (None: the loss does not read y).
        trace : Trace
            From ``forward``; it is not modified, so backward may run again on it.
        dh_n : like ``h_n``, optional
            Gradient with respect to the final states.
        need_dx : bool
            Compute the gradient with respect to ``x``; training on data does not need it, and
            skipping it saves one matmul per direction.

        Returns
        -------
        grads : Gradients
            Keyed like ``state_dict``, with ``dh`` and ``dh_norms`` attached.
        dx : ndarray, (T, B, input_size), or None when ``need_dx`` is False
        dh0 : like ``h0``
            Gradient with respect to the initial states.
        """
        if not isinstance(trace, Trace) or trace.cell != self.cell:
            raise ValueError(f"backward needs the Trace of this {self.cell_title}'s forward pass")
        if trace.num_layers != self.num_layers or trace.num_directions != self.num_directions:
            raise ValueError("that trace comes from a layer of another shape")
        T, B = trace.seq_len, trace.batch_size
        H, D, L = self.hidden_size, self.num_directions, self.num_layers
        if dy is not None:
            dy = np.asarray(dy)
            if dy.shape != (T, B, D * H):
                raise ValueError(f"dy has shape {dy.shape}, expected {(T, B, D * H)} like y")
            dy = dy.astype(self.dtype, copy=False)
            if not np.all(np.isfinite(dy)):
                raise ValueError("dy holds NaN or infinite values")
        if dh_n is None:
            dh_all, dc_all = None, None
        else:
            dh_all, dc_all = self._split_state(dh_n, "dh_n", B)

        grads = Gradients()
        dh_list: list[np.ndarray | None] = [None] * (L * D)
        dh0 = np.zeros((L * D, B, H), self.dtype)  # (L·D, B, H)
        dc0 = np.zeros((L * D, B, H), self.dtype) if self.cell == "lstm" else None
        d_out = dy  # gradient reaching this layer's output, (T, B, D·H) or None
        for k in range(L - 1, -1, -1):
            d_in = None
            for d in range(D):
                j = k * D + d
                dt = trace.directions[j]
                dy_d = None if d_out is None else d_out[:, :, d * H : (d + 1) * H]  # (T, B, H)
                if dy_d is not None and d == 1:
                    dy_d = dy_d[::-1]  # into processing order
                dh_last = None if dh_all is None else dh_all[j]
                dc_last = None if dc_all is None else dc_all[j]
                dx_d, dh0_j, dc0_j, g, dH = self._cell_backward(
                    dy_d, dh_last, dc_last, dt.cache, need_dx or k > 0
                )
                suffix = "_reverse" if d == 1 else ""
                grads[f"weight_ih_l{k}{suffix}"] = g["W_ih"]
                grads[f"weight_hh_l{k}{suffix}"] = g["W_hh"]
                grads[f"bias_ih_l{k}{suffix}"] = g["b_ih"]
                grads[f"bias_hh_l{k}{suffix}"] = g["b_hh"]
                dh0[j] = dh0_j
                if dc0 is not None:
                    dc0[j] = dc0_j
                if d == 1:
                    dH = dH[::-1]
                    dx_d = None if dx_d is None else dx_d[::-1]
                dh_list[j] = dH
                if dx_d is not None:
                    d_in = dx_d if d_in is None else d_in + dx_d
            d_out = d_in
        # PyTorch's parameter order, whatever order backward visited them in
        ordered = Gradients((name, grads[name]) for name in self.params)
        ordered.dh = tuple(dh_list)  # type: ignore[arg-type]
        ordered.dh_norms = np.sqrt(
            np.stack([np.square(dH, dtype=np.float64).sum(axis=(1, 2)) for dH in dh_list])
        ).astype(self.dtype)  # (L·D, T)
        dx = None if d_out is None else np.ascontiguousarray(d_out)  # (T, B, I)
        dstate: State = (dh0, dc0) if dc0 is not None else dh0
        return ordered, dx, dstate


class RNN(RecurrentLayer):
    """Vanilla recurrent layer, ``h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)``.

    Parameters
    ----------
    input_size, hidden_size, num_layers, bidirectional, dtype, seed
        As for ``RecurrentLayer``.
    nonlinearity : {"tanh", "relu"}
        φ.
    """

    cell = "rnn"
    gate_count = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dtype: np.dtype | type = np.float32,
        seed: int = 0,
        nonlinearity: str = "tanh",
    ) -> None:
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bidirectional, dtype, seed)

    @property
    def cell_title(self) -> str:
        return f"RNN ({self.nonlinearity})"

    def _cell_forward(self, x, h0, c0, weights):
        return rnn_forward(x, h0, *weights, nonlinearity=self.nonlinearity)

    def _cell_backward(self, dy, dh_last, dc_last, cache, need_dx):
        dx, dh0, grads, dH = rnn_backward(dy, dh_last, cache, need_dx)
        return dx, dh0, None, grads, dH


class LSTM(RecurrentLayer):
    """Long short-term memory layer (gates i, f, g, o as in PyTorch)."""

    cell = "lstm"
    gate_count = 4

    def _cell_forward(self, x, h0, c0, weights):
        return lstm_forward(x, h0, c0, *weights)

    def _cell_backward(self, dy, dh_last, dc_last, cache, need_dx):
        return lstm_backward(dy, dh_last, dc_last, cache, need_dx)


class GRU(RecurrentLayer):
    """Gated recurrent unit layer (gates r, z, n as in PyTorch)."""

    cell = "gru"
    gate_count = 3

    def _cell_forward(self, x, h0, c0, weights):
        return gru_forward(x, h0, *weights)

    def _cell_backward(self, dy, dh_last, dc_last, cache, need_dx):
        dx, dh0, grads, dH = gru_backward(dy, dh_last, cache, need_dx)
        return dx, dh0, None, grads, dH
