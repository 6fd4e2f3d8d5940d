"""Every view says what it shows and its formula: ``View.formula``, ``explain`` and the "?"
button in the view's corner (a tooltip on hover or click that takes no keyboard focus)."""

import pytest
from gui_helpers import settle, shown
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QToolTip, QWidget

from rnnviz.gui.demos.text_view import TextView
from rnnviz.gui.diagram import DiagramView
from rnnviz.gui.equations_view import EquationsView
from rnnviz.gui.lesson_views import AlphabetView, RecallView
from rnnviz.gui.panels.heatmaps import GatePanel, HiddenStatePanel
from rnnviz.gui.view import cell_formula, check_view, explain
from rnnviz.gui.view_help import ViewHelpButton, add_help_button
from rnnviz.training.config import TrainConfig
from rnnviz.training.trainer import Trainer


def snapshot_of(cell: str):
    config = TrainConfig(task="alphabet").with_settings(
        {"model.cell": cell, "model.hidden_size": 6, "batch_size": 4}
    )
    trainer = Trainer(config)
    trainer.step()
    return trainer.snapshot()


def test_every_view_of_the_window_states_its_formula(window):
    names = []
    for view in window.views:
        check_view(view)  # formula among the rest
        assert "=" in view.formula, view.name  # an equation, not a stray word
        names.append(view.name)
    # the panels, the diagram, the equations and every demo
    assert {"hidden", "gates", "gradient", "loss", "diagram", "equations"} <= set(names)
    assert {"ball", "text", "alphabet", "recall"} <= set(names)


def test_a_view_without_a_formula_is_no_view():
    class Half(QWidget):
        name, about, formula = "half", "It shows half of it.", " "
        cursor_moved = None

        def show_snapshot(self, s): ...

        def set_cursor(self, t): ...

        def set_layer(self, k): ...

    with pytest.raises(TypeError, match="formula must be a non-empty string"):
        check_view(Half)
    del Half.formula
    with pytest.raises(TypeError, match="it lacks formula"):
        check_view(Half)


def test_explain_gives_the_sentences_then_the_formula_with_its_subscripts(qtbot):
    panel = shown(qtbot, HiddenStatePanel, snapshot_of("rnn_tanh"), size=(500, 400))
    text = explain(panel)
    assert text.index("memory") < text.index("tanh(")  # about first, then the formula
    assert "W<sub>hh</sub> h<sub>t−1</sub>" in text
    assert explain(object()) == ""


@pytest.mark.parametrize(
    ("cell", "shown_lines", "not_shown"),
    [
        ("lstm", ("f_t = σ(", "c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t"), "r_t"),
        ("gru", ("r_t = σ(", "n_t = tanh("), "f_t"),
        ("rnn_tanh", ("no gates", "h_t = tanh("), "σ"),
    ],
)
def test_the_gates_formula_follows_the_runs_cell(qtbot, cell, shown_lines, not_shown):
    panel = shown(qtbot, GatePanel, size=(500, 600))
    assert "f_t = σ(" in panel.formula and "r_t = σ(" in panel.formula  # no run: both cells
    panel.show_snapshot(snapshot_of(cell))
    for line in shown_lines:
        assert line in panel.formula
    assert not_shown not in panel.formula


def test_the_hidden_and_equations_formulas_are_the_cells_own(qtbot):
    hidden = shown(qtbot, HiddenStatePanel, snapshot_of("lstm"), size=(500, 400))
    assert hidden.formula == "h_t = o_t ⊙ tanh(c_t)"
    equations = shown(qtbot, EquationsView, snapshot_of("gru"), size=(600, 400))
    assert equations.formula == cell_formula("gru")
    assert cell_formula(None).count(":") == 4  # no run yet: each cell under its name


@pytest.mark.parametrize("cls", [HiddenStatePanel, GatePanel, AlphabetView, RecallView])
def test_the_help_button_shows_the_text_and_leaves_the_keyboard_focus(qtbot, cls):
    view = shown(qtbot, cls, size=(700, 500))
    view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    button = view.findChild(ViewHelpButton)
    assert button is not None and button.isVisible()
    assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert view.hasFocus()  # the time cursor's arrow keys still reach the view
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == button.help_text()
    assert view.about[:40] in QToolTip.text() and "<sub>" in QToolTip.text()
    QToolTip.hideText()


def test_the_help_button_covers_none_of_a_views_content(qtbot):
    panel = shown(qtbot, HiddenStatePanel, snapshot_of("rnn_tanh"), size=(600, 400))
    button = panel.findChild(ViewHelpButton)
    top = button.mapTo(panel, QPoint(0, 0)).y()
    assert top >= panel.view.mapTo(panel, QPoint(0, 0)).y() + panel.view.height()  # under it
    label = panel.hover_label
    assert button.mapTo(panel, QPoint(0, 0)).x() >= label.mapTo(panel, QPoint(0, 0)).x() + (
        label.width()
    )  # beside the read-out line, not over it
    alphabet = shown(qtbot, AlphabetView, size=(600, 400))
    heading = alphabet.layout().itemAtPosition(0, 0).layout().itemAt(0).widget()
    button = alphabet.findChild(ViewHelpButton)
    assert button.geometry().left() >= heading.geometry().right()


def test_a_floating_help_button_keeps_to_its_corner_and_is_made_once(qtbot):
    view = shown(qtbot, QWidget, size=(400, 300))
    view.about, view.formula = "A plain view.", "y = x"
    button = add_help_button(view)
    assert add_help_button(view) is button
    assert len(view.findChildren(ViewHelpButton)) == 1
    view.resize(700, 500)
    settle()
    assert button.geometry().right() < view.width() and button.geometry().right() > 650
    assert button.geometry().top() < 10
    assert "y = x" in button.help_text()


def test_a_view_with_a_top_row_gets_the_button_at_its_end(qtbot):
    view = shown(qtbot, TextView, size=(900, 600))
    button = add_help_button(view)
    settle()
    assert button.parentWidget() is view and button.isVisible()
    at = button.geometry()
    opener = view.open_button.geometry()
    assert at.left() > opener.right()  # after "Open text file…", not over it
    assert at.top() < opener.bottom()  # on the header's line
    diagram = shown(qtbot, DiagramView, snapshot_of("lstm"), size=(900, 500))
    button = add_help_button(diagram)
    settle()
    assert button.geometry().bottom() < diagram.canvas.geometry().top()  # in the tool bar
    assert "c_t = f_t ⊙ c_{t−1}" not in button.help_text()  # the diagram's own formula
    assert "W<sub>hh</sub>" in button.help_text()


def test_the_help_mark_is_a_point_under_the_read_out_text_and_imports_alone():
    import subprocess
    import sys

    from rnnviz.gui.panels.style import TEXT_PT
    from rnnviz.gui.view_help import HELP_PT

    assert HELP_PT == TEXT_PT - 1
    for module in ("rnnviz.gui.view_help", "rnnviz.gui.equations_view"):  # no import cycle
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
        assert done.returncode == 0, done.stderr.decode()[-300:]
