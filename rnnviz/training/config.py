"""Training configuration: frozen dataclasses with Enums, validated on construction, that
round-trip through JSON.

    TrainConfig
    ├── task: TaskName            which lesson's data ("ball", "text", "alphabet", "recall")
    ├── task_params               that task's own frozen config (BallConfig, TextConfig, …)
    ├── model: ModelConfig        cell, hidden size, layers, bidirectional
    ├── optim: OptimConfig        optimiser, learning rate, momentum, clipping
    └── batch_size, seq_len, seed, temperature, history

Settings are addressed by dotted names, as ``rnnviz train --set`` takes them:
``model.hidden_size=64``, ``optim.lr=0.003``, ``task.delay=30``, ``seq_len=50``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field, fields, replace
from enum import Enum, StrEnum
from typing import Any, get_type_hints

from rnnviz.tasks.registry import TASKS, TaskName, task_config_class

__all__ = [
    "Cell",
    "ConfigError",
    "ModelConfig",
    "OptimConfig",
    "OptimizerKind",
    "TrainConfig",
    "config_from_dict",
    "config_to_dict",
]


class ConfigError(ValueError):
    """A setting a student typed or a file holds is not valid; the message says why."""


class Cell(StrEnum):
    RNN_TANH = "rnn_tanh"
    RNN_RELU = "rnn_relu"
    LSTM = "lstm"
    GRU = "gru"


class OptimizerKind(StrEnum):
    SGD = "sgd"
    ADAM = "adam"
    ADAGRAD = "adagrad"
    RMSPROP = "rmsprop"


def _whole(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")


def _number(name: str, value: Any, low: float, high: float, *, open_low: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    if value < low or value > high or (open_low and value == low):
        bound = f"above {low}" if open_low else f"at least {low}"
        raise ConfigError(f"{name} must be {bound} and at most {high}, got {value}")


@dataclass(frozen=True)
class ModelConfig:
    """The network's shape. Changing any of these makes a new model (a reset)."""

    cell: Cell = Cell.LSTM
    hidden_size: int = 32
    num_layers: int = 1
    bidirectional: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "cell", _enum("model.cell", Cell, self.cell))
        _whole("model.hidden_size", self.hidden_size, 1, 1024)
        _whole("model.num_layers", self.num_layers, 1, 4)
        if not isinstance(self.bidirectional, bool):
            raise ConfigError(
                f"model.bidirectional must be true or false, got {self.bidirectional!r}"
            )


@dataclass(frozen=True)
class OptimConfig:
    """How the weights are updated. All of these change live, without a reset, except ``kind``."""

    kind: OptimizerKind = OptimizerKind.ADAM
    lr: float = 0.01
    momentum: float = 0.9
    clip: float | None = 5.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _enum("optim.kind", OptimizerKind, self.kind))
        _number("optim.lr (learning rate)", self.lr, 0.0, 1e3, open_low=True)
        _number("optim.momentum", self.momentum, 0.0, 0.999)
        if self.clip is not None:
            _number("optim.clip (gradient clipping norm)", self.clip, 0.0, 1e6, open_low=True)


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
        task = _enum("task", TaskName, self.task)
        object.__setattr__(self, "task", task)
        params_class = task_config_class(task)
        if self.task_params is None:
            object.__setattr__(self, "task_params", params_class())
        elif not isinstance(self.task_params, params_class):
            raise ConfigError(
                f"the {task.value} task takes {params_class.__name__}, "
                f"got {type(self.task_params).__name__}"
            )
        if not isinstance(self.model, ModelConfig) or not isinstance(self.optim, OptimConfig):
            raise ConfigError("model and optim must be ModelConfig and OptimConfig")
        _whole("batch_size", self.batch_size, 1, 4096)
        _whole("seq_len (sequence length)", self.seq_len, 1, 10_000)
        _whole("seed", self.seed, 0, 2**32 - 1)
        _number("temperature", self.temperature, 0.0, 100.0, open_low=True)
        _whole("history", self.history, 2, 1_000_000)

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


def _enum(name: str, enum: type[Enum], value: Any) -> Enum:
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise ConfigError(f"{name} must be one of {choices}; got {value!r}") from None


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
    task = _enum("task", TaskName, data.get("task", TrainConfig.task))
    data["task"] = task
    if "task_params" in data:
        data["task_params"] = _from_plain(task_config_class(task), data["task_params"], "task")
    return _from_plain(TrainConfig, data, "")


# ---------------------------------------------------------------------- parsing settings

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse(name: str, hint: Any, raw: Any) -> Any:
    """Turn command-line text into the type a field holds."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(name, hint, text.lower())
    if hint is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    # int() and float() also read other scripts' digits ("１２" is 12): only ASCII is taken,
    # so that what is typed is what is shown
    if hint is int:
        try:
            if not text.isascii():
                raise ValueError(text)
            return int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if hint is float or hint == (float | None):
        if hint is not float and text.lower() in {"none", "off", "null", ""}:
            return None
        try:
            if not text.isascii():
                raise ValueError(text)
            return float(text)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    return text


def _set(config: TrainConfig, key: str, raw: Any) -> TrainConfig:
    parts = key.split(".")
    if len(parts) == 1:
        target, field_name = config, parts[0]
        if field_name in {"task_params", "model", "optim"}:
            raise ConfigError(f"{key} is a group; set one of its fields, e.g. model.hidden_size")
    elif len(parts) == 2 and parts[0] in {"model", "optim", "task"}:
        group = "task_params" if parts[0] == "task" else parts[0]
        target, field_name = getattr(config, group), parts[1]
    else:
        raise ConfigError(f"unknown setting {key!r}")
    hints = get_type_hints(type(target))
    if field_name not in hints or field_name not in {f.name for f in fields(target)}:
        known = ", ".join(f.name for f in fields(target))
        raise ConfigError(f"unknown setting {key!r}; known here: {known}")
    if key == "task":
        value = _enum("task", TaskName, str(raw).strip().lower())
        return replace(config, task=value, task_params=None)
    value = _parse(key, hints[field_name], raw)
    if target is config:
        return replace(config, **{field_name: value})
    try:
        new_group = replace(target, **{field_name: value})
    except ConfigError:
        raise
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{key}: {error}") from None
    group = "task_params" if parts[0] == "task" else parts[0]
    return replace(config, **{group: new_group})


def known_settings(config: TrainConfig) -> list[str]:
    """Every dotted setting name for this config's task, for help texts."""
    names = [f.name for f in fields(config) if f.name not in {"task_params", "model", "optim"}]
    names += [f"model.{f.name}" for f in fields(config.model)]
    names += [f"optim.{f.name}" for f in fields(config.optim)]
    names += [f"task.{f.name}" for f in fields(config.task_params)]
    return names


assert set(TASKS) == set(TaskName)
