"""Throw a ball with the mouse: a drag becomes a throw, flown with the task's physics and
predicted by the snapshot's private model, again as training goes on.

The drag starts the ball where the button went down and throws it in the drag's direction,
faster for a longer drag (within the speeds the task trains on; along the nearest compass
direction when the task throws only those). The task's physics and the prediction are reached
through ``rnnviz.training.demos.ball``; the model is a private copy of the snapshot's weights
(``SnapshotModel``), never the trainer's arrays.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from rnnviz.training.demos.ball import THROW_SEED, predict_throw
from rnnviz.training.inference import SnapshotModel

__all__ = ["FULL_SPEED_DRAG", "MIN_DRAG", "THROW_SEED", "BallThrow", "throw_velocity"]

#: A drag this long (box widths) throws at the task's top speed; shorter drags throw slower.
FULL_SPEED_DRAG = 0.5
#: A drag shorter than this is still aiming (no throw yet).
MIN_DRAG = 0.01
#: A thrown ball is predicted again with the newest weights at most this often.
THROW_REFRESH_MS = 100


def throw_velocity(drag: np.ndarray, facts) -> np.ndarray:
    """The initial velocity (2,) for a mouse drag ``drag`` (2,) in box widths: the drag's
    direction (snapped to the nearest sector centre when the task throws along the compass
    only) at a speed from ``speed_min`` (a short drag) to ``speed_max`` (``FULL_SPEED_DRAG``
    or longer), the speeds the network is trained on. ``facts`` is the snapshot's
    ``BallFacts``."""
    length = float(np.hypot(*drag))
    angle = math.atan2(float(drag[1]), float(drag[0]))
    if facts.compass:
        width = 2 * math.pi / facts.directions
        angle = width * round(angle / width)
    share = min(length / FULL_SPEED_DRAG, 1.0)
    speed = facts.speed_min + (facts.speed_max - facts.speed_min) * share
    return speed * np.array([math.cos(angle), math.sin(angle)])


class BallThrow(QObject):
    """The ball the user threw, if any, and its predictions.

    ``thrown`` is the predictions dict of the throw (``BallTask.predictions``), None unless a
    ball was thrown; ``model`` the private model that predicts it. ``predicted`` is emitted
    whenever ``thrown`` was computed anew.
    """

    predicted = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = SnapshotModel()
        self.thrown: dict[str, np.ndarray] | None = None
        self._throw: tuple[np.ndarray, np.ndarray] | None = None  # (p_0, v_0)
        self._snapshot = None
        self._frames = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THROW_REFRESH_MS)
        self._timer.timeout.connect(self.recompute)

    @property
    def active(self) -> bool:
        """Whether a ball was thrown (and not taken back)."""
        return self._throw is not None

    def throw(self, start, velocity, snapshot, num_frames: int) -> None:
        """Throw a ball from ``start`` (2,), clipped into the box, at ``velocity`` (2,) box
        widths per frame for ``num_frames`` frames, and predict it with ``snapshot``'s
        weights (no throw when the snapshot has none)."""
        self._throw = (np.clip(np.asarray(start, float), 0, 1), np.asarray(velocity, float))
        self._snapshot, self._frames = snapshot, num_frames
        if not self.recompute():  # no weights of a ball model to predict it with yet
            self.clear()

    def follow(self, snapshot, num_frames: int) -> None:
        """A new snapshot: predict the thrown ball with its weights, at most every
        ``THROW_REFRESH_MS`` (nothing without a throw)."""
        self._snapshot, self._frames = snapshot, num_frames
        if self._throw is not None and not self._timer.isActive():
            self._timer.start()

    @Slot()
    def recompute(self) -> bool:
        """Predict the thrown ball again with the latest snapshot's weights; False when there
        is no throw or no weights to predict it with (``thrown`` stays as it was)."""
        if self._throw is None or self._snapshot is None:
            return False
        predictions = predict_throw(self.model, self._snapshot, *self._throw, self._frames)
        if predictions is None:
            return False
        self.thrown = predictions
        self.predicted.emit()
        return True

    def clear(self) -> None:
        """Forget the thrown ball."""
        self._throw = None
        self.thrown = None
        self._timer.stop()
