"""The training-history scrubber: drag back through a run's iterations, then return to live.

A slider in the training toolbar over the run's ``SnapshotHistory`` (a decimated, bounded
history, ``rnnviz.training.snapshot_history``). Its right end is *live*: the views draw each
snapshot as it comes. Dragging it left shows the kept snapshot of that moment in every view
(the views draw whatever snapshot they are given, so an old one looks exactly as it did);
training goes on meanwhile, and the status bar keeps saying where it is. The Live button, or
the slider back at its right end, shows the newest snapshot again. A new run starts the history
again and returns to live; in compare mode (whose columns are always live) the scrubber hides.

    scrubber = install_history_scrubber(window, toolbar)
    window.show_snapshot(snapshot): if scrubber.offer(snapshot): draw it
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QToolBar, QWidget

from rnnviz.training.snapshot_history import SnapshotHistory

__all__ = ["HistoryScrubber", "install_history_scrubber"]

LONGEST_LABEL = "iteration 9999999 of 9999999"


class HistoryScrubber(QWidget):
    """Slider, the iteration it shows, and a Live button, over a ``SnapshotHistory``.

    ``snapshot_chosen`` carries the snapshot every view should now show: a kept one while the
    user looks back, the newest on returning to live.
    """

    snapshot_chosen = Signal(object)
    scrubbing_changed = Signal(bool)

    def __init__(self, history: SnapshotHistory | None = None, parent=None) -> None:
        super().__init__(parent)
        self.history = history if history is not None else SnapshotHistory()
        self.latest = None  # the newest snapshot offered: what live shows
        self.shown = None  # the kept snapshot shown while scrubbing (None: live)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimumWidth(80)
        self.slider.setToolTip(
            "Training history: drag left to show an earlier iteration in every view (training "
            "goes on); the right end, or Live, shows the newest again"
        )
        self.slider.setAccessibleName("Training history")
        self.label = QLabel()
        # as wide as the longest it says, so that the slider does not twitch as it changes
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(LONGEST_LABEL))
        self.live_button = QPushButton("Live")
        self.live_button.setCheckable(True)  # pressed in: the views are live
        self.live_button.setToolTip("Back to the newest snapshot: every view live again")
        # like the toolbar's own buttons, never the keyboard's focus: Space, arrows, Home and
        # End keep their meaning for the window wherever the mouse has just been
        for widget in (self.slider, self.live_button):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 0, 6, 0)
        row.addWidget(QLabel("History"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        row.addWidget(self.live_button)
        self.slider.valueChanged.connect(self._slid)
        self.live_button.clicked.connect(self.go_live)
        self._show_range()

    @property
    def scrubbing(self) -> bool:
        """Whether the views show an older snapshot than the newest."""
        return self.shown is not None

    def offer(self, snapshot) -> bool:
        """Record a new snapshot; True when the views should draw it (live), False while the
        user looks back (it is kept, and shown on returning to live)."""
        self.latest = snapshot
        if self.history.run_id is not None and snapshot.run_id != self.history.run_id:
            self.clear()  # another run: live, from its first snapshot
        if self.history.offer(snapshot) or self.scrubbing:
            self._show_range()
        return not self.scrubbing

    @Slot()
    def clear(self) -> None:
        """A new run: forget the history and show live."""
        self.history.clear()
        was_scrubbing, self.shown = self.scrubbing, None
        self._show_range()
        if was_scrubbing:
            self.scrubbing_changed.emit(False)
            if self.latest is not None:
                self.snapshot_chosen.emit(self.latest)

    @Slot()
    def go_live(self) -> None:
        """Show the newest snapshot in every view, and every one after it as it comes."""
        if not self.scrubbing:
            self.live_button.setChecked(True)  # a press while live leaves it live
            return
        self.shown = None
        self._show_range()
        self.scrubbing_changed.emit(False)
        if self.latest is not None:
            self.snapshot_chosen.emit(self.latest)

    def show_index(self, k: int) -> None:
        """Show the ``k``-th kept snapshot (``len(history)``: live), as dragging there does."""
        self.slider.setValue(k)

    @Slot(int)
    def _slid(self, k: int) -> None:
        if k >= len(self.history):
            self.go_live()
            return
        chosen = self.history[k]
        if chosen is self.shown:
            return
        was_scrubbing, self.shown = self.scrubbing, chosen
        self._show_label()
        self.live_button.setChecked(False)
        if not was_scrubbing:
            self.scrubbing_changed.emit(True)
        self.snapshot_chosen.emit(chosen)

    def _show_range(self) -> None:
        """The slider over the kept snapshots plus live at the right end, at what is shown."""
        n = len(self.history)
        if self.scrubbing:
            at = self.history.index_at_or_before(self.shown.iteration)
        else:
            at = n
        self.slider.blockSignals(True)
        self.slider.setRange(0, n)
        self.slider.setValue(at)
        self.slider.setPageStep(max(1, n // 10))
        self.slider.blockSignals(False)
        self.slider.setEnabled(n > 0)
        self.live_button.setChecked(not self.scrubbing)
        self._show_label()

    def _show_label(self) -> None:
        if self.scrubbing:
            live = self.latest.iteration if self.latest is not None else self.shown.iteration
            self.label.setText(f"iteration {self.shown.iteration} of {live}")
        else:
            self.label.clear()


def install_history_scrubber(window, toolbar: QToolBar) -> HistoryScrubber:
    """Put the scrubber at the end of ``toolbar`` and wire it to ``window``: what it chooses
    goes to the window's views, a new run clears it, compare mode hides it."""
    scrubber = HistoryScrubber(parent=toolbar)
    separator = toolbar.addSeparator()
    placed = toolbar.addWidget(scrubber)  # a toolbar shows and hides its widgets' actions
    scrubber.snapshot_chosen.connect(window.redraw.post)
    controller = window.controller
    controller.run_reset.connect(scrubber.clear)

    def comparing(runs) -> None:
        if runs:
            scrubber.go_live()
        separator.setVisible(not runs)
        placed.setVisible(not runs)

    controller.compare_changed.connect(comparing)
    window.scrubber = scrubber
    return scrubber
