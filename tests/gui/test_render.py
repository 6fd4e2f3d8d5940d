"""`rnnviz render`: a trained run drawn offscreen to a PNG, for slides and the README."""

import json

import pytest
from PySide6.QtGui import QColor, QImage

from rnnviz.cli import main


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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--panel", "piechart"], "unknown panel 'piechart'"),
        (["--size", "big"], "WIDTHxHEIGHT"),
        (["--set", "model.cell=transformer"], "model.cell must be one of"),
    ],
)
def test_render_refuses_bad_arguments_in_one_line(tmp_path, capsys, argv, message):
    out = tmp_path / "x.png"
    assert main(["render", "--preset", "alphabet", "--steps", "1", "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert not out.exists()
