"""The recurrent core in plain NumPy: cells, stacked and bidirectional layers, the readout,
losses, optimisers and gradient checks. Nothing here imports Qt.
"""

from rnnviz.core.gradcheck import check_layer_gradients, numerical_gradient, relative_error
from rnnviz.core.layers import (
    GATE_DESCRIPTIONS,
    GATE_NAMES,
    GRU,
    LSTM,
    RNN,
    DirectionTrace,
    Gradients,
    RecurrentLayer,
    Trace,
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

__all__ = [
    "GATE_DESCRIPTIONS",
    "GATE_NAMES",
    "GRU",
    "LSTM",
    "RNN",
    "SGD",
    "Adagrad",
    "Adam",
    "DirectionTrace",
    "Gradients",
    "Linear",
    "LinearCache",
    "NonFiniteGradientError",
    "Optimizer",
    "RMSprop",
    "RecurrentLayer",
    "Trace",
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
