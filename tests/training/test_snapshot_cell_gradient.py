"""The snapshot's ‖∂L/∂c_t‖ (``dc_norms``): the LSTM's cell-state path for the example, laid
out as ``dh_norms``; empty for cells without a cell state."""

import numpy as np
import pytest

from rnnviz.training import wire
from rnnviz.training.config import TrainConfig
from rnnviz.training.protocol import SnapshotMade
from rnnviz.training.trainer import Trainer

SMALL = {"model.hidden_size": "8", "batch_size": "4", "task.delay": "5"}


def trained(**settings) -> Trainer:
    trainer = Trainer(TrainConfig().with_settings({**SMALL, **settings}))
    list(trainer.run(steps=3))
    return trainer


def test_an_lstm_snapshot_holds_the_cell_state_gradient_of_its_example():
    trainer = trained(**{"model.cell": "lstm", "model.num_layers": "2"})
    snap = trainer.snapshot()
    T = trainer.seq_len
    assert snap.dc_norms.shape == snap.dh_norms.shape == (2, T)
    assert snap.dc_norms.dtype == np.float32 and not snap.dc_norms.flags.writeable
    # the same figures the model's backward pass gives on the example
    ex = trainer.example
    outputs, _, cache = trainer.model.forward(ex.x)
    _, doutputs = trainer.task.loss(outputs, ex)
    _, rnn_grads = trainer.model.backward(doutputs, cache)
    np.testing.assert_allclose(snap.dc_norms, rnn_grads.dc_norms, rtol=1e-6)
    assert np.all(np.isfinite(snap.dc_norms)) and snap.dc_norms[-1].max() > 0
    # it crosses to the window's process with the rest
    copy = wire.decode(wire.encode(SnapshotMade(snap))).snapshot
    np.testing.assert_array_equal(copy.dc_norms, snap.dc_norms)
    with pytest.raises(ValueError):
        copy.dc_norms[0, 0] = 1.0


@pytest.mark.parametrize("cell", ["rnn_tanh", "gru"])
def test_cells_without_a_cell_state_have_an_empty_one(cell):
    trainer = trained(**{"model.cell": cell})
    snap = trainer.snapshot()
    assert snap.dc_norms.shape == (0, trainer.seq_len)
