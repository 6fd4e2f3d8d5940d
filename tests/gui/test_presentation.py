"""Presentation mode (issue 13): F11 / View menu / `rnnviz --present` / `render --theme
projector`: full screen, the settings hidden, larger type, and state changes as a banner."""

from types import SimpleNamespace

from gui_helpers import settle
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from rnnviz.cli import main
from rnnviz.cli.arguments import build_parser
from rnnviz.gui.presenting import PRESENT_SCALE
from rnnviz.gui.state_banner import GoalWatch
from rnnviz.training.presets import load_preset


def start(window, qtbot, preset="vanishing_gradient"):
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.start(preset, play=False)
    settle()


def test_f11_enters_presentation_mode_and_esc_leaves_it_as_it_was(window, qtbot):
    start(window, qtbot)
    title = window.lesson_bar.title
    points = title.font().pointSizeF()
    tab_points = window.panel_area.tab_bar().font().pointSizeF()
    assert window.sidebar.isVisible() and not window.presentation.on
    assert [a.shortcut().toString() for a in window.actions() if a.text().startswith("Pres")] == [
        "F11"
    ]
    window.present_action.trigger()  # F11, or View → Presentation mode
    settle()
    assert window.presentation.on and window.present_action.isChecked()
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert not window.sidebar.isVisible()  # the settings are not the lecture
    assert title.font().pointSizeF() == points * PRESENT_SCALE
    assert window.panel_area.tab_bar().font().pointSizeF() == tab_points * PRESENT_SCALE
    style = window.lesson_bar.styleSheet()
    assert f"{round(14 * PRESENT_SCALE)}pt" in style and "#eef3f8" in style  # bar kept
    leave = next(a for a in window.actions() if a.text() == "Leave presentation mode")
    assert leave.isEnabled() and leave.shortcut().toString() == "Esc"
    leave.trigger()
    settle()
    assert not window.presentation.on and not window.present_action.isChecked()
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    assert window.sidebar.isVisible()
    assert title.font().pointSizeF() == points and not leave.isEnabled()


def test_the_training_keys_work_in_presentation_mode(window, qtbot):
    start(window, qtbot)
    window.presentation.set_on(True)
    run = window.controller.run_id
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.step_action.trigger()  # → : one update
    assert window.controller.latest.iteration == 1
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.reset_action.trigger()  # R
    assert window.controller.run_id != run
    keys = {a.text(): a.shortcut().toString() for a in window.training_actions}
    assert keys["Play"] == "Space" and keys["Reset"] == "R" and keys["Step"] == "Right"


def test_a_divergence_is_announced_by_a_large_banner(window, qtbot):
    start(window, qtbot)
    banner = window.banner
    assert not banner.isVisible()
    window.controller.state_changed.emit("diverged")
    assert banner.isVisible() and "diverged" in banner.text()
    assert banner.font().pointSize() >= 2 * 14  # twice the read-out text
    host = window.centralWidget()
    assert host.rect().contains(banner.geometry())  # whole, over the views
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10_000)  # and it goes


def snapshot(run, checked=None, **metrics):
    return SimpleNamespace(
        run_id=run, metrics=metrics, loss=1.0, baselines={}, diverged="", checked=checked or {}
    )


def test_the_goal_is_announced_once_a_run_where_the_snapshot_measures_it():
    lesson = load_preset("moving_ball")  # direction_accuracy ≥ 0.9
    watch = GoalWatch()
    assert not watch.reached(lesson, snapshot(1, direction_accuracy=0.5))
    assert watch.reached(lesson, snapshot(1, direction_accuracy=0.95))
    assert not watch.reached(lesson, snapshot(1, direction_accuracy=0.97))  # once
    assert watch.reached(lesson, snapshot(2, direction_accuracy=0.92))  # a new run
    assert not watch.reached(None, snapshot(3, direction_accuracy=1.0))  # no lesson
    recall = load_preset("vanishing_gradient")  # its goal's figure: on fresh data only
    assert not watch.reached(recall, snapshot(4, accuracy=1.0))
    assert not watch.reached(recall, snapshot(4, {"accuracy_full_gap": 0.9}, accuracy=1.0))
    assert watch.reached(recall, snapshot(4, {"accuracy_full_gap": 0.96}, accuracy=0.5))
    # figures on fresh data rule over the last update's own
    assert not watch.reached(lesson, snapshot(5, {"direction_accuracy": 0.5}, direction_accuracy=1))


def test_a_recall_lesson_s_goal_is_announced_in_the_window(window, qtbot):
    """The recall lessons' goal, accuracy at the full gap, is measured on fresh data by the
    window's training loop, now and then: the banner says so as the headless check would."""
    lesson = load_preset("forward_propagation")  # recall 4 steps back ≥ 0.95, in seconds
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.start(lesson.name, play=True)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=60_000)
    assert window.banner.text().startswith("Goal reached: recall accuracy 4 steps back")
    assert "accuracy_full_gap" in window.controller.latest.checked  # taken in the loop


def test_present_and_theme_on_the_command_line(tmp_path, capsys):
    assert build_parser().parse_args(["--present"]).present
    assert not build_parser().parse_args([]).present
    assert main(["render", "--theme", "dark", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "choose from 'default', 'projector'" in err
    out = tmp_path / "projector.png"
    argv = ["render", "--preset", "vanishing_gradient", "--steps", "2", "--size", "1280x720"]
    assert main([*argv, "--theme", "projector", "--out", str(out)]) == 0
    image = QImage(str(out))
    assert image.width() == 1280 and image.height() == 720
    plain = tmp_path / "plain.png"
    assert main([*argv, "--out", str(plain)]) == 0
    # the projector picture has no settings sidebar: its left edge is the demo, not the form
    assert QImage(str(plain)) != image


def test_clicker_keys_work_with_the_focus_in_a_combo_box(window, qtbot):
    start(window, qtbot)
    window.presentation.set_on(True)
    settle()
    combo = window.speed  # the toolbar's combo box stays in presentation mode
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2_000)
    index, lesson = combo.currentIndex(), window.lesson.name
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        qtbot.keyClick(combo, Qt.Key.Key_PageDown)  # a clicker's "next"
    assert window.lesson.name != lesson
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        qtbot.keyClick(combo, Qt.Key.Key_PageUp)  # and "previous"
    assert window.lesson.name == lesson
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        qtbot.keyClick(combo, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.controller.latest.iteration == 1, timeout=10_000)
    assert combo.currentIndex() == index and window.presentation.on


def test_render_theme_projector_has_a_light_background(tmp_path):
    out = tmp_path / "projector.png"
    argv = ["render", "--preset", "moving_ball", "--steps", "2", "--size", "1280x720"]
    assert main([*argv, "--theme", "projector", "--out", str(out)]) == 0
    image = QImage(str(out))
    for x, y in ((2, image.height() - 2), (image.width() - 2, image.height() // 2)):
        assert image.pixelColor(x, y).lightnessF() > 0.8


def test_nothing_is_clipped_in_presentation_mode_at_1280_by_720(window, qtbot):
    from test_projector_fit import PROJECTOR, assert_nothing_clipped, show_every_view

    start(window, qtbot, "moving_ball")
    window.presentation.set_on(True, full_screen=False)  # offscreen: the screen's size is not
    window.resize(PROJECTOR)  # a projector's, so the window is given its size
    settle()
    assert not window.menuBar().isVisible()
    show_every_view(window, qtbot)
    assert window.size() == PROJECTOR  # not pushed larger by the larger type
    for panel in window.panels:
        window.panel_area.bring_into_view(panel)
        settle()
        assert_nothing_clipped(window)
    page = window.network_page
    window.panel_area.bring_into_view(page)
    settle()
    assert page.height() >= page.minimumSizeHint().height()
    assert page.width() >= page.minimumSizeHint().width()
    window.presentation.set_on(False)
    assert window.menuBar().isVisible()


def test_leaving_presentation_mode_the_window_needs_no_more_room_than_before(window, qtbot):
    """Presenting, the wide gradient-flow panel set its legend in two columns; its least
    width, measured so, once kept the window wider than a 1280-pixel screen after Esc."""
    from test_projector_fit import PROJECTOR

    window.resize(PROJECTOR)
    start(window, qtbot)  # an LSTM: two legend entries, ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖
    window.draw_now()
    settle()
    least = window.minimumSizeHint().width()
    window.presentation.set_on(True, full_screen=False)
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.reset()  # a new run measures its room while presenting
    qtbot.waitUntil(lambda: window.run_shown, timeout=10_000)
    window.draw_now()
    settle()
    assert window.gradient_panel.legend.columnCount == 2  # the room it has is used
    window.presentation.set_on(False)
    settle()
    assert window.minimumSizeHint().width() <= least
