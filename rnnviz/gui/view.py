"""What a view is: the one interface every view of the window offers.

The window holds its views (the four panels and the demo tabs) by this interface only: it
hands each the latest snapshot, moves one shared time cursor and one shared layer·direction
choice, and asks each what it shows. A new view implements it and is added to the window's
list; nothing else in the window changes.

    name               short key: "hidden", "gates", "gradient", "loss", "ball", "text", …
    about              "what am I looking at": a few plain sentences for a student
    cursor_moved(t)    signal: the user moved the time cursor in this view
    show_snapshot(s)   draw snapshot ``s`` (a ``rnnviz.training.snapshot.Snapshot``)
    set_cursor(t)      show time step ``t`` (never emits ``cursor_moved``)
    set_layer(k)       show entry ``k`` of ``s.layout`` (layer k // D + 1, direction k % D)

``show_snapshot`` is not called ``show`` because every view is a ``QWidget``, whose ``show()``
makes it visible: overriding it would break Qt's own calls.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["View", "check_view"]


@runtime_checkable
class View(Protocol):
    """See the module docstring."""

    name: str
    about: str
    cursor_moved: Any  # a Signal(int)

    def show_snapshot(self, snapshot: Any) -> None: ...

    def set_cursor(self, t: int) -> None: ...

    def set_layer(self, index: int) -> None: ...


def check_view(view: object) -> None:
    """Raise TypeError naming what ``view`` lacks of the ``View`` interface."""
    missing = [
        name
        for name in ("name", "about", "cursor_moved", "show_snapshot", "set_cursor", "set_layer")
        if not hasattr(view, name)
    ]
    if missing:
        raise TypeError(f"{type(view).__name__} is not a View: it lacks {', '.join(missing)}")
    for name in ("name", "about"):
        if not isinstance(getattr(view, name), str) or not getattr(view, name).strip():
            raise TypeError(f"{type(view).__name__}.{name} must be a non-empty string")
