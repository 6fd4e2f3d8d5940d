"""File → Export view / all views / training GIF (``rnnviz.gui.window_export``)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog


@pytest.fixture
def save_to(monkeypatch):
    """Make the save dialog answer with the path set in the returned list."""
    answer = [""]
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (answer[0], ""))
    )
    return answer


def _errors(window, monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(window, "show_error", said.append)
    return said


def _not_blank(image: QImage) -> bool:
    small = image.scaled(64, 64)
    return len({small.pixel(x, y) for x in range(64) for y in range(64)}) > 4


def test_export_view_png(window, save_to, tmp_path, monkeypatch):
    said = _errors(window, monkeypatch)
    save_to[0] = str(tmp_path / "view.png")
    window.export_view_action.trigger()
    image = QImage(save_to[0])
    assert not said and not image.isNull() and image.width() > 0
    assert _not_blank(image)
    assert [p.name for p in tmp_path.iterdir()] == ["view.png"]  # no temporary file left


def test_export_view_svg_and_default_extension(window, save_to, tmp_path, monkeypatch):
    said = _errors(window, monkeypatch)
    save_to[0] = str(tmp_path / "view.svg")
    window.export_view_action.trigger()
    assert ET.parse(save_to[0]).getroot().tag.endswith("svg")
    save_to[0] = str(tmp_path / "noext")
    window.export_view_action.trigger()
    assert not said and not QImage(str(tmp_path / "noext.png")).isNull()


def test_export_all_views(window, save_to, tmp_path, monkeypatch):
    said = _errors(window, monkeypatch)
    save_to[0] = str(tmp_path / "all.png")
    window.export_all_action.trigger()
    image = QImage(save_to[0])
    assert not said and _not_blank(image)
    assert image.width() > QImage(window.panel_area.grab().toImage()).width()


def test_bad_paths_are_one_message_and_no_file(window, save_to, tmp_path, monkeypatch):
    said = _errors(window, monkeypatch)
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.png"
    folder.mkdir()
    bad = [fifo, folder, tmp_path / "x.doc", tmp_path / "missing" / "x.png"]
    for path in bad:
        save_to[0] = str(path)
        window.export_view_action.trigger()
    assert len(said) == len(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.png", "pipe.png"]
    assert not any(folder.iterdir())


def test_nothing_is_grabbed_while_training_until_recording_is_asked_for(window, qtbot):
    recorder = window.window_export.recorder
    grabbed = []
    recorder.timer.setInterval(20)
    recorder.timer.timeout.connect(lambda: grabbed.append(len(recorder.frames)))
    window.start("moving_ball", play=True)
    qtbot.waitUntil(lambda: window.redraw._newest is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.redraw._newest.iteration >= 30, timeout=20_000)
    # not one tick of the grabbing timer while nobody asked for a recording
    assert not recorder.recording and grabbed == [] and recorder.frames == []
    assert not window.record_gif_action.isChecked()
    window.record_gif_action.trigger()
    assert recorder.recording
    qtbot.waitUntil(lambda: len(recorder.frames) >= 2, timeout=20_000)
    window.record_gif_action.trigger()  # off: the frames are kept for the export
    assert not recorder.recording and len(recorder.frames) >= 2


def test_gif_needs_recording_then_has_frames(window, qtbot, save_to, tmp_path, monkeypatch):
    said = _errors(window, monkeypatch)
    save_to[0] = str(tmp_path / "t.gif")
    window.export_gif_action.trigger()
    assert len(said) == 1 and "Record training GIF" in said[0]
    assert not (tmp_path / "t.gif").exists()
    recorder = window.window_export.recorder
    recorder.timer.setInterval(50)
    window.record_gif_action.trigger()
    window.start("moving_ball", play=True)
    qtbot.waitUntil(lambda: len(recorder.frames) >= 3, timeout=20_000)
    window.controller.pause()
    window.export_gif_action.trigger()
    assert len(said) == 1
    with Image.open(save_to[0]) as gif:
        assert gif.format == "GIF" and gif.n_frames > 1 and gif.width <= 800
