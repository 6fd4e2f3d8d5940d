"""The checks of what a user gave ``rnnviz train`` and ``rnnviz render`` that argparse cannot make:
the lesson's name, the ``--set`` settings and the file to write. Each is made before anything is
trained or written, so that a slip costs no minutes of training, and ends in a ``UsageError``.
"""

from __future__ import annotations

from pathlib import Path

from rnnviz.cli.messages import UsageError
from rnnviz.files import NotARegularFileError, check_output_path

__all__ = ["check_preset", "check_writable", "parse_settings", "with_settings"]


def parse_settings(pairs: list[str]) -> dict[str, str]:
    """The ``--set KEY=VALUE`` pairs as {KEY: VALUE}, the last of a key winning."""
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set takes KEY=VALUE, got {pair!r}")
        settings[key.strip()] = value
    return settings


def _readable_settings(config) -> str:
    """What ``--set`` takes for this config's task, grouped, for an error message."""
    from rnnviz.training.config import known_settings

    names = known_settings(config)
    groups = [
        [n for n in names if n.startswith("model.")],
        [n for n in names if n.startswith("optim.")],
        [n for n in names if "." not in n],
    ]
    own = [n for n in names if n.startswith("task.")]
    text = "; ".join(", ".join(group) for group in groups if group)
    if own:
        text += f"; for the {config.task.value} task: {', '.join(own)}"
    return text


def with_settings(config, settings: dict[str, str]):
    """``config`` with the ``--set`` settings applied, in order and together (so that what is
    checked of them as a whole, such as the memory a run needs or a text file's path, is
    checked once all are in). An unknown name lists the ones a user can set; ``task=...``
    changes which ``task.*`` names exist."""
    from dataclasses import replace

    from rnnviz.tasks.registry import TaskName
    from rnnviz.training.config import known_settings

    names = config  # the config whose task's settings are known at this point
    for key, value in settings.items():
        if key not in known_settings(names):
            raise UsageError(
                f"unknown setting {key!r}; you can set {_readable_settings(names)} "
                "(`rnnviz train --help` says what each takes)"
            )
        if key == "task":
            try:
                names = replace(names, task=TaskName(value.strip().lower()), task_params=None)
            except ValueError:
                break  # config.with_settings below says what is wrong with the task's name
    return config.with_settings(settings)


def check_writable(text: str, what: str = "--out") -> Path:
    """The path ``text`` if rnnviz may write a file there: a regular file (replaced) or a
    new name in an existing folder. A folder, a pipe or a device is refused without being
    opened (writing would replace a device node, such as /dev/null as root, or wait forever
    on a pipe); checked before any training, so that minutes of it are not lost."""
    try:
        return check_output_path(text)
    except NotARegularFileError as error:
        raise UsageError(f"{what} {text} {error}") from None


def check_preset(name: str | None) -> None:
    """Refuse a lesson ``name`` that is not one (None: the default lesson, always one)."""
    if name is None:
        return
    from rnnviz.training.presets import PresetError, load_preset

    try:
        load_preset(name)
    except PresetError as error:
        raise UsageError(str(error)) from None
