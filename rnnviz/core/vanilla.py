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

Layout: batch-major, (B, H) per step, as the equations read with row vectors. The LSTM's
feature-major layout (``rnnviz.core.lstm``) made this cell's recurrent product only 2–8 % faster
at batch 32 and no faster at batch 1 (measured on 2 cores, H = 128 and 100), about what the copy
back into the (T, B, H) the readout reads costs. ``rnnviz.core.reference`` is the same cell
written one step at a time, the oracle this one is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.activations import NONLINEARITIES
from rnnviz.core.linear import projection_grads
from rnnviz.core.workspace import Workspace

__all__ = [
    "GATES",
    "NONLINEARITIES",
    "RNNCache",
    "check_nonlinearity",
    "rnn_backward",
    "rnn_forward",
]

#: The vanilla cell has no gates: its weights hold one block, the update of h itself.
GATES: tuple[tuple[str, str], ...] = ()


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


def check_nonlinearity(nonlinearity: str) -> None:
    """A ValueError unless ``nonlinearity`` is one of ``NONLINEARITIES``."""
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")


def rnn_forward(
    x: np.ndarray,
    h0: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    nonlinearity: str = "tanh",
    workspace: Workspace | None = None,
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
    workspace : Workspace, optional
        Keeps the arrays for the next pass (``rnnviz.core.workspace``); without it they are
        new.

    Returns
    -------
    RNNCache
        The hidden states are ``cache.H[1:]``, (T, B, H).
    """
    check_nonlinearity(nonlinearity)
    phi, _ = NONLINEARITIES[nonlinearity]
    ws = Workspace(keep=False) if workspace is None else workspace
    T, B, I = x.shape
    H = W_hh.shape[1]
    Hs = ws.empty("H", (T + 1, B, H), x.dtype)  # (T+1, B, H)
    Hs[0] = h0
    # the input projection W_ih x_t + b_ih + b_hh of every step in one matmul, written straight
    # into the outputs; the loop adds W_hh h_{t−1} and applies φ
    np.matmul(x.reshape(T * B, I), W_ih.T, out=Hs[1:].reshape(T * B, H))
    Hs[1:] += b_ih + b_hh
    W_hh_T = ws.empty("W_hh_T", (H, H), x.dtype)  # (H, H), contiguous for a faster matmul
    W_hh_T[...] = W_hh.T
    hW = ws.empty("hW", (B, H), x.dtype)  # (B, H) W_hh h_{t−1}
    for t in range(T):
        h_prev, h = Hs[t], Hs[t + 1]  # (B, H) each
        np.matmul(h_prev, W_hh_T, out=hW)
        h += hW
        phi(h, out=h)
    return RNNCache(x=x, H=Hs, nonlinearity=nonlinearity, W_ih=W_ih, W_hh=W_hh)


def rnn_backward(
    dy: np.ndarray | None,
    dh_last: np.ndarray | None,
    cache: RNNCache,
    need_dx: bool = True,
    workspace: Workspace | None = None,
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
    workspace : Workspace, optional
        As for ``rnn_forward``.

    Returns
    -------
    dx : ndarray, (T, B, I), or None
    dh0 : ndarray, (B, H)
    grads : dict
        ``W_ih`` (H, I), ``W_hh`` (H, H), ``b_ih`` (H,), ``b_hh`` (H,).
    dh_total : ndarray, (T, B, H)
        The total gradient that reached each h_t.
    """
    x, Hs, W_hh = cache.x, cache.H, cache.W_hh
    T, B, I = x.shape
    H = Hs.shape[2]
    dtype = x.dtype
    ws = Workspace(keep=False) if workspace is None else workspace
    _, phi_grad = NONLINEARITIES[cache.nonlinearity]
    dphi = phi_grad(Hs[1:], out=ws.empty("dphi", (T, B, H), dtype))  # (T, B, H) φ'(a_t)

    dA = ws.empty("dA", (T, B, H), dtype)  # (T, B, H) gradient of the pre-activations a_t
    dH = ws.empty("dH", (T, B, H), dtype)  # (T, B, H) total gradient reaching h_t
    dh_next = np.zeros((B, H), dtype) if dh_last is None else np.array(dh_last, dtype)  # (B, H)
    for t in range(T - 1, -1, -1):
        dh, da = dH[t], dA[t]  # (B, H) each
        if dy is None:
            dh[...] = dh_next
        else:
            np.add(dy[t], dh_next, out=dh)
        np.multiply(dh, dphi[t], out=da)
        np.matmul(da, W_hh, out=dh_next)  # dh_{t−1} from this step

    # the weight gradients of every step at once; both projections see the same dA
    dA2 = dA.reshape(T * B, H)  # (T·B, H)
    x2, h_prev = x.reshape(T * B, I), Hs[:-1].reshape(T * B, H)  # (T·B, I), (T·B, H)
    grads, dx = projection_grads(dA2, x2, dA2, h_prev, cache.W_ih if need_dx else None, ws)
    dx = None if dx is None else dx.reshape(T, B, I)  # (T, B, I)
    return dx, dh_next, grads, dH
