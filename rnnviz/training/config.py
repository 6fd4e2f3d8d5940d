"""Training configuration: frozen dataclasses with Enums, validated on construction, that
round-trip through JSON.

    TrainConfig
    ├── task: TaskName            which lesson's data ("ball", "text", "alphabet", "recall")
    ├── task_params               that task's own frozen config (BallConfig, TextConfig, …)
    ├── model: ModelConfig        cell, hidden size, layers, bidirectional, W_hh scale
    ├── optim: OptimConfig        optimiser, learning rate, momentum, clipping
    └── batch_size, seq_len, seed, temperature, history

Settings are addressed by dotted names, as ``rnnviz train --set`` takes them:
``model.hidden_size=64``, ``optim.lr=0.003``, ``task.delay=30``, ``seq_len=50``. Each one's
type, range and meaning is its row in the settings table (``rnnviz.training.settings``): every
field here is checked, and every dotted setting parsed, through it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any, get_type_hints

from rnnviz.tasks.registry import TASKS, TaskName, task_config_class
from rnnviz.tasks.setting import ConfigError, check_fields
from rnnviz.training.settings import (
    GROUPS,
    Cell,
    OptimizerKind,
    check_known,
    find_setting,
    group_rows,
    settings_for,
)

__all__ = [
    "Cell",
    "ConfigError",
    "ModelConfig",
    "OptimConfig",
    "OptimizerKind",
    "TrainConfig",
    "config_from_dict",
    "config_to_dict",
    "known_settings",
]


@dataclass(frozen=True)
class ModelConfig:
    """The network's shape. Changing any of these makes a new model (a reset)."""

    cell: Cell = Cell.LSTM
    hidden_size: int = 32
    num_layers: int = 1
    bidirectional: bool = False
    #: W_hh is multiplied by it at initialisation (1: the layer's own initialisation)
    recurrent_scale: float = 1.0

    def __post_init__(self) -> None:
        check_fields(self, group_rows("model"))


@dataclass(frozen=True)
class OptimConfig:
    """How the weights are updated. All of these change live, without a reset (a new ``kind``
    keeps the weights and starts the optimiser's own state afresh)."""

    kind: OptimizerKind = OptimizerKind.ADAM
    lr: float = 0.01
    momentum: float = 0.9
    clip: float | None = 5.0

    def __post_init__(self) -> None:
        check_fields(self, group_rows("optim"))


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run; with the seed, the run is reproducible."""

    task: TaskName = TaskName.RECALL
    task_params: Any = None
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    batch_size: int = 16
    seq_len: int = 32
    seed: int = 0
    temperature: float = 1.0
    history: int = 500

    def __post_init__(self) -> None:
        check_fields(self, group_rows(""))
        params_class = task_config_class(self.task)
        if self.task_params is None:
            object.__setattr__(self, "task_params", params_class())
        elif not isinstance(self.task_params, params_class):
            raise ConfigError(
                f"the {self.task.value} task takes {params_class.__name__}, "
                f"got {type(self.task_params).__name__}"
            )
        if not isinstance(self.model, ModelConfig) or not isinstance(self.optim, OptimConfig):
            raise ConfigError("model and optim must be ModelConfig and OptimConfig")

    # ------------------------------------------------------------------ dotted settings

    def with_settings(self, settings: dict[str, Any]) -> TrainConfig:
        """A copy with dotted settings changed, e.g. ``{"model.hidden_size": "64"}``.

        String values are parsed to the field's type, so command-line text works as it is.
        The settings are applied in order; then, once all are in, what only makes sense of
        them together is checked: the task's own rules (a text file's path means that file or
        an error, ``TextConfig.settle``) and the memory the run would need
        (``rnnviz.training.budget``). So ``{"batch_size": "1", "seq_len": "10000"}`` is refused
        or accepted as a whole, whatever its order.

        Raises
        ------
        ConfigError
            For an unknown setting, a value that is not valid, a text file that cannot be used
            or a run that would need more than the memory budget; the message says which.
        """
        from rnnviz.training.budget import check_budget  # budget reads this module's classes

        config = self
        for key, raw in settings.items():
            config = _set(config, key, raw)
        changed = frozenset(key[5:] for key in settings if key.startswith("task."))
        settle = getattr(config.task_params, "settle", None)
        if changed and settle is not None:
            try:
                config = replace(config, task_params=settle(changed))
            except ConfigError:
                raise
            except ValueError as error:  # the task's own errors (e.g. CorpusError)
                raise ConfigError(str(error)) from None
        check_budget(config)
        return config

    def to_json(self) -> str:
        return json.dumps(config_to_dict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"the configuration is not valid JSON: {error}") from None
        return config_from_dict(data)


def _to_plain(obj: Any) -> Any:
    if isinstance(obj, Enum):
        return obj.value
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_plain(getattr(obj, f.name)) for f in fields(obj)}
    return obj


def config_to_dict(config: TrainConfig) -> dict[str, Any]:
    """Plain JSON-able dict of a config (Enums as their values)."""
    return _to_plain(config)


def _from_plain(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'the configuration'} must be a JSON object, got {data!r}")
    hints = get_type_hints(cls)
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(
            f"unknown setting {where + '.' if where else ''}{unknown[0]}; "
            f"known: {', '.join(sorted(names))}"
        )
    kwargs = {}
    for name, value in data.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint) and not isinstance(value, hint):
            value = _from_plain(hint, value, f"{where}.{name}" if where else name)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as error:
        raise ConfigError(f"{where or 'configuration'}: {error}") from None


def config_from_dict(data: Any) -> TrainConfig:
    """Build and validate a TrainConfig from ``config_to_dict`` output (e.g. a preset file)."""
    if not isinstance(data, dict):
        raise ConfigError(f"the configuration must be a JSON object, got {data!r}")
    data = dict(data)
    task = find_setting("task").check(data.get("task", TrainConfig.task))
    data["task"] = task
    if "task_params" in data:
        data["task_params"] = _from_plain(task_config_class(task), data["task_params"], "task")
    return _from_plain(TrainConfig, data, "")


# ---------------------------------------------------------------------- dotted settings


def _set(config: TrainConfig, key: str, raw: Any) -> TrainConfig:
    row = check_known(key, config.task)
    value = row.parse(raw)
    if key == "task":
        return replace(config, task=row.check(value), task_params=None)
    if not row.group:
        return replace(config, **{row.field: value})
    attribute = GROUPS[row.group]
    try:
        new_group = replace(getattr(config, attribute), **{row.field: value})
    except ConfigError:
        raise
    except (TypeError, ValueError) as error:  # a task's own rule about two of its settings
        raise ConfigError(f"{key}: {error}") from None
    return replace(config, **{attribute: new_group})


def known_settings(config: TrainConfig) -> list[str]:
    """Every dotted setting name for this config's task, for help texts."""
    return list(settings_for(config.task))


assert set(TASKS) == set(TaskName)
