"""One time cursor and one layer·direction selector for every view; every view on one interface."""

from gui_helpers import start_run
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from rnnviz.gui.view import check_view
from rnnviz.gui.view_choice import ViewChoice
from rnnviz.training.config import TrainConfig

SMALL = {"model.hidden_size": "6", "batch_size": "4", "seq_len": "10"}


def start(window, qtbot, task="alphabet", **settings):
    return start_run(window, qtbot, TrainConfig(task=task).with_settings({**SMALL, **settings}))


def test_view_choice_keeps_the_cursor_and_layer_in_range():
    choice = ViewChoice()
    assert choice.move_cursor(lambda t, T: t + 1) is None  # nothing shown yet
    assert not choice.fit(["layer 1 →", "layer 1 ←"], steps=5)
    assert choice.move_cursor(lambda t, T: T + 10) == 4
    assert choice.move_cursor(lambda t, T: -3) == 0
    assert choice.step_layer(1) == 1
    assert choice.step_layer(1) == 0  # around the end
    choice.step_layer(-1)
    assert choice.fit(["layer 1 →"], steps=5) and choice.layer == 0  # fewer: back in range
    assert choice.step_layer(1) is None  # one entry: nothing to step through


def test_every_view_of_the_window_is_a_view(window):
    names = [view.name for view in window.views]
    for view in window.views:
        check_view(view)
    assert len(set(names)) == len(names)


def test_one_selector_chooses_the_layer_of_every_view(window, qtbot):
    start(window, qtbot, **{"model.num_layers": "2", "model.bidirectional": "true"})
    selector = window.layer_selector
    qtbot.waitUntil(selector.isVisible, timeout=5_000)
    assert [selector.box.itemText(k) for k in range(selector.box.count())] == (
        window.controller.latest.layout.labels
    )
    chosen = []
    for view in window.views:
        original = view.set_layer
        view.set_layer = lambda k, v=view, f=original: (chosen.append((v.name, k)), f(k))
    selector.box.setCurrentIndex(3)  # as the user does
    assert sorted(chosen) == sorted((view.name, 3) for view in window.views)
    assert window.choice.layer == 3
    chosen.clear()
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_L)  # next, around the end
    assert window.choice.layer == 0 and selector.box.currentIndex() == 0
    assert (window.hidden_panel.name, 0) in chosen


def test_the_selector_is_hidden_for_one_layer_read_one_way(window, qtbot):
    start(window, qtbot, **{"model.num_layers": "2"})
    qtbot.waitUntil(window.layer_selector.isVisible, timeout=5_000)
    window.set_layer(1)
    start(window, qtbot)  # one layer: the choice goes back to it, and the box away
    qtbot.waitUntil(lambda: not window.layer_selector.isVisible(), timeout=5_000)
    assert window.choice.layer == 0


def test_the_cursor_moves_every_view(window, qtbot):
    start(window, qtbot)
    seen = []
    for view in window.views:
        original = view.set_cursor
        view.set_cursor = lambda t, v=view, f=original: (seen.append((v.name, t)), f(t))
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_End)
    T = window.controller.latest.seq_len
    assert sorted(seen) == sorted((view.name, T - 1) for view in window.views)


def test_f1_says_what_the_shown_views_are(window, qtbot):
    start(window, qtbot)
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "about_box", None) is not None, timeout=5_000)
    text = window.about_box.text()
    for view in (window.tabs.currentWidget(), *window.panel_area.shown_panels()):
        assert view.about.split(".")[0][:40] in text.replace("&#x27;", "'")
    window.about_box.close()
