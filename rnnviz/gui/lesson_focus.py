"""Focused lessons: a lesson shows only the views it is about and hides the settings that
would distract from it (its preset's ``views``, ``layout`` and ``hide``), as a classroom link
of an interactive demo does. View → Focused lessons turns it off: every view and setting back.
"""

from __future__ import annotations

from PySide6.QtGui import QAction

from rnnviz.training.presets import Preset

__all__ = ["focus_action", "focus_lesson"]


def focus_action(parent) -> QAction:
    """The View menu's checkable "Focused lessons" (on)."""
    action = QAction("Focused lessons", parent)
    action.setCheckable(True)
    action.setChecked(True)
    action.setToolTip(
        "Show only the views a lesson is about and hide the settings it does not use; "
        "off: every view and setting, in every lesson"
    )
    return action


def focus_lesson(window, lesson: Preset | None, focused: bool) -> None:
    """Show ``lesson``'s views in its layout and hide its settings in ``window`` (its
    ``panel_area``, ``controls`` and ``view_named``), or everything when not ``focused`` or
    no lesson is open."""
    on = focused and lesson is not None
    window.controls.hide_settings(lesson.hide if on else ())
    views = tuple(window.view_named(name) for name in lesson.views) if on else ()
    window.panel_area.focus(views or None, tabs=on and lesson.layout == "tabs")
    if on and lesson.view is not None:
        window.panel_area.bring_into_view(window.view_named(lesson.view))
