"""The settings table: every setting of a run, its type, range, unit, whether it changes a
running run or starts a new one, and its help, said once.

``TRAINING_SETTINGS`` holds the rows of the model, the optimiser and the data; each task's own
rows are on its config class (``BallConfig.SETTINGS``, see ``rnnviz.tasks.setting``), so that
a task stays below the training layer. :func:`settings_for` joins them for one task. Read by

- ``TrainConfig`` and its parts, which check every field through their row
  (``rnnviz.training.config``), and ``TrainConfig.with_settings``, which parses dotted
  settings with it;
- the window's settings sidebar (``rnnviz.gui.controls``): ranges, steps, decimals, units,
  tooltips and the ⟲ mark of what starts a new run;
- ``rnnviz train --set`` and ``rnnviz render --set``: the list of names in ``--help`` and in
  the message for an unknown one;
- ``needs_reset`` (``rnnviz.training.trainer``): a change to a row that is not ``live`` needs a
  new run;
- the presets, whose ``hide`` and ``compare`` name settings.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any

from rnnviz.core import CELLS
from rnnviz.tasks.registry import TaskName, task_config_class
from rnnviz.tasks.setting import ConfigError, Setting

__all__ = [
    "GROUPS",
    "TRAINING_SETTINGS",
    "Cell",
    "OptimizerKind",
    "Setting",
    "changed_settings",
    "check_known",
    "find_setting",
    "group_rows",
    "needs_new_run",
    "setting_value",
    "settings_for",
    "settings_help",
]


#: The cells a student can choose: one member per ``rnnviz.core.CELLS`` entry, where each cell
#: is defined once (its name, label, gates and layer).
Cell = StrEnum("Cell", {name.upper(): name for name in CELLS})


class OptimizerKind(StrEnum):
    SGD = "sgd"
    ADAM = "adam"
    ADAGRAD = "adagrad"
    RMSPROP = "rmsprop"


#: The groups of dotted names and the TrainConfig attribute each lives in.
GROUPS = {"model": "model", "optim": "optim", "task": "task_params"}

#: Every setting of a run that is not a task's own, in the order help texts list them.
TRAINING_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "model.cell",
        Cell,
        "The recurrent cell: a vanilla RNN (tanh or ReLU), an LSTM or a GRU.",
        label="Cell",
        choices=tuple((spec.name, spec.label) for spec in CELLS.values()),
    ),
    Setting(
        "model.hidden_size",
        int,
        "Units in each layer's hidden state (per direction).",
        low=1,
        high=1024,
        label="Hidden units",
    ),
    Setting("model.num_layers", int, "Recurrent layers stacked.", low=1, high=4, label="Layers"),
    Setting(
        "model.bidirectional",
        bool,
        "Also read each sequence backwards, with a second set of cells.",
        label="Bidirectional",
    ),
    Setting(
        "model.recurrent_scale",
        float,
        "Multiplies the recurrent weights W_hh when a run starts: below 1 the gradient "
        "reaching early steps shrinks faster, above 1 it shrinks slower or grows.",
        low=0.1,
        high=3.0,
        label="Recurrent scale",
        gloss="scale of the initial recurrent weights",
        step=0.1,
    ),
    Setting(
        "optim.kind",
        OptimizerKind,
        "How the weights are updated; the weights are kept when it changes.",
        live=True,
        label="Optimiser",
        choices=(
            ("sgd", "SGD + momentum"),
            ("adam", "Adam"),
            ("adagrad", "Adagrad"),
            ("rmsprop", "RMSprop"),
        ),
    ),
    Setting(
        "optim.lr",
        float,
        "The size of each update's step: too small learns slowly, too large diverges.",
        low=1e-5,
        high=1000.0,
        live=True,
        label="Learning rate",
        gloss="learning rate",
    ),
    Setting(
        "optim.momentum",
        float,
        "How much of the previous step SGD and RMSprop keep.",
        low=0.0,
        high=0.999,
        live=True,
        label="Momentum",
        step=0.01,
    ),
    Setting(
        "optim.clip",
        float,
        "The gradient's length is cut to this before each update (off: never).",
        low=0.01,
        high=1000.0,
        live=True,
        off=True,
        label="Gradient clipping",
        gloss="gradient clipping norm",
        step=0.5,
    ),
    Setting(
        "task",
        TaskName,
        "Which lesson's data the network learns from.",
        label="Task",
    ),
    Setting(
        "seq_len",
        int,
        "Steps per training sequence: how far back the gradient flows.",
        low=1,
        high=10_000,
        label="Sequence length",
        gloss="sequence length",
    ),
    Setting("batch_size", int, "Sequences per update.", low=1, high=4096, label="Batch size"),
    Setting(
        "seed",
        int,
        "Seeds the initial weights and the data: the same seed gives the same run.",
        low=0,
        high=2**32 - 1,
        label="Seed",
    ),
    Setting(
        "temperature",
        float,
        "How adventurous the text samples are: low picks the likeliest, high is random.",
        low=0.05,
        high=5.0,
        live=True,
        label="Temperature",
        step=0.05,
    ),
    Setting(
        "history",
        int,
        "Points each curve keeps (older ones are thinned out, so a curve covers the run).",
        low=2,
        high=1_000_000,
        label="History",
    ),
)

_TRAINING = {row.name: row for row in TRAINING_SETTINGS}


def group_rows(group: str) -> tuple[Setting, ...]:
    """The training rows of one group: ``"model"``, ``"optim"`` or ``""`` (the config's own)."""
    return tuple(row for row in TRAINING_SETTINGS if row.group == group)


def _task_rows(task: TaskName | str) -> tuple[Setting, ...]:
    return task_config_class(TaskName(task)).SETTINGS


def settings_for(task: TaskName | str) -> dict[str, Setting]:
    """Every setting of a run of ``task``, by dotted name: the training rows, then the task's."""
    return {**_TRAINING, **{row.name: row for row in _task_rows(task)}}


def find_setting(name: str, task: TaskName | str | None = None) -> Setting:
    """The row of ``name`` for ``task``; with no task, a ``task.*`` name is looked up in every
    task (it must belong to exactly one, as the window's task fields do).

    Raises
    ------
    KeyError
        If no row (or, with no task, more than one task's row) has that name.
    """
    if name in _TRAINING:
        return _TRAINING[name]
    tasks = list(TaskName) if task is None else [TaskName(task)]
    rows = [row for t in tasks for row in _task_rows(t) if row.name == name]
    if len(rows) != 1:
        raise KeyError(name)
    return rows[0]


def setting_value(config: Any, name: str) -> Any:
    """The value a TrainConfig holds for the dotted ``name`` (``config.model.hidden_size``)."""
    group, _, field_name = name.rpartition(".")
    holder = getattr(config, GROUPS[group]) if group else config
    return getattr(holder, field_name)


def changed_settings(old: Any, new: Any) -> list[str]:
    """The dotted names whose values differ between two TrainConfigs (``["task"]`` alone when
    the task differs: the two have different task settings)."""
    if old.task != new.task:
        return ["task"]
    return [
        name
        for name in settings_for(old.task)
        if setting_value(old, name) != setting_value(new, name)
    ]


def needs_new_run(old: Any, new: Any) -> bool:
    """True when going from ``old`` to ``new`` changes a setting that is not live."""
    rows = settings_for(old.task)
    return any(not rows[name].live for name in changed_settings(old, new))


def settings_needing_a_new_run(config: Any, settings: Mapping[str, Any]) -> list[str]:
    """The names among ``settings`` (dotted name → value, as ``--set`` takes them) that, each
    alone, would change the model or the data of a run of ``config``."""
    names = []
    for key, value in settings.items():
        try:
            if needs_new_run(config, config.with_settings({key: value})):
                names.append(key)
        except ConfigError:  # valid only together with another setting: name it anyway
            names.append(key)
    return names


def _help_lines(rows: list[Setting], column: int, width: int) -> Iterator[str]:
    for row in rows:
        live = " (live)" if row.live else ""
        yield from textwrap.wrap(
            f"{row.describe()}{live}. {row.help}",
            width=width,
            initial_indent=f"  {row.name}".ljust(column),
            subsequent_indent=" " * column,
            break_on_hyphens=False,
        )


def settings_help(width: int = 79) -> str:
    """Every setting ``--set`` takes, with its values and help, wrapped to ``width`` columns:
    the training's, then each task's own. Those marked live can change a running run (a
    session opened to train on); the others start a new one."""
    own = {task: list(_task_rows(task)) for task in TaskName}
    names = [row.name for row in TRAINING_SETTINGS] + [
        r.name for rows in own.values() for r in rows
    ]
    column = max(len(name) for name in names) + 4
    width = max(width, column + 30)
    lines = textwrap.wrap(
        "settings (--set KEY=VALUE; those marked live can also change a session opened with "
        "--open, the others only a new run):",
        width=width,
    )
    lines += _help_lines(list(TRAINING_SETTINGS), column, width)
    for task, rows in own.items():
        if rows:
            lines.append(f"for the {task.value} task:")
            lines += _help_lines(rows, column, width)
    return "\n".join(lines)


def check_known(name: str, task: TaskName | str) -> Setting:
    """The row of ``name`` for ``task``, or a ConfigError that lists the names of its group."""
    if name in ("model", "optim", "task_params"):
        raise ConfigError(f"{name} is a group; set one of its fields, e.g. model.hidden_size")
    try:
        return find_setting(name, task)
    except KeyError:
        group = name.rpartition(".")[0]
        known = [row.field for row in settings_for(task).values() if row.group == group]
        if group not in GROUPS and group:
            raise ConfigError(f"unknown setting {name!r}") from None
        raise ConfigError(f"unknown setting {name!r}; known here: {', '.join(known)}") from None
