"""A snapshot describes itself: its task's facts and its layers' layout, across the wire too."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnnviz.core import CELLS
from rnnviz.tasks.facts import RecallFacts, TaskFacts
from rnnviz.training.config import TrainConfig
from rnnviz.training.protocol import SnapshotMade
from rnnviz.training.snapshot import Layout, Snapshot
from rnnviz.training.trainer import Trainer
from rnnviz.training.wire import decode, encode

SMALL = {"model.hidden_size": 6, "batch_size": 4, "seq_len": 12}


def snapshot_of(task: str, **settings) -> Snapshot:
    trainer = Trainer(TrainConfig(task=task).with_settings({**SMALL, **settings}))
    trainer.step()
    return trainer.snapshot()


@pytest.mark.parametrize("task", ["ball", "text", "alphabet", "recall"])
def test_every_baseline_names_a_figure_the_run_reports(task):
    snap = snapshot_of(task)
    assert isinstance(snap.task, TaskFacts) and snap.task.name == task
    assert snap.task.baselines, "every lesson's task has a reference line"
    for baseline in snap.task.baselines:
        assert baseline.metric == "loss" or baseline.metric in snap.metrics, baseline
        assert baseline.help, f"{baseline.name} needs a tooltip"
    assert snap.baselines == {b.name: b.value for b in snap.task.baselines}


def test_the_symbols_are_the_classes_in_index_order():
    text = snapshot_of("text")
    assert len(text.task.symbols) == text.example_x.shape[1]  # one-hot over the vocabulary
    assert list(text.task.symbols) == sorted(text.task.symbols)
    recall = snapshot_of("recall", **{"task.delay": 8})
    assert isinstance(recall.task, RecallFacts) and recall.task.delay == 8
    shown = [recall.task.symbols[i] for i in np.asarray(recall.example_x).argmax(axis=1)]
    assert shown[0] in recall.task.symbols[: recall.task.num_symbols] and shown[-1] == "?"
    assert recall.task.label("accuracy_long") == "accuracy, gaps > 4 steps"
    assert snapshot_of("ball").task.symbols == ()


@pytest.mark.parametrize(
    ("cell", "layers", "bidirectional"),
    [("lstm", 2, True), ("gru", 1, True), ("rnn_relu", 3, False)],
)
def test_the_layout_says_what_each_per_layer_entry_is(cell, layers, bidirectional):
    snap = snapshot_of(
        "alphabet",
        **{
            "model.cell": cell,
            "model.num_layers": layers,
            "model.bidirectional": bidirectional,
            "model.hidden_size": 5,
        },
    )
    layout = snap.layout
    D = 2 if bidirectional else 1
    assert (layout.cell, layout.layers, layout.directions, layout.hidden_size) == (
        cell,
        layers,
        D,
        5,
    )
    assert layout.count == len(snap.hidden) == len(snap.gates) == snap.dh_norms.shape[0]
    assert layout.labels[:D] == (["layer 1 →", "layer 1 ←"] if D == 2 else ["layer 1 →"])
    assert len(set(layout.labels)) == layout.count
    assert layout.gates == CELLS[cell].gate_names == tuple(snap.gates[0])
    low, high = layout.value_range("h")
    assert all(low <= h.min() and h.max() <= high for h in snap.hidden)
    for gate in layout.gates:
        low, high = layout.value_range(gate)
        assert all(low <= g[gate].min() and g[gate].max() <= high for g in snap.gates)
    with pytest.raises(KeyError):
        layout.value_range("no such gate")


def test_a_snapshot_crosses_the_wire_with_its_facts():
    snap = snapshot_of("recall")
    back = decode(encode(SnapshotMade(snap))).snapshot
    assert back.task == snap.task and back.layout == snap.layout
    assert isinstance(back.layout, Layout)


def test_a_snapshot_holds_nothing_no_view_shows():
    names = {f.name for f in dataclasses.fields(Snapshot)}
    assert not names & {"param_grad_norms", "grad_norm", "spectral_radius", "extra"}
