"""Fixtures the GUI tests share (their helpers are in ``gui_helpers``)."""

import gc

import pytest


@pytest.fixture(autouse=True)
def _widgets_collected_at_teardown():
    """After each test (and after pytest-qt closed its widgets), collect what Python still
    holds in reference cycles (a window and the closures connected to its signals) now, with
    no Qt call in progress, and freeze what is left, so that the collector never walks it
    again: left to Python's collector, a whole window was deleted at a random moment of a
    later test, inside one of its Qt calls, and crashed the process; collecting everything
    after every test instead took longer with every test."""
    yield
    gc.collect(1)  # this test's own cycles; older objects are frozen
    gc.freeze()
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(qtbot):
    """The main window at its default size (room for the views in a grid), shown and laid
    out; closed after the test."""
    from gui_helpers import shown

    from rnnviz.gui.main_window import MainWindow

    win = shown(qtbot, MainWindow, size=(1800, 1000))
    yield win
    win.close()
