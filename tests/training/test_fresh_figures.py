"""Figures on fresh data now and then (the goal banner's): due by time, within a share of the
time, of the run as it is, off unless asked for."""

import pytest

from rnnviz.training.config import TrainConfig
from rnnviz.training.fresh_figures import FreshFigures
from rnnviz.training.trainer import Trainer

SMALL = {"model.hidden_size": "8", "batch_size": "4", "task.delay": "5"}


class FakeTrainer:
    def __init__(self, clock, cost):
        self.iteration, self.clock, self.cost, self.taken = 0, clock, cost, 0

    def evaluate(self):
        self.clock[0] += self.cost
        self.taken += 1
        return {"accuracy_full_gap": 0.5, "loss": 1.0}


def test_taken_at_most_every_interval_and_within_its_share_of_the_time():
    clock = [0.0]
    fresh = FreshFigures(every=1.0, share=0.04, clock=lambda: clock[0])
    trainer = FakeTrainer(clock, cost=0.01)
    assert not fresh.maybe_take(trainer)  # nothing trained yet
    trainer.iteration = 1
    assert not fresh.maybe_take(trainer)  # the first updates are shown before a take
    clock[0] = 1.0
    assert fresh.maybe_take(trainer) and fresh.figures["accuracy_full_gap"] == 0.5
    assert fresh.iteration == 1
    for k in range(2, 300):  # 10 ms an update for 3 s
        trainer.iteration = k
        clock[0] += 0.01
        fresh.maybe_take(trainer)
    assert trainer.taken == 3  # at 1, 2 and 3 s
    slow = FakeTrainer(clock, cost=0.1)  # a take of 100 ms: once every 2.5 s, 4 %
    fresh = FreshFigures(every=1.0, share=0.04, clock=lambda: clock[0])
    start = clock[0]
    for k in range(1, 1001):
        slow.iteration = k
        clock[0] += 0.01
        fresh.maybe_take(slow)
    spent = slow.taken * 0.1
    assert spent <= 0.04 * (clock[0] - start) + 0.1


def test_off_unless_asked_and_not_taken_twice_of_one_update():
    clock = [0.0]
    trainer = FakeTrainer(clock, cost=0.0)
    trainer.iteration = 5
    assert not FreshFigures(clock=lambda: clock[0]).maybe_take(trainer)  # every=None: off
    fresh = FreshFigures(every=1.0, clock=lambda: clock[0])
    assert not fresh.maybe_take(trainer)
    clock[0] += 1
    assert fresh.maybe_take(trainer)
    clock[0] += 10
    assert not fresh.maybe_take(trainer)  # paused: the same update, nothing new to say
    fresh.reset()
    assert fresh.figures == {} and not fresh.maybe_take(trainer)
    clock[0] += 1
    assert fresh.maybe_take(trainer)
    with pytest.raises(ValueError):
        FreshFigures(share=0)


def test_the_trainer_s_snapshots_carry_them_when_asked_and_a_rewind_forgets_them():
    trainer = Trainer(TrainConfig().with_settings(SMALL))
    list(trainer.run(steps=2))
    assert dict(trainer.snapshot().checked) == {}  # off by default (headless, tests)
    clock = [0.0]
    trainer.fresh = FreshFigures(every=1.0, clock=lambda: clock[0])
    list(trainer.run(steps=1))
    trainer.fresh.maybe_take(trainer)  # as the window's loop does after each update
    clock[0] = 1.0
    list(trainer.run(steps=1))
    trainer.fresh.maybe_take(trainer)
    checked = trainer.snapshot().checked
    assert set(checked) >= {"loss", "accuracy_full_gap"}  # the recall lesson's goal figure
    assert checked == pytest.approx(trainer.evaluate())
    trainer.rewind()
    assert dict(trainer.snapshot().checked) == {} and trainer.fresh.every == 1.0
