"""Finding shipped resources, and the resources themselves."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import rnnviz
import rnnviz.resources as res
from rnnviz.resources import corpora_dir, presets_dir, resource_path, resources_root

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_layout(tmp_path: Path, monkeypatch):
    """rnnviz.resources looking at a fake install (tmp/site) and a fake checkout (tmp/checkout)."""
    installed = tmp_path / "site" / "rnnviz"
    checkout = tmp_path / "checkout"
    (installed).mkdir(parents=True)
    (checkout / "rnnviz").mkdir(parents=True)
    monkeypatch.setattr(res.importlib.resources, "files", lambda package: installed)
    monkeypatch.setattr(res, "__file__", str(checkout / "rnnviz" / "resources.py"))
    return installed / "resources", checkout / "resources"


def test_installed_resources_come_first(fake_layout):
    installed, checkout = fake_layout
    (installed / "corpora").mkdir(parents=True)
    (checkout / "corpora").mkdir(parents=True)
    assert resources_root() == installed
    assert corpora_dir() == installed / "corpora"


def test_source_checkout_is_the_fallback(fake_layout):
    _, checkout = fake_layout
    (checkout / "presets").mkdir(parents=True)
    assert resources_root() == checkout
    assert presets_dir() == checkout / "presets"


def test_missing_resource_folder_is_a_clear_error(fake_layout):
    installed, checkout = fake_layout
    with pytest.raises(FileNotFoundError, match="resource folder was not found") as error:
        resource_path("corpora", "classroom.txt")
    assert str(installed) in str(error.value)
    assert str(checkout) in str(error.value)


def test_missing_resource_is_a_clear_error(fake_layout):
    installed, _ = fake_layout
    installed.mkdir()
    with pytest.raises(FileNotFoundError, match=r"'presets' not found in"):
        presets_dir()
    with pytest.raises(FileNotFoundError, match=r"'corpora/nope\.txt' not found in"):
        resource_path("corpora", "nope.txt")


@pytest.mark.parametrize(
    "parts", [("..", "pyproject.toml"), ("corpora", "..", "..", "x"), ("/etc", "passwd")]
)
def test_paths_must_stay_inside(parts):
    with pytest.raises(ValueError, match="must be relative"):
        resource_path(*parts)


def test_this_checkout_or_install_has_its_resources():
    root = resources_root()
    beside_package = Path(rnnviz.__file__).parent / "resources"
    assert root == (beside_package if beside_package.is_dir() else REPO / "resources")
    assert resource_path() == root
    assert resource_path("corpora", "classroom.txt").is_file()
    assert resource_path("icons", "rnnviz.svg").is_file()


def test_classroom_corpus():
    raw = resource_path("corpora", "classroom.txt").read_bytes()
    assert 3_000 <= len(raw) <= 5_000
    text = raw.decode("ascii")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert all(re.fullmatch(r"[a-z]+( [a-z]+)*", line) for line in lines), "lower case words"
    assert len(set(lines)) == len(lines), "no sentence twice"
    for sentence in ("the cat is small", "the dog is big", "we walk home after school"):
        assert sentence in lines
    vocabulary = {word for line in lines for word in line.split()}
    assert 100 <= len(vocabulary) <= 300, "varied, from a small vocabulary"


def test_icon_is_three_boxes_with_arrows():
    root = ET.parse(resource_path("icons", "rnnviz.svg")).getroot()
    svg = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{svg}svg"
    boxes = [r for r in root.iter(f"{svg}rect") if r.get("rx") and r.get("width") != "128"]
    assert len(boxes) == 3
    assert len(list(root.iter(f"{svg}path"))) >= 2  # arrow heads
