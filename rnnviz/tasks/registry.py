"""The lessons' tasks by name: which config class each takes and how to build it."""

from __future__ import annotations

import importlib
from enum import StrEnum

from rnnviz.tasks.base import Task

__all__ = ["TASKS", "TaskName", "make_task", "task_config_class"]


class TaskName(StrEnum):
    BALL = "ball"
    TEXT = "text"
    ALPHABET = "alphabet"
    RECALL = "recall"


#: task name → (module, config class, task class)
TASKS: dict[TaskName, tuple[str, str, str]] = {
    TaskName.BALL: ("rnnviz.tasks.ball", "BallConfig", "BallTask"),
    TaskName.TEXT: ("rnnviz.tasks.text", "TextConfig", "TextTask"),
    TaskName.ALPHABET: ("rnnviz.tasks.alphabet", "AlphabetConfig", "AlphabetTask"),
    TaskName.RECALL: ("rnnviz.tasks.recall", "RecallConfig", "RecallTask"),
}


def _attr(name: TaskName, index: int) -> type:
    module, *classes = TASKS[TaskName(name)]
    return getattr(importlib.import_module(module), classes[index])


def task_config_class(name: TaskName | str) -> type:
    """The frozen dataclass that holds the task's own settings."""
    return _attr(TaskName(name), 0)


def make_task(name: TaskName | str, params) -> Task:
    """Build the task ``name`` from its config."""
    return _attr(TaskName(name), 1)(params)
