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
``rnnviz.core.reference`` is the same cell written one step at a time, batch-major, straight
from the equations above: the oracle this one is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.activations import sigmoid_grad, tanh, tanh_grad
from rnnviz.core.linear import projection_grads

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
    H : ndarray, (T + 1, H, B)
        ``H[0]`` is h0ᵀ, ``H[t + 1]`` is h_tᵀ.
    C : ndarray, (T + 1, H, B)
        ``C[0]`` is c0ᵀ, ``C[t + 1]`` is c_tᵀ.
    gates : ndarray, (T, 4H, B)
        Gate activations i, f, g, o stacked by rows.
    tanh_c : ndarray, (T, H, B)
        tanh(c_t)ᵀ.
    W_ih, W_hh : ndarray
        The weights used, (4H, I) and (4H, H).
    """

    x: np.ndarray
    H: np.ndarray
    C: np.ndarray
    gates: np.ndarray
    tanh_c: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray


def _gate_affine(H: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Per-row scale and offset that turn tanh into σ for the i, f, o gates: σ(a) = ½tanh(½a)+½."""
    scale = np.full((4, H, 1), 0.5, dtype)  # (4, H, 1)
    offset = np.full((4, H, 1), 0.5, dtype)  # (4, H, 1)
    scale[2] = 1  # g is a tanh
    offset[2] = 0
    return scale.reshape(4 * H, 1), offset.reshape(4 * H, 1)


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
) -> LSTMCache:
    """Run the LSTM over ``x`` in the order given.

    The arguments are ``rnnviz.core.vanilla.rnn_forward``'s and the initial cell state c0
    (B, H), with the rows of the i, f, g and o gates stacked in the weights: W_ih (4H, I),
    W_hh (4H, H), b_ih and b_hh (4H,). The hidden states are ``cache.H[1:]``, feature-major:
    (T, H, B).
    """
    T, B, I = x.shape
    H = W_hh.shape[1]
    dtype = x.dtype
    # σ(a) = ½ tanh(½ a) + ½: with the rows of the sigmoid gates i, f, o pre-scaled by ½, one
    # tanh over all four gates and one multiply-add give every activation (g: scale 1, offset 0)
    scale, offset = _gate_affine(H, dtype)  # (4H, 1)
    W_hh_s = W_hh * scale  # (4H, H)
    # the input projection W_ih x_t + b_ih + b_hh of every step in one matmul
    P = (W_ih * scale) @ x.reshape(T * B, I).T  # (4H, T·B)
    P += (b_ih + b_hh)[:, None] * scale
    gates = np.empty((T, 4 * H, B), dtype)  # (T, 4H, B) i, f, g, o stacked by rows
    Hs = np.empty((T + 1, H, B), dtype)  # (T+1, H, B)
    Cs = np.empty((T + 1, H, B), dtype)  # (T+1, H, B)
    tanh_c = np.empty((T, H, B), dtype)  # (T, H, B)
    Hs[0] = h0.T
    Cs[0] = c0.T
    hW = np.empty((4 * H, B), dtype)  # (4H, B) W_hh h_{t−1}
    ig = np.empty((H, B), dtype)  # (H, B) i ⊙ g
    for t in range(T):
        h_prev, c_prev = Hs[t], Cs[t]  # (H, B) each
        a = gates[t]  # (4H, B) pre-activations, then activations
        np.matmul(W_hh_s, h_prev, out=hW)
        np.add(P[:, t * B : (t + 1) * B], hW, out=a)
        tanh(a, out=a)
        a *= scale
        a += offset
        i, f, g, o = a.reshape(4, H, B)  # (H, B) each
        c = Cs[t + 1]  # (H, B)
        np.multiply(f, c_prev, out=c)
        np.multiply(i, g, out=ig)
        c += ig  # c_t = f ⊙ c_{t−1} + i ⊙ g
        tanh(c, out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=Hs[t + 1])  # h_t = o ⊙ tanh(c_t)
    return LSTMCache(x=x, H=Hs, C=Cs, gates=gates, tanh_c=tanh_c, W_ih=W_ih, W_hh=W_hh)


def lstm_backward(
    dy: np.ndarray | None,
    dh_last: np.ndarray | None,
    dc_last: np.ndarray | None,
    cache: LSTMCache,
    need_dx: bool = True,
    dC: np.ndarray | None = None,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Back-propagate through time.

    The arguments and results are ``rnnviz.core.vanilla.rnn_backward``'s, for an
    ``LSTMCache``, and the cell state's: ``dc_last`` (B, H), the gradient with respect to c_T
    (None: zero), and dc0 (B, H) after dh0. The weights' gradients have 4H rows.
    ``dC``, if given, a (T, H, B) array of the cache's dtype, receives the total gradient
    reaching each c_t (∂L/∂c_t, feature-major, processing order): the cell-state path
    (without it, a buffer of that shape is made and dropped).
    """
    x, Hs, Cs, gates, tanh_c = cache.x, cache.H, cache.C, cache.gates, cache.tanh_c
    T, B, I = x.shape
    H = Hs.shape[1]
    dtype = x.dtype
    dA = np.empty((T, 4 * H, B), dtype)  # (T, 4H, B) gradient of the pre-activations
    dH = np.empty((T, H, B), dtype)  # (T, H, B) total gradient reaching h_t
    dh_next = np.zeros((H, B), dtype) if dh_last is None else np.array(dh_last.T, dtype)  # (H, B)
    dc_next = np.zeros((H, B), dtype) if dc_last is None else np.array(dc_last.T, dtype)  # (H, B)
    if dC is None:
        dC = np.empty((T, H, B), dtype)  # (T, H, B) ∂L/∂c_t, kept by no one
    elif dC.shape != (T, H, B) or dC.dtype != dtype:
        raise ValueError(f"dC must be a {dtype} array shaped {(T, H, B)}, got {dC.shape}")
    dact = np.empty((4 * H, B), dtype)  # (4H, B) σ' or tanh' of each gate
    W_hh_T = np.ascontiguousarray(cache.W_hh.T)  # (H, 4H)
    dy_fm = None if dy is None else dy.transpose(0, 2, 1)  # (T, H, B), a view
    # per-step arrays are small enough to stay in cache, which makes the loop cheaper than
    # precomputing the same factors over all steps at once
    for t in range(T - 1, -1, -1):
        h, c_prev = Hs[t + 1], Cs[t]  # (H, B) each
        a = gates[t]  # (4H, B)
        i, f, g, o = a.reshape(4, H, B)  # (H, B) each
        dh = dH[t]  # (H, B)
        dc = dC[t]  # (H, B) gradient reaching c_t
        if dy_fm is None:
            dh[...] = dh_next
        else:
            np.add(dy_fm[t], dh_next, out=dh)
        # dc_t = dc_{t+1} ⊙ f_{t+1} + dh_t ⊙ o ⊙ (1 − tanh² c_t), using o ⊙ tanh c_t = h_t
        np.multiply(h, tanh_c[t], out=dc)
        np.subtract(o, dc, out=dc)
        dc *= dh
        dc += dc_next
        da = dA[t]  # (4H, B)
        di, df, dg, do = da.reshape(4, H, B)  # (H, B) each
        np.multiply(dc, g, out=di)
        np.multiply(dc, c_prev, out=df)
        np.multiply(dc, i, out=dg)
        np.multiply(dh, tanh_c[t], out=do)
        sigmoid_grad(a, out=dact)  # σ' for every row; g's rows are mended next
        tanh_grad(g, out=dact[2 * H : 3 * H])
        da *= dact  # through the activations, to the pre-activations
        np.multiply(dc, f, out=dc_next)  # dc_{t−1}
        np.matmul(W_hh_T, da, out=dh_next)  # dh_{t−1} from this step

    # the weight gradients of every step at once, from a (4H, T·B) copy of dA, read
    # batch-major through its transpose; both projections see the same dA
    dA2 = np.ascontiguousarray(dA.transpose(1, 0, 2)).reshape(4 * H, T * B).T  # (T·B, 4H)
    x2 = x.reshape(T * B, I)  # (T·B, I)
    H_prev = Hs[:-1].transpose(0, 2, 1).reshape(T * B, H)  # (T·B, H)
    grads, dx = projection_grads(dA2, x2, dA2, H_prev, cache.W_ih if need_dx else None)
    dx = None if dx is None else dx.reshape(T, B, I)  # (T, B, I)
    return dx, dh_next.T, dc_next.T, grads, dH.transpose(0, 2, 1)
