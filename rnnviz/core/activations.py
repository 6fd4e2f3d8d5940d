"""The element-wise nonlinearities of the cells and their derivatives, in one style.

    σ(a)    = 1 / (1 + e^{−a}) = ½ tanh(½ a) + ½      σ'    = σ (1 − σ)
    tanh(a)                                           tanh' = 1 − tanh²
    relu(a) = max(a, 0)                               relu' = [a > 0]

Every function takes an array and an optional ``out`` array, as NumPy's ufuncs do: without
``out`` it returns a new array, with it (which may be the input itself) it writes there and
returns it, so that the hot loops allocate nothing. The derivatives are written in terms of the
activation's *output* y = f(a), which is what the forward passes keep.

The logistic sigmoid is computed through tanh: it cannot overflow (``exp(−a)`` does for
a < −88 in float32) and needs no floating-point error state switched on every step.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "NONLINEARITIES",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
]


def sigmoid(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(a) = ½ tanh(½ a) + ½, element-wise (any shape; ``out`` may be ``a``)."""
    out = np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def tanh(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(a), element-wise (any shape; ``out`` may be ``a``)."""
    return np.tanh(a, out=out)


def relu(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(a, 0), element-wise (any shape; ``out`` may be ``a``)."""
    return np.maximum(a, 0, out=out)


def sigmoid_grad(s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ'(a) = s (1 − s) from s = σ(a) (``out`` must not be ``s``)."""
    out = np.subtract(1, s, out=out)
    out *= s
    return out


def tanh_grad(y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh'(a) = 1 − y² from y = tanh(a) (``out`` may be ``y``)."""
    out = np.square(y, out=out)
    np.subtract(1, out, out=out)
    return out


def relu_grad(y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """relu'(a) = [y > 0] from y = relu(a), in ``y``'s dtype (``out`` may be ``y``)."""
    if out is None:
        out = np.empty_like(y)
    return np.greater(y, 0, out=out)


#: The vanilla RNN's choices of φ: name → (φ, φ' from φ's output).
NONLINEARITIES = {"tanh": (tanh, tanh_grad), "relu": (relu, relu_grad)}
