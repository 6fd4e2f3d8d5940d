"""The equations view shows the cell's equations with the numbers of the cursor's step."""

import dataclasses

import pytest
from gui_helpers import shown

from rnnviz.gui.equations_view import EquationsView, line_html
from rnnviz.gui.view import check_view
from rnnviz.training.config import TrainConfig
from rnnviz.training.equations import Line, Term
from rnnviz.training.trainer import Trainer


def snapshot_of(cell: str, layers: int = 1, bidirectional: bool = False):
    config = TrainConfig(task="alphabet").with_settings(
        {
            "model.cell": cell,
            "model.num_layers": layers,
            "model.bidirectional": bidirectional,
            "model.hidden_size": 6,
            "batch_size": 4,
        }
    )
    trainer = Trainer(config)
    trainer.step()
    return trainer.snapshot()


@pytest.fixture
def view(qtbot):
    return shown(qtbot, EquationsView, size=(640, 420))


def test_it_is_a_view(view):
    check_view(view)


@pytest.mark.parametrize("cell", ["rnn_tanh", "lstm", "gru"])
def test_it_shows_every_equation_with_its_value(view, cell):
    snap = snapshot_of(cell, layers=2, bidirectional=True)
    view.show_snapshot(snap)
    view.set_cursor(4)
    view.set_layer(3)
    view.set_unit(2)
    eq = view.equations
    assert eq.label == "layer 2 ←, t = 4, unit 2"
    text = view.body.text()
    for line in eq.lines:
        assert f"{abs(line.value):.3f}" in text
    assert f"{abs(snap.hidden[3][4, 2]):.3f}" in text  # h_t is the snapshot's own
    assert "layer 2 ←" in view.heading.text()


def test_a_smaller_run_keeps_the_view_in_range(view):
    view.set_cursor(40)
    view.set_layer(3)
    view.set_unit(30)
    snap = snapshot_of("lstm")  # one layer read one way, T = 25, H = 6
    view.show_snapshot(snap)
    assert view.equations.label == f"layer 1 →, t = {snap.seq_len - 1}, unit 5"


def test_a_snapshot_without_weights_says_so(view):
    view.show_snapshot(dataclasses.replace(snapshot_of("gru"), weights={}))
    assert view.equations is None and "no weights" in view.body.text()


def test_a_term_used_twice_gets_its_value_twice():
    line = Line(
        "h_t",
        "(1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
        (Term("z_t", 0.25), Term("n_t", -0.5), Term("h_{t−1}", 0.125)),
        0.0,
    )
    html = line_html(line)
    assert html.count("0.250") == 2 and "(−0.500)" in html and "0.125" in html
    assert "z<sub>t</sub>" in html  # the symbols row keeps its subscripts
