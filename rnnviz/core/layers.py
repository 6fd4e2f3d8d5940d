"""The recurrent cells rnnviz offers, each defined once: its layer class and its ``CellSpec``.

    CELLS["rnn_tanh"]   RNN (tanh)   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)
    CELLS["rnn_relu"]   RNN (ReLU)   the same with max(·, 0)
    CELLS["lstm"]       LSTM         gates i, f, g, o and a cell state c_t
    CELLS["gru"]        GRU          gates r, z, n

A ``CellSpec`` is everything the rest of rnnviz says about or builds from a cell: the name
configs, presets and sessions use, the label people read, its gates (names and what each does,
declared next to the equations in ``rnnviz.core.vanilla``, ``lstm`` and ``gru``), and the layer
class that computes it (``rnnviz.core.recurrent`` stacks it and runs it in both directions).
The choices a settings box offers, the gate views' titles and the model a config builds are all
read from ``CELLS``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from rnnviz.core import gru, lstm, vanilla
from rnnviz.core.recurrent import RecurrentLayer

__all__ = [
    "CELLS",
    "GATE_DESCRIPTIONS",
    "GATE_NAMES",
    "GRU",
    "LSTM",
    "RNN",
    "CellSpec",
    "cell_spec",
]


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
    gates = vanilla.GATES
    gate_count = 1

    def __init__(self, *args: Any, nonlinearity: str = "tanh", **kwargs: Any) -> None:
        vanilla.check_nonlinearity(nonlinearity)
        self.nonlinearity = nonlinearity
        super().__init__(*args, **kwargs)

    @property
    def spec(self) -> CellSpec:
        return CELLS[f"rnn_{self.nonlinearity}"]

    def _cell_forward(self, x, h0, c0, weights, workspace):
        return vanilla.rnn_forward(x, h0, *weights, self.nonlinearity, workspace)

    def _cell_backward(self, dy, dh_last, dc_last, cache, need_dx, workspace):
        dx, dh0, grads, dH = vanilla.rnn_backward(dy, dh_last, cache, need_dx, workspace)
        return dx, dh0, None, grads, dH, None


class LSTM(RecurrentLayer):
    """Long short-term memory layer (gates i, f, g, o as in PyTorch)."""

    cell = "lstm"
    gates = lstm.GATES
    gate_count = len(lstm.GATES)
    has_cell_state = True

    @property
    def spec(self) -> CellSpec:
        return CELLS["lstm"]

    def _cell_forward(self, x, h0, c0, weights, workspace):
        return lstm.lstm_forward(x, h0, c0, *weights, workspace)

    def _cell_backward(self, dy, dh_last, dc_last, cache, need_dx, workspace):
        dx, dh0, dc0, grads, dH, dC = lstm.lstm_backward(
            dy, dh_last, dc_last, cache, need_dx, workspace
        )
        return dx, dh0, dc0, grads, dH, dC.transpose(0, 2, 1)  # dC: (T, B, H) ∂L/∂c_t


class GRU(RecurrentLayer):
    """Gated recurrent unit layer (gates r, z, n as in PyTorch)."""

    cell = "gru"
    gates = gru.GATES
    gate_count = len(gru.GATES)

    @property
    def spec(self) -> CellSpec:
        return CELLS["gru"]

    def _cell_forward(self, x, h0, c0, weights, workspace):
        return gru.gru_forward(x, h0, *weights, workspace)

    def _cell_backward(self, dy, dh_last, dc_last, cache, need_dx, workspace):
        dx, dh0, grads, dH = gru.gru_backward(dy, dh_last, cache, need_dx, workspace)
        return dx, dh0, None, grads, dH, None


@dataclass(frozen=True)
class CellSpec:
    """One kind of recurrent cell a student can choose.

    Attributes
    ----------
    name : str
        What configs, presets, sessions and the command line call it, e.g. "rnn_relu".
    label : str
        What people read, e.g. "RNN (ReLU)".
    layer : type of RecurrentLayer
        The class that computes it.
    nonlinearity : str or None
        φ of the vanilla RNN ("tanh" or "relu"); None for the gated cells.
    """

    name: str
    label: str
    layer: type[RecurrentLayer]
    nonlinearity: str | None = None

    @property
    def family(self) -> str:
        """The layer's family, "rnn", "lstm" or "gru" (``Trace.cell``)."""
        return self.layer.cell

    @property
    def gate_names(self) -> tuple[str, ...]:
        """The gates in the order of the weights' row blocks, e.g. ("i", "f", "g", "o")."""
        return tuple(name for name, _ in self.layer.gates)

    @property
    def gate_descriptions(self) -> dict[str, str]:
        """What each gate does, by name, e.g. ``{"f": "forget gate f: how much …"}``."""
        return dict(self.layer.gates)

    @property
    def gate_count(self) -> int:
        """G, how many blocks of H rows the weights hold (1 for the vanilla RNN)."""
        return self.layer.gate_count

    @property
    def has_cell_state(self) -> bool:
        """Whether the state is a pair (h, c) (the LSTM) rather than h alone."""
        return self.layer.has_cell_state

    def value_range(self, name: str) -> tuple[float, float]:
        """The interval the values of ``name`` lie in: "h", "c" or one of ``gate_names``.

        The gates are sigmoids, (0, 1), except the candidates g (LSTM) and n (GRU), tanh:
        (−1, 1). h is in (−1, 1) (tanh, o ⊙ tanh(c), or a mix of tanh values), but in
        [0, ∞) for the ReLU RNN; the LSTM's cell state c is unbounded.
        """
        if name == "h":
            return (0.0, math.inf) if self.nonlinearity == "relu" else (-1.0, 1.0)
        if name == "c" and self.has_cell_state:
            return (-math.inf, math.inf)
        if name in _TANH_GATES and name in self.gate_names:
            return (-1.0, 1.0)
        if name in self.gate_names:
            return (0.0, 1.0)
        raise ValueError(f"a {self.label} has no values called {name!r}")

    def build(self, *args: Any, **kwargs: Any) -> RecurrentLayer:
        """A new layer of this cell; the arguments are ``RecurrentLayer``'s (input_size,
        hidden_size, num_layers, bidirectional, dtype, seed)."""
        if self.nonlinearity is not None:
            kwargs["nonlinearity"] = self.nonlinearity
        return self.layer(*args, **kwargs)


#: The gates computed with tanh rather than σ: the candidate values of the LSTM and the GRU.
_TANH_GATES = frozenset({"g", "n"})

#: Every cell a student can choose, by name, in the order a settings box lists them.
CELLS: Mapping[str, CellSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            CellSpec("rnn_tanh", "RNN (tanh)", RNN, nonlinearity="tanh"),
            CellSpec("rnn_relu", "RNN (ReLU)", RNN, nonlinearity="relu"),
            CellSpec("lstm", "LSTM", LSTM),
            CellSpec("gru", "GRU", GRU),
        )
    }
)


def cell_spec(name: str) -> CellSpec:
    """The ``CellSpec`` called ``name``; a ValueError listing the choices for any other."""
    try:
        return CELLS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown cell {name!r}; choose one of {', '.join(CELLS)}") from None


#: The gate names of each family, in the weights' order: {"rnn": (), "lstm": (…), "gru": (…)}.
GATE_NAMES: dict[str, tuple[str, ...]] = {s.family: s.gate_names for s in CELLS.values()}

#: What each gate does, by gate name (the names of the LSTM and the GRU are distinct).
GATE_DESCRIPTIONS: dict[str, str] = {
    name: text for s in CELLS.values() for name, text in s.gate_descriptions.items()
}
