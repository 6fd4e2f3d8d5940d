"""Stacked and bidirectional recurrent layers with PyTorch's equations and parameter layout:
the part every cell shares (``rnnviz.core.layers`` adds the cells themselves).

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

The backward direction is the same cell run on the reversed sequence; ``rnnviz.core.trace``
turns what every layer and direction computed back into the natural time order for the views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from rnnviz.core.checks import check_keys, saved_array
from rnnviz.core.trace import Cache, DirectionTrace, Gradients, Trace, step_norms
from rnnviz.core.workspace import Workspace

if TYPE_CHECKING:
    from rnnviz.core.layers import CellSpec

__all__ = ["RecurrentLayer", "State"]

#: A layer's state: h, or the pair (h, c) for the LSTM, each (L·D, B, H).
State = np.ndarray | tuple[np.ndarray, np.ndarray]


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
        float32 (speed) or float64 (checks); kept through forward and backward. Both run the
        same operations, none approximated: float32's results are float64's rounded along the
        way, within 1e-5 of the largest value over 50 steps (measured: 1e-6; tested in
        ``tests/core/test_workspace.py``).
    seed : int
        Seed of the uniform ±1/√H initialisation.
    """

    #: The family, "rnn", "lstm" or "gru" (a ``Trace`` records it).
    cell: ClassVar[str]
    #: The gates, (name, description) in the order of the weights' row blocks.
    gates: ClassVar[tuple[tuple[str, str], ...]]
    #: G, how many blocks of H rows the weights hold: one per gate, 1 for the vanilla RNN.
    gate_count: ClassVar[int]
    #: Whether the state is a pair (h, c), as the LSTM's, rather than h alone.
    has_cell_state: ClassVar[bool] = False

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
        # the arrays of the last pass, reused when no one holds them; one for every layer and
        # direction, which run one after another, so that it keeps one set of work arrays
        # (the largest), as many as a pass without it has alive at once
        self._workspace = Workspace()
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
        check_keys(state, self.parameter_shapes(), f"the {self.describe()}'s state_dict")
        loaded = {
            name: saved_array(name, state[name], p, kinds="fiu") for name, p in self.params.items()
        }
        for name, value in loaded.items():
            self.params[name][...] = value

    def describe(self) -> str:
        """A short human description, e.g. '2-layer bidirectional LSTM (H=64)'."""
        layers = f"{self.num_layers}-layer " if self.num_layers > 1 else ""
        bi = "bidirectional " if self.bidirectional else ""
        return f"{layers}{bi}{self.cell_title} (H={self.hidden_size})"

    @property
    def spec(self) -> CellSpec:
        """The definition of this kind of cell (``rnnviz.core.layers.CELLS``)."""
        raise NotImplementedError

    @property
    def cell_title(self) -> str:
        """What people call this cell, e.g. "LSTM" or "RNN (ReLU)"."""
        return self.spec.label

    @property
    def gate_names(self) -> tuple[str, ...]:
        """The gates' names in the order of the weights' row blocks, e.g. ("r", "z", "n")."""
        return tuple(name for name, _ in self.gates)

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
        if not np.isfinite(x).all():
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
        if not np.isfinite(s).all():
            raise ValueError(f"{name} holds NaN or infinite values")
        return s

    def _split_state(
        self, state: State | None, name: str, B: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(h, c) from a user state; c is None except for the LSTM."""
        shape = (self.num_layers * self.num_directions, B, self.hidden_size)
        if self.has_cell_state:
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

    def _cell_forward(
        self,
        x: np.ndarray,
        h0: np.ndarray,
        c0: np.ndarray | None,
        weights: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        workspace: Workspace,
    ) -> Cache:
        """One direction of one layer over ``x`` (T, B, I) in processing order, from the states
        h0 and c0 (B, H) (c0 None but for the LSTM) with weights (W_ih, W_hh, b_ih, b_hh),
        its arrays taken from ``workspace``."""
        raise NotImplementedError

    def _cell_backward(
        self,
        dy: np.ndarray | None,
        dh_last: np.ndarray | None,
        dc_last: np.ndarray | None,
        cache: Cache,
        need_dx: bool,
        workspace: Workspace,
    ) -> tuple[
        np.ndarray | None,
        np.ndarray,
        np.ndarray | None,
        dict[str, np.ndarray],
        np.ndarray,
        np.ndarray | None,
    ]:
        """Back-propagation through one direction's ``_cell_forward``: dx (or None), dh0, dc0
        (None but for the LSTM), the gradients of W_ih, W_hh, b_ih, b_hh, the total gradient
        that reached each h_t (T, B, H), and that which reached each c_t (T, B, H; None but
        for the LSTM), both in processing order."""
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
                weights = self._weights(k, d)
                cache = self._cell_forward(xin, h0_all[j], c0, weights, self._workspace)
                dtrace = DirectionTrace(self.cell, d == 1, cache, self.gate_names)
                directions.append(dtrace)
                outs.append(dtrace.h)
            layer_in = outs[0] if D == 1 else np.concatenate(outs, axis=2)  # (T, B, D·H)
        y = np.ascontiguousarray(layer_in)  # (T, B, D·H)
        h_n = np.array([dt.h_last for dt in directions])  # (L·D, B, H)
        if self.has_cell_state:
            c_n = np.array([dt.c_last for dt in directions])  # (L·D, B, H)
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
        T, B = trace.x.shape[:2]  # the forward input, (T, B, I)
        H, D, L = self.hidden_size, self.num_directions, self.num_layers
        if dy is not None:
            dy = np.asarray(dy)
            if dy.shape != (T, B, D * H):
                raise ValueError(f"dy has shape {dy.shape}, expected {(T, B, D * H)} like y")
            dy = dy.astype(self.dtype, copy=False)
            if not np.isfinite(dy).all():
                raise ValueError("dy holds NaN or infinite values")
        if dh_n is None:
            dh_all, dc_all = None, None
        else:
            dh_all, dc_all = self._split_state(dh_n, "dh_n", B)

        grads = Gradients()
        dh_list: list[np.ndarray | None] = [None] * (L * D)
        dc_list: list[np.ndarray | None] = [None] * (L * D)
        dh0 = np.zeros((L * D, B, H), self.dtype)  # (L·D, B, H)
        dc0 = np.zeros((L * D, B, H), self.dtype) if self.has_cell_state else None
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
                dx_d, dh0_j, dc0_j, g, dH, dC = self._cell_backward(
                    dy_d, dh_last, dc_last, dt.cache, need_dx or k > 0, self._workspace
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
                    dC = None if dC is None else dC[::-1]
                    dx_d = None if dx_d is None else dx_d[::-1]
                dh_list[j] = dH
                dc_list[j] = dC
                if dx_d is not None:
                    d_in = dx_d if d_in is None else d_in + dx_d
            d_out = d_in
        # PyTorch's parameter order, whatever order backward visited them in
        ordered = Gradients((name, grads[name]) for name in self.params)
        ordered.dh = tuple(dh_list)  # type: ignore[arg-type]
        ordered.dh_norms = step_norms(dh_list, T, self.dtype)  # (L·D, T)
        ordered.dc = tuple(dC for dC in dc_list if dC is not None)
        dx = None if d_out is None else np.ascontiguousarray(d_out)  # (T, B, I)
        dstate: State = (dh0, dc0) if dc0 is not None else dh0
        return ordered, dx, dstate
