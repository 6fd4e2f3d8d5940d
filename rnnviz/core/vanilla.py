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
back into the (T, B, H) the readout reads costs.

Two calls per step: each step's row z_t = [h_{t−1}, x_t, 1] (B, H+I+1) times the joined
weights [W_hh | W_ih | b_ih + b_hh]ᵀ gives a_t, bias included, and φ writes h_t straight into
the next step's row; after the loop one matmul, dA ᵀ Z, gives every weight gradient. At batch 1
(the min-char-rnn setting) a step is then two calls of about a microsecond each.
``rnnviz.core.reference`` is the same cell written one step at a time, the oracle this one is
tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.activations import NONLINEARITIES
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
    Z : ndarray, (T + 1, B, H + I + 1)
        ``Z[t]`` is z_t = [h_{t−1}, x_t, 1], step t's operand; ``Z[T]`` holds h_T first.
    H : ndarray, (T + 1, B, H)
        ``H[0]`` is h0, ``H[t + 1]`` is h_t (a view of Z's first H columns).
    nonlinearity : str
        "tanh" or "relu".
    W_ih, W_hh : ndarray
        The weights used, (H, I) and (H, H).
    """

    x: np.ndarray
    Z: np.ndarray
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
    phi = np.tanh if nonlinearity == "tanh" else NONLINEARITIES[nonlinearity][0]
    ws = Workspace(keep=False) if workspace is None else workspace
    T, B, I = x.shape
    H = W_hh.shape[1]
    K = H + I + 1
    dtype = x.dtype
    # a_t = z_t Wᵀ with z_t = [h_{t−1}, x_t, 1] and W = [W_hh | W_ih | b_ih + b_hh]
    W_T = ws.empty("W_T", (K, H), dtype)  # (H+I+1, H)
    W_T[:H] = W_hh.T
    W_T[H : H + I] = W_ih.T
    np.add(b_ih, b_hh, out=W_T[H + I])
    Z = ws.empty("Z", (T + 1, B, K), dtype)  # (T+1, B, H+I+1) z_t per step
    Z[0, :, :H] = h0
    Z[:T, :, H : H + I] = x
    Z[:, :, H + I] = 1
    Z[T, :, H:] = 0  # z_{T+1} is never used; only its h_T columns are read
    Hs = Z[:, :, :H]  # (T+1, B, H) h_t, a view
    a = ws.empty("a", (B, H), dtype)  # (B, H) one step's pre-activation
    # np.dot rather than np.matmul: the same BLAS product with a third less call overhead,
    # which is most of a step's time at batch 1 (the min-char-rnn setting)
    for z, h in zip(Z[:-1], Hs[1:], strict=True):  # (B, H+I+1), (B, H)
        np.dot(z, W_T, out=a)  # a_t = W_hh h_{t−1} + W_ih x_t + b
        phi(a, out=h)  # h_t = φ(a_t)
    return RNNCache(x=x, Z=Z, H=Hs, nonlinearity=nonlinearity, W_ih=W_ih, W_hh=W_hh)


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
    x, Z, Hs, W_hh = cache.x, cache.Z, cache.H, cache.W_hh
    T, B, I = x.shape
    H = Hs.shape[2]
    K = Z.shape[2]
    dtype = x.dtype
    ws = Workspace(keep=False) if workspace is None else workspace
    _, phi_grad = NONLINEARITIES[cache.nonlinearity]
    dphi = phi_grad(Hs[1:], out=ws.empty("dphi", (T, B, H), dtype))  # (T, B, H) φ'(a_t)

    dA = ws.empty("dA", (T, B, H), dtype)  # (T, B, H) gradient of the pre-activations a_t
    dH = ws.empty("dH", (T, B, H), dtype)  # (T, B, H) total gradient reaching h_t
    dh_next = np.zeros((B, H), dtype) if dh_last is None else np.array(dh_last, dtype)  # (B, H)
    if dy is None:
        dy = ws.zeros("dy", (T, B, H), dtype)  # (T, B, H) no gradient from the outputs
    # the steps from the last, each (B, H); iterating is cheaper than indexing at batch 1
    for dh, da, dy_t, dphi_t in zip(dH[::-1], dA[::-1], dy[::-1], dphi[::-1], strict=True):
        np.add(dy_t, dh_next, out=dh)  # dh_t: from the output and from step t+1
        np.multiply(dh, dphi_t, out=da)
        np.dot(da, W_hh, out=dh_next)  # dh_{t−1} from this step

    # the weight gradients of every step at once: dW = Σ_t da_tᵀ z_t, (H, H+I+1)
    dA2 = dA.reshape(T * B, H)  # (T·B, H)
    dW = np.matmul(dA2.T, Z[:T].reshape(T * B, K), out=ws.empty("dW", (H, K), dtype))
    grads = {
        "W_ih": np.ascontiguousarray(dW[:, H : H + I]),  # (H, I)
        "W_hh": np.ascontiguousarray(dW[:, :H]),  # (H, H)
        "b_ih": dW[:, H + I].copy(),  # (H,)
        "b_hh": dW[:, H + I].copy(),  # (H,)
    }
    dx = None
    if need_dx:
        dx = np.dot(dA2, cache.W_ih, out=ws.empty("dx", (T * B, I), dtype))  # (T·B, I)
        dx = dx.reshape(T, B, I)  # (T, B, I)
    return dx, dh_next, grads, dH
