"""How the moving-ball task is scored: its modes, the frames each counts, and the score of one
throw.

The task's metrics (``BallTask.metrics``, a batch) and the score of the one throw the ball
view shows (:func:`throw_score`) count the same frames, by construction: both ask
:func:`scored_movements` which movements count.

``BallMode``          what the model sees and predicts ("next", "snapshot", "gap")
``movement_sectors``  predicted and true direction sectors of the movement from t to t + 1
``scored_movements``  which of them the direction accuracy counts
``ball_metrics``      "direction_accuracy" and "position_error" (or "gap_error") of a batch
``throw_score``       the same for one throw, as the view says it: (right, counted) or a distance
``straight_line_gap_errors``  the gap errors of the two simple rules the network is compared with
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from rnnviz.tasks.ball_physics import direction_sector, fold_into_box

__all__ = [
    "NO_DIRECTION",
    "WARMUP_FRAMES",
    "BallMode",
    "ball_metrics",
    "movement_sectors",
    "scored_movements",
    "straight_line_gap_errors",
    "throw_score",
]

#: Frames at the start of a sequence that the direction accuracy of "next" skips: at frame 0 no
#: model can know where the ball goes (it has seen one position).
WARMUP_FRAMES = 1
#: Sector value meaning "no direction here" in the arrays of ``BallTask.predictions``.
NO_DIRECTION = -1


class BallMode(StrEnum):
    """What the model sees and predicts (see ``rnnviz.tasks.ball``); a str, so JSON keeps it."""

    NEXT = "next"
    SNAPSHOT = "snapshot"
    GAP = "gap"


def movement_sectors(
    y: np.ndarray, positions: np.ndarray, visible: np.ndarray, mode: BallMode, directions: int
) -> tuple[np.ndarray, np.ndarray]:
    """Predicted and true direction sectors of the movement from frame t to t + 1.

    In "next"/"snapshot" the predicted movement is ŷ_t − p_t (ŷ_t predicts p_{t+1}); in
    "gap" it is p̂_{t+1} − p̂_t with p̂ the model's output behind the occluder and the true
    position where the ball is seen, defined for the gap + 1 movements that touch a hidden
    frame. The true movement is p_{t+1} − p_t.

    Parameters
    ----------
    y : ndarray, (T, B, 2)
        The model's outputs, time-major.
    positions : ndarray, (T+1, B, 2)
        The true positions p_0 … p_T.
    visible : ndarray, (T, B) bool
        False behind the occluder.
    mode : BallMode
    directions : int
        D, the number of sectors.

    Returns
    -------
    predicted, true : ndarray, (T, B) int64
        Sectors; ``NO_DIRECTION`` where the predicted one is not defined.
    """
    T = positions.shape[0] - 1
    true = direction_sector(positions[1:] - positions[:-1], directions)  # (T, B)
    if mode == BallMode.GAP:
        hidden = ~visible  # (T, B)
        filled = np.where(hidden[..., None], y, positions[:T])  # (T, B, 2) p̂_t
        predicted = direction_sector(filled[1:] - filled[:-1], directions)  # (T−1, B)
        touches = hidden[1:] | hidden[:-1]  # (T−1, B) movement enters, crosses or leaves
        predicted = np.where(touches, predicted, NO_DIRECTION)  # (T−1, B)
        predicted = np.concatenate([predicted, np.full((1, true.shape[1]), NO_DIRECTION)])
    else:
        predicted = direction_sector(y - positions[:T], directions)  # (T, B)
    return predicted, true


def scored_movements(visible: np.ndarray, mode: BallMode) -> np.ndarray:
    """The movements the direction accuracy counts: "next" every frame but the first
    ``WARMUP_FRAMES``, "snapshot" every frame (a snapshot model has no warm-up), "gap" the
    gap + 1 movements into, across and out of the hidden frames.

    Parameters
    ----------
    visible : ndarray, (T, ...) bool
        False behind the occluder (one throw (T,) or a batch (T, B)).
    mode : BallMode

    Returns
    -------
    ndarray, the shape of ``visible``, bool
    """
    visible = np.asarray(visible, dtype=bool)
    if mode == BallMode.GAP:
        hidden = ~visible
        scored = np.zeros_like(visible)
        scored[:-1] = hidden[1:] | hidden[:-1]
        return scored
    scored = np.ones_like(visible)
    if mode == BallMode.NEXT:
        scored[:WARMUP_FRAMES] = False
    return scored


def ball_metrics(
    y: np.ndarray, positions: np.ndarray, visible: np.ndarray, mode: BallMode, directions: int
) -> dict[str, float]:
    """The figures of ``BallTask.metrics`` for time-major outputs ``y`` (T, B, 2), the true
    ``positions`` (T+1, B, 2) and ``visible`` (T, B): "direction_accuracy" over the
    :func:`scored_movements`; "position_error", the mean distance between output and target
    over every frame ("next", "snapshot"), or in "gap" "gap_error", over the hidden frames."""
    T = positions.shape[0] - 1
    target = positions[:T] if mode == BallMode.GAP else positions[1:]  # (T, B, 2)
    distance = np.linalg.norm(y - target, axis=-1)  # (T, B)
    predicted, true = movement_sectors(y, positions, visible, mode, directions)  # (T, B) each
    scored = scored_movements(visible, mode)  # (T, B)
    result = {"direction_accuracy": float(np.mean(predicted[scored] == true[scored]))}
    if mode == BallMode.GAP:
        result["gap_error"] = float(np.mean(distance[~visible]))
    else:
        result["position_error"] = float(np.mean(distance))
    return result


def throw_score(
    predictions: dict[str, np.ndarray], mode: BallMode
) -> tuple[int, int] | float | None:
    """How the one throw of ``BallTask.predictions`` went, counted as the metrics count.

    Parameters
    ----------
    predictions : dict
        ``BallTask.predictions`` of one throw: "visible", "predicted_direction",
        "true_direction", "predicted_positions", "true_positions".
    mode : BallMode

    Returns
    -------
    (right, counted) or float or None
        "next", "snapshot": the direction guesses right among those the direction accuracy
        counts; "gap": the mean distance of the guesses behind the occluder (its gap error);
        None when there is nothing to count (or, in "gap", no finite guess).
    """
    visible = np.asarray(predictions["visible"], dtype=bool)  # (T,)
    if mode == BallMode.GAP:
        miss = predictions["predicted_positions"] - predictions["true_positions"]  # (T, 2)
        miss = np.hypot(*miss[~visible].T)
        miss = miss[np.isfinite(miss)]
        return float(miss.mean()) if len(miss) else None
    guessed = np.asarray(predictions["predicted_direction"])  # (T,)
    counted = scored_movements(visible, mode) & (guessed != NO_DIRECTION)
    if not counted.any():
        return None
    right = int(np.sum(counted & (guessed == np.asarray(predictions["true_direction"]))))
    return right, int(counted.sum())


def straight_line_gap_errors(
    observed: np.ndarray, truth: np.ndarray, gap: slice
) -> dict[str, float]:
    """The gap errors of two straight-line rules (the "gap" baselines of ``BallTask``).

    Parameters
    ----------
    observed : ndarray, (T, B, 2)
        What the camera saw; at least two frames before the gap and one after.
    truth : ndarray, (T, B, 2)
        The true positions p_t.
    gap : slice
        The hidden frames.

    Returns
    -------
    dict
        "linear_interpolation": a straight line from the last position seen to the first one
        seen again (a simple use of the future); "linear_extrapolation": flying on from the
        last two seen frames at their velocity, bouncing on the walls (the past alone).
    """
    o = observed
    g = gap.stop - gap.start
    before, after = gap.start - 1, gap.stop  # the last frame seen, the first seen again
    k = np.arange(1, g + 1, dtype=np.float64)[:, None, None]  # (g, 1, 1) frames into the gap
    interpolated = o[before] + (o[after] - o[before]) * k / (g + 1)  # (g, B, 2)
    velocity = o[before] - o[before - 1]  # (B, 2)
    extrapolated, _ = fold_into_box(o[before] + velocity * k, velocity * k)  # (g, B, 2)
    truth = truth[gap]  # (g, B, 2)
    return {
        "linear_interpolation": float(np.mean(np.linalg.norm(interpolated - truth, axis=-1))),
        "linear_extrapolation": float(np.mean(np.linalg.norm(extrapolated - truth, axis=-1))),
    }
