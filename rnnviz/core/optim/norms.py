"""Gradient norms and clipping by the global norm (``torch.nn.utils.clip_grad_norm_``)::

    ‖g‖ = √(Σ_θ Σ g²);   if ‖g‖ > c:  g ← g · c / (‖g‖ + 10⁻⁶)

The norms neither overflow for finite gradients nor hide a NaN or an infinity.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from rnnviz.core.optim.base import check_real

__all__ = ["clip_grad_norm", "global_norm", "param_norms"]

# Added to the norm in the clipping factor, as PyTorch does, so that it never divides by 0.
_CLIP_EPS = 1e-6


def _check_arrays(grads: Mapping[str, np.ndarray], what: str = "grads") -> None:
    """A mapping of names to floating-point arrays (the generic check of the norm helpers)."""
    if not isinstance(grads, Mapping):
        raise ValueError(f"{what} must be a dict of names to arrays, got {type(grads).__name__}")
    for name, g in grads.items():
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            raise ValueError(f"{what}[{name!r}] must be a floating-point NumPy array")


def _l2(a: np.ndarray) -> float:
    """‖a‖₂ over all elements: inf or NaN if ``a`` holds them, and no overflow otherwise."""
    flat = a.reshape(-1)  # (n,)
    with np.errstate(over="ignore", invalid="ignore"):
        sq = float(np.dot(flat, flat))
    if math.isfinite(sq) or not np.isfinite(flat).all():
        return math.sqrt(sq)
    # finite values whose squares overflow (an exploding gradient): scale by the largest first
    scale = float(np.abs(flat).max())
    scaled = flat.astype(np.float64) / scale  # (n,)
    return scale * math.sqrt(float(np.dot(scaled, scaled)))


def param_norms(arrays: Mapping[str, np.ndarray], what: str = "arrays") -> dict[str, float]:
    """The L2 norm of each array, e.g. of each parameter or each gradient.

    Parameters
    ----------
    arrays : dict[str, ndarray]
        Floating-point arrays of any shapes.
    what : str
        How a message about a bad entry names ``arrays``.

    Returns
    -------
    dict[str, float]
        Same keys; ``‖a‖₂`` over all elements of each (inf or NaN for non-finite arrays).
    """
    _check_arrays(arrays, what)
    return {name: _l2(a) for name, a in arrays.items()}


def global_norm(grads: Mapping[str, np.ndarray]) -> float:
    """The L2 norm of all gradients together, ``√(Σ_θ ‖g_θ‖²)``, from their ``param_norms``:
    ≥ 0, 0 for an empty dict, inf or NaN if a gradient is not finite."""
    # hypot does not overflow when the sum of squares would
    return math.hypot(*param_norms(grads, "grads").values())


def clip_grad_norm(grads: Mapping[str, np.ndarray], max_norm: float | None) -> float:
    """Scale all gradients in place so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict[str, ndarray]
        Floating-point, writeable arrays; multiplied in place by ``max_norm / (norm + 1e-6)``
        when ``norm > max_norm`` (PyTorch's factor), left alone otherwise.
    max_norm : float or None
        Finite and > 0; None only measures.

    Returns
    -------
    float
        The global norm *before* clipping. If it is inf or NaN the gradients are left
        untouched (the optimiser step will then refuse them).
    """
    if max_norm is not None:
        max_norm = check_real("max_norm", max_norm)
        if max_norm <= 0:
            raise ValueError(f"max_norm must be > 0 or None, got {max_norm}")
    norm = global_norm(grads)
    if max_norm is not None and math.isfinite(norm) and norm > max_norm:
        factor = max_norm / (norm + _CLIP_EPS)
        for name, g in grads.items():
            if not g.flags.writeable:
                raise ValueError(f"grads[{name!r}] is read-only and cannot be clipped")
        for g in grads.values():
            g *= factor
    return norm
