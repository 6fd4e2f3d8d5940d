"""Compare mode in the window: the lesson's runs side by side (``ComparePage``), started from the
lesson bar's "Side by side", View → Side by side, or ``rnnviz --compare rnn,lstm,gru``.

While comparing, the compare page takes the place of the demo and the views; the training
keys act on every run (``Controller.compare``). Leaving keeps the main run, the lesson's own
(or the first cell named), with its views as they were.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from rnnviz.gui.compare_page import ComparePage
from rnnviz.gui.lesson_bar import run_labels
from rnnviz.training.cell_list import cell_label

__all__ = ["MAX_COMPARED", "install_compare"]

#: The most runs side by side: three columns fit a projector, and two cores share them.
MAX_COMPARED = 3


def lesson_runs(lesson) -> list[tuple[str, object]]:
    """(name, config) of the lesson's own run and of its comparisons, at most
    ``MAX_COMPARED``: named by their cells when those differ, else as the lesson's buttons
    name them ("as in the lesson", "snapshot model (one frame)")."""
    configs = [lesson.config, *(c for _, c in lesson.compare_configs())][:MAX_COMPARED]
    cells = [c.model.cell for c in configs]
    names = [cell_label(c) for c in cells] if len(set(cells)) == len(cells) else run_labels(lesson)
    return list(zip(names, configs, strict=False))


def cell_runs(lesson, cells) -> list[tuple[str, object]]:
    """(name, config) of the lesson with each of ``cells`` (``rnnviz.training.settings.Cell``)."""
    return [(cell_label(c), lesson.config.with_settings({"model.cell": c.value})) for c in cells]


def install_compare(window, menu) -> ComparePage:
    """Give ``window`` compare mode: ``window.compare_page``, ``window.compare_action`` (View
    menu), ``window.compare_lesson()`` and ``window.compare_cells(cells)``."""
    page = ComparePage()
    page.hide()
    window.splitter.addWidget(page)
    window.compare_page = page
    controller, bar = window.controller, window.lesson_bar
    action = QAction("Side by side", window)
    action.setCheckable(True)
    action.setToolTip("The lesson's runs side by side, training at once (compare mode)")
    menu.addAction(action)
    window.compare_action = action

    def set_checked(on: bool) -> None:
        for switch in (action, bar.side_by_side):
            switch.blockSignals(True)
            switch.setChecked(on)
            switch.blockSignals(False)

    def start(runs, lesson, play=None) -> None:
        names, configs = [name for name, _ in runs], [config for _, config in runs]

        def go() -> None:
            playing = controller.state == "training" if play is None else play
            # the lesson stays named in the bar once the first run has begun, none of its
            # single runs' buttons pressed: they are all on the page
            window._expect_lesson(configs[0], lesson, None)
            if not controller.compare(configs, play=playing, names=names):
                set_checked(False)

        quoted = [f"“{name}”" for name in names]
        runs_named = " and ".join([", ".join(quoted[:-1]), quoted[-1]])
        window.ask_to_discard(
            f"The runs {runs_named} side by side replace it.", go, lambda: set_checked(False)
        )

    def compare_lesson() -> None:
        if window.lesson is not None and window.lesson.compare:
            start(lesson_runs(window.lesson), window.lesson)
        else:
            set_checked(False)
            window.show_error("This lesson compares no runs: open one with comparison buttons.")

    def compare_cells(cells, lesson=None, play=None) -> None:
        """``cells`` (2 or 3) side by side on ``lesson`` (default: the open one), training
        if ``play`` (default: if the run was)."""
        lesson = lesson or window.lesson
        if lesson is not None:
            start(cell_runs(lesson, cells), lesson, play)

    def toggled(on: bool) -> None:
        if on:
            compare_lesson()
        else:
            controller.end_compare()

    sidebar_before = [True]

    def changed(runs) -> None:
        comparing = bool(runs)
        if comparing:
            page.set_runs([(h, h.config.model.cell.value, h.name) for h in runs])
        if comparing != page.isHidden():  # already the page (or not) it should be
            return
        if comparing:
            # the settings are one run's, and the columns need the room
            sidebar_before[0] = window.sidebar_action.isChecked()
            window.show_sidebar(False)
        else:
            window.show_sidebar(sidebar_before[0])
            lesson = window.lesson
            if lesson is not None:  # one run again: its button pressed, if it is the lesson's
                own = controller.config == lesson.config
                window._variant = 0 if own else None
                bar.show_lesson(lesson, window._variant)
        window.tabs.setVisible(not comparing)
        window.panel_area.setVisible(not comparing)
        page.setVisible(comparing)
        set_checked(comparing)

    def on_snapshot(handle, snapshot) -> None:
        if handle in controller.compared:
            page.show_run(handle, snapshot, handle.state)

    action.toggled.connect(toggled)
    bar.side_by_side_toggled.connect(toggled)
    controller.compare_changed.connect(changed)
    controller.run_snapshot.connect(on_snapshot)
    window.compare_lesson, window.compare_cells = compare_lesson, compare_cells
    return page
