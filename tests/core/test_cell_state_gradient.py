"""‖∂L/∂c_t‖, the LSTM's cell-state path, from the backward pass: against finite differences
through the plain per-step cell (rnnviz.core.reference), and absent for cells without c."""

import numpy as np
import pytest

from rnnviz.core import GRU, LSTM, RNN, reference

T, B, H, I = 6, 3, 4, 2


def loss_with_c_nudged(layer, x, w, t_nudged, nudge):
    """L = Σ w ⊙ y through the reference cell, with ``nudge`` (B, H) added to c_t at step
    ``t_nudged``: the loss as a function of one cell state."""
    weights = layer._weights(0, 0)  # W_ih, W_hh, b_ih, b_hh
    h = np.zeros((B, H))  # (B, H)
    c = np.zeros((B, H))  # (B, H)
    loss = 0.0
    for t in range(T):
        h, c, gates = reference.lstm_step(x[t], h, c, *weights)
        if t == t_nudged:  # c_t moves, and h_t = o_t ⊙ tanh(c_t) with it
            c = c + nudge  # (B, H)
            h = gates["o"] * np.tanh(c)  # (B, H)
        loss += float(np.sum(w[t] * h))
    return loss


def test_dc_norms_are_the_norms_of_the_gradient_reaching_each_cell_state():
    rng = np.random.default_rng(3)
    layer = LSTM(I, H, dtype=np.float64, seed=1)
    x = rng.standard_normal((T, B, I))  # (T, B, I)
    w = rng.standard_normal((T, B, H))  # (T, B, H) L = Σ w ⊙ y: dy = w
    _, _, trace = layer.forward(x)
    grads, _, _ = layer.backward(w, trace)
    assert grads.dc_norms.shape == (1, T) and grads.dc[0].shape == (T, B, H)
    eps = 1e-6
    for t in range(T):
        numeric = np.zeros((B, H))  # (B, H) ∂L/∂c_t by central differences
        for b in range(B):
            for u in range(H):
                nudge = np.zeros((B, H))
                nudge[b, u] = eps
                up = loss_with_c_nudged(layer, x, w, t, nudge)
                down = loss_with_c_nudged(layer, x, w, t, -nudge)
                numeric[b, u] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grads.dc[0][t], numeric, rtol=1e-6, atol=1e-8)
        assert grads.dc_norms[0, t] == pytest.approx(np.linalg.norm(numeric), rel=1e-6)


def test_dc_norms_follow_the_layout_of_dh_norms_in_both_directions_and_layers():
    rng = np.random.default_rng(0)
    layer = LSTM(I, H, num_layers=2, bidirectional=True, dtype=np.float64)
    x = rng.standard_normal((T, B, I))  # (T, B, I)
    y, _, trace = layer.forward(x)
    dy = np.zeros_like(y)  # (T, B, 2H)
    dy[-1] = rng.standard_normal(y.shape[1:])  # only the last output is scored
    grads, _, _ = layer.backward(dy, trace)
    assert grads.dc_norms.shape == grads.dh_norms.shape == (4, T)
    for j, dC in enumerate(grads.dc):
        np.testing.assert_allclose(
            grads.dc_norms[j], np.sqrt(np.sum(dC**2, axis=(1, 2))), rtol=1e-12
        )
    # the last output's gradient flows back through every cell state of the top forward row;
    # the top backward row read the sequence from its end, so only its c at the last step
    # (its first) reaches that output: rows in natural time order, as dh_norms
    assert np.all(grads.dc_norms[2] > 0)
    assert grads.dc_norms[3, -1] > 0 and np.all(grads.dc_norms[3, :-1] == 0)


@pytest.mark.parametrize("cls", [RNN, GRU])
def test_cells_without_a_cell_state_have_no_dc_norms(cls):
    layer = cls(I, H, num_layers=2, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((T, B, I))  # (T, B, I)
    y, _, trace = layer.forward(x)
    grads, _, _ = layer.backward(np.ones_like(y), trace)
    assert grads.dc == () and grads.dc_norms.shape == (0, T)


def test_the_forget_gate_carries_the_lstm_gradient_along_c():
    """With the forget gate open, ∂L/∂c_t hardly shrinks going back, whatever h's does."""
    steps = 30
    layer = LSTM(I, 16, dtype=np.float64, seed=0)
    layer.params["bias_ih_l0"][16:32] = 5.0  # f ≈ σ(5) ≈ 0.993
    rng = np.random.default_rng(0)
    y, _, trace = layer.forward(rng.standard_normal((steps, B, I)))
    dy = np.zeros_like(y)  # (T, B, H)
    dy[-1] = rng.standard_normal(y.shape[1:])
    grads, _, _ = layer.backward(dy, trace)
    kept = grads.dc_norms[0, 0] / grads.dc_norms[0, -1]
    assert kept > 0.993 ** (steps - 1) * 0.5  # each step back keeps about f of it
