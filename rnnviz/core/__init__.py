"""The recurrent core in plain NumPy: cells, stacked and bidirectional layers, the readout,
losses, optimisers and gradient checks. Nothing here imports Qt.

Where each part is, in the order of the lecture:

- ``activations``: σ, tanh, ReLU and their derivatives;
- ``vanilla``, ``lstm``, ``gru``: each cell over a sequence, forward and backward, with its
  equations; ``reference``: the same cells one step at a time, straight from the slides, the
  oracle the fast ones are tested against;
- ``recurrent``: stacking and both directions; ``layers``: the cells on offer (``CELLS``, one
  ``CellSpec`` each) and their layer classes; ``trace``: what a pass computed, for the views;
- ``linear``: the readout, and the gradients of an affine map that it and the cells share;
  ``losses``: softmax, cross-entropy, squared error;
- ``optim``: the optimisers, gradient norms and clipping; ``gradcheck``: finite differences.
"""

# Each part declares what it offers in its ``__all__``; the package offers all of it (the way
# asyncio gathers its modules), so that a name is listed once, where it is defined.
from rnnviz.core import gradcheck, layers, linear, losses, optim, recurrent, trace
from rnnviz.core.gradcheck import *  # noqa: F403
from rnnviz.core.layers import *  # noqa: F403
from rnnviz.core.linear import *  # noqa: F403
from rnnviz.core.losses import *  # noqa: F403
from rnnviz.core.optim import *  # noqa: F403
from rnnviz.core.recurrent import *  # noqa: F403
from rnnviz.core.trace import *  # noqa: F403

__all__ = [
    *gradcheck.__all__,
    *layers.__all__,
    *linear.__all__,
    *losses.__all__,
    *optim.__all__,
    *recurrent.__all__,
    *trace.__all__,
]
