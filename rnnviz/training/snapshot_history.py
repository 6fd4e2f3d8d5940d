"""A bounded history of one run's snapshots: what the window's history scrubber drags through.

The window is offered every snapshot it receives (about 30 a second). ``SnapshotHistory`` keeps
one per ``stride`` iterations at most, from the run's first snapshot to its newest, within two
bounds: ``most`` snapshots and ``budget`` bytes (the arrays' own sizes; a snapshot's weights
are copies, so a large model's snapshots weigh megabytes). When either bound would be passed
it drops every second snapshot, keeping the first and the newest, and doubles the stride, as
``rnnviz.training.history.DecimatingHistory`` does with the loss curve: an hour's run and a
minute's both span the whole run in at most ``most`` moments, and memory stays flat.

A snapshot of another run (a new ``run_id``), or of an earlier iteration (a rewind), starts
the history again; so does ``clear``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping

import numpy as np

__all__ = ["DEFAULT_BUDGET", "DEFAULT_MOST", "SnapshotHistory", "snapshot_nbytes"]

#: Bytes of snapshots kept at most (a lecture's laptop spares this without noticing).
DEFAULT_BUDGET = 64 * 2**20
#: Snapshots kept at most: more moments than a slider's width in pixels tells apart.
DEFAULT_MOST = 400


def _nbytes(value) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, Mapping):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(_nbytes(v) for v in value)
    return 0


def snapshot_nbytes(snapshot) -> int:
    """Bytes held by a snapshot's arrays (its per-layer lists, gate and weight mappings
    included); what keeping it costs, give or take a few hundred bytes of Python objects."""
    fields = getattr(snapshot, "__dataclass_fields__", None)
    if fields is None:
        raise TypeError(f"not a snapshot: {type(snapshot).__name__}")
    return sum(_nbytes(getattr(snapshot, name)) for name in fields)


class SnapshotHistory:
    """One run's snapshots, decimated to stay within ``most`` snapshots and ``budget`` bytes.

    Parameters
    ----------
    budget : int
        Bytes of snapshots kept at most (``snapshot_nbytes``). A single snapshot larger than
        the budget is still kept: the newest is never dropped.
    most : int
        Snapshots kept at most (≥ 2).
    """

    def __init__(self, budget: int = DEFAULT_BUDGET, most: int = DEFAULT_MOST) -> None:
        if most < 2:
            raise ValueError(f"a snapshot history needs room for at least 2, got {most}")
        if budget < 0:
            raise ValueError(f"a snapshot history's budget is at least 0 bytes, got {budget}")
        self.budget = budget
        self.most = most
        self.stride = 1  # iterations between kept snapshots, at least
        self._snapshots: list = []
        self._iterations: list[int] = []
        self._sizes: list[int] = []
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._snapshots)

    def __getitem__(self, k: int):
        return self._snapshots[k]

    @property
    def run_id(self):
        """The run the history is of (None while empty)."""
        return self._snapshots[0].run_id if self._snapshots else None

    def iterations(self) -> list[int]:
        """The kept snapshots' iterations, increasing (a copy)."""
        return list(self._iterations)

    def clear(self) -> None:
        """Forget every snapshot (a new run)."""
        self._snapshots.clear()
        self._iterations.clear()
        self._sizes.clear()
        self.nbytes = 0
        self.stride = 1

    def offer(self, snapshot) -> bool:
        """Keep ``snapshot`` if it is ``stride`` iterations past the newest kept one (or
        replaces a picture of the same iteration); True when it was kept."""
        iteration = snapshot.iteration
        if self._snapshots and (snapshot.run_id != self.run_id or iteration < self._iterations[-1]):
            self.clear()
        if self._snapshots:
            gap = iteration - self._iterations[-1]
            if gap == 0:  # the same moment drawn again (paused, a new example): the newer
                self._drop(len(self._snapshots) - 1)
            elif gap < self.stride:
                return False
        size = snapshot_nbytes(snapshot)
        self._snapshots.append(snapshot)
        self._iterations.append(iteration)
        self._sizes.append(size)
        self.nbytes += size
        while len(self._snapshots) > self.most or (
            self.nbytes > self.budget and len(self._snapshots) > 2
        ):
            self._thin()
        while self.nbytes > self.budget and len(self._snapshots) > 1:
            self._drop(0)  # two snapshots over the budget: the newest alone
        return True

    def index_at_or_before(self, iteration: int) -> int:
        """The index of the newest kept snapshot at or before ``iteration`` (0 if none is)."""
        return max(0, bisect_right(self._iterations, iteration) - 1)

    def _thin(self) -> None:
        """Drop every second snapshot, keeping the first and the newest; double the stride."""
        n = len(self._snapshots)
        keep = [k for k in range(n) if k % 2 == 0 or k == n - 1]
        self._snapshots = [self._snapshots[k] for k in keep]
        self._iterations = [self._iterations[k] for k in keep]
        self._sizes = [self._sizes[k] for k in keep]
        self.nbytes = sum(self._sizes)
        self.stride *= 2

    def _drop(self, k: int) -> None:
        del self._snapshots[k], self._iterations[k]
        self.nbytes -= self._sizes.pop(k)
