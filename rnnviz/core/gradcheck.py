"""Finite-difference gradient checks.

Every backward pass in rnnviz is checked against central differences in float64:

    dL/dθ_k  ≈  (L(θ + ε e_k) − L(θ − ε e_k)) / (2ε)

The scalar loss used by the checks is a random projection of the outputs,
``L = Σ dy ⊙ y`` with a random upstream gradient ``dy``, so that every output element
contributes with its own weight and no symmetry can hide a wrong sign.

The comparison is the relative error with a stable floor,

    rel(a, b) = ‖a − b‖ / max(‖a‖ + ‖b‖, floor)

which is ≈ 1e-9 for a correct float64 gradient and does not blow up when both are ~0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["check_layer_gradients", "numerical_gradient", "relative_error"]


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-8) -> float:
    """Relative error ``‖a − b‖ / max(‖a‖ + ‖b‖, floor)`` of two arrays of one shape.

    Parameters
    ----------
    a, b : ndarray
        The two gradients to compare; any shape, the same for both.
    floor : float
        Lower bound of the denominator, so that two gradients that are both ~0 compare as equal.

    Returns
    -------
    float
        0 for identical arrays, about 1e-9 for an analytic float64 gradient against central
        differences, 1 for arrays of opposite sign.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of shapes {a.shape} and {b.shape}")
    denom = max(float(np.linalg.norm(a) + np.linalg.norm(b)), floor)
    return float(np.linalg.norm(a - b)) / denom


def numerical_gradient(
    loss: Callable[[], float], array: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central-difference gradient of ``loss()`` with respect to ``array``, perturbed in place.

    Parameters
    ----------
    loss : callable
        Takes no arguments and returns the scalar loss; it must read ``array`` (for example a
        parameter of a layer, or an input held by a closure).
    array : ndarray
        A float64 array that ``loss`` reads; every element is nudged by ±eps and restored.
    eps : float
        Step of the central difference.

    Returns
    -------
    ndarray
        Same shape as ``array``.
    """
    if array.dtype != np.float64:
        raise ValueError(f"gradient checks run in float64, got {array.dtype}")
    grad = np.zeros_like(array)
    flat = array.reshape(-1)  # a view: array is contiguous
    if not np.shares_memory(flat, array):
        raise ValueError("numerical_gradient needs a contiguous array to perturb in place")
    gflat = grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = loss()
        flat[k] = old - eps
        minus = loss()
        flat[k] = old
        gflat[k] = (plus - minus) / (2.0 * eps)
    return grad


def check_layer_gradients(
    layer, seq_len: int = 4, batch_size: int = 2, seed: int = 0, eps: float = 1e-6
) -> dict[str, float]:
    """Check every gradient of a float64 recurrent layer against central differences.

    The loss is ``L = Σ dy ⊙ y + Σ dh_n ⊙ h_n`` (and ``+ Σ dc_n ⊙ c_n`` for the LSTM) with a
    random upstream gradient, random input and random initial states.

    Parameters
    ----------
    layer : RNN, LSTM or GRU
        Built with ``dtype=np.float64``; its parameters are perturbed and restored.
    seq_len, batch_size : int
        T and B of the random input.
    seed : int
        Seed of the random input, states and upstream gradients.
    eps : float
        Step of the central differences.

    Returns
    -------
    dict
        Relative error for every parameter (``state_dict`` names), for ``"x"``, ``"h0"`` and,
        for the LSTM, ``"c0"``.
    """
    if layer.dtype != np.float64:
        raise ValueError("gradient checks need a float64 layer (dtype=np.float64)")
    rng = np.random.default_rng(seed)
    LD = layer.num_layers * layer.num_directions
    H = layer.hidden_size
    x = rng.standard_normal((seq_len, batch_size, layer.input_size))  # (T, B, I)
    h0 = rng.standard_normal((LD, batch_size, H)) * 0.5  # (L·D, B, H)
    c0 = rng.standard_normal((LD, batch_size, H)) * 0.5 if layer.cell == "lstm" else None
    dy = rng.standard_normal((seq_len, batch_size, layer.num_directions * H))  # (T, B, D·H)
    dh_n = rng.standard_normal((LD, batch_size, H))  # (L·D, B, H)
    dc_n = rng.standard_normal((LD, batch_size, H)) if c0 is not None else None

    def state(h, c):
        return h if c is None else (h, c)

    def loss() -> float:
        y, s_n, _ = layer.forward(x, state(h0, c0))
        total = float(np.sum(dy * y))
        if c0 is None:
            return total + float(np.sum(dh_n * s_n))
        return total + float(np.sum(dh_n * s_n[0])) + float(np.sum(dc_n * s_n[1]))

    _, _, trace = layer.forward(x, state(h0, c0))
    grads, dx, dstate = layer.backward(dy, trace, state(dh_n, dc_n))
    errors = {
        name: relative_error(grads[name], numerical_gradient(loss, p, eps))
        for name, p in layer.params.items()
    }
    errors["x"] = relative_error(dx, numerical_gradient(loss, x, eps))
    if c0 is None:
        errors["h0"] = relative_error(dstate, numerical_gradient(loss, h0, eps))
    else:
        errors["h0"] = relative_error(dstate[0], numerical_gradient(loss, h0, eps))
        errors["c0"] = relative_error(dstate[1], numerical_gradient(loss, c0, eps))
    return errors
