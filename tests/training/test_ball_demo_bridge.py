"""Tests of rnnviz.training.demos.ball: what the window's ball arena asks of the task.

A snapshot states the ball task's facts (and survives the wire with them); a thrown ball is
flown with the task's physics and predicted by the snapshot's model, the same numbers the
trainer's own model gives; the frames scored and the score of a throw are the task's.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.tasks.ball import simulate_ball
from rnnviz.tasks.facts import BallFacts
from rnnviz.training.config import TrainConfig
from rnnviz.training.demos.ball import (
    THROW_SEED,
    ball_facts,
    predict_throw,
    score,
    scored_frames,
)
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.protocol import SnapshotMade
from rnnviz.training.trainer import Trainer
from rnnviz.training.wire import decode, encode

SMALL = {"model.hidden_size": 6, "batch_size": 4, "seq_len": 12}


def trained(task: str = "ball", **settings):
    trainer = Trainer(TrainConfig(task=task).with_settings({**SMALL, **settings}))
    for _ in range(3):
        trainer.step()
    return trainer, trainer.snapshot()


def test_the_snapshot_states_the_ball_facts_across_the_wire():
    trainer, snap = trained(**{"task.mode": "gap", "task.gap": 4, "task.gravity": 0.002})
    facts = ball_facts(snap)
    assert isinstance(facts, BallFacts)
    assert (facts.mode, facts.gap, facts.gravity) == ("gap", 4, 0.002)
    assert facts == trainer.task.facts()
    received = decode(encode(SnapshotMade(snap))).snapshot
    assert ball_facts(received) == facts
    assert ball_facts(trained("alphabet")[1]) is None


def test_a_thrown_ball_is_predicted_by_the_snapshots_model():
    trainer, snap = trained()
    start, velocity = np.array([0.2, 0.7]), np.array([0.03, -0.01])
    thrown = predict_throw(SnapshotModel(), snap, start, velocity, 15)
    # the same as the trainer's own model on the same flight and camera noise
    task = trainer.task
    positions, _ = simulate_ball(start[None], velocity[None], 16, task.config.gravity)
    batch = task.batch_from_positions(positions, np.random.default_rng(THROW_SEED))
    outputs, _, _ = trainer.model.forward(batch.x)
    expected = task.predictions(outputs, batch)
    assert thrown.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_allclose(thrown[key], value, rtol=1e-5, atol=1e-6, err_msg=key)
    assert len(thrown["true_positions"]) == 15
    np.testing.assert_allclose(thrown["true_positions"][0], start)


def test_no_throw_without_a_ball_model():
    _, snap = trained("alphabet")
    assert predict_throw(SnapshotModel(), snap, [0.5, 0.5], [0.02, 0.0], 10) is None


@pytest.mark.parametrize("mode", ["next", "snapshot", "gap"])
def test_the_scored_frames_and_the_score_are_the_tasks(mode):
    _, snap = trained(**{"task.mode": mode, "task.gap": 4})
    facts, preds = ball_facts(snap), snap.predictions
    counted = scored_frames(preds, facts)
    T = len(preds["visible"])
    if mode == "next":
        assert not counted[: facts.warmup_frames].any() and counted[facts.warmup_frames :].all()
    elif mode == "snapshot":
        assert counted.all()
    else:  # the movements into, across and out of the hidden frames
        hidden = ~preds["visible"]
        want = np.zeros(T, dtype=bool)
        want[:-1] = hidden[1:] | hidden[:-1]
        np.testing.assert_array_equal(counted, want)
        assert counted.sum() == facts.gap + 1
    result = score(preds, facts)
    if mode == "gap":
        hidden = ~preds["visible"]
        miss = np.hypot(*(preds["predicted_positions"] - preds["true_positions"])[hidden].T)
        assert result == pytest.approx(miss.mean())
    else:
        right = int(np.sum(counted & (preds["predicted_direction"] == preds["true_direction"])))
        assert result == (right, int(counted.sum())) and counted.sum() <= T
