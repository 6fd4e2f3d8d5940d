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
the weight gradients are three products over all steps (h and x batch-major, as kept). Measured
against a separate input projection of all steps added to the recurrent product step by step
(2 cores, H = 128, B = 32, T = 50): the longer matmul costs 0.6 ms more, the projection and the
additions 2 ms less. Each step's gates sit in one block with the cell state the step starts
from, [o; i; f; g; c_{t−1}], so that i ⊙ g and f ⊙ c_{t−1} are one product of adjacent row
pairs; backward keeps [dh_t; dc_{t+1}] side by side for the same reason (dc_t = [F_t; f_{t+1}] ·
[dh_t; dc_{t+1}]).

Where the time goes (float32, H = 128, B = 32, T = 50, I = 65, one BLAS thread, CPU time of a
forward and backward pass: 13.6 ms): the matmuls 9.4 ms, at the processor's peak (the step's
(4H, H+I+1) × (H+I+1, B) 68 µs, the backward step's 46 µs, the weight gradients 3.3 ms); the
rest is NumPy's element-wise work, about 0.7 µs a call on a step's (H, B) block whatever is
computed (most of it the call itself) and 6 µs for the tanh of the (4H, B) gate block: 0.8 ms
in the forward steps, 0.8 ms in the backward steps, 0.8 ms for the gate derivatives of all
steps, 0.7 ms of transposes (dy in, ∂L/∂a out for the weight gradients, h batch-major) and
0.5 ms in the layer (checks, norms). tanh and exp are SIMD in NumPy ≥ 2 (0.35 ns a number):
the transcendental functions are a twentieth of the pass, so approximating them would buy
little; every result stays float64's operations rounded to float32, none approximated.

With two BLAS threads (the same pass, wall time, quiet machine, 8.5–9.4 ms) only the matmuls
use both cores: forward 3.2 ms (the step matmuls 1.9 ms), backward 5.3 ms (the step matmuls
1.4 ms, the weight gradients 1.8 ms; the gate derivatives 0.75 ms, twice their time on data
already in cache, dy's transpose 0.2 ms, the steps' element-wise work 0.9 ms), the layer
0.25 ms: about 5 ms of matmuls on two cores and 3.5 ms of element-wise work on one.
Running the batch in two slices on two Python threads, BLAS on one thread each (each
slice's element-wise work then runs on its own core), was tried and taken out again (commit
d40be55): 8.3–9.1 ms against 8.3–8.7 ms, because a slice makes every call a whole batch
makes (one slice of 16 alone: 7.0 ms of the whole batch's 13.2) and the two threads hand the
GIL to each other at every call (1.4 ms); the GRU went from 9 to 11 ms. Blocks of 5 to 50
steps in the backward pass (``_steps_in_cache``) change the time by less than the noise.
Writing each step's ∂L/∂a straight into dA2's (4H, T, B) layout (rows of B numbers apart),
rather than copying it there per block, made the backward pass 0.6 ms slower (6.1–6.5 against
5.5–5.8 ms, 6 alternating runs), though the copy it saves takes 0.36 ms; one product of dA2 with
[h; x; 1] for all three weight gradients takes as long as the three.
``rnnviz.core.reference`` is the same cell written one step at a time, batch-major, straight
from the equations above: the oracle this one is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    Hb : ndarray, (T + 1, B, H)
        The same batch-major: ``Hb[1:]`` is the layer's output y as it is handed out (no
        copy), and ``Hb[:T]`` the h_{t−1} of the weight gradients.
    S : ndarray, (T + 1, 5H, B)
        ``S[t]`` is step t's block [o; i; f; g; c_{t−1}]ᵀ: its gate activations in the order
        ``gate_order`` (the sigmoid gates first, so that one multiply-add over 3H rows turns
        their tanh into σ), then the cell state the step starts from, so that i ⊙ g and
        f ⊙ c_{t−1} are one product of adjacent row pairs. ``S[T]`` holds c_T alone.
    C : ndarray, (T + 1, H, B)
        ``C[0]`` is c0ᵀ, ``C[t + 1]`` is c_tᵀ (a view of S's last H rows).
    gates : ndarray, (T, 4H, B)
        The gate activations of every step, rows in the order ``gate_order`` (a view of S).
    tanh_c : ndarray, (T, H, B)
        tanh(c_t)ᵀ.
    W_ih, W_hh : ndarray
        The weights used, (4H, I) and (4H, H).
    """

    x: np.ndarray
    Z: np.ndarray
    H: np.ndarray
    Hb: np.ndarray
    S: np.ndarray
    C: np.ndarray
    gates: np.ndarray
    tanh_c: np.ndarray
    W_ih: np.ndarray
    W_hh: np.ndarray
    #: The gates in the order of the rows of ``gates`` (the weights' order is i, f, g, o).
    gate_order: tuple[str, ...] = ("o", "i", "f", "g")


def _to_oifg(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``a`` (4H, …) with its row blocks i, f, g, o rotated to o, i, f, g, into ``out``."""
    H = a.shape[0] // 4
    out[:H] = a[3 * H :]
    out[H:] = a[: 3 * H]
    return out


def _to_ifgo(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The inverse of ``_to_oifg``: row blocks o, i, f, g back to i, f, g, o, into ``out``."""
    H = a.shape[0] // 4
    out[: 3 * H] = a[H:]
    out[3 * H :] = a[:H]
    return out


def _steps_in_cache(H: int, B: int, dtype: np.dtype) -> int:
    """How many steps of the backward pass keep their arrays (S, dA, Fpair, Y, tanh c, dy:
    14 H × B numbers a step) within 16 MiB, half the processor's last-level cache.

    Measured on 2 cores (1 thread, L3 32 MiB): at H = 256, B = 32, T = 200 (90 MB of such
    arrays) blocks of 5 to 20 steps take the backward pass 5 % less time than one block; at
    H = 128, T = 50 (11 MB) one block is fastest, and blocks of 1 or 2 steps cost 10 % more
    (every block adds a dozen calls).
    """
    return max(1, (1 << 24) // (14 * H * B * np.dtype(dtype).itemsize))


def _gate_factors(
    S: np.ndarray, tanh_c: np.ndarray, Q: np.ndarray, Fpair: np.ndarray, last: bool
) -> None:
    """The factors of a block of steps that do not depend on the recurrence, into Q and Fpair.

    ``S`` (n + 1, 5H, B) the blocks of the steps and of the next one, ``tanh_c`` (n, H, B);
    ``Q`` (n, 4H, B) receives ∂a_t/∂c_t for i, f, g and ∂a_t/∂h_t for o, rows o, i, f, g, so
    that da_t = [dh_t, dc_t, dc_t, dc_t] ⊙ Q_t; ``Fpair`` (n, 2H, B) receives [F_t; f_{t+1}],
    so that dc_t = [F_t, f_{t+1}] · [dh_t, dc_{t+1}], with f_{t+1} = 1 after the ``last`` step
    (dc_last reaches c_T as it is).
    """
    H = tanh_c.shape[1]
    n = len(Q)
    o, i, _, g = (S[:n, k * H : (k + 1) * H] for k in range(4))  # (n, H, B) each
    sig = S[:n, : 3 * H]  # (n, 3H, B) σ of o, i, f
    Q_sig = Q[:, : 3 * H]  # (n, 3H, B)
    np.subtract(1, sig, out=Q_sig)
    Q_sig *= sig  # σ' = σ (1 − σ)
    Q[:, :H] *= tanh_c  # Q_o = ∂h/∂o σ'(o) = tanh c_t σ'(o)
    Q[:, H : 3 * H] *= S[:n, 3 * H :]  # [Q_i, Q_f] = [g σ'(i), c_{t−1} σ'(f)]
    Q_g = Q[:, 3 * H :]  # (n, H, B)
    np.square(g, out=Q_g)
    np.subtract(1, Q_g, out=Q_g)
    Q_g *= i  # ∂c/∂g tanh'(g) = i (1 − g²)
    F = Fpair[:, :H]  # (n, H, B) ∂c_t's share of dh_t: o ⊙ (1 − tanh² c_t)
    np.square(tanh_c, out=F)
    np.subtract(1, F, out=F)
    F *= o
    Fpair[:, H:] = S[1:, 2 * H : 3 * H]  # f_{t+1}
    if last:
        Fpair[-1, H:] = 1


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
    # in the order o, i, f, g
    W = ws.empty("W", (4 * H, K), dtype)  # (4H, H+I+1) rows o, i, f, g
    _to_oifg(W_hh, W[:, :H])
    _to_oifg(W_ih, W[:, H : H + I])
    _to_oifg(b_ih, W[:, H + I])
    W[:, H + I] += _to_oifg(b_hh, ws.empty("b", (4 * H,), dtype))
    # σ(a) = ½ tanh(½ a) + ½: with the rows of the sigmoid gates o, i, f halved, one tanh over
    # all four gates and a multiply-add on those 3H rows give every activation
    W[: 3 * H] *= 0.5
    Z = ws.empty("Z", (T + 1, K, B), dtype)  # (T+1, H+I+1, B) z_t per step
    Z[0, :H] = h0.T
    Z[:T, H : H + I] = x.transpose(0, 2, 1)
    Z[:, H + I] = 1
    Z[T, H:] = 0  # z_{T+1} is never used; only its h_T rows are read
    S = ws.empty("S", (T + 1, 5 * H, B), dtype)  # (T+1, 5H, B) [o; i; f; g; c_{t−1}] per step
    S[T, : 4 * H] = 0  # no step T: only its c_T rows are read
    S[0, 4 * H :] = c0.T
    tanh_c = ws.empty("tanh_c", (T, H, B), dtype)  # (T, H, B)
    pair = ws.empty("pair", (2 * H, B), dtype)  # (2H, B) [i ⊙ g; f ⊙ c_{t−1}]
    # iterating over the arrays hands out each step's views in C, cheaper than indexing
    ig_fc = (pair[:H], pair[H:])  # (H, B) each: i ⊙ g and f ⊙ c_{t−1}
    # every step's views, handed out by iterating over the arrays (cheaper than indexing):
    # z_t, a_t, its σ rows, [i; f], [g; c_{t−1}], o, then where c_t, tanh c_t and h_t go
    views = (Z, S[:, : 4 * H], S[:, : 3 * H], S[:, H : 3 * H], S[:, 3 * H :], S[:, :H])
    views += (S[1:, 4 * H :], tanh_c, Z[1:, :H])
    for z, a, sig, i_f, g_c, o, c_next, tc, h_next in zip(*views, strict=False):
        np.matmul(W, z, out=a)  # a_t = W_hh h_{t−1} + W_ih x_t + b (σ rows halved)
        np.tanh(a, out=a)
        sig *= 0.5
        sig += 0.5  # σ = ½ tanh(½ a) + ½ for o, i, f
        np.multiply(i_f, g_c, out=pair)  # [i ⊙ g; f ⊙ c_{t−1}]
        np.add(*ig_fc, out=c_next)  # c_t = i ⊙ g + f ⊙ c_{t−1}
        np.tanh(c_next, out=tc)
        np.multiply(o, tc, out=h_next)  # h_t = o ⊙ tanh(c_t)
    Hb = ws.empty("Hb", (T + 1, B, H), dtype)  # (T+1, B, H) h_t batch-major
    Hb[...] = Z[:, :H].transpose(0, 2, 1)
    return LSTMCache(
        x=x,
        Z=Z,
        H=Z[:, :H],
        Hb=Hb,
        S=S,
        C=S[:, 4 * H :],
        gates=S[:T, : 4 * H],
        tanh_c=tanh_c,
        W_ih=W_ih,
        W_hh=W_hh,
    )


def lstm_backward(
    dy: np.ndarray | None,
    dh_last: np.ndarray | None,
    dc_last: np.ndarray | None,
    cache: LSTMCache,
    need_dx: bool = True,
    workspace: Workspace | None = None,
) -> tuple[
    np.ndarray | None, np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray, np.ndarray
]:
    """Back-propagate through time.

    The arguments and results are ``rnnviz.core.vanilla.rnn_backward``'s, for an
    ``LSTMCache``, and the cell state's: ``dc_last`` (B, H), the gradient with respect to c_T
    (None: zero), and dc0 (B, H) after dh0. The weights' gradients have 4H rows. Last comes
    dC (T, H, B), the total gradient that reached each c_t (∂L/∂c_t, feature-major,
    processing order): the cell-state path.
    """
    ws = Workspace(keep=False) if workspace is None else workspace
    x, S, tanh_c = cache.x, cache.S, cache.tanh_c
    T, B, I = x.shape
    H = tanh_c.shape[1]
    dtype = x.dtype
    # Y[t + 1] = [dh_t; dc_{t+1}]: the gradient reaching h_t next to that reaching c_{t+1},
    # so that both terms of dc_t are one product; Y[0] = [dh0; dc_0], Y[T] starts as
    # [dh_last; dc_last]
    Y = ws.empty("Y", (T + 1, 2 * H, B), dtype)  # (T+1, 2H, B)
    Y[T, :H] = 0 if dh_last is None else dh_last.T
    Y[T, H:] = 0 if dc_last is None else dc_last.T
    # W_hh with its rows in the gates' order o, i, f, g, transposed: (H, 4H), contiguous
    W_hh_T = ws.empty("W_hh_T", (H, 4 * H), dtype)  # (H, 4H)
    W_hh_T[:, :H] = cache.W_hh[3 * H :].T
    W_hh_T[:, H:] = cache.W_hh[: 3 * H].T
    dy_fm = None if dy is None else ws.empty("dy", (T, H, B), dtype)  # (T, H, B) feature-major
    dA = ws.empty("dA", (T, 4 * H, B), dtype)  # (T, 4H, B) Q, then ∂L/∂a_t, rows o, i, f, g
    Fpair = ws.empty("Fpair", (T, 2 * H, B), dtype)  # (T, 2H, B) [F_t; f_{t+1}]
    dA2 = ws.empty("dA2", (4 * H, T, B), dtype)  # (4H, T, B) ∂L/∂a_t for the weight gradients
    pair = ws.empty("pair", (2 * H, B), dtype)  # (2H, B) [F_t ⊙ dh_t; f_{t+1} ⊙ dc_{t+1}]
    dh_dc = (pair[:H], pair[H:])  # (H, B) each
    # blocks of steps, latest first: the factors that do not depend on the recurrence made for
    # a block's steps at once (whole-block operations cost less per number than per-step ones),
    # then the steps themselves, then their ∂L/∂a_t laid out for the weight gradients, while
    # the block's arrays are still in the processor's cache
    span = _steps_in_cache(H, B, dtype)
    for end in range(T, 0, -span):
        start = max(0, end - span)
        steps = slice(start, end)
        if dy_fm is not None:
            dy_fm[steps] = dy[steps].transpose(0, 2, 1)
        _gate_factors(S[start : end + 1], tanh_c[steps], dA[steps], Fpair[steps], end == T)
        n = end - start
        # every step's views, latest first: [dh_t; dc_{t+1}], dh_t, dy_t, [F_t; f_{t+1}],
        # where dc_t goes, da_t, its o rows, its i, f, g rows, where dh_{t−1} goes
        views = (Y[start + 1 : end + 1], Y[start + 1 : end + 1, :H])
        views += ([None] * n if dy_fm is None else dy_fm[steps], Fpair[steps], Y[steps, H:])
        views += (dA[steps], dA[steps, :H], dA[steps, H:].reshape(n, 3, H, B), Y[steps, :H])
        for y_t, dh, dy_t, F_f, dc, da, da_o, da_ifg, dh_prev in zip(
            *(v[::-1] for v in views), strict=True
        ):
            if dy_t is not None:
                dh += dy_t  # dh_t: from the output and from step t+1
            np.multiply(F_f, y_t, out=pair)  # [F_t ⊙ dh_t; f_{t+1} ⊙ dc_{t+1}]
            np.add(*dh_dc, out=dc)  # dc_t = dh_t ⊙ o ⊙ (1 − tanh² c_t) + dc_{t+1} ⊙ f_{t+1}
            # da_t, rows o, i, f, g: Q_t times dh_t for o, dc_t for the others
            da_o *= dh  # do = dh_t tanh c_t σ'(o)
            da_ifg *= dc  # [di, df, dg] = dc_t ⊙ [g σ'(i), c_{t−1} σ'(f), i tanh'(g)]
            np.matmul(W_hh_T, da, out=dh_prev)  # dh_{t−1} from this step
        dA2[:, steps] = dA[steps].transpose(1, 0, 2)
    dc0 = Y[0, H:] * S[0, 2 * H : 3 * H]  # (H, B) the gradient reaching c0, through f_0

    # the weight gradients of every step at once: dW = Σ_t da_t z_tᵀ, z_t = [h_{t−1}; x_t; 1]
    dA2 = dA2.reshape(4 * H, T * B)  # (4H, T·B)
    # dW_hh = dA (4H, T·B) h (T·B, H), dW_ih = dA x (T·B, I), db = dA 1, both h and x as
    # they are kept batch-major (no copy)
    dW_hh = np.matmul(dA2, cache.Hb[:T].reshape(T * B, H), out=ws.empty("dW_hh", (4 * H, H), dtype))
    dW_ih = np.matmul(dA2, x.reshape(T * B, I), out=ws.empty("dW_ih", (4 * H, I), dtype))
    ones = ws.empty("ones", (T * B,), dtype)  # (T·B,)
    ones.fill(1)
    db = np.matmul(dA2, ones, out=ws.empty("db", (4 * H,), dtype))  # (4H,) Σ over steps, batch
    grads = {  # rows back in the weights' order i, f, g, o
        "W_ih": _to_ifgo(dW_ih, np.empty((4 * H, I), dtype)),  # (4H, I)
        "W_hh": _to_ifgo(dW_hh, np.empty((4 * H, H), dtype)),  # (4H, H)
        "b_ih": _to_ifgo(db, np.empty(4 * H, dtype)),  # (4H,)
    }
    grads["b_hh"] = grads["b_ih"].copy()  # (4H,)
    dx = None
    if need_dx:
        W_ih_oifg = _to_oifg(cache.W_ih, ws.empty("W_ih_oifg", (4 * H, I), dtype))  # (4H, I)
        dx = np.matmul(dA2.T, W_ih_oifg, out=ws.empty("dx", (T * B, I), dtype))  # (T·B, I)
        dx = dx.reshape(T, B, I)  # (T, B, I)
    dH, dC = Y[1:, :H], Y[:T, H:]  # (T, H, B) each
    return dx, Y[0, :H].T, dc0.T, grads, dH.transpose(0, 2, 1), dC
