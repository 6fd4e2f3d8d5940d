"""The wheel: it builds, installs away from the repository, and finds its resources there."""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _build_wheel(out: Path) -> Path:
    """Build the repository's wheel into ``out``: with the installed hatchling when there is
    one (no isolation, no download), else with ``python -m build`` in an isolated environment."""
    if importlib.util.find_spec("hatchling") is not None:
        command = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ]
    elif importlib.util.find_spec("build") is not None:
        command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)]
    else:
        pytest.skip("neither hatchling nor build is installed (pip install -e '.[test]')")
    done = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    wheels = list(out.glob("rnnviz-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("install") / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return target


def test_wheel_holds_every_module_and_the_resources(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(REPO).as_posix() for p in (REPO / "rnnviz").rglob("*.py")}
    assert sources - names == set(), "modules missing from the wheel"
    resources = {
        "rnnviz/" + p.relative_to(REPO).as_posix()
        for p in (REPO / "resources").rglob("*")
        if p.is_file()
    }
    assert "rnnviz/resources/corpora/classroom.txt" in resources
    assert resources - names == set(), "resources missing from the wheel"
    assert not [n for n in names if n.startswith(("tests/", "resources/", "benchmarks/"))]


def test_wheel_declares_the_console_script(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(
            n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")
        )
        text = archive.read(entry_points).decode("utf-8")
    parser = configparser.ConfigParser()
    parser.read_string(text)
    assert parser["console_scripts"]["rnnviz"].strip() == "rnnviz.launch:main"


CHILD = """
import json, sys
site, repo = sys.argv[1], sys.argv[2]
sys.path[:] = [site] + [p for p in sys.path if p not in ("", ".", repo)]
import rnnviz, rnnviz.resources, rnnviz.cli
from rnnviz.resources import resource_path
corpus = resource_path("corpora", "classroom.txt")
print(json.dumps({
    "rnnviz": rnnviz.__file__,
    "resources_module": rnnviz.resources.__file__,
    "corpus": str(corpus),
    "corpus_text": corpus.read_text(encoding="utf-8"),
    "icon": str(resource_path("icons", "rnnviz.svg")),
    "loaded_from_repo": sorted(
        m.__name__ for m in list(sys.modules.values())
        if (getattr(m, "__file__", None) or "").startswith(repo + "/")
    ),
}))
"""


@pytest.fixture(scope="module")
def installed_report(site: Path) -> dict:
    # -I: no PYTHONPATH, no user site, no current directory; the child also drops the
    # repository from sys.path (an editable install's .pth file puts it there).
    done = subprocess.run(
        [sys.executable, "-I", "-c", CHILD, str(site), str(REPO)],
        cwd=site.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_installed_package_is_imported_from_the_install(installed_report: dict, site: Path):
    assert Path(installed_report["rnnviz"]) == site / "rnnviz" / "__init__.py"
    # the module, not the resources/ folder beside it in the wheel
    assert Path(installed_report["resources_module"]) == site / "rnnviz" / "resources.py"
    assert installed_report["loaded_from_repo"] == []


def test_installed_package_finds_its_resources(installed_report: dict, site: Path):
    shipped = site / "rnnviz" / "resources"
    assert Path(installed_report["corpus"]) == shipped / "corpora" / "classroom.txt"
    assert Path(installed_report["icon"]) == shipped / "icons" / "rnnviz.svg"
    expected = (REPO / "resources" / "corpora" / "classroom.txt").read_text(encoding="utf-8")
    assert installed_report["corpus_text"] == expected


def test_installed_console_script_runs(site: Path):
    script = site / "bin" / "rnnviz"
    assert script.is_file(), sorted(p.name for p in site.iterdir())
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [str(script), "info"],
        cwd=site.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert Path(info["resource_dir"]) == site / "rnnviz" / "resources"
