"""The readout layer, an affine map applied at every position (PyTorch's ``nn.Linear`` layout).

Forward, for inputs x of shape (..., I), usually the hidden states (T, B, H):

    y = x Wᵀ + b            W: (O, I),  b: (O,),  y: (..., O)

All leading axes are flattened into one, so the whole sequence is a single matrix product.

Backward, with dy = ∂L/∂y and the sums running over every position (every t and b):

    dW = Σ_p dy_pᵀ x_p = dyᵀ x      (O, I), one matrix product over all positions
    db = Σ_p dy_p                  (O,)
    dx = dy W                      (..., I)

Initialisation as PyTorch: W and b uniform in ±1/√I, drawn in that order from
``np.random.default_rng(seed)``.

A recurrent cell computes two such maps at every step, W_ih x_t + b_ih and W_hh h_{t−1} + b_hh:
``affine_grads`` is the backward pass above, which ``Linear`` and the cells share, and
``projection_grads`` applies it to a cell's two projections after its loop through time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rnnviz.core.checks import check_keys, saved_array
from rnnviz.core.workspace import Workspace

__all__ = ["Linear", "LinearCache", "affine_grads", "projection_grads"]


@dataclass(frozen=True)
class LinearCache:
    """What :meth:`Linear.backward` needs from the forward pass.

    Attributes
    ----------
    x : ndarray, (..., I)
        The input of the forward pass, not a copy: do not write to it before the backward pass.
    """

    x: np.ndarray


class Linear:
    """Affine readout ``y = x Wᵀ + b`` with parameters named as in PyTorch.

    Parameters
    ----------
    in_features : int
        I, the size of the last axis of the input.
    out_features : int
        O, the size of the last axis of the output.
    dtype : numpy float dtype
        Of the parameters; inputs and upstream gradients must have the same dtype.
    seed : int
        Seed of the ``np.random.default_rng`` that draws the initial weight, then the bias.

    Attributes
    ----------
    params : dict[str, ndarray]
        ``"weight"`` (O, I) and ``"bias"`` (O,). Optimisers update these arrays in place and
        :meth:`load_state_dict` writes into them, so references to them stay valid.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        dtype: npt.DTypeLike = np.float32,
        seed: int = 0,
    ) -> None:
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ValueError(f"{name} must be a positive integer, got {n!r}")
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise ValueError(f"dtype must be a floating-point dtype, got {dtype}")
        rng = np.random.default_rng(seed)
        bound = 1.0 / math.sqrt(in_features)
        # drawn in float64 and rounded, so that float32 and float64 layers start at the same point
        W = rng.uniform(-bound, bound, size=(out_features, in_features)).astype(dtype)  # (O, I)
        b = rng.uniform(-bound, bound, size=(out_features,)).astype(dtype)  # (O,)
        self.params: dict[str, np.ndarray] = {"weight": W, "bias": b}

    @property
    def in_features(self) -> int:
        """I, the input size."""
        return self.params["weight"].shape[1]

    @property
    def out_features(self) -> int:
        """O, the output size."""
        return self.params["weight"].shape[0]

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the parameters, inputs and outputs."""
        return self.params["weight"].dtype

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features}, dtype={self.dtype.name})"

    def _check_shape(self, name: str, a: np.ndarray, last: int) -> np.ndarray:
        """``a`` checked to be an array of the layer's dtype whose last axis is ``last``."""
        a = np.asarray(a)
        if a.dtype != self.dtype:
            raise ValueError(f"{name} must have dtype {self.dtype} like the layer, got {a.dtype}")
        if a.ndim < 1 or a.shape[-1] != last:
            raise ValueError(f"{name} must have shape (..., {last}), got shape {a.shape}")
        return a

    def _check(self, name: str, a: np.ndarray, last: int) -> np.ndarray:
        """``a`` checked to be a finite array of the layer's dtype whose last axis is ``last``."""
        a = self._check_shape(name, a, last)
        if not np.isfinite(a).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        return a

    def forward(
        self, x: np.ndarray, *, check_finite: bool = True
    ) -> tuple[np.ndarray, LinearCache]:
        """Apply ``y = x Wᵀ + b`` at every position.

        Parameters
        ----------
        x : ndarray, (..., I)
            Usually the hidden states (T, B, H); the layer's dtype, finite.
        check_finite : bool
            False lets NaN and inf through to ``y``: for hidden states that an exploding
            network made itself, which its trainer reports as a divergence from the loss.

        Returns
        -------
        y : ndarray, (..., O)
            New array, same dtype.
        cache : LinearCache
            For :meth:`backward`.
        """
        if check_finite:
            x = self._check("x", x, self.in_features)
        else:
            x = self._check_shape("x", x, self.in_features)
        W, b = self.params["weight"], self.params["bias"]  # (O, I), (O,)
        x2 = x.reshape(-1, x.shape[-1])  # (P, I), P = all positions
        y2 = x2 @ W.T  # (P, O)
        y2 += b
        return y2.reshape(*x.shape[:-1], W.shape[0]), LinearCache(x=x)

    def backward(
        self, dy: np.ndarray, cache: LinearCache
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Gradients of the loss with respect to the parameters and the input.

        Uses the current weight, so call it before the optimiser changes the parameters.

        Parameters
        ----------
        dy : ndarray, (..., O)
            ∂L/∂y, the shape of the forward output; the layer's dtype, finite.
        cache : LinearCache
            From the :meth:`forward` call that produced y.

        Returns
        -------
        grads : dict[str, ndarray]
            ``"weight"`` (O, I) = dyᵀ x and ``"bias"`` (O,) = Σ dy, summed over all positions.
        dx : ndarray, (..., I)
            ∂L/∂x = dy W.
        """
        if not isinstance(cache, LinearCache):
            raise ValueError(f"cache must be a LinearCache, got {type(cache).__name__}")
        x = cache.x  # (..., I)
        dy = self._check("dy", dy, self.out_features)
        if dy.shape[:-1] != x.shape[:-1]:
            raise ValueError(
                f"dy must have the leading shape {x.shape[:-1]} of the forward input, "
                f"got shape {dy.shape}"
            )
        dy2 = dy.reshape(-1, dy.shape[-1])  # (P, O)
        x2 = x.reshape(-1, x.shape[-1])  # (P, I)
        dW, db, dx = affine_grads(dy2, x2, self.params["weight"])  # (O, I), (O,), (P, I)
        return {"weight": dW, "bias": db}, dx.reshape(x.shape)  # dx: (..., I)

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameters, ``{"weight": (O, I), "bias": (O,)}``."""
        return {name: p.copy() for name, p in self.params.items()}

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Copy saved parameters into the existing arrays, after checking every entry.

        Parameters
        ----------
        state : mapping of str to ndarray
            Exactly the keys ``"weight"`` (O, I) and ``"bias"`` (O,), finite floating values
            (converted to the layer's dtype).

        Raises
        ------
        ValueError
            Naming the key of a missing, unexpected, mis-shaped, non-float or non-finite
            entry; nothing is loaded then.
        """
        check_keys(state, self.params)
        checked = {name: saved_array(name, state[name], p) for name, p in self.params.items()}
        for name, a in checked.items():
            np.copyto(self.params[name], a)


def affine_grads(
    dy: np.ndarray,
    x: np.ndarray,
    W: np.ndarray | None = None,
    workspace: Workspace | None = None,
    prefix: str = "",
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The gradients of ``y = x Wᵀ + b`` summed over P positions, in one matrix product.

    Parameters
    ----------
    dy : ndarray, (P, O)
        ∂L/∂y at every position.
    x : ndarray, (P, I)
        The input at every position.
    W : ndarray, (O, I), optional
        The weight; without it there is no input gradient.
    workspace : Workspace, optional
        Where the results are kept for the next pass (``rnnviz.core.workspace``), under names
        starting with ``prefix``.

    Returns
    -------
    dW : ndarray, (O, I)
        dyᵀ x.
    db : ndarray, (O,)
        Σ dy.
    dx : ndarray, (P, I), or None
        dy W, when ``W`` is given.
    """
    ws = Workspace(keep=False) if workspace is None else workspace
    (P, O), I = dy.shape, x.shape[1]
    dW = np.matmul(dy.T, x, out=ws.empty(prefix + "dW", (O, I), dy.dtype))  # (O, I)
    db = np.sum(dy, axis=0, out=ws.empty(prefix + "db", (O,), dy.dtype))  # (O,)
    dx = None
    if W is not None:
        dx = np.matmul(dy, W, out=ws.empty(prefix + "dx", (P, I), dy.dtype))  # (P, I)
    return dW, db, dx


def projection_grads(
    dGx: np.ndarray,
    x: np.ndarray,
    dGh: np.ndarray,
    h_prev: np.ndarray,
    W_ih: np.ndarray | None,
    workspace: Workspace | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """The gradients of a cell's two projections over every step at once, after its loop.

    Parameters
    ----------
    dGx : ndarray, (T·B, G·H)
        The gradient reaching W_ih x_t + b_ih at every step and sequence.
    x : ndarray, (T·B, I)
        The inputs x_t.
    dGh : ndarray, (T·B, G·H)
        The gradient reaching W_hh h_{t−1} + b_hh. The vanilla RNN and the LSTM add the two
        projections before anything else, so that theirs is ``dGx`` itself: b_hh's gradient
        is then a copy of b_ih's, not summed again.
    h_prev : ndarray, (T·B, H)
        The states h_{t−1}.
    W_ih : ndarray, (G·H, I), or None
        For the input gradient; None skips it (a first layer's input is data).
    workspace : Workspace, optional
        Where the results are kept for the next pass (``rnnviz.core.workspace``).

    Returns
    -------
    grads : dict
        ``W_ih`` (G·H, I), ``W_hh`` (G·H, H), ``b_ih`` (G·H,), ``b_hh`` (G·H,).
    dx : ndarray, (T·B, I), or None
    """
    dW_ih, db_ih, dx = affine_grads(dGx, x, W_ih, workspace, "ih_")
    if dGh is dGx:
        ws = Workspace(keep=False) if workspace is None else workspace
        dW_hh = np.matmul(
            dGh.T, h_prev, out=ws.empty("hh_dW", (dGh.shape[1], h_prev.shape[1]), dGh.dtype)
        )  # (G·H, H)
        db_hh = db_ih.copy()  # (G·H,)
    else:
        dW_hh, db_hh, _ = affine_grads(dGh, h_prev, None, workspace, "hh_")
    return {"W_ih": dW_ih, "W_hh": dW_hh, "b_ih": db_ih, "b_hh": db_hh}, dx
