"""``rnnviz sweep``: one JSON line, the plot with --out, every bad input in one line with status 2,
and Ctrl+C or SIGTERM ending the command and its worker processes."""

from __future__ import annotations

import json
import math
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import refused_in_one_line, rnnviz_command

from rnnviz import cli
from rnnviz.cli.sweep_command import SWEEP_PICTURE_SIZE
from rnnviz.training.sweep import MAX_SWEEP_STEPS

#: A sweep of a few updates: the command's path end to end in about a second.
QUICK = ["sweep", "--cells", "rnn,GRU", "--delays", "3,2", "--steps", "2", "--quiet"]


def test_sweep_prints_one_json_line(capsys):
    assert cli.main(QUICK) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1 and captured.err == ""
    result = json.loads(lines[0])
    assert result["delays"] == [3, 2]
    assert list(result["accuracy"]) == ["rnn", "gru"]  # as typed ("rnn" stays "rnn")
    assert all(
        len(row) == 2 and all(0 <= a <= 1 for a in row) for row in result["accuracy"].values()
    )
    assert result["chance"] == pytest.approx(1 / 16)
    assert result["steps"] == 2 and result["seed"] == 0
    assert math.isfinite(result["seconds"]) and result["seconds"] >= 0


def test_sweep_shows_progress_on_stderr(capsys):
    assert cli.main([a for a in QUICK if a != "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.endswith("\n") and "4/4" in err and "rnnviz:" not in err


def test_the_seed_is_used(capsys):
    results = []
    for seed in ("0", "1", "1"):
        assert cli.main([*QUICK, "--steps", "5", "--seed", seed]) == 0
        results.append(json.loads(capsys.readouterr().out)["accuracy"])
    assert results[1] == results[2] != results[0]


def test_out_writes_the_plot(tmp_path, capsys):
    from PySide6.QtGui import QImage

    out = tmp_path / "sweep.png"
    assert cli.main([*QUICK, "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["out"] == str(out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == SWEEP_PICTURE_SIZE


def test_out_writes_an_svg(tmp_path, capsys):
    out = tmp_path / "sweep.svg"
    assert cli.main([*QUICK, "--out", str(out)]) == 0
    assert capsys.readouterr().err == ""
    svg = out.read_text(encoding="utf-8")
    width, height = SWEEP_PICTURE_SIZE
    assert f'<svg width="{width}" height="{height}"' in svg and "LSTM" not in svg
    assert "GRU" in svg and "chance 1/16" in svg


@pytest.mark.parametrize(
    "extra",
    [
        ["--cells", ""],
        ["--cells", "rnn,rnn_tanh"],
        ["--cells", "cnn"],
        ["--cells", "rnn,lstm,gru,rnn_relu,rnn"],
        ["--delays", ""],
        ["--delays", "0"],
        ["--delays", "5,5"],
        ["--delays", "five"],
        ["--delays", "1001"],
        ["--delays", ",".join(str(d) for d in range(1, 14))],
        ["--steps", "-1"],
        ["--steps", "x"],
        ["--steps", str(MAX_SWEEP_STEPS + 1)],
        ["--seed", "-1"],
        ["--seed", "x"],
        ["--seed", str(2**32)],
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, extra):
    refused_in_one_line(capsys, ["sweep", "--steps", "1", *extra])


@pytest.mark.parametrize("name", [".", "sweep.txt", "no/such/folder/sweep.png"])
def test_a_bad_out_is_refused_before_training(capsys, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    refused_in_one_line(capsys, ["sweep", "--steps", "100000", "--out", name])
    assert time.perf_counter() - start < 30  # not a hundred thousand updates first
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- signals


def _children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("signum", "word"), [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "terminated")]
)
def test_a_signal_ends_the_sweep_and_its_workers(signum, word):
    argv = rnnviz_command("sweep", "--cells", "lstm,gru", "--delays", "40", "--steps", "100000")
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:  # both workers started
        select.select([], [], [], 0.05)
        workers = _children(process.pid)
    assert len(workers) == 2, "the workers did not start"
    process.send_signal(signum)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signum and out == b""
    text = err.decode()
    assert "Traceback" not in text
    messages = [line for line in text.replace("\r", "\n").splitlines() if "rnnviz:" in line]
    assert messages == [f"rnnviz: {word}"]
    # ended by the command; one a signal caught as it started ends on its own, its parent gone
    deadline = time.monotonic() + 10
    while [pid for pid in workers if _alive(pid)] and time.monotonic() < deadline:
        select.select([], [], [], 0.05)
    assert not [pid for pid in workers if _alive(pid)]
