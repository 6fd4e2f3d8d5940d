"""Long short-term memory over a whole sequence, one direction (PyTorch's ``nn.LSTM`` cell).

Forward, for t = 1 … T, with gates stacked in PyTorch's order i, f, g, o:

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)      input gate: let new input in
    f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)      forget gate: delete what is not needed
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)   candidate cell values
    o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)      output gate: let the memory out
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

``W_ih`` is (4H, I) = [W_ii; W_if; W_ig; W_io] and ``W_hh`` is (4H, H), as in PyTorch.

Backward through time, with dh_t the total gradient reaching h_t (from the output y_t and from
step t+1) and dc_t the gradient reaching c_t:

    do_t = dh_t ⊙ tanh(c_t)
    dc_t = dc_{t+1} ⊙ f_{t+1}  +  dh_t ⊙ o_t ⊙ (1 − tanh²(c_t))
    di_t = dc_t ⊙ g_t,   df_t = dc_t ⊙ c_{t−1},   dg_t = dc_t ⊙ i_t
    da_t = [di, df, dg, do]_t ⊙ [σ', σ', tanh', σ']     (gradient of the pre-activations)
    dh_{t−1} += da_t W_hh

and after the loop, over all steps at once: dW_hh = Σ_t da_tᵀ h_{t−1}, dW_ih = Σ_t da_tᵀ x_t,
db_ih = db_hh = Σ_t da_t, dx_t = da_t W_ih.

Layout: inside the loops the arrays are feature-major, (4H, B) per step, so that every gate is
a contiguous block of rows and the recurrent product is ``W_hh @ h`` (a (4H, H) × (H, B)
matmul). Measured on 2 cores at H = 128, B = 32, T = 50, this is 1.7× faster than the
batch-major (B, 4H) layout with two BLAS threads and as fast with one (benchmarks/bench_core.py).
The cache keeps that layout; ``rnnviz.core.trace`` shows it to the views as (T, B, H).

One matmul per step: the weights are joined into W = [W_hh | W_ih | b_ih + b_hh] (4H, H+I+1)
and each step's input into z_t = [h_{t−1}; x_t; 1] (H+I+1, B), so that a_t = W z_t is every
pre-activation at once, bias included, written straight into the gate array; after the loop
the weight gradients are one product too, dW = Σ_t da_t z_tᵀ. Measured against a separate input
projection of all steps added to the recurrent product step by step (2 cores, H = 128, B = 32,
T = 50): the longer matmul costs 0.6 ms more, the projection and the additions 2 ms less.
``rnnviz.core.reference`` is the same cell written one step at a time, batch-major, straight
from the equations above: the oracle this one is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.activations import sigmoid_grad, tanh, tanh_grad
from rnnviz.core.workspace import Workspace

__all__ = ["GATES", "LSTMCache", "lstm_backward", "lstm_forward"]

#: The gates in the order of the rows of W_ih and W_hh (PyTorch's), with what each does.
GATES: tuple[tuple[str, str], ...] = (
    ("i", "input gate i: how much new input is written to the memory"),
    ("f", "forget gate f: how much of the memory is kept"),
    ("g", "candidate g: the new values that may be written"),
    ("o", "output gate o: how much of the memory is let out"),
)


@dataclass(frozen=True)
class LSTMCache:
    """What the LSTM backward pass needs, in processing order and feature-major layout.

    Attributes
    ----------
    x : ndarray, (T, B, I)
        The input sequence.
    Z : ndarray, (T + 1, H + I + 1, B)
        ``Z[t]`` is z_t = [h_{t−1}; x_t; 1]ᵀ, the operand of step t's single matmul; ``Z[T]``
        holds h_T in its first H rows.
    H : ndarray, (T + 1, H, B)
        ``H[0]`` is h0ᵀ, ``H[t + 1]`` is h_tᵀ (a view of Z's first H rows).
    C : ndarray, (T + 1, H, B)
        ``C[0]`` is c0ᵀ, ``C[t + 1]`` is c_tᵀ.
    gates : ndarray, (T, 4H, B)
        Gate activations stacked by rows in the order ``gate_order``: i, f, o, g, the three
        sigmoid gates first so that one multiply-add over 3H rows turns their tanh into σ.
    tanh_c : ndarray, (T, H, B)
        tanh(c_t)ᵀ.
    W_ih, W_hh : ndarray
        The weights used, (4H, I) and (4H, H).
    """

    x: np.ndarray
    Z: np.ndarray
    H: np.ndarray
    C: np.ndarray
    gates: np.ndarray
    tanh_c: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray
    #: The gates in the order of the rows of ``gates`` (the weights' order is i, f, g, o).
    gate_order: tuple[str, ...] = ("i", "f", "o", "g")


def _swap_g_o(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``a`` (4H, …) with its last two row blocks swapped, i, f, g, o ↔ i, f, o, g, into out."""
    H = a.shape[0] // 4
    out[: 2 * H] = a[: 2 * H]
    out[2 * H : 3 * H] = a[3 * H :]
    out[3 * H :] = a[2 * H : 3 * H]
    return out


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    workspace: Workspace | None = None,
) -> LSTMCache:
    """Run the LSTM over ``x`` in the order given.

    The arguments are ``rnnviz.core.vanilla.rnn_forward``'s and the initial cell state c0
    (B, H), with the rows of the i, f, g and o gates stacked in the weights: W_ih (4H, I),
    W_hh (4H, H), b_ih and b_hh (4H,). The hidden states are ``cache.H[1:]``, feature-major:
    (T, H, B). ``workspace`` keeps the arrays for the next pass (``rnnviz.core.workspace``).
    """
    ws = Workspace(keep=False) if workspace is None else workspace
    T, B, I = x.shape
    H = W_hh.shape[1]
    K = H + I + 1
    dtype = x.dtype
    # a_t = W z_t with W = [W_hh | W_ih | b_ih + b_hh] and z_t = [h_{t−1}; x_t; 1], its rows
    # in the order i, f, o, g
    W_ifgo = ws.empty("W_ifgo", (4 * H, K), dtype)  # (4H, H+I+1) rows i, f, g, o
    W_ifgo[:, :H] = W_hh
    W_ifgo[:, H : H + I] = W_ih
    np.add(b_ih, b_hh, out=W_ifgo[:, H + I])
    W = _swap_g_o(W_ifgo, ws.empty("W", (4 * H, K), dtype))  # (4H, H+I+1) rows i, f, o, g
    # σ(a) = ½ tanh(½ a) + ½: with the rows of the sigmoid gates i, f, o halved, one tanh over
    # all four gates and a multiply-add on those 3H rows give every activation
    W[: 3 * H] *= 0.5
    Z = ws.empty("Z", (T + 1, K, B), dtype)  # (T+1, H+I+1, B) z_t per step
    Z[0, :H] = h0.T
    Z[:T, H : H + I] = x.transpose(0, 2, 1)
    Z[:, H + I] = 1
    Z[T, H:] = 0  # z_{T+1} is never used; only its h_T rows are read
    Hs = Z[:, :H]  # (T+1, H, B) h_t, a view
    gates = ws.empty("gates", (T, 4 * H, B), dtype)  # (T, 4H, B) i, f, o, g stacked by rows
    Cs = ws.empty("C", (T + 1, H, B), dtype)  # (T+1, H, B)
    tanh_c = ws.empty("tanh_c", (T, H, B), dtype)  # (T, H, B)
    Cs[0] = c0.T
    ig = ws.empty("ig", (H, B), dtype)  # (H, B) i ⊙ g
    for t in range(T):
        a = gates[t]  # (4H, B) pre-activations, then activations
        np.matmul(W, Z[t], out=a)  # a_t = W_hh h_{t−1} + W_ih x_t + b (σ rows halved)
        tanh(a, out=a)
        s = a[: 3 * H]  # (3H, B) i, f, o
        s *= 0.5
        s += 0.5  # σ = ½ tanh(½ a) + ½
        i, f, o, g = a.reshape(4, H, B)  # (H, B) each
        c = Cs[t + 1]  # (H, B)
        np.multiply(f, Cs[t], out=c)
        np.multiply(i, g, out=ig)
        c += ig  # c_t = f ⊙ c_{t−1} + i ⊙ g
        tanh(c, out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=Hs[t + 1])  # h_t = o ⊙ tanh(c_t)
    return LSTMCache(x=x, Z=Z, H=Hs, C=Cs, gates=gates, tanh_c=tanh_c, W_ih=W_ih, W_hh=W_hh)


def lstm_backward(
    dy: np.ndarray | None,
    dh_last: np.ndarray | None,
    dc_last: np.ndarray | None,
    cache: LSTMCache,
    need_dx: bool = True,
    dC: np.ndarray | None = None,
    workspace: Workspace | None = None,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Back-propagate through time.

    The arguments and results are ``rnnviz.core.vanilla.rnn_backward``'s, for an
    ``LSTMCache``, and the cell state's: ``dc_last`` (B, H), the gradient with respect to c_T
    (None: zero), and dc0 (B, H) after dh0. The weights' gradients have 4H rows.
    ``dC``, if given, a (T, H, B) array of the cache's dtype, receives the total gradient
    reaching each c_t (∂L/∂c_t, feature-major, processing order): the cell-state path
    (without it, a buffer of that shape is made and dropped).
    """
    ws = Workspace(keep=False) if workspace is None else workspace
    x, Z, Hs, Cs, gates, tanh_c = cache.x, cache.Z, cache.H, cache.C, cache.gates, cache.tanh_c
    T, B, I = x.shape
    H = Hs.shape[1]
    K = Z.shape[1]
    dtype = x.dtype
    dA = ws.empty("dA", (T, 4 * H, B), dtype)  # (T, 4H, B) gradient of the pre-activations
    dH = ws.empty("dH", (T, H, B), dtype)  # (T, H, B) total gradient reaching h_t
    dh_next = np.zeros((H, B), dtype) if dh_last is None else np.array(dh_last.T, dtype)  # (H, B)
    dc_next = np.zeros((H, B), dtype) if dc_last is None else np.array(dc_last.T, dtype)  # (H, B)
    if dC is None:
        dC = ws.empty("dC", (T, H, B), dtype)  # (T, H, B) ∂L/∂c_t, kept by no one
    elif dC.shape != (T, H, B) or dC.dtype != dtype:
        raise ValueError(f"dC must be a {dtype} array shaped {(T, H, B)}, got {dC.shape}")
    # W_hh with its rows in the gates' order i, f, o, g, transposed: (H, 4H), contiguous
    W_hh_ifog = _swap_g_o(cache.W_hh, ws.empty("W_hh_ifog", (4 * H, H), dtype))  # (4H, H)
    W_hh_T = ws.empty("W_hh_T", (H, 4 * H), dtype)  # (H, 4H), contiguous for a faster matmul
    W_hh_T[...] = W_hh_ifog.T
    if dy is not None:
        dy_fm = ws.empty("dy", (T, H, B), dtype)  # (T, H, B) dy feature-major
        dy_fm[...] = dy.transpose(0, 2, 1)

    # the factors that do not depend on the recurrence, for all steps at once (whole-sequence
    # operations cost half as much per number as per-step ones, call overhead included), made
    # where the loop then multiplies them in place, so that they take no memory of their own:
    # da_t = [dc_t, dc_t, dh_t, dc_t] ⊙ Q_t in dA, and dc_t's share of dh_t, F_t, in dC
    i, f, o, g = (gates[:, k * H : (k + 1) * H] for k in range(4))  # (T, H, B) each
    Q = dA  # (T, 4H, B) ∂a_t/∂c_t for i, f, g; ∂a_t/∂h_t for o
    Q_i, Q_f, Q_o, Q_g = (Q[:, k * H : (k + 1) * H] for k in range(4))  # (T, H, B) each
    sigmoid_grad(gates[:, : 3 * H], out=Q[:, : 3 * H])  # σ'(i), σ'(f), σ'(o)
    Q_i *= g  # ∂c/∂i ⊙ σ'(i) = g ⊙ σ'(i)
    Q_f *= Cs[:-1]  # c_{t−1} ⊙ σ'(f)
    Q_o *= tanh_c  # tanh c_t ⊙ σ'(o)
    tanh_grad(g, out=Q_g)
    Q_g *= i  # i ⊙ tanh'(g)
    F = tanh_grad(tanh_c, out=dC)  # (T, H, B)
    F *= o  # ∂c_t's share of dh_t: o ⊙ (1 − tanh² c_t)

    for t in range(T - 1, -1, -1):
        dh = dH[t]  # (H, B)
        if dy is None:
            dh[...] = dh_next
        else:
            np.add(dy_fm[t], dh_next, out=dh)
        dc = dC[t]  # (H, B) F_t, then the gradient reaching c_t
        dc *= dh
        dc += dc_next  # dc_t = dc_{t+1} ⊙ f_{t+1} + dh_t ⊙ o ⊙ (1 − tanh² c_t)
        da = dA[t]  # (4H, B) Q_t, then the gradient of the pre-activations, rows i, f, o, g
        # [di, df] = dc_t ⊙ [g σ'(i), c_{t−1} σ'(f)], do = dh_t tanh c_t σ'(o), dg = dc_t i tanh'(g)
        da[: 2 * H].reshape(2, H, B)[...] *= dc
        da[2 * H : 3 * H] *= dh
        da[3 * H :] *= dc
        np.multiply(dc, f[t], out=dc_next)  # dc_{t−1}
        np.matmul(W_hh_T, da, out=dh_next)  # dh_{t−1} from this step

    # the weight gradients of every step at once: dW = Σ_t da_t z_tᵀ = dA (4H, T·B) z (T·B, K)
    dA2 = ws.empty("dA2", (4 * H, T, B), dtype)  # (4H, T, B)
    dA2[...] = dA.transpose(1, 0, 2)
    dA2 = dA2.reshape(4 * H, T * B)  # (4H, T·B)
    Zb = ws.empty("Zb", (T, B, K), dtype)  # (T, B, H+I+1) z_t batch-major
    Zb[...] = Z[:T].transpose(0, 2, 1)
    dW_ifog = np.matmul(dA2, Zb.reshape(T * B, K), out=ws.empty("dW_ifog", (4 * H, K), dtype))
    dW = _swap_g_o(dW_ifog, ws.empty("dW", (4 * H, K), dtype))  # (4H, K) rows i, f, g, o
    grads = {
        "W_ih": np.ascontiguousarray(dW[:, H : H + I]),  # (4H, I)
        "W_hh": np.ascontiguousarray(dW[:, :H]),  # (4H, H)
        "b_ih": dW[:, H + I].copy(),  # (4H,)
        "b_hh": dW[:, H + I].copy(),  # (4H,)
    }
    dx = None
    if need_dx:
        W_ih_ifog = _swap_g_o(cache.W_ih, ws.empty("W_ih_ifog", (4 * H, I), dtype))  # (4H, I)
        dx = np.matmul(dA2.T, W_ih_ifog, out=ws.empty("dx", (T * B, I), dtype))  # (T·B, I)
        dx = dx.reshape(T, B, I)  # (T, B, I)
    return dx, dh_next.T, dc_next.T, grads, dH.transpose(0, 2, 1)
