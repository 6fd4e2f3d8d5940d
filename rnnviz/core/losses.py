"""Losses at the readout, with their gradients with respect to the network's outputs.

Softmax and its logarithm, stable for any finite logits because the row maximum m is
subtracted first (the result is unchanged, and every exponent is then ≤ 0):

    softmax(z)_v     = e^{z_v − m} / Σ_u e^{z_u − m}
    log_softmax(z)_v = (z_v − m) − log Σ_u e^{z_u − m}

Softmax cross-entropy over the positions p = (t, b) with targets y_p and weights w_p ≥ 0
(a mask: w_p = 0 leaves position p out, e.g. all but the last step of a recall task):

    L            = Σ_p w_p · (−log_softmax(z_p)_{y_p}) / Σ_p w_p
    ∂L/∂z_{p,v}  = w_p · (softmax(z_p)_v − [v = y_p]) / Σ_p w_p

Mean squared error over the F features of the counted positions:

    L            = Σ_p w_p Σ_f (ŷ_{p,f} − y_{p,f})² / (F · Σ_p w_p)
    ∂L/∂ŷ_{p,f}  = 2 w_p (ŷ_{p,f} − y_{p,f}) / (F · Σ_p w_p)

Without a mask every w_p is 1, so L is the plain mean. Arrays are time-major, (T, B, ·), or
flat, (N, ·); the gradients keep the dtype of the outputs. The scalar loss is summed in float64
so that a float32 loss over many positions does not drift.
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_softmax", "mean_squared_error", "softmax", "softmax_cross_entropy"]


def _check_float(name: str, a: np.ndarray) -> np.ndarray:
    """``a`` as a floating array with only finite values, or a ValueError naming ``name``."""
    a = np.asarray(a)
    if a.dtype.kind != "f":
        raise ValueError(f"{name} must be a floating-point array, got dtype {a.dtype}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _check_outputs(name: str, a: np.ndarray) -> np.ndarray:
    """A finite float array of shape (T, B, V) or (N, V) with V ≥ 1."""
    a = _check_float(name, a)
    if a.ndim not in (2, 3):
        raise ValueError(f"{name} must have shape (T, B, V) or (N, V), got shape {a.shape}")
    if a.shape[-1] == 0:
        raise ValueError(f"{name} has an empty last axis, shape {a.shape}")
    return a


def _weights(mask: np.ndarray | None, lead: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """The position weights w of shape ``lead`` in ``dtype``, checked: finite, ≥ 0, Σw > 0."""
    if mask is None:
        w = np.ones(lead, dtype=dtype)  # (T, B)
    else:
        mask = np.asarray(mask)
        if mask.dtype.kind not in "biuf":
            raise ValueError(f"mask must be bool or real-valued, got dtype {mask.dtype}")
        if mask.shape != lead:
            raise ValueError(f"mask must have the leading shape {lead}, got shape {mask.shape}")
        if mask.dtype.kind == "f" and not np.isfinite(mask).all():
            raise ValueError("mask contains NaN or infinite values")
        if (mask < 0).any():
            raise ValueError("mask contains negative weights")
        w = mask.astype(dtype)  # (T, B)
    if w.size == 0:
        raise ValueError(f"there are no positions to average over: leading shape {lead}")
    if not w.sum(dtype=np.float64) > 0:
        raise ValueError("mask selects no position: the sum of the weights is 0")
    return w


def log_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable log-softmax along ``axis``: ``(z − m) − log Σ e^{z − m}`` with m the maximum.

    Parameters
    ----------
    logits : ndarray, any shape, float
        Finite values; ±1e4 is fine.
    axis : int
        The class axis.

    Returns
    -------
    ndarray
        Same shape and dtype as ``logits``; every value ≤ 0.
    """
    return _log_softmax(_check_float("logits", logits), axis)


def _log_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """:func:`log_softmax` of logits already checked, as a new contiguous array."""
    # C order whatever the input's strides, so that callers can index a flat view of it
    shifted = np.subtract(logits, logits.max(axis=axis, keepdims=True), order="C")  # (..., V)
    # every shifted value is ≤ 0 and the maximum is exactly 0, so the sum is ≥ 1: the log is
    # finite and no exponent can overflow
    lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))  # (..., 1)
    shifted -= lse
    return shifted


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable softmax along ``axis``: ``e^{z − m} / Σ e^{z − m}`` with m the maximum.

    The arguments are those of :func:`log_softmax`; the result has the shape and dtype of
    ``logits``, non-negative and summing to 1 along ``axis``.
    """
    logits = _check_float("logits", logits)
    e = logits - logits.max(axis=axis, keepdims=True)  # (..., V)
    # exponents ≤ 0 cannot overflow, and the largest term is exactly 1 so the sum is ≥ 1
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def softmax_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Weighted mean cross-entropy of the softmax of ``logits`` against integer ``targets``.

    Parameters
    ----------
    logits : ndarray, (T, B, V) or (N, V), float
        Unnormalised class scores, finite.
    targets : ndarray, (T, B) or (N,), integer
        Class indices in [0, V), at every position (masked positions included).
    mask : ndarray, (T, B) or (N,), bool or float, optional
        Non-negative weight of each position; 0 leaves the position out of the loss and its
        gradient. The weights need not sum to 1: the loss divides by their sum.

    Returns
    -------
    loss : float
        ``Σ_p w_p · (−log p_p[y_p]) / Σ_p w_p``; log V for uniform logits.
    dlogits : ndarray, same shape and dtype as ``logits``
        The gradient of ``loss``: ``w_p (softmax(z_p) − onehot(y_p)) / Σ w``.

    Raises
    ------
    ValueError
        On a wrong shape or dtype, a non-finite value, a target outside [0, V), a negative
        weight, or a mask that selects no position.
    """
    logits = _check_outputs("logits", logits)
    lead, V = logits.shape[:-1], logits.shape[-1]
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise ValueError(f"targets must be an integer array, got dtype {targets.dtype}")
    if targets.shape != lead:
        raise ValueError(f"targets must have the leading shape {lead}, got shape {targets.shape}")
    if targets.size and (targets.min() < 0 or targets.max() >= V):
        raise ValueError(
            f"targets must be class indices in [0, {V}), got values in "
            f"[{targets.min()}, {targets.max()}]"
        )
    w = _weights(mask, lead, logits.dtype)  # (T, B)
    total = w.sum(dtype=np.float64)

    logp = _log_softmax(logits)  # (T, B, V)
    rows = np.arange(targets.size)  # (T·B,)
    cols = targets.reshape(-1)  # (T·B,)
    logp_flat = logp.reshape(-1, V)  # (T·B, V), a view: logp is a fresh contiguous array
    picked = logp_flat[rows, cols].astype(np.float64)  # (T·B,)
    loss = -float(np.dot(w.reshape(-1).astype(np.float64), picked)) / float(total)

    # exp(log_softmax) is the softmax: reuse the buffer rather than exponentiate twice
    dlogits = np.exp(logp, out=logp)  # (T, B, V)
    dlogits.reshape(-1, V)[rows, cols] -= 1  # softmax − onehot(y), through a view
    # the weight and the 1/Σw of the mean, folded into one factor per position
    scale = (w / total).astype(logits.dtype)  # (T, B)
    dlogits *= scale[..., None]
    return loss, dlogits


def mean_squared_error(
    pred: np.ndarray, target: np.ndarray, mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Mean squared error over all features of the counted positions.

    Parameters
    ----------
    pred : ndarray, (T, B, F) or (N, F), float
        Predictions, finite.
    target : ndarray, same shape as ``pred``, float
        Wanted values, finite; compared in the dtype of ``pred``.
    mask : ndarray, (T, B) or (N,), bool or float, optional
        Non-negative weight of each position, shared by its F features.

    Returns
    -------
    loss : float
        ``Σ_p w_p Σ_f (ŷ − y)² / (F Σ_p w_p)``; the plain mean without a mask.
    dpred : ndarray, same shape and dtype as ``pred``
        The gradient of ``loss``: ``2 w_p (ŷ − y) / (F Σ w)``.

    Raises
    ------
    ValueError
        On a wrong shape or dtype, a non-finite value, a negative weight, or a mask that
        selects no position.
    """
    pred = _check_outputs("pred", pred)
    target = _check_float("target", target)
    if target.shape != pred.shape:
        raise ValueError(f"target must have the shape of pred {pred.shape}, got {target.shape}")
    lead, F = pred.shape[:-1], pred.shape[-1]
    w = _weights(mask, lead, pred.dtype)  # (T, B)
    total = w.sum(dtype=np.float64) * F

    diff = pred - target.astype(pred.dtype, copy=False)  # (T, B, F)
    sq = np.square(diff, dtype=np.float64).sum(axis=-1)  # (T, B), float64 for the scalar only
    loss = float(np.dot(w.ravel().astype(np.float64), sq.ravel())) / float(total)

    scale = (2.0 * w / total).astype(pred.dtype)  # (T, B)
    diff *= scale[..., None]
    return loss, diff
