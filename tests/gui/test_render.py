"""`rnnviz render`: a trained run drawn offscreen to a PNG, for slides and the README."""

import json

from cli_helpers import run_rnnviz
from PySide6.QtCore import qWarning
from PySide6.QtGui import QColor, QImage

import rnnviz.gui.app
from rnnviz.cli import main
from rnnviz.gui.app import offscreen_notices_silenced

NOTICE = "This plugin does not support propagateSizeHints()"


def colours(path) -> int:
    image = QImage(str(path))
    assert not image.isNull()
    return len(
        {
            QColor(image.pixel(x, y)).rgb()
            for y in range(0, image.height(), 9)
            for x in range(0, image.width(), 9)
        }
    )


def test_render_the_window_and_one_view(qtbot, tmp_path, capsys):
    window_png = tmp_path / "window.png"
    assert (
        main(
            [
                "render",
                "--preset",
                "alphabet",
                "--steps",
                "30",
                "--out",
                str(window_png),
                "--size",
                "1400x800",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["iteration"] == 30 and result["panel"] == "window"
    assert QImage(str(window_png)).size().width() == 1400
    assert colours(window_png) > 30
    view_png = tmp_path / "gradient.png"
    assert (
        main(
            [
                "render",
                "--preset",
                "vanishing_gradient",
                "--steps",
                "5",
                "--panel",
                "gradient",
                "--size",
                "600x400",
                "--set",
                "model.cell=rnn_tanh",
                "--set",
                "task.delay=8",
                "--out",
                str(view_png),
            ]
        )
        == 0
    )
    assert QImage(str(view_png)).size().width() == 600 and colours(view_png) > 10


def test_the_format_follows_the_extension_and_the_json_is_strict(qtbot, tmp_path, capsys):
    jpeg = tmp_path / "loss.JPG"
    argv = ["render", "--preset", "alphabet", "--steps", "0", "--panel", "loss"]
    assert main([*argv, "--size", "400x300", "--out", str(jpeg)]) == 0

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    result = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert result["iteration"] == 0 and result["loss"] is None  # no update yet: was NaN
    assert jpeg.read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG, not PNG, data


def test_the_default_lesson_is_drawn_without_a_preset(tmp_path, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(
        rnnviz.gui.app, "render", lambda *args, **_options: calls.append(args) or {}
    )
    assert main(["render", "--out", str(tmp_path / "x.png")]) == 0
    assert calls == [("moving_ball", 3000, str(tmp_path / "x.png"), "window", (1800, 1000), {})]


def test_the_offscreen_notice_is_silenced_and_other_messages_are_not(qtbot, qtlog):
    with offscreen_notices_silenced():
        qWarning(NOTICE)
        qWarning("something else went wrong")
    qWarning(NOTICE)  # the previous handler is back
    assert [r.message for r in qtlog.records] == ["something else went wrong", NOTICE]


def test_render_prints_nothing_but_its_json(tmp_path):
    out = tmp_path / "loss.png"
    argv = ["render", "--preset", "alphabet", "--steps", "0", "--panel", "loss"]
    done = run_rnnviz(*argv, "--size", "400x300", "--out", str(out), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # the offscreen platform said NOTICE 3 or 4 times
    assert json.loads(done.stdout)["out"] == str(out) and out.is_file()
