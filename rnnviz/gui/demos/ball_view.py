"""The moving-ball arena: where the ball went, where the network thinks it goes next.

The unit box (y up, four walls) holds the example throw of the latest snapshot, framed to fill
the view ("Zoom in": framed on the throw and its predictions instead). ``BallView`` holds the
parts and passes them the snapshot, the time cursor and the mouse:

- ``ball_legend``: the banner saying what the mode asks ("snapshot" mode: the model sees one
  frame only), the legend, "Zoom in" and "Back to the example";
- ``ball_arena``: the box, the occluder ("gap" mode), the ball, the prediction made at the
  cursor and the true answer with their direction arrows, and the ``ball_trail``: the frames up
  to the cursor solid, the later ones faint (a bidirectional network in "gap" mode has seen
  every frame but the hidden ones: all solid), the earlier predictions, the filled-in path;
- ``ball_texts``: the title that scores this one throw ("this ball: 17 of 19 directions
  right", not the batch the loss view averages over; counted as the task's direction accuracy
  counts, by ``rnnviz.training.demos.ball.score``) and the read-out of frame t under the arena;
- ``ball_throw``: drag in the box to throw a ball; the task's physics flies it and the
  snapshot's private model predicts it, live while dragging and again as training goes on.

What the task is (mode, direction sectors, gap, box, speeds, gravity) is the snapshot's
``task`` (a ``BallFacts``); the view never imports the task.

Signals: ``cursor_moved(int)`` (from ``Panel``), ``ball_thrown()`` when a throw is released.
Slots: ``show_snapshot(snapshot)``, ``set_cursor(int)``, ``set_layer(int)``,
``back_to_example()``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QFontMetrics

from rnnviz.gui.demos.ball_arena import BallArena
from rnnviz.gui.demos.ball_legend import BallLegend
from rnnviz.gui.demos.ball_texts import HINT, WrappedReadout, describe_frame, title_options
from rnnviz.gui.demos.ball_throw import MIN_DRAG, THROW_SEED, BallThrow, throw_velocity
from rnnviz.gui.panels._common import TITLE_PT, Panel, font, set_title
from rnnviz.training.demos.ball import ball_facts, score, scored_frames

__all__ = ["THROW_SEED", "BallView"]

#: A click this close (box widths) to a trail position moves the time cursor there.
CLICK_RADIUS = 0.06

#: The parts' items the view shows as its own attributes (for inspection and tests).
_ARENA_ITEMS = (
    "view_box",
    "plot",
    "walls",
    "occluder",
    "occluder_label",
    "ball_marker",
    "predicted_marker",
    "true_marker",
    "predicted_arrow",
    "true_arrow",
    "aim_arrow",
)
_TRAIL_ITEMS = (
    "trail",
    "trail_points",
    "future_trail",
    "future_points",
    "hidden_points",
    "predicted_path",
    "predicted_line",
)
_LEGEND_ITEMS = ("banner", "legend_entries", "legend_row", "zoom_box", "back_button")


class BallView(Panel):
    """The ball arena (see the module docstring).

    Attributes for inspection (and tests): ``example`` and ``thrown`` (the predictions dicts
    drawn, the latter None unless a ball was thrown), ``shown`` (whichever is on screen),
    ``facts`` (the snapshot's ``BallFacts``), the parts ``legend``, ``arena`` and the
    ``readout`` under the arena, and the parts' items as the view's own: the scatter items
    ``ball_marker``, ``predicted_marker``, ``true_marker``, ``trail_points`` (the frames up to
    the cursor), ``future_points`` (the faint later ones), ``hidden_points``,
    ``predicted_path``, the lines ``trail``, ``future_trail`` and ``predicted_line``, the
    arrows ``predicted_arrow`` and ``true_arrow``, the ``walls`` and ``occluder`` rectangles,
    the ``banner`` label, the ``legend_entries`` labels (in the ``legend_row`` flow layout),
    ``zoom_box`` and the ``back_button``.
    """

    name = "ball"
    about = (
        "A ball flies in a box, one frame per time step, and the network predicts where it "
        "goes next. The blue dots are where it has been up to the time cursor (the later "
        "frames faint: the network has not seen them yet); the vermillion dot and arrow are "
        "the network's guess, the green ring and arrow the right answer. In gap mode the ball "
        "hides behind the grey occluder and the network fills in its path. The title counts "
        "how often this one ball's direction was guessed right. Drag in the box to throw a "
        "ball of your own."
    )
    formula = (
        "ŷ_t = W_hy h_t + b_y  (the guessed position, from the hidden state h_t)\n"
        "L = (1/T) Σ_t ‖ŷ_t − p_{t+1}‖²  (mean squared error against where the ball went)"
    )

    #: The user released a thrown ball (its predictions are in ``thrown``).
    ball_thrown = Signal()

    hint = HINT

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.example: dict[str, np.ndarray] | None = None
        self.facts = None  # the snapshot's BallFacts
        self._bidirectional = False
        self._title: str | None = None
        self._shortest_title = False  # while the view measures the room it needs
        self._dragging = False
        self._throw = BallThrow(self)
        self._model = self._throw.model  # the private model (never the trainer's arrays)
        self._throw.predicted.connect(self._thrown_predicted)
        self.legend = BallLegend(self.controls)
        self.legend.back_button.clicked.connect(self.back_to_example)
        self.legend.zoom_box.toggled.connect(self._fit_range)
        self.arena = BallArena(self.view, self._on_click, self._on_drag)
        for name in _ARENA_ITEMS:
            setattr(self, name, getattr(self.arena, name))
        for name in _TRAIL_ITEMS:
            setattr(self, name, getattr(self.arena.ball_trail, name))
        for name in _LEGEND_ITEMS:
            setattr(self, name, getattr(self.legend, name))
        # the zoomed frame follows the view's shape, the title its width
        self.view_box.sigResized.connect(self._fit_range)
        self.view.sigDeviceRangeChanged.connect(self._update_title)
        # the frame's read-out wraps instead of ending in "…" (it is a sentence, not a number)
        self.readout = WrappedReadout()
        self.readout.setFont(self.hover_label.font())
        self.readout.setStyleSheet(self.hover_label.styleSheet())
        self.layout().replaceWidget(self.hover_label, self.readout)
        self.hover_label.hide()
        self.set_readout(None)

    # ---------------------------------------------------------------- the view interface

    @property
    def thrown(self) -> dict[str, np.ndarray] | None:
        """The thrown ball's predictions; None unless a ball was thrown."""
        return self._throw.thrown

    @property
    def shown(self) -> dict[str, np.ndarray] | None:
        """The predictions on screen: the thrown ball's if there is one, else the example's."""
        return self.thrown if self.thrown is not None else self.example

    @property
    def mode(self) -> str:
        """The task's mode: "next", "snapshot" or "gap"."""
        return self.facts.mode if self.facts is not None else "next"

    @Slot(int)
    def set_layer(self, index: int) -> None:
        """Accepted and ignored: the arena draws the network's outputs (positions and
        directions), which belong to no single layer·direction, so the window's shared
        selector changes nothing here."""

    @Slot(object)
    def show_snapshot(self, snapshot) -> None:
        """Draw the example of ``snapshot`` (or, after a throw, predict the thrown ball with
        its weights, at most every ``THROW_REFRESH_MS``)."""
        self.snapshot = snapshot
        facts = ball_facts(snapshot)
        predictions = snapshot.predictions
        if facts is None or "true_positions" not in predictions:
            self.example = self.facts = None
            self._throw.clear()
            self._show_back_button()
            self._steps = 0
            self.show_message(
                "The ball arena shows the moving-ball task.\n"
                f"This run trains the {snapshot.task.name} task."
            )
            return
        self._bidirectional = snapshot.layout.directions == 2
        self.legend.set_mode(facts.mode, facts.directions, facts.gap, self._bidirectional)
        self.arena.set_box(facts.box)
        self.facts = facts
        self.example = {k: np.asarray(v) for k, v in predictions.items()}
        self._throw.follow(snapshot, len(self.example["true_positions"]))
        self._update_title()
        self._draw()
        self.show_plots()

    def _measuring_size(self, measuring: bool) -> None:
        # the view asks for the room of its shortest title only: a longer one is shown when
        # there is room (see _update_title)
        self._shortest_title = measuring
        self._update_title()

    # ---------------------------------------------------------------- the title

    def ball_score(self) -> tuple[int, int] | float | None:
        """How the shown throw went: (right, counted) direction guesses ("next", "snapshot":
        the frames the direction accuracy counts), the mean distance of the guesses behind the
        occluder ("gap"), or None when there is nothing to count."""
        if self.shown is None or self.facts is None:
            return None
        return score(self.shown, self.facts)

    def title_options(self) -> list[str]:
        """The titles, the most telling first (``ball_texts.title_options``)."""
        if self.snapshot is None:
            return []
        directions = self.facts.directions if self.facts is not None else 8
        return title_options(
            self.snapshot.iteration, self.thrown is not None, self.ball_score(), directions
        )

    @Slot()
    def _update_title(self, *_args) -> None:
        options = self.title_options()
        if not options:
            return
        # the first that fits the arena's width, from a long sentence down to numbers
        metrics = QFontMetrics(font(TITLE_PT))
        room = self.view.width() - 30
        fitting = [t for t in options if metrics.horizontalAdvance(t) <= room]
        if self._shortest_title:
            fitting = []
        title = fitting[0] if fitting else min(options, key=metrics.horizontalAdvance)
        if title != self._title:
            self._title = title
            set_title(self.plot, title)

    # ---------------------------------------------------------------- drawing

    def _draw(self) -> None:
        preds = self.shown
        if preds is None:
            return
        self._steps = len(preds["true_positions"])
        gap_mode = self.mode == "gap"
        true = np.asarray(preds["true_positions"], dtype=np.float64)  # (T, 2)
        visible = np.asarray(preds["visible"], dtype=bool)  # (T,)
        self.arena.place_occluder(true, visible if gap_mode else None)
        if not self._fit_range():  # (a new range draws the frame already: once, not twice)
            self._place_cursor()

    def seen_through(self, t: int) -> int:
        """The last frame drawn as seen with the cursor at ``t``: ``t`` itself (the network has
        seen the frames so far), or every frame for a bidirectional network filling a gap (it
        reads the throw both ways)."""
        if self.mode == "gap" and self._bidirectional:
            return self._steps - 1
        return t

    @Slot()
    def _fit_range(self, *_args) -> bool:
        """Show the range to show; whether it moved (and the frame was drawn in it)."""
        zoomed = self.zoom_box.isChecked() and self.thrown is None
        box = self.arena.zoom_range(self.example if zoomed else None)
        if not self._dragging and self.arena.set_range(box):
            self._place_cursor()
            return True
        return False

    def _place_cursor(self) -> None:
        preds = self.shown
        if preds is None or self._steps <= 0:
            return
        t = self.cursor()
        self.arena.draw(preds, t, self.mode == "gap", self.seen_through(t))
        self.set_readout(self._describe(t))

    def set_readout(self, text: str | None) -> None:
        super().set_readout(text)
        if hasattr(self, "readout"):
            self.readout.setText(self.hover_label.text())

    def _describe(self, t: int) -> str:
        preds = self.shown
        # scored only where the title's score (and the loss view's accuracy) counts a guess:
        # the first frame of "next" has one position, so no direction to get right or wrong
        scored = bool(scored_frames(preds, self.facts)[t])
        return describe_frame(preds, t, self.mode, self.facts.directions, scored)

    # ---------------------------------------------------------------- mouse

    def _on_click(self, point) -> None:
        preds = self.shown
        if preds is None:
            return
        true = np.asarray(preds["true_positions"], dtype=np.float64)
        distance = np.hypot(true[:, 0] - point.x(), true[:, 1] - point.y())
        distance[~np.isfinite(distance)] = np.inf
        t = int(np.argmin(distance))
        if distance[t] <= CLICK_RADIUS:
            self._user_cursor(t)

    def _on_drag(self, start, point, finished: bool) -> None:
        if self.example is None:
            return
        self._dragging = not finished  # the view keeps its range under the mouse until release
        x0, y0, x1, y1 = self.arena.box
        p0 = np.clip([start.x(), start.y()], [x0, y0], [x1, y1])
        now = np.array([point.x(), point.y()])
        drag = now - p0
        self.aim_arrow.scale = self.arena.zoom()
        if finished:
            self.aim_arrow.set(None, None)
        else:
            self.aim_arrow.set(p0, now)
        if float(np.hypot(*drag)) >= MIN_DRAG:
            self.throw(p0, throw_velocity(drag, self.facts))
        if finished:
            self._show_back_button()
            self._fit_range()
            if self._throw.active:
                self.ball_thrown.emit()

    # ---------------------------------------------------------------- throwing

    def throw(self, start, velocity) -> dict[str, np.ndarray] | None:
        """Throw a ball from ``start`` (2,) inside the box at ``velocity`` (2,) box widths per
        frame, as many frames as the example has, and draw the private model's predictions
        for it. Returns them (None before the first ball snapshot)."""
        if self.example is None:
            return None
        frames = len(self.example["true_positions"])
        self._throw.throw(start, velocity, self.snapshot, frames)
        if not self._throw.active:  # no weights to predict it with: the example stays
            self._thrown_predicted()
        return self.thrown

    @Slot()
    def _thrown_predicted(self) -> None:
        self._show_back_button()
        self._update_title()
        self._draw()

    def _show_back_button(self) -> None:
        """Offer "Back to the example" while a thrown ball is shown. It appears once the drag
        is released: the legend's rows may wrap anew, and the arena must not move under the
        mouse while it aims."""
        thrown = self._throw.active
        self.back_button.setEnabled(thrown)
        if not self._dragging:
            self.back_button.setVisible(thrown)

    @Slot()
    def back_to_example(self) -> None:
        """Forget the thrown ball and show the training example again."""
        self._throw.clear()
        self.aim_arrow.set(None, None)
        self._show_back_button()
        self._update_title()
        self._draw()
