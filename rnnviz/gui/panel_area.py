"""The four views beside the demo: a 2 × 2 grid where there is room, tabs where there is not.

On a projector's 1280 × 720 a quarter of the area is too small for a heat map with its axes and
colour bar (pyqtgraph would clip the plots), so when the grid would give a view less than it
needs (its minimum size, or ``GRID_MIN``), the area shows one view at a time, full size, in
tabs. A hidden tab is not drawn until it is shown (the window draws only visible views).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QGridLayout, QStackedLayout, QTabWidget, QWidget

__all__ = ["GRID_MIN", "PanelArea"]

#: Smallest width and height of one view in the grid, in pixels.
GRID_MIN = QSize(400, 300)
#: Extra room needed to go back from tabs to the grid, so a window at the threshold does not
#: flip between the two on every resize.
HYSTERESIS = 24
#: A page size for measuring the tabs' own room, larger than any tab bar is wide.
PROBE_PAGE = QSize(2000, 200)


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
        self._tabs.currentChanged.connect(self._on_tab_changed)
        self._tab_room = self._measure_tab_room()
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._grid_page)
        self._stack.addWidget(self._tabs)
        self.tabbed = True  # so that the first _arrange(False) moves them into the grid
        self._front = panels[0]  # the tab to show when the views go into tabs
        self._arranging = False
        self._arrange(False)

    def _arrange(self, tabbed: bool) -> None:
        if tabbed == self.tabbed:
            return
        self.tabbed = tabbed
        self._arranging = True
        for panel in self.panels:
            panel.setParent(None)
        if tabbed:
            for panel, title in zip(self.panels, self.titles, strict=True):
                self._tabs.addTab(panel, title)
            self._tabs.setCurrentWidget(self._front)
            self._stack.setCurrentWidget(self._tabs)
        else:
            self._tabs.clear()
            for k, panel in enumerate(self.panels):
                self._grid.addWidget(panel, k // 2, k % 2)
                panel.show()
            self._stack.setCurrentWidget(self._grid_page)
        self._arranging = False
        self.view_shown.emit()

    def _on_tab_changed(self, index: int) -> None:
        if self._arranging:
            return  # tabs added or taken away, not chosen
        if index >= 0:
            self._front = self._tabs.widget(index)
        self.view_shown.emit()

    def bring_into_view(self, panel: QWidget) -> None:
        """Make ``panel`` the shown tab, now or when the views next go into tabs."""
        self._front = panel
        if self.tabbed:
            self._tabs.setCurrentWidget(panel)

    def shown_panels(self) -> list[QWidget]:
        """The panels in sight: all four in the grid, the current one in tabs."""
        return [self._tabs.currentWidget()] if self.tabbed else list(self.panels)

    def title_of(self, panel: QWidget) -> str:
        """The title of ``panel`` (its tab's text)."""
        return self.titles[self.panels.index(panel)]

    def grid_needs(self) -> QSize:
        """The room the 2 × 2 grid needs: every view at least its minimum and ``GRID_MIN``."""
        sizes = [p.minimumSizeHint().expandedTo(GRID_MIN) for p in self.panels]
        spacing = max(self._grid.spacing(), 0)
        columns = [max(s.width() for s in sizes[c::2]) for c in (0, 1)]
        rows = [max(s.height() for s in sizes[r : r + 2]) for r in (0, 2)]
        return QSize(sum(columns) + spacing, sum(rows) + spacing)

    def refit(self) -> None:
        """Grid or tabs, for the present size and the views' present minimums."""
        need = self.grid_needs()
        margin = HYSTERESIS if self.tabbed else 0
        fits = self.width() >= need.width() + margin and self.height() >= need.height() + margin
        self._arrange(not fits)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refit()

    def minimumSizeHint(self) -> QSize:
        # what the tabs need (one view at a time): the grid is used only where it fits
        least = QSize(0, 0)
        for panel in self.panels:
            least = least.expandedTo(panel.minimumSizeHint())
        return least + self._tab_room

    def _measure_tab_room(self) -> QSize:
        """The room tabs take around a view: the tab bar and the frame around the page (the
        style's, measured on a tab widget of the same look: the area's own has no tabs while
        it shows the grid, and the tab bar alone left out the frame, 4 px the view lacked)."""
        probe = QTabWidget()
        probe.setFont(self._tabs.font())
        page = QWidget()
        page.setMinimumSize(PROBE_PAGE)
        probe.addTab(page, max(self.titles, key=len))
        room = probe.minimumSizeHint() - PROBE_PAGE
        probe.deleteLater()
        return room.expandedTo(QSize(0, 0))
