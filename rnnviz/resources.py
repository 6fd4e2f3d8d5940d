"""Locate the files rnnviz ships: corpora, presets and icons.

In an installed wheel they live inside the package, at ``rnnviz/resources/`` (pyproject.toml
force-includes the repository's top-level ``resources/`` there). In a source checkout or an
editable install that folder does not exist, and the repository's own ``resources/`` is used.

Only resources on a real file system are supported (not a zipped package): every function here
returns a :class:`pathlib.Path`.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path, PurePosixPath

__all__ = ["corpora_dir", "presets_dir", "resource_path", "resources_root"]

_PACKAGE = "rnnviz"
_FOLDER = "resources"


def _candidate_roots() -> list[Path]:
    """Where the resource folder may be, most specific first: installed, then source tree."""
    candidates: list[Path] = []
    installed = importlib.resources.files(_PACKAGE) / _FOLDER
    if isinstance(installed, Path):
        candidates.append(installed)
    source_tree = Path(__file__).resolve().parents[1] / _FOLDER
    if source_tree not in candidates:
        candidates.append(source_tree)
    return candidates


def resources_root() -> Path:
    """The folder holding all shipped resources.

    Raises:
        FileNotFoundError: if neither the installed nor the source-tree folder exists.
    """
    candidates = _candidate_roots()
    for root in candidates:
        if root.is_dir():
            return root
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"rnnviz's resource folder was not found (looked in: {searched}); "
        "reinstall rnnviz, or run it from a complete source checkout"
    )


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("corpora", "classroom.txt")``.

    With no ``parts`` it is the resource folder itself. ``parts`` are relative path
    components; an absolute part or a ``..`` is refused.

    Raises:
        ValueError: if a part is absolute or climbs out of the resource folder.
        FileNotFoundError: if the resource (or the resource folder) does not exist.
    """
    relative = PurePosixPath(*parts) if parts else PurePosixPath()
    if (
        relative.is_absolute()
        or ".." in relative.parts
        or any(Path(p).is_absolute() for p in parts)
    ):
        raise ValueError(f"resource path must be relative and stay inside resources/: {parts!r}")
    root = resources_root()
    path = root.joinpath(*relative.parts)
    if not path.exists():
        raise FileNotFoundError(f"rnnviz resource {relative.as_posix()!r} not found in {root}")
    return path


def presets_dir() -> Path:
    """The folder of shipped presets (raises FileNotFoundError while none are shipped)."""
    return resource_path("presets")


def corpora_dir() -> Path:
    """The folder of shipped text corpora."""
    return resource_path("corpora")
