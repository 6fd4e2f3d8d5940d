"""The BPTT animation's model (rnnviz.gui.diagram.bptt), without Qt."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.gui.diagram.bptt import (
    BACKWARD,
    DONE,
    FORWARD,
    IDLE,
    BpttPass,
    GradientScale,
)


def test_a_pass_goes_forward_left_to_right_then_back_right_to_left():
    T = 5
    run = BpttPass(T)
    assert run.phase == IDLE and run.forward_lit(0) == 0.0
    seen = []
    run.start()
    assert (run.phase, run.step, run.progress) == (FORWARD, 0, 0.0)
    while not run.finished:
        run.step_once()  # to the end of the next step
        seen.append((run.phase, run.step, run.progress))
    # each step forward, each step back (the gradient reaching t = 0 ends the pass)
    forward = [(FORWARD, t, 1.0) for t in range(T)]
    backward = [(BACKWARD, t, 1.0) for t in reversed(range(1, T))]
    assert seen == forward + backward + [(DONE, 0, 1.0)]
    assert run.phase == DONE and run.position == run.end == 2 * T
    run.step_once()  # nothing beyond the end
    assert run.position == 2 * T


def test_the_forward_pass_lights_input_state_output_and_loss_in_turn():
    run = BpttPass(4)
    run.advance(1.1)  # step 0 done, step 1 just begun
    assert run.forward_lit(0) == 1.0 and run.forward_lit(1) == pytest.approx(0.1)
    assert run.forward_lit(2) == 0.0
    assert run.part_lit(1, "input") and not run.part_lit(1, "state")
    run.advance(0.5)
    assert run.part_lit(1, "state") and run.part_lit(1, "output") and not run.part_lit(1, "loss")
    assert "t = 1" in run.describe() and "y_1" in run.describe()
    # the gradient has not reached anything yet
    assert all(run.gradient_reached(t) == 0.0 for t in range(4))


def test_the_gradient_reaches_the_last_step_first_and_the_first_step_last():
    T = 4
    run = BpttPass(T)
    run.advance(T + 1.5)  # the backward pass: step 3 reached, step 2 half-way
    assert run.phase == BACKWARD and run.step == 2
    assert run.gradient_reached(3) == 1.0 and run.gradient_reached(2) == pytest.approx(0.5)
    assert run.gradient_reached(1) == 0.0 and run.gradient_reached(0) == 0.0
    assert all(run.forward_lit(t) == 1.0 for t in range(T))  # the forward pass stays lit
    # a backward-direction row met its steps the other way round
    assert run.gradient_reached(0, reverse=True) == 1.0
    assert run.gradient_reached(3, reverse=True) == 0.0
    run.advance(100)
    assert run.finished and all(run.gradient_reached(t) == 1.0 for t in range(T))
    run.stop()
    assert run.phase == IDLE and run.gradient_reached(3) == 0.0


def test_positions_give_frames_per_step_each_way():
    run = BpttPass(6)
    positions = run.positions(3)
    assert len(positions) == 2 * 6 * 3
    assert positions[-1] == run.end and positions == sorted(positions)
    phases = []
    for p in positions:
        run.position, run.started = p, True
        phases.append((run.phase, run.step))
    # every step is shown on the way forward and on the way back
    assert {t for ph, t in phases if ph == FORWARD} == set(range(6))
    assert {t for ph, t in phases if ph == BACKWARD} == set(range(6))
    with pytest.raises(ValueError):
        run.positions(0)
    with pytest.raises(ValueError):
        BpttPass(0)


def test_the_gradient_scale_is_logarithmic_over_the_norms_decades():
    norms = np.array([[2e-9, 3e-5, 0.0, 0.4, np.nan]])
    scale = GradientScale.of(norms)
    assert (scale.low, scale.high) == (-9.0, 0.0)
    assert scale.level(1.0) == 1.0 and scale.level(1e-9) == 0.0
    assert scale.level(1e-6) == pytest.approx(1 / 3)  # three decades of nine above the lowest
    assert scale.level(0.0) is None and scale.level(float("nan")) is None
    # a vanishing gradient further than MAX_DECADES down is drawn at the lowest level
    tiny = GradientScale.of(np.array([1e-20, 1.0]))
    assert tiny.high - tiny.low == 12.0 and tiny.level(1e-20) == 0.0
    # a kept gradient (within a decade or two) sits near the top of at least six decades
    kept = GradientScale.of(np.array([0.2, 0.5, 3.0]))
    assert (kept.low, kept.high) == (-5.0, 1.0) and kept.level(0.2) > 0.7
    assert GradientScale.of(np.zeros(3)) == GradientScale(-6.0, 0.0)
