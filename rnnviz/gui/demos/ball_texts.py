"""The words of the ball arena: the title that scores the shown throw ("this ball: 17 of 19
directions right"), the read-out that describes frame t, wrapped over as many lines as it
needs, and the names of the directions.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

__all__ = [
    "HINT",
    "SHORT_HINT",
    "WrappedReadout",
    "describe_frame",
    "direction_name",
    "title_options",
]

_COMPASS = {
    8: ("E", "NE", "N", "NW", "W", "SW", "S", "SE"),
    4: ("E", "N", "W", "S"),
}

HINT = "Drag in the box to throw a ball · click a dot or press Shift+←/→ to move the time cursor"
SHORT_HINT = "drag in the box to throw a ball"


def direction_name(sector: int, directions: int) -> str:
    """ "NE" for sector 1 of 8; "135°" for sectors without compass names; "–" for none."""
    if sector < 0:  # NO_DIRECTION
        return "–"
    names = _COMPASS.get(directions)
    if names is not None:
        return names[sector]
    return f"{sector * 360 / directions:g}°"


class WrappedReadout(QLabel):
    """A read-out word-wrapped over as many lines as its text needs (never cut off with "…").
    It never asks for width, and while its width stays its height only grows: stepping through
    the frames must not make the arena above it jump up and down."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        hint.setWidth(0)
        return hint

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)
        self._fit(shrink=False)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit(shrink=True)

    def _fit(self, shrink: bool) -> None:
        need = self.heightForWidth(max(self.width(), 1))
        if not shrink:
            need = max(need, self.height() if self.minimumHeight() else 0)
        if need != self.minimumHeight() or need != self.maximumHeight():
            self.setFixedHeight(need)


def title_options(
    iteration: int, thrown: bool, score: tuple[int, int] | float | None, directions: int
) -> list[str]:
    """The titles, the most telling first: all about this one throw (the loss view's
    accuracy is the mean over a batch of throws, so it differs).

    Parameters
    ----------
    iteration : int
        The snapshot's.
    thrown : bool
        Whether the throw shown is one the user threw.
    score : (right, counted), float or None
        The throw's score (``rnnviz.training.demos.ball.score``).
    directions : int
        The number of direction sectors (chance is one of them).
    """
    i = iteration
    if thrown:
        heads = [
            f"Your throw, predicted by the network of iteration {i}",
            f"Your throw, iteration {i}",
            "Your throw",
        ]
    else:
        heads = [f"Iteration {i} · this ball", "this ball"]
    if score is None:
        scores = [""]
    elif isinstance(score, float):
        scores = [
            f": the hidden frames guessed {score:.3f} box widths off",
            f": guesses {score:.3f} box widths off",
            f": {score:.3f} box widths off",
            f": {score:.3f} off",
        ]
    else:
        right, counted = score
        scores = [
            f": direction right {right} of {counted} times (chance 1 in {directions})",
            f": {right} of {counted} directions right",
            f": {right}/{counted} right",
        ]
    if thrown:
        # "Your throw, predicted ...: 17 of 19 ..." reads badly; a throw is one ball anyway
        scores = [s.replace(": ", " · ", 1) for s in scores]
    # a score in words before the iteration (the status bar has it), numbers only last
    worded = [head + score for head in heads for score in scores[:-1]]
    return worded + [head + scores[-1] for head in heads]


def describe_frame(
    predictions: dict[str, np.ndarray], t: int, mode: str, directions: int, scored: bool
) -> str:
    """The read-out of frame ``t`` of a throw (``BallTask.predictions``) in ``mode``; its
    directions are judged ✓/✗ only where ``scored`` (where the title's score and the loss
    view's accuracy count a guess)."""
    visible = bool(predictions["visible"][t])
    guessed = int(predictions["predicted_direction"][t])
    right = int(predictions["true_direction"][t])
    if mode == "gap":
        if visible:
            head = f"Frame {t}: seen by the network"
        else:
            miss = predictions["predicted_positions"][t] - predictions["true_positions"][t]
            head = f"Frame {t} (hidden): the guess is {float(np.hypot(*miss)):.3f} box widths off"
    else:
        head = f"Frame {t}"
        if mode == "next" and t == 0:
            head += ": one position seen, nobody can know the direction yet"
    if scored:
        mark = "✓" if guessed == right else "✗"
        named = direction_name(guessed, directions), direction_name(right, directions)
        head += f" · predicted {named[0]}, true {named[1]} {mark}"
    return f"{head} · {SHORT_HINT}"
