"""Trainer.state() and Trainer.load_state(): a trainer given another's state continues exactly
as that one would, and a state that does not fit is refused with the trainer left as it was."""

from dataclasses import replace

import numpy as np
import pytest

from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer, TrainerState, TrainerStateError

SMALL = {"model.hidden_size": "8", "batch_size": "4", "task.delay": "5"}
TEXT = {"model.hidden_size": "8", "batch_size": "4", "seq_len": "16", "optim.kind": "adam"}


def small_config(**extra) -> TrainConfig:
    return TrainConfig().with_settings({**SMALL, **extra})


def text_config() -> TrainConfig:
    return TrainConfig(task="text").with_settings(TEXT)


def trained(config: TrainConfig, steps: int) -> Trainer:
    trainer = Trainer(config)
    list(trainer.run(steps=steps))
    return trainer


def assert_same_state(a: TrainerState, b: TrainerState) -> None:
    def same(x, y) -> None:
        if isinstance(x, dict):
            assert set(x) == set(y)
            for key in x:
                same(x[key], y[key])
        elif isinstance(x, np.ndarray):
            assert x.shape == y.shape and x.dtype == y.dtype
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
        elif isinstance(x, tuple):
            assert len(x) == len(y)
            for p, q in zip(x, y, strict=True):
                same(p, q)
        else:
            assert x == y

    for field in TrainerState.__dataclass_fields__:
        same(getattr(a, field), getattr(b, field))


@pytest.mark.parametrize("config", [small_config(), text_config()], ids=["recall", "text"])
def test_a_trainer_given_anothers_state_continues_bit_for_bit(config):
    original = trained(config, 5)
    other = trained(config, 2)  # its own progress is replaced, not mixed in
    other.load_state(original.state())
    assert other.iteration == 5
    assert_same_state(other.state(), original.state())
    for _ in range(3):
        assert other.step().loss == original.step().loss
    for name, value in original.model.params.items():
        assert np.array_equal(other.model.params[name], value)
    assert np.array_equal(other.snapshot().loss_history, original.snapshot().loss_history)


def test_the_text_state_carries_the_hidden_state_and_the_streams():
    state = trained(text_config(), 3).state()
    assert len(state.carry) == 2  # an LSTM carries h and c
    assert all(part.shape == (1, 4, 8) for part in state.carry)
    assert set(state.task) == {"walk_batch_size", "walk_position"}


def test_state_is_a_copy_of_plain_arrays_and_numbers():
    trainer = trained(small_config(), 3)
    state = trainer.state()
    assert isinstance(state.iteration, int) and isinstance(state.loss_limit, float)
    arrays = [*state.params.values(), *state.optimizer.values(), *state.carry]
    arrays += [a for h in state.histories.values() for a in h.values()]
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays)
    state.params["rnn.weight_hh_l0"][...] = 0
    assert trainer.model.params["rnn.weight_hh_l0"].any()


def _with_param(state: TrainerState, name: str, value) -> TrainerState:
    return replace(state, params={**state.params, name: value})


def _without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


def _nan_loss(state: TrainerState) -> TrainerState:
    loss = dict(state.histories["loss_history"])
    loss["values"] = loss["values"].copy()
    loss["values"][0] = np.nan
    return replace(state, histories={**state.histories, "loss_history": loss})


def _reversed_metrics(state: TrainerState) -> TrainerState:
    metrics = dict(state.histories["metric_history"])
    metrics["iterations"] = metrics["iterations"][::-1].copy()
    return replace(state, histories={**state.histories, "metric_history": metrics})


BAD = {
    "a weight of the wrong shape": (
        lambda s: _with_param(s, "rnn.weight_hh_l0", np.zeros((32, 9), np.float32)),
        r"'rnn.weight_hh_l0' has shape \(32, 9\), expected \(32, 8\)",
    ),
    "a NaN weight": (
        lambda s: _with_param(s, "readout.bias", np.full_like(s.params["readout.bias"], np.nan)),
        r"'readout.bias' holds NaN",
    ),
    "a NaN loss": (_nan_loss, r"loss history holds NaN"),
    "a NaN loss limit": (lambda s: replace(s, loss_limit=float("nan")), r"invalid loss limit"),
    "a weight that is a list": (
        lambda s: _with_param(s, "readout.bias", [0.0] * 10),
        r"weights must map names to NumPy arrays",
    ),
    "a weight of integers": (
        lambda s: _with_param(s, "readout.bias", np.zeros(10, np.int64)),
        r"'readout.bias' must be floating point, not int64",
    ),
    "an iteration that is a float": (lambda s: replace(s, iteration=5.0), r"invalid iteration"),
    "a missing weight": (
        lambda s: replace(s, params=_without(s.params, "rnn.bias_hh_l0")),
        r"'rnn.bias_hh_l0' is missing",
    ),
    "a missing optimiser step": (
        lambda s: replace(s, optimizer=_without(s.optimizer, "step")),
        r"no number 'step'",
    ),
    "a missing history": (
        lambda s: replace(s, histories=_without(s.histories, "dh_history")),
        r"histories",
    ),
    "another learning rate": (
        lambda s: replace(s, optimizer={**s.optimizer, "lr": np.array(0.5)}),
        r"learning rate 0.5 is not the one in the settings",
    ),
    "a carried state for a task that carries none": (
        lambda s: replace(s, carry=(np.zeros((1, 4, 8), np.float32),)),
        r"carries no hidden state",
    ),
    "an even random increment": (
        lambda s: replace(s, rng={**s.rng, "state": {**s.rng["state"], "inc": 2}}),
        r"even increment",
    ),
    "a history out of order": (
        _reversed_metrics,
        r"metric history's iterations are not increasing",
    ),
    "not a state": (lambda s: {"iteration": 5}, r"must be a TrainerState"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_state_is_refused_and_the_trainer_stays_as_it_was(case):
    edit, pattern = BAD[case]
    config = small_config()
    trainer, twin = trained(config, 3), trained(config, 3)
    before = trainer.state()
    with pytest.raises(TrainerStateError, match=pattern) as error:
        trainer.load_state(edit(trained(config, 5).state()))
    assert "\n" not in str(error.value) and len(str(error.value)) < 200
    assert_same_state(trainer.state(), before)
    assert trainer.step().loss == twin.step().loss


def test_a_part_refused_while_loading_puts_everything_back():
    """The text task checks its stream position against its text only as it loads: by then
    the weights and the optimiser are loaded, and must be put back."""
    config = text_config()
    trainer, twin = trained(config, 3), trained(config, 3)
    before = trainer.state()
    good = trained(config, 6).state()
    bad = replace(good, task={**good.task, "walk_position": np.array(10**9)})
    with pytest.raises(TrainerStateError, match="past the end"):
        trainer.load_state(bad)
    assert_same_state(trainer.state(), before)
    assert trainer.step().loss == twin.step().loss


def test_a_state_of_another_cell_is_refused():
    gru = trained(small_config(**{"model.cell": "gru"}), 2).state()
    trainer = trained(small_config(), 2)
    before = trainer.state()
    with pytest.raises(
        TrainerStateError, match=r"'rnn.weight_ih_l0' has shape \(24, 18\), expected \(32, 18\)"
    ):
        trainer.load_state(gru)
    assert_same_state(trainer.state(), before)
