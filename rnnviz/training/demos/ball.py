"""What the window's ball demo asks of the moving-ball task, through the training layer.

The window never imports a task module. The ball arena reads the task's facts from the
snapshot (:func:`ball_facts`), asks which frames of the shown throw are scored and how the
throw went (:func:`scored_frames`, :func:`score`: the frames and the count of the task's
direction accuracy, by construction), and has a ball thrown with the mouse flown with the
task's physics and predicted by the snapshot's model (:func:`predict_throw`).
"""

from __future__ import annotations

import numpy as np

from rnnviz.tasks.ball import NO_DIRECTION, BallMode, BallTask, simulate_ball
from rnnviz.tasks.ball_scoring import scored_movements, throw_score
from rnnviz.tasks.facts import BallFacts
from rnnviz.training.inference import SnapshotModel
from rnnviz.training.snapshot import Snapshot

__all__ = [
    "NO_DIRECTION",
    "THROW_SEED",
    "BallFacts",
    "ball_facts",
    "predict_throw",
    "score",
    "scored_frames",
]

#: Seed of the camera noise of a thrown ball (the same throw looks the same every time).
THROW_SEED = 12345


def ball_facts(snapshot: Snapshot) -> BallFacts | None:
    """The ball task's facts of ``snapshot``; None for a snapshot of another task."""
    facts = snapshot.task
    return facts if isinstance(facts, BallFacts) else None


def scored_frames(predictions: dict[str, np.ndarray], facts: BallFacts) -> np.ndarray:
    """(T,) bool: the frames of one throw (``BallTask.predictions``) whose predicted direction
    the task's direction accuracy counts (and that has one)."""
    counted = scored_movements(predictions["visible"], BallMode(facts.mode))
    return counted & (np.asarray(predictions["predicted_direction"]) != NO_DIRECTION)


def score(predictions: dict[str, np.ndarray], facts: BallFacts) -> tuple[int, int] | float | None:
    """How one throw went: (right, counted) direction guesses ("next", "snapshot"), the mean
    distance of the guesses behind the occluder ("gap"), or None when nothing counts
    (``rnnviz.tasks.ball_scoring.throw_score``)."""
    return throw_score(predictions, BallMode(facts.mode))


def predict_throw(
    model: SnapshotModel,
    snapshot: Snapshot,
    start: np.ndarray,
    velocity: np.ndarray,
    num_frames: int,
) -> dict[str, np.ndarray] | None:
    """Throw a ball from ``start`` (2,) at ``velocity`` (2,) box widths per frame for
    ``num_frames`` frames with the task's physics, and predict it with ``model`` brought up to
    ``snapshot``'s weights.

    Returns
    -------
    dict or None
        ``BallTask.predictions`` of the throw (its camera noise seeded by ``THROW_SEED``); None
        when the snapshot carries no weights of a ball model. A diverged model gives NaN.
    """
    network = model.update(snapshot)
    task = model.task
    if network is None or not isinstance(task, BallTask):
        return None
    p0 = np.asarray(start, dtype=np.float64)[None]  # (1, 2)
    v0 = np.asarray(velocity, dtype=np.float64)[None]  # (1, 2)
    positions, _ = simulate_ball(p0, v0, num_frames + 1, task.config.gravity)  # (T+1, 1, 2)
    batch = task.batch_from_positions(positions, np.random.default_rng(THROW_SEED))
    with np.errstate(all="ignore"):  # a diverged model gives NaN, drawn as nothing
        outputs, _, _ = network.forward(batch.x)
        predictions = task.predictions(outputs, batch)
    return {k: np.asarray(v) for k, v in predictions.items()}
