"""``rnnviz render --panel diagram --animate --out F.gif``: one forward + BPTT pass as a GIF."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import rnnviz.gui.app
from rnnviz.cli import main
from rnnviz.gui.animation_gif import MAX_FRAMES, MAX_PIXELS, frame_plan

SHORT = ["--set", "model.cell=rnn_tanh", "--set", "task.delay=6", "--set", "seq_len=8"]


def test_animate_writes_a_gif_with_frames_each_way_that_differ(qtbot, tmp_path, capsys):
    gif = tmp_path / "bptt.gif"
    argv = ["render", "--preset", "vanishing_gradient", "--steps", "2", "--panel", "diagram"]
    assert main([*argv, "--animate", *SHORT, "--size", "640x360", "--out", str(gif)]) == 0
    result = json.loads(capsys.readouterr().out)
    T = result["steps"]
    assert result["animate"] and result["frames"] >= 2 * T and result["iteration"] == 2
    with Image.open(gif) as image:
        assert image.format == "GIF" and image.size == (640, 360)
        assert image.n_frames >= 2 * T
        frames = []
        for i in (0, image.n_frames // 2, image.n_frames - 1):
            image.seek(i)
            frames.append(np.asarray(image.convert("RGB")))
    assert not np.array_equal(frames[0], frames[1]) and not np.array_equal(frames[1], frames[2])


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--panel", "gradient", "--out", "x.gif"], "--animate draws the diagram panel"),
        (["--out", "x.gif"], "--animate draws the diagram panel"),
        (["--panel", "diagram", "--out", "x.png"], "name a .gif file"),
    ],
)
def test_animate_with_another_panel_or_file_is_refused_before_training(
    tmp_path, capsys, monkeypatch, extra, says
):
    monkeypatch.setattr(rnnviz.gui.app, "render", lambda *a, **k: pytest.fail("it trained"))
    monkeypatch.chdir(tmp_path)
    assert main(["render", "--preset", "vanishing_gradient", "--animate", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnviz: ") and says in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_the_frames_are_bounded_and_one_per_step_each_way_where_they_fit():
    positions, per_frame = frame_plan(42, (1280, 720))
    assert 2 * 42 <= len(positions) <= MAX_FRAMES and per_frame <= 1
    assert positions == sorted(positions) and positions[-1] == 2 * 42
    # a long sequence at a large size: fewer frames, a few steps each, within the bounds
    positions, per_frame = frame_plan(600, (1800, 1000))
    assert len(positions) * 1800 * 1000 <= MAX_PIXELS and len(positions) <= MAX_FRAMES
    assert per_frame > 1 and positions[-1] == 2 * 600
    positions, _ = frame_plan(5, (8192, 8192))
    assert 2 <= len(positions) and len(positions) * 8192 * 8192 <= MAX_PIXELS
