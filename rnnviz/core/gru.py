"""Gated recurrent unit over a whole sequence, one direction (PyTorch's ``nn.GRU`` cell).

Forward, for t = 1 … T, with gates stacked in PyTorch's order r, z, n:

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)            reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)            update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))  candidate
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

The reset gate multiplies ``W_hn h + b_hn`` (PyTorch's convention), so ``b_hn`` is not folded into
the input projection. ``W_ih`` is (3H, I) and ``W_hh`` is (3H, H).

Backward through time, with dh_t the total gradient reaching h_t:

    dn̂_t = dh_t ⊙ (1 − z_t) ⊙ (1 − n_t²)                 gradient of n's pre-activation
    dẑ_t = dh_t ⊙ (h_{t−1} − n_t) ⊙ z_t (1 − z_t)
    dr̂_t = dn̂_t ⊙ (W_hn h_{t−1} + b_hn) ⊙ r_t (1 − r_t)
    dh_{t−1} = [dr̂, dẑ, dn̂ ⊙ r]_t W_hh + dh_t ⊙ z_t

and after the loop: dW_ih = Σ_t [dr̂, dẑ, dn̂]_tᵀ x_t, dW_hh = Σ_t [dr̂, dẑ, dn̂ ⊙ r]_tᵀ h_{t−1},
with the biases summed likewise.

Layout: batch-major, (B, 3H) per step, as the equations read with row vectors. The LSTM's
feature-major layout (``rnnviz.core.lstm``) made this cell's recurrent product 5–15 % faster
(measured on 2 cores at H = 128, B = 32), a few per cent of a whole pass, whose time goes to the
element-wise work. ``rnnviz.core.reference`` is the same cell written one step at a time, the
oracle this one is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.activations import sigmoid, sigmoid_grad, tanh, tanh_grad
from rnnviz.core.linear import projection_grads
from rnnviz.core.workspace import Workspace

__all__ = ["GATES", "GRUCache", "gru_backward", "gru_forward"]

#: The gates in the order of the rows of W_ih and W_hh (PyTorch's), with what each does.
GATES: tuple[tuple[str, str], ...] = (
    ("r", "reset gate r: how much of the past enters the candidate"),
    ("z", "update gate z: how much of the past state is kept"),
    ("n", "candidate n: the new state proposed"),
)


@dataclass(frozen=True)
class GRUCache:
    """What the GRU backward pass needs, in processing order: the input ``x``, the states
    ``H`` and the weights used as in ``rnnviz.core.vanilla.RNNCache`` (here (3H, I) and
    (3H, H)), and the gates.

    Attributes
    ----------
    gates : ndarray, (T, B, 3H)
        Activations r, z, n side by side.
    hn : ndarray, (T, B, H)
        ``W_hn h_{t−1} + b_hn``, the part the reset gate scales.
    """

    x: np.ndarray
    H: np.ndarray
    gates: np.ndarray
    hn: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray


def gru_forward(
    x: np.ndarray,
    h0: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    workspace: Workspace | None = None,
) -> GRUCache:
    """Run the GRU over ``x`` in the order given.

    The arguments are ``rnnviz.core.vanilla.rnn_forward``'s, with the rows of the r, z and n
    gates stacked in the weights: W_ih (3H, I), W_hh (3H, H), b_ih and b_hh (3H,). The hidden
    states are ``cache.H[1:]``, (T, B, H). ``workspace`` keeps the arrays for the next pass
    (``rnnviz.core.workspace``).
    """
    ws = Workspace(keep=False) if workspace is None else workspace
    T, B, I = x.shape
    H = W_hh.shape[1]
    dtype = x.dtype
    # the input projection W_ih x_t + b_ih of every step in one matmul; r and z also take b_hh
    # here, while b_hn stays inside the reset gate's product
    gates = ws.empty("gates", (T, B, 3 * H), dtype)  # (T, B, 3H)
    np.matmul(x.reshape(T * B, I), W_ih.T, out=gates.reshape(T * B, 3 * H))
    gates += b_ih
    gates[:, :, : 2 * H] += b_hh[: 2 * H]
    b_hn = b_hh[2 * H :]  # (H,)
    Hs = ws.empty("H", (T + 1, B, H), dtype)  # (T+1, B, H)
    hn = ws.empty("hn", (T, B, H), dtype)  # (T, B, H) W_hn h_{t−1} + b_hn
    Hs[0] = h0
    hW = ws.empty("hW", (B, 3 * H), dtype)  # (B, 3H) W_hh h_{t−1}
    W_hh_T = ws.empty("W_hh_T", (H, 3 * H), dtype)  # (H, 3H), contiguous for a faster matmul
    W_hh_T[...] = W_hh.T
    for t in range(T):
        h_prev, h = Hs[t], Hs[t + 1]  # (B, H) each
        a = gates[t]  # (B, 3H) pre-activations, then activations
        r, z, n = a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]  # (B, H) each
        np.matmul(h_prev, W_hh_T, out=hW)
        rz = a[:, : 2 * H]  # (B, 2H) r and z side by side
        rz += hW[:, : 2 * H]
        sigmoid(rz, out=rz)
        np.add(hW[:, 2 * H :], b_hn, out=hn[t])
        np.multiply(r, hn[t], out=h)  # r ⊙ (W_hn h_{t−1} + b_hn), h as scratch
        n += h
        tanh(n, out=n)
        np.subtract(h_prev, n, out=h)
        h *= z
        h += n  # h_t = (1 − z) ⊙ n + z ⊙ h_{t−1} = n + z ⊙ (h_{t−1} − n)
    return GRUCache(x=x, H=Hs, gates=gates, hn=hn, W_ih=W_ih, W_hh=W_hh)


def gru_backward(
    dy: np.ndarray | None,
    dh_last: np.ndarray | None,
    cache: GRUCache,
    need_dx: bool = True,
    workspace: Workspace | None = None,
) -> tuple[np.ndarray | None, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Back-propagate through time.

    The arguments and results are ``rnnviz.core.vanilla.rnn_backward``'s, for a ``GRUCache``;
    the weights' gradients have 3H rows, like the weights. ``workspace`` as for
    ``gru_forward``.
    """
    ws = Workspace(keep=False) if workspace is None else workspace
    x, Hs, gates, hn, W_hh = cache.x, cache.H, cache.gates, cache.hn, cache.W_hh
    T, B, I = x.shape
    H = Hs.shape[2]
    dtype = x.dtype
    r, z, n = (gates[:, :, k * H : (k + 1) * H] for k in range(3))  # (T, B, H) each
    h_prev = Hs[:-1]  # (T, B, H)

    # the factors that do not depend on the recurrence, for all steps at once
    scratch = ws.empty("scratch", (T, B, H), dtype)  # (T, B, H)
    dn_fac = tanh_grad(n, out=ws.empty("dn_fac", (T, B, H), dtype))  # (T, B, H) ∂n̂/∂h_t
    dn_fac *= np.subtract(1, z, out=scratch)  # (1 − z) ⊙ (1 − n²)
    dz_fac = np.subtract(h_prev, n, out=ws.empty("dz_fac", (T, B, H), dtype))  # (T, B, H) ∂ẑ/∂h_t
    dz_fac *= sigmoid_grad(z, out=scratch)  # (h_{t−1} − n) ⊙ z (1 − z)
    dr_fac = sigmoid_grad(r, out=ws.empty("dr_fac", (T, B, H), dtype))  # (T, B, H) ∂r̂/∂n̂
    dr_fac *= hn  # (W_hn h_{t−1} + b_hn) ⊙ r (1 − r)

    dGh = ws.empty("dGh", (T, B, 3 * H), dtype)  # (T, B, 3H) gradient of W_hh h_{t−1} + b_hh
    dGx = ws.empty("dGx", (T, B, 3 * H), dtype)  # (T, B, 3H) gradient of W_ih x_t + b_ih
    dH = ws.empty("dH", (T, B, H), dtype)  # (T, B, H) total gradient reaching h_t
    dh_next = np.zeros((B, H), dtype) if dh_last is None else np.array(dh_last, dtype)  # (B, H)
    direct = ws.empty("direct", (B, H), dtype)  # (B, H) dh_t ⊙ z_t
    for t in range(T - 1, -1, -1):
        dh = dH[t]  # (B, H)
        if dy is None:
            dh[...] = dh_next
        else:
            np.add(dy[t], dh_next, out=dh)
        gh = dGh[t]  # (B, 3H)
        dr, dz, dn_h = gh[:, :H], gh[:, H : 2 * H], gh[:, 2 * H :]  # (B, H) each
        dn = dGx[t, :, 2 * H :]  # (B, H) gradient of n's pre-activation
        np.multiply(dh, dn_fac[t], out=dn)
        np.multiply(dn, dr_fac[t], out=dr)
        np.multiply(dh, dz_fac[t], out=dz)
        np.multiply(dn, r[t], out=dn_h)  # the reset gate scales W_hn h_{t−1} + b_hn
        np.matmul(gh, W_hh, out=dh_next)
        np.multiply(dh, z[t], out=direct)  # the path that skips the cell: ∂h_t/∂h_{t−1} ∋ z_t
        dh_next += direct  # dh_{t−1} from this step
    dGx[:, :, : 2 * H] = dGh[:, :, : 2 * H]  # r and z see W_ih x and W_hh h alike

    # the weight gradients of every step at once
    grads, dx = projection_grads(
        dGx.reshape(T * B, 3 * H),
        x.reshape(T * B, I),
        dGh.reshape(T * B, 3 * H),
        h_prev.reshape(T * B, H),
        cache.W_ih if need_dx else None,
        ws,
    )
    dx = None if dx is None else dx.reshape(T, B, I)  # (T, B, I)
    return dx, dh_next, grads, dH
