"""The backward equations of one step of one unit: their ∂L/∂h_t and ∂L/∂c_t are the core's."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from rnnviz.training.backward_equations import backward_equations
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
SHAPES = ((1, False), (2, True))  # one layer; two stacked bidirectional layers


@pytest.fixture(scope="module", params=[(c, *s) for c in CELLS for s in SHAPES], ids=str)
def trained(request):
    names = ("model.cell", "model.num_layers", "model.bidirectional")
    settings = dict(zip(names, request.param, strict=True))
    config = TrainConfig(task="alphabet").with_settings(
        {**settings, "model.hidden_size": 5, "batch_size": 4}
    )
    trainer = Trainer(config)
    for _ in range(5):  # trained a little: no gradient is still at its initial value by chance
        trainer.step()
    return trainer, trainer.snapshot()


def test_the_snapshot_carries_the_example_s_gradients_per_unit(trained):
    _, s = trained
    T, H, O = s.seq_len, s.layout.hidden_size, s.weights["readout.weight"].shape[0]
    assert len(s.dh) == s.layout.count
    assert len(s.dc) == (s.layout.count if s.layout.cell == "lstm" else 0)
    for arrays, norms in ((s.dh, s.dh_norms), (s.dc, s.dc_norms)):
        for a, norm in zip(arrays, norms, strict=True):
            assert a.shape == (T, H) and a.dtype == np.float32 and not a.flags.writeable
            np.testing.assert_allclose(np.linalg.norm(a, axis=1), norm, rtol=1e-5)
    assert s.dy.shape == (T, O) and s.dy.dtype == np.float32 and not s.dy.flags.writeable
    back = pickle.loads(pickle.dumps(s))  # as it crosses from the training process
    np.testing.assert_array_equal(back.dh[-1], s.dh[-1])
    assert not back.dh[-1].flags.writeable


def test_dh_and_dc_are_the_core_s_at_every_step_and_unit(trained):
    """The oracle: each step's equations, fed its neighbours' gradients, give the core's."""
    _, s = trained
    for entry in range(s.layout.count):
        dh_scale = float(np.abs(s.dh[entry]).max())
        for t in range(s.seq_len):
            for unit in range(s.layout.hidden_size):
                eq = backward_equations(s, entry, t, unit)
                expected = s.dh[entry][t, unit]
                assert eq.value("∂L/∂h_t") == pytest.approx(expected, abs=1e-5 * dh_scale)
                if s.layout.cell == "lstm":
                    expected = s.dc[entry][t, unit]
                    scale = float(np.abs(s.dc[entry]).max())
                    assert eq.value("∂L/∂c_t") == pytest.approx(expected, abs=1e-5 * scale)


def test_the_rnn_weight_shares_add_up_to_the_core_s_gradient(trained):
    trainer, s = trained
    if not s.layout.cell.startswith("rnn"):
        pytest.skip("the weight share is the vanilla RNN's line")
    ex = trainer.example
    outputs, _, cache = trainer.model.forward(ex.x)
    _, doutputs = trainer.task.loss(outputs, ex)
    grads, _ = trainer.model.backward(doutputs, cache)
    D = s.layout.directions
    for entry in range(s.layout.count):
        layer, direction = divmod(entry, D)
        name = f"rnn.weight_hh_l{layer}" + ("_reverse" if direction else "")
        for unit in range(s.layout.hidden_size):
            shares = [
                backward_equations(s, entry, t, unit).value("∂L/∂W_hh[j,j] +=")
                for t in range(s.seq_len)
            ]
            expected = grads[name][unit, unit]
            assert sum(shares) == pytest.approx(
                expected, abs=1e-5 * float(np.abs(grads[name]).max())
            )


def test_each_line_is_its_terms_combined(trained):
    _, s = trained
    entry = s.layout.count - 1  # the top layer, ← when bidirectional
    eq = backward_equations(s, entry, t=3, unit=2)
    lines = {line.name: line for line in eq.lines}
    terms = {name: {t.symbol: t.value for t in line.terms} for name, line in lines.items()}
    dh = lines["∂L/∂h_t"]
    assert dh.value == pytest.approx(sum(terms["∂L/∂h_t"].values()))
    cell = s.layout.cell
    if cell == "rnn_tanh":
        h = terms["∂L/∂a_t"]["h_t"]
        assert lines["∂L/∂a_t"].value == pytest.approx(dh.value * (1 - h * h))
    elif cell == "lstm":
        o, f = (terms["∂L/∂c_t"][k] for k in ("o_t", "f_{t+1}"))
        c, dc_next = terms["∂L/∂c_t"]["c_t"], terms["∂L/∂c_t"]["∂L/∂c_{t+1}"]
        expected = dh.value * o * (1 - np.tanh(c) ** 2) + dc_next * f
        assert lines["∂L/∂c_t"].value == pytest.approx(expected)
        assert set(lines) >= {f"∂L/∂a_{{{g},t}}" for g in "ifgo"}
    elif cell == "gru":
        assert set(lines) >= {f"∂L/∂a_{{{g},t}}" for g in "rzn"}
    assert eq.label.startswith(s.layout.labels[entry])


def test_nothing_comes_from_after_the_last_step_a_direction_reads(trained):
    _, s = trained
    T, D = s.seq_len, s.layout.directions
    for direction, last in ((0, T - 1), (1, 0))[:D]:
        eq = backward_equations(s, direction, last, 0)
        terms = {t.symbol: t.value for t in eq.lines[0].terms}
        assert terms["W_hhᵀ ∂L/∂a_{t+1}"] == 0.0
        # one step earlier in its direction, step t + 1 does send something back
        before = last - 1 if direction == 0 else 1
        eq = backward_equations(s, direction, before, 0)
        assert {t.symbol: t.value for t in eq.lines[0].terms}["W_hhᵀ ∂L/∂a_{t+1}"] != 0.0


def test_bad_input_is_refused_with_a_message(trained):
    _, s = trained
    with pytest.raises(ValueError, match="no gradients"):
        backward_equations(dataclasses.replace(s, dh=()), 0, 0, 0)
    with pytest.raises(ValueError, match="no weights"):
        backward_equations(dataclasses.replace(s, weights={}), 0, 0, 0)
    with pytest.raises(ValueError, match="t must be in"):
        backward_equations(s, 0, s.seq_len, 0)
    with pytest.raises(ValueError, match="unit must be in"):
        backward_equations(s, 0, 0, -1)
