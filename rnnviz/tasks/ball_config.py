"""The settings of the moving-ball task (``rnnviz.tasks.ball``) and their rows in the
settings table (``rnnviz.tasks.setting``): speeds, gravity, camera noise, mode, occlusion,
direction sectors and compass throws. The box is the unit square; units are box widths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rnnviz.tasks.ball_scoring import BallMode
from rnnviz.tasks.setting import ConfigError, Setting, check_fields

__all__ = ["BallConfig"]

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


# --- the task ---------------------------------------------------------------------------------
