"""Element-wise activations written in place, for the recurrent hot loops.

    σ(a)    = 1 / (1 + e^{−a}) = ½ tanh(½ a) + ½
    tanh(a)

The logistic sigmoid is computed through tanh: it cannot overflow (``exp(−a)`` does for
a < −88 in float32) and needs no floating-point error state switched on every step.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid_", "tanh_"]


def sigmoid_(a: np.ndarray) -> np.ndarray:
    """Replace ``a`` by σ(a) in place and return it (any shape, any float dtype)."""
    np.multiply(a, 0.5, out=a)
    np.tanh(a, out=a)
    np.multiply(a, 0.5, out=a)
    np.add(a, 0.5, out=a)
    return a


def tanh_(a: np.ndarray) -> np.ndarray:
    """Replace ``a`` by tanh(a) in place and return it."""
    return np.tanh(a, out=a)
