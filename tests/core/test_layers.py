"""The recurrent layers: gradients, PyTorch's equations and layout, traces and bad input."""

from pathlib import Path

import numpy as np
import pytest

from rnnviz.core import GATE_NAMES, GRU, LSTM, RNN, check_layer_gradients

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "torch_reference.npz"

CELLS = {
    "rnn_tanh": lambda *a, **k: RNN(*a, nonlinearity="tanh", **k),
    "rnn_relu": lambda *a, **k: RNN(*a, nonlinearity="relu", **k),
    "lstm": LSTM,
    "gru": GRU,
}


def make(cell, input_size=3, hidden_size=4, num_layers=1, bidirectional=False, **kw):
    return CELLS[cell](input_size, hidden_size, num_layers, bidirectional, **kw)


def random_state(layer, B, rng):
    shape = (layer.num_layers * layer.num_directions, B, layer.hidden_size)
    h = rng.standard_normal(shape).astype(layer.dtype)
    if layer.cell == "lstm":
        return h, rng.standard_normal(shape).astype(layer.dtype)
    return h


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", list(CELLS))
def test_every_gradient_matches_finite_differences(cell, num_layers, bidirectional, batch):
    layer = make(cell, 3, 4, num_layers, bidirectional, dtype=np.float64, seed=7)
    errors = check_layer_gradients(layer, seq_len=4, batch_size=batch, seed=11)
    expected = set(layer.params) | {"x", "h0"} | ({"c0"} if cell == "lstm" else set())
    assert set(errors) == expected
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, f"{worst}: relative error {errors[worst]:.2e}"


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    layer = make("gru", dtype=np.float64)
    original = layer.backward

    def off_by_a_bit(*args, **kwargs):
        grads, dx, dh0 = original(*args, **kwargs)
        grads["weight_hh_l0"] = grads["weight_hh_l0"] * 1.001
        return grads, dx, dh0

    monkeypatch.setattr(layer, "backward", off_by_a_bit)
    errors = check_layer_gradients(layer)
    assert errors["weight_hh_l0"] > 1e-4
    assert errors["weight_ih_l0"] < 1e-6


@pytest.mark.parametrize("cell", list(CELLS))
def test_backward_twice_on_one_trace_is_identical(cell):
    rng = np.random.default_rng(0)
    layer = make(cell, 3, 5, 2, True, seed=1)
    x = rng.standard_normal((6, 2, 3)).astype(np.float32)
    y, _, trace = layer.forward(x, random_state(layer, 2, rng))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    first = layer.backward(dy, trace)
    second = layer.backward(dy, trace)
    for name in layer.params:
        assert np.array_equal(first[0][name], second[0][name]), name
    assert np.array_equal(first[1], second[1])
    assert np.array_equal(first[0].dh_norms, second[0].dh_norms)
    y_again, _, _ = layer.forward(x, random_state(layer, 2, np.random.default_rng(0)))
    assert trace.x.shape[0] == 6 and y_again.shape == y.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cell", list(CELLS))
def test_dtype_is_kept_through_forward_and_backward(cell, dtype):
    rng = np.random.default_rng(0)
    layer = make(cell, 3, 4, 2, True, dtype=dtype)
    x = rng.standard_normal((5, 2, 3))  # float64 in; the layer's dtype out
    y, h_n, trace = layer.forward(x)
    grads, dx, dh0 = layer.backward(np.ones_like(y), trace)
    arrays = [y, dx, *grads.values(), grads.dh_norms, *grads.dh, *layer.params.values()]
    arrays += list(h_n) if cell == "lstm" else [h_n]
    arrays += list(dh0) if cell == "lstm" else [dh0]
    for dt in trace:
        arrays += [dt.h, *dt.gates.values()]
    assert {a.dtype for a in arrays} == {np.dtype(dtype)}


def test_parameters_have_pytorch_names_shapes_and_initialisation():
    layer = LSTM(10, 8, num_layers=2, bidirectional=True, seed=3)
    expected = {}
    for k, inputs in ((0, 10), (1, 16)):
        for suffix in ("", "_reverse"):
            expected[f"weight_ih_l{k}{suffix}"] = (32, inputs)
            expected[f"weight_hh_l{k}{suffix}"] = (32, 8)
            expected[f"bias_ih_l{k}{suffix}"] = (32,)
            expected[f"bias_hh_l{k}{suffix}"] = (32,)
    state = layer.state_dict()
    assert list(state) == list(expected)  # PyTorch's order too
    assert {k: v.shape for k, v in state.items()} == expected
    bound = 1 / np.sqrt(8)
    values = np.concatenate([v.ravel() for v in state.values()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.std() > bound / 3  # spread over the interval, not all zero
    assert GRU(3, 5).params["weight_hh_l0"].shape == (15, 5)
    assert RNN(3, 5).params["weight_hh_l0"].shape == (5, 5)


def test_initialisation_is_seeded():
    a, b, c = LSTM(4, 6, seed=5), LSTM(4, 6, seed=5), LSTM(4, 6, seed=6)
    for name in a.params:
        assert np.array_equal(a.params[name], b.params[name])
    assert not np.array_equal(a.params["weight_hh_l0"], c.params["weight_hh_l0"])


def test_state_dict_is_a_copy_and_round_trips():
    a, b = GRU(3, 4, 2, True, seed=1), GRU(3, 4, 2, True, seed=2)
    state = a.state_dict()
    state["weight_hh_l0"][...] = 0  # editing the copy does not touch the layer
    assert np.any(a.params["weight_hh_l0"] != 0)
    b.load_state_dict(a.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 2, 3))
    # not bit-equal: BLAS may take another summation path for arrays at other addresses
    np.testing.assert_allclose(a.forward(x)[0], b.forward(x)[0], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.pop("bias_hh_l0"), "missing 'bias_hh_l0'"),
        (lambda s: s.update(weight_ih_l1=np.zeros((16, 4))), "unexpected entry 'weight_ih_l1'"),
        (lambda s: s.update(weight_hh_l0=np.zeros((16, 3))), "'weight_hh_l0' has shape"),
        (lambda s: s["bias_ih_l0"].__setitem__(2, np.nan), "'bias_ih_l0' holds NaN"),
        (lambda s: s.update(bias_ih_l0=np.array(["a"] * 16)), "'bias_ih_l0' must hold numbers"),
    ],
)
def test_load_state_dict_names_the_bad_key_and_loads_nothing(edit, message):
    layer = LSTM(3, 4, seed=0)
    before = layer.state_dict()
    bad = LSTM(3, 4, seed=9).state_dict()
    edit(bad)
    with pytest.raises(ValueError, match=message):
        layer.load_state_dict(bad)
    for name, value in before.items():
        assert np.array_equal(layer.params[name], value), f"{name} changed after a failed load"


@pytest.mark.parametrize(
    ("x", "h0", "message"),
    [
        (np.zeros((5, 3)), None, "must be 3-D"),
        (np.zeros((5, 2, 4)), None, "4 features per step, this layer expects 3"),
        (np.zeros((0, 2, 3)), None, "at least one time step"),
        (np.full((5, 2, 3), np.nan), None, "NaN"),
        (np.array([[["a"] * 3]]), None, "must hold numbers"),
        (np.zeros((5, 2, 3)), np.zeros((1, 3, 4)), r"h0 has shape \(1, 3, 4\), expected"),
        (np.zeros((5, 2, 3)), np.full((1, 2, 4), np.inf), "h0 holds NaN or infinite"),
    ],
)
def test_bad_input_is_a_clear_value_error(x, h0, message):
    with pytest.raises(ValueError, match=message):
        GRU(3, 4).forward(x, h0)


def test_lstm_state_must_be_a_pair_and_others_must_not():
    x = np.zeros((2, 1, 3))
    with pytest.raises(ValueError, match=r"pair \(h, c\)"):
        LSTM(3, 4).forward(x, np.zeros((1, 1, 4)))
    with pytest.raises(ValueError, match="not a pair"):
        RNN(3, 4).forward(x, (np.zeros((1, 1, 4)), np.zeros((1, 1, 4))))
    with pytest.raises(ValueError, match=r"h0\[1\] \(c\) has shape"):
        LSTM(3, 4).forward(x, (np.zeros((1, 1, 4)), np.zeros((2, 1, 4))))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="hidden_size must be a whole number"):
        LSTM(3, 0)
    with pytest.raises(ValueError, match="num_layers"):
        GRU(3, 4, num_layers=1.5)
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dtype"):
        RNN(3, 4, dtype=np.float16)


def test_backward_rejects_a_foreign_trace_and_bad_dy():
    lstm, gru = LSTM(3, 4), GRU(3, 4)
    x = np.zeros((2, 1, 3))
    _, _, trace = gru.forward(x)
    with pytest.raises(ValueError, match="Trace of this LSTM"):
        lstm.backward(None, trace)
    with pytest.raises(ValueError, match="dy has shape"):
        gru.backward(np.zeros((2, 1, 5)), trace)


def test_trace_holds_every_gate_by_name_in_natural_time_order():
    rng = np.random.default_rng(2)
    layer = LSTM(3, 4, num_layers=2, bidirectional=True, seed=4)
    x = rng.standard_normal((7, 2, 3)).astype(np.float32)
    y, (h_n, c_n), trace = layer.forward(x)
    assert len(trace) == 4
    for dt in trace:
        assert set(dt.gates) == set(GATE_NAMES["lstm"])
        for name, a in dt.gates.items():
            assert a.shape == (7, 2, 4)
            lo, hi = (-1, 1) if name == "g" else (0, 1)
            assert a.min() >= lo and a.max() <= hi
        assert dt.h.shape == dt.c.shape == (7, 2, 4)
        assert np.allclose(dt.h, dt.gates["o"] * np.tanh(dt.c), atol=1e-6)
    # y is the top layer's two directions side by side; h_n the last state each reached
    assert np.array_equal(y[:, :, :4], trace[1, 0].h)
    assert np.array_equal(y[:, :, 4:], trace[1, 1].h)
    assert np.array_equal(h_n[3], trace[1, 1].h[0])  # the backward direction ends at t = 0
    assert np.array_equal(h_n[2], trace[1, 0].h[-1])
    assert np.array_equal(c_n[1], trace[0, 1].c[0])
    # the backward direction is the forward cell run on the reversed sequence
    alone = LSTM(3, 4, seed=0)
    alone.load_state_dict(
        {
            name.replace("_reverse", ""): value
            for name, value in layer.state_dict().items()
            if name.endswith("l0_reverse")
        }
    )
    _, _, flipped = alone.forward(x[::-1])
    assert np.allclose(flipped[0, 0].h[::-1], trace[0, 1].h, atol=1e-6)
    assert np.allclose(flipped[0, 0].gates["f"][::-1], trace[0, 1].gates["f"], atol=1e-6)
    with pytest.raises(IndexError):
        trace[2, 0]


def test_gru_and_rnn_traces():
    x = np.random.default_rng(0).standard_normal((5, 1, 3))
    _, _, gru_trace = GRU(3, 4).forward(x)
    assert set(gru_trace[0, 0].gates) == {"r", "z", "n"} and gru_trace[0, 0].c is None
    _, _, rnn_trace = RNN(3, 4).forward(x)
    assert rnn_trace[0, 0].gates == {} and rnn_trace[0, 0].h.shape == (5, 1, 4)


def _reference_case(data, case):
    prefix = f"{case}/"
    return {k[len(prefix) :]: data[k] for k in data.files if k.startswith(prefix)}


@pytest.mark.parametrize(
    "case", ["rnn_tanh_1", "rnn_relu_2bi", "lstm_1", "lstm_2bi", "gru_1", "gru_2bi"]
)
def test_matches_pytorch_reference(case):
    """PyTorch's own outputs and gradients (tests/data/make_torch_reference.py) are reproduced."""
    with np.load(REFERENCE, allow_pickle=False) as data:
        ref = _reference_case(data, case)
    kind = case.split("_")[0]
    layers = 2 if case.endswith("2bi") else 1
    kwargs = {"nonlinearity": case.split("_")[1]} if kind == "rnn" else {}
    cls = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[kind]
    layer = cls(5, 4, layers, layers == 2, dtype=np.float64, **kwargs)
    layer.load_state_dict({k[6:]: v for k, v in ref.items() if k.startswith("param.")})
    lstm = kind == "lstm"
    h0 = (ref["h0"], ref["c0"]) if lstm else ref["h0"]
    y, h_n, trace = layer.forward(ref["x"], h0)
    np.testing.assert_allclose(y, ref["y"], rtol=1e-10, atol=1e-12)
    dh_n = (ref["dh_n"], ref["dc_n"]) if lstm else ref["dh_n"]
    grads, dx, dh0 = layer.backward(ref["dy"], trace, dh_n)
    if lstm:
        np.testing.assert_allclose(h_n[0], ref["h_n"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(h_n[1], ref["c_n"], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dh0[1], ref["dc0"], rtol=1e-9, atol=1e-12)
        dh0 = dh0[0]
    else:
        np.testing.assert_allclose(h_n, ref["h_n"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, ref["dx"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dh0, ref["dh0"], rtol=1e-9, atol=1e-12)
    for name in layer.params:
        np.testing.assert_allclose(grads[name], ref[f"grad.{name}"], rtol=1e-9, atol=1e-12)


def test_need_dx_false_skips_only_the_input_gradient():
    rng = np.random.default_rng(0)
    layer = GRU(3, 4, 2, True)
    x = rng.standard_normal((5, 2, 3))
    y, _, trace = layer.forward(x)
    dy = rng.standard_normal(y.shape)
    full, dx, _ = layer.backward(dy, trace)
    train, no_dx, _ = layer.backward(dy, trace, need_dx=False)
    assert dx is not None and no_dx is None
    for name in layer.params:
        assert np.array_equal(full[name], train[name])
