"""The gradient view gives ρ(W_hh) of the shown layer·direction beside a vanilla RNN's curves."""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
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
    assert panel.spectral_label.isVisible()
    assert f"ρ(W_hh) = {expected:.2f}" in panel.spectral_label.toPlainText()


def test_the_shown_direction_gives_its_own_matrix(qtbot):
    snap = snapshot("rnn_tanh", bidirectional=True)
    panel = shown(qtbot, GradientFlowPanel, snap)
    forward, backward = (rho(snap.weights[f"rnn.weight_hh_l0{s}"]) for s in ("", "_reverse"))
    assert forward != pytest.approx(backward)
    assert panel.spectral_radius == pytest.approx(forward)
    assert "layer 1 →" in panel.spectral_label.toPlainText()
    panel.set_layer(1)
    assert panel.spectral_radius == pytest.approx(backward)
    assert f"(layer 1 ←) = {backward:.2f}" in panel.spectral_label.toPlainText()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_show_no_spectral_radius(qtbot, cell):
    panel = shown(qtbot, GradientFlowPanel, snapshot("rnn_tanh"))
    panel.show_snapshot(snapshot(cell))  # and it goes when the cell changes
    assert panel.spectral_radius is None
    assert not panel.spectral_label.isVisible()


def test_a_narrow_view_gives_a_shorter_read_out_that_is_never_clipped(qtbot):
    snap = snapshot("rnn_tanh", bidirectional=True)
    panel = shown(qtbot, GradientFlowPanel, snap)
    wide = panel.spectral_label.toPlainText()
    assert wide.startswith("spectral radius ρ(W_hh) (layer 1 →)")
    panel.resize(330, 500)
    metrics = pg.QtGui.QFontMetricsF(panel.spectral_label.textItem.font())

    def fits() -> bool:
        text = panel.spectral_label.toPlainText()
        return metrics.horizontalAdvance(text) <= panel.curve_view.width() and text != wide

    qtbot.waitUntil(fits, timeout=2_000)
    assert f"{panel.spectral_radius:.2f}" in panel.spectral_label.toPlainText()
