"""The arrays a layer keeps from one pass to the next (rnnviz.core.workspace), and the float32
passes against float64."""

import copy
import pickle

import numpy as np
import pytest

from rnnviz.core import GRU, LSTM, RNN
from rnnviz.core.workspace import Workspace

CELLS = {
    "rnn_tanh": lambda *a, **k: RNN(*a, nonlinearity="tanh", **k),
    "rnn_relu": lambda *a, **k: RNN(*a, nonlinearity="relu", **k),
    "lstm": LSTM,
    "gru": GRU,
}


def test_an_array_no_one_holds_is_handed_out_again():
    ws = Workspace()
    address = ws.empty("a", (3, 4), np.float32).ctypes.data
    assert ws.empty("a", (3, 4), np.float32).ctypes.data == address
    again = ws.zeros("a", (3, 4), np.float32)
    assert again.ctypes.data == address and not again.any()


def test_an_array_held_or_viewed_elsewhere_is_never_handed_out_again():
    ws = Workspace()
    held = ws.empty("a", (5,), np.float64)
    held[:] = 1
    other = ws.empty("a", (5,), np.float64)
    assert other is not held and not np.shares_memory(other, held)
    other[:] = 2
    assert (held == 1).all()
    view = ws.empty("b", (2, 3), np.float32)[1:]  # only a view is kept
    view[...] = 7
    fresh = ws.empty("b", (2, 3), np.float32)
    assert not np.shares_memory(fresh, view)
    fresh[...] = 0
    assert (view == 7).all()


def test_another_shape_or_dtype_is_a_new_array_and_without_keeping_every_array_is_new():
    ws = Workspace()
    ws.empty("a", (3,), np.float32)
    assert ws.empty("a", (4,), np.float32).shape == (4,)
    assert ws.empty("a", (4,), np.float64).dtype == np.float64
    once = Workspace(keep=False)
    first = once.empty("a", (3,), np.float32)
    assert not np.shares_memory(once.empty("a", (3,), np.float32), first)


def _pass(layer, x, dy):
    y, state, trace = layer.forward(x)
    grads, dx, _ = layer.backward(dy, trace)
    return y, state, trace, grads, dx


def _snapshot(y, trace, grads, dx):
    d = trace[0, 0]
    arrays = {"y": y, "h": d.h, "dx": dx, "dh": grads.dh[0], **grads}
    arrays |= {f"gate_{k}": v for k, v in d.gates.items()}
    if d.c is not None:
        arrays["c"] = d.c
    return {k: np.array(v) for k, v in arrays.items()}


@pytest.mark.parametrize("cell", list(CELLS))
def test_a_kept_trace_and_its_gradients_survive_the_next_pass(cell):
    rng = np.random.default_rng(1)
    T, B, I, H = 6, 3, 5, 4
    layer = CELLS[cell](I, H, dtype=np.float64, seed=2)
    x1, x2 = rng.standard_normal((2, T, B, I))
    dy1, dy2 = rng.standard_normal((2, T, B, H))
    y, _, trace, grads, dx = _pass(layer, x1, dy1)
    before = _snapshot(y, trace, grads, dx)
    _pass(layer, x2, dy2)  # the first pass's arrays are still held: none may be reused
    after = _snapshot(y, trace, grads, dx)
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)


@pytest.mark.parametrize("cell", list(CELLS))
def test_a_pass_whose_results_were_dropped_lends_its_arrays_to_the_next(cell):
    rng = np.random.default_rng(3)
    layer = CELLS[cell](5, 4, dtype=np.float32, seed=4)
    x = rng.standard_normal((6, 2, 5))
    dy = rng.standard_normal((6, 2, 4))
    fresh = CELLS[cell](5, 4, dtype=np.float32, seed=4)
    _, _, trace = layer.forward(x)
    address = trace[0, 0].cache.H.ctypes.data
    layer.backward(dy, trace)
    del trace
    y, _, trace, grads, dx = _pass(layer, x, dy)
    assert trace[0, 0].cache.H.ctypes.data == address  # the same memory, no page faults
    y_ref, _, trace_ref, grads_ref, dx_ref = _pass(fresh, x, dy)
    for name, value in _snapshot(y_ref, trace_ref, grads_ref, dx_ref).items():
        np.testing.assert_array_equal(_snapshot(y, trace, grads, dx)[name], value, err_msg=name)


def test_a_copied_or_pickled_layer_starts_with_an_empty_workspace():
    layer = LSTM(3, 4, seed=0)
    layer.forward(np.ones((2, 1, 3)))
    assert layer._workspace._arrays
    for other in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert not other._workspace._arrays and other._workspace is not layer._workspace
        y, _, _ = other.forward(np.ones((2, 1, 3)))
        np.testing.assert_array_equal(y, layer.forward(np.ones((2, 1, 3)))[0])


@pytest.mark.parametrize("cell", list(CELLS))
def test_float32_passes_match_float64_within_single_precision(cell):
    # the float32 passes run the same operations as the float64 ones (no approximation):
    # over 50 steps, 2 layers, both directions, every result is within 1e-5 of float64's,
    # relative to the largest value (measured: at most 8e-7)
    rng = np.random.default_rng(5)
    T, B, I, H = 50, 4, 7, 32
    x = rng.standard_normal((T, B, I))
    dy = rng.standard_normal((T, B, 2 * H))
    results = {}
    for dtype in (np.float64, np.float32):
        layer = CELLS[cell](I, H, 2, True, dtype=dtype, seed=6)
        y, _, trace = layer.forward(x)
        grads, dx, _ = layer.backward(dy, trace)
        results[dtype] = {"y": y, "dx": dx, **grads}
    for name, exact in results[np.float64].items():
        approx = results[np.float32][name]
        assert approx.dtype == np.float32
        error = np.max(np.abs(approx - exact)) / np.max(np.abs(exact))
        assert error < 1e-5, f"{name}: {error:.1e}"
