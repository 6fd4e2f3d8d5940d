"""ρ(W_hh), the spectral radius the gradient view shows beside the vanilla RNN's gradient."""

import numpy as np
import pytest

from rnnviz.training import spectral
from rnnviz.training.config import TrainConfig
from rnnviz.training.spectral import (
    MAX_HIDDEN,
    SpectralRadius,
    recurrent_weight_name,
    spectral_radius,
)
from rnnviz.training.trainer import Trainer


def snapshot_of(cell: str, hidden: int = 8, bidirectional: bool = False, layers: int = 1):
    settings = {
        "model.cell": cell,
        "model.hidden_size": hidden,
        "model.num_layers": layers,
        "model.bidirectional": bidirectional,
        "seq_len": 6,
        "batch_size": 2,
    }
    return Trainer(TrainConfig(task="recall").with_settings(settings)).snapshot()


def test_it_is_the_largest_eigenvalue_modulus_even_for_a_rotation():
    W = np.random.default_rng(3).normal(size=(16, 16)).astype(np.float32)  # (H, H)
    assert spectral_radius(W) == pytest.approx(np.abs(np.linalg.eigvals(W)).max(), rel=1e-6)
    rotation = 0.9 * np.array([[0.0, -1.0], [1.0, 0.0]])  # eigenvalues ±0.9i
    assert spectral_radius(rotation) == pytest.approx(0.9)
    assert np.isnan(spectral_radius(np.full((2, 2), np.nan)))


def test_each_layer_and_direction_has_its_own_matrix_and_gated_cells_have_none():
    layout = snapshot_of("rnn_tanh", bidirectional=True, layers=2).layout
    names = [recurrent_weight_name(layout, k) for k in range(layout.count)]
    assert names == [
        "rnn.weight_hh_l0",
        "rnn.weight_hh_l0_reverse",
        "rnn.weight_hh_l1",
        "rnn.weight_hh_l1_reverse",
    ]
    for cell in ("lstm", "gru"):
        assert recurrent_weight_name(snapshot_of(cell).layout, 0) is None, cell
    assert recurrent_weight_name(snapshot_of("rnn_relu").layout, 0) == "rnn.weight_hh_l0"
    wide = snapshot_of("rnn_tanh", hidden=MAX_HIDDEN + 1).layout
    assert recurrent_weight_name(wide, 0) is None  # too slow to compute at every snapshot


def test_it_is_computed_once_per_matrix(monkeypatch):
    calls = []
    monkeypatch.setattr(spectral, "spectral_radius", lambda W: calls.append(W) or 0.5)
    first = snapshot_of("rnn_tanh")
    radius = SpectralRadius()
    assert radius.of(first, 0) == 0.5 and radius.of(first, 0) == 0.5
    assert radius.of(snapshot_of("rnn_tanh"), 0) == 0.5  # new copies of the same numbers
    assert len(calls) == 1
    assert radius.of(snapshot_of("lstm"), 0) is None
    assert radius.of(snapshot_of("rnn_tanh", hidden=9), 0) == 0.5  # another matrix
    assert len(calls) == 2
