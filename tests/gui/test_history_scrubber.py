"""The training-history scrubber (issue 13): drag back through the iterations, every view shows
that moment, training goes on, and Live (or the slider's right end) returns to the newest."""

import pytest
from gui_helpers import settle, start_run

from rnnviz.training.config import TrainConfig

SMALL = {"model.hidden_size": "8", "batch_size": "4", "seq_len": "12"}


def step(window, qtbot):
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000) as blocker:
        window.controller.step()
    return blocker.args[0]


@pytest.fixture
def trained(window, qtbot):
    """The moving-ball task, five updates made one by one: six snapshots (0 to 5)."""
    start_run(window, qtbot, TrainConfig(task="ball").with_settings(SMALL))
    for _ in range(5):
        step(window, qtbot)
    settle()
    window.draw_now()
    return window


def drawn_iterations(window):
    return {view.name: view.snapshot.iteration for view in window.panels if view.isVisible()}


def test_dragging_back_shows_that_iteration_in_every_view(trained):
    window, scrubber = trained, trained.scrubber
    assert scrubber.isVisible() and not scrubber.scrubbing
    assert scrubber.history.iterations() == [0, 1, 2, 3, 4, 5]
    assert scrubber.slider.maximum() == 6 and scrubber.slider.value() == 6  # live at the end
    assert scrubber.live_button.isChecked()
    scrubber.show_index(2)
    window.draw_now()
    assert scrubber.scrubbing and not scrubber.live_button.isChecked()
    assert set(drawn_iterations(window).values()) == {2}
    assert window.ball_view.snapshot.iteration == 2  # the demo too
    assert scrubber.label.text() == "iteration 2 of 5"


def test_training_goes_on_while_looking_back_then_live_shows_the_newest(trained, qtbot):
    window, scrubber = trained, trained.scrubber
    scrubber.show_index(1)
    window.draw_now()
    newest = step(window, qtbot)
    window.draw_now()
    assert newest.iteration == 6
    assert window.status_labels["iteration"].text() == "iteration 6"  # the status bar is live
    assert set(drawn_iterations(window).values()) == {1}  # the views stay where dragged
    assert scrubber.label.text() == "iteration 1 of 6" and scrubber.slider.value() == 1
    scrubber.live_button.click()
    window.draw_now()
    assert not scrubber.scrubbing and scrubber.live_button.isChecked()
    assert set(drawn_iterations(window).values()) == {6}
    step(window, qtbot)
    window.draw_now()
    assert set(drawn_iterations(window).values()) == {7}  # live again: each new one drawn


def test_the_slider_s_right_end_is_live(trained, qtbot):
    window, scrubber = trained, trained.scrubber
    scrubber.show_index(0)
    window.draw_now()
    assert set(drawn_iterations(window).values()) == {0}
    scrubber.slider.setValue(scrubber.slider.maximum())
    window.draw_now()
    assert not scrubber.scrubbing and set(drawn_iterations(window).values()) == {5}
    scrubber.live_button.click()  # pressing Live while live leaves it live
    assert scrubber.live_button.isChecked() and not scrubber.scrubbing


def test_a_new_run_clears_the_history_and_returns_to_live(trained, qtbot):
    window, scrubber = trained, trained.scrubber
    scrubber.show_index(3)
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.reset()
    qtbot.waitUntil(lambda: window.controller.latest.iteration == 0, timeout=10_000)
    window.draw_now()
    assert not scrubber.scrubbing
    assert scrubber.history.iterations() == [0]
    assert set(drawn_iterations(window).values()) == {0}
    assert window.hidden_panel.snapshot.run_id == window.controller.latest.run_id
