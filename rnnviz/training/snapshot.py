"""Snapshots: frozen, copied, read-only pictures of a run that the window draws from.

A snapshot never shares memory with the trainer: every array is a float32 (or int) copy with
its write flag off, so the GUI thread can hold it while training goes on.

Fields (T: the example's time steps, L·D: layers × directions, H: hidden units, N: history rows):

======================  ==================  ====================================================
``run_id``, ``iteration``                  which run, and how many updates it has made
``loss``, ``metrics``                      the latest training loss and the task's figures
``history_iterations``  (N,)               iterations of the history rows
``loss_history``        (N,)               training loss at those iterations
``metric_history``      {name: (N,)}       the task's figures at those iterations
``task``                TaskFacts          what the task is: its name, symbols, baselines (each
                                           with the figure it is drawn against), delay, arena…
                                           (``rnnviz.tasks.facts``); ``baselines`` is {name: value}
``layout``              Layout             the cell, L layers × D directions in the order of the
                                           per-layer fields, their labels and value ranges
``example_x``           (T, I)             the example sequence the views show
``hidden``              L·D × (T, H)       hidden states, layer-major, forward before backward
``cell_states``         L·D × (T, H)       LSTM cell states (empty for RNN and GRU)
``gates``               L·D × {name: (T, H)}  gate activations by name
``dh_norms``            (L·D, T)           ‖∂L/∂h_t‖ for the example
``dc_norms``            (L·D, T)           ‖∂L/∂c_t‖ for the example, the LSTM's cell-state
                                           path ((0, T) for RNN and GRU)
``dh_norm_history``     (N, L·D, T)        the same for the training batches, over iterations
``dh``                  L·D × (T, H)       ∂L/∂h_t of the example per unit: all that reaches
                                           h_t, from its output and from step t + 1 (NaN when
                                           the backward pass overflowed; empty when not made)
``dc``                  L·D × (T, H)       ∂L/∂c_t likewise, the LSTM's (empty for RNN, GRU)
``dy``                  (T, O)             ∂L/∂y_t, the loss's gradient at the readout's outputs
                                           y_t = W_hy h_t + b_y ((0, 0) when not made).
                                           With ``dh`` and ``dc`` what the backward equations
                                           (``rnnviz.training.backward_equations``) need: at
                                           most L·D·T·H·(1 + [LSTM]) + T·O float32, no more than
                                           ``hidden`` and ``cell_states`` take again
``predictions``         {name: array}      what the demo view draws (positions, top chars…)
``diverged``            str                "" or why training stopped and what to do
``steps_per_second``    float              training speed over the last second or so
``weights``             {name: array}      a copy of every parameter, so that the window can run
                                           its own model (keyboard, sampler, a thrown ball)
                                           without touching the trainer's arrays
``checked``             {name: float}      the task's figures and loss on fresh data, taken now
                                           and then (``rnnviz.training.fresh_figures``; only
                                           in the window's runs): what a lesson's goal is
                                           judged on ({} before the first)
``made_at``             float              ``time.monotonic()`` when it was made: one clock for
                                           every process of the machine, so the window can
                                           tell how long the snapshot took to reach it (NaN
                                           when not known)
======================  ==================  ====================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

import numpy as np

from rnnviz.tasks.facts import TaskFacts

__all__ = ["Layout", "Snapshot", "TaskFacts", "cell_state_norms", "frozen_array", "frozen_mapping"]

_ARROWS = ("→", "←")


@dataclass(frozen=True)
class Layout:
    """How a snapshot's per-layer fields are laid out, and the ranges of their values.

    ``hidden``, ``cell_states``, ``gates`` and the rows of ``dh_norms`` (and of the LSTM's
    ``dc_norms``) hold L × D entries, layer-major, forward before backward: entry ``k`` is
    layer ``k // D + 1``, direction ``k % D`` (0 forward →, 1 backward ←).

    Attributes
    ----------
    cell : str
        The cell's name in configs ("rnn_tanh", "lstm", …); ``cell_label`` is its name for people.
    layers, directions : int
        L and D (2 for a bidirectional network).
    hidden_size : int
        H.
    gates : tuple of str
        The gate names, in the order of the weights' row blocks (empty for the vanilla RNN).
    ranges : tuple of (str, float, float)
        (name, low, high) of "h", "c" (LSTM only) and each gate: the interval its values lie in
        (±inf where unbounded).
    """

    cell: str
    cell_label: str
    layers: int
    directions: int
    hidden_size: int
    gates: tuple[str, ...] = ()
    ranges: tuple[tuple[str, float, float], ...] = ()

    @property
    def count(self) -> int:
        """L × D, the number of entries of each per-layer field."""
        return self.layers * self.directions

    @property
    def labels(self) -> list[str]:
        """ "layer 1 →", "layer 1 ←", "layer 2 →", … in the entries' order."""
        D = self.directions
        return [f"layer {k + 1} {_ARROWS[d]}" for k in range(self.layers) for d in range(D)]

    def value_range(self, name: str) -> tuple[float, float]:
        """(low, high) of "h", "c" or a gate; a KeyError for a name this cell does not have."""
        for key, low, high in self.ranges:
            if key == name:
                return low, high
        raise KeyError(name)

    @classmethod
    def of(cls, spec, layers: int, bidirectional: bool, hidden_size: int) -> Layout:
        """The layout of a network of ``spec`` (a ``rnnviz.core.CellSpec``)."""
        names = ("h", "c", *spec.gate_names) if spec.has_cell_state else ("h", *spec.gate_names)
        return cls(
            cell=spec.name,
            cell_label=spec.label,
            layers=int(layers),
            directions=2 if bidirectional else 1,
            hidden_size=int(hidden_size),
            gates=spec.gate_names,
            ranges=tuple((n, *spec.value_range(n)) for n in names),
        )


def frozen_array(a, dtype=None) -> np.ndarray:
    """A read-only copy (float arrays become float32 unless ``dtype`` says otherwise)."""
    a = np.asarray(a)
    if dtype is None:
        dtype = np.float32 if a.dtype.kind == "f" else a.dtype
    out = np.array(a, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


def frozen_mapping(d: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only mapping of read-only copies (numbers stay numbers)."""
    return MappingProxyType(
        {k: frozen_array(v) if isinstance(v, np.ndarray) else v for k, v in d.items()}
    )


@dataclass(frozen=True)
class Snapshot:
    """See the module docstring for every field."""

    run_id: int
    iteration: int
    config: Any
    loss: float
    metrics: Mapping[str, float]
    history_iterations: np.ndarray
    loss_history: np.ndarray
    metric_history: Mapping[str, np.ndarray]
    task: TaskFacts
    layout: Layout
    example_x: np.ndarray
    hidden: tuple[np.ndarray, ...]
    cell_states: tuple[np.ndarray, ...]
    gates: tuple[Mapping[str, np.ndarray], ...]
    dh_norms: np.ndarray
    dc_norms: np.ndarray
    dh_norm_history: np.ndarray
    predictions: Mapping[str, np.ndarray]
    diverged: str
    steps_per_second: float
    num_parameters: int
    weights: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    dh: tuple[np.ndarray, ...] = ()
    dc: tuple[np.ndarray, ...] = ()
    dy: np.ndarray = field(default_factory=lambda: frozen_array(np.zeros((0, 0))))
    checked: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    made_at: float = math.nan

    @property
    def baselines(self) -> dict[str, float]:
        """{name: value} of the task's baselines (``task.baselines`` says what each is)."""
        return self.task.baseline_values()

    @property
    def seq_len(self) -> int:
        return self.example_x.shape[0]

    def __reduce__(self):
        # pickled to cross from the training process to the window's: mapping proxies cannot
        # be pickled, and unpickled arrays are writable, so both are undone and redone
        return _rebuild_snapshot, ({f.name: _thaw(getattr(self, f.name)) for f in fields(self)},)


def cell_state_norms(snapshot) -> np.ndarray | None:
    """‖∂L/∂c_t‖ of ``snapshot`` laid out as its ``dh_norms`` ((L·D, T)), or None for a cell
    without a cell state (or a stand-in snapshot without the field)."""
    dc = np.asarray(getattr(snapshot, "dc_norms", np.zeros((0, 0))))
    return dc if dc.shape == np.shape(snapshot.dh_norms) else None


def _thaw(value: Any) -> Any:
    if isinstance(value, MappingProxyType | dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_thaw(v) for v in value)
    return value


def _refreeze(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        value.setflags(write=False)  # a fresh array of the unpickler's: no copy needed
        return value
    if isinstance(value, dict):
        return MappingProxyType({k: _refreeze(v) for k, v in value.items()})
    if isinstance(value, tuple):
        return tuple(_refreeze(v) for v in value)
    return value


def _rebuild_snapshot(state: dict[str, Any]) -> Snapshot:
    return Snapshot(**{k: _refreeze(v) for k, v in state.items()})
