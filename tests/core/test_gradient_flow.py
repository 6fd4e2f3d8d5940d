"""The vanishing-gradient lesson, as tests: ‖∂L/∂h_t‖ per step from the backward pass."""

import numpy as np
import pytest

from rnnviz.core import GRU, LSTM, RNN
from rnnviz.core.trace import step_norms

T, B, H, I = 30, 4, 16, 3


def gradient_norms_from_last_step(layer, seed=0):
    """‖∂L/∂h_t‖ for a loss that reads only the last output, as in the long-range recall task."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, B, I))  # (T, B, I)
    y, _, trace = layer.forward(x)
    dy = np.zeros_like(y)  # (T, B, H)
    dy[-1] = rng.standard_normal(y.shape[1:])
    grads, _, _ = layer.backward(dy, trace)
    return grads


def test_dh_norms_are_the_norms_of_the_total_gradient_per_step():
    layer = LSTM(I, H, num_layers=2, bidirectional=True, dtype=np.float64)
    grads = gradient_norms_from_last_step(layer)
    assert grads.dh_norms.shape == (4, T)
    for j, dH in enumerate(grads.dh):
        assert dH.shape == (T, B, H)
        expected = np.sqrt(np.sum(dH**2, axis=(1, 2)))
        np.testing.assert_allclose(grads.dh_norms[j], expected, rtol=1e-12)
    # the top forward direction gets its gradient at the last step only, so the last step holds
    # exactly the upstream gradient
    assert grads.dh_norms[2, -1] > 0
    norms = grads.norms()
    assert set(norms) == set(layer.params)
    assert norms["weight_hh_l0"] == pytest.approx(np.linalg.norm(grads["weight_hh_l0"]))


def test_vanilla_rnn_gradient_vanishes_geometrically():
    layer = RNN(I, H, dtype=np.float64, seed=0)
    W_hh = layer.params["weight_hh_l0"]
    W_hh *= 0.5 / np.linalg.norm(W_hh, 2)  # small recurrent weights: spectral norm 0.5
    norms = gradient_norms_from_last_step(layer).dh_norms[0]  # (T,)
    ratios = norms[:-1] / norms[1:]  # how much is left one step further back
    # each step back multiplies by W_hhᵀ diag(1 − h²): at most ‖W_hh‖ = 0.5
    assert np.all(ratios <= 0.5 + 1e-12)
    assert norms[0] / norms[-1] < 0.5 ** (T - 1) * 1.0001
    # geometric: log ‖∂L/∂h_t‖ falls on a straight line in t
    slope, intercept = np.polyfit(np.arange(T), np.log(norms), 1)
    residual = np.log(norms) - (slope * np.arange(T) + intercept)
    assert slope > np.log(2)  # at least halving per step
    assert np.abs(residual).max() < 1.5


def test_lstm_with_a_high_forget_bias_keeps_the_gradient():
    rnn = RNN(I, H, dtype=np.float64, seed=0)
    lstm = LSTM(I, H, dtype=np.float64, seed=0)
    lstm.params["bias_ih_l0"][H : 2 * H] = 5.0  # forget gate ≈ σ(5) ≈ 0.993: keep the memory
    rnn_norms = gradient_norms_from_last_step(rnn).dh_norms[0]
    lstm_norms = gradient_norms_from_last_step(lstm).dh_norms[0]
    lstm_kept = lstm_norms[0] / lstm_norms[-1]
    rnn_kept = rnn_norms[0] / rnn_norms[-1]
    assert lstm_kept > 1e-2  # after 29 steps back, still a tenth or so
    assert rnn_kept < 1e-6
    assert lstm_kept > 1e4 * rnn_kept
    # and it is the forget gate that does it: close it and the LSTM forgets too
    lstm.params["bias_ih_l0"][H : 2 * H] = -5.0
    closed = gradient_norms_from_last_step(lstm).dh_norms[0]
    assert closed[0] / closed[-1] < 1e-6 * lstm_kept


def test_gradient_flow_of_a_gru_lies_between():
    gru = GRU(I, H, dtype=np.float64, seed=0)
    norms = gradient_norms_from_last_step(gru).dh_norms[0]
    assert np.all(np.isfinite(norms)) and np.all(norms > 0)
    assert norms[0] < norms[-1]  # it still fades with distance at initialisation


def test_step_norms_of_float32_gradients_survive_underflow_and_overflow():
    # float32 squares of 1e-25 underflow and of 1e25 overflow: the norms are summed in float64
    # then, so a vanishing gradient still has a finite, positive, exact norm
    T, B, H = 3, 2, 4
    for scale in (1e-25, 1.0, 1e25):
        g = np.full((T, B, H), scale, np.float32)  # (T, B, H)
        norms = step_norms([g, g.transpose(0, 2, 1).copy().transpose(0, 2, 1)], T, np.float32)
        expected = np.float32(scale) * np.sqrt(np.float32(B * H))
        np.testing.assert_allclose(norms, np.full((2, T), expected), rtol=1e-6)
