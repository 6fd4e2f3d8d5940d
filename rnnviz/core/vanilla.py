"""The vanilla (Elman) recurrent network over a whole sequence, one direction (PyTorch's
``nn.RNN`` cell).

Forward, for t = 1 … T, with φ = tanh (or ReLU):

    h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)

The same W_ih (H, I), W_hh (H, H) and biases are used at every step.

Backward through time, with dh_t the total gradient reaching h_t (from y_t and from step t+1):

    da_t     = dh_t ⊙ φ'(a_t)          tanh: 1 − h_t²;  ReLU: [h_t > 0]
    dh_{t−1} = da_t W_hh               (plus the output gradient at t − 1)

so the gradient reaching an early step is a product of W_hh and φ' factors, one per step: it
shrinks geometrically when they are small (the vanishing gradient). After the loop, over all
steps at once: dW_hh = Σ_t da_tᵀ h_{t−1}, dW_ih = Σ_t da_tᵀ x_t, db = Σ_t da_t, dx_t = da_t W_ih.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NONLINEARITIES", "RNNCache", "rnn_backward", "rnn_forward"]

NONLINEARITIES = ("tanh", "relu")


@dataclass(frozen=True)
class RNNCache:
    """What the vanilla RNN backward pass needs, in processing order.

    Attributes
    ----------
    x : ndarray, (T, B, I)
    H : ndarray, (T + 1, B, H)
        ``H[0]`` is h0, ``H[t + 1]`` is h_t.
    nonlinearity : str
        "tanh" or "relu".
    W_ih, W_hh : ndarray
        The weights used, (H, I) and (H, H).
    """

    x: np.ndarray
    H: np.ndarray
    nonlinearity: str
    W_ih: np.ndarray
    W_hh: np.ndarray


def rnn_forward(
    x: np.ndarray,
    h0: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    nonlinearity: str = "tanh",
) -> RNNCache:
    """Run the vanilla RNN over ``x`` in the order given.

    Parameters
    ----------
    x : ndarray, (T, B, I)
    h0 : ndarray, (B, H)
    W_ih : ndarray, (H, I)
    W_hh : ndarray, (H, H)
    b_ih, b_hh : ndarray, (H,)
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    RNNCache
    """
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    T, B, I = x.shape
    H = W_hh.shape[1]
    Hs = np.empty((T + 1, B, H), x.dtype)  # (T+1, B, H)
    Hs[0] = h0
    # the input projection for every step in one matmul, written straight into the outputs
    np.matmul(x.reshape(T * B, I), W_ih.T, out=Hs[1:].reshape(T * B, H))
    Hs[1:] += b_ih + b_hh
    hW = np.empty((B, H), x.dtype)  # (B, H)
    W_hh_T = np.ascontiguousarray(W_hh.T)  # (H, G·H), contiguous for a faster matmul
    relu = nonlinearity == "relu"
    for t in range(T):
        h = Hs[t + 1]
        np.matmul(Hs[t], W_hh_T, out=hW)
        h += hW
        if relu:
            np.maximum(h, 0, out=h)
        else:
            np.tanh(h, out=h)
    return RNNCache(x=x, H=Hs, nonlinearity=nonlinearity, W_ih=W_ih, W_hh=W_hh)


def rnn_backward(
    dy: np.ndarray | None,
    dh_last: np.ndarray | None,
    cache: RNNCache,
    need_dx: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Back-propagate through time.

    Parameters
    ----------
    dy : ndarray, (T, B, H), or None
        Gradient with respect to the outputs h_1 … h_T (None: zero).
    dh_last : ndarray, (B, H), or None
        Gradient with respect to the final state h_T (None: zero).
    cache : RNNCache
    need_dx : bool
        Compute the input gradient (skipped for a first layer whose input is data).

    Returns
    -------
    dx : ndarray, (T, B, I), or None
    dh0 : ndarray, (B, H)
    grads : dict
        ``W_ih`` (H, I), ``W_hh`` (H, H), ``b_ih`` (H,), ``b_hh`` (H,).
    dh_total : ndarray, (T, B, H)
        The total gradient that reached each h_t.
    """
    x, Hs = cache.x, cache.H
    T, B, I = x.shape
    H = Hs.shape[2]
    dtype = x.dtype
    hs = Hs[1:]  # (T, B, H)
    if cache.nonlinearity == "relu":
        dact = (hs > 0).astype(dtype)  # (T, B, H)
    else:
        dact = 1 - np.square(hs)  # (T, B, H)

    dA = np.empty((T, B, H), dtype)  # (T, B, H) gradient of the pre-activations
    dH = np.empty((T, B, H), dtype)  # (T, B, H) total gradient reaching h_t
    dh_next = np.zeros((B, H), dtype) if dh_last is None else np.array(dh_last, dtype)  # (B, H)
    W_hh = cache.W_hh
    for t in range(T - 1, -1, -1):
        dh = dH[t]
        if dy is None:
            dh[...] = dh_next
        else:
            np.add(dy[t], dh_next, out=dh)
        np.multiply(dh, dact[t], out=dA[t])
        np.matmul(dA[t], W_hh, out=dh_next)

    dA2 = dA.reshape(T * B, H)  # (T·B, H)
    db = dA2.sum(axis=0)  # (H,)
    grads = {
        "W_ih": dA2.T @ x.reshape(T * B, I),  # (H, I)
        "W_hh": dA2.T @ Hs[:-1].reshape(T * B, H),  # (H, H)
        "b_ih": db,
        "b_hh": db.copy(),
    }
    dx = (dA2 @ cache.W_ih).reshape(T, B, I) if need_dx else None  # (T, B, I)
    return dx, dh_next, grads, dH
