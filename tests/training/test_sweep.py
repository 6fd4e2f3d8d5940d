"""The delay sweep (rnnviz.training.sweep, sweep_workers): its plan, its points' order and
configuration, the same results in this process and in worker processes, and stopping."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.training.cell_list import parse_cells
from rnnviz.training.config import ConfigError
from rnnviz.training.settings import Cell
from rnnviz.training.sweep import (
    MAX_DELAYS,
    SweepPlan,
    accuracy_table,
    parse_delays,
    run_sweep,
    sweep_config,
)
from rnnviz.training.sweep_workers import SweepWorkerError, live_workers, run_jobs

#: Tiny runs: a few updates of a 4-unit network.
TINY = {"model.hidden_size": 4, "batch_size": 4}


def tiny_plan(cells="rnn,gru", delays=(3, 2), steps=3, seed=0) -> SweepPlan:
    return SweepPlan(parse_cells(cells), delays, steps, seed, TINY)


def test_parse_delays_keeps_the_order_given():
    assert parse_delays(" 5, 10 ,20,40") == (5, 10, 20, 40)
    assert parse_delays("40,5") == (40, 5)


@pytest.mark.parametrize(
    "text",
    ["", " , ", "5,,10", "0", "-5", "1001", "5,5", "a", "1.5", "²", "１２", "9" * 50],
)
def test_parse_delays_refuses_in_one_sentence(text):
    with pytest.raises(ValueError) as caught:
        parse_delays(text)
    assert "\n" not in str(caught.value)


def test_parse_delays_refuses_too_many():
    with pytest.raises(ValueError, match=f"at most {MAX_DELAYS}"):
        parse_delays(",".join(str(d) for d in range(1, MAX_DELAYS + 2)))


def test_a_point_is_the_lesson_at_that_delay():
    config = sweep_config(Cell.GRU, 17, seed=5, settings={"model.hidden_size": 8})
    assert config.model.cell is Cell.GRU and config.model.hidden_size == 8
    assert config.task_params.delay == 17 and config.task_params.vary_delay
    assert config.seq_len == 19 and config.seed == 5
    assert config.task_params.symbols == 16  # the lesson's own


def test_settings_cannot_move_the_delay_or_the_cell():
    config = sweep_config(Cell.LSTM, 9, settings={"task.delay": "30", "model.cell": "gru"})
    assert config.task_params.delay == 9 and config.model.cell is Cell.LSTM


def test_a_bad_setting_is_refused_before_training():
    with pytest.raises(ConfigError):
        SweepPlan(parse_cells("rnn"), (5,), 1, 0, {"model.hidden_size": "0"}).check()


def test_points_go_from_short_delays_to_long_every_cell_at_each():
    plan = tiny_plan("rnn,lstm", delays=(20, 5, 10))
    assert plan.points() == [(0, 1), (1, 1), (0, 2), (1, 2), (0, 0), (1, 0)]


def test_a_sweep_yields_every_point_once_in_the_plans_order():
    plan = tiny_plan("rnn,lstm,gru", delays=(3, 2))
    points = list(run_sweep(plan, workers=0))
    assert [(p.cell_index, p.delay_index) for p in points] == plan.points()
    assert all(p.cell is plan.cells[p.cell_index] for p in points)
    assert all(p.delay == plan.delays[p.delay_index] for p in points)
    assert all(0.0 <= p.accuracy <= 1.0 and p.seconds > 0 for p in points)
    table = accuracy_table(plan, points)
    assert np.shape(table) == (3, 2) and not np.isnan(table).any()
    assert plan.chance == pytest.approx(1 / 16)


def test_the_same_seed_gives_the_same_sweep_in_workers_and_here():
    plan = tiny_plan(steps=5)
    here = {(p.cell, p.delay): p.accuracy for p in run_sweep(plan, workers=0)}
    again = {(p.cell, p.delay): p.accuracy for p in run_sweep(plan, workers=0)}
    workers = {(p.cell, p.delay): p.accuracy for p in run_sweep(plan, workers=2)}
    assert here == again == workers
    assert len(here) == 4
    assert not live_workers()


def test_another_seed_gives_another_sweep():
    scores = [
        [p.accuracy for p in run_sweep(tiny_plan(seed=seed, steps=5), workers=0)] for seed in (0, 1)
    ]
    assert scores[0] != scores[1]


def test_keep_going_false_stops_the_sweep_in_this_process():
    points = []
    for point in run_sweep(tiny_plan(), workers=0, keep_going=lambda: not points):
        points.append(point)
    assert len(points) == 1


def test_stopping_ends_the_workers():
    plan = tiny_plan("lstm", delays=(40,), steps=100_000)
    asked = []

    def keep_going() -> bool:
        asked.append(len(live_workers()))
        return len(asked) < 5  # a few polls with the worker training, then stop

    assert list(run_sweep(plan, workers=2, keep_going=keep_going)) == []
    assert asked[-1] == 1  # one point, one worker, and it was running
    assert not live_workers()


def test_closing_the_sweep_ends_the_workers():
    sweep = run_sweep(tiny_plan("rnn,gru", delays=(3, 2)), workers=2)
    next(sweep)
    assert live_workers()
    sweep.close()
    assert not live_workers()


def test_a_run_that_fails_in_a_worker_is_one_sentence():
    config = sweep_config(Cell.RNN_TANH, 2, settings=TINY)
    with pytest.raises(SweepWorkerError, match="a sweep run failed"):
        list(run_jobs([(config, "three")], workers=1))  # the worker cannot read the steps
    assert not live_workers()
