"""Fixtures the GUI tests share (their helpers are in ``gui_helpers``)."""

import pytest


@pytest.fixture
def window(qtbot):
    """The main window at its default size (room for the views in a grid), shown and laid
    out; closed after the test."""
    from gui_helpers import shown

    from rnnviz.gui.main_window import MainWindow

    win = shown(qtbot, MainWindow, size=(1800, 1000))
    yield win
    win.close()
