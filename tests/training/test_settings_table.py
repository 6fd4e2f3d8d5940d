"""The settings table is the one place a setting's range, type, help and live-or-new-run are said:
every config field has a row, the configs refuse what their row refuses, needs_reset follows the
row, and `rnnviz train --help`, `--set` and the presets read it."""

import dataclasses
import json
import re
from enum import Enum
from pathlib import Path

import pytest

from rnnviz.cli import main
from rnnviz.tasks.registry import TaskName, task_config_class
from rnnviz.tasks.setting import ConfigError, Setting, show_number
from rnnviz.training import presets as presets_module
from rnnviz.training.config import (
    ModelConfig,
    OptimConfig,
    TrainConfig,
    config_from_dict,
    config_to_dict,
)
from rnnviz.training.presets import PresetError, load_preset
from rnnviz.training.settings import (
    GROUPS,
    TRAINING_SETTINGS,
    find_setting,
    setting_value,
    settings_for,
)
from rnnviz.training.trainer import needs_reset

ROWS = [(task, row) for task in TaskName for row in settings_for(task).values()]
IDS = [f"{task.value}:{row.name}" for task, row in ROWS]


def field_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize(
    ("cls", "group"),
    [(TrainConfig, ""), (ModelConfig, "model"), (OptimConfig, "optim")]
    + [(task_config_class(task), "task") for task in TaskName],
)
def test_every_config_field_has_a_row_and_every_row_a_field(cls, group):
    own = {"task_params", "model", "optim"} if cls is TrainConfig else set()
    rows = TRAINING_SETTINGS if group != "task" else cls.SETTINGS
    named = {row.field for row in rows if row.group == group}
    assert named == field_names(cls) - own
    assert all(row.help.strip() and row.label for row in rows)


def with_value(task: TaskName, name: str, value) -> TrainConfig:
    """A config of ``task`` holding ``value`` for ``name``, built as a file is read (so the
    dataclasses check it, and no memory budget is in the way)."""
    data = config_to_dict(TrainConfig(task=task))
    group, _, field = name.rpartition(".")
    holder = data[GROUPS[group]] if group else data
    # the ball's slowest throw may not be faster than its fastest
    if name == "task.speed_min":
        data["task_params"]["speed_max"] = find_setting(name, task).high
    if name == "task.speed_max":
        data["task_params"]["speed_min"] = find_setting(name, task).low
    holder[field] = value.value if isinstance(value, Enum) else value
    return config_from_dict(data)


def default_of(task: TaskName, row: Setting):
    return setting_value(TrainConfig(task=task), row.name)


@pytest.mark.parametrize(("task", "row"), ROWS, ids=IDS)
def test_defaults_are_in_range_and_the_ends_are_taken(task, row):
    assert row.check(default_of(task, row)) == default_of(task, row)
    if row.low is None:
        return
    for end in (row.low, row.high):
        assert row.check(end) == end
        config = with_value(task, row.name, end)
        assert config.to_json()  # holds it, and it round-trips
        assert TrainConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(("task", "row"), ROWS, ids=IDS)
def test_a_config_refuses_what_its_row_refuses_with_the_row_s_message(task, row):
    if row.low is None:
        bad = 12345  # not text, true or false, nor one of the choices
    else:
        step = 1 if row.kind is int else 10.0 ** -(row.decimals + 1)
        bad = row.high + 1 if row.kind is int else row.high + step
    with pytest.raises(ConfigError) as expected:
        row.check(bad)
    with pytest.raises(ConfigError) as refused:
        with_value(task, row.name, bad)
    assert str(refused.value) == str(expected.value)
    assert str(refused.value).startswith(row.name)
    if row.low is not None:
        assert f"between {show_number(row.low)} and {show_number(row.high)}" in str(refused.value)


def another_value(task: TaskName, row: Setting):
    value = default_of(task, row)
    if row.kind is bool:
        return not value
    if row.kind in (str, Path):
        return value + "x"
    if row.choices:
        return next(v for v, _ in row.choices if v != getattr(value, "value", value))
    if row.name == "task.speed_min":
        return value / 2
    return row.high if value != row.high else row.low


@pytest.mark.parametrize(("task", "row"), ROWS, ids=IDS)
def test_needs_reset_follows_the_live_column(task, row):
    old = TrainConfig(task=task)
    if row.name == "task":
        new = TrainConfig(task=another_value(task, row))
    else:
        new = with_value(task, row.name, another_value(task, row))
    assert new != old
    assert needs_reset(old, new) == (not row.live)


def test_only_the_optimiser_and_the_temperature_are_live():
    live = {row.name for _, row in ROWS if row.live}
    assert live == {"optim.kind", "optim.lr", "optim.momentum", "optim.clip", "temperature"}


def test_parse_reads_what_the_command_line_and_the_window_send():
    clip = find_setting("optim.clip")
    assert clip.parse("off") is None and clip.parse(" 2.5 ") == 2.5
    assert clip.format(None) == "off" and clip.parse(clip.format(1.25)) == 1.25
    assert find_setting("model.cell").parse("GRU").value == "gru"
    assert find_setting("seed").parse(find_setting("seed").format(2**32 - 1)) == 2**32 - 1
    with pytest.raises(ConfigError, match="seq_len must be a whole number, got '１２'"):
        find_setting("seq_len").parse("１２")


def test_train_help_lists_every_setting_with_its_values(capsys):
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    for _, row in ROWS:
        assert f"  {row.name} " in out
    for row in TRAINING_SETTINGS:
        assert row.describe() in " ".join(out.split())  # wrapped lines joined


@pytest.mark.parametrize("task", list(TaskName))
def test_an_unknown_setting_lists_the_tables_names(capsys, task):
    assert main(["train", "--set", f"task={task.value}", "--set", "colour=red", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown setting 'colour'" in err
    for name in settings_for(task):
        assert name in err


@pytest.mark.parametrize(
    ("hide", "message"),
    [
        (["task.delay"], "hide names 'task.delay', which is not a setting of the ball task"),
        ("optim.lr", "hide must be a list of setting names"),
    ],
)
def test_a_preset_hides_only_settings_its_task_has(tmp_path, monkeypatch, hide, message):
    raw = json.loads(load_preset("moving_ball").path.read_text(encoding="utf-8"))
    path = tmp_path / "99_hiding.json"
    monkeypatch.setattr(presets_module, "_preset_files", lambda: {"99_hiding": path})
    path.write_text(json.dumps({**raw, "hide": ["task.gap", "optim.lr"]}), encoding="utf-8")
    assert load_preset("hiding").hide == ("task.gap", "optim.lr")
    path.write_text(json.dumps({**raw, "hide": hide}), encoding="utf-8")
    with pytest.raises(PresetError, match=message):
        load_preset("hiding")


@pytest.mark.parametrize(("task", "row"), ROWS, ids=IDS)
def test_an_empty_value_is_refused_for_every_setting(task, row):
    """``--set optim.clip=`` is a slip (a value left out), not a way to say "off"; nor is an
    empty value 0, false or the default of any other setting."""
    expected = row.describe()
    for empty in ("", "   ", "\t"):
        with pytest.raises(ConfigError, match=rf"^{re.escape(row.name)} needs a value: ") as info:
            TrainConfig(task=task).with_settings({row.name: empty})
        assert str(info.value).endswith(expected), str(info.value)


def test_an_empty_clip_says_what_it_takes(capsys):
    message = "optim.clip needs a value: a number from 0.01 to 1000, or off"
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        find_setting("optim.clip").parse(" ")
    assert main(["train", "--set", "optim.clip=", "--steps", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
