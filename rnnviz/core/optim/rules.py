"""The update rules: SGD (with momentum and Nesterov), Adam, Adagrad and RMSprop, as PyTorch
computes them.

For each parameter θ with gradient g, at step t = 1, 2, … (η is the learning rate ``lr``):

SGD (``torch.optim.SGD``, dampening 0), with weight decay λ and momentum μ::

    g   ← g + λ θ
    buf ← μ buf + g                 (buf starts at 0, so buf = g at the first step)
    d   ← g + μ buf  (Nesterov)  or  buf  (μ > 0)  or  g  (μ = 0)
    θ   ← θ − η d

Adam (``torch.optim.Adam``; weight decay added to the gradient, not decoupled as in AdamW)::

    g   ← g + λ θ
    m   ← β₁ m + (1 − β₁) g         (computed as m + (1 − β₁)(g − m), as PyTorch's lerp)
    v   ← β₂ v + (1 − β₂) g²
    θ   ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

Adagrad (``torch.optim.Adagrad``, no learning-rate decay; ``sum`` starts at the initial
accumulator value)::

    sum ← sum + g²
    θ   ← θ − η g / (√sum + ε)

RMSprop (``torch.optim.RMSprop``, not centred)::

    square_avg ← α square_avg + (1 − α) g²
    buf        ← μ buf + g / (√square_avg + ε)        then θ ← θ − η buf   (μ > 0)
    θ          ← θ − η g / (√square_avg + ε)                               (μ = 0)

Each rule is an :class:`~rnnviz.core.optim.base.Optimizer` that declares its hyper-parameters
and buffers and writes one parameter's update in place, allocating nothing of its size. Its
``__init__`` takes the parameters, η (``lr``) and the hyper-parameters by their names; each
hyper-parameter (a ``Hyper``) is documented where the class declares it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rnnviz.core.optim.base import Hyper, Optimizer, fraction, nonnegative, positive

__all__ = ["SGD", "Adagrad", "Adam", "RMSprop"]

# Hyper-parameters that several rules have (one descriptor may serve several classes).
_EPS = Hyper(positive, "ε > 0, added to the denominator.")
_WEIGHT_DECAY = Hyper(nonnegative, "Weight decay λ ≥ 0, an L2 penalty added to the gradient.")


def _average_square(avg: np.ndarray, g: np.ndarray, decay: float, tmp: np.ndarray) -> None:
    """``avg ← decay · avg + (1 − decay) · g²`` in place; ``tmp`` is a work array like ``g``."""
    avg *= decay
    np.multiply(g, 1 - decay, out=tmp)
    tmp *= g
    avg += tmp


def _over_root(g: np.ndarray, acc: np.ndarray, eps: float, out: np.ndarray) -> np.ndarray:
    """``g / (√acc + ε)`` into ``out`` (which may be neither ``g`` nor ``acc``)."""
    np.sqrt(acc, out=out)
    out += eps
    np.divide(g, out, out=out)
    return out


def _sgd_momentum(opt: Optimizer, name: str, value: Any) -> float:
    value = fraction(opt, name, value)
    if value == 0 and opt._hyper.get("nesterov", False):
        raise ValueError("momentum must be > 0 while nesterov is on")
    return value


def _nesterov(opt: Optimizer, name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"nesterov must be True or False, got {value!r}")
    if value and opt._hyper["momentum"] == 0:
        raise ValueError("nesterov needs momentum > 0")
    return bool(value)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay."""

    momentum = Hyper(_sgd_momentum, "Momentum μ in [0, 1); 0 is plain SGD.")
    nesterov = Hyper(_nesterov, "Nesterov momentum; needs momentum > 0.")
    weight_decay = _WEIGHT_DECAY

    _buffers = (("buf", False),)

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(
            params, lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay
        )

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        lr, mu = self.lr, self.momentum
        d = self._with_weight_decay(name, p, g, self.weight_decay)  # (shape of p)
        tmp = self._tmp[name]
        if mu != 0:
            buf = self.state["buf"][name]
            # buf is 0 until momentum is first used, so this is PyTorch's "buf = g" first step
            buf *= mu
            buf += d
            if self.nesterov:
                np.multiply(buf, mu, out=tmp)
                tmp += d
                d = tmp
            else:
                d = buf
        np.multiply(d, lr, out=tmp)
        p -= tmp


class Adam(Optimizer):
    """Adam with PyTorch's bias correction (and L2 weight decay added to the gradient)."""

    beta1 = Hyper(fraction, "β₁ in [0, 1), decay of the running mean m.")
    beta2 = Hyper(fraction, "β₂ in [0, 1), decay of the running mean square v.")
    eps = _EPS
    weight_decay = _WEIGHT_DECAY

    _buffers = (("m", False), ("v", True))

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay)

    @property
    def betas(self) -> tuple[float, float]:
        """(β₁, β₂); each also settable alone as ``beta1`` and ``beta2``."""
        return (self.beta1, self.beta2)

    @betas.setter
    def betas(self, value: tuple[float, float]) -> None:
        try:
            beta1, beta2 = value
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (β₁, β₂), got {value!r}") from None
        # both checked before either is set
        beta1 = fraction(self, "betas[0]", beta1)
        beta2 = fraction(self, "betas[1]", beta2)
        self.beta1, self.beta2 = beta1, beta2

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        t, lr, beta1, beta2 = self._step, self.lr, self.beta1, self.beta2
        g = self._with_weight_decay(name, p, g, self.weight_decay)  # (shape of p)
        m, v, tmp = self.state["m"][name], self.state["v"][name], self._tmp[name]
        # m ← m + (1 − β₁)(g − m): PyTorch's lerp, the same as β₁ m + (1 − β₁) g
        np.subtract(g, m, out=tmp)
        tmp *= 1 - beta1
        m += tmp
        _average_square(v, g, beta2, tmp)  # v ← β₂ v + (1 − β₂) g²
        # early averages are biased towards their zero start; the corrections undo it
        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        denom = np.sqrt(v, out=tmp)
        denom /= bias_correction2_sqrt
        denom += self.eps
        np.divide(m, denom, out=tmp)
        tmp *= step_size
        p -= tmp


class Adagrad(Optimizer):
    """Adagrad: the step of each weight shrinks with the sum of its squared gradients."""

    eps = _EPS
    initial_accumulator_value = Hyper(
        nonnegative, "Start value (≥ 0) of the sum of squares, used by zero_state()."
    )

    _buffers = (("sum", True),)

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float = 1e-2,
        eps: float = 1e-10,
        initial_accumulator_value: float = 0.0,
    ) -> None:
        super().__init__(params, lr, eps=eps, initial_accumulator_value=initial_accumulator_value)
        self._fill_buffers()

    def _initial_value(self, buf: str) -> float:
        return self.initial_accumulator_value

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        acc, tmp = self.state["sum"][name], self._tmp[name]
        np.multiply(g, g, out=tmp)
        acc += tmp  # sum ← sum + g²
        step = _over_root(g, acc, self.eps, out=tmp)
        step *= self.lr
        p -= step


class RMSprop(Optimizer):
    """RMSprop (not centred): the gradient divided by a running root mean square."""

    alpha = Hyper(fraction, "alpha in [0, 1), decay of the running mean square.")
    eps = _EPS
    momentum = Hyper(fraction, "Momentum μ in [0, 1); 0 for none.")

    _buffers = (("square_avg", True), ("buf", False))

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
    ) -> None:
        super().__init__(params, lr, alpha=alpha, eps=eps, momentum=momentum)

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        alpha, mu = self.alpha, self.momentum
        sq, tmp = self.state["square_avg"][name], self._tmp[name]
        _average_square(sq, g, alpha, tmp)  # square_avg ← α square_avg + (1 − α) g²
        _over_root(g, sq, self.eps, out=tmp)  # g / (√square_avg + ε)
        if mu > 0:
            buf = self.state["buf"][name]
            buf *= mu
            buf += tmp
            np.multiply(buf, self.lr, out=tmp)
        else:
            tmp *= self.lr
        p -= tmp
