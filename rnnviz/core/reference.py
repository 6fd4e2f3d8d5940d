"""The cells written straight from the slides' equations, one time step at a time: the oracle.

Each cell is a pair of functions for one step, forward and backward, on a batch of row vectors
(x_t is (B, I), h_{t−1} is (B, H)); the weights are split into the blocks the equations name
(W_ih = [W_ii; W_if; W_ig; W_io] for the LSTM), every gate is its own product, nothing is fused,
reordered or preallocated. ``*_forward`` and ``*_backward`` run the steps over a sequence and
add up the weight gradients of every step. It is slow and plain on purpose: the fast passes
(``rnnviz.core.vanilla``, ``lstm``, ``gru``) are tested against it, and a view that explains a
step can show its numbers.

Vanilla RNN (φ = tanh or ReLU)::

    h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)

LSTM::

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)
    f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
    o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
    h_t = o_t ⊙ tanh(c_t)

GRU::

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

Backward through time: the gradient reaching h_t is what the loss gives it at step t plus what
step t + 1 sends back (dh_{t}), and each step's backward function applies the chain rule to
its own equations above, from the last step to the first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.activations import (
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)

__all__ = [
    "Backward",
    "Forward",
    "gru_backward",
    "gru_forward",
    "gru_step",
    "gru_step_backward",
    "lstm_backward",
    "lstm_forward",
    "lstm_step",
    "lstm_step_backward",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
    "rnn_step_backward",
]


@dataclass(frozen=True)
class Forward:
    """A sequence run forwards, step by step.

    Attributes
    ----------
    h : ndarray, (T, B, H)
        h_1 … h_T.
    c : ndarray, (T, B, H), or None
        c_1 … c_T (LSTM only).
    gates : dict of str to ndarray, each (T, B, H)
        The gate activations by name (none for the vanilla RNN).
    """

    h: np.ndarray
    c: np.ndarray | None
    gates: dict[str, np.ndarray]


@dataclass(frozen=True)
class Backward:
    """The gradients of a sequence, back-propagated step by step.

    Attributes
    ----------
    dx : ndarray, (T, B, I)
    dh0 : ndarray, (B, H)
    dc0 : ndarray, (B, H), or None
        LSTM only.
    grads : dict of str to ndarray
        ``W_ih``, ``W_hh``, ``b_ih``, ``b_hh``, summed over the steps.
    dh : ndarray, (T, B, H)
        The total gradient that reached each h_t.
    """

    dx: np.ndarray
    dh0: np.ndarray
    dc0: np.ndarray | None
    grads: dict[str, np.ndarray]
    dh: np.ndarray


def _blocks(a: np.ndarray, count: int) -> list[np.ndarray]:
    """The ``count`` equal row blocks of a stacked weight or bias: [W_ii; W_if; …] → W_ii, …"""
    return np.split(a, count)


def _weight_grads(da: list[np.ndarray], da_h: list[np.ndarray], x_t, h_prev) -> dict:
    """One step's weight gradients from the gradients of each block's pre-activation: ``da`` for
    the input side (W_i· x_t + b_i·) and ``da_h`` for the recurrent side (W_h· h_{t−1} + b_h·)."""
    return {
        "W_ih": np.concatenate([d.T @ x_t for d in da]),  # (G·H, I)
        "W_hh": np.concatenate([d.T @ h_prev for d in da_h]),  # (G·H, H)
        "b_ih": np.concatenate([d.sum(axis=0) for d in da]),  # (G·H,)
        "b_hh": np.concatenate([d.sum(axis=0) for d in da_h]),  # (G·H,)
    }


# --------------------------------------------------------------------------- vanilla RNN


def rnn_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    """h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), (B, H), from x_t (B, I) and h_prev
    (B, H), with W_ih (H, I), W_hh (H, H), b_ih and b_hh (H,) and φ = ``nonlinearity``
    ("tanh" or "relu")."""
    phi = tanh if nonlinearity == "tanh" else relu
    return phi(x_t @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)  # (B, H)


def rnn_step_backward(dh, x_t, h_prev, h, W_ih, W_hh, nonlinearity="tanh"):
    """The gradients of one step, from dh = ∂L/∂h_t (all of it).

    Returns
    -------
    dx_t : ndarray, (B, I)
    dh_prev : ndarray, (B, H)
        What this step sends back to h_{t−1}.
    grads : dict
        This step's share of ``W_ih``, ``W_hh``, ``b_ih``, ``b_hh``.
    """
    phi_grad = tanh_grad if nonlinearity == "tanh" else relu_grad
    da = dh * phi_grad(h)  # (B, H) gradient of the pre-activation
    dx_t = da @ W_ih  # (B, I)
    dh_prev = da @ W_hh  # (B, H)
    return dx_t, dh_prev, _weight_grads([da], [da], x_t, h_prev)


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh") -> Forward:
    """``rnn_step`` over x (T, B, I) from h0 (B, H)."""
    hs = []
    h = h0  # (B, H)
    for x_t in x:
        h = rnn_step(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)  # (B, H)
        hs.append(h)
    return Forward(h=np.stack(hs), c=None, gates={})


def rnn_backward(dy, dh_last, x, h0, W_ih, W_hh, run: Forward, nonlinearity="tanh") -> Backward:
    """``rnn_step_backward`` from the last step to the first.

    Parameters
    ----------
    dy : ndarray, (T, B, H)
        ∂L/∂h_t from the outputs.
    dh_last : ndarray, (B, H)
        ∂L/∂h_T from the final state.
    x, h0, W_ih, W_hh, nonlinearity
        As given to ``rnn_forward``.
    run : Forward
        What ``rnn_forward`` returned.
    """
    hs = [h0, *run.h]  # h_0 … h_T, each (B, H)
    dxs, dhs, total = [], [], {}
    dh_next = dh_last  # (B, H) what step t + 1 sends back
    for t in reversed(range(len(x))):
        dh = dy[t] + dh_next  # (B, H)
        dx_t, dh_next, grads = rnn_step_backward(
            dh, x[t], hs[t], hs[t + 1], W_ih, W_hh, nonlinearity
        )
        total = {k: total.get(k, 0) + g for k, g in grads.items()}
        dxs.append(dx_t)
        dhs.append(dh)
    return Backward(np.stack(dxs[::-1]), dh_next, None, total, np.stack(dhs[::-1]))


# --------------------------------------------------------------------------- LSTM


def lstm_step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step.

    Parameters
    ----------
    x_t : ndarray, (B, I)
    h_prev, c_prev : ndarray, (B, H)
    W_ih : ndarray, (4H, I)
        [W_ii; W_if; W_ig; W_io].
    W_hh : ndarray, (4H, H)
        [W_hi; W_hf; W_hg; W_ho].
    b_ih, b_hh : ndarray, (4H,)

    Returns
    -------
    h, c : ndarray, (B, H)
    gates : dict
        ``i``, ``f``, ``g``, ``o``, each (B, H).
    """
    W_ii, W_if, W_ig, W_io = _blocks(W_ih, 4)  # (H, I) each
    W_hi, W_hf, W_hg, W_ho = _blocks(W_hh, 4)  # (H, H) each
    b_ii, b_if, b_ig, b_io = _blocks(b_ih, 4)  # (H,) each
    b_hi, b_hf, b_hg, b_ho = _blocks(b_hh, 4)  # (H,) each
    i = sigmoid(x_t @ W_ii.T + b_ii + h_prev @ W_hi.T + b_hi)  # (B, H) input gate
    f = sigmoid(x_t @ W_if.T + b_if + h_prev @ W_hf.T + b_hf)  # (B, H) forget gate
    g = tanh(x_t @ W_ig.T + b_ig + h_prev @ W_hg.T + b_hg)  # (B, H) candidate
    o = sigmoid(x_t @ W_io.T + b_io + h_prev @ W_ho.T + b_ho)  # (B, H) output gate
    c = f * c_prev + i * g  # (B, H)
    h = o * tanh(c)  # (B, H)
    return h, c, {"i": i, "f": f, "g": g, "o": o}


def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, c, gates, W_ih, W_hh):
    """The gradients of one LSTM step.

    Parameters
    ----------
    dh : ndarray, (B, H)
        ∂L/∂h_t, all of it.
    dc : ndarray, (B, H)
        What reaches c_t from step t + 1 (dc_{t+1} ⊙ f_{t+1}), or from the final state.
    x_t, h_prev, c_prev, W_ih, W_hh
        As given to ``lstm_step``.
    c, gates
        What ``lstm_step`` returned.

    Returns
    -------
    dx_t : ndarray, (B, I)
    dh_prev, dc_prev : ndarray, (B, H)
        What this step sends back to h_{t−1} and c_{t−1}.
    grads : dict
        This step's share of ``W_ih``, ``W_hh``, ``b_ih``, ``b_hh``.
    """
    i, f, g, o = gates["i"], gates["f"], gates["g"], gates["o"]  # (B, H) each
    tanh_c = tanh(c)  # (B, H)
    # h_t = o ⊙ tanh(c_t)
    do = dh * tanh_c  # (B, H)
    dc = dc + dh * o * tanh_grad(tanh_c)  # (B, H) all that reaches c_t
    # c_t = f ⊙ c_{t−1} + i ⊙ g
    di = dc * g  # (B, H)
    df = dc * c_prev  # (B, H)
    dg = dc * i  # (B, H)
    dc_prev = dc * f  # (B, H)
    # through the activations, to the pre-activations
    da_i = di * sigmoid_grad(i)  # (B, H)
    da_f = df * sigmoid_grad(f)  # (B, H)
    da_g = dg * tanh_grad(g)  # (B, H)
    da_o = do * sigmoid_grad(o)  # (B, H)
    da = [da_i, da_f, da_g, da_o]
    dx_t = sum(d @ W for d, W in zip(da, _blocks(W_ih, 4), strict=True))  # (B, I)
    dh_prev = sum(d @ W for d, W in zip(da, _blocks(W_hh, 4), strict=True))  # (B, H)
    return dx_t, dh_prev, dc_prev, _weight_grads(da, da, x_t, h_prev)


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh) -> Forward:
    """``lstm_step`` over x (T, B, I) from h0, c0 (B, H)."""
    hs, cs, gates = [], [], []
    h, c = h0, c0  # (B, H) each
    for x_t in x:
        h, c, g = lstm_step(x_t, h, c, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        cs.append(c)
        gates.append(g)
    stacked = {name: np.stack([g[name] for g in gates]) for name in "ifgo"}  # (T, B, H) each
    return Forward(h=np.stack(hs), c=np.stack(cs), gates=stacked)


def lstm_backward(dy, dh_last, dc_last, x, h0, c0, W_ih, W_hh, run: Forward) -> Backward:
    """``lstm_step_backward`` from the last step to the first (arguments as ``rnn_backward``,
    with ``dc_last`` = ∂L/∂c_T and ``c0`` as given to ``lstm_forward``)."""
    hs = [h0, *run.h]  # h_0 … h_T
    cs = [c0, *run.c]  # c_0 … c_T
    dxs, dhs, total = [], [], {}
    dh_next, dc_next = dh_last, dc_last  # (B, H) what step t + 1 sends back
    for t in reversed(range(len(x))):
        gates = {name: a[t] for name, a in run.gates.items()}
        dh = dy[t] + dh_next  # (B, H)
        dx_t, dh_next, dc_next, grads = lstm_step_backward(
            dh, dc_next, x[t], hs[t], cs[t], cs[t + 1], gates, W_ih, W_hh
        )
        total = {k: total.get(k, 0) + g for k, g in grads.items()}
        dxs.append(dx_t)
        dhs.append(dh)
    return Backward(np.stack(dxs[::-1]), dh_next, dc_next, total, np.stack(dhs[::-1]))


# --------------------------------------------------------------------------- GRU


def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    """One GRU step.

    Parameters
    ----------
    x_t : ndarray, (B, I)
    h_prev : ndarray, (B, H)
    W_ih : ndarray, (3H, I)
        [W_ir; W_iz; W_in].
    W_hh : ndarray, (3H, H)
        [W_hr; W_hz; W_hn].
    b_ih, b_hh : ndarray, (3H,)

    Returns
    -------
    h : ndarray, (B, H)
    gates : dict
        ``r``, ``z``, ``n``, each (B, H), and ``hn`` = W_hn h_{t−1} + b_hn, which the reset
        gate scales (the backward step needs it).
    """
    W_ir, W_iz, W_in = _blocks(W_ih, 3)  # (H, I) each
    W_hr, W_hz, W_hn = _blocks(W_hh, 3)  # (H, H) each
    b_ir, b_iz, b_in = _blocks(b_ih, 3)  # (H,) each
    b_hr, b_hz, b_hn = _blocks(b_hh, 3)  # (H,) each
    r = sigmoid(x_t @ W_ir.T + b_ir + h_prev @ W_hr.T + b_hr)  # (B, H) reset gate
    z = sigmoid(x_t @ W_iz.T + b_iz + h_prev @ W_hz.T + b_hz)  # (B, H) update gate
    hn = h_prev @ W_hn.T + b_hn  # (B, H)
    n = tanh(x_t @ W_in.T + b_in + r * hn)  # (B, H) candidate
    h = (1 - z) * n + z * h_prev  # (B, H)
    return h, {"r": r, "z": z, "n": n, "hn": hn}


def gru_step_backward(dh, x_t, h_prev, gates, W_ih, W_hh):
    """The gradients of one GRU step, from dh = ∂L/∂h_t (all of it), as ``rnn_step_backward``
    returns them: dx_t, dh_prev and this step's share of the weight gradients."""
    r, z, n, hn = gates["r"], gates["z"], gates["n"], gates["hn"]  # (B, H) each
    # h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
    dn = dh * (1 - z)  # (B, H)
    dz = dh * (h_prev - n)  # (B, H)
    dh_prev = dh * z  # (B, H) the path that skips the cell
    # n = tanh(W_in x + b_in + r ⊙ hn)
    da_n = dn * tanh_grad(n)  # (B, H)
    dr = da_n * hn  # (B, H)
    dhn = da_n * r  # (B, H)
    # r and z through their sigmoids
    da_r = dr * sigmoid_grad(r)  # (B, H)
    da_z = dz * sigmoid_grad(z)  # (B, H)
    W_ir, W_iz, W_in = _blocks(W_ih, 3)
    W_hr, W_hz, W_hn = _blocks(W_hh, 3)
    dx_t = da_r @ W_ir + da_z @ W_iz + da_n @ W_in  # (B, I)
    dh_prev = dh_prev + da_r @ W_hr + da_z @ W_hz + dhn @ W_hn  # (B, H)
    return dx_t, dh_prev, _weight_grads([da_r, da_z, da_n], [da_r, da_z, dhn], x_t, h_prev)


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh) -> Forward:
    """``gru_step`` over x (T, B, I) from h0 (B, H); ``gates`` also holds ``hn``."""
    hs, gates = [], []
    h = h0  # (B, H)
    for x_t in x:
        h, g = gru_step(x_t, h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        gates.append(g)
    stacked = {name: np.stack([g[name] for g in gates]) for name in gates[0]}  # (T, B, H) each
    return Forward(h=np.stack(hs), c=None, gates=stacked)


def gru_backward(dy, dh_last, x, h0, W_ih, W_hh, run: Forward) -> Backward:
    """``gru_step_backward`` from the last step to the first (arguments as ``rnn_backward``)."""
    hs = [h0, *run.h]  # h_0 … h_T
    dxs, dhs, total = [], [], {}
    dh_next = dh_last  # (B, H) what step t + 1 sends back
    for t in reversed(range(len(x))):
        gates = {name: a[t] for name, a in run.gates.items()}
        dh = dy[t] + dh_next  # (B, H)
        dx_t, dh_next, grads = gru_step_backward(dh, x[t], hs[t], gates, W_ih, W_hh)
        total = {k: total.get(k, 0) + g for k, g in grads.items()}
        dxs.append(dx_t)
        dhs.append(dh)
    return Backward(np.stack(dxs[::-1]), dh_next, None, total, np.stack(dhs[::-1]))
