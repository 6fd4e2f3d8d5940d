"""The redraw scheduler on its own: views that only record what they were asked to draw."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

pytest.importorskip("PySide6.QtCore")

from PySide6.QtWidgets import QWidget

from rnnviz.gui.redraw import RedrawScheduler


@dataclass(frozen=True)
class Shot:
    """What the scheduler reads of a snapshot: its run (and, here, a number to tell it by)."""

    run_id: int
    iteration: int


class View(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.drawn: list[tuple[int, int]] = []

    def show_snapshot(self, snapshot: Shot) -> None:
        self.drawn.append((snapshot.run_id, snapshot.iteration))


@pytest.fixture
def views(qtbot):
    made = [View() for _ in range(4)]
    for view in made:
        qtbot.addWidget(view)
        view.show()
    return made


def test_posting_draws_nothing_then_one_view_per_turn_and_only_the_newest(qtbot, views):
    scheduler = RedrawScheduler(views)
    order = []
    scheduler.drawn.connect(order.append)
    for k in range(5):
        scheduler.post(Shot(1, k))
    assert all(v.drawn == [] for v in views) and scheduler.drawing
    qtbot.waitUntil(lambda: not scheduler.drawing, timeout=2000)
    assert all(v.drawn == [(1, 4)] for v in views)  # latest wins, once each
    assert order == views and scheduler.run_shown


def test_a_slow_view_waits_for_its_interval_but_ends_on_the_newest(qtbot, views):
    slow = views[0]
    scheduler = RedrawScheduler(views, {slow: 1.5})  # (long enough for a loaded machine)
    scheduler.post(Shot(1, 0))
    qtbot.waitUntil(lambda: not scheduler.drawing, timeout=2000)
    scheduler.post(Shot(1, 1))
    qtbot.waitUntil(lambda: all(v.drawn[-1] == (1, 1) for v in views[1:]), timeout=2000)
    assert slow.drawn == [(1, 0)] and scheduler.drawing  # its interval has not passed
    scheduler.post(Shot(1, 2))
    qtbot.waitUntil(lambda: not scheduler.drawing, timeout=5000)
    assert slow.drawn == [(1, 0), (1, 2)]  # the newest, skipping the one in between


def test_a_new_run_is_drawn_at_once_even_by_a_slow_view(qtbot, views):
    slow = views[0]
    scheduler = RedrawScheduler(views, {slow: 60.0})
    scheduler.post(Shot(1, 0))
    qtbot.waitUntil(lambda: not scheduler.drawing, timeout=2000)
    scheduler.post(Shot(2, 0))
    qtbot.waitUntil(lambda: not scheduler.drawing, timeout=2000)
    assert slow.drawn == [(1, 0), (2, 0)] and scheduler.run_shown


def test_a_hidden_view_draws_when_shown_and_does_not_hold_up_the_others(qtbot, views):
    hidden = views[1]
    hidden.hide()
    scheduler = RedrawScheduler(views)
    scheduler.post(Shot(1, 3))
    qtbot.waitUntil(lambda: not scheduler.drawing, timeout=2000)
    assert hidden.drawn == [] and all(v.drawn == [(1, 3)] for v in views if v is not hidden)
    assert scheduler.run_shown  # every view in sight has
    hidden.show()
    assert not scheduler.run_shown and scheduler.drawing
    scheduler.draw_now()
    assert hidden.drawn == [(1, 3)] and scheduler.run_shown


def test_views_take_turns_when_snapshots_come_faster_than_they_draw(qtbot, views):
    # one post per turn of the event loop: the view that has waited longest draws next, so
    # the last views are not starved by the first ones redrawing every new snapshot
    scheduler = RedrawScheduler(views)
    for k in range(len(views)):
        scheduler.post(Shot(1, k))
        scheduler._draw_next()  # (the timer's turn, run by hand)
    assert [len(v.drawn) for v in views] == [1, 1, 1, 1]
    assert [v.drawn[0][1] for v in views] == [0, 1, 2, 3]


def test_every_view_of_the_window_may_redraw_at_least_25_times_a_second(qtbot, views):
    """The goal: every plot redrawn ≥ 25 times a second as snapshots come (30 a second); the
    curves over iterations once waited 0.2 s and 0.1 s between redraws."""
    from rnnviz.gui.redraw import SLOW_VIEW_INTERVAL

    slow = views[0]
    scheduler = RedrawScheduler(views, {slow: SLOW_VIEW_INTERVAL["loss"]})
    scheduler.post(Shot(1, 0))
    scheduler.draw_now()
    for name in ("loss", "gradient"):
        scheduler._intervals[slow] = SLOW_VIEW_INTERVAL[name]
        assert scheduler._due_at(slow) - scheduler._drawn_at[slow] <= 1 / 25
