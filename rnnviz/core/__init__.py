"""The recurrent core in plain NumPy: cells, stacked and bidirectional layers, the readout,
losses, optimisers and gradient checks. Nothing here imports Qt.

Where each part is, in the order of the lecture:

- ``activations``: σ, tanh, ReLU and their derivatives;
- ``vanilla``, ``lstm``, ``gru``: each cell over a sequence, forward and backward, with its
  equations; ``reference``: the same cells one step at a time, straight from the slides, the
  oracle the fast ones are tested against;
- ``recurrent``: stacking and both directions; ``layers``: the cells on offer (``CELLS``, one
  ``CellSpec`` each) and their layer classes; ``trace``: what a pass computed, for the views;
- ``linear``: the readout; ``losses``: softmax, cross-entropy, squared error;
- ``optim``: the optimisers, gradient norms and clipping; ``gradcheck``: finite differences.
"""

from rnnviz.core.gradcheck import check_layer_gradients, numerical_gradient, relative_error
from rnnviz.core.layers import (
    CELLS,
    GATE_DESCRIPTIONS,
    GATE_NAMES,
    GRU,
    LSTM,
    RNN,
    CellSpec,
    cell_spec,
)
from rnnviz.core.linear import Linear, LinearCache
from rnnviz.core.losses import log_softmax, mean_squared_error, softmax, softmax_cross_entropy
from rnnviz.core.optim import (
    SGD,
    Adagrad,
    Adam,
    NonFiniteGradientError,
    Optimizer,
    RMSprop,
    clip_grad_norm,
    global_norm,
    param_norms,
)
from rnnviz.core.recurrent import RecurrentLayer
from rnnviz.core.trace import DirectionTrace, Gradients, Trace

__all__ = [
    "CELLS",
    "GATE_DESCRIPTIONS",
    "GATE_NAMES",
    "GRU",
    "LSTM",
    "RNN",
    "SGD",
    "Adagrad",
    "Adam",
    "CellSpec",
    "DirectionTrace",
    "Gradients",
    "Linear",
    "LinearCache",
    "NonFiniteGradientError",
    "Optimizer",
    "RMSprop",
    "RecurrentLayer",
    "Trace",
    "cell_spec",
    "check_layer_gradients",
    "clip_grad_norm",
    "global_norm",
    "log_softmax",
    "mean_squared_error",
    "numerical_gradient",
    "param_norms",
    "relative_error",
    "softmax",
    "softmax_cross_entropy",
]
