"""One step of one unit, as the slides write it, with a snapshot's numbers in every term.

For the time step t and the unit j the time cursor points at, in layer·direction entry k of a
snapshot (``Snapshot.layout``), ``step_equations`` gives each equation of the cell with the
value of every term, computed from the snapshot's own copy of the weights and its example by
``rnnviz.core.reference`` (the plain per-step cells the fast ones are tested against):

vanilla RNN    a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh ;  h_t = φ(a_t)
LSTM           i_t, f_t, o_t = σ(W_i· x_t + b_i· + W_h· h_{t−1} + b_h·) ;  g_t = tanh(…) ;
               c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t ;  h_t = o_t ⊙ tanh(c_t)
GRU            r_t, z_t = σ(…) ;  n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)) ;
               h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

Here x_t is what the layer reads (the example's input for layer 1; the layer below's hidden
states, both directions side by side, above it), and h_{t−1} is the state of the step before in
the direction of reading: step t + 1 for a backward (←) entry. Every number is unit j's (the
j-th row of W·x for a product). No NumPy beyond what the reference uses, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core import reference

__all__ = ["Line", "StepEquations", "Term", "check_step", "step_equations", "weight_name"]


@dataclass(frozen=True)
class Term:
    """One term of an equation: its symbol ("W_hh h_{t−1}") and its value for the unit."""

    symbol: str
    value: float


@dataclass(frozen=True)
class Line:
    """One equation: ``name = formula``, the values of the formula's terms and of ``name``.

    Attributes
    ----------
    name : str
        The left-hand side, e.g. "f_t".
    formula : str
        The right-hand side as the slide writes it, e.g. "σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)".
    terms : tuple of Term
        The numbers that go into it, in the order they appear.
    value : float
        The value of ``name`` for the unit.
    """

    name: str
    formula: str
    terms: tuple[Term, ...]
    value: float


@dataclass(frozen=True)
class StepEquations:
    """The equations of one step of one unit (see the module docstring).

    Attributes
    ----------
    cell : str
        The cell's name in configs ("rnn_tanh", "lstm", "gru", …).
    label : str
        Where the numbers are from, e.g. "layer 1 ←, t = 7, unit 3".
    lines : tuple of Line
        The equations in the order they are computed.
    """

    cell: str
    label: str
    lines: tuple[Line, ...]

    def value(self, name: str) -> float:
        """The value of the line called ``name`` ("h_t", "f_t", …)."""
        for line in self.lines:
            if line.name == name:
                return line.value
        raise KeyError(name)


_SUFFIX = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


def weight_name(kind: str, layer: int, backward: bool) -> str:
    """The snapshot's name of one layer·direction's ``kind`` ("weight_ih", "weight_hh",
    "bias_ih", "bias_hh"), PyTorch's: "rnn.weight_hh_l0", "rnn.bias_ih_l1_reverse"."""
    return f"rnn.{kind}_l{layer}" + ("_reverse" if backward else "")


def check_step(snapshot, entry: int, t: int, unit: int) -> None:
    """Raise a ValueError unless ``snapshot`` carries weights and ``entry``, ``t`` and
    ``unit`` are within its layer·directions, steps and units."""
    layout = snapshot.layout
    if not snapshot.weights:
        raise ValueError("this snapshot carries no weights")
    sizes = (("entry", entry, layout.count), ("t", t, snapshot.seq_len))
    for name, value, size in (*sizes, ("unit", unit, layout.hidden_size)):
        if not 0 <= value < size:
            raise ValueError(f"{name} must be in 0 … {size - 1}, got {value}")


def _weights(snapshot, layer: int, backward: bool) -> tuple[np.ndarray, ...]:
    """W_ih, W_hh, b_ih, b_hh of one layer·direction, float64."""
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    w = snapshot.weights
    return tuple(np.asarray(w[weight_name(n, layer, backward)], dtype=np.float64) for n in names)


def _layer_input(snapshot, layer: int, t: int) -> np.ndarray:
    """x_t as layer ``layer`` (0-based) reads it, (1, I)."""
    if layer == 0:
        x = np.asarray(snapshot.example_x[t], dtype=np.float64)  # (I,)
    else:
        D = snapshot.layout.directions
        below = snapshot.hidden[(layer - 1) * D : layer * D]
        x = np.concatenate([np.asarray(h[t], dtype=np.float64) for h in below])  # (D·H,)
    return x[None, :]


def step_equations(snapshot, entry: int, t: int, unit: int) -> StepEquations:
    """The equations of step ``t`` of unit ``unit`` in layer·direction ``entry``.

    Parameters
    ----------
    snapshot : Snapshot
        Must carry its weights.
    entry : int
        0 … ``snapshot.layout.count`` − 1 (layer ``entry // D``, direction ``entry % D``).
    t, unit : int
        0 … T − 1 and 0 … H − 1.

    Raises
    ------
    ValueError
        When the snapshot has no weights or an index is out of range.
    """
    check_step(snapshot, entry, t, unit)
    layout = snapshot.layout
    T, H = snapshot.seq_len, layout.hidden_size
    layer, direction = divmod(entry, layout.directions)
    backward = direction == 1
    W_ih, W_hh, b_ih, b_hh = _weights(snapshot, layer, backward)
    x_t = _layer_input(snapshot, layer, t)  # (1, I)
    before = t + 1 if backward else t - 1  # the step read just before, in this direction
    hidden = np.asarray(snapshot.hidden[entry], dtype=np.float64)  # (T, H)
    h_prev = (hidden[before] if 0 <= before < T else np.zeros(H))[None, :]  # (1, H)
    label = f"{layout.labels[entry]}, t = {t}, unit {unit}"
    j = unit
    if layout.cell.startswith("rnn"):
        lines = _rnn_lines(layout.cell.split("_")[1], x_t, h_prev, W_ih, W_hh, b_ih, b_hh, j)
    elif layout.cell == "lstm":
        cells = np.asarray(snapshot.cell_states[entry], dtype=np.float64)  # (T, H)
        c_prev = (cells[before] if 0 <= before < T else np.zeros(H))[None, :]  # (1, H)
        lines = _lstm_lines(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, j)
    else:
        lines = _gru_lines(x_t, h_prev, W_ih, W_hh, b_ih, b_hh, j)
    return StepEquations(layout.cell, label, tuple(lines))


def _gate_terms(k: str, x_t, h_prev, W_ih, W_hh, b_ih, b_hh, block: int, G: int, j: int):
    """The four terms of gate ``k``'s pre-activation for unit j: W_ik x_t, b_ik, W_hk h, b_hk."""
    rows = slice(block * (W_ih.shape[0] // G), (block + 1) * (W_ih.shape[0] // G))
    Wx = float((x_t @ W_ih[rows].T)[0, j])
    Wh = float((h_prev @ W_hh[rows].T)[0, j])
    return (
        Term(f"W_i{k} x_t", Wx),
        Term(f"b_i{k}", float(b_ih[rows][j])),
        Term(f"W_h{k} h_{{t−1}}", Wh),
        Term(f"b_h{k}", float(b_hh[rows][j])),
    )


def _rnn_lines(phi: str, x_t, h_prev, W_ih, W_hh, b_ih, b_hh, j: int) -> list[Line]:
    Wx = float((x_t @ W_ih.T)[0, j])
    Wh = float((h_prev @ W_hh.T)[0, j])
    a = Wx + b_ih[j] + Wh + b_hh[j]
    h = reference.rnn_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh, phi)[0, j]
    terms = (
        Term("W_ih x_t", Wx),
        Term("b_ih", float(b_ih[j])),
        Term("W_hh h_{t−1}", Wh),
        Term("b_hh", float(b_hh[j])),
    )
    return [
        Line("a_t", "W_ih x_t + b_ih + W_hh h_{t−1} + b_hh", terms, float(a)),
        Line("h_t", f"{phi}(a_t)", (Term("a_t", float(a)),), float(h)),
    ]


def _lstm_lines(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, j: int) -> list[Line]:
    h, c, gates = reference.lstm_step(x_t, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    lines = []
    for block, k in enumerate(_SUFFIX["lstm"]):
        act = "tanh" if k == "g" else "σ"
        terms = _gate_terms(k, x_t, h_prev, W_ih, W_hh, b_ih, b_hh, block, 4, j)
        formula = f"{act}(W_i{k} x_t + b_i{k} + W_h{k} h_{{t−1}} + b_h{k})"
        lines.append(Line(f"{k}_t", formula, terms, float(gates[k][0, j])))
    i, f, g, o = (float(gates[k][0, j]) for k in _SUFFIX["lstm"])
    c_before, c_now = float(c_prev[0, j]), float(c[0, j])
    lines.append(
        Line(
            "c_t",
            "f_t ⊙ c_{t−1} + i_t ⊙ g_t",
            (Term("f_t", f), Term("c_{t−1}", c_before), Term("i_t", i), Term("g_t", g)),
            c_now,
        )
    )
    lines.append(
        Line("h_t", "o_t ⊙ tanh(c_t)", (Term("o_t", o), Term("c_t", c_now)), float(h[0, j]))
    )
    return lines


def _gru_lines(x_t, h_prev, W_ih, W_hh, b_ih, b_hh, j: int) -> list[Line]:
    h, gates = reference.gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh)
    lines = []
    for block, k in enumerate(("r", "z")):
        terms = _gate_terms(k, x_t, h_prev, W_ih, W_hh, b_ih, b_hh, block, 3, j)
        formula = f"σ(W_i{k} x_t + b_i{k} + W_h{k} h_{{t−1}} + b_h{k})"
        lines.append(Line(f"{k}_t", formula, terms, float(gates[k][0, j])))
    Wx, b_in, Wh, b_hn = (
        t.value for t in _gate_terms("n", x_t, h_prev, W_ih, W_hh, b_ih, b_hh, 2, 3, j)
    )
    r, z, n = (float(gates[k][0, j]) for k in ("r", "z", "n"))
    lines.append(
        Line(
            "n_t",
            "tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))",
            (
                Term("W_in x_t", Wx),
                Term("b_in", b_in),
                Term("r_t", r),
                Term("W_hn h_{t−1}", Wh),
                Term("b_hn", b_hn),
            ),
            n,
        )
    )
    lines.append(
        Line(
            "h_t",
            "(1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}",
            (Term("z_t", z), Term("n_t", n), Term("h_{t−1}", float(h_prev[0, j]))),
            float(h[0, j]),
        )
    )
    return lines
