"""The four views beside the demo: a 2 × 2 grid where there is room, tabs where there is not.

On a projector's 1280 × 720 a quarter of the area is too small for a heat map with its axes and
colour bar (pyqtgraph then clips the plots), so below ``GRID_MIN`` per view the area shows one
view at a time, full size, in tabs. A hidden tab is not drawn until it is shown (the window
draws only visible views).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QGridLayout, QStackedLayout, QTabWidget, QWidget

__all__ = ["GRID_MIN", "PanelArea"]

#: Smallest width and height of one view in the grid, in pixels.
GRID_MIN = QSize(340, 280)
#: Extra room needed to go back from tabs to the grid, so a window at the threshold does not
#: flip between the two on every resize.
HYSTERESIS = 24


class PanelArea(QWidget):
    """Holds the views; ``tabbed`` says how. ``view_shown`` when a tab brings one into view."""

    view_shown = Signal()

    def __init__(self, panels: tuple[QWidget, ...], titles: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.panels = panels
        self.titles = titles
        self._grid_page = QWidget()
        self._grid = QGridLayout(self._grid_page)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._tabs = QTabWidget()
        self._tabs.currentChanged.connect(lambda _: self.view_shown.emit())
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._grid_page)
        self._stack.addWidget(self._tabs)
        self.tabbed = True  # so that the first _arrange(False) moves them into the grid
        self._arrange(False)

    def _arrange(self, tabbed: bool) -> None:
        if tabbed == self.tabbed:
            return
        self.tabbed = tabbed
        for panel in self.panels:
            panel.setParent(None)
        if tabbed:
            for panel, title in zip(self.panels, self.titles, strict=True):
                self._tabs.addTab(panel, title)
            self._stack.setCurrentWidget(self._tabs)
        else:
            self._tabs.clear()
            for k, panel in enumerate(self.panels):
                self._grid.addWidget(panel, k // 2, k % 2)
                panel.show()
            self._stack.setCurrentWidget(self._grid_page)
        self.view_shown.emit()

    def bring_into_view(self, panel: QWidget) -> None:
        """Make ``panel`` the shown tab (nothing to do in the grid)."""
        if self.tabbed:
            self._tabs.setCurrentWidget(panel)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        size = event.size()
        margin = HYSTERESIS if self.tabbed else 0
        fits = (
            size.width() >= 2 * GRID_MIN.width() + margin
            and size.height() >= 2 * GRID_MIN.height() + margin
        )
        self._arrange(not fits)

    def minimumSizeHint(self) -> QSize:
        return QSize(GRID_MIN.width(), GRID_MIN.height())
