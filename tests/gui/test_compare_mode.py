"""Compare mode (issue 13): the lesson's runs side by side, each training at once in its own
process (a thread in tests), with the loss and gradient curves overlaid and one column each."""

import numpy as np
import pyqtgraph as pg
import pytest
from gui_helpers import settle

from rnnviz.gui.compare_page import PLACE_COLORS, run_colors
from rnnviz.gui.panels._common import MIN_DATA_AREA
from rnnviz.gui.panels.style import CELL_COLORS
from rnnviz.training.presets import list_presets
from rnnviz.training.settings import Cell

SMALL = {"model.hidden_size": "8", "batch_size": "4"}


def open_lesson(window, qtbot, preset="vanishing_gradient"):
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.start(preset, play=False)
    settle()


def side_by_side(window, qtbot, count=3):
    with qtbot.waitSignal(window.controller.compare_changed, timeout=10_000):
        window.lesson_bar.side_by_side.click()
    qtbot.waitUntil(lambda: all(h.config is not None for h in window.controller.compared))
    assert len(window.controller.compared) == count
    return window.controller.compared


def step_all(window, qtbot, runs, to=1):
    seen = {}

    def note(handle, snapshot):
        seen[handle] = snapshot.iteration

    window.controller.run_snapshot.connect(note)
    window.step_action.trigger()  # → : one update of every run
    qtbot.waitUntil(lambda: all(seen.get(h) == to for h in runs), timeout=20_000)
    window.controller.run_snapshot.disconnect(note)


def test_side_by_side_runs_the_lesson_and_its_comparisons_at_once(window, qtbot):
    open_lesson(window, qtbot)
    assert window.lesson_bar.side_by_side.isVisible()
    runs = side_by_side(window, qtbot)
    cells = [h.config.model.cell for h in runs]
    assert cells == [Cell.LSTM, Cell.RNN_TANH, Cell.GRU]  # the lesson's own first
    assert runs[0] is window.controller.main
    first = runs[0].config
    for handle in runs[1:]:  # the same task, data and seed: only the cell differs
        assert handle.config.with_settings({"model.cell": first.model.cell.value}) == first
    page = window.compare_page
    assert page.isVisible() and not window.panel_area.isVisible()
    assert not window.tabs.isVisible() and not window.sidebar.isVisible()
    assert list(page.columns) == list(runs)
    assert [c.color for c in page.columns.values()] == [
        CELL_COLORS["lstm"],
        CELL_COLORS["rnn_tanh"],
        CELL_COLORS["gru"],
    ]
    assert window.lesson_bar.side_by_side.isChecked() and window.compare_action.isChecked()
    # the loss plot's key is its title, each cell's name after a line of its colour
    title = page.loss_plot.getPlotItem().titleLabel.text
    assert title.index("LSTM") < title.index("RNN") < title.index("GRU")
    for cell in ("lstm", "rnn_tanh", "gru"):
        assert f"color:{CELL_COLORS[cell]}" in title
    assert window.lesson is not None and window.lesson.name == "vanishing_gradient"


def compared_after_one_update(window, qtbot):
    """The lesson's three runs side by side, each updated once and drawn: (runs, page)."""
    open_lesson(window, qtbot)
    runs = side_by_side(window, qtbot)
    step_all(window, qtbot, runs)
    page = window.compare_page
    # (each column may still show the run's first snapshot, of no update, for a turn or two)
    qtbot.waitUntil(
        lambda: all(
            c.snapshot is not None and c.snapshot.iteration >= 1 for c in page.columns.values()
        )
    )
    return runs, page


def test_every_run_trains_and_the_curves_are_overlaid_in_one_range(window, qtbot):
    runs, page = compared_after_one_update(window, qtbot)
    for handle in runs:
        loss, gradient = page._curves[handle]
        assert len(loss.getData()[0]) >= 1
        x, y = gradient.getData()
        assert len(x) == handle.config.seq_len and np.all(np.isfinite(y))
        assert "updates/s" in page.columns[handle].heading.text()
    top = page.loss_plot.getPlotItem().viewRange()[1]
    assert top[0] == 0.0 and top[1] >= max(
        float(np.nanmax(page.columns[h].snapshot.loss_history)) for h in runs
    )
    step_all(window, qtbot, runs, to=2)  # another update: the range does not jump
    settle()
    assert page.loss_plot.getPlotItem().viewRange()[1] == top or top[1] < page._loss_top


def test_the_shared_plots_take_every_run_s_curves_at_most_once_a_frame(window, qtbot, monkeypatch):
    import rnnviz.gui.compare_page as compare_page

    runs, page = compared_after_one_update(window, qtbot)
    settle()
    now = [page._plotted_at]
    monkeypatch.setattr(compare_page.time, "monotonic", lambda: now[0])
    set_data = []
    for handle in runs:
        for curve in page._curves[handle]:
            monkeypatch.setattr(curve, "setData", lambda *a, h=handle, **k: set_data.append(h))
    for handle in runs:  # each run's newest snapshot again: one column drawn a turn
        page.show_run(handle, page.columns[handle].snapshot, "paused")
    for _ in runs:
        page._draw()
    assert not page._dirty and set_data == []  # the columns drawn, the plots not yet
    # a frame later, and a little more: after a day of uptime the clock reads about 1e5 s,
    # where adding a frame and taking the start away again gives a hair less than a frame
    now[0] += 1.01 * compare_page.FRAME_MS / 1000
    page._draw()
    assert sorted(map(id, set_data)) == sorted(map(id, [h for h in runs for _ in range(2)]))


def test_one_time_cursor_moves_every_column(window, qtbot):
    runs, page = compared_after_one_update(window, qtbot)
    first = page.columns[runs[0]].hidden
    first.cursor_moved.emit(7)  # the user clicks step 7 in the first column
    assert all(c.hidden.cursor() == 7 for c in page.columns.values())
    assert round(page.cursor_line.value()) == 7
    page.choice.button(1).click()  # the gates instead, the cursor kept
    assert all(c.maps.currentWidget() is c.gates for c in page.columns.values())
    assert all(c.gates.cursor() == 7 for c in page.columns.values())


def test_back_to_one_run_keeps_the_lesson_s_run_and_stops_the_others(window, qtbot):
    open_lesson(window, qtbot)
    assert window.scrubber.isVisible()
    runs = side_by_side(window, qtbot)
    qtbot.waitUntil(lambda: not window.scrubber.isVisible())  # the columns are all live
    with qtbot.waitSignal(window.controller.compare_changed, timeout=10_000):
        window.lesson_bar.side_by_side.click()
    qtbot.waitUntil(window.scrubber.isVisible)
    assert window.controller.compared == ()
    assert window.controller.runs == (runs[0],)
    assert not any(h.running for h in runs[1:])
    assert not window.compare_page.isVisible() and window.panel_area.isVisible()
    assert window.sidebar.isVisible()  # the settings back


def test_opening_another_lesson_ends_compare_mode(window, qtbot):
    open_lesson(window, qtbot)
    side_by_side(window, qtbot)
    open_lesson(window, qtbot, "alphabet")
    assert window.controller.compared == () and len(window.controller.runs) == 1
    assert not window.compare_page.isVisible()


def test_cells_named_on_the_command_line_are_compared(window, qtbot):
    open_lesson(window, qtbot)
    with qtbot.waitSignal(window.controller.compare_changed, timeout=10_000):
        window.compare_cells((Cell.RNN_TANH, Cell.GRU))
    runs = window.controller.compared
    assert [h.config.model.cell for h in runs] == [Cell.RNN_TANH, Cell.GRU]
    qtbot.waitUntil(lambda: window.lesson is not None)
    assert window.lesson.name == "vanishing_gradient"  # still the lesson, no button pressed


def test_a_lesson_without_comparisons_says_so(window, qtbot, monkeypatch):
    open_lesson(window, qtbot, "alphabet")
    errors = []
    monkeypatch.setattr(window, "show_error", errors.append)
    assert not window.lesson_bar.side_by_side.isVisible()
    window.compare_action.trigger()
    assert errors and "compares no runs" in errors[0]
    assert window.controller.compared == () and not window.compare_action.isChecked()


def test_closing_the_window_stops_every_compared_run(window, qtbot):
    open_lesson(window, qtbot)
    runs = side_by_side(window, qtbot)
    window.controller.play()
    qtbot.waitUntil(lambda: all(h.state == "training" for h in runs), timeout=10_000)
    window.close()
    qtbot.waitUntil(lambda: not any(h.running for h in runs), timeout=10_000)


def test_render_draws_compare_mode_and_refuses_a_panel_with_it(tmp_path, capsys):
    import json

    from PySide6.QtGui import QImage

    from rnnviz.cli import main

    out = tmp_path / "compare.png"
    argv = ["render", "--preset", "vanishing_gradient", "--steps", "3", "--size", "1280x720"]
    assert (
        main([*argv, "--compare", "rnn,gru", "--set", "model.hidden_size=8", "--out", str(out)])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["compare"] == ["rnn_tanh", "gru"] and set(result["loss"]) == {"rnn_tanh", "gru"}
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    assert main([*argv, "--compare", "rnn,gru", "--panel", "gates", "--out", str(out)]) == 2
    assert "--compare draws the compare page" in capsys.readouterr().err
    assert main([*argv, "--compare", "rnn", "--out", str(out)]) == 2


def test_comparing_again_builds_new_columns_and_drops_the_old(window, qtbot):
    import gc

    open_lesson(window, qtbot)
    first = side_by_side(window, qtbot)
    with qtbot.waitSignal(window.controller.compare_changed, timeout=10_000):
        window.lesson_bar.side_by_side.click()  # back to one run
    second = side_by_side(window, qtbot)
    assert len(window.compare_page.columns) == 3 and set(second).isdisjoint(first[1:])
    step_all(window, qtbot, second)
    gc.collect()
    settle()
    assert all(c.isVisible() for c in window.compare_page.columns.values())


def test_leaving_trained_runs_side_by_side_asks_about_them_all(window, qtbot):
    open_lesson(window, qtbot)
    runs = side_by_side(window, qtbot)
    step_all(window, qtbot, runs)
    window.open_lesson("moving_ball")
    box = window.question
    assert box is not None
    assert box.text() == "Discard the runs side by side (updates: LSTM: 1; RNN: 1; GRU: 1)?"
    assert "Save… keeps the lesson's run (LSTM)" in box.informativeText()
    window.answer_question("Cancel")
    assert window.controller.compared == runs  # nothing lost


LESSONS_OF_ONE_CELL = [
    ("moving_ball", ["as in the lesson", "snapshot model (one frame)"]),
    ("bidirectional_gap", ["both directions (the lesson)", "one direction"]),
]


@pytest.mark.parametrize(("preset", "names"), LESSONS_OF_ONE_CELL)
def test_runs_of_one_cell_are_told_apart_by_what_their_lesson_changes(window, qtbot, preset, names):
    # two runs of a GRU were both headed "GRU", drawn in the GRU's green, keyed "GRU GRU"
    open_lesson(window, qtbot, preset)
    runs = side_by_side(window, qtbot, count=2)
    assert runs[0].config.model.cell == runs[1].config.model.cell
    assert [h.name for h in runs] == names
    assert [b.text() for b in window.lesson_bar._buttons.buttons()] == names  # as labelled
    page = window.compare_page
    columns = [page.columns[h] for h in runs]
    assert [c.name for c in columns] == names
    assert len({c.color for c in columns}) == 2
    assert [c.color for c in columns] == list(PLACE_COLORS[:2])
    for column in columns:
        assert column.name in column.heading.text() and column.color in column.heading.text()
    title = page.loss_plot.getPlotItem().titleLabel.text
    assert title.index(names[0]) < title.index(names[1])
    for handle, column in zip(runs, columns, strict=True):
        for curve in page._curves[handle]:
            assert curve.opts["pen"].color().name().lower() == column.color.lower()


def test_the_question_before_side_by_side_names_the_runs_as_the_lesson_does(window, qtbot):
    open_lesson(window, qtbot, "moving_ball")
    step_all(window, qtbot, [window.controller.main])  # a trained run: the window asks
    window.lesson_bar.side_by_side.click()
    box = window.question
    assert box is not None
    assert box.informativeText().startswith(
        "The runs “as in the lesson” and “snapshot model (one frame)” side by side replace it."
    )
    window.answer_question("Discard")
    qtbot.waitUntil(lambda: len(window.controller.compared) == 2, timeout=10_000)
    runs = window.controller.compared
    step_all(window, qtbot, runs, to=1)
    window.open_lesson("alphabet")
    assert window.question.text() == (
        "Discard the runs side by side "
        "(updates: as in the lesson: 1; snapshot model (one frame): 1)?"
    )
    assert "keeps the lesson's run (as in the lesson)" in window.question.informativeText()
    window.answer_question("Cancel")


def test_three_cells_keep_their_own_colours():
    assert run_colors(["lstm", "rnn_tanh", "gru"]) == [
        CELL_COLORS["lstm"],
        CELL_COLORS["rnn_tanh"],
        CELL_COLORS["gru"],
    ]
    assert run_colors(["gru", "gru"]) == list(PLACE_COLORS[:2])
    assert run_colors(["gru", "lstm", "gru"]) == list(PLACE_COLORS)


def test_side_by_side_presses_none_of_the_single_runs_buttons(window, qtbot):
    # "as in the lesson" stayed pressed next to "Side by side", as if that run alone trained
    open_lesson(window, qtbot, "moving_ball")
    bar = window.lesson_bar
    assert bar.buttons[0].isChecked()
    side_by_side(window, qtbot, count=2)
    qtbot.waitUntil(lambda: window._pending_lesson is None, timeout=10_000)  # the run began
    assert bar.side_by_side.isChecked()
    assert not any(button.isChecked() for button in bar.buttons)
    with qtbot.waitSignal(window.controller.compare_changed, timeout=10_000):
        bar.side_by_side.click()  # back to one run: the lesson's own
    assert bar.buttons[0].isChecked() and not bar.side_by_side.isChecked()
    assert window.lesson.name == "moving_ball"


def compare_cells(window, qtbot, cells):
    with qtbot.waitSignal(window.controller.compare_changed, timeout=10_000):
        window.compare_cells(cells)
    qtbot.waitUntil(lambda: all(h.config is not None for h in window.controller.compared))
    return window.controller.compared


#: every lesson's own runs side by side, and the deepest model with three cells (four
#: layer·directions a run: `rnnviz --preset deep_bidirectional --compare rnn,lstm,gru`)
SIDE_BY_SIDE = [pytest.param(p.name, None, id=p.name) for p in list_presets() if p.compare]
SIDE_BY_SIDE.append(
    pytest.param("deep_bidirectional", (Cell.RNN_TANH, Cell.LSTM, Cell.GRU), id="deep-3-cells")
)


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "cells"), SIDE_BY_SIDE)
def test_every_lesson_side_by_side_fits_a_projector(window, qtbot, preset, cells):
    from test_projector_fit import INSIDE, fits

    open_lesson(window, qtbot, preset)
    if cells is None:
        runs = side_by_side(window, qtbot, count=min(3, 1 + len(window.lesson.compare)))
    else:
        runs = compare_cells(window, qtbot, cells)
    step_all(window, qtbot, runs)
    window.resize(INSIDE)
    settle()
    page = window.compare_page
    qtbot.waitUntil(lambda: all(c.snapshot is not None for c in page.columns.values()))
    settle()
    # the gap lesson's two runs (one with a map per direction) pushed the window 13 px lower,
    # the deep model's three runs (four maps each) 183 px
    assert window.size() == INSIDE and fits(window.minimumSizeHint())
    title = page.loss_plot.getPlotItem().titleLabel
    assert title.item.boundingRect().width() <= page.loss_plot.width()  # the key whole
    plots = [page.loss_plot.getPlotItem(), page.gradient_plot.getPlotItem()]
    for column in page.columns.values():  # each heading whole in its two lines
        heading = column.heading
        assert heading.heightForWidth(heading.width()) <= heading.height(), heading.text()
        items = column.hidden.view.ci.items
        plots += [p for p in items if type(p) is pg.PlotItem and p.isVisible()]  # no colour bar
    for plot in plots:  # every data area readable
        assert plot.vb.height() >= MIN_DATA_AREA.height() - 1
        assert plot.vb.width() >= MIN_DATA_AREA.width() - 1


def test_the_columns_follow_the_layer_direction_chosen_in_the_window(window, qtbot):
    import rnnviz.gui.compare_page as compare_page

    # the toolbar's Layer box and L changed the views of one run, not the columns' gates
    open_lesson(window, qtbot, "deep_bidirectional")
    runs = compare_cells(window, qtbot, (Cell.LSTM, Cell.GRU))
    step_all(window, qtbot, runs)
    page = window.compare_page
    qtbot.waitUntil(lambda: all(c.snapshot is not None for c in page.columns.values()))
    window.set_layer(3)
    page._draw(every=True)
    for column in page.columns.values():
        assert [m.plot.titleLabel.text for m in column.hidden.maps] == ["layer 2 ←"]
    # the gradient plot: each run's ‖∂L/∂h_t‖ of that layer·direction, named in the title
    assert page.gradient_plot.getPlotItem().titleLabel.text.endswith(", layer 2 ←")
    for handle in runs:
        _, y = page._curves[handle][1].getData()
        norms = page.columns[handle].snapshot.dh_norms[3]
        log_norms = np.log10(np.maximum(norms.astype(np.float64), compare_page.FLOOR))
        np.testing.assert_allclose(y, log_norms)  # the axis is logarithmic
    page.show_maps(1)  # the gates: the chosen layer·direction's
    for column in page.columns.values():
        assert column.gates.layer() == 3 and column.gates.maps
        assert "layer 2 ←" in column.gates._describe(column.gates.maps[0], 0, 0)
