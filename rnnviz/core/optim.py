"""Optimisers that update named parameter arrays in place, with PyTorch's update rules.

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

Gradient clipping by the global norm (``torch.nn.utils.clip_grad_norm_``)::

    ‖g‖ = √(Σ_θ Σ g²);   if ‖g‖ > c:  g ← g · c / (‖g‖ + 10⁻⁶)

A step is all or nothing: if any gradient holds a NaN or an infinity,
:class:`NonFiniteGradientError` is raised before any parameter, buffer or the step counter is
touched, so that the training loop can report the explosion and carry on from an intact state.

The state (buffers, step counter and hyper-parameters) is a flat dict of plain arrays, e.g.
``"m.weight_ih_l0"``, ``"step"``, ``"lr"``, that :func:`numpy.savez` can store; restoring it
continues bit for bit.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "NonFiniteGradientError",
    "Optimizer",
    "RMSprop",
    "clip_grad_norm",
    "global_norm",
    "param_norms",
]

# Added to the norm in the clipping factor, as PyTorch does, so that it never divides by 0.
_CLIP_EPS = 1e-6


class NonFiniteGradientError(ArithmeticError):
    """A gradient holds NaN or ±inf; the optimiser changed nothing.

    Attributes
    ----------
    names : tuple[str, ...]
        The parameters whose gradient is not finite, in the optimiser's order.
    """

    def __init__(self, names: list[str] | tuple[str, ...]) -> None:
        self.names = tuple(names)
        super().__init__(
            f"non-finite gradient for {', '.join(self.names)}: no parameter was updated"
        )


# --- checks -------------------------------------------------------------------------------


def _all_finite(a: np.ndarray) -> bool:
    """Whether every element of ``a`` is finite, usually without a temporary array."""
    # A NaN or an infinity makes the sum NaN or infinite, so a finite sum proves the array
    # finite; only a non-finite sum (which may be a mere overflow) needs the element-wise test.
    with np.errstate(over="ignore", invalid="ignore"):
        if math.isfinite(float(np.sum(a))):
            return True
    return bool(np.isfinite(a).all())


def _real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _positive(opt: Optimizer, name: str, value: Any) -> float:
    value = _real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def _nonnegative(opt: Optimizer, name: str, value: Any) -> float:
    value = _real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value}")
    return value


def _fraction(opt: Optimizer, name: str, value: Any) -> float:
    """A decay rate in [0, 1): 1 would freeze an average (and make Adam divide by 0)."""
    value = _real(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class _Hyper:
    """A hyper-parameter attribute, checked on every assignment and saved in the state.

    The value lives in the optimiser's ``_hyper`` dict, whose order (that of the assignments in
    ``__init__``) is also the order in which :meth:`Optimizer.load_state_dict` sets them.
    """

    def __init__(self, check: Callable[[Optimizer, str, Any], Any], doc: str) -> None:
        self.check = check
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, opt: Optimizer | None, owner: type | None = None) -> Any:
        if opt is None:
            return self
        return opt._hyper[self.name]

    def __set__(self, opt: Optimizer, value: Any) -> None:
        opt._hyper[self.name] = self.check(opt, self.name, value)


def _check_params(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of names to arrays, got {type(params).__name__}")
    if not params:
        raise ValueError("params is empty: there is nothing to optimise")
    for name, p in params.items():
        if not isinstance(name, str):
            raise ValueError(f"parameter names must be strings, got {name!r}")
        if not isinstance(p, np.ndarray):
            raise ValueError(f"parameter {name!r} must be a NumPy array, got {type(p).__name__}")
        if p.dtype.kind != "f":
            raise ValueError(f"parameter {name!r} must be floating-point, got dtype {p.dtype}")
        if not p.flags.writeable:
            raise ValueError(f"parameter {name!r} is read-only: it is updated in place")
    names = list(params)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            # a shared array would be updated twice per step
            if np.may_share_memory(params[a], params[b]):
                raise ValueError(f"parameters {a!r} and {b!r} share memory")
    return dict(params)


def _check_arrays(grads: Mapping[str, np.ndarray], what: str = "grads") -> None:
    """A mapping of names to floating-point arrays (the generic check of the norm helpers)."""
    if not isinstance(grads, Mapping):
        raise ValueError(f"{what} must be a dict of names to arrays, got {type(grads).__name__}")
    for name, g in grads.items():
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            raise ValueError(f"{what}[{name!r}] must be a floating-point NumPy array")


# --- the base class -----------------------------------------------------------------------


class Optimizer:
    """Base class: a dict of named parameters, their state buffers and a step counter.

    Parameters
    ----------
    params : dict[str, ndarray]
        The arrays to update in place (e.g. a model's ``params``); kept by reference. Floating
        point, writeable, not sharing memory.
    lr : float
        Learning rate η, finite and > 0; may be changed between steps.

    Attributes
    ----------
    params : dict[str, ndarray]
        The parameters (a new dict holding the same arrays).
    state : dict[str, dict[str, ndarray]]
        Buffer name → parameter name → array of the parameter's shape and dtype, allocated once.
    """

    lr = _Hyper(_positive, "Learning rate η, finite and > 0.")

    # (buffer name, must be ≥ 0): the per-parameter state of the subclass
    _buffers: ClassVar[tuple[tuple[str, bool], ...]] = ()

    def __init__(self, params: Mapping[str, np.ndarray], lr: float) -> None:
        self._hyper: dict[str, Any] = {}
        self.params = _check_params(params)
        self.lr = lr
        self._step = 0
        # allocated once; a subclass whose buffers do not start at 0 fills them in its __init__
        self.state: dict[str, dict[str, np.ndarray]] = {
            buf: {name: np.zeros_like(p) for name, p in self.params.items()}
            for buf, _ in self._buffers
        }
        # two work arrays per parameter so that a step allocates nothing of the parameters' size
        self._gw = {name: np.empty_like(p) for name, p in self.params.items()}
        self._tmp = {name: np.empty_like(p) for name, p in self.params.items()}

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in self._hyper.items())
        return f"{type(self).__name__}({hyper}, step_count={self._step})"

    @property
    def step_count(self) -> int:
        """Number of successful steps since construction or :meth:`zero_state`."""
        return self._step

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """A copy of the current hyper-parameters, e.g. ``{"lr": 0.01, "momentum": 0.9}``."""
        return dict(self._hyper)

    def _initial_value(self, buf: str) -> float:
        """The value a buffer starts from (0 except Adagrad's accumulator)."""
        return 0.0

    def _fill_buffers(self) -> None:
        for buf, arrays in self.state.items():
            for a in arrays.values():
                a.fill(self._initial_value(buf))

    def zero_state(self) -> None:
        """Forget the history: buffers back to their initial value, step counter to 0.

        The hyper-parameters are kept.
        """
        self._fill_buffers()
        self._step = 0

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter in place from its gradient.

        Parameters
        ----------
        grads : dict[str, ndarray]
            Exactly the parameters' names, each with the parameter's shape and dtype. Not
            modified.

        Raises
        ------
        ValueError
            On missing or extra names, or a wrong shape or dtype.
        NonFiniteGradientError
            If any gradient holds NaN or ±inf; nothing (parameters, buffers, step counter)
            is changed then.
        """
        if not isinstance(grads, Mapping):
            raise ValueError(f"grads must be a dict of names to arrays, got {type(grads).__name__}")
        missing = [k for k in self.params if k not in grads]
        extra = [k for k in grads if k not in self.params]
        if missing:
            raise ValueError(f"grads is missing the parameter(s) {missing}")
        if extra:
            raise ValueError(f"grads has unknown parameter(s) {extra}")
        for name, p in self.params.items():
            g = grads[name]
            if not isinstance(g, np.ndarray):
                raise ValueError(f"grads[{name!r}] must be a NumPy array, got {type(g).__name__}")
            if g.shape != p.shape:
                raise ValueError(f"grads[{name!r}] must have shape {p.shape}, got {g.shape}")
            if g.dtype != p.dtype:
                raise ValueError(f"grads[{name!r}] must have dtype {p.dtype}, got {g.dtype}")
        bad = [name for name in self.params if not _all_finite(grads[name])]
        if bad:
            raise NonFiniteGradientError(bad)
        self._step += 1
        for name, p in self.params.items():
            self._update(name, p, grads[name])

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        """Apply one step to parameter ``name`` (``self._step`` is already the new t)."""
        raise NotImplementedError

    def _with_weight_decay(self, name: str, p: np.ndarray, g: np.ndarray, wd: float) -> np.ndarray:
        """``g + λ θ`` in the work array (or ``g`` itself when λ = 0); ``g`` is not modified."""
        if wd == 0:
            return g
        gw = np.multiply(p, wd, out=self._gw[name])
        gw += g
        return gw

    def _state_keys(self) -> list[str]:
        """The keys of :meth:`state_dict`, in its order."""
        keys = ["step", *self._hyper]
        keys += [f"{buf}.{name}" for buf, _ in self._buffers for name in self.params]
        return keys

    def state_dict(self) -> dict[str, np.ndarray]:
        """The whole optimiser state as a flat dict of plain arrays (copies).

        Returns
        -------
        dict[str, ndarray]
            ``"step"``: 0-d int64; each hyper-parameter (``"lr"``, ...): 0-d float64 (bool for
            flags); each buffer: ``"<buffer>.<parameter name>"`` with the parameter's shape and
            dtype.
        """
        state: dict[str, np.ndarray] = {"step": np.array(self._step, dtype=np.int64)}
        for key, value in self._hyper.items():
            state[key] = np.array(value, dtype=bool if isinstance(value, bool) else np.float64)
        for buf, arrays in self.state.items():
            for name, a in arrays.items():
                state[f"{buf}.{name}"] = a.copy()
        return state

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Restore a :meth:`state_dict` in place, after checking every entry.

        The parameters' values are not part of the optimiser state: restore them from the
        model's own state dict (into the same arrays, which this optimiser holds).

        Parameters
        ----------
        state : mapping of str to ndarray
            Exactly the keys of :meth:`state_dict` for these parameters.

        Raises
        ------
        ValueError
            Naming the key of a missing, unexpected, mis-shaped, wrongly typed, non-finite or
            out-of-range entry; nothing is loaded then.
        """
        if not isinstance(state, Mapping):
            raise ValueError(f"state must be a mapping of names to arrays, got {type(state)}")
        expected = self._state_keys()
        missing = [k for k in expected if k not in state]
        extra = [k for k in state if k not in expected]
        if missing:
            raise ValueError(f"optimizer state is missing the key(s) {missing}")
        if extra:
            raise ValueError(f"optimizer state has unexpected key(s) {extra}")

        step = np.asarray(state["step"])
        if step.shape != () or step.dtype.kind not in "iu" or step < 0:
            raise ValueError(f"state['step'] must be a 0-d integer ≥ 0, got {step!r}")

        hyper: dict[str, Any] = {}
        for key, old in self._hyper.items():
            a = np.asarray(state[key])
            kind = "b" if isinstance(old, bool) else "f"
            if a.shape != () or a.dtype.kind != kind:
                want = "bool" if kind == "b" else "float"
                raise ValueError(f"state[{key!r}] must be a 0-d {want} array, got {a!r}")
            hyper[key] = a.item()

        buffers: dict[tuple[str, str], np.ndarray] = {}
        for buf, nonnegative in self._buffers:
            for name, p in self.params.items():
                key = f"{buf}.{name}"
                a = np.asarray(state[key])
                if a.shape != p.shape:
                    raise ValueError(f"state[{key!r}] must have shape {p.shape}, got {a.shape}")
                if a.dtype.kind != "f":
                    raise ValueError(f"state[{key!r}] must be floating-point, got {a.dtype}")
                with np.errstate(over="ignore"):  # an overflow shows up as inf just below
                    a = a.astype(p.dtype, copy=False)
                if not np.isfinite(a).all():
                    raise ValueError(
                        f"state[{key!r}] contains NaN or infinite values "
                        f"(or values too large for {p.dtype})"
                    )
                if nonnegative and (a < 0).any():
                    raise ValueError(f"state[{key!r}] must be ≥ 0 (a sum of squares)")
                buffers[buf, name] = a

        # The setters check each value and the combinations (e.g. Nesterov needs momentum);
        # they run in construction order from scratch, and the old values come back on error.
        old_hyper, self._hyper = self._hyper, {}
        for key, value in hyper.items():
            try:
                setattr(self, key, value)
            except ValueError as err:
                self._hyper = old_hyper
                raise ValueError(f"state[{key!r}]: {err}") from err

        for (buf, name), a in buffers.items():
            np.copyto(self.state[buf][name], a)
        self._step = int(step)


# --- the optimisers -----------------------------------------------------------------------


def _sgd_momentum(opt: Optimizer, name: str, value: Any) -> float:
    value = _fraction(opt, name, value)
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
    """Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.

    Parameters
    ----------
    params : dict[str, ndarray]
        Updated in place.
    lr : float
        η > 0.
    momentum : float
        μ in [0, 1); 0 is plain SGD.
    nesterov : bool
        Nesterov momentum; needs μ > 0.
    weight_decay : float
        λ ≥ 0, an L2 penalty added to the gradient.
    """

    momentum = _Hyper(_sgd_momentum, "Momentum μ in [0, 1).")
    nesterov = _Hyper(_nesterov, "Nesterov momentum; needs momentum > 0.")
    weight_decay = _Hyper(_nonnegative, "Weight decay λ ≥ 0.")

    _buffers = (("buf", False),)

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay

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
    """Adam with PyTorch's bias correction (and L2 weight decay added to the gradient).

    Parameters
    ----------
    params : dict[str, ndarray]
        Updated in place.
    lr : float
        η > 0.
    betas : tuple[float, float]
        (β₁, β₂), each in [0, 1): decay rates of the mean and of the mean square.
    eps : float
        ε > 0, added to the denominator.
    weight_decay : float
        λ ≥ 0.
    """

    beta1 = _Hyper(_fraction, "β₁ in [0, 1), decay of the running mean m.")
    beta2 = _Hyper(_fraction, "β₂ in [0, 1), decay of the running mean square v.")
    eps = _Hyper(_positive, "ε > 0, added to the denominator.")
    weight_decay = _Hyper(_nonnegative, "Weight decay λ ≥ 0.")

    _buffers = (("m", False), ("v", True))

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay

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
        beta1 = _fraction(self, "betas[0]", beta1)
        beta2 = _fraction(self, "betas[1]", beta2)
        self.beta1, self.beta2 = beta1, beta2

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        t, lr, beta1, beta2 = self._step, self.lr, self.beta1, self.beta2
        g = self._with_weight_decay(name, p, g, self.weight_decay)  # (shape of p)
        m, v, tmp = self.state["m"][name], self.state["v"][name], self._tmp[name]
        # m ← m + (1 − β₁)(g − m): PyTorch's lerp, the same as β₁ m + (1 − β₁) g
        np.subtract(g, m, out=tmp)
        tmp *= 1 - beta1
        m += tmp
        # v ← β₂ v + (1 − β₂) g²
        v *= beta2
        np.multiply(g, 1 - beta2, out=tmp)
        tmp *= g
        v += tmp
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
    """Adagrad: the step of each weight shrinks with the sum of its squared gradients.

    Parameters
    ----------
    params : dict[str, ndarray]
        Updated in place.
    lr : float
        η > 0.
    eps : float
        ε > 0, added to the denominator.
    initial_accumulator_value : float
        ≥ 0, where the sum of squares starts (also after :meth:`zero_state`).
    """

    eps = _Hyper(_positive, "ε > 0, added to the denominator.")
    initial_accumulator_value = _Hyper(
        _nonnegative, "Start value (≥ 0) of the sum of squares, used by zero_state()."
    )

    _buffers = (("sum", True),)

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float = 1e-2,
        eps: float = 1e-10,
        initial_accumulator_value: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.eps = eps
        self.initial_accumulator_value = initial_accumulator_value
        self._fill_buffers()

    def _initial_value(self, buf: str) -> float:
        return self.initial_accumulator_value

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        acc, tmp = self.state["sum"][name], self._tmp[name]
        np.multiply(g, g, out=tmp)
        acc += tmp
        denom = np.sqrt(acc, out=tmp)
        denom += self.eps
        np.divide(g, denom, out=tmp)
        tmp *= self.lr
        p -= tmp


class RMSprop(Optimizer):
    """RMSprop (not centred): the gradient divided by a running root mean square.

    Parameters
    ----------
    params : dict[str, ndarray]
        Updated in place.
    lr : float
        η > 0.
    alpha : float
        α in [0, 1), decay of the running mean square.
    eps : float
        ε > 0, added to the denominator.
    momentum : float
        μ in [0, 1); 0 for none.
    """

    alpha = _Hyper(_fraction, "alpha in [0, 1), decay of the running mean square.")
    eps = _Hyper(_positive, "ε > 0, added to the denominator.")
    momentum = _Hyper(_fraction, "Momentum μ in [0, 1).")

    _buffers = (("square_avg", True), ("buf", False))

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        alpha, mu = self.alpha, self.momentum
        sq, tmp = self.state["square_avg"][name], self._tmp[name]
        # square_avg ← α square_avg + (1 − α) g²
        sq *= alpha
        np.multiply(g, 1 - alpha, out=tmp)
        tmp *= g
        sq += tmp
        denom = np.sqrt(sq, out=tmp)
        denom += self.eps
        np.divide(g, denom, out=tmp)  # g / (√square_avg + ε)
        if mu > 0:
            buf = self.state["buf"][name]
            buf *= mu
            buf += tmp
            np.multiply(buf, self.lr, out=tmp)
        else:
            tmp *= self.lr
        p -= tmp


# --- norms and clipping -------------------------------------------------------------------


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


def param_norms(arrays: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The L2 norm of each array, e.g. of each parameter or each gradient.

    Parameters
    ----------
    arrays : dict[str, ndarray]
        Floating-point arrays of any shapes.

    Returns
    -------
    dict[str, float]
        Same keys; ``‖a‖₂`` over all elements of each (inf or NaN for non-finite arrays).
    """
    _check_arrays(arrays, "arrays")
    return {name: _l2(a) for name, a in arrays.items()}


def global_norm(grads: Mapping[str, np.ndarray]) -> float:
    """The L2 norm of all gradients together, ``√(Σ_θ ‖g_θ‖²)``.

    Parameters
    ----------
    grads : dict[str, ndarray]
        Floating-point arrays of any shapes.

    Returns
    -------
    float
        ≥ 0; 0 for an empty dict; inf or NaN if a gradient is not finite.
    """
    _check_arrays(grads)
    # hypot does not overflow when the sum of squares would
    return math.hypot(*(_l2(g) for g in grads.values()))


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
        max_norm = _real("max_norm", max_norm)
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
