"""The text view at a projector's size, its keyboard's percentages, the keyboard focus and the
tab a lesson opens.

What is checked: in the demo area the window gives the text lesson on a projector's 1280 × 720
screen (with the settings shown or hidden) and on a 1920 × 1080 one, the keyboard tab shows
without scrolling, the title on one line and the completion in full, and no page scrolls
sideways or has a widget cut off at its sides; the room is the window's own, never a number of
pixels measured with one machine's fonts. The suggestion bars' percentages are never cut, never
overlap and stay inside the widget, narrow or wide; the text fields take the keyboard only when
clicked (not when their tab is shown again, nor by Tab), so the space bar stays play/pause; the
word-order lesson opens the scorer, the text-messaging lesson the keyboard, and a reset keeps
the tab the user chose.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from gui_helpers import settle
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt
from PySide6.QtGui import QAction, QFontMetrics, QHelpEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from rnnviz.gui.demos import TextView
from rnnviz.gui.demos._text_widgets import percent, value_colors
from rnnviz.gui.demos.probability_bars import ProbabilityBars
from rnnviz.gui.demos.text_keyboard import COMPLETION_CONTEXT, breakable, completion_html
from rnnviz.gui.main_window import MainWindow
from rnnviz.gui.view import check_view
from rnnviz.training.config import TrainConfig
from rnnviz.training.presets import load_preset
from rnnviz.training.trainer import Trainer


@functools.cache
def lesson_snapshot(name: str, run_id: int = 0, steps: int = 20):
    """The last snapshot of a short run of the lesson ``name``'s settings (read-only)."""
    trainer = Trainer(load_preset(name).config, run_id=run_id)
    return list(trainer.run(steps=steps))[-1]


@pytest.fixture
def text_view(qtbot):
    def make(width: int, height: int, snapshot=None) -> TextView:
        view = TextView()
        qtbot.addWidget(view)
        view.resize(width, height)
        view.show()
        qtbot.waitExposed(view)
        view.show_snapshot(snapshot or lesson_snapshot("text_messaging"))
        view.set_cursor(16)
        settle()
        return view

    return make


#: Screens the window is shown on: a projector's, the same with the settings hidden (F9), and a
#: laptop's or a monitor's. The text view gets whatever room the window's layout gives the demo.
SCREENS = {
    "projector": ((1280, 720), True),
    "projector, settings hidden": ((1280, 720), False),
    "full HD": ((1920, 1080), True),
}


@pytest.fixture
def window_text_view(qtbot):
    """The text view inside the rnnviz window on one of the SCREENS, the text lesson open,
    showing a model trained for a few updates (or the untrained one the lesson opens with)."""
    windows = []

    def make(screen: str, trained: bool = True) -> TextView:
        (width, height), settings = SCREENS[screen]
        window = MainWindow()
        qtbot.addWidget(window)
        windows.append(window)
        window.resize(width, height)
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
            window.start("text_messaging", play=False)
        if not settings:
            window.sidebar_action.trigger()
        view = window.text_view
        assert window.tabs.currentWidget() is view
        qtbot.waitUntil(lambda: not window.drawing, timeout=5_000)  # the run's first snapshot
        if trained:
            view.show_snapshot(lesson_snapshot("text_messaging"))  # a few updates: real samples
        view.set_cursor(16)
        settle(10)
        return view

    yield make
    for window in windows:
        window.close()


def laid_out(layout, widget: QWidget) -> bool:
    """Whether ``layout`` or one of its nested layouts places ``widget``."""
    if layout is None:
        return False
    if layout.indexOf(widget) >= 0:
        return True
    return any(laid_out(layout.itemAt(k).layout(), widget) for k in range(layout.count()))


def cut_off(scroll: QScrollArea) -> list[str]:
    """The visible widgets of a scrolling page that stick out at its left or right, or are
    squeezed narrower than they need: what a user would see cut off. The page scrolls up and
    down, so the top and bottom are not looked at."""
    viewport = scroll.viewport()
    found = []
    for child in scroll.widget().findChildren(QWidget):
        if not child.isVisible():
            continue
        left = child.mapTo(viewport, QPoint(0, 0)).x()
        right = left + child.width()
        need = child.minimumSizeHint().width()
        # a layout gives a widget the width it needs unless told to ignore it (the parts a
        # widget places itself, like a line edit's clear button, are not looked at)
        squeezed = (
            laid_out(child.parentWidget().layout(), child)
            and child.sizePolicy().horizontalPolicy() != QSizePolicy.Policy.Ignored
            and child.width() < need
        )
        if left < 0 or right > viewport.width() or squeezed:
            text = child.text() if hasattr(child, "text") else ""
            found.append(
                f"{type(child).__name__} {text!r}: x {left}…{right} (needs {need}) "
                f"in a page 0…{viewport.width()} wide"
            )
    return found


def inside(inner: QRectF, outer: QRectF) -> bool:
    return (
        inner.left() >= outer.left() - 1e-6
        and inner.top() >= outer.top() - 1e-6
        and inner.right() <= outer.right() + 1e-6
        and inner.bottom() <= outer.bottom() + 1e-6
    )


# ------------------------------------------------------------------------------ fitting


@pytest.mark.parametrize("screen", SCREENS)
def test_keyboard_fits_the_demo_area_without_scrolling(window_text_view, screen):
    view = window_text_view(screen)
    assert view.section() == "keyboard"
    scroll = view.tabs.currentWidget()
    assert scroll.verticalScrollBar().maximum() == 0
    assert scroll.horizontalScrollBar().maximum() == 0
    viewport = QRectF(scroll.viewport().rect())
    # the bars and every key are on screen, each key tall enough to read
    bars = view.keyboard.suggestions
    shown = QRectF(bars.mapTo(scroll.viewport(), bars.rect().topLeft()), bars.size().toSizeF())
    assert inside(shown, viewport)
    assert bars.height() >= bars.minimumHeight()
    keys = bars.key_geometry()
    assert len(keys) == len(bars.chars) > 0
    for key in keys:
        assert inside(key.key, QRectF(bars.rect())) and key.key.height() >= 30
    # the title takes one line, not four
    assert view.title_label.height() < 2 * view.title_label.fontMetrics().height()
    # the completion is shown whole: as tall as its wrapped text needs, no wider than the page
    label = view.keyboard.completion_label
    assert label.height() >= label.heightForWidth(label.width())
    assert label.geometry().right() <= scroll.widget().width()
    assert view.keyboard.completion.strip().split()[-1] in label.text().replace("\u200b", "")


@pytest.mark.parametrize("screen", ["projector", "full HD"])
@pytest.mark.parametrize("section", TextView.SECTIONS)
def test_no_page_is_wider_than_the_demo_area(window_text_view, section, screen):
    """The pages never scroll sideways: whatever they show fits the width the window gives."""
    view = window_text_view(screen)
    view.set_section(section)
    settle()
    scroll = view.tabs.currentWidget()
    assert scroll.widget().isVisible()
    assert not scroll.horizontalScrollBar().isVisible()
    assert cut_off(scroll) == []


def test_the_keyboard_fits_the_demo_area_before_training(window_text_view):
    """What a lesson opens on: the untrained model's guesses fit the width too."""
    view = window_text_view("projector", trained=False)
    assert view.section() == "keyboard"
    assert cut_off(view.tabs.currentWidget()) == []


@pytest.mark.parametrize("widen", ["a wide widget", "a fixed page width"])
def test_a_page_too_wide_for_the_demo_area_is_seen_as_cut_off(window_text_view, widen):
    """The check above fails when a page really is too wide."""
    view = window_text_view("projector")
    view.set_section("samples")
    scroll = view.tabs.currentWidget()
    page = scroll.widget()
    width = scroll.viewport().width() + 40
    if widen == "a wide widget":
        wide = QPushButton("a button as wide as the demo and more")
        wide.setFixedWidth(width)
        page.layout().addWidget(wide)
    else:
        page.setMinimumWidth(width)
    settle()
    found = cut_off(scroll)
    assert found and not scroll.horizontalScrollBar().isVisible()
    if widen == "a wide widget":
        assert any("a button as wide" in line for line in found)


def test_completion_repeats_only_the_end_of_a_long_message():
    prefix = "i want to say hi that i"
    html = completion_html(prefix, " am walking home\n")
    assert "…say hi that i" in html and "i want" not in html
    assert "am walking home" in html and "⏎" in html
    assert "white-space: pre-wrap" in html  # the completion's spaces kept, and wrappable
    short = completion_html("the ca", "t is small and")
    assert "…" not in short.split("</span>")[0] and short.count("the ca") == 1
    assert len("say hi that i") <= COMPLETION_CONTEXT


# ------------------------------------------------------------------------------ percentages

#: "100 %" and "<0.1 %": the two labels that were cut (":0.1 %", "L00 %").
PROBABILITIES = [0.996, 0.0021, 0.0009, 0.0005, 0.0003, 0.0002, 0.0001, 0.00005]


def suggestion_row(qtbot, size=None, chars="abcdefgh", shown=False) -> ProbabilityBars:
    """The keyboard's suggestion row showing ``chars`` with the probabilities above."""
    bars = ProbabilityBars()
    qtbot.addWidget(bars)
    if size is not None:
        bars.resize(*size)
    bars.set_probabilities(list(chars), PROBABILITIES)
    if shown:
        bars.show()
        qtbot.waitExposed(bars)
    return bars


def label_boxes(bars: ProbabilityBars):
    return [g for g in bars.key_geometry() if g.label is not None]


@pytest.mark.parametrize("size", [(240, 160), (330, 180), (420, 200), (1000, 320)])
def test_percentages_fit_their_box_the_widget_and_never_overlap(qtbot, size):
    bars = suggestion_row(qtbot, size, "␣stn\nrol")
    widget = QRectF(bars.rect())
    shown = label_boxes(bars)
    for g in shown:
        fm = QFontMetrics(g.label_font)
        assert fm.horizontalAdvance(g.text) <= g.label.width()
        assert fm.height() <= g.label.height() + 1e-6
        assert inside(g.label, widget)
        assert inside(g.label, g.column)  # never over a neighbour's column
        assert g.label.bottom() <= g.bar.top() + 1e-6  # above its bar, not on it
    for a, b in itertools.combinations(shown, 2):
        assert not a.label.intersects(b.label)
    width = size[0]
    if width >= 420:  # 52 px a key: room for "<0.1%" in the smallest font
        assert len(shown) == len(PROBABILITIES)
    if width >= 1000:  # room for the full size and the spaced form
        assert [g.text for g in shown] == [percent(p) for p in PROBABILITIES]
        assert shown[0].label_font.pointSize() == ProbabilityBars.LABEL_POINTS[1]


def test_percentages_shrink_before_they_are_left_out(qtbot):
    bars = suggestion_row(qtbot)
    sizes = []
    for width in (1000, 600, 420):
        bars.resize(width, 240)
        sizes.append(bars.key_geometry()[0].label_font.pointSize())
        assert len(label_boxes(bars)) == len(PROBABILITIES)
    assert sizes[0] > sizes[-1]
    assert sizes == sorted(sizes, reverse=True)


def test_a_percentage_left_out_is_in_the_tooltip(qtbot):
    bars = suggestion_row(qtbot, (200, 160), shown=True)
    hidden = next(k for k, g in enumerate(bars.key_geometry()) if g.label is None)
    point = bars.key_geometry()[hidden].key.center().toPoint()
    QApplication.sendEvent(bars, QHelpEvent(QEvent.Type.ToolTip, point, bars.mapToGlobal(point)))
    assert QToolTip.text() == f"“{bars.chars[hidden]}”: {percent(PROBABILITIES[hidden])}"
    QToolTip.hideText()


def test_percentages_are_painted_where_the_geometry_says(qtbot):
    """Dark ink of the percentages only inside their boxes: nothing drawn past them."""
    bars = suggestion_row(qtbot, (360, 200), shown=True)
    image = bars.grab().toImage()
    boxes = [g.label for g in label_boxes(bars)]
    top_of_bars = min(g.track.top() for g in bars.key_geometry())
    scale = image.width() / bars.width()
    stray = 0
    for y in range(int(top_of_bars * scale)):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if max(c.red(), c.green(), c.blue()) < 120:
                p = (x / scale, y / scale)
                if not any(b.adjusted(-1, -1, 1, 1).contains(*p) for b in boxes):
                    stray += 1
    assert boxes and stray == 0


# ------------------------------------------------------------------------------ focus


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def test_tab_never_lands_in_a_text_field(text_view):
    view = text_view(700, 840)
    view.activateWindow()
    for section in view.SECTIONS:
        view.set_section(section)
        for _ in range(15):
            view.focusNextChild()
            assert focused() not in view.typing_fields


def test_clicking_the_field_types_and_escape_gives_the_keyboard_back(text_view, qtbot):
    view = text_view(700, 840)
    view.activateWindow()
    field = view.keyboard.edit
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    assert field.hasFocus()
    field.setCursorPosition(len(field.text()))
    qtbot.keyClicks(field, " x")
    assert field.text().endswith(" x")
    QTest.keyClick(field, Qt.Key.Key_Escape)
    assert not field.hasFocus()


def test_a_suggestion_click_types_without_taking_the_focus(text_view):
    view = text_view(700, 840)
    view.activateWindow()
    view.open_button.setFocus()
    before, first = view.keyboard.edit.text(), view.keyboard.suggestions.chars[0]
    key = view.keyboard.suggestions.key_geometry()[0].key.center().toPoint()
    QTest.mouseClick(view.keyboard.suggestions, Qt.MouseButton.LeftButton, pos=key)
    assert view.keyboard.edit.text() == before + first
    assert not view.keyboard.edit.hasFocus()


def window_with_space_shortcut(qtbot, view: TextView):
    """A window like rnnviz's: another tab, the text view, and Space as a window shortcut."""
    window = QWidget()
    qtbot.addWidget(window)
    tabs = QTabWidget()
    other = QPushButton("another demo")
    tabs.addTab(other, "Ball")
    tabs.addTab(view, "Text")
    QVBoxLayout(window).addWidget(tabs)
    presses = []
    play = QAction("Play", window)
    play.setShortcut(QKeySequence("Space"))
    play.triggered.connect(lambda: presses.append(1))
    window.addAction(play)
    window.resize(700, 900)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    view.show_snapshot(lesson_snapshot("text_messaging"))
    settle()
    return window, tabs, other, presses


def press_space() -> None:
    QTest.keyClick(focused() or QApplication.activeWindow(), Qt.Key.Key_Space)


def test_showing_the_text_tab_again_leaves_the_space_bar_to_play_pause(qtbot):
    view = TextView()
    _window, tabs, other, presses = window_with_space_shortcut(qtbot, view)
    tabs.setCurrentIndex(1)
    settle()
    field = view.keyboard.edit
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    assert field.hasFocus()  # the user clicked it: typing works, a space is a space
    field.end(False)  # where the click put the cursor depends on the font's widths
    typed = field.text()
    press_space()
    assert field.text() == typed + " " and presses == []
    other.setFocus()
    tabs.setCurrentIndex(0)
    tabs.setCurrentIndex(1)  # Qt gives the focus back to what had it on the page ...
    settle()
    assert focused() not in view.typing_fields  # ... but not to a text field
    press_space()
    assert presses == [1]
    assert field.text() == typed + " "


def test_switching_sub_tabs_does_not_refocus_a_text_field(qtbot):
    view = TextView()
    _window, tabs, _other, presses = window_with_space_shortcut(qtbot, view)
    tabs.setCurrentIndex(1)
    QTest.mouseClick(view.keyboard.edit, Qt.MouseButton.LeftButton)
    assert view.keyboard.edit.hasFocus()
    view.set_section("scorer")
    view.set_section("keyboard")
    settle()
    assert focused() not in view.typing_fields
    press_space()
    assert presses == [1]


# ------------------------------------------------------------------------------ lessons


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def start(window, qtbot, lesson: str) -> None:
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start(lesson, play=False)


@pytest.mark.parametrize(
    "name, section", [("word_order", "scorer"), ("text_messaging", "keyboard")]
)
def test_a_lesson_says_which_tab_it_is_about(name, section):
    assert load_preset(name).demo == section


def test_a_lesson_opens_the_tab_it_is_about(window, qtbot):
    for name, section in (
        ("word_order", "scorer"),
        ("text_messaging", "keyboard"),
        ("word_order", "scorer"),
    ):
        start(window, qtbot, name)
        assert window.tabs.currentWidget() is window.text_view
        assert window.text_view.section() == section


def test_a_new_run_of_the_same_lesson_keeps_the_users_tab(window, qtbot):
    start(window, qtbot, "word_order")
    view = window.text_view
    view.set_section("samples")
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.reset()
    assert view.section() == "samples"
    # settings of no lesson (a changed hidden size) leave the tab as it is
    with qtbot.waitSignal(window.controller.run_reset, timeout=10_000):
        window.apply_settings({"model.hidden_size": 8})
    assert view.section() == "samples"


def test_a_word_too_long_for_a_line_may_break_anywhere_and_a_short_one_stays_whole():
    """An untrained model completes with one long "word"; it must wrap inside the demo."""
    long_word = "o" * 40
    assert breakable(f"the cat {long_word}").split(" ")[:2] == ["the", "cat"]
    assert breakable(long_word).count("\u200b") == 39
    assert breakable(long_word).replace("\u200b", "") == long_word
    assert "\u200b" not in completion_html("the ca", "t is small")


# ------------------------------------------------------------------------------ the view


def test_the_text_view_is_a_view(qtbot):
    view = TextView()
    qtbot.addWidget(view)
    check_view(view)
    assert view.name == "text"


def test_set_layer_chooses_the_layer_and_direction_that_colours_the_text(qtbot):
    """Two layers, both directions: entry k of the snapshot's layout colours the text."""
    settings = {"model.num_layers": "2", "model.bidirectional": "true", "seq_len": "16"}
    config = TrainConfig(task="text").with_settings({**settings, "model.hidden_size": "8"})
    snapshot = list(Trainer(config).run(steps=2))[-1]
    assert snapshot.layout.count == 4
    view = TextView()
    qtbot.addWidget(view)
    view.show()
    view.show_snapshot(snapshot)
    view.select_unit(3)
    example = view.example
    steps = len(snapshot.predictions["text"])
    colours = []
    with qtbot.assertNotEmitted(view.cursor_moved), qtbot.assertNotEmitted(view.unit_selected):
        for k, name in enumerate(snapshot.layout.labels):
            view.set_layer(k)
            expected = value_colors(snapshot.hidden[k][:steps, 3])
            np.testing.assert_array_equal(example.activation_text.colors, expected)
            assert example.layer_label.isVisible() and example.layer_label.text() == name
            colours.append(example.activation_text.colors.copy())
    for a, b in itertools.combinations(colours, 2):
        assert not np.array_equal(a, b)
    # a one-layer run names no layer
    view.show_snapshot(lesson_snapshot("text_messaging"))
    assert not example.layer_label.isVisible()
