"""Back-propagation through time at one step of one unit, with a snapshot's numbers in every term.

What the BPTT animation shows as a flow, written out as the chain rule at step t for unit j of
layer·direction entry k (``Snapshot.layout``). ∂L_t/∂h_t is what reaches h_t from its output at
step t (W_hyᵀ ∂L/∂y_t; for a lower layer of a stack, from the layer above at step t), a_t a
pre-activation, ⊙ the element-wise product:

vanilla RNN    ∂L/∂h_t = ∂L_t/∂h_t + W_hhᵀ ∂L/∂a_{t+1} ;  ∂L/∂a_t = ∂L/∂h_t ⊙ φ′(a_t)
               (tanh: 1 − h_t², ReLU: [h_t > 0]) ;  ∂L/∂W_hh += ∂L/∂a_t h_{t−1}ᵀ, whose
               entry (j, j), unit j's own loop, is shown
LSTM           ∂L/∂h_t = ∂L_t/∂h_t + W_hhᵀ ∂L/∂a_{t+1}   (a = the four gates' pre-activations)
               ∂L/∂c_t = ∂L/∂h_t ⊙ o_t ⊙ (1 − tanh²c_t) + ∂L/∂c_{t+1} ⊙ f_{t+1}
               ∂L/∂a_o = ∂L/∂h_t ⊙ tanh c_t ⊙ o_t(1 − o_t)
               ∂L/∂a_i = ∂L/∂c_t ⊙ g_t ⊙ i_t(1 − i_t) ;  ∂L/∂a_g = ∂L/∂c_t ⊙ i_t ⊙ (1 − g_t²)
               ∂L/∂a_f = ∂L/∂c_t ⊙ c_{t−1} ⊙ f_t(1 − f_t)
GRU            ∂L/∂h_t = ∂L_t/∂h_t + z_{t+1} ⊙ ∂L/∂h_{t+1} + W_hhᵀ ∂L/∂a_{t+1}
               (the n block through r: W_hnᵀ (r_{t+1} ⊙ ∂L/∂a_{n,t+1}))
               ∂L/∂a_n = ∂L/∂h_t ⊙ (1 − z_t) ⊙ (1 − n_t²) ;
               ∂L/∂a_z = ∂L/∂h_t ⊙ (h_{t−1} − n_t) ⊙ z_t(1 − z_t) ;
               ∂L/∂a_r = ∂L/∂a_n ⊙ (W_hn h_{t−1} + b_hn) ⊙ r_t(1 − r_t)

"t + 1" is the step after t in the entry's own direction of reading, "t − 1" the one before: for
a backward (←) entry of a bidirectional layer, t + 1 is the natural step t − 1. At the last step
a direction reads, nothing comes from t + 1 (0).

Each step is computed from its neighbours' gradients as the core's own backward pass left them
in the snapshot (``Snapshot.dh``, ``dc``, ``dy``), so the equations check the core: the
∂L/∂h_t and ∂L/∂c_t they compute are the snapshot's, to float32 rounding (the tests say so).
Only unit j's column of a weight matrix is read for a product; the cost is O(G·H·(I + H)) at
most (the GRU's W_hn h_{t−1}), well under a millisecond for classroom sizes. No Qt.
"""

from __future__ import annotations

import numpy as np

from rnnviz.training.equations import Line, StepEquations, Term, check_step, weight_name

__all__ = ["backward_equations"]

#: The weights of one layer·direction the backward equations read.
_READ = ("weight_ih", "weight_hh", "bias_hh")


def _sigmoid_grad(s: np.ndarray) -> np.ndarray:
    return s * (1.0 - s)  # σ′(a) from s = σ(a)


class _Entry:
    """One layer·direction of a snapshot, read at its steps in float64."""

    def __init__(self, snapshot, entry: int) -> None:
        layout = snapshot.layout
        self.snapshot, self.entry = snapshot, entry
        self.T, self.H = snapshot.seq_len, layout.hidden_size
        self.layer, direction = divmod(entry, layout.directions)
        self.reverse = direction == 1
        self.cell = layout.cell
        w = {n: snapshot.weights[weight_name(n, self.layer, self.reverse)] for n in _READ}
        self.W_ih, self.W_hh = w["weight_ih"], w["weight_hh"]  # (G·H, I), (G·H, H)
        self.b_hh = w["bias_hh"]  # (G·H,)

    def step(self, t: int, by: int) -> int | None:
        """The step ``by`` steps after ``t`` in this direction (−1: before), or None outside."""
        s = t - by if self.reverse else t + by
        return s if 0 <= s < self.T else None

    def h(self, t: int | None) -> np.ndarray:
        """h_t, (H,); zeros for the state before the first step."""
        if t is None:
            return np.zeros(self.H)
        return np.asarray(self.snapshot.hidden[self.entry][t], np.float64)

    def c(self, t: int | None) -> np.ndarray:
        """c_t of the LSTM, (H,); zeros before the first step."""
        if t is None:
            return np.zeros(self.H)
        return np.asarray(self.snapshot.cell_states[self.entry][t], np.float64)

    def gate(self, name: str, t: int) -> np.ndarray:
        return np.asarray(self.snapshot.gates[self.entry][name][t], np.float64)  # (H,)

    def dh(self, t: int) -> np.ndarray:
        return np.asarray(self.snapshot.dh[self.entry][t], np.float64)  # (H,) the core's

    def dc(self, t: int | None) -> np.ndarray:
        if t is None:
            return np.zeros(self.H)
        return np.asarray(self.snapshot.dc[self.entry][t], np.float64)  # (H,) the core's

    def hn(self, t: int) -> np.ndarray:
        """The GRU's W_hn h_{t−1} + b_hn, which the reset gate scales, (H,)."""
        H = self.H
        h_prev = self.h(self.step(t, -1)).astype(self.W_hh.dtype)  # (H,)
        hn = self.W_hh[2 * H :] @ h_prev  # (H,)
        return np.asarray(hn, np.float64) + self.b_hh[2 * H :]

    def deltas(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """∂L/∂a of every pre-activation at step t, from the core's ∂L/∂h_t (and ∂L/∂c_t), in
        the weights' row order: (for W_ih, for W_hh), each (G·H,); they differ only in the
        GRU's n block, where W_hn h_{t−1} is scaled by r_t."""
        dh = self.dh(t)  # (H,)
        if self.cell.startswith("rnn"):
            h = self.h(t)  # (H,)
            da = dh * ((1.0 - h * h) if self.cell == "rnn_tanh" else (h > 0))  # (H,)
            return da, da
        if self.cell == "lstm":
            i, f, g, o = (self.gate(k, t) for k in "ifgo")  # (H,) each
            dc = self.dc(t)  # (H,) all that reaches c_t
            c_prev = self.c(self.step(t, -1))  # (H,)
            da = np.concatenate(
                [
                    dc * g * _sigmoid_grad(i),  # ∂L/∂a_i
                    dc * c_prev * _sigmoid_grad(f),  # ∂L/∂a_f
                    dc * i * (1.0 - g * g),  # ∂L/∂a_g
                    dh * np.tanh(self.c(t)) * _sigmoid_grad(o),  # ∂L/∂a_o
                ]
            )  # (4H,)
            return da, da
        r, z, n = (self.gate(k, t) for k in "rzn")  # (H,) each
        da_n = dh * (1.0 - z) * (1.0 - n * n)  # (H,)
        da_z = dh * (self.h(self.step(t, -1)) - n) * _sigmoid_grad(z)  # (H,)
        da_r = da_n * self.hn(t) * _sigmoid_grad(r)  # (H,)
        return np.concatenate([da_r, da_z, da_n]), np.concatenate([da_r, da_z, r * da_n])


def _column(W: np.ndarray, j: int) -> np.ndarray:
    return np.asarray(W[:, j], np.float64)  # one column: (rows,)


def _from_output(snapshot, k: _Entry, t: int, j: int) -> float:
    """∂L_t/∂h_t of unit j: from the readout at the top, from the layer above below it."""
    layout = snapshot.layout
    D, H = layout.directions, layout.hidden_size
    column = (k.entry % D) * H + j  # unit j's place in what the layer above (or readout) reads
    if k.layer == layout.layers - 1:
        W_hy = snapshot.weights["readout.weight"]  # (O, D·H)
        dy = np.asarray(snapshot.dy[t], np.float64)  # (O,)
        return float(_column(W_hy, column) @ dy)
    total = 0.0
    for d in range(D):
        above = _Entry(snapshot, (k.layer + 1) * D + d)
        total += float(_column(above.W_ih, column) @ above.deltas(t)[0])
    return total


def backward_equations(snapshot, entry: int, t: int, unit: int) -> StepEquations:
    """The backward equations of step ``t`` of unit ``unit`` in layer·direction ``entry``.

    Parameters
    ----------
    snapshot : Snapshot
        Must carry its weights and the example's gradients (``dh``, ``dc``, ``dy``).
    entry : int
        0 … ``snapshot.layout.count`` − 1 (layer ``entry // D``, direction ``entry % D``).
    t, unit : int
        0 … T − 1 and 0 … H − 1.

    Returns
    -------
    StepEquations
        Its lines named "∂L/∂h_t", "∂L/∂a_t" (RNN), "∂L/∂c_t" (LSTM), "∂L/∂a_{i,t}" … (one per
        gate), "∂L/∂W_hh[j,j] +=" (RNN), in the order they are computed.

    Raises
    ------
    ValueError
        When the snapshot has no weights or gradients, or an index is out of range.
    """
    layout = snapshot.layout
    check_step(snapshot, entry, t, unit)
    if len(snapshot.dh) != layout.count or snapshot.dy.shape[:1] != (snapshot.seq_len,):
        raise ValueError("this snapshot carries no gradients of its example")
    k = _Entry(snapshot, entry)
    j = unit
    after = k.step(t, 1)  # t + 1 in this direction, None at its last step
    from_output = _from_output(snapshot, k, t, j)
    # W_hhᵀ ∂L/∂a_{t+1}: unit j's column of W_hh against every pre-activation's gradient
    recurrent = 0.0 if after is None else float(_column(k.W_hh, j) @ k.deltas(after)[1])
    label = f"{layout.labels[entry]}, t = {t}, unit {unit}"
    lines = _cell_lines(k, t, j, after, from_output, recurrent)
    return StepEquations(layout.cell, label, tuple(lines))


def _dh_line(from_output: float, recurrent: float, skip: Term | None = None) -> Line:
    terms = [Term("∂L_t/∂h_t", from_output), Term("W_hhᵀ ∂L/∂a_{t+1}", recurrent)]
    if skip is not None:  # the GRU's path past the cell: h_{t+1} keeps z_{t+1} of h_t
        terms.insert(1, skip)
    formula = " + ".join(term.symbol for term in terms)
    return Line("∂L/∂h_t", formula, tuple(terms), sum(term.value for term in terms))


def _cell_lines(k: _Entry, t: int, j: int, after, from_output: float, recurrent: float):
    if k.cell.startswith("rnn"):
        line = _dh_line(from_output, recurrent)
        dh, h = line.value, float(k.h(t)[j])
        if k.cell == "rnn_tanh":
            slope, da = "(1 − h_t²)", dh * (1.0 - h * h)
        else:
            slope, da = "[h_t > 0]", dh * float(h > 0)
        h_prev = float(k.h(k.step(t, -1))[j])
        return [
            line,
            Line("∂L/∂a_t", f"∂L/∂h_t ⊙ {slope}", (Term("∂L/∂h_t", dh), Term("h_t", h)), da),
            Line(
                "∂L/∂W_hh[j,j] +=",
                "∂L/∂a_t · h_{t−1}",
                (Term("∂L/∂a_t", da), Term("h_{t−1}", h_prev)),
                da * h_prev,
            ),
        ]
    if k.cell == "lstm":
        return _lstm_lines(k, t, j, after, _dh_line(from_output, recurrent))
    skip = 0.0 if after is None else float(k.gate("z", after)[j] * k.dh(after)[j])
    line = _dh_line(from_output, recurrent, Term("z_{t+1} ⊙ ∂L/∂h_{t+1}", skip))
    return _gru_lines(k, t, j, line)


def _gate_lines(rows) -> list[Line]:
    """A line ∂L/∂a_{k,t} = formula for each (gate k, formula, its terms, value) of ``rows``."""
    return [Line(f"∂L/∂a_{{{k},t}}", formula, terms, value) for k, formula, terms, value in rows]


def _lstm_lines(k: _Entry, t: int, j: int, after, dh_line: Line) -> list[Line]:
    dh = dh_line.value
    i, f, g, o = (float(k.gate(name, t)[j]) for name in "ifgo")
    c, c_prev = float(k.c(t)[j]), float(k.c(k.step(t, -1))[j])
    dc_next = float(k.dc(after)[j])  # the core's ∂L/∂c_{t+1}
    f_next = 0.0 if after is None else float(k.gate("f", after)[j])
    tanh_c = float(np.tanh(c))
    dc = dh * o * (1.0 - tanh_c**2) + dc_next * f_next
    Dh, Dc, C = Term("∂L/∂h_t", dh), Term("∂L/∂c_t", dc), Term("c_t", c)
    I, F, G, O = (Term(f"{name}_t", v) for name, v in zip("ifgo", (i, f, g, o), strict=True))
    dc_terms = (Dh, O, C, Term("∂L/∂c_{t+1}", dc_next), Term("f_{t+1}", f_next))
    dc_line = Line(
        "∂L/∂c_t", "∂L/∂h_t ⊙ o_t ⊙ (1 − tanh²c_t) + ∂L/∂c_{t+1} ⊙ f_{t+1}", dc_terms, dc
    )
    gates = (
        ("o", "∂L/∂h_t ⊙ tanh c_t ⊙ o_t(1 − o_t)", (Dh, C, O), dh * tanh_c * o * (1.0 - o)),
        ("i", "∂L/∂c_t ⊙ g_t ⊙ i_t(1 − i_t)", (Dc, G, I), dc * g * i * (1.0 - i)),
        (
            "f",
            "∂L/∂c_t ⊙ c_{t−1} ⊙ f_t(1 − f_t)",
            (Dc, Term("c_{t−1}", c_prev), F),
            dc * c_prev * f * (1.0 - f),
        ),
        ("g", "∂L/∂c_t ⊙ i_t ⊙ (1 − g_t²)", (Dc, I, G), dc * i * (1.0 - g * g)),
    )
    return [dh_line, dc_line, *_gate_lines(gates)]


def _gru_lines(k: _Entry, t: int, j: int, dh_line: Line) -> list[Line]:
    dh = dh_line.value
    r, z, n = (float(k.gate(name, t)[j]) for name in "rzn")
    h_prev = float(k.h(k.step(t, -1))[j])
    hn = float(k.hn(t)[j])  # W_hn h_{t−1} + b_hn
    da_n = dh * (1.0 - z) * (1.0 - n * n)
    Dh, Z, N = Term("∂L/∂h_t", dh), Term("z_t", z), Term("n_t", n)
    gates = (
        ("n", "∂L/∂h_t ⊙ (1 − z_t) ⊙ (1 − n_t²)", (Dh, Z, N), da_n),
        (
            "z",
            "∂L/∂h_t ⊙ (h_{t−1} − n_t) ⊙ z_t(1 − z_t)",
            (Dh, Term("h_{t−1}", h_prev), N, Z),
            dh * (h_prev - n) * z * (1.0 - z),
        ),
        (
            "r",
            "∂L/∂a_{n,t} ⊙ (W_hn h_{t−1} + b_hn) ⊙ r_t(1 − r_t)",
            (Term("∂L/∂a_{n,t}", da_n), Term("(W_hn h_{t−1} + b_hn)", hn), Term("r_t", r)),
            da_n * hn * r * (1.0 - r),
        ),
    )
    return [dh_line, *_gate_lines(gates)]
