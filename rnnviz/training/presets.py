"""Lesson presets: one JSON file per slide of the lecture, in ``resources/presets``.

A preset file holds

    title         what the lecturer clicks ("Vanishing gradient: RNN vs LSTM")
    explanation   two lines the lecturer can read out
    config        a TrainConfig as JSON (see ``rnnviz.training.config``)
    steps         how many updates show the result
    goal          {"metric": name, "at_least": x} or {"metric": name, "at_most": x}, or
                  {"metric": "loss", "below_baseline": name}: what "it worked" means
    compare       optional runs to show beside it: [{"label": …, "set": {dotted settings}}]
    hide          optional settings a focused lesson hides from the sidebar (dotted names)
    views         optional views a focused lesson shows, of ``VIEWS`` (the others are left
                  out while the window's View → Focused lessons is on)
    layout        optional "grid" (the views side by side where they fit: the default) or
                  "tabs" (one view at a time, each full size)
    view          optional view the lesson is about, brought to the front when the views are
                  shown one at a time: one of ``VIEWS``
    demo          optional part of the demo the lesson is about, opened with it: one of
                  ``DEMO_PARTS`` (the text demo's keyboard, scorer or samples)

The settings a preset names, in its config, its comparisons and ``hide``, are checked against
the settings table (``rnnviz.training.settings``): a name the lesson's task does not have, or a
value out of its row's range, is a PresetError that says which.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnviz.resources import presets_dir
from rnnviz.training.config import ConfigError, TrainConfig, config_from_dict
from rnnviz.training.settings import settings_for

__all__ = [
    "DEMO_PARTS",
    "LAYOUTS",
    "VIEWS",
    "Goal",
    "Preset",
    "PresetError",
    "goal_reached",
    "list_presets",
    "load_preset",
]

#: The views a lesson can be about (its "view" field).
VIEWS = ("hidden", "gates", "gradient", "loss", "diagram", "equations")
#: How a focused lesson lays its views out (its "layout" field).
LAYOUTS = ("grid", "tabs")
#: The parts of a demo a lesson can open (its "demo" field).
DEMO_PARTS = ("keyboard", "scorer", "samples")


class PresetError(ValueError):
    """A preset is unknown or its file is not valid; the message says which and why."""


@dataclass(frozen=True)
class Goal:
    """What the lesson must show: a metric at least/at most a value, or below a baseline."""

    metric: str
    at_least: float | None = None
    at_most: float | None = None
    below_baseline: str | None = None

    def describe(self, words: Callable[[str], str] | None = None) -> str:
        """The goal as a sentence's end: "gap_error ≤ 0.04", or with ``words`` (a task's
        ``TaskFacts.label``) "gap error ≤ 0.04"."""
        name = words(self.metric) if words is not None else self.metric
        if self.at_least is not None:
            return f"{name} ≥ {self.at_least:g}"
        if self.at_most is not None:
            return f"{name} ≤ {self.at_most:g}"
        baseline = words(self.below_baseline) if words is not None else self.below_baseline
        return f"{name} below the {baseline} baseline"


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    explanation: tuple[str, ...]
    config: TrainConfig
    steps: int
    goal: Goal
    compare: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    hide: tuple[str, ...] = ()
    views: tuple[str, ...] = ()
    layout: str = "grid"
    view: str | None = None
    demo: str | None = None
    path: Path | None = field(default=None, compare=False)

    def compare_configs(self) -> list[tuple[str, TrainConfig]]:
        """The comparison runs' labels and configs."""
        return [(label, self.config.with_settings(dict(s))) for label, s in self.compare]


def goal_reached(goal: Goal, metrics: Mapping[str, float], baselines: Mapping[str, float]) -> bool:
    """Whether ``metrics`` (which include "loss") meet ``goal``."""
    value = metrics.get(goal.metric)
    if value is None:
        return False
    if goal.at_least is not None:
        return value >= goal.at_least
    if goal.at_most is not None:
        return value <= goal.at_most
    return goal.below_baseline in baselines and value < baselines[goal.below_baseline]


def _preset_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(presets_dir().glob("*.json"))}


def list_presets() -> list[Preset]:
    """Every shipped preset, in the lecture's order (files are numbered)."""
    return [load_preset(name) for name in _preset_files()]


def _parse_goal(raw: Any, where: str) -> Goal:
    if not isinstance(raw, dict) or not isinstance(raw.get("metric"), str):
        raise PresetError(f"{where}: goal must be an object with a metric name")
    kinds = [k for k in ("at_least", "at_most", "below_baseline") if k in raw]
    if len(kinds) != 1 or set(raw) != {"metric", kinds[0]}:
        raise PresetError(
            f"{where}: goal takes a metric and one of at_least/at_most/below_baseline"
        )
    return Goal(**raw)


def load_preset(name: str) -> Preset:
    """The preset called ``name`` (a file name without ``.json``, e.g. ``08_vanishing_gradient``,
    or the part after the number, e.g. ``vanishing_gradient``)."""
    files = _preset_files()
    short = {stem.split("_", 1)[-1]: stem for stem in files if stem[:2].isdigit()}
    stem = name if name in files else short.get(name)
    if stem is None:
        known = ", ".join(sorted(short)) or "none"
        raise PresetError(f"unknown preset {name!r}; the lessons are: {known}")
    path = files[stem]
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PresetError(f"preset {stem}: cannot read {path.name}: {error}") from None
    where = f"preset {stem}"
    expected = {"title", "explanation", "config", "steps", "goal"}
    optional = {"compare", "hide", "views", "layout", "view", "demo"}
    missing = expected - set(raw)
    if missing:
        raise PresetError(f"{where}: missing {sorted(missing)[0]!r}")
    extra = set(raw) - expected - optional
    if extra:
        raise PresetError(f"{where}: unknown field {sorted(extra)[0]!r}")
    explanation = raw["explanation"]
    if not (
        isinstance(explanation, list)
        and len(explanation) == 2
        and all(isinstance(line, str) and line for line in explanation)
    ):
        raise PresetError(f"{where}: explanation must be two lines of text")
    try:
        config = config_from_dict(raw["config"])
        compare = tuple((str(c["label"]), dict(c["set"])) for c in raw.get("compare", []))
        for _, settings in compare:
            config.with_settings(settings)
    except (ConfigError, KeyError, TypeError) as error:
        raise PresetError(f"{where}: {error}") from None
    hide = raw.get("hide", [])
    if not isinstance(hide, list) or not all(isinstance(name, str) for name in hide):
        raise PresetError(f"{where}: hide must be a list of setting names")
    unknown = [name for name in hide if name not in settings_for(config.task)]
    if unknown:
        raise PresetError(
            f"{where}: hide names {unknown[0]!r}, which is not a setting of the "
            f"{config.task.value} task"
        )
    views = raw.get("views", [])
    if (
        not isinstance(views, list)
        or not all(isinstance(name, str) and name in VIEWS for name in views)
        or len(set(views)) != len(views)
    ):
        raise PresetError(f"{where}: views must list different views of {', '.join(VIEWS)}")
    layout = raw.get("layout", "grid")
    if layout not in LAYOUTS:
        raise PresetError(f"{where}: layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    view = raw.get("view")
    if view is not None and view not in VIEWS:
        raise PresetError(f"{where}: view must be one of {', '.join(VIEWS)}, not {view!r}")
    if view is not None and views and view not in views:
        raise PresetError(f"{where}: view {view!r} is not one of its views")
    demo = raw.get("demo")
    if demo is not None and demo not in DEMO_PARTS:
        raise PresetError(f"{where}: demo must be one of {', '.join(DEMO_PARTS)}, not {demo!r}")
    steps = raw["steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise PresetError(f"{where}: steps must be a whole number ≥ 1")
    return Preset(
        name=stem.split("_", 1)[-1] if stem[:2].isdigit() else stem,
        title=str(raw["title"]),
        explanation=tuple(explanation),
        config=config,
        steps=steps,
        goal=_parse_goal(raw["goal"], where),
        compare=compare,
        hide=tuple(hide),
        views=tuple(views),
        layout=layout,
        view=view,
        demo=demo,
        path=path,
    )
