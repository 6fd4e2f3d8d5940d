"""A ball moving in time: why a sequence model needs the history. The first lecture slide.

A ball flies in the unit box [0, 1] × [0, 1] (x to the right, y up), one frame per time step
(Δt = 1 frame; speeds in box widths per frame, gravity g in box widths per frame²). At every
frame, with p_t = (x_t, y_t) the position and v_t the velocity (semi-implicit Euler)::

    v'      = v_t − (0, g)                    gravity pulls towards y = 0
    p'      = p_t + v'
    p_{t+1} = fold(p'),   v_{t+1} = ±v'       elastic bounces on the four walls

where, per coordinate u with k = ⌊u⌋, fold(u) = u − k for even k and 1 − (u − k) for odd k, and
the velocity component changes sign when k is odd (an odd number of bounces). The speed is kept
by a bounce; only gravity changes it. Each sequence starts at a uniformly random position,
direction and speed (in [speed_min, speed_max]); without gravity a ball in a square keeps that
uniform spread, so where the ball is says nothing about where it goes. With ``compass`` the
direction is one of the ``directions`` sector centres (E, NE, N, … for 8) instead of any angle;
for an even number of directions a bounce maps these onto each other, so without gravity the ball
moves exactly along a sector centre between bounces, and the sequence model is not judged on
hair-splitting near a sector boundary.

The camera sees o_t = p_t + ε_t, ε_t ~ N(0, noise²) per coordinate (the targets are exact).
What each mode asks, and teaches:

``"next"`` (the default): the inputs are o_0 … o_{T−1}, the target at step t is the next
    position p_{t+1}. After two frames the velocity is known (p_{t+1} ≈ 2 p_t − p_{t−1}), so a
    recurrent network that keeps the previous frame in its hidden state predicts the direction
    almost perfectly.
``"snapshot"``: the same throws and targets, but the model only ever sees the current frame:
    every sequence is ONE step long, so the hidden state starts from zero at every frame and
    cannot carry any history. ``batch(rng, B, T)`` cuts B throws of T frames into B·T one-frame
    sequences, x of shape (1, B·T, 2) with column b·T + t holding frame t of throw b (the same
    frames the sequence model gets for the same seed); ``sequence_length`` is 1, so a trainer
    asks for B throws of one frame each (a ball without gravity is spread uniformly at every
    frame, so these are as good as any). From one frame the direction is a guess: accuracy near
    chance (1/8).
``"gap"`` (gap filling, the bidirectional slide): the ball is hidden behind an occluder for
    ``gap`` frames in the middle of each sequence, frames t₀ … t₀ + gap − 1 with
    t₀ = ⌊(T − gap)/2⌋. The input is (o_t, 1) where the ball is seen and (0, 0, 0) where it is
    hidden (the last channel is the visibility flag); the target is the true current position
    p_t, and the loss counts only the hidden frames. A one-directional network must extrapolate
    from the past; a bidirectional one also sees where the ball comes out, and interpolates.

Arrays, time-major as everywhere (B sequences of T frames; "snapshot" as said above)::

    x         (T, B, 2)  float32   observed positions        ("gap": (T, B, 3), with the flag)
    targets   (T, B, 2)  float32   p_{t+1}                   ("gap": p_t)
    mask      None                                           ("gap": (T, B) float32, 1 = hidden)
    extra["positions"]  (T+1, B, 2) float32  the true positions p_0 … p_T
    extra["observed"]   (T, B, 2)   float32  what the camera saw, o_t (also behind the occluder)
    extra["visible"]    (T, B)      bool     False behind the occluder

Directions are counted in ``directions`` equal sectors (45° each for 8), sector 0 centred on
the +x axis ("east"), counting anticlockwise: sector(d) = ⌊atan2(d_y, d_x) / (2π/D) + ½⌋ mod D
(a movement exactly on a boundary belongs to the sector anticlockwise of it).

Settings that show the lessons (tests/tasks/test_ball.py; GRU, H = 16, Adam at a constant
learning rate 0.01, 32 sequences per batch, 3000 updates, a few seconds each on two cores):

- "next" with ``compass=True``, T = 20: ≈ 95 % of the directions right; "snapshot", trained the
  same way: ≈ 13 %, chance. Thrown at any angle, the same training reaches only ≈ 81–85 %: near
  a wall the network must know both the velocity and the wall distance precisely, and it takes
  a larger network and tens of thousands of updates to get past 90 %.
- "gap" needs a noisy camera (noise = 0.01; gap = 6, T = 10): the bidirectional network's gap
  error is 2.5–4× lower than the one-directional one's. With a perfect camera and no gravity
  the two frames before the occluder already fix the path (see the "linear_extrapolation"
  baseline), so the future would only help the network learn faster, not know more.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

import numpy as np

from rnnviz.tasks.base import Batch, Task
from rnnviz.tasks.setting import ConfigError, Setting, check_fields

__all__ = [
    "NO_DIRECTION",
    "SNAPSHOT_EXAMPLE_FRAMES",
    "WARMUP_FRAMES",
    "BallConfig",
    "BallMode",
    "BallTask",
    "direction_sector",
    "fold_into_box",
    "simulate_ball",
]

#: Largest observation noise std, in box widths.
MAX_NOISE = 0.2
#: Largest speed, in box widths per frame: faster than this the ball is a blur between frames.
MAX_SPEED = 0.25
#: Smallest speed, in box widths per frame: a ball at rest has no direction to predict.
MIN_SPEED = 0.001
#: Largest gravity, in box widths per frame².
MAX_GRAVITY = 0.01
#: Longest occlusion, in frames.
MAX_GAP = 100
#: Most direction sectors.
MAX_DIRECTIONS = 36
#: Frames at the start of a sequence that the direction accuracy of "next" skips: at frame 0 no
#: model can know where the ball goes (it has seen one position).
WARMUP_FRAMES = 1
#: Frames of the throw that ``BallTask.example`` shows in "snapshot" mode, one per sequence.
SNAPSHOT_EXAMPLE_FRAMES = 20
#: Sector value meaning "no direction here" in the arrays of ``BallTask.predictions``.
NO_DIRECTION = -1


class BallMode(StrEnum):
    """What the model sees and predicts (see the module docstring); a str, so JSON keeps it."""

    NEXT = "next"
    SNAPSHOT = "snapshot"
    GAP = "gap"


def _check_real(name: str, value: object, low: float, high: float, meaning: str) -> float:
    """``value`` as a float, or a ValueError a student understands unless it is in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} ({meaning}) must be a number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be between {low:g} and {high:g} ({meaning}), got {value:g}")
    return value


def _check_int(name: str, value: object, low: int, high: int, meaning: str) -> int:
    """``value`` as an int, or a ValueError a student understands unless it is in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} ({meaning}) must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high} ({meaning}), got {value}")
    return int(value)


@dataclass(frozen=True)
class BallConfig:
    """Settings of the moving-ball task. The box is the unit square; units are box widths.

    Each field's range, unit and meaning is its row in ``SETTINGS`` (the settings table, said
    once there); ``speed_min`` must also be at most ``speed_max``. ``mode``
    may be given as a string and is turned into a ``BallMode``.
    """

    speed_min: float = 0.02
    speed_max: float = 0.04
    gravity: float = 0.0
    noise: float = 0.0
    mode: BallMode = BallMode.NEXT
    gap: int = 5
    directions: int = 8
    compass: bool = False

    #: The rows of these settings in the settings table (``rnnviz.tasks.setting``).
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "task.speed_min",
            float,
            "The slowest a ball is thrown (not 0: a ball at rest has no direction).",
            low=MIN_SPEED,
            high=MAX_SPEED,
            unit="box widths per frame",
            label="Slowest speed",
            step=0.005,
        ),
        Setting(
            "task.speed_max",
            float,
            "The fastest a ball is thrown.",
            low=MIN_SPEED,
            high=MAX_SPEED,
            unit="box widths per frame",
            label="Fastest speed",
            step=0.005,
        ),
        Setting(
            "task.gravity",
            float,
            "Pulls the ball down; 0 for straight lines between bounces.",
            low=0.0,
            high=MAX_GRAVITY,
            unit="box widths per frame²",
            label="Gravity",
            step=0.0005,
        ),
        Setting(
            "task.noise",
            float,
            "How unsteady the camera is: the spread of the positions the network sees.",
            low=0.0,
            high=MAX_NOISE,
            unit="box widths",
            label="Noise",
            step=0.005,
        ),
        Setting(
            "task.mode",
            BallMode,
            "next: predict the next position; snapshot: from one frame only; gap: fill in "
            "where the ball was while it was hidden.",
            label="Mode",
        ),
        Setting(
            "task.gap",
            int,
            "Frames the ball is hidden in gap mode (the sequence needs 2 more).",
            low=1,
            high=MAX_GAP,
            unit="frames",
            label="Occlusion length",
        ),
        Setting(
            "task.directions",
            int,
            "Direction sectors the accuracy counts in; chance is one of them.",
            low=2,
            high=MAX_DIRECTIONS,
            unit="sectors",
            label="Directions",
        ),
        Setting(
            "task.compass",
            bool,
            "Throw the ball only along the sector centres (E, NE, N, … for 8).",
            label="Compass throws",
            gloss="throw only along the sector centres",
        ),
    )

    def __post_init__(self) -> None:
        check_fields(self, self.SETTINGS)  # frozen: it stores the normalised values once, here
        if self.speed_min > self.speed_max:
            raise ConfigError(
                f"task.speed_min ({self.speed_min:g}) must not be more than task.speed_max "
                f"({self.speed_max:g})"
            )


# --- physics ----------------------------------------------------------------------------------


def fold_into_box(position: np.ndarray, velocity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bring a position that left the unit box back in by elastic reflections on the walls.

    Parameters
    ----------
    position : ndarray, (..., 2)
        Positions after a free step, possibly outside [0, 1].
    velocity : ndarray, (..., 2)
        The velocities that carried them there.

    Returns
    -------
    position : ndarray, (..., 2)
        fold(u) per coordinate: u − k for even k = ⌊u⌋, 1 − (u − k) for odd k; in [0, 1].
    velocity : ndarray, (..., 2)
        The component reversed where it bounced an odd number of times.
    """
    k = np.floor(position)  # (..., 2) how many walls were crossed, with the side
    odd = np.mod(k, 2) == 1  # (..., 2)
    frac = position - k  # (..., 2) in [0, 1)
    return np.where(odd, 1.0 - frac, frac), np.where(odd, -velocity, velocity)


def simulate_ball(
    position: np.ndarray, velocity: np.ndarray, num_frames: int, gravity: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Fly balls through the unit box (the equations of the module docstring).

    Parameters
    ----------
    position : ndarray, (B, 2)
        p_0, inside [0, 1]².
    velocity : ndarray, (B, 2)
        v_0, box widths per frame.
    num_frames : int
        N ≥ 1, frames to return (p_0 included).
    gravity : float
        g ≥ 0, box widths per frame², towards y = 0.

    Returns
    -------
    positions : ndarray, (N, B, 2) float64
        p_0 … p_{N−1}.
    velocities : ndarray, (N, B, 2) float64
        v_0 … v_{N−1}.
    """
    p = np.array(position, dtype=np.float64)  # (B, 2)
    v = np.array(velocity, dtype=np.float64)  # (B, 2)
    if p.ndim != 2 or p.shape[1] != 2 or v.shape != p.shape:
        raise ValueError(
            f"position and velocity must both have shape (B, 2), got {p.shape} and {v.shape}"
        )
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(v))):
        raise ValueError("position and velocity must be finite")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("the ball must start inside the unit box [0, 1] × [0, 1]")
    num_frames = _check_int("num_frames", num_frames, 1, 10**7, "frames to simulate")
    gravity = _check_real("gravity", gravity, 0.0, math.inf, "box widths per frame²")
    positions = np.empty((num_frames, *p.shape))  # (N, B, 2)
    velocities = np.empty((num_frames, *p.shape))  # (N, B, 2)
    for t in range(num_frames):
        positions[t], velocities[t] = p, v
        v = v - np.array([0.0, gravity])  # (B, 2)
        p, v = fold_into_box(p + v, v)  # (B, 2), (B, 2)
    return positions, velocities


def direction_sector(movement: np.ndarray, directions: int = 8) -> np.ndarray:
    """The sector (0 … D−1) a movement points into, sector 0 centred on +x, anticlockwise.

    Parameters
    ----------
    movement : ndarray, (..., 2)
        Displacements (d_x, d_y).
    directions : int
        D, the number of equal sectors (width 2π/D).

    Returns
    -------
    ndarray, (...,) int64
        ⌊atan2(d_y, d_x) / (2π/D) + ½⌋ mod D: a boundary belongs to the sector anticlockwise
        of it; no movement at all, (0, 0), counts as sector 0.
    """
    movement = np.asarray(movement, dtype=np.float64)  # (..., 2)
    angle = np.arctan2(movement[..., 1], movement[..., 0])  # (...,) in [−π, π]
    return np.mod(np.floor(angle / (2 * np.pi / directions) + 0.5), directions).astype(np.int64)


# --- the task ---------------------------------------------------------------------------------


class BallTask(Task):
    """Predict where a moving ball goes next, or where it is while hidden (module docstring).

    Parameters
    ----------
    config : BallConfig, optional
        Speeds, gravity, noise, mode, gap and direction sectors; the defaults when omitted.

    Attributes
    ----------
    input_size : int
        2 (x, y), or 3 in "gap" mode (x, y, visible).
    output_size : int
        2: a position.
    baseline_metrics : dict[str, str]
        Which metric each key of :meth:`baselines` is a reference for.
    """

    name: ClassVar[str] = "ball"
    kind: ClassVar[str] = "regression"
    baseline_metrics: ClassVar[dict[str, str]] = {
        "chance": "direction_accuracy",
        "linear_interpolation": "gap_error",
        "linear_extrapolation": "gap_error",
    }
    baseline_help: ClassVar[dict[str, str]] = {
        "chance": "the accuracy of guessing a direction at random",
        "linear_interpolation": "the gap error of a straight line across the gap",
        "linear_extrapolation": "the gap error of flying on at the last seen velocity",
    }

    def __init__(self, config: BallConfig | None = None) -> None:
        self.config = BallConfig() if config is None else config
        self.mode = self.config.mode
        self.input_size = 3 if self.mode is BallMode.GAP else 2
        self.output_size = 2
        self._gap_baselines: dict[str, float] | None = None

    # ------------------------------------------------------------------ data

    def min_seq_len(self) -> int:
        """Fewest frames per throw: 2 for "next" (one to predict from, one counted), 1 for
        "snapshot", gap + 2 for "gap" (a seen frame on each side of the occluder)."""
        if self.mode is BallMode.GAP:
            return self.config.gap + 2
        return 1 if self.mode is BallMode.SNAPSHOT else 2

    def sequence_length(self, requested: int) -> int:
        """Steps per sequence for a requested length: 1 in "snapshot" mode (one frame, no
        history), else ``requested``, lengthened to ``min_seq_len`` if shorter."""
        if self.mode is BallMode.SNAPSHOT:
            return 1
        return max(int(requested), self.min_seq_len())

    def example(self, rng: np.random.Generator, seq_len: int) -> Batch:
        """The throw the views show: one sequence of ``seq_len`` frames; in "snapshot" mode one
        throw of ``SNAPSHOT_EXAMPLE_FRAMES`` frames cut into single frames, (1, frames, ·), so
        that the view can still draw the whole path and the guess at every frame."""
        if self.mode is BallMode.SNAPSHOT:
            return self.batch(rng, 1, SNAPSHOT_EXAMPLE_FRAMES)
        return self.batch(rng, 1, seq_len)

    def gap_frames(self, seq_len: int) -> slice:
        """The hidden frames t₀ … t₀ + gap − 1 of a ``seq_len``-frame sequence, t₀ = ⌊(T−gap)/2⌋."""
        t0 = (seq_len - self.config.gap) // 2
        return slice(t0, t0 + self.config.gap)

    def random_trajectories(
        self, rng: np.random.Generator, batch_size: int, num_frames: int
    ) -> np.ndarray:
        """Positions of ``batch_size`` balls thrown from a uniformly random position, direction
        and speed.

        Returns
        -------
        ndarray, (N, B, 2) float64
            p_0 … p_{N−1} for N = ``num_frames``.
        """
        cfg = self.config
        p0 = rng.uniform(0.0, 1.0, size=(batch_size, 2))  # (B, 2)
        if cfg.compass:
            sector_width = 2 * np.pi / cfg.directions
            angle = sector_width * rng.integers(0, cfg.directions, size=batch_size)  # (B,)
        else:
            angle = rng.uniform(0.0, 2 * np.pi, size=batch_size)  # (B,)
        speed = rng.uniform(cfg.speed_min, cfg.speed_max, size=batch_size)  # (B,)
        v0 = speed[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (B, 2)
        positions, _ = simulate_ball(p0, v0, num_frames, cfg.gravity)  # (N, B, 2)
        return positions

    def batch(self, rng: np.random.Generator, batch_size: int, seq_len: int) -> Batch:
        """Draw ``batch_size`` random throws of ``seq_len`` frames.

        Parameters
        ----------
        rng : numpy Generator
            The only source of randomness: the same seed gives the same batch.
        batch_size : int
            B ≥ 1.
        seq_len : int
            T frames per throw, at least ``min_seq_len()``.

        Returns
        -------
        Batch
            As in the module docstring; "snapshot" has x and targets of shape (1, B·T, ·).
        """
        batch_size = _check_int("batch_size", batch_size, 1, 1_000_000, "sequences per batch")
        seq_len = _check_int("seq_len", seq_len, 1, 1_000_000, "frames per sequence")
        positions = self.random_trajectories(rng, batch_size, seq_len + 1)  # (T+1, B, 2)
        return self.batch_from_positions(positions, rng)

    def batch_from_positions(self, positions: np.ndarray, rng: np.random.Generator) -> Batch:
        """The batch for given true trajectories (e.g. a ball the user threw with the mouse).

        Parameters
        ----------
        positions : ndarray, (T+1, B, 2)
            True positions p_0 … p_T inside the unit box; the last one is only a target.
        rng : numpy Generator
            Draws the observation noise.

        Returns
        -------
        Batch
            See the module docstring.
        """
        positions = np.asarray(positions, dtype=np.float64)  # (T+1, B, 2)
        if positions.ndim != 3 or positions.shape[2] != 2 or positions.shape[1] < 1:
            raise ValueError(f"positions must have shape (T+1, B, 2), got {positions.shape}")
        if not np.all(np.isfinite(positions)) or np.any((positions < 0) | (positions > 1)):
            raise ValueError("positions must be finite and inside the unit box [0, 1] × [0, 1]")
        T = positions.shape[0] - 1
        if T < self.min_seq_len():
            why = f" for a gap of {self.config.gap}" if self.mode is BallMode.GAP else ""
            raise ValueError(f"seq_len must be at least {self.min_seq_len()}{why}, got {T}")
        p = positions[:T]  # (T, B, 2) the true current positions
        noise = self.config.noise
        observed = p + noise * rng.standard_normal(p.shape) if noise > 0 else p.copy()  # (T, B, 2)
        visible = np.ones(p.shape[:2], dtype=bool)  # (T, B)
        extra = {"positions": positions.astype(np.float32), "observed": observed.astype(np.float32)}

        if self.mode is BallMode.GAP:
            visible[self.gap_frames(T)] = False
            x = np.concatenate([observed * visible[..., None], visible[..., None]], axis=2)
            targets, mask = p, (~visible).astype(np.float32)  # (T, B, 2), (T, B)
        else:
            x, targets, mask = observed, positions[1:], None  # (T, B, 2), (T, B, 2)
            if self.mode is BallMode.SNAPSHOT:
                # one frame per sequence: column b·T + t is frame t of throw b
                x, targets = self._to_snapshots(x), self._to_snapshots(targets)  # (1, B·T, 2)
        extra["visible"] = visible
        return Batch(x.astype(np.float32), targets.astype(np.float32), mask, extra)

    @staticmethod
    def _to_snapshots(a: np.ndarray) -> np.ndarray:
        """(T, B, F) → (1, B·T, F), column b·T + t = a[t, b]."""
        T, B, F = a.shape
        return a.transpose(1, 0, 2).reshape(1, B * T, F)

    def _time_major(self, outputs: np.ndarray, batch: Batch) -> np.ndarray:
        """The outputs as (T, B, 2), whatever the mode's layout (undoes the snapshot reshape)."""
        positions = batch.extra["positions"]  # (T+1, B, 2)
        T, B = positions.shape[0] - 1, positions.shape[1]
        outputs = np.asarray(outputs, dtype=np.float64)
        expected = (1, B * T, 2) if self.mode is BallMode.SNAPSHOT else (T, B, 2)
        if outputs.shape != expected:
            raise ValueError(
                f"outputs must have shape {expected} for this batch, got {outputs.shape}"
            )
        if self.mode is BallMode.SNAPSHOT:
            return outputs.reshape(B, T, 2).transpose(1, 0, 2)  # (T, B, 2)
        return outputs

    # ------------------------------------------------------------------ scoring

    def _directions(self, y: np.ndarray, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        """Predicted and true direction sectors of the movement from frame t to t + 1.

        In "next"/"snapshot" the predicted movement is ŷ_t − p_t (ŷ_t predicts p_{t+1}); in
        "gap" it is p̂_{t+1} − p̂_t with p̂ the model's output behind the occluder and the true
        position where the ball is seen, defined for the gap + 1 movements that touch a hidden
        frame. The true movement is p_{t+1} − p_t.

        Returns
        -------
        predicted, true : ndarray, (T, B) int64
            Sectors; ``NO_DIRECTION`` where the predicted one is not defined.
        """
        positions = batch.extra["positions"].astype(np.float64)  # (T+1, B, 2)
        T = positions.shape[0] - 1
        D = self.config.directions
        true = direction_sector(positions[1:] - positions[:-1], D)  # (T, B)
        if self.mode is BallMode.GAP:
            hidden = ~batch.extra["visible"]  # (T, B)
            filled = np.where(hidden[..., None], y, positions[:T])  # (T, B, 2) p̂_t
            predicted = direction_sector(filled[1:] - filled[:-1], D)  # (T−1, B)
            touches = hidden[1:] | hidden[:-1]  # (T−1, B) movement enters, crosses or leaves
            predicted = np.where(touches, predicted, NO_DIRECTION)  # (T−1, B)
            predicted = np.concatenate([predicted, np.full((1, true.shape[1]), NO_DIRECTION)])
        else:
            predicted = direction_sector(y - positions[:T], D)  # (T, B)
        return predicted, true

    def _scored_directions(self, batch: Batch) -> np.ndarray:
        """(T, B) bool: the movements the direction accuracy counts (see :meth:`metrics`)."""
        visible = batch.extra["visible"]  # (T, B)
        if self.mode is BallMode.GAP:
            hidden = ~visible
            scored = np.zeros_like(visible)
            scored[:-1] = hidden[1:] | hidden[:-1]
            return scored
        scored = np.ones_like(visible)
        if self.mode is BallMode.NEXT:
            scored[:WARMUP_FRAMES] = False  # a snapshot model has no warm-up: every frame counts
        return scored

    def metrics(self, outputs: np.ndarray, batch: Batch) -> dict[str, float]:
        """How well the ball is followed.

        Parameters
        ----------
        outputs : ndarray, (T, B, 2) ((1, B·T, 2) in "snapshot" mode)
            Predicted positions.
        batch : Batch
            The batch they were computed on.

        Returns
        -------
        dict
            "direction_accuracy": the fraction of movements whose predicted direction sector
            is the true one; "next" counts every frame but the first (``WARMUP_FRAMES``),
            "snapshot" every frame, "gap" the gap + 1 movements into, across and out of the
            hidden frames. "position_error": the mean Euclidean distance between output and
            target over every frame ("next", "snapshot"). "gap" gives "gap_error" in its
            place: the mean distance over the hidden frames, where the loss counts.
        """
        y = self._time_major(outputs, batch)  # (T, B, 2)
        positions = batch.extra["positions"].astype(np.float64)  # (T+1, B, 2)
        T = positions.shape[0] - 1
        target = positions[:T] if self.mode is BallMode.GAP else positions[1:]  # (T, B, 2)
        distance = np.linalg.norm(y - target, axis=-1)  # (T, B)
        predicted, true = self._directions(y, batch)  # (T, B), (T, B)
        scored = self._scored_directions(batch)  # (T, B)
        result = {"direction_accuracy": float(np.mean(predicted[scored] == true[scored]))}
        if self.mode is BallMode.GAP:
            result["gap_error"] = float(np.mean(distance[~batch.extra["visible"]]))
        else:
            result["position_error"] = float(np.mean(distance))
        return result

    def baselines(self) -> dict[str, float]:
        """Reference lines (``baseline_metrics`` says for which metric).

        Returns
        -------
        dict
            "chance": 1/directions, the direction accuracy of a guess (and of the snapshot
            model). In "gap" mode also "linear_interpolation", the gap error of drawing a
            straight line from the last seen position to the first one seen again (a simple use
            of the future), and "linear_extrapolation", that of flying on from the last two seen
            frames at their velocity, bouncing on the walls (a simple use of the past alone).
            Both are measured on 4096 throws drawn with a fixed seed, so the same settings
            always give the same numbers; they are computed once per task.
        """
        result = {"chance": 1.0 / self.config.directions}
        if self.mode is BallMode.GAP:
            if self._gap_baselines is None:
                self._gap_baselines = self._measure_gap_baselines()
            result.update(self._gap_baselines)
        return result

    def _measure_gap_baselines(self) -> dict[str, float]:
        """Gap errors of linear interpolation and extrapolation (see :meth:`baselines`)."""
        g = self.config.gap
        T = g + 4  # two seen frames before the gap and two after: all that either rule uses
        batch = self.batch(np.random.default_rng(0), 4096, T)
        o = batch.extra["observed"].astype(np.float64)  # (T, B, 2)
        gap = self.gap_frames(T)
        before, after = gap.start - 1, gap.stop  # the last frame seen, the first seen again
        k = np.arange(1, g + 1, dtype=np.float64)[:, None, None]  # (g, 1, 1) frames into the gap
        interpolated = o[before] + (o[after] - o[before]) * k / (g + 1)  # (g, B, 2)
        velocity = o[before] - o[before - 1]  # (B, 2)
        extrapolated, _ = fold_into_box(o[before] + velocity * k, velocity * k)  # (g, B, 2)
        truth = batch.targets[gap].astype(np.float64)  # (g, B, 2)
        return {
            "linear_interpolation": float(np.mean(np.linalg.norm(interpolated - truth, axis=-1))),
            "linear_extrapolation": float(np.mean(np.linalg.norm(extrapolated - truth, axis=-1))),
        }

    def predictions(self, outputs: np.ndarray, batch: Batch) -> dict[str, np.ndarray]:
        """What the ball view draws for the batch's first throw.

        Parameters
        ----------
        outputs : ndarray, (T, B, 2) ((1, B·T, 2) in "snapshot" mode)
        batch : Batch

        Returns
        -------
        dict
            "true_positions" (T, 2) p_t; "target_positions" (T, 2) what the model is asked at
            frame t (p_{t+1}, or p_t in "gap"); "observed_positions" (T, 2) what the camera saw,
            NaN behind the occluder; "predicted_positions" (T, 2) the model's output, NaN where
            the loss does not count it (the seen frames in "gap"); "visible" (T,) bool;
            "predicted_direction" and "true_direction" (T,) int64, the sectors of the movement
            from frame t to t + 1 (see ``metrics``), ``NO_DIRECTION`` (−1) where there is no
            prediction.
        """
        y = self._time_major(outputs, batch)  # (T, B, 2)
        positions = batch.extra["positions"].astype(np.float64)  # (T+1, B, 2)
        T = positions.shape[0] - 1
        visible = batch.extra["visible"][:, 0].copy()  # (T,)
        predicted, true = self._directions(y, batch)  # (T, B), (T, B)
        observed = batch.extra["observed"][:, 0].astype(np.float64)  # (T, 2)
        observed[~visible] = np.nan
        predicted_positions = y[:, 0].copy()  # (T, 2)
        if self.mode is BallMode.GAP:
            predicted_positions[visible] = np.nan
            target = positions[:T, 0]  # (T, 2)
        else:
            target = positions[1:, 0]  # (T, 2)
        return {
            "true_positions": positions[:T, 0].copy(),
            "target_positions": target.copy(),
            "observed_positions": observed,
            "predicted_positions": predicted_positions,
            "visible": visible,
            "predicted_direction": predicted[:, 0].copy(),
            "true_direction": true[:, 0].copy(),
        }
