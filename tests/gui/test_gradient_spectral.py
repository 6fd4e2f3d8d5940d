"""The gradient view gives ρ(W_hh) of the shown layer·direction beside a vanilla RNN's curves."""

from __future__ import annotations

import functools

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from gui_helpers import shown

from rnnviz.gui.panels import GradientFlowPanel
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer


@functools.cache
def snapshot(cell: str, bidirectional: bool = False, scale: float = 1.0):
    settings = {
        "model.cell": cell,
        "model.hidden_size": 8,
        "model.bidirectional": bidirectional,
        "model.recurrent_scale": scale,
        "seq_len": 12,
        "batch_size": 4,
    }
    return list(Trainer(TrainConfig(task="recall").with_settings(settings)).run(steps=3))[-1]


def rho(W: np.ndarray) -> float:
    return float(np.abs(np.linalg.eigvals(W)).max())


@pytest.mark.parametrize("scale", [0.5, 1.5])
def test_a_vanilla_rnn_shows_the_spectral_radius_of_its_recurrent_weights(qtbot, scale):
    snap = snapshot("rnn_tanh", scale=scale)
    panel = shown(qtbot, GradientFlowPanel, snap)
    expected = rho(snap.weights["rnn.weight_hh_l0"])
    assert panel.spectral_radius == pytest.approx(expected, rel=1e-6)  # float32 eigvals
    assert f"ρ(W_hh) = {expected:.2f}" in panel.curve_plot.titleLabel.text


def test_the_shown_direction_gives_its_own_matrix(qtbot):
    snap = snapshot("rnn_tanh", bidirectional=True)
    panel = shown(qtbot, GradientFlowPanel, snap)
    forward, backward = (rho(snap.weights[f"rnn.weight_hh_l0{s}"]) for s in ("", "_reverse"))
    assert forward != pytest.approx(backward)
    assert panel.spectral_radius == pytest.approx(forward)
    assert "layer 1 →" in panel.curve_plot.titleLabel.text
    panel.set_layer(1)
    assert panel.spectral_radius == pytest.approx(backward)
    assert f"(layer 1 ←) = {backward:.2f}" in panel.curve_plot.titleLabel.text


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_show_no_spectral_radius(qtbot, cell):
    panel = shown(qtbot, GradientFlowPanel, snapshot("rnn_tanh"))
    panel.show_snapshot(snapshot(cell))  # and it goes when the cell changes
    assert panel.spectral_radius is None
    assert "ρ" not in panel.curve_plot.titleLabel.text
