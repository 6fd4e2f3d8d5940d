"""Training configs: frozen, validated with readable messages, JSON round trip, dotted settings."""

import dataclasses

import pytest

from rnnviz.tasks.registry import TaskName, task_config_class
from rnnviz.training.config import (
    Cell,
    ConfigError,
    ModelConfig,
    OptimConfig,
    OptimizerKind,
    TrainConfig,
    config_from_dict,
    config_to_dict,
)


@pytest.mark.parametrize("task", list(TaskName))
def test_json_round_trip_for_every_task(task):
    config = TrainConfig(
        task=task,
        model=ModelConfig(Cell.GRU, 24, 2, True),
        optim=OptimConfig(OptimizerKind.SGD, 0.05, 0.5, None),
        batch_size=8,
        seq_len=20,
        seed=3,
        temperature=0.7,
    )
    again = TrainConfig.from_json(config.to_json())
    assert again == config
    assert isinstance(again.task_params, task_config_class(task))
    assert config_from_dict(config_to_dict(config)) == config


def test_configs_are_frozen():
    config = TrainConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ModelConfig(hidden_size=0), "model.hidden_size must be between 1 and 1024"),
        (lambda: ModelConfig(cell="transformer"), "model.cell must be one of"),
        (lambda: ModelConfig(bidirectional="yes"), "true or false"),
        (lambda: OptimConfig(lr=-1.0), "learning rate"),
        (lambda: OptimConfig(lr=float("nan")), "finite number"),
        (lambda: OptimConfig(clip=0.0), "clipping"),
        (lambda: TrainConfig(batch_size=0), "batch_size must be between"),
        (lambda: TrainConfig(temperature=0), "temperature"),
        (lambda: TrainConfig(task="chess"), "task must be one of"),
    ],
)
def test_bad_values_say_what_is_wrong(build, message):
    with pytest.raises(ConfigError, match=message):
        build()


def test_dotted_settings_parse_command_line_text():
    config = TrainConfig().with_settings(
        {
            "model.hidden_size": "64",
            "model.cell": "GRU",
            "model.bidirectional": "true",
            "optim.lr": "0.003",
            "optim.clip": "none",
            "seq_len": "40",
        }
    )
    assert config.model == ModelConfig(Cell.GRU, 64, 1, True)
    assert config.optim.lr == 0.003 and config.optim.clip is None
    assert config.seq_len == 40
    assert TrainConfig().with_settings({"task": "alphabet"}).task is TaskName.ALPHABET


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("model.hidden", "3", "unknown setting 'model.hidden'"),
        ("model.hidden_size", "big", "must be a whole number"),
        ("optim.lr", "fast", "must be a number"),
        ("model.bidirectional", "maybe", "true or false"),
        ("colour", "red", "unknown setting"),
        ("model", "x", "is a group"),
    ],
)
def test_bad_dotted_settings(key, value, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig().with_settings({key: value})


def test_unknown_keys_in_a_file_are_refused():
    data = config_to_dict(TrainConfig())
    data["model"]["depth"] = 3
    with pytest.raises(ConfigError, match=r"unknown setting model\.depth"):
        config_from_dict(data)
    with pytest.raises(ConfigError, match="not valid JSON"):
        TrainConfig.from_json("{")
