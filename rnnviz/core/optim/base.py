"""What every optimiser shares: the parameters it updates, a step that is all or nothing,
hyper-parameters checked on every assignment, and a state that saves and restores bit for bit.

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

from rnnviz.core.checks import check_keys, saved_array

__all__ = ["NonFiniteGradientError", "Optimizer"]


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


def check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def positive(opt: Optimizer, name: str, value: Any) -> float:
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def nonnegative(opt: Optimizer, name: str, value: Any) -> float:
    value = check_real(name, value)
    if value < 0:
        raise ValueError(f"{name} must be ≥ 0, got {value}")
    return value


def fraction(opt: Optimizer, name: str, value: Any) -> float:
    """A decay rate in [0, 1): 1 would freeze an average (and make Adam divide by 0)."""
    value = check_real(name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class Hyper:
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
    **hyper
        A subclass's hyper-parameters by name, set (and so checked) in the order given, after
        ``lr``: the order of the saved state.

    Attributes
    ----------
    params : dict[str, ndarray]
        The parameters (a new dict holding the same arrays).
    state : dict[str, dict[str, ndarray]]
        Buffer name → parameter name → array of the parameter's shape and dtype, allocated once.
    """

    lr = Hyper(positive, "Learning rate η, finite and > 0.")

    # (buffer name, must be ≥ 0): the per-parameter state of the subclass
    _buffers: ClassVar[tuple[tuple[str, bool], ...]] = ()

    def __init__(self, params: Mapping[str, np.ndarray], lr: float, **hyper: Any) -> None:
        self._hyper: dict[str, Any] = {}
        self.params = _check_params(params)
        self.lr = lr
        for name, value in hyper.items():
            setattr(self, name, value)
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
        check_keys(state, self._state_keys(), "optimizer state")

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
                a = saved_array(key, state[key], p)
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
