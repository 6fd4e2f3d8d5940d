"""The window's private model follows the snapshots without sharing the trainer's arrays."""

import numpy as np

from rnnviz.training.config import TrainConfig
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.trainer import Trainer


def test_snapshot_model_copies_the_weights_and_follows_new_snapshots():
    trainer = Trainer(TrainConfig(task="alphabet").with_settings({"model.hidden_size": "8"}))
    first = list(trainer.run(steps=3))[-1]
    private = SnapshotModel()
    model = private.update(first)
    for name, value in trainer.model.params.items():
        assert np.array_equal(model.params[name], value)
        assert not np.shares_memory(model.params[name], value)
        assert not first.weights[name].flags.writeable
    x = np.eye(26, dtype=np.float32)[:5, None, :]  # (T, 1, 26)
    before, _, _ = model.forward(x)
    second = list(trainer.run(steps=20))[-1]
    assert private.update(second) is model  # same shape: the same model, new weights
    after, _, _ = model.forward(x)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, trainer.model.forward(x)[0], rtol=1e-6, atol=1e-6)
    trainer.reseed(3)
    bigger = Trainer(TrainConfig(task="alphabet").with_settings({"model.hidden_size": "12"}))
    third = list(bigger.run(steps=1))[-1]
    assert private.update(third).rnn.hidden_size == 12
