"""The character model's data (corpora, vocabulary, batches) and its helpers (keyboard,
sampling, sentence scorer), and the lesson itself: a GRU trained on the classroom corpus."""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import rnnviz.tasks.corpora as corpora
from rnnviz.core.losses import softmax
from rnnviz.files import open_regular_file
from rnnviz.resources import resource_path
from rnnviz.tasks.classroom import (
    HELD_OUT,
    KEYBOARD_PROMPT,
    SCORED_SENTENCES,
    WORD_CHOICE,
    WORD_ORDER,
    classroom_text,
)
from rnnviz.tasks.corpora import (
    CorpusError,
    load_corpus,
    load_text_file,
    stdlib_text,
    zen_text,
)
from rnnviz.tasks.facts import TextFacts
from rnnviz.tasks.language_model import (
    Continuation,
    char_log_probs,
    greedy_completion,
    next_char_distribution,
    sample,
    sampling,
    sentence_log_prob,
    softmax_with_temperature,
)
from rnnviz.tasks.text import CorpusName, TextConfig, TextTask, Vocabulary, text_digest


@pytest.fixture(scope="module")
def task() -> TextTask:
    return TextTask()


# --------------------------------------------------------------------------- vocabulary


def test_vocabulary_round_trip_and_stable_order(task):
    text = task.text
    codes = task.vocab.encode(text)
    assert codes.shape == (len(text),) and codes.dtype == np.int64
    assert task.vocab.decode(codes) == text
    # the numbering depends only on the set of characters: sorted by code point
    assert task.vocab.chars == tuple(sorted(set(text)))
    assert Vocabulary.from_text(text[::-1]) == task.vocab
    unicode = "héllo wörld ✓ 日本\n\t"
    v = Vocabulary.from_text(unicode)
    assert v.decode(v.encode(unicode, dtype=np.uint8)) == unicode
    one_hot = v.one_hot(v.encode("hé"))
    assert one_hot.shape == (2, v.size) and one_hot.dtype == np.float32
    np.testing.assert_array_equal(one_hot.argmax(axis=1), v.encode("hé"))
    assert one_hot.sum() == 2
    assert [v.label(c) for c in " \n\th"] == ["␣", "⏎", "⇥", "h"]


def test_unknown_characters_are_named(task):
    with pytest.raises(ValueError, match=r"'Q' \(U\+0051 LATIN CAPITAL LETTER Q\) at position 4"):
        task.vocab.encode("the Qat")
    with pytest.raises(ValueError, match=r"'!'"):
        task.vocab.index("!")
    assert task.vocab.unknown("the Qat! Q") == ["Q", "!"]
    # the documented fallback for free typing: drop what the model cannot read
    assert task.vocab.decode(task.vocab.encode("the Qat!", skip_unknown=True)) == "the at"
    with pytest.raises(ValueError, match=r"codes must be in \[0, 27\)"):
        task.vocab.decode([0, 27])
    with pytest.raises(ValueError, match="at least one character"):
        Vocabulary("")
    with pytest.raises(ValueError, match="single characters"):
        Vocabulary(["ab", "c"])


# --------------------------------------------------------------------------- corpora


def test_classroom_corpus_is_generated_deterministically():
    text = classroom_text()
    assert classroom_text() == text
    assert classroom_text(seed=1) != text
    # pinned: the generator uses only random.random(), whose sequence Python keeps fixed, so
    # every machine and version builds this very corpus (update on purpose if the grammar changes)
    generated = classroom_text(include_handwritten=False)
    assert generated.splitlines()[:3] == [
        "a white kitten plays on the sofa",
        "today we eat our lunch at school",
        "my brother is walking home now",
    ]
    digest = hashlib.sha256(generated.encode()).hexdigest()
    assert digest == "8789e250760e6cfb2a1e102bb6b85474b7b63a42108e222fd68a76d54e0a889e"
    assert 50_000 < len(text.encode("utf-8")) < 300_000
    assert text.endswith("\n") and set(text) <= set("abcdefghijklmnopqrstuvwxyz \n")
    lines = text.splitlines()
    # the sentence scorer's lesson: similar sentences are there, their wrong versions never
    assert text.count("the dog is small") > 3 and text.count("the cat is big") > 3
    assert text.count("walking home") > 100 and text.count("walk home after school") > 100
    assert "house" in text and "walking house" not in text
    assert "\nsmall is" not in text and " small is" not in text
    assert text.count("only want to say hi that i") > 100  # the keyboard's prompt, nearly
    # every hand-written sentence is mixed in, but those holding a scored sentence
    handwritten = resource_path("corpora", "classroom.txt").read_text(encoding="utf-8")
    kept = {line for line in handwritten.splitlines() if not any(s in line for s in HELD_OUT)}
    assert len(kept) < len(handwritten.splitlines()) and kept <= set(lines)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_the_demos_sentences_are_nowhere_in_the_classroom_corpus(seed):
    # "never saw" as the model reads: not a line, and not inside a line either (the model
    # could learn a phrase by heart), in the whole text, training and validation alike
    assert set(HELD_OUT) == {*WORD_ORDER, *WORD_CHOICE, KEYBOARD_PROMPT}
    assert set(SCORED_SENTENCES) == {*WORD_ORDER, *WORD_CHOICE}
    text = classroom_text(seed)
    assert len(text.splitlines()) == 4000 + len(
        [
            line
            for line in resource_path("corpora", "classroom.txt").read_text().splitlines()
            if line.strip() and not any(s in line for s in HELD_OUT)
        ]
    )
    for sentence in HELD_OUT:
        assert sentence not in text, sentence


def test_zen_is_decoded_without_printing(capsys, monkeypatch):
    monkeypatch.delitem(sys.modules, "this", raising=False)  # as if never imported
    text = zen_text()
    assert text.startswith("The Zen of Python, by Tim Peters\n")
    assert "Beautiful is better than ugly.\n" in text
    assert capsys.readouterr().out == ""
    assert "this" not in sys.modules  # a later `import this` still prints, as it should


def test_stdlib_corpus_is_python_source_and_capped():
    text = stdlib_text()
    assert "def " in text and "import " in text
    assert len(text) <= corpora.STDLIB_MAX_CHARS
    assert len(stdlib_text(max_chars=5_000)) <= 5_000
    with pytest.raises(CorpusError, match="no Python source found"):
        stdlib_text(modules=("sys",))  # built in: no .py file


def test_load_corpus_dispatch(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("my own text\r\nwith two lines\r\n", encoding="utf-8")
    assert load_corpus("file", path) == "my own text\nwith two lines\n"
    assert load_corpus(CorpusName.ZEN) == zen_text()
    with pytest.raises(CorpusError, match="choose a text file"):
        load_corpus("file", "")
    with pytest.raises(CorpusError, match="unknown corpus 'poems'"):
        load_corpus("poems")


# --------------------------------------------------------------------------- the user's file


def _write(tmp_path: Path, data: bytes, name: str = "f.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"is empty"),
        (b" \n\n\t \r\n", r"holds only white space"),
        (b"aaaaaaaaaa", r"repeats a single character \('a'\)"),
        (b"hello\x00world", r"looks like a binary file.*NUL byte at byte 5"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"looks like a binary file"),
        (b"caf\xe9 au lait\n", r"not UTF-8 text: byte 0xe9 at byte 3 \(line 1\)"),
        (b"ok\nstill ok\n\xff\xfe\xfd", r"not UTF-8 text: byte 0xff at byte 12 \(line 3\)"),
        ("hello".encode("utf-16"), r"is UTF-16 text; rnnviz reads UTF-8"),
    ],
)
def test_bad_files_get_clear_messages(tmp_path, data, message):
    path = _write(tmp_path, data)
    with pytest.raises(CorpusError, match=message) as error:
        load_text_file(path)
    assert str(path) in str(error.value)
    assert isinstance(error.value, ValueError)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CorpusError, match=r"there is no file at .*nope\.txt"):
        load_text_file(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="is a folder, not a text file"):
        load_text_file(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = _write(tmp_path, b"secret text\n")
    path.chmod(0)
    try:
        with pytest.raises(CorpusError, match="cannot be read: permission denied"):
            load_text_file(path)
    finally:
        path.chmod(0o600)


def test_permission_denied_is_explained(tmp_path, monkeypatch):
    # the same message as above, for runs as root (who may read any file)
    path = _write(tmp_path, b"secret text\n")
    real_os_open = os.open

    def refuse(name, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_os_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(CorpusError, match=r"f\.txt cannot be read: permission denied"):
        load_text_file(path)


class _ReadSpy:
    """Stands in for ``open_regular_file`` in rnnviz.tasks.corpora: records every read, refuses
    unbounded ones (so that a regression fails at once instead of reading a huge file or
    device)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.opened: list[str] = []
        self.bytes_read = 0

    def __call__(self, path):
        self.opened.append(str(path))
        real = open_regular_file(path)  # closed by Wrapper.__exit__
        spy = self

        class Wrapper:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                real.close()

            def read(self, size=-1):
                assert size is not None and 0 <= size <= spy.limit, f"unbounded read({size})"
                data = real.read(size)
                spy.bytes_read += len(data)
                return data

        return Wrapper()


def test_too_large_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    spy = _ReadSpy(limit=1001)
    monkeypatch.setattr(corpora, "open_regular_file", spy)
    path = _write(tmp_path, b"x y\n" * 500)  # 2000 bytes, cap 1000
    with pytest.raises(CorpusError, match=r"too large \(2,000 bytes\); the limit is 1,000 bytes"):
        load_text_file(path, max_bytes=1000)
    assert spy.opened == []  # the size came from the file system
    # a sparse 60 MB file (nothing written to disk) against the default 50 MB cap
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(60 * 1024 * 1024)
    with pytest.raises(CorpusError, match=r"too large \(62\.9 MB\); the limit is 52\.4 MB"):
        load_text_file(big)
    assert spy.opened == [] and spy.bytes_read == 0
    # just under the cap is read
    ok = _write(tmp_path, b"ab\n" * 333, "ok.txt")  # 999 bytes
    assert load_text_file(ok, max_bytes=1000) == "ab\n" * 333
    assert spy.bytes_read == 999


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_device_is_refused_without_being_read(monkeypatch):
    # /dev/zero reports size 0 and never ends: refused from its description alone
    # (tests/tasks/test_corpora_hostile.py checks that nothing opens it at all)
    spy = _ReadSpy(limit=0)
    monkeypatch.setattr(corpora, "open_regular_file", spy)
    with pytest.raises(CorpusError, match="/dev/zero is a device, not a text file"):
        load_text_file("/dev/zero", max_bytes=4096)
    assert spy.opened == [] and spy.bytes_read == 0


def test_good_file_is_normalised(tmp_path):
    path = _write(tmp_path, "\ufeffLine one\r\nLine two\rthree ✓\n".encode())
    assert load_text_file(str(path)) == "Line one\nLine two\nthree ✓\n"


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"corpus": "poems"}, r"corpus must be one of 'classroom', 'zen', 'stdlib', 'file'"),
        ({"validation_fraction": 0}, r"validation_fraction .* between 0\.01 and 0\.5, got 0"),
        ({"validation_fraction": 0.9}, r"and 0\.5, got 0\.9"),
        ({"path": 3}, r"path must be a file name"),
        ({"seed": 1.5}, r"seed must be a whole number"),
    ],
)
def test_config_explains_mistakes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TextConfig(**kwargs)


def test_config_accepts_names_and_paths(tmp_path):
    config = TextConfig(corpus="file", path=tmp_path / "a.txt")
    assert config.corpus is CorpusName.FILE and config.path == str(tmp_path / "a.txt")
    assert TextConfig().corpus == "classroom"
    # settings arrive one at a time, so either order of corpus and path is a valid config...
    assert TextConfig(corpus="zen", path="a.txt").path == "a.txt"
    assert TextConfig(corpus="file").path == ""
    # ...and a file corpus without a file is explained when the task loads it
    with pytest.raises(CorpusError, match="choose a text file to learn from"):
        TextTask(TextConfig(corpus="file"))


def test_task_from_a_file_and_bad_sizes(tmp_path):
    path = _write(tmp_path, ("the quick brown fox jumps over the lazy dog\n" * 20).encode())
    task = TextTask(TextConfig(corpus="file", path=str(path)))
    assert task.text == path.read_text() and task.input_size == task.output_size == 28
    with pytest.raises(ValueError, match=r"too short for 16 sequences of 64 characters"):
        task.batch(np.random.default_rng(0), 16, 64)
    with pytest.raises(ValueError, match="batch_size must be a whole number ≥ 1"):
        task.batch(np.random.default_rng(0), 0, 8)
    # a short text has a short validation split: it is read in fewer streams
    short = TextTask(text="the cat is small\n" * 8)
    assert len(short.validation_text) == 17
    assert [(b.seq_len, b.batch_size) for b in short.validation_batches(16, 8)] == [(1, 16)]
    assert short.evaluate(TransitionModel(np.full((12, 12), 1 / 12)))["loss"] == pytest.approx(
        math.log(12)
    )
    with pytest.raises(CorpusError, match="too short to learn from: 11 characters"):
        TextTask(text="hello world")
    with pytest.raises(CorpusError, match="is empty"):
        TextTask(TextConfig(corpus="file", path=str(_write(tmp_path, b"", "e.txt"))))


# --------------------------------------------------------------------------- batches


def test_split_is_at_a_line_start_and_complete(task):
    assert task.train_text + task.validation_text == task.text
    assert task.train_text.endswith("\n")
    n = len(task.text)
    assert 0.08 * n < len(task.validation_text) < 0.12 * n
    zen = TextTask(TextConfig(corpus="zen"))
    assert zen.train_text + zen.validation_text == zen.text


def test_batches_are_one_hot_next_character_pairs():
    task = TextTask()
    rng = np.random.default_rng(0)
    T, B = 12, 5
    batch = task.batch(rng, B, T)
    V = task.vocab.size
    assert batch.x.shape == (T, B, V) and batch.x.dtype == np.float32
    assert batch.targets.shape == (T, B) and batch.targets.dtype == np.int64
    assert batch.mask is None
    np.testing.assert_array_equal(batch.x.sum(axis=2), 1)
    inputs = batch.x.argmax(axis=2)  # (T, B)
    for b, start in enumerate(batch.extra["positions"]):
        assert task.vocab.decode(inputs[:, b]) == task.train_text[start : start + T]
        assert task.vocab.decode(batch.targets[:, b]) == task.train_text[start + 1 : start + T + 1]
    # the streams are far apart: each reads its own part of the text
    assert np.all(np.diff(batch.extra["positions"]) == (len(task.train_text) - 1) // B)
    assert not batch.extra["continues"]


def test_consecutive_batches_continue_the_streams():
    task = TextTask()
    rng = np.random.default_rng(1)
    T, B = 16, 8
    L = (len(task.train_text) - 1) // B
    # the walk starts at a random offset below T: L // T − 1 batches always fit
    batches = [task.batch(rng, B, T) for _ in range(L // T - 1)]
    assert not batches[0].extra["continues"]
    for previous, current in itertools.pairwise(batches):
        assert current.extra["continues"]
        # stream b's next input is the target of its last step
        np.testing.assert_array_equal(current.x[0].argmax(axis=1), previous.targets[-1])
        np.testing.assert_array_equal(current.extra["positions"], previous.extra["positions"] + T)
    # past the end of the streams the walk starts again, and says so
    wrapped = task.batch(rng, B, T)
    if wrapped.extra["continues"]:  # the offset left room for one more
        assert wrapped.extra["positions"][0] + T <= L
        wrapped = task.batch(rng, B, T)
    assert not wrapped.extra["continues"]
    assert wrapped.extra["positions"][0] < T
    # a new batch size starts a new walk too
    assert task.batch(rng, B, T).extra["continues"]
    assert not task.batch(rng, B + 1, T).extra["continues"]
    task.reset()
    assert not task.batch(rng, B + 1, T).extra["continues"]


def test_example_starts_a_line_and_leaves_the_walk_alone():
    task = TextTask()
    rng = np.random.default_rng(4)
    first = task.batch(rng, 4, 10)
    example = task.example(np.random.default_rng(5), 40)
    assert example.x.shape == (40, 1, task.vocab.size)
    start = int(example.extra["positions"][0])
    assert start == 0 or task.train_text[start - 1] == "\n"
    assert task.vocab.decode(example.targets[:, 0]) == task.train_text[start + 1 : start + 41]
    again = task.example(np.random.default_rng(5), 40)
    np.testing.assert_array_equal(again.targets, example.targets)  # fixed for a run
    second = task.batch(rng, 4, 10)
    assert second.extra["continues"]
    np.testing.assert_array_equal(second.extra["positions"], first.extra["positions"] + 10)
    with pytest.raises(ValueError, match="too short for a sequence of 200000 characters"):
        task.example(rng, 200_000)


def test_state_round_trip_continues_the_walk():
    task = TextTask()
    rng = np.random.default_rng(6)
    for _ in range(3):
        task.batch(rng, 8, 20)
    saved = task.state()
    expected = task.batch(rng, 8, 20)  # what comes next
    assert int(saved["walk_batch_size"]) == 8
    assert int(saved["walk_position"]) == int(expected.extra["positions"][0])
    fresh = TextTask()
    assert int(fresh.state()["walk_batch_size"]) == 0
    fresh.load_state(saved)
    resumed = fresh.batch(np.random.default_rng(99), 8, 20)  # the rng is not needed to go on
    assert resumed.extra["continues"]
    np.testing.assert_array_equal(resumed.extra["positions"], expected.extra["positions"])
    np.testing.assert_array_equal(resumed.x, expected.x)
    with pytest.raises(ValueError, match="holds walk_batch_size, walk_position"):
        fresh.load_state({"walk_position": np.array(3)})
    with pytest.raises(ValueError, match="walk_position must be a whole number ≥ 0"):
        fresh.load_state({"walk_batch_size": np.array(8), "walk_position": np.array(-1)})
    with pytest.raises(ValueError, match="past the end of 8 streams"):
        fresh.load_state({"walk_batch_size": np.array(8), "walk_position": np.array(10**9)})


def test_validation_batches_count_every_target_once(task):
    B, T = 7, 50
    batches = list(task.validation_batches(B, T))
    L = (len(task.validation_text) - 1) // B
    assert sum(b.seq_len for b in batches) == L
    assert batches[-1].seq_len <= T
    for b in range(B):
        stream = np.concatenate([batch.targets[:, b] for batch in batches])
        assert task.vocab.decode(stream) == task.validation_text[b * L + 1 : (b + 1) * L + 1]


def test_metrics_and_predictions(task):
    batch = task.batch(np.random.default_rng(2), 4, 10)
    V = task.vocab.size
    perfect = np.where(np.eye(V, dtype=bool)[batch.targets], 20.0, -20.0)  # (T, B, V)
    scores = task.metrics(perfect, batch)
    assert scores["accuracy"] == 1.0 and scores["bits_per_char"] < 1e-10
    uniform = task.metrics(np.zeros((10, 4, V)), batch)
    assert uniform["bits_per_char"] == pytest.approx(math.log2(V))
    logits = np.random.default_rng(3).normal(size=(10, 4, V)).astype(np.float32)
    p = task.predictions(logits, batch)
    np.testing.assert_array_equal(p["text"], batch.x[:, 0].argmax(axis=1))
    assert p["top_chars"].shape == p["top_probs"].shape == (10, task.TOP_K)
    assert np.all(np.diff(p["top_probs"], axis=1) <= 0)  # most likely first
    np.testing.assert_array_equal(p["top_chars"][:, 0], logits[:, 0].argmax(axis=1))
    np.testing.assert_allclose(
        p["top_probs"][:, 0], softmax(logits[:, 0].astype(np.float64)).max(axis=1)
    )


# --------------------------------------------------------------------------- model helpers


class TransitionModel:
    """A stand-in model whose next-character scores depend only on the current character:
    logits = log P[c_t], a fixed transition table (a bigram model with a ``forward``)."""

    def __init__(self, P: np.ndarray) -> None:
        self.logP = np.log(P)  # (V, V)

    def forward(self, x, h0=None):
        codes = x.argmax(axis=2)  # (T, B)
        return self.logP[codes].astype(np.float32), None, None


class CounterModel:
    """A stand-in model that spells ``word``: after reading n characters in total it predicts
    word[n]. It knows n only through its state, so it tests that the state is carried."""

    def __init__(self, vocab: Vocabulary, word: str) -> None:
        self.vocab, self.codes = vocab, vocab.encode(word)

    def forward(self, x, h0=None):
        T, B, V = x.shape
        n0 = 0 if h0 is None else int(h0[0, 0, 0])
        out = np.full((T, B, V), -10.0, dtype=np.float32)
        for t in range(T):
            out[t, :, self.codes[(n0 + t + 1) % len(self.codes)]] = 10.0
        return out, np.full((1, B, 1), n0 + T), None


@pytest.fixture
def abc() -> tuple[Vocabulary, TransitionModel, np.ndarray]:
    vocab = Vocabulary("\nabc")
    P = np.array(
        [
            [0.05, 0.6, 0.3, 0.05],  # after "\n"
            [0.1, 0.1, 0.5, 0.3],  # after "a": b likeliest
            [0.1, 0.2, 0.1, 0.6],  # after "b": c
            [0.4, 0.3, 0.2, 0.1],  # after "c": "\n"
        ]
    )
    return vocab, TransitionModel(P), P


def test_next_char_distribution_reads_the_line_start(abc):
    vocab, model, P = abc
    np.testing.assert_allclose(next_char_distribution(model, vocab, "ab"), P[2], rtol=1e-6)
    # an empty prefix is a new line: the distribution of first characters
    np.testing.assert_allclose(next_char_distribution(model, vocab, ""), P[0], rtol=1e-6)
    with pytest.raises(ValueError, match="type at least one character"):
        next_char_distribution(model, vocab, "", start="")
    with pytest.raises(ValueError, match=r"'z'.*at position 3"):
        next_char_distribution(model, vocab, "abz")  # position 3: after the line start
    cold = next_char_distribution(model, vocab, "ab", temperature=0.5)
    np.testing.assert_allclose(cold, P[2] ** 2 / (P[2] ** 2).sum(), rtol=1e-5)


def test_greedy_completion_follows_the_likeliest_characters(abc):
    vocab, model, _ = abc
    assert greedy_completion(model, vocab, "a", 5) == "bc\nab"
    assert greedy_completion(model, vocab, "a", 5, stop="\n") == "bc\n"
    assert greedy_completion(model, vocab, "a", 0) == ""


def test_state_is_carried_while_generating():
    vocab = Vocabulary.from_text("hello world")
    model = CounterModel(vocab, "hello world")
    assert greedy_completion(model, vocab, "he", 7, start="") == "llo wor"
    assert sample(model, vocab, "hel", 4, rng=np.random.default_rng(0), start="") == "lo w"


def test_low_temperature_is_greedy_and_top_k_limits_the_choice(abc):
    vocab, model, P = abc
    rng = np.random.default_rng(0)
    greedy = greedy_completion(model, vocab, "a", 30)
    for _ in range(5):
        assert sample(model, vocab, "a", 30, temperature=0.01, rng=rng) == greedy
        assert sample(model, vocab, "a", 30, temperature=5.0, top_k=1, rng=rng) == greedy
    # top-2 after "a" keeps b (0.5) and c (0.3) only, renormalised
    draws = [sample(model, vocab, "a", 1, top_k=2, rng=rng) for _ in range(3000)]
    assert set(draws) == {"b", "c"}
    assert draws.count("b") / len(draws) == pytest.approx(0.5 / 0.8, abs=0.03)
    # at temperature 1 the samples follow the model; hot ones are flatter
    draws = [sample(model, vocab, "a", 1, rng=rng) for _ in range(4000)]
    freq = np.array([draws.count(c) for c in vocab.chars]) / len(draws)
    np.testing.assert_allclose(freq, P[1], atol=0.03)
    hot = [sample(model, vocab, "a", 1, temperature=20.0, rng=rng) for _ in range(4000)]
    assert hot.count("b") / len(hot) < 0.35 < freq[vocab.index("b")]


def test_sampling_is_repeatable_with_a_seed(abc):
    vocab, model, _ = abc
    a = sample(model, vocab, "a", 50, rng=np.random.default_rng(7))
    assert a == sample(model, vocab, "a", 50, rng=np.random.default_rng(7))
    assert a != sample(model, vocab, "a", 50, rng=np.random.default_rng(8))


def test_a_continuation_drawn_step_by_step_is_the_sample_and_runs_the_model_lazily(abc):
    """A window draws a sample a few characters per turn: the same characters as ``sample``,
    and the model reads a chosen character only when the next one is asked for."""
    vocab, model, _ = abc
    calls = []
    forward = model.forward

    def counted(x, h0=None):
        calls.append(x.shape[0])
        return forward(x, h0)

    model.forward = counted
    continuation = Continuation(model, vocab, "a", sampling(1.3, rng=np.random.default_rng(7)))
    assert calls == [2] and continuation.codes == []  # "\n" and "a" read, nothing chosen
    steps = [continuation.step() for _ in range(50)]
    assert len(calls) == 50  # the 50th character is chosen but not read
    assert "".join(steps) == continuation.text
    assert continuation.text == sample(model, vocab, "a", 50, 1.3, rng=np.random.default_rng(7))


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), float("inf"), True, "1"])
def test_temperature_must_be_positive(abc, temperature):
    vocab, model, _ = abc
    with pytest.raises(ValueError, match="temperature must be a number > 0"):
        sample(model, vocab, "a", 3, temperature=temperature)
    with pytest.raises(ValueError, match="temperature must be a number > 0"):
        softmax_with_temperature(np.zeros(3), temperature)


@pytest.mark.parametrize("top_k", [0, -2, 1.5])
def test_top_k_must_be_at_least_one(abc, top_k):
    vocab, model, _ = abc
    with pytest.raises(ValueError, match="top_k must be a whole number ≥ 1"):
        sample(model, vocab, "a", 3, top_k=top_k)


def test_softmax_with_temperature():
    z = np.array([1.0, 3.0, 2.0, 3.0])
    np.testing.assert_allclose(softmax_with_temperature(z), softmax(z))
    np.testing.assert_allclose(softmax_with_temperature(z, 0.5), softmax(2 * z))
    top2 = softmax_with_temperature(z, top_k=2)  # the tie at 3.0: both kept
    np.testing.assert_allclose(top2, [0, 0.5, 0, 0.5])
    top1 = softmax_with_temperature(z, top_k=1)  # ties go to the lower code
    np.testing.assert_allclose(top1, [0, 1, 0, 0])
    np.testing.assert_allclose(softmax_with_temperature(z, top_k=10), softmax(z))
    # a vanishing temperature is the argmax (shared by ties), without overflow
    np.testing.assert_array_equal(softmax_with_temperature(z, 1e-300), [0, 0.5, 0, 0.5])
    np.testing.assert_array_equal(softmax_with_temperature(z * 1e300, 1e-300), [0, 0.5, 0, 0.5])


def test_sentence_log_prob_sums_the_characters_and_the_line_end(abc):
    vocab, model, P = abc
    # "\n" → a → b → c → "\n"
    expected = math.log(P[0, 1] * P[1, 2] * P[2, 3] * P[3, 0])
    assert sentence_log_prob(model, vocab, "abc") == pytest.approx(expected, rel=1e-6)
    per_char = char_log_probs(model, vocab, "abc")
    np.testing.assert_allclose(per_char, np.log([P[0, 1], P[1, 2], P[2, 3]]), rtol=1e-6)
    # without a start the first character is only read, not scored
    np.testing.assert_allclose(
        char_log_probs(model, vocab, "abc", start=""), np.log([P[1, 2], P[2, 3]]), rtol=1e-6
    )
    assert sentence_log_prob(model, vocab, "") == pytest.approx(math.log(P[0, 0]), rel=1e-6)
    with pytest.raises(ValueError, match="'d'"):
        sentence_log_prob(model, vocab, "abd")


def test_text_facts_state_the_ngram_tables_and_fingerprint_the_training_text():
    task = TextTask()
    facts = task.facts()
    assert isinstance(facts, TextFacts) and facts.symbols == task.vocab.chars
    assert facts.baseline_values() == task.baselines()
    V = task.vocab.size
    assert [(t.name, t.order) for t in facts.ngram_tables] == [
        ("bigram", 2),
        ("trigram", 3),
        ("4-gram", 4),
    ]
    for table in facts.ngram_tables:
        n = table.order
        seen = {task.train_text[i : i + n] for i in range(len(task.train_text) - n + 1)}
        assert (table.entries, table.possible) == (len(seen), V**n)
    # RAM grows with the combinations: a table of every 4-gram dwarfs the ones seen
    assert facts.ngram_tables[-1].possible > 100 * facts.ngram_tables[-1].entries
    assert facts.train_digest == text_digest(task.train_text)
    assert task.facts() is facts  # counted once


def test_the_text_digest_tells_texts_apart_in_chunks(monkeypatch):
    import rnnviz.tasks.text as text_module

    text = "the cat is small\n" * 50
    digest = text_digest(text)
    assert len(digest) == 32 and digest == text_digest(str(text))
    assert text_digest(text[:-1]) != digest and text_digest(text.upper()) != digest
    monkeypatch.setattr(text_module, "CHUNK", 7)  # many chunks: the same fingerprint
    assert text_digest(text) == digest
