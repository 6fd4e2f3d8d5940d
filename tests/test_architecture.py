"""The package's layering rules.

- Only ``rnnviz.gui`` may use Qt (PySide6, shiboken6, PyQt) or pyqtgraph: the maths, the tasks,
  the training loop and the command line must import and run without a display stack.
- Imports point down, gui → training → tasks → core: core uses none of tasks, training, gui or
  cli; tasks none of training, gui or cli; training neither gui nor cli.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "rnnviz"

GUI_ONLY = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
RUNTIME_QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")

# For each layer, the rnnviz subpackages it must not import.
FORBIDDEN = {
    "core": ("tasks", "training", "gui", "cli"),
    "tasks": ("training", "gui", "cli"),
    "training": ("gui", "cli"),
}

REQUIRED_IMPORTS = ("rnnviz", "rnnviz.core", "rnnviz.tasks", "rnnviz.training", "rnnviz.cli")


# --- helpers ----------------------------------------------------------------------------------


def module_name(path: Path, package_dir: Path) -> str:
    """Dotted name of a module file: ``rnnviz/core/lstm.py`` → ``rnnviz.core.lstm``."""
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files(package_dir: Path, skip: tuple[str, ...] = ()) -> Iterator[Path]:
    """Every .py file under ``package_dir``, except under the subpackages named in ``skip``."""
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir).parts
        if len(relative) > 1 and relative[0] in skip:
            continue
        yield path


def imported_modules(path: Path, package_dir: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every module an import in ``path`` names.

    ``from a.b import c`` yields both ``a.b`` and ``a.b.c`` (c may be a submodule); relative
    imports are resolved against the file's package. Calls to ``importlib.import_module`` or
    ``__import__`` with a literal name count too.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    this = module_name(path, package_dir)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                if node.level > 1:
                    anchor = anchor[: -(node.level - 1)]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            yield node.lineno, base
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if (
                name in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield node.lineno, node.args[0].value


def names_any(module: str, roots: tuple[str, ...]) -> bool:
    return any(module == root or module.startswith(root + ".") for root in roots)


def gui_import_violations(package_dir: Path) -> list[str]:
    found = []
    for path in python_files(package_dir, skip=("gui",)):
        for line, module in imported_modules(path, package_dir):
            if names_any(module, GUI_ONLY):
                found.append(f"{path.relative_to(package_dir.parent)}:{line} imports {module}")
    return sorted(set(found))


def layering_violations(package_dir: Path) -> list[str]:
    found = []
    top = package_dir.name
    for layer, forbidden in FORBIDDEN.items():
        layer_dir = package_dir / layer
        if not layer_dir.is_dir():
            continue
        banned = tuple(f"{top}.{name}" for name in forbidden)
        for path in python_files(layer_dir):
            for line, module in imported_modules(path, package_dir):
                if names_any(module, banned):
                    where = path.relative_to(package_dir.parent)
                    found.append(f"{where}:{line} ({layer}) imports {module}")
    return sorted(set(found))


# --- the rules, on the real package -----------------------------------------------------------


def test_fresh_interpreter_imports_no_qt():
    """Importing everything outside rnnviz.gui in a new interpreter loads no Qt and no pyqtgraph."""
    modules = list(REQUIRED_IMPORTS)
    for path in python_files(PACKAGE, skip=("gui",)):
        name = module_name(path, PACKAGE)
        if name not in modules:
            modules.append(name)
    script = (
        "import importlib, json, sys\n"
        f"names = {modules!r}\n"
        "files = {n: getattr(importlib.import_module(n), '__file__', None) for n in names}\n"
        f"qt = sorted({{m.split('.')[0] for m in sys.modules}} & set({RUNTIME_QT_MODULES!r}))\n"
        "print(json.dumps({'qt': qt, 'rnnviz': files['rnnviz']}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"importing {modules} failed:\n{done.stderr}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(report["rnnviz"]).resolve().is_relative_to(PACKAGE), report
    assert report["qt"] == [], f"importing {modules} loaded {report['qt']}"


def test_no_gui_imports_outside_gui():
    files = list(python_files(PACKAGE, skip=("gui",)))
    assert len(files) >= 5, f"found only {files}: is PACKAGE right?"
    assert gui_import_violations(PACKAGE) == []


def test_imports_point_down():
    assert layering_violations(PACKAGE) == []


@pytest.mark.parametrize("subpackage", ["tasks", "training", "gui"])
def test_subpackage_has_docstring(subpackage):
    init = PACKAGE / subpackage / "__init__.py"
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


# --- the checkers themselves catch what they must ---------------------------------------------


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def bad_package(tmp_path: Path) -> Path:
    pkg = tmp_path / "rnnviz"
    for init in ("", "core/", "tasks/", "training/", "gui/"):
        _write(pkg, f"{init}__init__.py", '"""x."""\n')
    _write(pkg, "gui/window.py", "from PySide6 import QtWidgets\nimport pyqtgraph\n")
    _write(pkg, "core/ok.py", "import numpy as np\nfrom . import ok\nfrom rnnviz.core import ok\n")
    _write(pkg, "core/plot.py", "import numpy\nif True:\n    import pyqtgraph as pg\n")
    _write(pkg, "core/up.py", "from ..training import loop\n")
    _write(pkg, "core/up2.py", "from rnnviz import gui\n")
    _write(pkg, "tasks/lazy.py", "def f():\n    from PySide6.QtCore import QObject\n")
    _write(pkg, "tasks/dyn.py", "import importlib\nimportlib.import_module('shiboken6')\n")
    _write(pkg, "training/up.py", "import rnnviz.gui.window\n")
    _write(pkg, "training/sub/deep.py", "from ...cli import main\n")
    _write(pkg, "cli.py", "from PyQt6 import QtCore\n")
    return pkg


def test_gui_checker_catches_qt_outside_gui(bad_package: Path):
    assert gui_import_violations(bad_package) == [
        "rnnviz/cli.py:1 imports PyQt6",
        "rnnviz/cli.py:1 imports PyQt6.QtCore",
        "rnnviz/core/plot.py:3 imports pyqtgraph",
        "rnnviz/tasks/dyn.py:2 imports shiboken6",
        "rnnviz/tasks/lazy.py:2 imports PySide6.QtCore",
        "rnnviz/tasks/lazy.py:2 imports PySide6.QtCore.QObject",
    ]


def test_layering_checker_catches_upward_imports(bad_package: Path):
    assert layering_violations(bad_package) == [
        "rnnviz/core/up.py:1 (core) imports rnnviz.training",
        "rnnviz/core/up.py:1 (core) imports rnnviz.training.loop",
        "rnnviz/core/up2.py:1 (core) imports rnnviz.gui",
        "rnnviz/training/sub/deep.py:1 (training) imports rnnviz.cli",
        "rnnviz/training/sub/deep.py:1 (training) imports rnnviz.cli.main",
        "rnnviz/training/up.py:1 (training) imports rnnviz.gui.window",
    ]
