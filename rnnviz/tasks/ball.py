"""A ball moving in time: why a sequence model needs the history. The first lecture slide.

A ball flies in the unit box [0, 1] × [0, 1] (x to the right, y up), one frame per time step,
bouncing elastically on the four walls, pulled down by gravity g (the equations, and the
direction sectors, are in ``rnnviz.tasks.ball_physics``; speeds in box widths per frame). Each
sequence starts at a uniformly random position, direction and speed (in [speed_min, speed_max]);
without gravity a ball in a square keeps that uniform spread, so where the ball is says nothing
about where it goes. With ``compass`` the direction is one of the ``directions`` sector centres
(E, NE, N, … for 8) instead of any angle; for an even number of directions a bounce maps these
onto each other, so without gravity the ball moves exactly along a sector centre between
bounces, and the sequence model is not judged on hair-splitting near a sector boundary.

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

Directions are counted in ``directions`` equal sectors, sector 0 centred on the +x axis
("east"), anticlockwise (``direction_sector``). The metrics, and the score of the one throw the
ball view shows, are in ``rnnviz.tasks.ball_scoring``; the settings (``BallConfig``) and their
rows in the settings table in ``rnnviz.tasks.ball_config``.

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

from typing import ClassVar

import numpy as np

from rnnviz.tasks.ball_config import BallConfig
from rnnviz.tasks.ball_physics import (
    BOX,
    check_int,
    direction_sector,
    fold_into_box,
    simulate_ball,
)
from rnnviz.tasks.ball_scoring import (
    NO_DIRECTION,
    WARMUP_FRAMES,
    BallMode,
    ball_metrics,
    movement_sectors,
    straight_line_gap_errors,
    throw_score,
)
from rnnviz.tasks.base import Batch, Task
from rnnviz.tasks.facts import BallFacts

__all__ = [
    "BOX",
    "NO_DIRECTION",
    "SNAPSHOT_EXAMPLE_FRAMES",
    "WARMUP_FRAMES",
    "BallConfig",
    "BallMode",
    "BallTask",
    "direction_sector",
    "fold_into_box",
    "simulate_ball",
    "throw_score",
]

#: Frames of the throw that ``BallTask.example`` shows in "snapshot" mode, one per sequence.
SNAPSHOT_EXAMPLE_FRAMES = 20


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

    def facts(self) -> BallFacts:
        """The task's facts, with the mode, sectors, arena and throws the ball view needs."""
        cfg = self.config
        return self.facts_with(
            BallFacts,
            mode=str(cfg.mode.value),
            directions=cfg.directions,
            gap=cfg.gap,
            box=BOX,
            warmup_frames=WARMUP_FRAMES,
            speed_min=cfg.speed_min,
            speed_max=cfg.speed_max,
            gravity=cfg.gravity,
            compass=cfg.compass,
        )

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

        The arguments are ``Task.batch``'s; ``seq_len``, the frames per throw, is at least
        ``min_seq_len()``.

        Returns
        -------
        Batch
            As in the module docstring; "snapshot" has x and targets of shape (1, B·T, ·).
        """
        batch_size = check_int("batch_size", batch_size, 1, 1_000_000, "sequences per batch")
        seq_len = check_int("seq_len", seq_len, 1, 1_000_000, "frames per sequence")
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
        return ball_metrics(y, positions, batch.extra["visible"], self.mode, self.config.directions)

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
        gap = self.gap_frames(T)
        observed = batch.extra["observed"].astype(np.float64)  # (T, B, 2)
        return straight_line_gap_errors(observed, batch.targets.astype(np.float64), gap)

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
        predicted, true = movement_sectors(
            y, positions, batch.extra["visible"], self.mode, self.config.directions
        )  # (T, B), (T, B)
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
