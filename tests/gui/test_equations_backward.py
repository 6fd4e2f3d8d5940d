"""During the diagram's BPTT pass the equations view shows the backward equations of the step
the gradient is passing (``EquationsView.set_pass``), with their numbers."""

import dataclasses

import pytest
from gui_helpers import settle, shown
from test_equations_view import snapshot_of

from rnnviz.gui.equations_view import EquationsView, gradient_number
from rnnviz.training.backward_equations import backward_equations


@pytest.fixture
def view(qtbot):
    return shown(qtbot, EquationsView, size=(640, 520))


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_the_backward_phase_shows_the_backward_equations_with_their_numbers(view, cell):
    snap = snapshot_of(cell, layers=2, bidirectional=True)
    view.show_snapshot(snap)
    view.set_layer(2)  # layer 2 →
    view.set_unit(4)
    view.set_pass("backward", 5)
    expected = backward_equations(snap, 2, 5, 4)
    assert view.equations == expected
    assert view.equations.value("∂L/∂h_t") == pytest.approx(snap.dh[2][5, 4], rel=1e-4)
    text = view.body.text()
    for line in expected.lines:
        assert gradient_number(line.value) in text
    assert "BPTT" in view.heading.text()
    assert "Backward" in view.formula  # the help's formula names them too


def test_a_backward_row_is_at_the_mirrored_step(view):
    snap = snapshot_of("lstm", bidirectional=True)
    T = snap.seq_len
    view.show_snapshot(snap)
    view.set_layer(1)  # layer 1 ←: the gradient meets its steps from the left
    view.set_pass("backward", T - 1)  # the pass's first step back
    assert view.equations.label == "layer 1 ←, t = 0, unit 0"
    assert "left" in view.heading.text()


def test_the_forward_phase_and_the_end_show_the_forward_equations(view):
    view.show_snapshot(snapshot_of("gru"))
    for phase in ("forward", "done", "idle"):
        view.set_pass(phase, 3)
        assert {"r_t", "z_t", "n_t", "h_t"} <= {line.name for line in view.equations.lines}
        assert "BPTT" not in view.heading.text()


def test_snapshots_that_arrive_during_the_pass_wait_for_its_end(view):
    first = snapshot_of("rnn_tanh")
    second = dataclasses.replace(first, iteration=first.iteration + 1)
    view.show_snapshot(first)
    view.set_pass("forward", 0)
    view.set_pass("backward", 4)
    view.show_snapshot(second)
    assert view.snapshot is first  # the numbers stay those of the pass the diagram plays
    assert view.equations == backward_equations(first, 0, 4, 0)
    view.set_pass("done", 0)
    assert view.snapshot is second


def test_a_snapshot_without_gradients_gets_a_message(view):
    snap = dataclasses.replace(snapshot_of("rnn_tanh"), dh=())
    view.show_snapshot(snap)
    view.set_pass("backward", 2)
    assert view.equations is None
    assert "no gradients" in view.body.text()


def test_an_lstm_s_backward_equations_fit_a_small_view(qtbot):
    view = shown(qtbot, EquationsView, size=(430, 560))
    view.show_snapshot(snapshot_of("lstm", layers=2, bidirectional=True))
    view.set_layer(3)
    view.set_pass("backward", 4)
    settle()
    assert view.body.heightForWidth(view.body.width()) <= view.body.height()  # nothing cut off


def test_a_vanishing_gradient_does_not_read_zero():
    assert gradient_number(0.5) == "0.500"
    assert gradient_number(-0.0123) == "(−0.0123)"
    assert gradient_number(3.21e-7) == "3.21·10<sup>−7</sup>"
    assert gradient_number(-4e-12) == "(−4.00·10<sup>−12</sup>)"
    assert gradient_number(0.0) == "0.000"
