"""What each box of the diagram shows, read from a snapshot for the shown window of steps.

Qt-free: the hidden state h_t of every unit (the box's strip), the LSTM's cell state c_t, and
each gate's mean over the units (the box's bars), for each layer·direction entry of the
snapshot's layout and each step of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Readings", "read_window"]


@dataclass(frozen=True)
class Readings:
    """Per layout entry k: ``hidden[k]`` (n, H), ``cells[k]`` (n, H) or None, ``gates[k]``
    (n, G) gate means in the order of ``names``; n is ``len(steps)``."""

    steps: range
    names: tuple[str, ...]
    hidden: tuple[np.ndarray, ...]
    cells: tuple[np.ndarray | None, ...]
    gates: tuple[np.ndarray, ...]

    def gate_values(self, k: int, t: int) -> dict[str, float]:
        """{gate: mean over the units} of entry ``k`` at step ``t`` (one of ``steps``)."""
        row = self.gates[k][self.steps.index(t)]
        return {name: float(v) for name, v in zip(self.names, row, strict=True)}


def read_window(snapshot, steps: range) -> Readings:
    """The values the boxes of ``steps`` show (a view keeps them until the next snapshot)."""
    window = slice(steps.start, steps.stop)
    names = tuple(snapshot.layout.gates)
    count = snapshot.layout.count
    hidden = tuple(np.asarray(snapshot.hidden[k][window]) for k in range(count))
    cells = tuple(
        np.asarray(snapshot.cell_states[k][window]) if k < len(snapshot.cell_states) else None
        for k in range(count)
    )
    n = len(steps)
    gates = tuple(
        np.stack([np.asarray(g[name][window]).mean(axis=1) for name in names], axis=1)
        if names
        else np.zeros((n, 0), np.float32)
        for g in (snapshot.gates[k] if k < len(snapshot.gates) else {} for k in range(count))
    )
    return Readings(steps, names, hidden, cells, gates)
