"""`rnnviz render --panel diagram|equations`, and any panel to an SVG file."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from gui_helpers import settle, shown
from PySide6.QtCore import QByteArray, QPoint, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from test_view_help import snapshot_of

from rnnviz.cli import main
from rnnviz.gui.diagram import DiagramView
from rnnviz.gui.picture_files import svg_bytes

SVG = "{http://www.w3.org/2000/svg}"


def render(capsys, out, panel: str, size: str = "640x400", preset: str = "alphabet") -> dict:
    argv = ["render", "--preset", preset, "--steps", "2", "--panel", panel, "--size", size]
    assert main([*argv, "--out", str(out)]) == 0
    return json.loads(capsys.readouterr().out)


def colours(image: QImage) -> int:
    return len(
        {
            QColor(image.pixel(x, y)).rgb()
            for y in range(0, image.height(), 5)
            for x in range(0, image.width(), 5)
        }
    )


@pytest.mark.parametrize("panel", ["diagram", "equations"])
def test_the_diagram_and_the_equations_are_drawn_alone(qtbot, tmp_path, capsys, panel):
    out = tmp_path / f"{panel}.png"
    result = render(capsys, out, panel)
    assert result["panel"] == panel and result["iteration"] == 2
    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 400)
    assert colours(image) > 10  # boxes and strips, or text and numbers: not a blank page


def svg_of(path):
    root = ET.parse(path).getroot()  # well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


@pytest.mark.parametrize(
    ("panel", "drawn"),
    [
        ("hidden", {"image", "path", "text"}),  # the heat map is embedded as an image
        ("loss", {"path", "text"}),  # curves and axes as vectors
        ("equations", {"text"}),
        ("diagram", {"image", "path"}),
    ],
)
def test_any_panel_to_svg(qtbot, tmp_path, capsys, panel, drawn):
    out = tmp_path / f"{panel}.svg"
    result = render(capsys, out, panel, size="720x480")
    assert result["out"] == str(out) and result["size"] == [720, 480]
    root = svg_of(out)
    assert (root.get("width"), root.get("height")) == ("720", "480")  # the panel's size
    assert root.get("viewBox").split()[:2] == ["0", "0"]
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert drawn <= tags, tags
    words = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    if panel == "equations":
        assert "tanh" in words  # the equations are text in the picture, not pixels


def test_svg_is_among_the_formats_checked_before_training(capsys):
    assert main(["render", "--out", "picture.xyz"]) == 2
    assert ".png" in capsys.readouterr().err.split("use one of")[1].split(",")[0]
    assert main(["render", "--out", "picture.xyz"]) == 2
    assert ".svg" in capsys.readouterr().err


def test_render_help_lists_the_new_panels_and_svg(capsys):
    assert main(["render", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "diagram (the network unrolled" in text and "equations (the cell's" in text
    assert ".svg" in text


def strip_colours(image: QImage, view) -> np.ndarray:
    """The mean colour of each box's hidden-state strip in ``image`` (of ``view``), (boxes, 3)."""
    offset = view.canvas.mapTo(view, QPoint(0, 0))
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.width(), 4)
    means = []
    for box in view.diagram().parts.boxes:
        r = box.h_strip
        x, y = int(r.x + offset.x()) + 2, int(r.y + offset.y()) + 2  # inside its edges
        means.append(pixels[y : y + int(r.h) - 4, x : x + int(r.w) - 4, :3].mean(axis=(0, 1)))
    return np.array(means) / 255.0


def test_the_diagrams_svg_shows_what_the_screen_shows(qtbot):
    view = shown(qtbot, DiagramView, snapshot_of("rnn_tanh"), size=(900, 500))
    view.set_cursor(12)
    settle()
    on_screen = view.grab().toImage()
    renderer = QSvgRenderer(QByteArray(svg_bytes(view, QSize(900, 500))))
    in_svg = QImage(900, 500, QImage.Format.Format_RGB32)
    in_svg.fill(Qt.GlobalColor.white)
    painter = QPainter(in_svg)
    renderer.render(painter)
    painter.end()
    # each box its own step's strip (an SVG painter ignores drawImage's source rectangle)
    screen, svg = strip_colours(on_screen, view), strip_colours(in_svg, view)
    assert len(screen) >= 5 and np.ptp(screen, axis=0).max() > 0.05  # the steps differ
    assert np.abs(screen - svg).max() < 0.03
