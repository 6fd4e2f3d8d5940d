"""The trainer: snapshots, live changes, rewind and reseed, divergence."""

import numpy as np
import pytest

from rnnviz.training.config import TrainConfig
from rnnviz.training.history import DecimatingHistory
from rnnviz.training.trainer import Trainer, needs_reset

SMALL = {"model.hidden_size": "8", "batch_size": "4", "task.delay": "5"}


def small_config(**extra) -> TrainConfig:
    return TrainConfig().with_settings({**SMALL, **extra})


def test_run_yields_frozen_read_only_snapshots():
    trainer = Trainer(small_config(), run_id=7)
    snapshots = list(trainer.run(steps=10, snapshot_every=5))
    assert [s.iteration for s in snapshots] == [5, 10]
    snap = snapshots[-1]
    assert snap.run_id == 7 and snap.num_parameters == trainer.model.num_parameters()
    T = trainer.seq_len
    assert snap.example_x.shape[0] == T
    assert len(snap.hidden) == 1 and snap.hidden[0].shape == (T, 8)
    assert set(snap.gates[0]) == {"i", "f", "g", "o"} and snap.cell_states[0].shape == (T, 8)
    assert snap.dh_norms.shape == (1, T)
    assert snap.dh_norm_history.shape == (10, 1, T)
    assert snap.loss_history.shape == (10,) and np.all(np.isfinite(snap.loss_history))
    assert list(snap.history_iterations) == list(range(1, 11))
    assert "accuracy" in snap.metrics and "accuracy" in snap.metric_history
    assert snap.hidden[0].dtype == np.float32
    for array in (snap.hidden[0], snap.dh_norms, snap.loss_history, snap.gates[0]["f"]):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[...] = 0
    # copies: training on does not change what the snapshot holds
    before = snap.hidden[0].copy()
    list(trainer.run(steps=3))
    assert np.array_equal(snap.hidden[0], before)
    assert not np.shares_memory(snap.hidden[0], trainer.model.params["rnn.weight_hh_l0"])


def test_learning_rate_changes_live_keeping_iteration_and_weights():
    trainer = Trainer(small_config())
    list(trainer.run(steps=5))
    weights = {k: v.copy() for k, v in trainer.model.params.items()}
    trainer.set(**{"optim.lr": "0.001", "optim.clip": "1.0", "temperature": "0.5"})
    assert trainer.iteration == 5
    assert trainer.optimizer.lr == 0.001 and trainer.config.optim.clip == 1.0
    for name, value in weights.items():
        assert np.array_equal(trainer.model.params[name], value)
    with pytest.raises(ValueError, match="needs a new run"):
        trainer.set(**{"model.hidden_size": "16"})


def test_needs_reset_tells_shape_changes_from_live_ones():
    config = small_config()
    assert not needs_reset(config, config.with_settings({"optim.lr": "0.5"}))
    assert needs_reset(config, config.with_settings({"model.num_layers": "2"}))
    assert needs_reset(config, config.with_settings({"task.delay": "9"}))


def test_rewind_gives_the_identical_run_and_reseed_another():
    trainer = Trainer(small_config())
    first = [s.loss for s in trainer.run(steps=6, snapshot_every=1)]
    trainer.rewind()
    assert trainer.iteration == 0
    again = [s.loss for s in trainer.run(steps=6, snapshot_every=1)]
    assert first == again
    trainer.reseed(99)
    other = [s.loss for s in trainer.run(steps=6, snapshot_every=1)]
    assert other != first and trainer.config.seed == 99


def test_a_learning_rate_of_100_diverges_and_holds_until_it_drops():
    trainer = Trainer(small_config(**{"optim.lr": "100", "optim.clip": "none"}))
    snapshots = list(trainer.run(steps=300, snapshot_every=50))
    assert trainer.diverged, "a learning rate of 100 should blow up"
    assert "Lower the learning rate or rewind" in snapshots[-1].diverged
    held_at = trainer.iteration
    weights = {k: v.copy() for k, v in trainer.model.params.items()}
    assert trainer.step() is None  # holding
    assert trainer.iteration == held_at
    for name, value in weights.items():
        assert np.array_equal(trainer.model.params[name], value), "a diverged step was applied"
        assert np.all(np.isfinite(value))
    trainer.set(**{"optim.lr": "0.001"})
    assert trainer.step() is not None  # a smaller learning rate: it tries again
    trainer.rewind()
    assert not trainer.diverged and trainer.iteration == 0


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_sgd_with_a_huge_learning_rate_diverges_without_an_error_or_warning(cell):
    trainer = Trainer(
        TrainConfig(task="ball").with_settings(
            {
                "model.cell": cell,
                "optim.kind": "sgd",
                "optim.lr": "1000",
                "optim.clip": "none",
                "model.hidden_size": "8",
                "batch_size": "4",
                "seq_len": "10",
            }
        )
    )
    snapshots = list(trainer.run(steps=300))
    assert "diverged" in trainer.diverged
    assert snapshots[-1].diverged == trainer.diverged


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "adagrad"])
@pytest.mark.parametrize("task", ["alphabet", "ball", "recall", "text"])
def test_a_relu_network_whose_hidden_states_overflow_diverges_never_raises(task, optimizer):
    """After one accepted update at a huge learning rate, a ReLU network's hidden states
    overflow to inf (no tanh bounds them): that is a divergence, not an error, and every
    snapshot on the way is still made."""
    trainer = Trainer(
        TrainConfig(task=task).with_settings(
            {"model.cell": "rnn_relu", "optim.kind": optimizer, "optim.lr": "100"}
        )
    )
    snapshots = list(trainer.run(steps=30, snapshot_every=1))
    assert "diverged" in trainer.diverged
    assert snapshots[-1].diverged == trainer.diverged


def test_a_non_finite_gradient_is_reported_never_applied(monkeypatch):
    trainer = Trainer(small_config())
    list(trainer.run(steps=2))
    weights = {k: v.copy() for k, v in trainer.model.params.items()}
    original = trainer.model.backward

    def poisoned(*args, **kwargs):
        grads, rnn_grads = original(*args, **kwargs)
        grads["rnn.weight_hh_l0"][0, 0] = np.nan
        return grads, rnn_grads

    monkeypatch.setattr(trainer.model, "backward", poisoned)
    result = trainer.step()
    assert not result.applied and "not finite" in trainer.diverged
    for name, value in weights.items():
        assert np.array_equal(trainer.model.params[name], value)


def test_history_is_bounded_but_covers_the_whole_run():
    history = DecimatingHistory(8)
    for iteration in range(1, 101):
        history.offer(iteration, float(iteration))
    its = history.iterations()
    assert len(its) <= 8
    assert its[0] <= 16 and its[-1] >= 100 - history.stride
    assert np.array_equal(history.values(), its.astype(np.float32))
    trainer = Trainer(small_config(history="4"))
    list(trainer.run(steps=50))
    snap = trainer.snapshot()
    assert len(snap.loss_history) <= 4 and snap.dh_norm_history.shape[0] <= 4
