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
``baselines``           {name: float}      reference lines (chance, snapshot model, bigram…)
``example_x``           (T, I)             the example sequence the views show
``hidden``              L·D × (T, H)       hidden states, layer-major, forward before backward
``cell_states``         L·D × (T, H)       LSTM cell states (empty for RNN and GRU)
``gates``               L·D × {name: (T, H)}  gate activations by name
``dh_norms``            (L·D, T)           ‖∂L/∂h_t‖ for the example
``dh_norm_history``     (N, L·D, T)        the same for the training batches, over iterations
``param_grad_norms``    {name: float}      ‖∂L/∂θ‖ of the latest update
``grad_norm``           float              global gradient norm before clipping
``spectral_radius``     {name: float}      largest |eigenvalue| of each recurrent weight
``predictions``         {name: array}      what the demo view draws (positions, top chars…)
``diverged``            str                "" or why training stopped and what to do
``steps_per_second``    float              training speed over the last second or so
``weights``             {name: array}      a copy of every parameter, so that the window can run
                                           its own model (keyboard, sampler, a thrown ball)
                                           without touching the trainer's arrays
======================  ==================  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["Snapshot", "frozen_array", "frozen_mapping"]


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
    baselines: Mapping[str, float]
    example_x: np.ndarray
    hidden: tuple[np.ndarray, ...]
    cell_states: tuple[np.ndarray, ...]
    gates: tuple[Mapping[str, np.ndarray], ...]
    dh_norms: np.ndarray
    dh_norm_history: np.ndarray
    param_grad_norms: Mapping[str, float]
    grad_norm: float
    spectral_radius: Mapping[str, float]
    predictions: Mapping[str, np.ndarray]
    diverged: str
    steps_per_second: float
    num_parameters: int
    weights: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def seq_len(self) -> int:
        return self.example_x.shape[0]

    def __reduce__(self):
        # pickled to cross from the training process to the window's: mapping proxies cannot
        # be pickled, and unpickled arrays are writable, so both are undone and redone
        return _rebuild_snapshot, ({f.name: _thaw(getattr(self, f.name)) for f in fields(self)},)


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
