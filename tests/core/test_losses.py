"""Tests of rnnviz.core.losses: values, gradients against central differences, stability."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnnviz.core.gradcheck import numerical_gradient, relative_error
from rnnviz.core.losses import log_softmax, mean_squared_error, softmax, softmax_cross_entropy

T, B, V, F = 4, 3, 5, 2


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _masks(lead: tuple[int, ...]) -> dict[str, np.ndarray | None]:
    rng = _rng(7)
    last_only = np.zeros(lead, dtype=bool)
    last_only[-1] = True
    weights = rng.uniform(0.0, 2.0, size=lead)
    weights.reshape(-1)[::2] = 0.0
    return {"none": None, "last_step": last_only, "weights": weights}


# --- softmax cross-entropy ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(T, B, V), (T * B, V)])
@pytest.mark.parametrize("mask_name", ["none", "last_step", "weights"])
def test_cross_entropy_gradient_matches_central_differences(shape, mask_name):
    rng = _rng(1)
    logits = rng.normal(scale=2.0, size=shape)  # (T, B, V) or (N, V)
    targets = rng.integers(0, V, size=shape[:-1])
    mask = _masks(shape[:-1])[mask_name]

    _, dlogits = softmax_cross_entropy(logits, targets, mask)
    numeric = numerical_gradient(lambda: softmax_cross_entropy(logits, targets, mask)[0], logits)
    assert dlogits.shape == logits.shape
    assert relative_error(dlogits, numeric) < 1e-7


def test_cross_entropy_value_is_the_weighted_mean_of_negative_log_probabilities():
    rng = _rng(2)
    logits = rng.normal(size=(T, B, V))  # (T, B, V)
    targets = rng.integers(0, V, size=(T, B))
    w = rng.uniform(0.0, 1.0, size=(T, B))
    expected_terms = np.empty((T, B))
    for t in range(T):
        for b in range(B):
            z = logits[t, b]
            expected_terms[t, b] = math.log(sum(math.exp(v) for v in z)) - z[targets[t, b]]
    loss, _ = softmax_cross_entropy(logits, targets, w)
    assert loss == pytest.approx((w * expected_terms).sum() / w.sum(), rel=1e-12)
    loss_unmasked, _ = softmax_cross_entropy(logits, targets)
    assert loss_unmasked == pytest.approx(expected_terms.mean(), rel=1e-12)


def test_cross_entropy_mask_counts_only_the_selected_positions():
    rng = _rng(3)
    logits = rng.normal(size=(T, B, V))  # (T, B, V)
    targets = rng.integers(0, V, size=(T, B))
    mask = np.zeros((T, B), dtype=bool)
    mask[-1] = True
    loss, dlogits = softmax_cross_entropy(logits, targets, mask)
    loss_last, dlogits_last = softmax_cross_entropy(logits[-1], targets[-1])
    assert loss == pytest.approx(loss_last, rel=1e-12)
    np.testing.assert_allclose(dlogits[-1], dlogits_last, rtol=1e-12)
    assert not dlogits[:-1].any()


def test_cross_entropy_weights_are_normalised_by_their_sum():
    rng = _rng(4)
    logits = rng.normal(size=(T, B, V))
    targets = rng.integers(0, V, size=(T, B))
    w = rng.uniform(0.1, 1.0, size=(T, B))
    loss1, d1 = softmax_cross_entropy(logits, targets, w)
    loss2, d2 = softmax_cross_entropy(logits, targets, 5.0 * w)
    assert loss1 == pytest.approx(loss2, rel=1e-12)
    np.testing.assert_allclose(d1, d2, rtol=1e-12)


@pytest.mark.parametrize("vocab", [2, 7, 50])
def test_cross_entropy_of_uniform_logits_is_log_v(vocab):
    logits = np.full((T, B, vocab), 3.25)
    targets = _rng(5).integers(0, vocab, size=(T, B))
    loss, dlogits = softmax_cross_entropy(logits, targets)
    assert loss == pytest.approx(math.log(vocab), rel=1e-12)
    # the gradient of each position sums to 0: softmax and one-hot both sum to 1
    np.testing.assert_allclose(dlogits.sum(axis=-1), 0.0, atol=1e-15)


def _stable_reference(z: list[float], y: int) -> tuple[float, list[float]]:
    """−log softmax(z)[y] and its gradient, with the log-sum-exp done by hand in Python."""
    m = max(z)
    lse = m + math.log(sum(math.exp(v - m) for v in z))
    return lse - z[y], [math.exp(v - lse) - (k == y) for k, v in enumerate(z)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_stable_for_huge_logits(dtype):
    rows = [[1e4, -1e4, 0.0], [-1e4, -1e4 + 1.0, -1e4], [1e4, 1e4, 1e4 - 2.0]]
    targets = [1, 1, 2]
    logits = np.array(rows, dtype=dtype)  # (N, V)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dlogits = softmax_cross_entropy(logits, np.array(targets))
    assert math.isfinite(loss)
    assert np.isfinite(dlogits).all()
    refs = [_stable_reference(z, y) for z, y in zip(rows, targets, strict=True)]
    assert loss == pytest.approx(sum(r[0] for r in refs) / len(refs), rel=1e-6)
    expected = np.array([r[1] for r in refs]) / len(refs)
    np.testing.assert_allclose(dlogits, expected, atol=1e-7 if dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_keeps_dtype(dtype):
    logits = _rng(6).normal(size=(T, B, V)).astype(dtype)
    loss, dlogits = softmax_cross_entropy(logits, np.zeros((T, B), dtype=np.int64))
    assert isinstance(loss, float)
    assert dlogits.dtype == dtype


def test_cross_entropy_accepts_non_contiguous_logits():
    rng = _rng(8)
    logits = rng.normal(size=(B, T, V)).transpose(1, 0, 2)  # (T, B, V), not C-contiguous
    targets = rng.integers(0, V, size=(T, B))
    loss, dlogits = softmax_cross_entropy(logits, targets)
    loss_c, dlogits_c = softmax_cross_entropy(np.ascontiguousarray(logits), targets)
    assert loss == loss_c
    np.testing.assert_array_equal(dlogits, dlogits_c)


def _ce_inputs():
    logits = np.zeros((T, B, V))
    targets = np.zeros((T, B), dtype=np.int64)
    return logits, targets


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda l, t, m: (l[0], t, m), "shape"),
        (lambda l, t, m: (l[..., None], t, m), "shape"),
        (lambda l, t, m: (l.astype(np.int64), t, m), "floating"),
        (lambda l, t, m: (np.where(l == 0, np.nan, l), t, m), "NaN"),
        (lambda l, t, m: (l, t[:-1], m), "targets"),
        (lambda l, t, m: (l, t.astype(np.float64), m), "integer"),
        (lambda l, t, m: (l, t + V, m), r"\[0, 5\)"),
        (lambda l, t, m: (l, t - 1, m), r"\[0, 5\)"),
        (lambda l, t, m: (l, t, np.ones((T, B + 1))), "mask"),
        (lambda l, t, m: (l, t, -np.ones((T, B))), "negative"),
        (lambda l, t, m: (l, t, np.zeros((T, B))), "no position"),
        (lambda l, t, m: (l, t, np.full((T, B), np.nan)), "mask contains NaN"),
        (lambda l, t, m: (l[:, :0], t[:, :0], m), "no positions"),
    ],
)
def test_cross_entropy_rejects_bad_input(change, message):
    logits, targets = _ce_inputs()
    args = change(logits, targets, None)
    with pytest.raises(ValueError, match=message):
        softmax_cross_entropy(*args)


# --- softmax helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax_are_stable_and_consistent(dtype):
    z = np.array([[1e4, -1e4, 0.0], [1.0, 2.0, 3.0]], dtype=dtype)  # (N, V)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
        logp = log_softmax(z)
    assert p.dtype == dtype and logp.dtype == dtype
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.exp(logp), p, rtol=1e-6, atol=1e-30)
    assert logp[0, 1] == pytest.approx(-2e4, rel=1e-6)
    e = np.exp(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(p[1], e / e.sum(), rtol=1e-6)


def test_softmax_along_another_axis():
    z = _rng(9).normal(size=(V, B))  # classes first
    np.testing.assert_allclose(softmax(z, axis=0), softmax(z.T).T, rtol=1e-14)
    np.testing.assert_allclose(log_softmax(z, axis=0), log_softmax(z.T).T, rtol=1e-14)


def test_softmax_rejects_non_finite_and_integer_logits():
    with pytest.raises(ValueError, match="NaN"):
        softmax(np.array([0.0, np.inf]))
    with pytest.raises(ValueError, match="floating"):
        log_softmax(np.array([1, 2]))


# --- mean squared error ---------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(T, B, F), (T * B, F)])
@pytest.mark.parametrize("mask_name", ["none", "last_step", "weights"])
def test_mse_gradient_matches_central_differences(shape, mask_name):
    rng = _rng(10)
    pred = rng.normal(size=shape)  # (T, B, F)
    target = rng.normal(size=shape)  # (T, B, F)
    mask = _masks(shape[:-1])[mask_name]
    _, dpred = mean_squared_error(pred, target, mask)
    numeric = numerical_gradient(lambda: mean_squared_error(pred, target, mask)[0], pred)
    assert relative_error(dpred, numeric) < 1e-7


def test_mse_value_is_the_mean_over_counted_positions_and_features():
    rng = _rng(11)
    pred = rng.normal(size=(T, B, F))
    target = rng.normal(size=(T, B, F))
    loss, _ = mean_squared_error(pred, target)
    assert loss == pytest.approx(np.mean((pred - target) ** 2), rel=1e-12)
    mask = np.zeros((T, B), dtype=bool)
    mask[-1, 1] = True
    loss, dpred = mean_squared_error(pred, target, mask)
    assert loss == pytest.approx(np.mean((pred[-1, 1] - target[-1, 1]) ** 2), rel=1e-12)
    assert np.count_nonzero(dpred.any(axis=-1)) == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mse_keeps_dtype(dtype):
    pred = _rng(12).normal(size=(T, B, F)).astype(dtype)
    loss, dpred = mean_squared_error(pred, np.zeros((T, B, F), dtype=np.float64))
    assert isinstance(loss, float)
    assert dpred.dtype == dtype


@pytest.mark.parametrize(
    ("pred", "target", "mask", "message"),
    [
        (np.zeros((T, B, F)), np.zeros((T, B, F + 1)), None, "shape"),
        (np.zeros(F), np.zeros(F), None, "shape"),
        (np.zeros((T, B, F), dtype=int), np.zeros((T, B, F)), None, "floating"),
        (np.zeros((T, B, F)), np.full((T, B, F), np.inf), None, "target contains NaN"),
        (np.zeros((T, B, F)), np.zeros((T, B, F)), np.ones((T, B, F)), "mask"),
        (np.zeros((T, B, F)), np.zeros((T, B, F)), np.zeros((T, B)), "no position"),
    ],
)
def test_mse_rejects_bad_input(pred, target, mask, message):
    with pytest.raises(ValueError, match=message):
        mean_squared_error(pred, target, mask)
