"""Tests of rnnviz.core.linear: the readout y = x Wᵀ + b and its backward pass."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rnnviz.core.gradcheck import numerical_gradient, relative_error
from rnnviz.core.linear import Linear, LinearCache, projection_grads

T, B, I, O = 4, 3, 5, 6


def _layer(dtype=np.float64, seed: int = 0) -> Linear:
    return Linear(I, O, dtype=dtype, seed=seed)


@pytest.mark.parametrize("shape", [(T, B, I), (T * B, I), (I,)])
def test_gradients_match_central_differences(shape):
    rng = np.random.default_rng(1)
    layer = _layer()
    x = rng.normal(size=shape)  # (T, B, I)
    dy = rng.normal(size=(*shape[:-1], O))  # (T, B, O), the random projection of y

    def loss() -> float:
        return float(np.sum(dy * layer.forward(x)[0]))

    y, cache = layer.forward(x)
    grads, dx = layer.backward(dy, cache)
    assert set(grads) == {"weight", "bias"}
    assert relative_error(grads["weight"], numerical_gradient(loss, layer.params["weight"])) < 1e-7
    assert relative_error(grads["bias"], numerical_gradient(loss, layer.params["bias"])) < 1e-7
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-7
    assert y.shape == (*shape[:-1], O)
    assert dx.shape == x.shape


def test_forward_is_the_affine_map_at_every_position():
    rng = np.random.default_rng(2)
    layer = _layer()
    x = rng.normal(size=(T, B, I))  # (T, B, I)
    y, cache = layer.forward(x)
    W, b = layer.params["weight"], layer.params["bias"]
    for t in range(T):
        for k in range(B):
            np.testing.assert_allclose(y[t, k], W @ x[t, k] + b, rtol=1e-12)
    assert isinstance(cache, LinearCache)
    assert cache.x is x
    with pytest.raises(dataclasses.FrozenInstanceError):
        cache.x = x  # type: ignore[misc]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    layer = _layer(dtype)
    x = np.ones((T, B, I), dtype=dtype)
    y, cache = layer.forward(x)
    grads, dx = layer.backward(np.ones_like(y), cache)
    assert layer.params["weight"].dtype == dtype and layer.params["bias"].dtype == dtype
    assert y.dtype == dtype and dx.dtype == dtype
    assert grads["weight"].dtype == dtype and grads["bias"].dtype == dtype


def test_seeded_init_is_reproducible_and_within_the_bound():
    a, b = Linear(I, O, seed=3), Linear(I, O, seed=3)
    for name in ("weight", "bias"):
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert not np.array_equal(a.params["weight"], Linear(I, O, seed=4).params["weight"])
    bound = 1.0 / math.sqrt(I)
    big = Linear(100, 50, seed=5)
    bound_big = 1.0 / math.sqrt(100)
    for layer, bd in ((a, bound), (big, bound_big)):
        for p in layer.params.values():
            assert np.abs(p).max() <= bd
    # the draws fill the interval, not a small part of it
    assert big.params["weight"].min() < -0.9 * bound_big
    assert big.params["weight"].max() > 0.9 * bound_big
    assert a.params["weight"].shape == (O, I) and a.params["bias"].shape == (O,)


def test_init_draws_the_weight_then_the_bias_from_the_seeded_generator():
    layer = Linear(I, O, dtype=np.float64, seed=6)
    rng = np.random.default_rng(6)
    bound = 1.0 / math.sqrt(I)
    np.testing.assert_array_equal(layer.params["weight"], rng.uniform(-bound, bound, (O, I)))
    np.testing.assert_array_equal(layer.params["bias"], rng.uniform(-bound, bound, (O,)))


def test_state_dict_round_trip_loads_in_place():
    src, dst = _layer(seed=1), _layer(seed=2)
    weight_array = dst.params["weight"]
    state = src.state_dict()
    state["weight"][0, 0] += 1.0  # a copy: the layer must not change
    assert src.params["weight"][0, 0] != state["weight"][0, 0]
    state = src.state_dict()
    dst.load_state_dict(state)
    assert dst.params["weight"] is weight_array  # optimisers hold these arrays
    x = np.random.default_rng(3).normal(size=(T, B, I))
    # not bit-equal: BLAS may take another summation path for arrays at other addresses
    np.testing.assert_allclose(dst.forward(x)[0], src.forward(x)[0], rtol=1e-6, atol=1e-7)


def _bad_states():
    good = _layer(seed=9).state_dict()
    return {
        "missing": ({"weight": good["weight"]}, "bias"),
        "extra": ({**good, "gain": np.ones(O)}, "gain"),
        "mis-shaped": ({**good, "bias": np.ones(O + 1)}, "bias"),
        "non-finite": ({**good, "weight": np.full((O, I), np.nan)}, "weight"),
        "non-float": ({**good, "weight": np.ones((O, I), dtype=np.int64)}, "weight"),
        "overflowing": ({**good, "bias": np.full(O, 1e300)}, "bias"),
    }


@pytest.mark.parametrize("case", list(_bad_states()))
def test_load_state_dict_rejects_bad_entries_and_loads_nothing(case):
    state, key = _bad_states()[case]
    layer = _layer(np.float32, seed=1)
    before = layer.state_dict()
    with pytest.raises(ValueError, match=key):
        layer.load_state_dict(state)
    for name, p in layer.params.items():
        np.testing.assert_array_equal(p, before[name])


def test_forward_and_backward_reject_bad_input():
    layer = _layer(np.float32)
    with pytest.raises(ValueError, match="dtype"):
        layer.forward(np.zeros((T, B, I), dtype=np.float64))
    with pytest.raises(ValueError, match="shape"):
        layer.forward(np.zeros((T, B, I + 1), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        layer.forward(np.full((T, B, I), np.nan, dtype=np.float32))
    y, cache = layer.forward(np.zeros((T, B, I), dtype=np.float32))
    with pytest.raises(ValueError, match="leading shape"):
        layer.backward(np.zeros((T, B + 1, O), dtype=np.float32), cache)
    with pytest.raises(ValueError, match="shape"):
        layer.backward(np.zeros((T, B, O + 1), dtype=np.float32), cache)
    with pytest.raises(ValueError, match="LinearCache"):
        layer.backward(y, (cache.x,))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"in_features": 0, "out_features": O}, "in_features"),
        ({"in_features": I, "out_features": 2.0}, "out_features"),
        ({"in_features": True, "out_features": O}, "in_features"),
        ({"in_features": I, "out_features": O, "dtype": np.int32}, "dtype"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Linear(**kwargs)


def test_projection_grads_of_a_cell_whose_projections_share_their_gradient():
    # the vanilla RNN and the LSTM: one dG for both projections; b_hh's gradient must be its
    # own array, or clipping it in place would scale b_ih's twice
    rng = np.random.default_rng(0)
    dG, x, h_prev = rng.normal(size=(6, 8)), rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    W_ih = rng.normal(size=(8, 3))
    grads, dx = projection_grads(dG, x, dG, h_prev, W_ih)
    np.testing.assert_allclose(grads["W_ih"], dG.T @ x)
    np.testing.assert_allclose(grads["W_hh"], dG.T @ h_prev)
    np.testing.assert_array_equal(grads["b_hh"], dG.sum(axis=0))
    assert not np.shares_memory(grads["b_hh"], grads["b_ih"])
    np.testing.assert_allclose(dx, dG @ W_ih)
    dGh = rng.normal(size=(6, 8))  # the GRU: a gradient of its own for W_hh h + b_hh
    grads, dx = projection_grads(dG, x, dGh, h_prev, None)
    assert dx is None
    np.testing.assert_allclose(grads["W_hh"], dGh.T @ h_prev)
    np.testing.assert_allclose(grads["b_hh"], dGh.sum(axis=0))
