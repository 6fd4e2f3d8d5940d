"""The spectral radius of a vanilla RNN's recurrent weights, the rate the gradient follows.

Back through one step of h_t = tanh(W_ih x_t + W_hh h_{t−1} + b),

    ∂L/∂h_{t−1} = W_hhᵀ diag(1 − h_t²) ∂L/∂h_t

so over k steps ‖∂L/∂h_{t−k}‖ shrinks (or grows) roughly like ρ(W_hh)^k, times the tanh slopes
(≤ 1): with ρ(W_hh) < 1 the gradient vanishes geometrically. ρ(W) = max |λ| over W's
eigenvalues. For the LSTM and the GRU the gradient is carried by their gates (the LSTM's
forget gates along c), not by one matrix, so no single ρ governs it: none is given for them.

The gradient view shows ρ for the layer·direction it shows, from ``snapshot.weights``. An
eigen-decomposition of the H × H matrix costs, on two cores, about 0.2 ms at H = 32, 7-18 ms at
H = 128, 25 ms at H = 256 and close to a second at H = 1024; so it is computed once per
snapshot at most, only when the matrix changed (``SpectralRadius`` keeps the last), and not
at all above ``MAX_HIDDEN``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnnviz.training.equations import weight_name

__all__ = ["MAX_HIDDEN", "SpectralRadius", "recurrent_weight_name", "spectral_radius"]

#: Above this H, eigenvalues take too long to compute on the window's thread at every snapshot.
MAX_HIDDEN = 128


def recurrent_weight_name(layout, entry: int) -> str | None:
    """The snapshot's weight name of entry ``entry``'s W_hh (layer ``entry // D``, direction
    ``entry % D``), or None where no single W_hh sets the gradient's rate (LSTM, GRU: their
    ``layout.gates`` are not empty) or H is above ``MAX_HIDDEN``."""
    if layout.gates or layout.hidden_size > MAX_HIDDEN or not 0 <= entry < layout.count:
        return None
    layer, direction = divmod(entry, layout.directions)
    return weight_name("weight_hh", layer, direction == 1)


def spectral_radius(W_hh: np.ndarray) -> float:
    """ρ(W_hh) = max |λ|, the largest eigenvalue's modulus of the (H, H) matrix (NaN if it
    holds a non-finite number, as a diverged run's weights may)."""
    W = np.asarray(W_hh, dtype=np.float64)  # (H, H); LAPACK's float64 is as fast here
    if not np.all(np.isfinite(W)):
        return float("nan")
    return float(np.abs(np.linalg.eigvals(W)).max())


class SpectralRadius:
    """ρ(W_hh) of one entry of a snapshot, computed again only when that matrix changed (a
    snapshot holds fresh copies of the weights: the same array, or equal numbers, is the
    same matrix)."""

    def __init__(self) -> None:
        self._W_hh: np.ndarray | None = None
        self._value: float | None = None

    def of(self, snapshot, entry: int) -> float | None:
        """ρ of entry ``entry``'s W_hh in ``snapshot``, or None where it does not apply."""
        name = recurrent_weight_name(snapshot.layout, entry)
        weights: Mapping[str, np.ndarray] = getattr(snapshot, "weights", {})
        if name is None or name not in weights:
            return None
        W_hh = weights[name]  # (H, H), read-only
        same = self._W_hh is not None and (
            W_hh is self._W_hh
            or (W_hh.shape == self._W_hh.shape and np.array_equal(W_hh, self._W_hh))
        )
        if not same:
            self._W_hh, self._value = W_hh, spectral_radius(W_hh)
        return self._value
