"""The Network tab: the network drawn (the diagram) over one step of it written out.

The slides on the loop, forward propagation and back propagation through time draw the network
and write its equations; this page shows the two together, so that during the BPTT pass the
backward step the diagram shows is written out below it. Both are views of the window like any
other (``rnnviz.gui.view``): the window hands them snapshots, the cursor and the layer; the page
only places them, the user sharing the height between them with the divider.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from rnnviz.gui.diagram import DiagramView
from rnnviz.gui.equations_view import EquationsView

__all__ = ["EQUATIONS_MIN_HEIGHT", "NetworkPage"]

#: The least height of the equations below the diagram: their type shrinks to fit (down to
#: 10 points), and on a projector the diagram keeps the rest.
EQUATIONS_MIN_HEIGHT = 150
#: The diagram's share of the page's height, where that is more than its least height.
DIAGRAM_SHARE = 0.55


class NetworkPage(QWidget):
    """``diagram`` (a ``DiagramView``) above ``equations`` (an ``EquationsView``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.diagram = DiagramView()
        self.equations = EquationsView()
        # an explicit least size: the equations' own hint is their text at its largest type
        self.equations.setMinimumSize(self.diagram.minimumSizeHint().width(), EQUATIONS_MIN_HEIGHT)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.diagram)
        self.splitter.addWidget(self.equations)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.splitterMoved.connect(self._on_divider_moved)
        self._divider_moved_by_user = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def _on_divider_moved(self, pos: int, index: int) -> None:
        self._divider_moved_by_user = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._divider_moved_by_user:
            # the diagram above its least height, the equations the rest up to DIAGRAM_SHARE
            total = sum(self.splitter.sizes()) or self.height()
            diagram = max(self.diagram.minimumSizeHint().height(), round(DIAGRAM_SHARE * total))
            self.splitter.setSizes([diagram, max(total - diagram, EQUATIONS_MIN_HEIGHT)])

    @property
    def view_titles(self) -> dict[QWidget, str]:
        """What each view is called (in the window's Help → What am I looking at?)."""
        return {self.diagram: "Network", self.equations: "Equations"}

    @property
    def views(self) -> tuple[QWidget, ...]:
        """The page's views, top to bottom."""
        return (self.diagram, self.equations)

    def minimumSizeHint(self) -> QSize:
        diagram = self.diagram.minimumSizeHint()
        handle = self.splitter.handleWidth()
        return QSize(diagram.width(), diagram.height() + handle + EQUATIONS_MIN_HEIGHT)
