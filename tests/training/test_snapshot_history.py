"""The snapshot history behind the window's scrubber: decimated, bounded, one run at a time."""

import dataclasses

import numpy as np
import pytest

from rnnviz.training.config import TrainConfig
from rnnviz.training.snapshot_history import SnapshotHistory, snapshot_nbytes
from rnnviz.training.trainer import Trainer


@pytest.fixture(scope="module")
def snapshot():
    config = TrainConfig().with_settings({"model.hidden_size": "8", "batch_size": "4"})
    return list(Trainer(config, run_id=3).run(steps=2))[-1]


def at(snapshot, iteration, run_id=3):
    return dataclasses.replace(snapshot, iteration=iteration, run_id=run_id)


def test_nbytes_counts_every_array_of_the_snapshot(snapshot):
    arrays = [snapshot.example_x, snapshot.dh_norms, snapshot.loss_history]
    arrays += list(snapshot.hidden) + list(snapshot.weights.values())
    arrays += [a for gates in snapshot.gates for a in gates.values()]
    assert snapshot_nbytes(snapshot) >= sum(a.nbytes for a in arrays)
    bigger = dataclasses.replace(snapshot, example_x=np.zeros((1000, 100), np.float32))
    assert snapshot_nbytes(bigger) - snapshot_nbytes(snapshot) == (
        400_000 - snapshot.example_x.nbytes
    )
    with pytest.raises(TypeError, match="not a snapshot"):
        snapshot_nbytes(object())


def test_keeps_every_snapshot_until_full_then_spans_the_run_within_its_bound(snapshot):
    history = SnapshotHistory(most=10)
    for i in range(1, 6):
        assert history.offer(at(snapshot, i))
    assert history.iterations() == [1, 2, 3, 4, 5]
    for i in range(6, 1001):
        history.offer(at(snapshot, i))
        assert len(history) <= 10
    kept = history.iterations()
    # the first always, and one within a stride of the newest (the scrubber's live end is it)
    assert kept[0] == 1 and 1000 - kept[-1] < history.stride
    assert kept == sorted(set(kept))
    # spread over the whole run, not bunched at its end
    assert max(np.diff(kept)) <= 4 * min(np.diff(kept)) + history.stride
    assert history.stride > 1


def test_the_byte_budget_bounds_memory_for_a_thousand_snapshots(snapshot):
    size = snapshot_nbytes(snapshot)
    history = SnapshotHistory(budget=20 * size, most=400)
    for i in range(1000):
        history.offer(at(snapshot, i))
        assert history.nbytes <= 20 * size
    assert 10 <= len(history) <= 20
    assert history.nbytes == sum(snapshot_nbytes(history[k]) for k in range(len(history)))
    assert 999 - history.iterations()[-1] < history.stride


def test_a_snapshot_over_the_budget_alone_is_still_the_newest(snapshot):
    history = SnapshotHistory(budget=1)
    history.offer(at(snapshot, 1))
    history.offer(at(snapshot, 2))
    assert history.iterations() == [2]


def test_a_new_run_or_a_rewind_starts_again_and_clear_forgets(snapshot):
    history = SnapshotHistory()
    for i in (1, 2, 3):
        history.offer(at(snapshot, i))
    history.offer(at(snapshot, 1))  # rewound
    assert history.iterations() == [1]
    history.offer(at(snapshot, 2))
    history.offer(at(snapshot, 5, run_id=4))
    assert history.iterations() == [5] and history.run_id == 4
    history.clear()
    assert len(history) == 0 and history.nbytes == 0 and history.stride == 1


def test_the_same_iteration_again_replaces_the_older_picture(snapshot):
    history = SnapshotHistory()
    first, again = at(snapshot, 4), at(snapshot, 4)
    history.offer(first)
    assert history.offer(again)
    assert len(history) == 1 and history[0] is again


def test_index_at_or_before(snapshot):
    history = SnapshotHistory()
    for i in (2, 4, 8):
        history.offer(at(snapshot, i))
    assert [history.index_at_or_before(i) for i in (1, 2, 3, 4, 7, 8, 100)] == [0, 0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("kwargs", [{"most": 1}, {"budget": -1}])
def test_bad_bounds_are_refused(kwargs):
    with pytest.raises(ValueError):
        SnapshotHistory(**kwargs)
