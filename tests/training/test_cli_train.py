"""`rnnviz presets` and `rnnviz train`: one JSON line on stdout, one-line errors with exit 2."""

import json

import pytest

from rnnviz.cli import main


def test_presets_lists_every_lesson(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for name in ("moving_ball", "text_messaging", "alphabet", "vanishing_gradient"):
        assert name in out
    assert "the cat is small" in out
    assert "moving_ball            Sequence data: where is the ball going? (3000 updates)" in out


def test_train_prints_one_json_line_and_saves_a_session(capsys, tmp_path):
    out_file = tmp_path / "alpha.rnnviz"
    assert main(["train", "--preset", "alphabet", "--steps", "300", "--out", str(out_file)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["iterations"] == 300 and result["goal_reached"] is True
    assert result["evaluation"]["from_F_correct"] == 20
    assert out_file.is_file() and result["out"] == str(out_file)
    assert "300/300" in captured.err  # the progress bar
    # continue the saved session
    assert main(["train", "--open", str(out_file), "--steps", "5", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["iterations"] == 305


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--preset", "nope"], "unknown preset 'nope'"),
        (["train", "--preset", "alphabet", "--set", "model.hidden_size=big"], "whole number"),
        (["train", "--preset", "alphabet", "--set", "colour=red"], "unknown setting"),
        (["train", "--preset", "alphabet", "--set", "novalue"], "KEY=VALUE"),
        (["train", "--open", "/nonexistent/x.rnnviz"], "does not exist"),
        (["train", "--preset", "alphabet", "--steps", "-1"], "--steps: takes 0 to 10,000,000"),
        (
            [
                "train",
                "--preset",
                "text_messaging",
                "--set",
                "task.corpus=file",
                "--set",
                "task.path=/nonexistent/story.txt",
            ],
            "no file at /nonexistent/story.txt",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_a_session_and_a_preset_are_not_both_taken(capsys):
    # the session has its own lesson: a --preset beside it would be silently ignored
    assert main(["train", "--preset", "alphabet", "--open", "x.rnnviz"]) == 2
    assert "argument --open: not allowed with argument --preset" in capsys.readouterr().err


def test_an_unreadable_session_file_is_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.rnnviz"
    bad.write_bytes(b"\x00\x01 not a zip")
    assert main(["train", "--open", str(bad)]) == 2
    assert "not a readable rnnviz session" in capsys.readouterr().err


def strict_json(text: str) -> dict:
    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_zero_steps_only_evaluates_and_the_loss_is_null(capsys):
    assert main(["train", "--preset", "alphabet", "--steps", "0", "--quiet"]) == 0
    result = strict_json(capsys.readouterr().out)
    assert result["iterations"] == 0
    assert result["train_loss"] is None  # no update made, no training loss (it was NaN)
    assert result["evaluation"]["loss"] > 0


def test_without_a_preset_train_trains_the_lesson_the_window_opens_on(capsys):
    assert main(["train", "--steps", "2", "--quiet"]) == 0
    result = strict_json(capsys.readouterr().out)
    assert result["preset"] == "moving_ball" and result["iterations"] == 2
    assert "direction_accuracy" in result["evaluation"] and "goal" in result


@pytest.mark.parametrize(
    ("argv", "own"),
    [
        (["--preset", "alphabet"], "for the alphabet task: task.start"),
        (["--preset", "alphabet", "--set", "task=recall"], "for the recall task: task.delay"),
    ],
)
def test_an_unknown_setting_lists_what_can_be_set(capsys, argv, own):
    assert main(["train", *argv, "--set", "colour=red", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("rnnviz: unknown setting 'colour'; you can set model.cell, ")
    assert "optim.lr" in err and "batch_size" in err and own in err
    for internal in ("task_params", " model,", " optim,"):
        assert internal not in err


def test_an_unknown_setting_after_open_lists_what_can_be_set(capsys, tmp_path):
    session = tmp_path / "alpha.rnnviz"
    argv = ["train", "--preset", "alphabet", "--steps", "1", "--quiet", "--out", str(session)]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["train", "--open", str(session), "--set", "model.colour=red", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unknown setting 'model.colour'; you can set model.cell" in err
