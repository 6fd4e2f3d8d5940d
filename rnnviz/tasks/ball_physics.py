"""How a ball flies through the unit box: the physics of the moving-ball task.

A ball flies in the unit box [0, 1] × [0, 1] (x to the right, y up), one frame per time step
(Δt = 1 frame; speeds in box widths per frame, gravity g in box widths per frame²). At every
frame, with p_t = (x_t, y_t) the position and v_t the velocity (semi-implicit Euler)::

    v'      = v_t − (0, g)                    gravity pulls towards y = 0
    p'      = p_t + v'
    p_{t+1} = fold(p'),   v_{t+1} = ±v'       elastic bounces on the four walls

where, per coordinate u with k = ⌊u⌋, fold(u) = u − k for even k and 1 − (u − k) for odd k, and
the velocity component changes sign when k is odd (an odd number of bounces). The speed is kept
by a bounce; only gravity changes it.

Directions are counted in D equal sectors (45° each for 8), sector 0 centred on the +x axis
("east"), counting anticlockwise: sector(d) = ⌊atan2(d_y, d_x) / (2π/D) + ½⌋ mod D (a movement
exactly on a boundary belongs to the sector anticlockwise of it).

``fold_into_box``    bring a position back into the box by reflections on the walls
``simulate_ball``    fly balls for N frames
``direction_sector`` the sector a movement points into
``BOX``              the box, (x0, y0, x1, y1)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["BOX", "direction_sector", "fold_into_box", "simulate_ball"]

#: The arena, (x0, y0, x1, y1) in box widths: the unit square.
BOX = (0.0, 0.0, 1.0, 1.0)


def check_real(name: str, value: object, low: float, high: float, meaning: str) -> float:
    """``value`` as a float, or a ValueError a student understands unless it is in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} ({meaning}) must be a number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be between {low:g} and {high:g} ({meaning}), got {value:g}")
    return value


def check_int(name: str, value: object, low: int, high: int, meaning: str) -> int:
    """``value`` as an int, or a ValueError a student understands unless it is in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} ({meaning}) must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high} ({meaning}), got {value}")
    return int(value)


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
    num_frames = check_int("num_frames", num_frames, 1, 10**7, "frames to simulate")
    gravity = check_real("gravity", gravity, 0.0, math.inf, "box widths per frame²")
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
