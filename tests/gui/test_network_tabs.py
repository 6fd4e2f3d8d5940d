"""The network diagram over its equations in the window: the Network tab, beside the grid of
views or after the views' tabs, its two views fed like every other view (snapshots, the time
cursor, the layer, the unit clicked in a heat map, the BPTT pass)."""

import pytest
from gui_helpers import settle

from rnnviz.gui.panel_area import GRID_TITLE
from rnnviz.training.presets import VIEWS, load_preset


def tab_titles(window) -> list[str]:
    tabs = window.panel_area._tabs
    return [tabs.tabText(k) for k in range(tabs.count())]


def start_lesson(window, qtbot, preset: str):
    window.focus_action.setChecked(False)  # every view and page, as the Network tab is tested
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start(preset, play=False)
    return window.controller.latest


def test_the_network_has_a_tab_beside_the_grid_and_after_the_views(window, qtbot):
    window.resize(2560, 1400)
    qtbot.waitUntil(lambda: not window.panel_area.tabbed, timeout=2_000)
    assert tab_titles(window) == [GRID_TITLE, "Network"]
    assert all(p.isVisible() for p in window.panels)  # the grid's tab shows all four
    window.panel_area.bring_into_view(window.diagram_view)
    qtbot.waitUntil(window.diagram_view.isVisible, timeout=2_000)
    assert not any(p.isVisible() for p in window.panels)
    assert window.panel_area.shown_panels() == [window.diagram_view, window.equations_view]
    assert window.equations_view.isVisible()  # the step written out under the diagram
    window.resize(1280, 720)  # a projector: one view at a time; the diagram stays in front
    qtbot.waitUntil(lambda: window.panel_area.tabbed, timeout=2_000)
    titles = ["Hidden states", "Gates", "Gradient flow", "Loss", "Network"]
    assert tab_titles(window) == titles
    assert window.diagram_view.isVisible()
    window.panel_area.bring_into_view(window.loss_panel)
    qtbot.waitUntil(window.loss_panel.isVisible, timeout=2_000)
    window.resize(2560, 1400)  # back to the grid, which shows the panel last chosen
    qtbot.waitUntil(lambda: not window.panel_area.tabbed, timeout=2_000)
    assert all(p.isVisible() for p in window.panels)


def test_every_view_a_lesson_may_name_is_in_the_window(window):
    assert set(VIEWS) <= set(window._views_by_name)
    assert {"diagram", "equations"} <= set(window._views_by_name)
    for name in VIEWS:
        assert window.view_named(name).name == name


@pytest.mark.parametrize("size", [(1280, 720), (1800, 1000)])
def test_the_network_tab_shows_the_run_at_the_cursor_and_the_layer(window, qtbot, size):
    window.resize(*size)
    start_lesson(window, qtbot, "deep_bidirectional")
    window.panel_area.bring_into_view(window.diagram_view)
    run = window.controller.run_id
    diagram = window.diagram_view
    qtbot.waitUntil(lambda: getattr(diagram.snapshot, "run_id", None) == run, timeout=5_000)
    window.set_cursor(3)
    window.set_layer(2)
    assert diagram.cursor() == 3 and diagram._layer == 2
    settle()
    assert window.size().toTuple() == size  # the diagram never pushes the window larger
    assert diagram.height() >= diagram.minimumSizeHint().height()
    assert diagram.width() >= diagram.minimumSizeHint().width()
    assert diagram.diagram() is not None  # laid out, boxes drawn


@pytest.mark.parametrize("preset", ["lstm_gates", "gru_gates", "vanishing_gradient"])
def test_the_equations_write_out_the_step_and_unit_chosen_elsewhere(window, qtbot, preset):
    window.resize(1280, 720)
    snapshot = start_lesson(window, qtbot, preset)
    equations = window.equations_view
    window.panel_area.bring_into_view(equations)
    run = window.controller.run_id
    qtbot.waitUntil(lambda: getattr(equations.snapshot, "run_id", None) == run, timeout=5_000)
    window.set_cursor(4)
    window.hidden_panel.unit_selected.emit(2)  # a unit's row clicked in the hidden states
    assert equations.t == 4 and equations.unit == 2
    lines = equations.equations
    assert lines is not None and "t = 4" in lines.label and "unit 2" in lines.label
    names = [line.name for line in lines.lines]
    cell = load_preset(preset).config.model.cell.value
    expected = {"lstm": "f_t", "gru": "z_t"}.get(cell, "h_t")
    assert expected in names, names
    assert snapshot.layout.cell == cell
    settle()
    assert window.size().toTuple() == (1280, 720)
    body = equations.body
    assert body.height() >= body.heightForWidth(body.width()), "equations cut off"


@pytest.mark.parametrize("view", ["diagram", "equations"])
def test_a_lesson_about_the_network_puts_its_tab_in_front(window, qtbot, monkeypatch, view):
    import dataclasses

    from rnnviz.gui import main_window

    lesson = dataclasses.replace(load_preset("alphabet"), view=view)
    monkeypatch.setattr(main_window, "load_preset", lambda name: lesson)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.panel_area.tabbed, timeout=2_000)
    start_lesson(window, qtbot, "alphabet")
    shown = window.view_named(view)
    qtbot.waitUntil(shown.isVisible, timeout=2_000)
    assert shown in window.panel_area.shown_panels()
    assert window.panel_area._tabs.currentWidget() is window.network_page


def test_what_am_i_looking_at_explains_the_tab_shown(window, qtbot):
    start_lesson(window, qtbot, "alphabet")
    window.panel_area.bring_into_view(window.equations_view)
    qtbot.waitUntil(window.equations_view.isVisible, timeout=2_000)
    text = window.about_shown_views()
    assert "<h4>Equations</h4>" in text and "<h4>Network</h4>" in text
    assert "W_hh" in text or "W<sub>hh</sub>" in text  # the formulas too
    assert "<h4>Hidden states</h4>" not in text


def test_stepping_the_bptt_pass_writes_out_the_backward_step_in_the_equations(window, qtbot):
    window.resize(1800, 1000)
    start_lesson(window, qtbot, "bptt")
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.controller.step()  # a snapshot with gradients
    player, equations = window.diagram_view.player, window.equations_view
    window.panel_area.bring_into_view(window.diagram_view)
    latest = window.controller.latest
    for view in window.network_page.views:  # both drawn the stepped snapshot
        qtbot.waitUntil(lambda v=view: v.snapshot is latest, timeout=5_000)
    steps = latest.seq_len
    for _ in range(steps + 2):  # through the forward pass into the backward one
        player.step()
        if player.run.phase == "backward":
            break
    assert player.run.phase == "backward"
    assert equations.phase == "backward" and equations.pass_t == player.run.step
    assert equations.equations is not None, equations.body.text()
    names = " ".join(line.name for line in equations.equations.lines)
    assert "∂L" in names, names  # the chain rule's lines, not the forward equations
    player.stop()
    assert equations.phase != "backward"
    assert "∂L" not in " ".join(line.name for line in equations.equations.lines)


def test_the_explanations_of_the_network_tab_fit_a_projector_and_scroll(window, qtbot):
    window.resize(1280, 720)
    start_lesson(window, qtbot, "lstm_gates")
    window.panel_area.bring_into_view(window.network_page)
    qtbot.waitUntil(window.equations_view.isVisible, timeout=2_000)
    window.explain_views()
    box = window.about_box
    qtbot.waitUntil(box.isVisible, timeout=2_000)
    screen = window.screen().availableGeometry()
    assert box.height() <= screen.height()  # its OK button within reach
    text = box.text()
    for title in ("Long-range memory", "Network", "Equations"):
        assert title in text
    bar = box.browser.verticalScrollBar()
    if bar.maximum() > 0:  # taller than the box: the text scrolls rather than being cut
        assert bar.isVisible()
    box.accept()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=2_000)
