"""The one latest-wins buffer between a run's training thread and the window. No Qt.

A snapshot crosses from training to the views through one ``SnapshotMailbox`` per run (see
``rnnviz.gui.worker``): whatever arrives replaces what is waiting, so a slow window takes the
newest snapshot and never a backlog.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["SnapshotMailbox"]


class SnapshotMailbox:
    """A one-slot, latest-wins hand-over between two threads.

    ``put`` replaces whatever is waiting and returns True only if the box was empty: only then
    does the sender need to notify the receiver, so at most one notification is in flight and an
    older snapshot is dropped, never queued, when the receiver is slow.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: Any = None

    def put(self, item: Any) -> bool:
        with self._lock:
            was_empty = self._item is None
            self._item = item
        return was_empty

    def take(self) -> Any:
        """The waiting item, or None; the box is empty afterwards."""
        with self._lock:
            item, self._item = self._item, None
        return item
