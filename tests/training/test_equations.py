"""The equations of one step of one unit, with numbers that are the snapshot's own."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rnnviz.training.config import TrainConfig
from rnnviz.training.equations import step_equations
from rnnviz.training.trainer import Trainer

CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")


def sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


@pytest.fixture(scope="module", params=CELLS)
def snapshot(request):
    config = TrainConfig(task="alphabet").with_settings(
        {
            "model.cell": request.param,
            "model.num_layers": 2,
            "model.bidirectional": True,
            "model.hidden_size": 5,
            "batch_size": 4,
        }
    )
    trainer = Trainer(config)
    for _ in range(5):  # trained a little: no term is still at its initial value by chance
        trainer.step()
    return trainer.snapshot()


def test_every_value_is_the_snapshot_s(snapshot):
    T = snapshot.seq_len
    for entry in range(snapshot.layout.count):  # both layers, both directions
        for t in (0, 1, T // 2, T - 1):  # the first and last steps read a zero state
            for unit in range(snapshot.layout.hidden_size):
                eq = step_equations(snapshot, entry, t, unit)
                assert eq.value("h_t") == pytest.approx(snapshot.hidden[entry][t, unit], abs=1e-5)
                for gate in snapshot.layout.gates:
                    expected = snapshot.gates[entry][gate][t, unit]
                    assert eq.value(f"{gate}_t") == pytest.approx(expected, abs=1e-5)
                if snapshot.layout.cell == "lstm":
                    expected = snapshot.cell_states[entry][t, unit]
                    assert eq.value("c_t") == pytest.approx(expected, abs=1e-5)


def test_the_terms_add_up_to_each_line(snapshot):
    eq = step_equations(snapshot, entry=3, t=4, unit=2)  # layer 2 ←
    assert eq.label == "layer 2 ←, t = 4, unit 2"
    lines = {line.name: line for line in eq.lines}
    values = {name: [term.value for term in line.terms] for name, line in lines.items()}
    cell = snapshot.layout.cell
    if cell.startswith("rnn"):
        a = sum(values["a_t"])
        assert lines["a_t"].value == pytest.approx(a)
        h = math.tanh(a) if cell == "rnn_tanh" else max(a, 0.0)
        assert lines["h_t"].value == pytest.approx(h, abs=1e-6)
    elif cell == "lstm":
        for gate in "ifo":
            assert lines[f"{gate}_t"].value == pytest.approx(sigmoid(sum(values[f"{gate}_t"])))
        assert lines["g_t"].value == pytest.approx(math.tanh(sum(values["g_t"])))
        f, c_prev, i, g = values["c_t"]
        assert lines["c_t"].value == pytest.approx(f * c_prev + i * g, abs=1e-6)
        o, c = values["h_t"]
        assert lines["h_t"].value == pytest.approx(o * math.tanh(c), abs=1e-6)
    else:
        for gate in "rz":
            assert lines[f"{gate}_t"].value == pytest.approx(sigmoid(sum(values[f"{gate}_t"])))
        Wx, b_in, r, Wh, b_hn = values["n_t"]
        assert lines["n_t"].value == pytest.approx(math.tanh(Wx + b_in + r * (Wh + b_hn)))
        z, n, h_prev = values["h_t"]
        assert lines["h_t"].value == pytest.approx((1 - z) * n + z * h_prev, abs=1e-6)


def test_the_first_step_read_sees_a_zero_state(snapshot):
    T = snapshot.seq_len
    for entry, t in ((0, 0), (1, T - 1)):  # → starts at step 0, ← at step T − 1
        eq = step_equations(snapshot, entry, t, 0)
        recurrent = [term for line in eq.lines for term in line.terms if "h_{t−1}" in term.symbol]
        assert recurrent and all(term.value == 0.0 for term in recurrent)


def test_bad_indices_and_missing_weights_are_refused(snapshot):
    count, T, H = snapshot.layout.count, snapshot.seq_len, snapshot.layout.hidden_size
    for entry, t, unit in ((count, 0, 0), (0, T, 0), (0, 0, H), (-1, 0, 0)):
        with pytest.raises(ValueError, match="must be in"):
            step_equations(snapshot, entry, t, unit)
    bare = dataclasses.replace(snapshot, weights={})
    with pytest.raises(ValueError, match="no weights"):
        step_equations(bare, 0, 0, 0)
    assert np.isfinite([line.value for line in step_equations(snapshot, 0, 0, 0).lines]).all()
