"""Every lesson fits a projector's 1280 × 720; the window opens at a size that fits its screen;
``render --size W×H`` writes exactly W × H pixels."""

import pyqtgraph as pg
import pytest
from gui_helpers import settle
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QScreen

from rnnviz.gui.app import render
from rnnviz.gui.main_window import MainWindow
from rnnviz.gui.panels._common import MIN_DATA_AREA
from rnnviz.gui.window_size import FRAME, LARGEST, opening_size
from rnnviz.training.presets import list_presets

PROJECTOR = QSize(1280, 720)
#: What a 1280 × 720 screen leaves inside a usual window frame (title bar and borders).
INSIDE = PROJECTOR - FRAME

RUNS = [
    pytest.param(preset.name, k, id=f"{preset.name}-{k}")
    for preset in list_presets()
    for k in range(1 + len(preset.compare))
]


def fits(size: QSize, room: QSize = INSIDE) -> bool:
    return size.width() <= room.width() and size.height() <= room.height()


def show_every_view(window, qtbot) -> None:
    """Bring each view the lesson shows to the front in turn (in tabs a hidden view is not
    drawn) until each has drawn the run, so that each has sized itself to the model."""
    run = window.controller.run_id
    panels = [p for p in window.panels if p in window.panel_area.shown]  # a focused lesson's
    for panel in (*panels, panels[0]):
        window.panel_area.bring_into_view(panel)
        qtbot.waitUntil(panel.isVisible, timeout=2_000)
        qtbot.waitUntil(lambda p=panel: getattr(p.snapshot, "run_id", None) == run, timeout=5_000)
        settle()


def assert_nothing_clipped(window) -> None:
    """What the user sees at this size: no plot of a shown view below the readable area, the
    lesson's text whole, every setting in sight without scrolling."""
    for panel in window.panels:
        if not panel.isVisible() or panel.is_showing_message():
            continue
        for plot in panel.view.ci.items:
            vb = getattr(plot, "vb", None)
            if vb is None or isinstance(plot, pg.ColorBarItem) or not plot.isVisible():
                continue
            assert vb.width() >= MIN_DATA_AREA.width() - 1, f"{type(panel).__name__} too narrow"
            assert vb.height() >= MIN_DATA_AREA.height() - 1, f"{type(panel).__name__} too low"
        assert panel.height() >= panel.minimumSizeHint().height()
        assert panel.width() >= panel.minimumSizeHint().width()
    bar = window.lesson_bar
    assert bar.isVisible()
    for label in (bar.title, bar.explanation):
        assert label.wordWrap()
        assert label.height() >= label.heightForWidth(label.width()), "lesson text cut off"
    if window.sidebar.isVisible():
        assert not window.sidebar.horizontalScrollBar().isVisible()
        # the last setting once sat half under the window's edge, a scroll bar beside it
        assert not window.sidebar.verticalScrollBar().isVisible(), "the settings scroll"
        assert window.controls.width() >= window.controls.minimumSizeHint().width()


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(INSIDE)
    win.show()
    yield win
    win.close()


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "variant"), RUNS)
def test_every_lesson_and_comparison_fits_a_projector(window, qtbot, preset, variant):
    window.focus_action.setChecked(False)  # every view (test_lesson_focus: the lesson's own)
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start(preset, play=False)
    if variant:
        with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
            window.start_variant(variant)
    show_every_view(window, qtbot)
    for sidebar in (True, False):
        window.show_sidebar(sidebar)
        settle()
        for what, size in (
            ("window's least size", window.minimumSizeHint()),
            ("window's minimum", window.minimumSize()),
            ("views' least size", window.centralWidget().minimumSizeHint()),
        ):
            assert fits(size), f"{what} {size.width()}×{size.height()} (sidebar: {sidebar})"
        window.resize(INSIDE)
        settle()
        assert window.size() == INSIDE  # not pushed larger by a view
        for panel in window.panels:  # each view in turn, at the size it gets
            window.panel_area.bring_into_view(panel)
            settle()
            assert_nothing_clipped(window)
        page = window.network_page  # the diagram over its equations
        window.panel_area.bring_into_view(page)
        settle()
        assert window.size() == INSIDE
        assert page.isVisible()
        assert page.height() >= page.minimumSizeHint().height()
        assert page.width() >= page.minimumSizeHint().width()
        diagram = window.diagram_view
        assert diagram.height() >= diagram.minimumSizeHint().height()


def test_the_gate_maps_drop_their_titles_rather_than_force_the_height(window, qtbot):
    # five LSTM gate maps with a title row each asked for 631 px in their tab: the window
    # grew to 788 px; the titles come back where there is room
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=10_000):
        window.start("lstm_gates", play=False)
    qtbot.waitUntil(
        lambda: window.gate_panel.isVisible() and bool(window.gate_panel.maps), timeout=5_000
    )
    settle()
    gates = window.gate_panel
    assert len(gates.maps) == 5 and fits(window.minimumSizeHint())
    assert_nothing_clipped(window)
    assert not any(m.shown_title for m in gates.maps)  # no room at 720 px
    window.resize(2560, 1600)
    qtbot.waitUntil(
        lambda: gates.isVisible() and all(m.shown_title for m in gates.maps), timeout=5_000
    )
    settle()
    assert all(m.view.height() >= MIN_DATA_AREA.height() for m in gates.maps)


# ------------------------------------------------------------------ the opening size


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        (QSize(1280, 720), QSize(1280, 720) - FRAME),  # a projector: all of it
        (QSize(1280, 690), QSize(1280, 690) - FRAME),  # …with a task bar
        (QSize(1920, 1050), QSize(1728, 945)),  # 90 %
        (QSize(2560, 1400), LARGEST),  # at most 1800 × 1000
        (QSize(1366, 740), QSize(1264, 680)),  # at least what the lessons fit
        (QSize(800, 600), QSize(800, 600) - FRAME),  # a small screen: all of it
    ],
)
def test_the_window_opens_at_a_size_that_fits_its_screen(available, expected):
    size = opening_size(available)
    assert size == expected
    assert fits(size + FRAME, available)


@pytest.mark.parametrize(
    "free", [QRect(0, 32, 1280, 688), QRect(1920, 0, 1920, 1050), QRect(0, 0, 2560, 1400)]
)
def test_the_window_opens_inside_the_screen_it_is_on(qtbot, monkeypatch, free):
    # a stubbed screen (the offscreen one is 800 × 600): a projector under a top bar, a
    # second screen to the right of the first, a large screen
    monkeypatch.setattr(QScreen, "availableGeometry", lambda screen: QRect(free))
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.size() == opening_size(free.size())
    window.show()
    settle()
    outer = window.frameGeometry()
    assert free.contains(outer), f"{outer} is not inside {free}"
    window.close()


# ------------------------------------------------------------------ render --size


@pytest.mark.parametrize(
    ("preset", "panel", "size"),
    [
        ("lstm_gates", "window", (1280, 720)),
        ("lstm_gates", "window", (1920, 1080)),
        ("lstm_gates", "gates", (400, 300)),
        ("deep_bidirectional", "window", (1280, 720)),
        ("deep_bidirectional", "hidden", (640, 360)),
        ("deep_bidirectional", "window", (200, 150)),
        ("moving_ball", "demo", (200, 150)),
        ("text_messaging", "loss", (300, 900)),
        ("vanishing_gradient", "gradient", (200, 150)),
    ],
)
def test_render_writes_exactly_the_size_asked_for(qtbot, tmp_path, preset, panel, size):
    out = tmp_path / "picture.png"
    result = render(preset, 0, str(out), panel, size)
    image = QImage(str(out))
    assert (image.width(), image.height()) == size
    assert tuple(result["size"]) == size
    drawn = result["drawn_at"]
    # drawn larger and scaled down only where the view cannot fit, with the same proportions
    assert drawn[0] >= size[0] and drawn[1] >= size[1]
    assert abs(drawn[0] / drawn[1] - size[0] / size[1]) < 0.01
    if size[0] >= 1280 and panel == "window":
        assert list(drawn) == list(size)  # a projector's size needs no scaling
