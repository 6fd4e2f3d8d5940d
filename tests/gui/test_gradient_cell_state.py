"""The gradient-flow panel draws an LSTM's ‖∂L/∂c_t‖ beside its ‖∂L/∂h_t‖."""

from __future__ import annotations

import functools

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from gui_helpers import shown

from rnnviz.gui.panels import GradientFlowPanel
from rnnviz.gui.panels.gradient_flow import FLOOR
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer


@functools.cache
def snapshot(cell: str, layers: int = 1):
    settings = {"model.cell": cell, "model.num_layers": layers, "model.hidden_size": 8}
    config = TrainConfig(task="ball").with_settings({**settings, "seq_len": 12, "batch_size": 4})
    return list(Trainer(config).run(steps=5))[-1]


def test_an_lstm_gets_a_labelled_cell_state_curve_beside_the_hidden_state_one(qtbot):
    snap = snapshot("lstm")
    panel = shown(qtbot, GradientFlowPanel, snap)
    assert len(panel.curves) == 2 and panel.legend.isVisible()
    names = [curve.name() for curve in panel.curves]
    assert "cell state" in names[1] and "∂cₜ" in names[1] and "∂hₜ" in names[0]
    for curve, norms in zip(panel.curves, (snap.dh_norms[0], snap.dc_norms[0]), strict=True):
        _, y = curve.getData()
        np.testing.assert_allclose(y, np.log10(np.maximum(norms, FLOOR)), rtol=1e-6)
    assert panel.curves[1].opts["pen"].style() != panel.curves[0].opts["pen"].style()
    # the read-out names both
    panel._hover = ("curve", 3, 0)
    panel._refresh_hover()
    assert f"{float(snap.dc_norms[0, 3]):.3e}" in panel.hover_label.text()


def test_deeper_lstms_get_one_cell_state_curve_per_layer(qtbot):
    snap = snapshot("lstm", layers=2)
    panel = shown(qtbot, GradientFlowPanel, snap)
    assert len(panel.curves) == 4
    assert [c.name() for c in panel.curves[2:]] == [f"{s} ‖∂L/∂cₜ‖" for s in snap.layout.labels]


@pytest.mark.parametrize("cell", ["rnn_tanh", "gru"])
def test_cells_without_a_cell_state_keep_their_curves(qtbot, cell):
    panel = shown(qtbot, GradientFlowPanel, snapshot(cell))
    assert len(panel.curves) == 1 and not panel.legend.isVisible()
