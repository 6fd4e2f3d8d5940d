"""The views beside the demo: the four plots in a 2 × 2 grid where there is room, tabs where
there is not, and the pages that always have a tab of their own (the network diagram over its
equations).

On a projector's 1280 × 720 a quarter of the area is too small for a heat map with its axes and
colour bar (pyqtgraph would clip the plots), so when the grid would give a view less than it
needs (its minimum size, or ``GRID_MIN``), the area shows one view at a time, full size, in
tabs. A page (``pages``: a widget holding the views in its ``views``) is a tab in both
arrangements: beside the grid's "All views" tab, or after the four views' tabs. A hidden tab
is not drawn until it is shown (the window draws only visible views).

A focused lesson (``focus``) shows only some of the views and pages, and may ask for tabs: two
views then share the grid side by side, one fills it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QGridLayout, QTabBar, QTabWidget, QVBoxLayout, QWidget

__all__ = ["GRID_MIN", "GRID_TITLE", "PanelArea"]

#: Smallest width and height of one view in the grid, in pixels.
GRID_MIN = QSize(400, 300)
#: Extra room needed to go back from tabs to the grid, so a window at the threshold does not
#: flip between the two on every resize.
HYSTERESIS = 24
#: A page size for measuring the tabs' own room, larger than any tab bar is wide.
PROBE_PAGE = QSize(2000, 200)
#: The grid's tab, where there are pages beside it.
GRID_TITLE = "All views"


class PanelArea(QWidget):
    """Holds the views; ``tabbed`` says how. ``view_shown`` when a tab brings one into view.

    Parameters
    ----------
    panels, titles
        The views that share the grid, and their tabs' titles.
    pages
        (page, title) of the pages that always have a tab of their own; a page holds the views
        in its ``views``.
    """

    view_shown = Signal()

    def __init__(
        self,
        panels: tuple[QWidget, ...],
        titles: tuple[str, ...],
        pages: tuple[tuple[QWidget, str], ...] = (),
        parent=None,
    ):
        super().__init__(parent)
        self.panels = panels
        self.titles = titles
        self.pages = pages
        # the views a focused lesson leaves out, and those moving: a hidden child, so that they
        # are deleted with the area (parentless, they outlived the window and were deleted
        # whenever Python collected them, which crashed the process)
        self._holder = QWidget(self)
        self._holder.hide()
        self._grid_page = QWidget()
        self._grid = QGridLayout(self._grid_page)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._tabs = QTabWidget()
        self._tabs.setDocumentMode(True)  # no frame: the grid's tab looks as it did alone
        self._tabs.setTabBarAutoHide(True)  # the grid alone, without pages, shows no tab
        self._tabs.currentChanged.connect(self._on_tab_changed)
        self._tab_room = self._measure_tab_room()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._tabs)
        self.tabbed = True  # so that the first _arrange(False) moves them into the grid
        self._front = panels[0]  # the tab to show when the views go into tabs
        self._arranging = False
        #: what a focused lesson shows (all of them unless ``focus`` said otherwise)
        self.shown = (*panels, *(page for page, _ in pages))
        self._tabs_only = False
        self._arrange(False)

    def focus(self, shown: tuple[QWidget, ...] | None = None, tabs: bool = False) -> None:
        """Show only ``shown`` (views of the grid, pages or views on a page: its page; None:
        all of them), in tabs when ``tabs``, else in the grid where it fits."""
        everything = (*self.panels, *(page for page, _ in self.pages))
        owners = {self._owner(view) for view in shown or ()}  # a page's view: its page
        shown = tuple(w for w in everything if w in owners) or everything
        if shown == self.shown and tabs == self._tabs_only:
            return
        self.shown, self._tabs_only = shown, tabs
        if self._owner(self._front) not in shown:
            self._front = shown[0]
        self.tabbed = None  # arranged again, whichever way
        self.refit()

    def _grid_panels(self) -> list[QWidget]:
        return [panel for panel in self.panels if panel in self.shown]

    def _arrange(self, tabbed: bool) -> None:
        if tabbed == self.tabbed:
            return
        self.tabbed = tabbed
        self._arranging = True
        self._tabs.clear()
        for panel in self.panels:  # kept in a hidden holder, never a window of their own
            panel.setParent(self._holder)
        panels = self._grid_panels()
        if tabbed:
            for panel in panels:
                self._tabs.addTab(panel, self.titles[self.panels.index(panel)])
        elif panels:
            for k, panel in enumerate(panels):
                self._grid.addWidget(panel, k // 2, k % 2)
                panel.show()
            one = self.titles[self.panels.index(panels[0])]  # a focused lesson's one view
            self._tabs.addTab(self._grid_page, GRID_TITLE if len(panels) > 1 else one)
        for page, title in self.pages:  # a page left out stays hidden in the stack
            if page in self.shown:
                self._tabs.addTab(page, title)
        self._tabs.setCurrentWidget(self._tab_of(self._front))
        self._arranging = False
        self.view_shown.emit()

    def _owner(self, view: QWidget) -> QWidget:
        """``view`` itself for a view of the grid (or a page), else the page that holds it."""
        return next((page for page, _ in self.pages if view in page.views), view)

    def _tab_of(self, view: QWidget) -> QWidget:
        """The tab that holds ``view``: the grid's for a panel while the grid shows, its page
        for a view on a page."""
        if view in self.panels:
            return view if self.tabbed else self._grid_page
        return next((page for page, _ in self.pages if view in page.views), view)

    def _on_tab_changed(self, index: int) -> None:
        if self._arranging:
            return  # tabs added or taken away, not chosen
        shown = self._tabs.widget(index) if index >= 0 else None
        if shown is not None and shown is not self._grid_page:
            self._front = shown
        elif shown is self._grid_page and self._front not in self.panels:
            self._front = self._grid_panels()[0]
        self.view_shown.emit()

    def tab_bar(self) -> QTabBar:
        """The bar of the area's tabs (its type grows in presentation mode)."""
        return self._tabs.tabBar()

    def bring_into_view(self, panel: QWidget) -> None:
        """Make ``panel`` (a view or a page) the shown tab, now or when the views next go into
        tabs."""
        if self._owner(panel) not in self.shown:
            return  # a view the focused lesson leaves out
        self._front = panel
        self._tabs.setCurrentWidget(self._tab_of(panel))

    def shown_panels(self) -> list[QWidget]:
        """The views in sight: all four in the grid, the current one in tabs, or a page's."""
        current = self._tabs.currentWidget()
        if current is self._grid_page:
            return self._grid_panels()
        return list(getattr(current, "views", [current]))

    def title_of(self, panel: QWidget) -> str:
        """The title of ``panel`` (its tab's text; a view on a page as its page names it)."""
        if panel in self.panels:
            return self.titles[self.panels.index(panel)]
        for page, title in self.pages:
            if panel is page or panel in page.views:
                return getattr(page, "view_titles", {}).get(panel, title)
        raise ValueError(f"{panel!r} is not in this area")

    def grid_needs(self) -> QSize:
        """The room the 2 × 2 grid needs: every view at least its minimum and ``GRID_MIN``, and
        the tab bar above it where there are pages beside it."""
        sizes = [p.minimumSizeHint().expandedTo(GRID_MIN) for p in self._grid_panels()]
        spacing = max(self._grid.spacing(), 0)
        columns = [max(s.width() for s in sizes[c::2]) for c in (0, 1) if sizes[c::2]]
        rows = [max(s.height() for s in sizes[r : r + 2]) for r in range(0, len(sizes), 2)]
        grid = QSize(sum(columns) + spacing * (len(columns) - 1), sum(rows))
        grid += QSize(0, spacing * max(len(rows) - 1, 0))
        shown_pages = any(page in self.shown for page, _ in self.pages)
        return grid + self._tab_room if shown_pages else grid

    def refit(self) -> None:
        """Grid or tabs, for the present size and the views' present minimums."""
        if self._tabs_only or not self._grid_panels():
            self._arrange(True)
            return
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
        for view in (*self.panels, *(page for page, _ in self.pages)):
            least = least.expandedTo(view.minimumSizeHint())
        return least + self._tab_room

    def _measure_tab_room(self) -> QSize:
        """The room tabs take around a view: the tab bar and any frame around the page (the
        style's, measured on a tab widget of the same look: the area's own may have no tabs
        when it is measured, and the tab bar alone once left out a frame the view lacked)."""
        probe = QTabWidget()
        probe.setFont(self._tabs.font())
        probe.setDocumentMode(self._tabs.documentMode())
        page = QWidget()
        page.setMinimumSize(PROBE_PAGE)
        titles = (*self.titles, *(title for _, title in self.pages))
        probe.addTab(page, max(titles, key=len))
        room = probe.minimumSizeHint() - PROBE_PAGE
        probe.deleteLater()
        return room.expandedTo(QSize(0, 0))
