"""The one time cursor and the one layer·direction choice that every view shows.

``ViewChoice`` (no Qt) holds both and keeps them within the shown run's sizes: a new run with
fewer steps or fewer layers moves them back in range. ``LayerSelector`` is the toolbar's
"Layer" box, shown only when the network has more than one layer·direction. The window hands
every change to every view (``View.set_cursor``, ``View.set_layer``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

__all__ = ["LayerSelector", "ViewChoice"]


class ViewChoice:
    """The time step ``t`` and the layer·direction entry ``layer`` the views show.

    Attributes
    ----------
    t : int
        The time cursor, 0 … steps − 1.
    layer : int
        The entry of ``snapshot.layout`` (layer ``layer // D + 1``, direction ``layer % D``).
    labels : tuple of str
        The shown run's layer·direction labels ("layer 1 →", …).
    steps : int
        T of the shown run's example (0 before the first snapshot).
    """

    def __init__(self) -> None:
        self.t = 0
        self.layer = 0
        self.labels: tuple[str, ...] = ()
        self.steps = 0

    def fit(self, labels: Sequence[str], steps: int) -> bool:
        """Take the sizes of a new snapshot; True when the layer choice had to move (the new
        network has fewer layer·directions than the chosen one)."""
        self.labels = tuple(labels)
        self.steps = int(steps)
        if self.layer < len(self.labels):
            return False
        self.layer = 0
        return True

    def move_cursor(self, move: Callable[[int, int], int]) -> int | None:
        """``t = move(t, steps)`` kept within 0 … steps − 1; None before the first snapshot."""
        if self.steps <= 0:
            return None
        T = self.steps
        self.t = min(max(move(min(self.t, T - 1), T), 0), T - 1)
        return self.t

    def step_layer(self, step: int) -> int | None:
        """The layer·direction ``step`` entries on (around the end); None if there is only one."""
        if len(self.labels) < 2:
            return None
        self.layer = (self.layer + step) % len(self.labels)
        return self.layer


class LayerSelector(QWidget):
    """ "Layer: [layer 2 ←]": which layer·direction the views show, for deep or bidirectional
    networks (hidden for a single layer read one way).

    Signals
    -------
    layer_chosen(int)
        The user chose an entry (not emitted by ``show_labels``).
    """

    layer_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 0)
        row.addWidget(QLabel("Layer"))
        self.box = QComboBox()
        self.box.setToolTip(
            "Which layer and direction the hidden states, gates, gradient history and the "
            "text's colours show (L: next, Shift+L: previous)"
        )
        self.box.currentIndexChanged.connect(self._on_index_changed)
        row.addWidget(self.box)
        self._action = None  # its toolbar's action, once it is placed in one
        self.setVisible(False)

    def place_in(self, toolbar) -> None:
        """Add it to ``toolbar`` (a toolbar shows and hides its widgets through their actions)."""
        self._action = toolbar.addWidget(self)
        self._action.setVisible(False)

    @property
    def shown(self) -> bool:
        """Whether it is offered (more than one layer·direction)."""
        return self.box.count() > 1

    def show_labels(self, labels: Sequence[str], current: int) -> None:
        """Offer ``labels`` with entry ``current`` chosen; visible only for two or more."""
        labels = list(labels)
        self.box.blockSignals(True)
        if [self.box.itemText(k) for k in range(self.box.count())] != labels:
            self.box.clear()
            self.box.addItems(labels)
        self.box.setCurrentIndex(current)
        self.box.blockSignals(False)
        if self._action is not None:
            self._action.setVisible(len(labels) > 1)
        else:
            self.setVisible(len(labels) > 1)

    @Slot(int)
    def _on_index_changed(self, index: int) -> None:
        if index >= 0:
            self.layer_chosen.emit(index)
