"""One training update: forward, loss, backward through time, clip, optimiser step.

outputs, h_n = model(x, h0)
L, dL/doutputs = task.loss(outputs, batch)
grads = backward(dL/doutputs)            (BPTT; ‖∂L/∂h_t‖ per step on the side)
‖g‖ = clip_grad_norm(grads, clip)        (the norm before clipping is reported)
θ ← optimiser(θ, grads)                  (refused, and reported, if anything is not finite)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core import Gradients, NonFiniteGradientError, Optimizer, clip_grad_norm
from rnnviz.tasks.base import Batch, Task
from rnnviz.training.model import ModelCache, SequenceModel

__all__ = ["StepResult", "train_step"]


@dataclass(frozen=True)
class StepResult:
    """What one update did.

    Attributes
    ----------
    loss : float
        The loss before the update (NaN or inf when it diverged).
    grad_norm : float
        Global gradient norm before clipping.
    applied : bool
        False when the loss or a gradient was not finite and the update was skipped.
    reason : str
        Why it was skipped ("" when applied).
    outputs : ndarray, (T, B, O)
    h_n : final states, as the layer returns them
    cache : ModelCache
    rnn_grads : Gradients or None
        The layer's gradients with ``dh_norms``; None when the loss was not finite.
    """

    loss: float
    grad_norm: float
    applied: bool
    reason: str
    outputs: np.ndarray
    h_n: object
    cache: ModelCache
    rnn_grads: Gradients | None


def train_step(
    model: SequenceModel,
    task: Task,
    batch: Batch,
    optimizer: Optimizer,
    clip: float | None = None,
    h0=None,
    loss_limit: float = float("inf"),
) -> StepResult:
    """Run one update of ``model`` on ``batch``; see the module docstring.

    A loss above ``loss_limit`` counts as diverged too: the softmax cross-entropy is stable, so
    an exploding network shows as a huge finite loss long before anything overflows. Overflow
    warnings are silenced here (per thread) because every result is checked for finiteness.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return _train_step(model, task, batch, optimizer, clip, h0, loss_limit)


def _train_step(model, task, batch, optimizer, clip, h0, loss_limit) -> StepResult:
    outputs, h_n, cache = model.forward(batch.x, h0)  # (T, B, O)
    if not np.all(np.isfinite(outputs)):  # the hidden states overflowed (e.g. a ReLU cell)
        reason = "the hidden states overflowed"
        return StepResult(float("nan"), float("nan"), False, reason, outputs, h_n, cache, None)
    loss, doutputs = task.loss(outputs, batch)
    if not np.isfinite(loss) or not np.all(np.isfinite(doutputs)):
        return StepResult(
            loss, float("nan"), False, "the loss is not finite", outputs, h_n, cache, None
        )
    if loss > loss_limit:
        reason = f"the loss exploded to {loss:.3g} (the limit is {loss_limit:.3g})"
        return StepResult(loss, float("nan"), False, reason, outputs, h_n, cache, None)
    try:
        grads, rnn_grads = model.backward(doutputs, cache)
    except NonFiniteGradientError as error:
        return StepResult(loss, float("nan"), False, str(error), outputs, h_n, cache, None)
    grad_norm = clip_grad_norm(grads, clip)
    if not np.isfinite(grad_norm):
        return StepResult(
            loss, grad_norm, False, "the gradient is not finite", outputs, h_n, cache, rnn_grads
        )
    try:
        optimizer.step(grads)
    except NonFiniteGradientError as error:
        return StepResult(loss, grad_norm, False, str(error), outputs, h_n, cache, rnn_grads)
    return StepResult(loss, grad_norm, True, "", outputs, h_n, cache, rnn_grads)
