"""What the GUI tests share."""

from PySide6.QtWidgets import QApplication


def settle(turns: int = 5) -> None:
    """Let Qt lay out and pyqtgraph update its view transforms: a text or a snapshot arriving
    changes sizes, which nested layouts pass on over a few turns of the event loop."""
    for _ in range(turns):
        QApplication.processEvents()
