"""Optimisers that update named parameter arrays in place, with PyTorch's update rules, and
the gradient norms and clipping the training step uses.

``base`` holds what every optimiser shares (the all-or-nothing step, checked
hyper-parameters, the saved state), ``rules`` the update rules of SGD, Adam, Adagrad and
RMSprop, ``norms`` the gradient norms and the clipping.

A step is all or nothing: a gradient that holds a NaN or an infinity changes nothing
(:class:`NonFiniteGradientError`), and the whole state saves to plain arrays and restores bit for
bit.
"""

from rnnviz.core.optim.base import NonFiniteGradientError, Optimizer
from rnnviz.core.optim.norms import clip_grad_norm, global_norm, param_norms
from rnnviz.core.optim.rules import SGD, Adagrad, Adam, RMSprop

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "NonFiniteGradientError",
    "Optimizer",
    "RMSprop",
    "clip_grad_norm",
    "global_norm",
    "param_norms",
]
