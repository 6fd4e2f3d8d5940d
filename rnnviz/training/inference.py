"""A private copy of a snapshot's model, for the window's own predictions.

The window never touches the trainer's arrays. For the predictive keyboard, the sampler, the
sentence scorer and a ball thrown with the mouse it builds its own ``SequenceModel`` from the
weights a snapshot carries (a copy), on its own thread, and rebuilds it only when a newer
snapshot arrives.
"""

from __future__ import annotations

from rnnviz.tasks.base import Task
from rnnviz.tasks.registry import make_task
from rnnviz.training.model import SequenceModel, model_for
from rnnviz.training.snapshot import Snapshot

__all__ = ["SnapshotModel"]


class SnapshotModel:
    """Keeps a model (and the task it was trained on) in step with the latest snapshot.

    ``update(snapshot)`` is cheap when the run and iteration are unchanged; ``model`` and
    ``task`` are None until a snapshot with weights has been seen.
    """

    def __init__(self) -> None:
        self.model: SequenceModel | None = None
        self.task: Task | None = None
        self._key: tuple[int, int] | None = None
        self._shape_key = None

    def update(self, snapshot: Snapshot) -> SequenceModel | None:
        if not snapshot.weights:
            return self.model
        key = (snapshot.run_id, snapshot.iteration)
        if key == self._key:
            return self.model
        cfg = snapshot.config
        shape_key = (cfg.task, cfg.task_params, cfg.model)
        if shape_key != self._shape_key:
            self.task = make_task(cfg.task, cfg.task_params)
            self.model = model_for(cfg, self.task)
            self._shape_key = shape_key
        self.model.load_state_dict(snapshot.weights)
        self._key = key
        return self.model
