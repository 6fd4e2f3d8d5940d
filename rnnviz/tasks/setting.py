"""One row of the settings table, and the one check every config runs through it.

A setting is addressed by its dotted name, as ``rnnviz train --set`` takes it
(``model.hidden_size``, ``optim.lr``, ``seq_len``, ``task.delay``). Its row says, once:

    name, kind      the dotted name; int, float, bool, str, Path (a file name, held as str)
                    or an Enum class
    low, high       the range, both ends included (numbers only)
    unit            "frames", "box widths", …: said after the range and in the window's box
    live            True: it changes a running run; False: changing it starts a new run
    help            one sentence for a student: the window's tooltip and ``--help``
    label, gloss    the window's name for it ("Learning rate"); what a message adds to the
                    name ("optim.lr (learning rate) must be …")
    off             None is allowed too, written "off" (gradient clipping)
    step            how the window's box steps (none: by a tenth of the value); it shows as
                    many decimals as the range and the step need

The tasks declare the rows of their own settings on their config class (``BallConfig.SETTINGS``,
checked by its ``__post_init__`` through :func:`check_fields`); ``rnnviz.training.settings``
adds the model's, the optimiser's and the data's, and holds the whole table that the configs,
the window's settings sidebar, ``rnnviz train --set`` and the presets read. This module is in
the tasks layer because it is the lowest one that has settings.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ConfigError", "Setting", "check_fields", "show_number"]


class ConfigError(ValueError):
    """A setting a student typed or a file holds is not valid; the message says why."""


#: What ``--set`` takes for true, false and (where a setting may be off) None. Nothing (an
#: empty value, ``optim.clip=``) is none of them: it is refused, never taken as "off".
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
OFF_WORDS = frozenset({"none", "off", "null"})


def show_number(value: float) -> str:
    """A number as a student writes it: 1024, 0.00001, 0.25 (never 1e-05 where avoidable)."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text if float(text) == value else repr(value)


@dataclass(frozen=True)
class Setting:
    """One setting's row (see the module docstring for the fields)."""

    name: str
    kind: type
    help: str
    low: float | None = None
    high: float | None = None
    unit: str = ""
    live: bool = False
    label: str = ""
    gloss: str = ""
    off: bool = False
    step: float | None = None
    #: (value, label) for each member of an Enum kind, in the order the window offers them
    choices: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        numeric = self.kind in (int, float)
        if numeric != (self.low is not None and self.high is not None) or (
            numeric and not self.low <= self.high
        ):
            raise TypeError(f"setting {self.name}: a number needs low <= high, nothing else")
        if not numeric and self.kind not in (bool, str, Path) and not issubclass(self.kind, Enum):
            raise TypeError(f"setting {self.name}: unsupported kind {self.kind!r}")
        if issubclass(self.kind, Enum):
            values = tuple(member.value for member in self.kind)
            if not self.choices:
                object.__setattr__(self, "choices", tuple((v, v) for v in values))
            elif tuple(value for value, _ in self.choices) != values:
                raise TypeError(f"setting {self.name}: choices must follow {self.kind.__name__}")
        if not self.label:
            object.__setattr__(self, "label", self.field.replace("_", " ").capitalize())

    # ---------------------------------------------------------------- names

    @property
    def field(self) -> str:
        """The dataclass field that holds it: ``hidden_size`` for ``model.hidden_size``."""
        return self.name.rpartition(".")[2]

    @property
    def decimals(self) -> int:
        """Decimals that write the range's ends and the step exactly: 5 for 0.00001 … 1000."""
        if self.kind is not float:
            return 0
        ends = (self.low, self.high, self.step or 0)
        return max(len(show_number(x).partition(".")[2]) for x in ends)

    @property
    def group(self) -> str:
        """``"model"``, ``"optim"``, ``"task"``, or ``""`` for the config's own fields."""
        return self.name.rpartition(".")[0]

    def describe(self) -> str:
        """What values it takes, for help texts: "1 to 1024", "one of sgd, adam", …"""
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "text"
        if self.kind is Path:
            return "a file name"
        if self.choices:
            return "one of " + ", ".join(value for value, _ in self.choices)
        text = f"{show_number(self.low)} to {show_number(self.high)}"
        if self.unit:
            text += f" {self.unit}"
        return text + (", or off" if self.off else "")

    # ---------------------------------------------------------------- values

    def check(self, value: Any) -> Any:
        """``value`` in the type the setting holds (an int for a whole number, a float for a
        number, an Enum member), or a ConfigError saying what is wrong with it."""
        if self.kind is int:
            return self._check_whole(value)
        if self.kind is float:
            return self._check_real(value)
        if self.kind is bool:
            if not isinstance(value, bool | np.bool_):
                raise ConfigError(f"{self._named()} must be true or false, got {value!r}")
            return bool(value)
        if self.kind in (str, Path):
            if self.kind is Path and isinstance(value, os.PathLike):
                value = os.fspath(value)
            if not isinstance(value, str):
                what = "a file name (text)" if self.kind is Path else "text"
                raise ConfigError(f"{self._named()} must be {what}, got {value!r}")
            return value
        if isinstance(value, self.kind):
            return value
        try:
            return self.kind(getattr(value, "value", value))
        except (ValueError, TypeError):
            choices = ", ".join(repr(v) for v, _ in self.choices)
            raise ConfigError(f"{self._named()} must be one of {choices}, got {value!r}") from None

    def parse(self, raw: Any) -> Any:
        """Command-line text (``--set``) as the type the setting holds; anything but text is
        returned as it is. The range is :meth:`check`'s. An empty value (or only spaces) is
        an error for every setting: ``optim.clip=`` is a slip, not a way to say "off"."""
        if not isinstance(raw, str):
            return raw
        text = raw.strip()
        if not text:
            raise ConfigError(f"{self.name} needs a value: {self._expected()}")
        if self.kind is bool:
            if text.lower() in TRUE_WORDS:
                return True
            if text.lower() in FALSE_WORDS:
                return False
            raise ConfigError(f"{self.name} must be true or false, got {raw!r}")
        if self.kind in (int, float):
            if self.off and text.lower() in OFF_WORDS:
                return None
            # int() and float() also read other scripts' digits ("１２" is 12): only ASCII is
            # taken, so that what is typed is what is shown
            try:
                if not text.isascii():
                    raise ValueError(text)
                return self.kind(text)
            except ValueError:
                number = "a whole number" if self.kind is int else "a number"
                raise ConfigError(f"{self.name} must be {number}, got {raw!r}") from None
        if issubclass(self.kind, Enum):
            return self.check(text.lower())
        return text

    def format(self, value: Any) -> str:
        """``value`` written as :meth:`parse` reads it (what the window sends as a setting)."""
        if value is None:
            return "off"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Enum):
            return str(value.value)
        if self.kind is int:
            return str(int(value))
        if self.kind is float:
            return repr(float(value))
        return str(value)

    # ---------------------------------------------------------------- messages

    def _expected(self) -> str:
        """What a value must be: "a number from 0.01 to 1000, or off", "true or false", …"""
        if self.kind is int:
            return f"a whole number from {self.describe()}"
        if self.kind is float:
            return f"a number from {self.describe()}"
        return self.describe()

    def _named(self, *, with_unit: bool = True) -> str:
        """The name with what it means: "optim.lr (learning rate)", "task.noise (box widths)"."""
        gloss = self.gloss or (self.unit if with_unit else "")
        return f"{self.name} ({gloss})" if gloss else self.name

    def _out_of_range(self, value: Any, what: str = "") -> ConfigError:
        unit = f" ({self.unit})" if self.unit else ""
        off = ", or off" if self.off else ""
        return ConfigError(
            f"{self._named(with_unit=False)} must be {what}between {show_number(self.low)} "
            f"and {show_number(self.high)}{unit}{off}, got {show_number(value)}"
        )

    def _check_whole(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ConfigError(f"{self._named()} must be a whole number, got {value!r}")
        if not self.low <= value <= self.high:
            raise self._out_of_range(value)
        return int(value)

    def _check_real(self, value: Any) -> float | None:
        if value is None and self.off:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            number = "a number or off" if self.off else "a number"
            raise ConfigError(f"{self._named()} must be {number}, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise self._out_of_range(value, "a finite number ")
        if not self.low <= value <= self.high:
            raise self._out_of_range(value)
        return value


def check_fields(config: Any, rows: tuple[Setting, ...]) -> None:
    """Check each field of the frozen dataclass ``config`` that ``rows`` names, and store the
    checked value (so ``BallConfig(mode="gap")`` holds ``BallMode.GAP``, ``gravity=0`` 0.0).

    Raises
    ------
    ConfigError
        For the first field whose value its row refuses.
    """
    for row in rows:
        object.__setattr__(config, row.field, row.check(getattr(config, row.field)))
