"""Focused lessons (issue 13): a lesson shows the views it is about, in its layout, and hides
the settings it does not use; View → Focused lessons off shows everything again."""

import json

import pytest
from gui_helpers import settle

from rnnviz.gui.panel_area import GRID_TITLE
from rnnviz.training import presets as presets_module
from rnnviz.training.presets import load_preset


def tab_titles(window) -> list[str]:
    tabs = window.panel_area._tabs
    return [tabs.tabText(k) for k in range(tabs.count())]


def start_lesson(window, qtbot, preset: str) -> None:
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.start(preset, play=False)
    settle()


def setting_shown(window, name: str) -> bool:
    box = window.controls.widgets[name]
    return box.isVisibleTo(window.controls)


def test_the_vanishing_gradient_lesson_shows_its_two_views_side_by_side(window, qtbot):
    lesson = load_preset("vanishing_gradient")
    assert lesson.views == ("gradient", "loss")
    start_lesson(window, qtbot, "vanishing_gradient")
    area = window.panel_area
    qtbot.waitUntil(lambda: area.shown_panels() == [window.gradient_panel, window.loss_panel])
    assert tab_titles(window) == [GRID_TITLE]  # no Network tab: the lesson is not about it
    assert window.gradient_panel.isVisible() and window.loss_panel.isVisible()
    assert not window.hidden_panel.isVisible() and not window.gate_panel.isVisible()
    left, right = window.gradient_panel.geometry(), window.loss_panel.geometry()
    assert left.right() < right.left() and left.top() == right.top()  # side by side
    for name in lesson.hide:
        assert not setting_shown(window, name), name
    assert setting_shown(window, "model.recurrent_scale")  # the lesson's own knob

    window.focus_action.setChecked(False)  # View → Focused lessons off: everything
    settle()
    titles = tab_titles(window)  # the grid and the network, or a tab each where it is small
    assert titles in ([GRID_TITLE, "Network"], [*area.titles, "Network"])
    assert all(setting_shown(window, name) for name in lesson.hide)
    window.focus_action.setChecked(True)
    settle()
    assert tab_titles(window) == [GRID_TITLE]


def test_the_bptt_lesson_shows_the_network_and_the_gradient(window, qtbot):
    start_lesson(window, qtbot, "bptt")
    area = window.panel_area
    assert tab_titles(window) == ["Gradient flow", "Network"]  # one view: named, not "All"
    assert area.shown_panels() == [window.diagram_view, window.equations_view]  # in front
    area.bring_into_view(window.gradient_panel)
    qtbot.waitUntil(window.gradient_panel.isVisible, timeout=2_000)
    assert area.shown_panels() == [window.gradient_panel]  # one view fills the grid
    assert window.gradient_panel.width() > window.width() // 3
    assert not setting_shown(window, "model.num_layers")
    area.bring_into_view(window.hidden_panel)  # left out: nothing moves, nothing breaks
    assert area.shown_panels() == [window.gradient_panel]


def test_a_lesson_can_ask_for_one_view_at_a_time(window, qtbot, tmp_path, monkeypatch):
    raw = json.loads(load_preset("lstm_gates").path.read_text(encoding="utf-8"))
    path = tmp_path / "99_tabbed.json"
    path.write_text(json.dumps({**raw, "layout": "tabs"}), encoding="utf-8")
    files = {**presets_module._preset_files(), "99_tabbed": path}
    monkeypatch.setattr(presets_module, "_preset_files", lambda: files)
    start_lesson(window, qtbot, "tabbed")
    assert window.panel_area.tabbed
    assert tab_titles(window) == ["Gates", "Hidden states"] or tab_titles(window) == [
        "Hidden states",
        "Gates",
    ]
    assert window.panel_area.shown_panels() == [window.gate_panel]  # the lesson's view


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_every_focused_lesson_fits_without_clipping(window, qtbot, size):
    window.resize(*size)
    for lesson in ("vanishing_gradient", "lstm_gates", "rnn_loop", "gru_gates"):
        start_lesson(window, qtbot, lesson)
        run = window.controller.run_id
        assert window.size().toTuple() == size
        for view in window.panel_area.shown_panels():
            assert view.width() >= view.minimumSizeHint().width(), (lesson, view.name)
            assert view.height() >= view.minimumSizeHint().height(), (lesson, view.name)
            plots = getattr(view, "view", None)  # a panel's pyqtgraph view
            if plots is None or not hasattr(plots, "ci"):
                continue
            qtbot.waitUntil(lambda v=view, r=run: getattr(v.snapshot, "run_id", None) == r)
            settle()
            laid_out = plots.ci.geometry()  # the maps and plots, as laid out in the view
            assert laid_out.height() <= plots.height() + 1, (lesson, view.name, "cut off")
            assert laid_out.width() <= plots.width() + 1, (lesson, view.name, "cut off")


def test_the_lesson_bar_says_where_the_lesson_stands_in_the_tour(window, qtbot):
    start_lesson(window, qtbot, "vanishing_gradient")
    assert window.windowTitle().endswith("(lesson 8 of 12)")
    window.open_next_lesson(1)  # PageDown
    qtbot.waitUntil(lambda: window.windowTitle().endswith("(lesson 9 of 12)"))
    assert window.lesson.name == "lstm_gates"
