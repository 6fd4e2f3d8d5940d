"""What the character-model lesson reads: the corpus (the classroom sentences, the Zen of
Python, standard-library source or the student's own file), its held-out share and the seed of
the classroom generator, each a row of the settings table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from rnnviz.tasks.corpora import CorpusError, check_text_file
from rnnviz.tasks.setting import Setting, check_fields

__all__ = ["CorpusName", "TextConfig"]


class CorpusName(StrEnum):
    """Where the text comes from (a ``str`` subclass: ``CorpusName.ZEN == "zen"``)."""

    CLASSROOM = "classroom"  # the lecture's sentences, generated (rnnviz.tasks.corpora)
    ZEN = "zen"  # the Zen of Python, from the standard library
    STDLIB = "stdlib"  # Python source of a few standard-library modules
    FILE = "file"  # the student's own UTF-8 text file


@dataclass(frozen=True)
class TextConfig:
    """What the character-model lesson reads. Each field's range and meaning is its row in
    ``SETTINGS`` (the settings table, said once there).

    Attributes
    ----------
    corpus : CorpusName
        "classroom", "zen", "stdlib" or "file" (a plain string is accepted and converted).
    path : str
        The text file. Used with ``corpus="file"`` only, and kept with the other corpora, so
        that switching back to "file" remembers it; an empty path is reported (CorpusError)
        when the task loads the corpus. As a setting, a path given means that file or an
        error (see :meth:`settle`).
    validation_fraction : float
        The share of the text (its end, from a line start) held out to check the model;
        capped at ``TextTask.MAX_VALIDATION_CHARS`` characters.
    seed : int
        Seeds the classroom corpus generator.
    """

    corpus: CorpusName = CorpusName.CLASSROOM
    path: str = ""
    validation_fraction: float = 0.1
    seed: int = 0

    #: The rows of these settings in the settings table (``rnnviz.tasks.setting``).
    SETTINGS: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "task.corpus",
            CorpusName,
            "The text to learn: the lecture's sentences (classroom), the Zen of Python, "
            "Python source (stdlib) or your own file (see task.path).",
            label="Text",
        ),
        Setting(
            "task.path",
            Path,
            "Your own UTF-8 text file; giving it chooses task.corpus=file.",
            label="Text file",
        ),
        Setting(
            "task.validation_fraction",
            float,
            "The share of the text kept aside to check the model on text it never trained on.",
            low=0.01,
            high=0.5,
            label="Held-out share",
            gloss="the share of the text kept aside to check the model",
            step=0.01,
        ),
        Setting(
            "task.seed",
            int,
            "Seeds the generator of the classroom sentences.",
            low=0,
            high=2**32 - 1,
            label="Text seed",
        ),
    )

    def __post_init__(self) -> None:
        check_fields(self, self.SETTINGS)
        # corpus and path are not checked against each other here: settings arrive one at a
        # time (``--set task.corpus=file --set task.path=…``, or a window's controls), so each
        # intermediate config must be valid. ``settle`` checks them once all have arrived.

    def settle(self, changed: frozenset[str]) -> TextConfig:
        """This config once the settings named in ``changed`` (``"corpus"``, ``"path"``, …)
        have all been applied: what a path given as a setting means.

        A path given means that file or an error: given alone it selects the file corpus;
        given with another corpus it is an error (it would be ignored); and whenever the file
        corpus or its path is set, the path must name a regular file that is not empty or too
        large (:func:`~rnnviz.tasks.corpora.check_text_file`, which opens nothing), so that a
        missing file, a folder, a pipe or a device is refused when it is chosen, not when the
        run starts.

        Raises
        ------
        CorpusError
            Saying what is wrong with the path.
        """
        config = self
        if "path" in changed and self.path.strip():
            if "corpus" not in changed:
                config = replace(self, corpus=CorpusName.FILE)
            elif self.corpus is not CorpusName.FILE:
                raise CorpusError(
                    f"task.path names a text file, which only task.corpus=file reads, but "
                    f"task.corpus is {self.corpus.value}: leave out task.path, or set "
                    "task.corpus=file"
                )
        if config.corpus is CorpusName.FILE and changed & {"corpus", "path"}:
            check_text_file(config.path)
        return config
