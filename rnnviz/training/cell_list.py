"""Lists of cells as a user types them: ``rnn,lstm,gru``.

Wherever several cells are named at once (``rnnviz --compare``, ``rnnviz sweep --cells``, the
window's compare mode) the names are the settings' cell names (``rnnviz.training.settings.Cell``)
plus one short alias: ``rnn`` means ``rnn_tanh``, the vanilla RNN of the lecture.
"""

from __future__ import annotations

from rnnviz.training.settings import Cell

__all__ = ["ALIASES", "cell_label", "parse_cells"]

#: Short names accepted wherever cells are listed.
ALIASES: dict[str, Cell] = {"rnn": Cell.RNN_TANH}

#: What a legend or a column heading calls each cell.
_LABELS: dict[Cell, str] = {
    Cell.RNN_TANH: "RNN",
    Cell.RNN_RELU: "RNN (ReLU)",
    Cell.LSTM: "LSTM",
    Cell.GRU: "GRU",
}


def parse_cells(text: str, *, at_most: int | None = None) -> tuple[Cell, ...]:
    """The cells named in a comma-separated ``text`` (``"rnn,lstm,gru"``), in its order.

    Raises
    ------
    ValueError
        With one short sentence for an empty list, an unknown name (listing the choices), a
        cell named twice, or more than ``at_most`` cells.
    """
    names = [name.strip().lower() for name in str(text).split(",")]
    if not any(names):
        raise ValueError("name at least one cell, e.g. rnn,lstm,gru")
    choices = ", ".join([*ALIASES, *(cell.value for cell in Cell)])
    cells: list[Cell] = []
    for name in names:
        if not name:
            raise ValueError(f"empty cell name in {text!r}; write the cells as rnn,lstm,gru")
        cell = ALIASES.get(name) or next((c for c in Cell if c.value == name), None)
        if cell is None:
            raise ValueError(f"unknown cell {name!r}; choose from {choices}")
        if cell in cells:
            raise ValueError(f"cell {name!r} is named twice in {text!r}")
        cells.append(cell)
    if at_most is not None and len(cells) > at_most:
        raise ValueError(f"at most {at_most} cells at once; {text!r} names {len(cells)}")
    return tuple(cells)


def cell_label(cell: Cell | str) -> str:
    """The short label a legend gives ``cell`` ("RNN", "LSTM", "GRU", "RNN (ReLU)")."""
    return _LABELS[Cell(cell)]
