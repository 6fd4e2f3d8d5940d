"""The ``rnnviz`` command line."""

from __future__ import annotations

import json
import platform
import tomllib
from pathlib import Path

import numpy as np
from cli_helpers import refused_in_one_line, run_rnnviz

import rnnviz
from rnnviz import cli
from rnnviz.cli.arguments import build_parser
from rnnviz.cli.messages import print_json
from rnnviz.resources import resources_root
from rnnviz.training.settings import Cell

REPO = Path(__file__).resolve().parents[1]


def test_version_matches_pyproject():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert rnnviz.__version__ == pyproject["project"]["version"]


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"rnnviz {rnnviz.__version__}\n"


def test_python_dash_m():
    done = run_rnnviz("--version", cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"rnnviz {rnnviz.__version__}\n"


def test_info_prints_one_json_object(capsys):
    assert cli.main(["info"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info == {
        "rnnviz": rnnviz.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "resource_dir": str(resources_root()),
        "presets": info["presets"],
    }
    assert Path(info["resource_dir"], "corpora", "classroom.txt").is_file()
    presets = Path(info["resource_dir"], "presets")
    expected = sorted(p.name for p in presets.iterdir() if p.is_file()) if presets.is_dir() else []
    assert info["presets"] == expected


def test_info_lists_presets(capsys, monkeypatch, tmp_path: Path):
    (tmp_path / "presets").mkdir()
    for name in ("lstm-counting.json", "gru-classroom.json"):
        (tmp_path / "presets" / name).write_text("{}", encoding="utf-8")
    monkeypatch.setattr(cli, "presets_dir", lambda: tmp_path / "presets")
    assert cli.main(["info"]) == 0
    assert json.loads(capsys.readouterr().out)["presets"] == [
        "gru-classroom.json",
        "lstm-counting.json",
    ]


def test_window_with_an_unknown_preset_is_one_line_and_exit_2(capsys):
    message = refused_in_one_line(capsys, ["--preset", "no-such-lesson"])
    assert "unknown preset 'no-such-lesson'" in message


def test_benchmark_needs_positive_seconds(capsys):
    assert "--benchmark" in refused_in_one_line(capsys, ["--benchmark", "0"])


def test_no_command_goes_to_launch_window(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "_launch_window", lambda args: calls.append(args) or 0)
    assert cli.main([]) == 0
    assert len(calls) == 1
    assert calls[0].command is None


def test_unknown_argument_is_a_usage_error(capsys):
    message = refused_in_one_line(capsys, ["--no-such-option"])
    assert "unrecognized arguments: --no-such-option" in message


def test_unknown_command_is_a_usage_error(capsys):
    assert "invalid choice: 'train-everything'" in refused_in_one_line(capsys, ["train-everything"])


def test_help(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: rnnviz")
    assert "info" in out


def _option_actions(parser):
    """Every option of ``parser`` and of its commands, as (command, action)."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for sub_action in sub._actions:
                    yield name, sub_action
        elif action.option_strings:
            yield "rnnviz", action


def test_every_option_has_a_help_text_and_a_readable_metavar():
    actions = list(_option_actions(build_parser()))
    assert {command for command, _ in actions} >= {"rnnviz", "train", "render"}
    for command, action in actions:
        assert action.help, f"{command} {action.option_strings} has no help text"
        # argparse's own metavar for --preset would be WINDOW_PRESET, for --out OUT
        assert action.metavar is None or action.metavar.upper() != action.dest.upper()
        if action.option_strings and action.nargs != 0 and action.metavar is None:
            raise AssertionError(f"{command} {action.option_strings} has no metavar")


def test_help_shows_the_defaults(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--preset NAME" in out and "WINDOW_PRESET" not in out
    assert "default: moving_ball" in out
    assert cli.main(["render", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    assert "--steps N updates to train before drawing" in out
    assert "default: the lesson's own number, listed by `rnnviz presets`" in out
    assert "default: moving_ball" in out and "default: window" in out
    assert "from 200x150 to 8192x8192 (default: 1800x1000)" in out
    assert "its extension picks the format: .png, .jpg" in out


def test_the_window_opens_on_the_default_lesson(monkeypatch):
    import rnnviz.gui.app

    calls = []
    monkeypatch.setattr(rnnviz.gui.app, "run_window", lambda *args: calls.append(args) or 0)
    assert cli.main([]) == 0
    assert cli.main(["--preset", "alphabet", "--autostart"]) == 0
    assert cli.main(["--present"]) == 0
    assert cli.main(["--preset", "vanishing_gradient", "--compare", "rnn,lstm,gru"]) == 0
    cells = (Cell.RNN_TANH, Cell.LSTM, Cell.GRU)  # rnn means the tanh RNN
    assert calls == [
        (cli.DEFAULT_PRESET, False, False, None),
        ("alphabet", True, False, None),
        (cli.DEFAULT_PRESET, False, True, None),  # in presentation mode
        ("vanishing_gradient", False, False, cells),  # in compare mode
    ]
    assert cli.DEFAULT_PRESET == "moving_ball"


def test_json_output_is_strict(capsys):
    print_json({"loss": float("nan"), "curve": [1.5, float("inf")], "x": {"y": -float("inf")}})
    out = capsys.readouterr().out

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    assert json.loads(out, parse_constant=refuse) == {
        "loss": None,
        "curve": [1.5, None],
        "x": {"y": None},
    }
