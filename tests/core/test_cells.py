"""One definition per cell (rnnviz.core.layers.CELLS) and the activations every cell uses."""

import numpy as np
import pytest

from rnnviz.core import CELLS, GATE_DESCRIPTIONS, GATE_NAMES, GRU, LSTM, RNN, cell_spec
from rnnviz.core import activations as act


def test_the_cells_on_offer():
    assert list(CELLS) == ["rnn_tanh", "rnn_relu", "lstm", "gru"]
    assert [s.label for s in CELLS.values()] == ["RNN (tanh)", "RNN (ReLU)", "LSTM", "GRU"]
    assert {s.name: s.gate_names for s in CELLS.values()} == {
        "rnn_tanh": (),
        "rnn_relu": (),
        "lstm": ("i", "f", "g", "o"),
        "gru": ("r", "z", "n"),
    }
    assert [s.gate_count for s in CELLS.values()] == [1, 1, 4, 3]
    assert [s.has_cell_state for s in CELLS.values()] == [False, False, True, False]
    with pytest.raises(TypeError):
        CELLS["transformer"] = CELLS["gru"]  # read-only


@pytest.mark.parametrize("name", list(CELLS))
def test_a_spec_builds_its_layer(name):
    spec = cell_spec(name)
    layer = spec.build(3, 4, num_layers=2, bidirectional=True, dtype=np.float64, seed=1)
    assert isinstance(layer, spec.layer) and layer.spec is spec
    assert layer.cell == spec.family and layer.gate_names == spec.gate_names
    assert layer.params["weight_hh_l1_reverse"].shape == (spec.gate_count * 4, 4)
    assert layer.describe() == f"2-layer bidirectional {spec.label} (H=4)"
    _, _, trace = layer.forward(np.zeros((2, 1, 3)))
    assert tuple(trace[1, 1].gates) == spec.gate_names
    if spec.nonlinearity is not None:
        assert layer.nonlinearity == spec.nonlinearity


def test_the_layer_classes_find_their_spec():
    assert RNN(2, 3, nonlinearity="relu").spec is CELLS["rnn_relu"]
    assert RNN(2, 3).spec is CELLS["rnn_tanh"]
    assert LSTM(2, 3).spec is CELLS["lstm"] and GRU(2, 3).spec is CELLS["gru"]


def test_gate_tables_are_derived_from_the_specs():
    assert GATE_NAMES == {"rnn": (), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
    assert set(GATE_DESCRIPTIONS) == set("ifgorzn")
    for spec in CELLS.values():
        for name, text in spec.gate_descriptions.items():
            assert GATE_DESCRIPTIONS[name] == text and f" {name}:" in text


def test_an_unknown_cell_names_the_choices():
    with pytest.raises(ValueError, match="unknown cell 'transformer'; choose one of rnn_tanh, "):
        cell_spec("transformer")
    with pytest.raises(ValueError, match="unknown cell 'lstm '"):
        cell_spec("lstm ")


# --------------------------------------------------------------------------- activations

A = np.linspace(-30, 30, 241)  # (241,) far into both saturated ends


def test_activations_are_the_textbook_functions():
    np.testing.assert_allclose(act.sigmoid(A), 1 / (1 + np.exp(-A)), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(act.tanh(A), np.tanh(A), rtol=0, atol=0)
    np.testing.assert_array_equal(act.relu(A), np.where(A > 0, A, 0))
    with np.errstate(all="raise"):  # no overflow in float32 either, far past exp's range
        big = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], np.float32)
        assert act.sigmoid(big).tolist() == [0.0, pytest.approx(0.0, abs=1e-38), 0.5, 1.0, 1.0]


@pytest.mark.parametrize(
    ("f", "f_grad"),
    [(act.sigmoid, act.sigmoid_grad), (act.tanh, act.tanh_grad), (act.relu, act.relu_grad)],
    ids=["sigmoid", "tanh", "relu"],
)
def test_derivatives_from_the_output_match_finite_differences(f, f_grad):
    a = np.linspace(-4, 4, 80) + 0.01  # (80,) no point exactly at ReLU's kink
    eps = 1e-6
    numeric = (f(a + eps) - f(a - eps)) / (2 * eps)
    np.testing.assert_allclose(f_grad(f(a)), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("f", [act.sigmoid, act.tanh, act.relu, act.tanh_grad, act.relu_grad])
def test_out_may_be_the_input_and_the_dtype_is_kept(f):
    a = np.linspace(-2, 2, 9).astype(np.float32)  # (9,)
    expected = f(a)
    assert expected.dtype == np.float32 and expected is not a
    same = a.copy()
    assert f(same, out=same) is same
    np.testing.assert_array_equal(same, expected)


def test_sigmoid_grad_writes_into_out():
    s = act.sigmoid(np.linspace(-2, 2, 5))
    out = np.empty_like(s)
    assert act.sigmoid_grad(s, out=out) is out
    np.testing.assert_allclose(out, s * (1 - s), rtol=1e-15)


def test_the_vanilla_nonlinearities_are_a_pair_each():
    assert act.NONLINEARITIES == {
        "tanh": (act.tanh, act.tanh_grad),
        "relu": (act.relu, act.relu_grad),
    }
