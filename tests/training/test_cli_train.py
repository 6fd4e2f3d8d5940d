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


def test_an_unreadable_session_file_is_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.rnnviz"
    bad.write_bytes(b"\x00\x01 not a zip")
    assert main(["train", "--open", str(bad)]) == 2
    assert "not a readable rnnviz session" in capsys.readouterr().err
