"""The model every lesson trains: a recurrent layer and a linear readout at every step.

    h_t = cell(x_t, h_{t−1})           (stacked, optionally bidirectional; rnnviz.core)
    o_t = W_hy h_t + b_y               (logits or values, per step)

Parameters are named ``rnn.<PyTorch name>`` and ``readout.weight`` / ``readout.bias``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rnnviz.core import (
    CELLS,
    Gradients,
    Linear,
    LinearCache,
    NonFiniteGradientError,
    Trace,
    cell_spec,
)

__all__ = ["CELL_KINDS", "ModelCache", "SequenceModel", "model_for"]

#: The cells a student can choose, by the name configs use (``rnnviz.core.CELLS``).
CELL_KINDS = tuple(CELLS)


@dataclass(frozen=True)
class ModelCache:
    """What ``SequenceModel.backward`` needs: the recurrent trace and the readout's input."""

    trace: Trace
    readout: LinearCache


class SequenceModel:
    """A recurrent layer with a linear readout applied at every time step.

    Parameters
    ----------
    cell : str
        One of ``CELL_KINDS`` (a ValueError naming the choices for any other name).
    input_size, hidden_size, output_size : int
        I, H and O.
    num_layers : int
    bidirectional : bool
    seed : int
        Seeds the recurrent layer (``seed``) and the readout (``seed + 1``).
    dtype : float32 or float64
    recurrent_scale : float
        Every W_hh (``weight_hh_l{k}``, all gates' blocks, both directions) is multiplied by
        it after the layer's own initialisation; at 1 the weights are left exactly as drawn.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        output_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        seed: int = 0,
        dtype: np.dtype | type = np.float32,
        recurrent_scale: float = 1.0,
    ) -> None:
        self.cell = cell
        spec = cell_spec(cell)
        self.rnn = spec.build(input_size, hidden_size, num_layers, bidirectional, dtype, seed)
        if recurrent_scale != 1.0:  # at 1 nothing is touched: every other run stays as it was
            for name, W_hh in self.rnn.params.items():
                if name.startswith("weight_hh_"):
                    W_hh *= W_hh.dtype.type(recurrent_scale)  # (G·H, H), in place
        D = self.rnn.num_directions
        self.readout = Linear(D * hidden_size, output_size, dtype=np.dtype(dtype), seed=seed + 1)
        # one flat dict of the same arrays, for the optimiser and for saving
        self.params: dict[str, np.ndarray] = {
            **{f"rnn.{k}": v for k, v in self.rnn.params.items()},
            **{f"readout.{k}": v for k, v in self.readout.params.items()},
        }

    @property
    def dtype(self) -> np.dtype:
        return self.rnn.dtype

    def num_parameters(self) -> int:
        return sum(p.size for p in self.params.values())

    def forward(self, x: np.ndarray, h0=None) -> tuple[np.ndarray, object, ModelCache]:
        """Outputs (T, B, O), final states (as the layer gives them) and the cache."""
        y, h_n, trace = self.rnn.forward(x, h0)  # (T, B, D·H)
        # an exploding network (a ReLU cell at a huge learning rate) overflows its own hidden
        # states: the outputs then hold inf/NaN, which the trainer reports as a divergence
        outputs, readout_cache = self.readout.forward(y, check_finite=False)  # (T, B, O)
        return outputs, h_n, ModelCache(trace, readout_cache)

    def backward(
        self, doutputs: np.ndarray, cache: ModelCache
    ) -> tuple[dict[str, np.ndarray], Gradients]:
        """Gradients of every parameter (flat names) and the layer's ``Gradients`` (with the
        per-step ‖∂L/∂h_t‖)."""
        readout_grads, dy = self.readout.backward(doutputs, cache.readout)  # dy: (T, B, D·H)
        if not np.all(np.isfinite(dy)):  # an exploded readout: report it, as the optimiser does
            raise NonFiniteGradientError(["readout.weight"])
        rnn_grads, _, _ = self.rnn.backward(dy, cache.trace, need_dx=False)
        grads = {f"rnn.{k}": v for k, v in rnn_grads.items()}
        grads.update({f"readout.{k}": v for k, v in readout_grads.items()})
        return grads, rnn_grads

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self.params.items()}

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Load flat-named parameters; checks everything first, loads nothing on error."""
        rnn_state = {k[4:]: v for k, v in state.items() if k.startswith("rnn.")}
        readout_state = {k[8:]: v for k, v in state.items() if k.startswith("readout.")}
        other = [k for k in state if not k.startswith(("rnn.", "readout."))]
        if other:
            raise ValueError(f"unexpected entry {other[0]!r}: names start with rnn. or readout.")
        # the readout is checked first: the layer's own load checks everything before it loads
        Linear(
            self.readout.in_features, self.readout.out_features, dtype=self.dtype
        ).load_state_dict(readout_state)
        self.rnn.load_state_dict(rnn_state)
        self.readout.load_state_dict(readout_state)


def model_for(config, task) -> SequenceModel:
    """The model a ``TrainConfig`` describes, sized for ``task``'s inputs and outputs."""
    m = config.model
    return SequenceModel(
        m.cell.value,
        task.input_size,
        m.hidden_size,
        task.output_size,
        m.num_layers,
        m.bidirectional,
        seed=config.seed,
        recurrent_scale=m.recurrent_scale,
    )
