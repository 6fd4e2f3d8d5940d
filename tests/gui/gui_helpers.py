"""What the GUI tests share."""

from PySide6.QtWidgets import QApplication


def settle(turns: int = 5) -> None:
    """Let Qt lay out and pyqtgraph update its view transforms: a text or a snapshot arriving
    changes sizes, which nested layouts pass on over a few turns of the event loop."""
    for _ in range(turns):
        QApplication.processEvents()


def shown(qtbot, cls, snap=None, size=(900, 700)):
    """A new view ``cls()`` at ``size``, given ``snap`` (if any), shown and laid out."""
    view = cls()
    qtbot.addWidget(view)
    view.resize(*size)
    if snap is not None:
        view.show_snapshot(snap)
    view.show()
    qtbot.waitExposed(view)
    settle()
    return view


def start_run(window, qtbot, config, timeout: int = 10_000):
    """Start ``config`` in the main window ``window`` and wait for its first snapshot, which
    is returned."""
    with qtbot.waitSignal(window.controller.snapshot_ready, timeout=timeout):
        window.controller.start(config)
    return window.controller.latest
