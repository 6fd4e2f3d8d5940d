"""Hostile text files: special files are refused before anything opens them (a pipe would
wait for a writer forever), a path given as a setting means that file or an error, and a text
of very many different characters keeps a vocabulary of at most MAX_VOCABULARY."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

import rnnviz.tasks.corpora as corpora
from rnnviz.tasks.corpora import CorpusError, check_text_file, load_text_file
from rnnviz.tasks.text import (
    FOLD_CHAR,
    CorpusName,
    TextConfig,
    TextTask,
    fold_rare_characters,
)
from rnnviz.training.config import ConfigError
from rnnviz.training.presets import load_preset

HAS_FIFO = hasattr(os, "mkfifo")


@pytest.fixture
def never_open_special(monkeypatch):
    """Fail (instead of hanging) if anything in rnnviz.tasks.corpora opens a path that is not
    a regular file; returns the list of every path opened."""
    opened: list[str] = []
    real_os_open = os.open

    def guard(path) -> None:
        if isinstance(path, int):  # an already open descriptor
            return
        opened.append(str(path))
        if os.path.exists(path) and not os.path.isfile(path):
            raise AssertionError(f"{path} is not a regular file and was opened")

    def spy_open(path, *args, **kwargs):
        guard(path)
        return open(path, *args, **kwargs)

    def spy_os_open(path, *args, **kwargs):
        guard(path)
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(corpora, "open", spy_open, raising=False)
    monkeypatch.setattr(corpora.os, "open", spy_os_open)
    return opened


def _special_paths(tmp_path: Path) -> list[tuple[str, str]]:
    """(path, a pattern of what the message says) for a missing file, a folder, a FIFO and a
    device."""
    paths = [
        (str(tmp_path / "missing.txt"), "there is no file at"),
        (str(tmp_path), "is a folder, not a text file"),
    ]
    if HAS_FIFO:
        fifo = tmp_path / "pipe.txt"
        os.mkfifo(fifo)
        paths.append((str(fifo), r"is a FIFO \(named pipe\), not a text file"))
    if Path("/dev/null").exists():
        paths.append(("/dev/null", "is a device, not a text file"))
    return paths


def test_special_files_are_refused_before_they_are_opened(tmp_path, never_open_special):
    for path, message in _special_paths(tmp_path):
        with pytest.raises(CorpusError, match=message):
            load_text_file(path)
        with pytest.raises(CorpusError, match=message):
            check_text_file(path)
        with pytest.raises(CorpusError, match=message):
            TextTask(TextConfig(corpus="file", path=path))
    assert never_open_special == []


@pytest.mark.skipif(not HAS_FIFO, reason="needs FIFOs")
def test_a_path_swapped_for_a_pipe_after_the_check_is_refused_without_waiting(
    tmp_path, monkeypatch
):
    # between the check and the opening, the file becomes a pipe: opening it must not wait
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    monkeypatch.setattr(corpora, "check_text_file", lambda path, max_bytes: None)
    with pytest.raises(CorpusError, match=r"pipe\.txt is a FIFO \(named pipe\), not a text file"):
        load_text_file(fifo)


@pytest.mark.parametrize("path", ["", "   "])
def test_an_empty_path_is_refused(path):
    with pytest.raises(CorpusError, match="choose a text file to learn from"):
        check_text_file(path)


def test_check_opens_nothing_and_takes_good_files(tmp_path, never_open_special):
    good = tmp_path / "good.txt"
    good.write_text("the cat is small\n" * 10, encoding="utf-8")
    assert check_text_file(good).st_size == 170
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CorpusError, match="is empty"):
        check_text_file(empty)
    with pytest.raises(CorpusError, match="too large"):
        check_text_file(good, max_bytes=100)
    assert never_open_special == []


# --------------------------------------------------------------------------- settings


@pytest.fixture
def text_config():
    return load_preset("text_messaging").config


def test_the_window_s_setting_refuses_what_cannot_be_read(tmp_path, text_config):
    # what "Open text file…" does: config.with_settings({"task.corpus": "file", "task.path": p})
    cases = [*_special_paths(tmp_path), ("", "task.path needs a value: a file name")]
    for path, message in cases:
        with pytest.raises(ConfigError, match=message):
            text_config.with_settings({"task.corpus": "file", "task.path": path})


def test_a_path_alone_selects_the_file(tmp_path, text_config):
    good = tmp_path / "story.txt"
    good.write_text("once upon a time\n" * 20, encoding="utf-8")
    config = text_config.with_settings({"task.path": str(good)})
    assert config.task_params.corpus is CorpusName.FILE
    assert config.task_params.path == str(good)
    # the same with the corpus named, in either order
    for settings in (
        {"task.corpus": "file", "task.path": str(good)},
        {"task.path": str(good), "task.corpus": "file"},
    ):
        assert text_config.with_settings(settings).task_params == config.task_params


def test_a_missing_path_alone_is_an_error(text_config):
    # it used to be ignored: the classroom corpus was trained on, without a word
    with pytest.raises(ConfigError, match=r"there is no file at /missing\.txt"):
        text_config.with_settings({"task.path": "/missing.txt"})


def test_a_path_with_another_corpus_is_an_error(tmp_path, text_config):
    good = tmp_path / "story.txt"
    good.write_text("once upon a time\n" * 20, encoding="utf-8")
    for settings in (
        {"task.corpus": "zen", "task.path": str(good)},
        {"task.path": str(good), "task.corpus": "classroom"},
    ):
        with pytest.raises(ConfigError, match=r"only task\.corpus=file reads"):
            text_config.with_settings(settings)


def test_choosing_the_file_corpus_checks_the_remembered_path(tmp_path, text_config):
    good = tmp_path / "story.txt"
    good.write_text("once upon a time\n" * 20, encoding="utf-8")
    on_file = text_config.with_settings({"task.path": str(good)})
    # another corpus keeps the path, for switching back
    on_zen = on_file.with_settings({"task.corpus": "zen"})
    assert on_zen.task_params.path == str(good)
    assert on_zen.with_settings({"task.corpus": "file"}).task_params == on_file.task_params
    good.unlink()
    with pytest.raises(ConfigError, match="there is no file at"):
        on_zen.with_settings({"task.corpus": "file"})
    # a setting that is not about the file does not re-check it
    assert on_file.with_settings({"optim.lr": "0.02"}).optim.lr == 0.02
    with pytest.raises(ConfigError, match="no file was given"):
        text_config.with_settings({"task.corpus": "file"})


# --------------------------------------------------------------------------- vocabulary cap


def _many_characters(n_rare: int, seed: int = 0) -> str:
    """A text of common letters and ``n_rare`` different rare characters, each once."""
    r = random.Random(seed)
    rare = [chr(0x4E00 + i) for i in range(min(n_rare, 20_000))]
    rare += [chr(0x20000 + i) for i in range(n_rare - len(rare))]  # beyond the BMP
    common = "".join(r.choice("etaoin shrdlu\n") for _ in range(5_000))
    return common + "".join(rare)


def test_a_text_of_130000_different_characters_keeps_256():
    text = _many_characters(130_000)
    distinct = len(set(text))
    task = TextTask(text=text)
    assert task.vocab.size == TextTask.MAX_VOCABULARY == task.input_size == task.output_size
    assert FOLD_CHAR in task.vocab
    assert task.folded_chars == distinct - (TextTask.MAX_VOCABULARY - 1)
    assert task.folding_note() == f"{task.folded_chars:,} rare characters are shown as �"
    # the common letters are kept, the text keeps its length
    assert all(c in task.vocab for c in "etaoin shrdlu\n")
    assert len(task.text) == len(text)
    # and the model is of the ordinary size: one update is quick
    batch = task.batch(np.random.default_rng(0), 16, 32)
    assert batch.x.shape == (32, 16, TextTask.MAX_VOCABULARY)


def test_a_file_of_many_characters_is_folded(tmp_path):
    path = tmp_path / "many.txt"
    path.write_text(_many_characters(1_000), encoding="utf-8")
    task = TextTask(TextConfig(corpus="file", path=str(path)))
    assert task.vocab.size == 256 and task.folded_chars == len(set(path.read_text())) - 255


def test_folding_keeps_the_most_frequent_and_breaks_ties_by_code_point():
    text = "aaaa" + "bbb" + "cc" + "d" + "e" + "f"
    folded, n = fold_rare_characters(text, 4)
    # a, b, c kept (3 = 4 − 1); d, e, f (one each) folded
    assert (folded, n) == ("aaaabbbcc" + FOLD_CHAR * 3, 3)
    folded, n = fold_rare_characters("aab" + "xyz", 3)  # ties: x before y before z
    assert (folded, n) == ("aab" + FOLD_CHAR * 3, 3)
    folded, n = fold_rare_characters("abcx", 3)
    assert (folded, n) == ("ab" + FOLD_CHAR * 2, 2)


def test_a_text_within_the_cap_is_not_changed():
    text = "".join(chr(32 + i) for i in range(256))
    folded, n = fold_rare_characters(text, 256)
    assert folded is text and n == 0
    task = TextTask(text=text * 2)
    assert task.folded_chars == 0 and task.folding_note() == ""


def test_a_replacement_character_in_the_text_is_not_counted_as_folded():
    text = FOLD_CHAR * 10 + "ab" * 10 + "xyz"
    folded, n = fold_rare_characters(text, 3)
    assert n == 3  # x, y, z; the text's own � stays what it was
    assert folded == FOLD_CHAR * 10 + "ab" * 10 + FOLD_CHAR * 3
    # 256 characters besides a � of the text's own: 255 kept, one folded into it
    one = TextTask(text=FOLD_CHAR + "ab\n" * 50 + "".join(chr(0x100 + i) for i in range(253)))
    assert one.folded_chars == 1
    assert one.folding_note() == "1 rare character is shown as �"
