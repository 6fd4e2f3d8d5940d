"""The window as a user meets it: tabs, views, toolbar, controls, cursor, files, closing."""

import time

import numpy as np
import pytest
from PySide6.QtGui import QColor

from rnnviz.gui.main_window import DEMO_TABS, MainWindow
from rnnviz.training.config import TrainConfig
from rnnviz.training.presets import load_preset

SMALL = {"model.hidden_size": "8", "batch_size": "4"}


def distinct_colours(widget, step: int = 7) -> int:
    image = widget.grab().toImage()
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(QColor(image.pixel(x, y)).rgb())
    return len(seen)


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1800, 1000)  # the default: room for the views in a grid
    win.show()
    yield win
    win.close()


def start_small(window, qtbot, task: str, extra=None):
    config = TrainConfig(task=task).with_settings({**SMALL, **(extra or {})})
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.controller.start(config)
    return config


def step_once(window, qtbot):
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000) as blocker:
        window.controller.step()
    return blocker.args[0]


@pytest.mark.parametrize("index", range(len(DEMO_TABS)))
def test_every_demo_tab_and_view_renders_after_a_few_updates(window, qtbot, index):
    _, task, _ = DEMO_TABS[index]
    start_small(window, qtbot, task, {"seq_len": "12"} if task != "recall" else {"task.delay": "6"})
    for _ in range(3):
        snapshot = step_once(window, qtbot)
    assert snapshot.iteration == 3
    assert window.tabs.currentIndex() == index  # the tab follows the task
    for view in (window.tabs.currentWidget(), *window.panels):
        assert distinct_colours(view) > 8, f"{type(view).__name__} looks blank"
    assert "iteration 3" in window.status_labels["iteration"].text()


def test_step_is_exactly_one_update_and_one_redraw(window, qtbot):
    start_small(window, qtbot, "alphabet")
    assert window.controller.latest.iteration == 0
    assert window.status_labels["loss"].text() == "loss –"  # no loss before the first update
    drawn = []
    window.controller.snapshot_ready.connect(lambda s: drawn.append(s.iteration))
    before = window.controller.latest.iteration
    step_once(window, qtbot)
    with qtbot.assertNotEmitted(window.controller.snapshot_ready, wait=200):
        pass  # one step: no second snapshot may follow
    assert drawn == [before + 1]


def test_play_and_pause(window, qtbot):
    start_small(window, qtbot, "alphabet")
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.controller.latest.iteration >= 20, timeout=10_000)
    assert window.play_action.text() == "Pause"
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "paused", timeout=5_000)
    paused_at = window.controller.latest.iteration
    step_once(window, qtbot)
    assert window.controller.latest.iteration == paused_at + 1


def test_learning_rate_from_the_controls_applies_live(window, qtbot):
    start_small(window, qtbot, "alphabet")
    step_once(window, qtbot)
    first = window.controller.latest
    with qtbot.waitSignal(window.controller.config_changed, timeout=5_000):
        window.controls.lr.setValue(0.0025)
    assert window.controller.config.optim.lr == pytest.approx(0.0025)
    window.controller.step()
    # a live change while paused shows a fresh snapshot of the same iteration first
    qtbot.waitUntil(lambda: window.controller.latest.iteration != first.iteration, timeout=5_000)
    assert window.controller.latest.iteration == first.iteration + 1  # no reset


def test_a_shape_change_says_it_resets(window, qtbot):
    start_small(window, qtbot, "alphabet")
    step_once(window, qtbot)
    with qtbot.waitSignal(window.controller.run_reset, timeout=5_000) as blocker:
        window.controls.hidden.setValue(12)
    assert "hidden_size" in blocker.args[0]
    window.controller.step()
    qtbot.waitUntil(
        lambda: (
            window.controller.latest.iteration == 1
            and window.controller.latest.hidden[0].shape[1] == 12
        ),
        timeout=5_000,
    )


def test_the_time_cursor_moves_every_view(window, qtbot):
    start_small(window, qtbot, "ball", {"seq_len": "12"})
    step_once(window, qtbot)
    window.hidden_panel.cursor_moved.emit(5)
    for panel in (window.hidden_panel, window.gate_panel, window.gradient_panel):
        assert panel.cursor() == 5


def test_cursor_keys_move_the_time_cursor_wherever_the_focus_is(window, qtbot):
    # ← and Shift+←/→, Home and End (→ alone is one update: tests/gui/test_first_minute.py)
    from PySide6.QtCore import Qt

    start_small(window, qtbot, "ball", {"seq_len": "12"})
    step_once(window, qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    window.tabs.setFocus()  # the demo tabs, not a view: no view gets the key itself
    qtbot.keyClick(window.tabs, Qt.Key.Key_End)
    assert [p.cursor() for p in window.panels] == [11] * 4
    qtbot.keyClick(window.tabs, Qt.Key.Key_Left)
    qtbot.keyClick(window.tabs, Qt.Key.Key_Left)
    assert [p.cursor() for p in window.panels] == [9] * 4
    qtbot.keyClick(window.tabs, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.gradient_panel.cursor() == 10
    qtbot.keyClick(window.tabs, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert window.gradient_panel.cursor() == 9
    qtbot.keyClick(window.tabs, Qt.Key.Key_Home)
    qtbot.keyClick(window.tabs, Qt.Key.Key_Left)  # not before the first step
    assert window.hidden_panel.cursor() == 0


def test_a_bad_session_file_is_a_dialog_and_training_is_untouched(window, qtbot, tmp_path):
    start_small(window, qtbot, "alphabet")
    step_once(window, qtbot)
    before = window.controller.latest
    bad = tmp_path / "broken.rnnviz"
    bad.write_bytes(b"not a session")
    with qtbot.waitSignal(window.controller.failed, timeout=5_000):
        window.controller.open(str(bad))
    assert "broken.rnnviz" in window.last_error
    assert window.error_box.isVisible()
    after = step_once(window, qtbot)
    assert after.iteration == before.iteration + 1
    assert np.array_equal(after.config.model.hidden_size, before.config.model.hidden_size)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["thread", "process"])
def test_open_and_close_the_window_20_times_while_training(qtbot, qtlog, backend):
    from PySide6.QtCore import QtMsgType

    from rnnviz.gui.controller import Controller

    for _ in range(20):
        win = MainWindow(Controller(backend=backend))
        qtbot.addWidget(win)
        win.show()
        config = TrainConfig(task="alphabet").with_settings(SMALL)
        with qtbot.waitSignal(win.controller.snapshot_ready, timeout=10_000):
            win.controller.start(config, play=True)
        win.close()
        assert not win.controller.running
    warnings = [
        r.message
        for r in qtlog.records
        if r.type != QtMsgType.QtDebugMsg
        and "propagateSizeHints" not in r.message  # the offscreen platform's own notice
    ]
    assert warnings == []


def test_reset_50_times_mid_run(window, qtbot):
    start_small(window, qtbot, "alphabet")
    window.controller.play()
    for _ in range(50):
        window.reset_action.trigger()
    qtbot.waitUntil(
        lambda: (
            window.controller.latest is not None
            and window.controller.latest.run_id == window.controller.run_id
        ),
        timeout=10_000,
    )
    assert window.controller.state in ("training", "paused")


def _patched_views(window, qtbot, monkeypatch):
    """A paused alphabet run in the grid, its loss and hidden views patched to record the
    iterations they draw, and a burst of ten newer snapshots: (drawn, fast, burst)."""
    import dataclasses

    window.resize(2560, 1400)  # the grid, every view in sight (an LSTM's gates need room)
    start_small(window, qtbot, "alphabet")
    base = step_once(window, qtbot)
    window.controller.pause()
    qtbot.waitUntil(lambda: not window.panel_area.tabbed, timeout=2_000)
    qtbot.waitUntil(lambda: not window.drawing, timeout=2_000)
    drawn = []
    monkeypatch.setattr(window.loss_panel, "show_snapshot", lambda s: drawn.append(s.iteration))
    fast = []
    monkeypatch.setattr(window.hidden_panel, "show_snapshot", lambda s: fast.append(s.iteration))
    burst = [dataclasses.replace(base, iteration=base.iteration + k) for k in range(1, 11)]
    return drawn, fast, burst


def test_slow_views_redraw_at_their_own_rate_but_end_on_the_newest(window, qtbot, monkeypatch):
    from rnnviz.gui.redraw import SLOW_VIEW_INTERVAL

    drawn, fast, burst = _patched_views(window, qtbot, monkeypatch)
    began = time.perf_counter()
    for snapshot in burst:  # one at a time, as the training thread sends them
        window.show_snapshot(snapshot)
        qtbot.waitUntil(lambda s=snapshot: bool(fast) and fast[-1] == s.iteration, timeout=2_000)
    elapsed = time.perf_counter() - began
    assert fast == [s.iteration for s in burst]  # the heat maps draw every snapshot
    # the loss curves at most once per interval during the burst …
    assert len(drawn) <= 1 + elapsed / SLOW_VIEW_INTERVAL["loss"]
    assert len(drawn) < len(burst)
    qtbot.waitUntil(lambda: bool(drawn) and drawn[-1] == burst[-1].iteration, timeout=2_000)
    # … and then the newest one, once its time has come


def test_views_draw_one_at_a_time_and_only_the_newest(window, qtbot, monkeypatch):
    drawn, fast, burst = _patched_views(window, qtbot, monkeypatch)
    for snapshot in burst:  # all at once, before the event loop runs again
        window.show_snapshot(snapshot)
    assert fast == [] and window.drawing  # nothing drawn inside show_snapshot itself
    qtbot.waitUntil(lambda: not window.drawing, timeout=2_000)
    assert fast == [burst[-1].iteration]  # the newest, once: latest wins
    assert drawn == [burst[-1].iteration]
    assert window.run_shown


def test_a_projector_sized_window_shows_the_views_in_tabs_each_drawn_when_shown(window, qtbot):
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.panel_area.tabbed, timeout=2_000)
    start_small(window, qtbot, "ball")
    step_once(window, qtbot)
    qtbot.waitUntil(lambda: not window.drawing, timeout=2_000)
    shown = [p for p in window.panels if p.isVisible()]
    assert len(shown) == 1 and distinct_colours(shown[0]) > 8
    for panel in window.panels:
        window.panel_area.bring_into_view(panel)
        qtbot.waitUntil(lambda p=panel: p.isVisible() and distinct_colours(p) > 8, timeout=2_000)
    window.resize(2560, 1400)  # room again: back to the grid, every view in sight
    qtbot.waitUntil(lambda: not window.panel_area.tabbed, timeout=2_000)
    assert all(p.isVisible() for p in window.panels)


def test_hiding_the_settings_gives_the_views_the_room(window, qtbot):
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: window.splitter.sizes()[0] > 0, timeout=2_000)
    before = window.splitter.sizes()
    assert before[0] >= window.controls.sizeHint().width()  # no sideways scrolling
    window.sidebar_action.trigger()
    qtbot.waitUntil(lambda: not window.sidebar.isVisible(), timeout=2_000)
    after = window.splitter.sizes()
    assert after[1] > before[1] and after[2] > before[2]
    window.sidebar_action.trigger()
    qtbot.waitUntil(lambda: window.sidebar.isVisible(), timeout=2_000)


def test_a_lesson_names_itself_and_its_comparisons_are_one_click_away(window, qtbot):
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start("vanishing_gradient")
    assert "Vanishing gradient" in window.windowTitle()
    bar = window.lesson_bar
    assert bar.isVisible() and "vanilla RNN" in bar.explanation.text()
    assert [b.text() for b in bar.buttons] == ["LSTM (the lesson)", "vanilla RNN", "GRU"]
    assert bar.buttons[0].isChecked()
    lstm_run = window.controller.run_id
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        bar.buttons[1].click()
    assert window.controller.config.model.cell.value == "rnn_tanh"
    assert window.controller.run_id != lstm_run and window.controller.latest.iteration == 0
    assert (
        window.controller.config.task_params == load_preset("vanishing_gradient").config.task_params
    )
    assert bar.buttons[1].isChecked() and not bar.buttons[0].isChecked()
    assert len(bar.buttons) == 3  # the same lesson: the buttons are not added again
    window.lesson_bar_action.trigger()  # F10: more room for the views
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=2_000)
    window.lesson_bar_action.trigger()
    qtbot.waitUntil(bar.isVisible, timeout=2_000)


def test_a_lesson_brings_the_view_it_is_about_to_the_front(window, qtbot):
    # on a projector the views are in tabs, and the lesson's Gates tab is the one in front
    window.resize(1280, 720)
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start("lstm_gates")
    qtbot.waitUntil(
        lambda: window.panel_area.tabbed and window.gate_panel.isVisible(), timeout=5_000
    )
    assert not window.hidden_panel.isVisible()
    window.resize(1280, 720)
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start("vanishing_gradient")
    qtbot.waitUntil(window.gradient_panel.isVisible, timeout=2_000)
    assert not window.gate_panel.isVisible()
    window.panel_area.bring_into_view(window.loss_panel)  # the user's choice is kept
    window.resize(2560, 1400)
    qtbot.waitUntil(lambda: not window.panel_area.tabbed, timeout=2_000)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.panel_area.tabbed, timeout=2_000)
    assert window.loss_panel.isVisible() and not window.gradient_panel.isVisible()


def test_your_own_text_file_is_no_longer_the_lesson(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start("text_messaging")
    assert window.lesson is not None and window.lesson_bar.isVisible()
    assert not window.lesson_bar.buttons  # nothing to compare: no buttons
    text = tmp_path / "notes.txt"
    text.write_text("the quick brown fox jumps over the lazy dog. " * 40, encoding="utf-8")
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.use_text_file(str(text))
    assert window.lesson is None and not window.lesson_bar.isVisible()
    assert window.windowTitle() == "rnnviz: watch a recurrent network learn"


@pytest.mark.parametrize("lesson", ["vanishing_gradient", "deep_bidirectional"])
def test_crowded_views_go_to_tabs_rather_than_squash_their_plots(window, qtbot, lesson):
    # LSTM: five gate maps; deep bidirectional: four hidden-state maps, three metric plots.
    # Wide enough for the grid, not high enough for those maps in a quarter of it.
    window.resize(2560, 1000)
    window.focus_action.setChecked(False)  # all four views, not the lesson's focus
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start(lesson)
    qtbot.waitUntil(lambda: not window.drawing, timeout=5_000)
    for panel in window.panels:
        window.panel_area.bring_into_view(panel)
        qtbot.waitUntil(panel.isVisible, timeout=2_000)
        qtbot.waitUntil(lambda p=panel: not p.is_showing_message(), timeout=2_000)
        plots = [p for p in panel.view.ci.items if hasattr(p, "vb") and p.isVisible()]
        assert plots
        for plot in plots:
            assert plot.vb.height() >= 64, f"{type(panel).__name__}: a plot squashed"


def test_a_tab_click_asks_before_it_replaces_a_trained_model(window, qtbot):
    start_small(window, qtbot, "alphabet")
    assert window.tabs.currentWidget() is window.alphabet_view
    step_once(window, qtbot)
    run = window.controller.run_id
    window.tabs.setCurrentWidget(window.text_view)  # the user clicks the Text tab
    box = window.question
    assert box is not None and box.isVisible()
    assert box.text() == "Discard the run trained for 1 updates?"
    assert window.controller.run_id == run  # nothing replaced while it asks
    window.answer_question("Cancel")
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.alphabet_view, timeout=2_000)
    assert window.controller.run_id == run and window.controller.config.task.value == "alphabet"
    window.tabs.setCurrentWidget(window.text_view)
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.answer_question("Discard")
    assert window.controller.config.task.value == "text" and window.lesson.name == "text_messaging"
    assert window.tabs.currentWidget() is window.text_view
    # a run that has not trained yet is replaced without asking
    window.tabs.setCurrentWidget(window.alphabet_view)
    qtbot.waitUntil(lambda: window.controller.config.task.value == "alphabet", timeout=10_000)
    assert window.question is None


def test_the_speed_menu_sets_the_pause_between_updates(window, qtbot):
    start_small(window, qtbot, "alphabet")
    assert window.speed.currentText() == "Full speed" and window.controller.slow_motion is None
    window.speed.setCurrentIndex(1)
    assert window.controller.slow_motion == pytest.approx(0.05)  # steady: 20 updates/s
    window.play_action.trigger()
    qtbot.waitUntil(lambda: window.controller.latest.iteration >= 3, timeout=5_000)
    window.speed.setCurrentIndex(2)
    assert window.controller.slow_motion == pytest.approx(0.4)
    window.speed.setCurrentIndex(0)
    assert window.controller.slow_motion is None
    window.controller.pause()


def test_the_task_box_shows_only_the_task_s_own_settings(window, qtbot):
    controls = window.controls
    start_small(window, qtbot, "alphabet")  # nothing of its own to set
    assert controls.task_box.isHidden()
    start_small(window, qtbot, "recall")
    assert not controls.task_box.isHidden()
    assert controls.task_form.isRowVisible(controls.delay)
    assert not controls.task_form.isRowVisible(controls.temperature)
    start_small(window, qtbot, "text")
    assert controls.task_form.isRowVisible(controls.temperature)
    assert not controls.task_form.isRowVisible(controls.delay)
