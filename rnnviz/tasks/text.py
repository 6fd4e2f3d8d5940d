"""The character language model: predict the next character of a text (the predictive
keyboard, the sentence scorer and live samples of the lecture's "Language models" slide).

The text c_1 … c_N is written with a vocabulary of V characters (the sorted set of those in the
text; at most ``TextTask.MAX_VOCABULARY`` = 256: a text with more keeps its 255 most frequent
and reads every other one as ``FOLD_CHAR``, "�", so that a file of rare characters cannot make
the model huge). At every step the model reads one character, one-hot encoded, and outputs V scores
z_t (logits) for the character that follows:

    x_t = onehot(c_t) ∈ {0, 1}^V,     target y_t = c_{t+1},     P(c | c_1 … c_t) = softmax(z_t)_c

Training batches walk through the training text in B parallel streams: the text is cut into B
equal parts and batch k holds characters kT … (k + 1)T − 1 of every part, so batch k + 1
continues exactly where batch k stopped. The trainer carries the hidden state from one batch to
the next (``carries_state``): truncated back-propagation through time, where the state flows
through the whole text but the gradient only through the T steps of a batch.

The loss is the cross-entropy in nats per character; bits per character is the same number
divided by ln 2. Uniform guessing scores log V; the n-gram baselines (rnnviz.tasks.ngram) show
what the Markov assumption reaches.

Sampling turns the scores into a distribution with a temperature τ > 0, optionally keeping only
the k most likely characters (top-k):

    p_c = exp(z_c / τ) / Σ_{u ∈ top-k} exp(z_u / τ)   for c in the top k, 0 otherwise

τ → 0 approaches the greedy choice argmax z (the phone keyboard's suggestion), τ = 1 is the
model's own distribution, τ > 1 flattens it towards uniform.

A sentence s_1 … s_m is scored the way the model read its training lines: after a line start
(``start = "\\n"``) and up to and including the line end (``end = "\\n"``), so that "the
sentence ends here" counts too:

    log P(s) = Σ_{i=1}^{m+1} log P(w_i | start, w_1 … w_{i−1}),    w = s_1 … s_m end

A model here is anything with ``forward(x, h0) -> (outputs, h_n, cache)``, x (T, B, V) and
outputs (T, B, V) logits, such as ``rnnviz.training.model.SequenceModel``; the helpers run it
with B = 1. A bidirectional model is not a language model (its backward direction reads the
future), so its samples and scores mean little.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from rnnviz.core.losses import log_softmax, softmax
from rnnviz.tasks.base import Batch, Task
from rnnviz.tasks.corpora import CorpusError, check_text_file, load_corpus
from rnnviz.tasks.ngram import CharNGram
from rnnviz.tasks.setting import Setting, check_fields
from rnnviz.tasks.vocabulary import CHUNK, Vocabulary

__all__ = [
    "FOLD_CHAR",
    "START",
    "CorpusName",
    "TextConfig",
    "TextTask",
    "Vocabulary",
    "char_log_probs",
    "fold_rare_characters",
    "greedy_completion",
    "next_char_distribution",
    "sample",
    "sentence_log_prob",
    "softmax_with_temperature",
]

#: The line start: the context a sentence or a prompt is read after.
START = "\n"

#: What a character left out of a text's vocabulary reads as (U+FFFD REPLACEMENT CHARACTER).
FOLD_CHAR = "\ufffd"

# --------------------------------------------------------------------------- configuration


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


# --------------------------------------------------------------------------- rare characters


def fold_rare_characters(text: str, max_vocabulary: int) -> tuple[str, int]:
    """``text`` written with at most ``max_vocabulary`` different characters.

    A text with more keeps its ``max_vocabulary − 1`` most frequent characters (ties go to the
    lower code point) and every other one becomes ``FOLD_CHAR``, which a text may already hold.
    The counts are taken in chunks of at most ``CHUNK`` characters, so the temporary arrays
    stay small whatever the text's length.

    Returns
    -------
    text : str
        ``text`` itself when it has at most ``max_vocabulary`` different characters.
    folded : int
        How many different characters (other than ``FOLD_CHAR``) were replaced.
    """
    max_vocabulary = _whole("max_vocabulary", max_vocabulary, minimum=2)
    if len(set(text)) <= max_vocabulary:
        return text, 0
    counts = np.zeros(0x110000, dtype=np.int64)  # one per code point, 8.9 MB
    for begin in range(0, len(text), CHUNK):
        chunk = text[begin : begin + CHUNK]
        points = np.frombuffer(chunk.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        counts += np.bincount(points, minlength=counts.size)
    counts[ord(FOLD_CHAR)] = 0  # it stays whatever its count: the others fold into it
    present = np.flatnonzero(counts)  # (n,) in code-point order
    by_count = present[np.argsort(-counts[present], kind="stable")]  # (n,) ties: lower first
    rare = by_count[max_vocabulary - 1 :]
    return text.translate(dict.fromkeys(rare.tolist(), FOLD_CHAR)), len(rare)


# --------------------------------------------------------------------------- the task


def _whole(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


class TextTask(Task):
    """Next-character prediction on a corpus, in B continuing streams (see the module docstring).

    Parameters
    ----------
    config : TextConfig, optional
        Which corpus; the classroom corpus by default.
    text : str, optional
        Use this text instead of loading ``config.corpus`` (already loaded, or for tests).

    Attributes
    ----------
    text : str
        The whole corpus, with its rare characters folded into ``FOLD_CHAR`` when it has more
        than ``MAX_VOCABULARY`` different ones.
    vocab : Vocabulary
        Its characters; ``input_size == output_size == vocab.size`` ≤ ``MAX_VOCABULARY``.
    folded_chars : int
        How many different characters of the corpus were folded into ``FOLD_CHAR`` (0 when
        none were): tell the user, e.g. with :meth:`folding_note`.
    train_text, validation_text : str
        The split: the validation text is the end of the corpus, from a line start.

    Notes
    -----
    ``x`` (T, B, V) float32 one-hot, ``targets`` (T, B) int64, no mask, and ``extra``:
    ``"positions"`` (B,) where each stream's inputs start in ``train_text``, and
    ``"continues"`` (0-d bool) True when this batch continues the previous one (False on the
    first batch, after the walk wrapped round to the start, or after the batch size changed):
    the trainer should start from a zero state when it is False.
    """

    name: ClassVar[str] = "text"
    kind: ClassVar[str] = "classification"
    carries_state: ClassVar[bool] = True
    #: Every baseline is a loss in nats per character, drawn on the loss plot.
    baseline_metrics: ClassVar[dict[str, str]] = {
        "uniform": "loss",
        "unigram": "loss",
        "bigram": "loss",
        "trigram": "loss",
    }
    baseline_help: ClassVar[dict[str, str]] = {
        "uniform": "the loss of calling every character equally likely",
        "unigram": "the loss of predicting each character by its frequency alone",
        "bigram": "the loss of predicting each character from the one before it",
        "trigram": "the loss of predicting each character from the two before it",
    }

    #: The text must have at least this many characters.
    MIN_CHARS: ClassVar[int] = 100
    #: The validation text is at most this long (enough for a loss good to about ±0.01).
    MAX_VALIDATION_CHARS: ClassVar[int] = 50_000
    #: The n-gram baselines are counted on at most this many training characters.
    NGRAM_MAX_CHARS: ClassVar[int] = 5_000_000
    #: How many candidates ``predictions`` lists per step.
    TOP_K: ClassVar[int] = 5
    #: The most characters a vocabulary holds: the 255 most frequent of the text and
    #: ``FOLD_CHAR`` for all the others. The model's size and time grow with V (a 500 kB file
    #: of 130,000 different characters made a 6.5 GB model and took 96 s per update), while
    #: 256 hold every letter, digit and sign of a European language or of source code.
    MAX_VOCABULARY: ClassVar[int] = 256

    def __init__(self, config: TextConfig | None = None, *, text: str | None = None) -> None:
        self.config = config if config is not None else TextConfig()
        if text is None:
            text = load_corpus(self.config.corpus.value, self.config.path, self.config.seed)
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if len(text) < self.MIN_CHARS:
            raise CorpusError(
                f"the text is too short to learn from: {len(text)} characters; the model "
                f"needs at least {self.MIN_CHARS}"
            )
        chars = set(text)  # once: a set of a long text takes a while (0.7 s for 50 MB)
        self.folded_chars = 0
        if len(chars) > self.MAX_VOCABULARY:
            text, self.folded_chars = fold_rare_characters(text, self.MAX_VOCABULARY)
            chars = set(text)
        self.text = text
        self.vocab = Vocabulary(chars)
        if self.vocab.size < 2:
            raise CorpusError("the text repeats a single character: there is nothing to predict")
        V = self.vocab.size
        self.input_size = V
        self.output_size = V

        # the validation text is the end of the corpus, starting at a line start when there is
        # one near the cut (up to half its length earlier, else later), so that it begins like
        # a fresh sentence
        n_val = min(
            self.MAX_VALIDATION_CHARS, max(2, round(len(text) * self.config.validation_fraction))
        )
        cut = len(text) - n_val
        line_end = text.rfind("\n", cut - n_val // 2, cut)
        if line_end < 0:
            line_end = text.find("\n", cut, cut + n_val // 2)
        if line_end >= 0:
            cut = line_end + 1
        self.train_text = text[:cut]
        self.validation_text = text[cut:]
        self._code_dtype = np.uint8 if V <= 256 else (np.uint16 if V <= 65536 else np.int32)
        self._train = self.vocab.encode(self.train_text, dtype=self._code_dtype)  # (N,)
        self._validation = self.vocab.encode(self.validation_text, dtype=self._code_dtype)

        self._walk_batch_size: int | None = None  # B of the current walk
        self._walk_position = 0  # where the next batch starts within each stream
        self._ngrams: dict[int, CharNGram] = {}
        self._baselines: dict[str, float] | None = None

    def note(self) -> str:
        """The folding note (``folding_note``): what a user of this text must be told."""
        return self.folding_note()

    def folding_note(self) -> str:
        """What to tell the user about folded characters, e.g. "129,744 rare characters are
        shown as �"; "" when none were folded."""
        if not self.folded_chars:
            return ""
        one = self.folded_chars == 1
        return (
            f"{self.folded_chars:,} rare character{'' if one else 's'} "
            f"{'is' if one else 'are'} shown as {FOLD_CHAR}"
        )

    # ------------------------------------------------------------------ batches

    def reset(self) -> None:
        """Start the walk through the training text again (the next batch does not continue)."""
        self._walk_batch_size = None

    def _streams(self, codes: np.ndarray, batch_size: int, seq_len: int, what: str) -> int:
        """The length L of each of ``batch_size`` streams over ``codes`` (inputs and targets)."""
        L = (len(codes) - 1) // batch_size
        if L < seq_len:
            raise ValueError(
                f"the {what} text ({len(codes)} characters) is too short for {batch_size} "
                f"sequences of {seq_len} characters; use fewer or shorter sequences, or a "
                "longer text"
            )
        return L

    def _make_batch(self, codes: np.ndarray, starts: np.ndarray, seq_len: int) -> Batch:
        """Inputs codes[s : s + T] and targets codes[s + 1 : s + T + 1] for each start s."""
        index = starts[None, :] + np.arange(seq_len)[:, None]  # (T, B)
        inputs = codes[index].astype(np.int64)  # (T, B)
        targets = codes[index + 1].astype(np.int64)  # (T, B)
        x = self.vocab.one_hot(inputs)  # (T, B, V)
        return Batch(x=x, targets=targets, extra={"positions": starts.astype(np.int64)})

    def batch(self, rng: np.random.Generator, batch_size: int, seq_len: int) -> Batch:
        """The next ``seq_len`` characters of each of ``batch_size`` streams.

        ``rng`` only chooses where a new walk starts (an offset below ``seq_len``), so that the
        cuts between batches fall in different places on each pass through the text.
        """
        B = _whole("batch_size", batch_size)
        T = _whole("seq_len", seq_len)
        L = self._streams(self._train, B, T, "training")
        continues = self._walk_batch_size == B and self._walk_position + T <= L
        if not continues:
            self._walk_batch_size = B
            self._walk_position = int(rng.integers(0, min(T, L - T + 1)))
        starts = np.arange(B) * L + self._walk_position  # (B,)
        self._walk_position += T
        batch = self._make_batch(self._train, starts, T)
        return Batch(
            batch.x,
            batch.targets,
            extra={**batch.extra, "continues": np.array(continues)},
        )

    def example(self, rng: np.random.Generator, seq_len: int) -> Batch:
        """One sequence (B = 1) for the views: ``seq_len`` characters of the training text from
        a line start chosen by ``rng``, so that it reads from the beginning of a sentence. The
        walk of :meth:`batch` is not touched."""
        T = _whole("seq_len", seq_len)
        last = len(self._train) - T - 1  # the latest start that leaves room for the targets
        if last < 0:
            raise ValueError(
                f"the training text ({len(self._train)} characters) is too short for a sequence "
                f"of {T} characters; use shorter sequences or a longer text"
            )
        starts = np.array([0], dtype=np.int64)
        if "\n" in self.vocab:
            after_newline = np.flatnonzero(self._train[:last] == self.vocab.index("\n")) + 1
            starts = np.concatenate([starts, after_newline])  # (lines,)
        start = int(starts[rng.integers(len(starts))])
        batch = self._make_batch(self._train, np.array([start]), T)
        return Batch(batch.x, batch.targets, extra={**batch.extra, "continues": np.array(False)})

    def state(self) -> dict[str, np.ndarray]:
        """Where the walk through the training text has got to (saved with a session):
        ``walk_batch_size`` (0 before the first batch) and ``walk_position``."""
        return {
            "walk_batch_size": np.array(self._walk_batch_size or 0, dtype=np.int64),
            "walk_position": np.array(self._walk_position, dtype=np.int64),
        }

    def load_state(self, state: Mapping[str, np.ndarray]) -> None:
        """Restore :meth:`state`, so that a reopened session continues the same streams."""
        keys = {"walk_batch_size", "walk_position"}
        if set(state) != keys:
            raise ValueError(
                f"the text task's state holds {', '.join(sorted(keys))}, got "
                f"{', '.join(sorted(state)) or 'nothing'}"
            )
        values = {}
        for key in keys:
            a = np.asarray(state[key])
            if a.shape != () or a.dtype.kind not in "iu" or int(a) < 0:
                raise ValueError(f"the text task's {key} must be a whole number ≥ 0, got {a!r}")
            values[key] = int(a)
        B, position = values["walk_batch_size"], values["walk_position"]
        if B and (len(self._train) - 1) // B < position:
            raise ValueError(
                f"the saved text position {position} is past the end of {B} streams of this "
                "text: was the session saved with another corpus?"
            )
        self._walk_batch_size = B or None
        self._walk_position = position

    def validation_batches(self, batch_size: int = 16, seq_len: int = 64) -> Iterator[Batch]:
        """The whole validation text in ``batch_size`` continuing streams, ``seq_len`` steps
        at a time (the last batch may be shorter). Every target is counted once; a validation
        text shorter than ``batch_size + 1`` characters is read in fewer streams."""
        B = min(_whole("batch_size", batch_size), len(self._validation) - 1)
        T = _whole("seq_len", seq_len)
        L = self._streams(self._validation, B, 1, "validation")
        for position in range(0, L, T):
            starts = np.arange(B) * L + position  # (B,)
            yield self._make_batch(self._validation, starts, min(T, L - position))

    def evaluate(self, model: Any, batch_size: int = 16, seq_len: int = 64) -> dict[str, float]:
        """The model's loss (nats per character), accuracy and bits per character on the
        validation text, carrying the state through each stream from a zero start."""
        total = correct = count = 0.0
        h = None
        for batch in self.validation_batches(batch_size, seq_len):
            outputs, h, _ = model.forward(batch.x, h)  # (T, B, V)
            logp = log_softmax(np.asarray(outputs, dtype=np.float64))  # (T, B, V)
            picked = np.take_along_axis(logp, batch.targets[..., None], axis=-1)[..., 0]
            total -= float(picked.sum())
            correct += float((logp.argmax(axis=-1) == batch.targets).sum())
            count += batch.targets.size
        loss = total / count
        return {"loss": loss, "accuracy": correct / count, "bits_per_char": loss / math.log(2)}

    # ------------------------------------------------------------------ scores

    def metrics(self, outputs: np.ndarray, batch: Batch) -> dict[str, float]:
        """``accuracy`` (the most likely character is the next one) and ``bits_per_char``
        (the cross-entropy / ln 2), over the counted positions."""
        logp = log_softmax(np.asarray(outputs, dtype=np.float64))  # (T, B, V)
        picked = np.take_along_axis(logp, batch.targets[..., None], axis=-1)[..., 0]  # (T, B)
        hit = (logp.argmax(axis=-1) == batch.targets).astype(np.float64)  # (T, B)
        w = np.ones(hit.shape) if batch.mask is None else np.asarray(batch.mask, np.float64)
        total = w.sum()
        nats = -float((w * picked).sum() / total)
        return {"accuracy": float((w * hit).sum() / total), "bits_per_char": nats / math.log(2)}

    def ngram(self, order: int) -> CharNGram:
        """The n-gram model of ``order`` counted on the training text (cached), over the task's
        vocabulary; its ``table_size`` is what the lesson compares with the RNN's parameters."""
        if order not in self._ngrams:
            fit_on = self.train_text[: self.NGRAM_MAX_CHARS]
            self._ngrams[order] = CharNGram(fit_on, order=order, vocab=self.vocab)
        return self._ngrams[order]

    def metric_labels(self) -> dict[str, str]:
        return {"uniform": "uniform guess"}

    def symbols(self) -> tuple[str, ...]:
        """The vocabulary's characters: code ``i`` is ``symbols()[i]``."""
        return self.vocab.chars

    def baselines(self) -> dict[str, float]:
        """Validation losses in nats per character: ``uniform`` (log V) and the ``unigram``,
        ``bigram`` and ``trigram`` models counted on the training text."""
        if self._baselines is None:
            baselines = {"uniform": math.log(self.vocab.size)}
            for order, name in ((1, "unigram"), (2, "bigram"), (3, "trigram")):
                baselines[name] = self.ngram(order).loss(self.validation_text)
            self._baselines = baselines
        return dict(self._baselines)

    def predictions(self, outputs: np.ndarray, batch: Batch) -> dict[str, np.ndarray]:
        """For the first sequence: ``text`` (T,) the input character codes, ``top_chars``
        (T, k) the k most likely next characters (most likely first) and ``top_probs`` (T, k)
        their probabilities, k = min(TOP_K, V)."""
        probs = softmax(np.asarray(outputs[:, 0], dtype=np.float64))  # (T, V)
        k = min(self.TOP_K, self.vocab.size)
        top = np.argsort(-probs, axis=-1, kind="stable")[:, :k]  # (T, k)
        return {
            "text": np.argmax(batch.x[:, 0], axis=-1).astype(np.int64),  # (T,)
            "top_chars": top.astype(np.int64),
            "top_probs": np.take_along_axis(probs, top, axis=-1),  # (T, k)
        }


# --------------------------------------------------------------------------- model helpers


def softmax_with_temperature(
    logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None
) -> np.ndarray:
    """The sampling distribution of the module docstring: softmax(z / τ) over the top k.

    Parameters
    ----------
    logits : ndarray, (V,)
    temperature : float
        τ > 0.
    top_k : int, optional
        Keep only the k ≥ 1 highest scores (ties broken towards the lower code); all when None.

    Returns
    -------
    ndarray, (V,), float64, summing to 1
    """
    temperature = _check_temperature(temperature)
    z = np.asarray(logits, dtype=np.float64)  # (V,)
    # shift before dividing: every value is then ≤ 0 with a maximum of exactly 0, so even a
    # tiny τ gives −inf (weight 0) and 0 (weight 1), never inf − inf
    with np.errstate(over="ignore"):  # overflowing to −inf is the intended result
        z = (z - z.max()) / temperature
    if top_k is not None:
        k = _whole("top_k", top_k)
        if k < z.size:
            dropped = np.argsort(-z, kind="stable")[k:]  # a maximum is always kept
            z[dropped] = -np.inf
    p = np.exp(z)  # (V,), the dropped ones exactly 0
    return p / p.sum()


def _check_temperature(temperature: float) -> float:
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float | np.integer | np.floating)
        or not math.isfinite(temperature)
        or temperature <= 0
    ):
        raise ValueError(
            "temperature must be a number > 0 (small: the likeliest character, 1: the "
            f"model's own probabilities, large: more random), got {temperature!r}"
        )
    return float(temperature)


def _context_codes(vocab: Vocabulary, prompt: str, start: str) -> np.ndarray:
    """The codes fed before predicting: ``start`` (when in the vocabulary) and the prompt."""
    if not isinstance(prompt, str):
        raise TypeError(f"the prompt must be a str, got {type(prompt).__name__}")
    lead = start if start and all(c in vocab for c in start) else ""
    codes = vocab.encode(lead + prompt)
    if codes.size == 0:
        raise ValueError("type at least one character: the model needs something to continue")
    return codes


def _run(model: Any, vocab: Vocabulary, codes: np.ndarray, h0: Any = None) -> tuple:
    """Logits (T, V) of the model reading ``codes`` as one sequence, and its final state."""
    x = vocab.one_hot(np.asarray(codes)[:, None])  # (T, 1, V)
    outputs, h_n, _ = model.forward(x, h0)  # (T, 1, V)
    return np.asarray(outputs[:, 0], dtype=np.float64), h_n


def next_char_distribution(
    model: Any,
    vocab: Vocabulary,
    prefix: str,
    temperature: float = 1.0,
    top_k: int | None = None,
    start: str = START,
) -> np.ndarray:
    """P(next character | start + prefix): the predictive keyboard's suggestions.

    Parameters
    ----------
    model : object with ``forward(x, h0) -> (outputs, h_n, cache)``
    vocab : Vocabulary
    prefix : str
        What has been typed; every character must be in ``vocab`` (a ValueError names the
        first that is not; ``vocab.unknown(prefix)`` lists them beforehand).
    temperature, top_k
        As in :func:`softmax_with_temperature`; the defaults give the model's own probabilities.
    start : str
        Read before the prefix when all its characters are in the vocabulary ("\\n": a new
        line, as the training sentences started); "" to read the prefix alone.

    Returns
    -------
    ndarray, (V,), float64, summing to 1
    """
    logits, _ = _run(model, vocab, _context_codes(vocab, prefix, start))  # (T, V)
    return softmax_with_temperature(logits[-1], temperature, top_k)


def _generate(
    model: Any,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    choose,
    stop: str,
    start: str,
) -> str:
    """Continue ``prompt`` one character at a time, each chosen by ``choose(logits)``."""
    length = _whole("length", length, minimum=0)
    logits, h = _run(model, vocab, _context_codes(vocab, prompt, start))  # (T, V)
    last = logits[-1]  # (V,)
    out: list[int] = []
    for i in range(length):
        code = int(choose(last))
        out.append(code)
        if vocab.chars[code] in stop or i == length - 1:
            break
        step, h = _run(model, vocab, np.array([code]), h)  # (1, V), state carried
        last = step[-1]
    return vocab.decode(out)


def sample(
    model: Any,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    rng: np.random.Generator | None = None,
    stop: str = "",
    start: str = START,
) -> str:
    """A random continuation of ``prompt``, ``length`` characters long.

    Parameters
    ----------
    model, vocab, prompt, start
        As in :func:`next_char_distribution`.
    length : int
        How many characters to generate (≥ 0).
    temperature : float
        τ > 0, see the module docstring.
    top_k : int, optional
        Sample only among the k ≥ 1 likeliest characters.
    rng : numpy Generator, optional
        The source of randomness (seed it to repeat a sample); a fresh one when None.
    stop : str
        Characters that end the continuation early (the stop character is included).

    Returns
    -------
    str
        The continuation only, without the prompt.
    """
    temperature = _check_temperature(temperature)
    if top_k is not None:
        _whole("top_k", top_k)
    rng = rng if rng is not None else np.random.default_rng()

    def choose(logits: np.ndarray) -> int:
        p = softmax_with_temperature(logits, temperature, top_k)  # (V,)
        # inverse-CDF draw; the min() guards against a cumulative sum ending just below 1
        return min(int(np.searchsorted(np.cumsum(p), rng.random(), side="right")), p.size - 1)

    return _generate(model, vocab, prompt, length, choose, stop, start)


def greedy_completion(
    model: Any,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    stop: str = "",
    start: str = START,
) -> str:
    """The continuation that takes the likeliest character at every step (argmax; ties to the
    lower code), as a phone keyboard suggests; ``stop`` as in :func:`sample` (e.g. " \\n" to
    complete one word)."""
    return _generate(model, vocab, prompt, length, lambda z: int(np.argmax(z)), stop, start)


def char_log_probs(model: Any, vocab: Vocabulary, text: str, start: str = START) -> np.ndarray:
    """log P(text_i | start, text_1 … text_{i−1}) for every character of ``text``.

    With ``start=""`` (or a start not in the vocabulary) the first character has no context to
    be predicted from: it is read but not scored, and the result has one entry fewer.

    Returns
    -------
    ndarray, (len(text),) or (len(text) − 1,), float64, natural logarithms ≤ 0
    """
    codes = _context_codes(vocab, text, start)  # (n,)
    lead = len(codes) - len(text)  # how many characters of ``start`` were read
    if len(codes) < 2:
        return np.zeros(0)
    logits, _ = _run(model, vocab, codes[:-1])  # (n − 1, V): row i predicts codes[i + 1]
    logp = log_softmax(logits)  # (n − 1, V)
    picked = logp[np.arange(len(codes) - 1), codes[1:]]  # (n − 1,)
    # keep the predictions of the text's own characters: codes[max(lead, 1):]
    return picked[max(lead, 1) - 1 :]


def sentence_log_prob(
    model: Any, vocab: Vocabulary, sentence: str, start: str = START, end: str = START
) -> float:
    """log P(sentence) in nats: the sum over its characters, and ``end``, of the log-probability
    of each given ``start`` and the ones before it (see the module docstring). Higher (closer
    to 0) is more probable; compare sentences of similar length."""
    return float(char_log_probs(model, vocab, sentence + end, start).sum())
