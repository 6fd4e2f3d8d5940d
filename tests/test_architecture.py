"""The package's layering rules.

- Only ``rnnviz.gui`` may use Qt (PySide6, shiboken6, PyQt) or pyqtgraph: the maths, the tasks,
  the training loop and the command line must import and run without a display stack.
- Imports point down, gui → training → tasks → core: core uses none of tasks, training, gui or
  cli; tasks none of training, gui or cli; training neither gui nor cli. The gui reads what it
  shows from the snapshot and the training layer, never from a task module, and never imports
  the command line.
- No two rnnviz modules import each other, directly or through others: no import cycle, not
  even one dodged with an import inside a function (imports under ``if TYPE_CHECKING:``, which
  never run, are left out).
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
    "gui": ("tasks", "cli"),
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


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of the nodes inside ``if TYPE_CHECKING:`` blocks (imports that never run)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    inside.update(id(n) for n in ast.walk(statement))
    return inside


def imported_modules(
    path: Path, package_dir: Path, *, runtime_only: bool = False
) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every module an import in ``path`` names.

    ``from a.b import c`` yields both ``a.b`` and ``a.b.c`` (c may be a submodule); relative
    imports are resolved against the file's package. Calls to ``importlib.import_module`` or
    ``__import__`` with a literal name count too. ``runtime_only`` leaves out the imports under
    ``if TYPE_CHECKING:``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    this = module_name(path, package_dir)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    skipped = _type_checking_nodes(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
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


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports when it runs (at the top or in a function).

    Only modules that exist in the package are edges: ``from rnnviz.core import softmax``
    points at ``rnnviz.core`` (the package's ``__init__``), while ``from rnnviz.core.lstm import
    f`` and ``from rnnviz.core import lstm`` point at ``rnnviz.core.lstm`` alone: Python imports
    the parent package first, but the module does not depend on what that package holds.
    """
    files = {module_name(path, package_dir): path for path in python_files(package_dir)}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        by_line: dict[int, set[str]] = {}
        for line, module in imported_modules(path, package_dir, runtime_only=True):
            if module in files:
                by_line.setdefault(line, set()).add(module)
        for modules in by_line.values():
            graph[name] |= {
                m for m in modules if not any(other.startswith(m + ".") for other in modules)
            }
        graph[name].discard(name)
    return graph


def import_cycles(package_dir: Path) -> list[str]:
    """Each import cycle among the package's modules, as ``a → b → … → a``.

    One line per strongly connected group of modules (Tarjan's algorithm), showing one cycle
    through its first module in sorted order.
    """
    graph = import_graph(package_dir)
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        order[v] = low[v] = len(order)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in order:
            visit(v)
    return sorted(" → ".join(_cycle_through(graph, set(group), group[0])) for group in groups)


def _cycle_through(graph: dict[str, set[str]], group: set[str], start: str) -> list[str]:
    """The shortest path ``start → … → start`` inside ``group`` (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in came_from:
                    came_from[w] = v
                    following.append(w)
        frontier = following
    raise AssertionError(f"{start} is in no cycle of {sorted(group)}")


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


def test_no_import_cycles():
    graph = import_graph(PACKAGE)
    assert sum(len(edges) for edges in graph.values()) >= 20, "found too few imports to check"
    assert import_cycles(PACKAGE) == []


@pytest.mark.parametrize("subpackage", ["tasks", "training", "gui"])
def test_subpackage_has_docstring(subpackage):
    init = PACKAGE / subpackage / "__init__.py"
    assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


# --- the checkers themselves catch what they must ---------------------------------------------


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _package(root: Path, files: dict[str, str]) -> Path:
    """A package ``rnnviz`` under ``root`` holding ``files`` (path → text), with a docstring
    ``__init__.py`` in each of its subpackages unless ``files`` gives one."""
    pkg = root / "rnnviz"
    for relative in files:
        for parent in Path(relative).parents:
            init = (parent / "__init__.py").as_posix()
            if init not in files:
                _write(pkg, init, '"""x."""\n')
    for relative, text in files.items():
        _write(pkg, relative, text)
    return pkg


# Two packages that break the rules on purpose: each file's text holds the imports to catch.
BAD_FILES = {
    "tasks/__init__.py": '"""x."""\n',
    "gui/window.py": "from PySide6 import QtWidgets\nimport pyqtgraph\n",
    "core/ok.py": "import numpy as np\nfrom . import ok\nfrom rnnviz.core import ok\n",
    "core/plot.py": "import numpy\nif True:\n    import pyqtgraph as pg\n",
    "core/up.py": "from ..training import loop\n",
    "core/up2.py": "from rnnviz import gui\n",
    "tasks/lazy.py": "def f():\n    from PySide6.QtCore import QObject\n",
    "tasks/dyn.py": "import importlib\nimportlib.import_module('shiboken6')\n",
    "training/up.py": "import rnnviz.gui.window\n",
    "training/sub/deep.py": "from ...cli import main\n",
    "cli.py": "from PyQt6 import QtCore\n",
    "gui/peek.py": "from ..tasks.ball import Ball\nimport rnnviz.cli\n",
}
CYCLIC_FILES = {
    # two modules importing each other, one of them inside a function (the usual dodge)
    "tasks/text.py": "def ngram():\n    from rnnviz.tasks.ngram import CharNGram\n",
    "tasks/ngram.py": "from rnnviz.tasks.text import Vocabulary\n",
    # three modules in a ring, through a relative import and a package-style import
    "training/a.py": "from . import b\n",
    "training/b.py": "import rnnviz.training.c\n",
    "training/c.py": "from rnnviz.training.a import run\n",
    # not cycles: an import only for type checkers, and modules imported through their package
    "tasks/vocab.py": "from rnnviz.tasks.base import Task\n",
    "tasks/base.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
    "    from rnnviz.tasks.vocab import Vocabulary\n",
    "training/d.py": "from rnnviz.training import a\nfrom rnnviz.tasks import ngram\n",
    # a module that reads a name from its own package's __init__, which imports it
    "gui/__init__.py": "from rnnviz.gui.window import Window\n",
    "gui/window.py": "from rnnviz.gui import APP_NAME\n",
}


@pytest.fixture
def bad_package(tmp_path: Path) -> Path:
    return _package(tmp_path, BAD_FILES)


@pytest.fixture
def cyclic_package(tmp_path: Path) -> Path:
    return _package(tmp_path, CYCLIC_FILES)


@pytest.mark.parametrize(
    ("checker", "files", "found"),
    [
        pytest.param(
            gui_import_violations,
            BAD_FILES,
            [
                "rnnviz/cli.py:1 imports PyQt6",
                "rnnviz/cli.py:1 imports PyQt6.QtCore",
                "rnnviz/core/plot.py:3 imports pyqtgraph",
                "rnnviz/tasks/dyn.py:2 imports shiboken6",
                "rnnviz/tasks/lazy.py:2 imports PySide6.QtCore",
                "rnnviz/tasks/lazy.py:2 imports PySide6.QtCore.QObject",
            ],
            id="qt outside gui",
        ),
        pytest.param(
            layering_violations,
            BAD_FILES,
            [
                "rnnviz/core/up.py:1 (core) imports rnnviz.training",
                "rnnviz/core/up.py:1 (core) imports rnnviz.training.loop",
                "rnnviz/core/up2.py:1 (core) imports rnnviz.gui",
                "rnnviz/gui/peek.py:1 (gui) imports rnnviz.tasks.ball",
                "rnnviz/gui/peek.py:1 (gui) imports rnnviz.tasks.ball.Ball",
                "rnnviz/gui/peek.py:2 (gui) imports rnnviz.cli",
                "rnnviz/training/sub/deep.py:1 (training) imports rnnviz.cli",
                "rnnviz/training/sub/deep.py:1 (training) imports rnnviz.cli.main",
                "rnnviz/training/up.py:1 (training) imports rnnviz.gui.window",
            ],
            id="upward imports",
        ),
        pytest.param(
            import_cycles,
            CYCLIC_FILES,
            [
                "rnnviz.gui → rnnviz.gui.window → rnnviz.gui",
                "rnnviz.tasks.ngram → rnnviz.tasks.text → rnnviz.tasks.ngram",
                "rnnviz.training.a → rnnviz.training.b → rnnviz.training.c → rnnviz.training.a",
            ],
            id="cycles",
        ),
    ],
)
def test_checker_catches_what_it_must(tmp_path: Path, checker, files, found):
    """Each checker, run on a package that breaks its rule, names exactly the broken imports."""
    assert checker(_package(tmp_path, files)) == found


def test_cycle_checker_passes_a_package_without_cycles(bad_package: Path):
    graph = import_graph(bad_package)
    assert graph["rnnviz.core.ok"] == set()  # itself, twice
    assert graph["rnnviz.training.up"] == {"rnnviz.gui.window"}
    assert import_cycles(bad_package) == []


def test_cycle_checker_reads_imports_through_a_package(cyclic_package: Path):
    graph = import_graph(cyclic_package)
    assert graph["rnnviz.training.d"] == {"rnnviz.training.a", "rnnviz.tasks.ngram"}
    assert graph["rnnviz.gui.window"] == {"rnnviz.gui"}
    assert graph["rnnviz.tasks.base"] == set()  # only under TYPE_CHECKING
