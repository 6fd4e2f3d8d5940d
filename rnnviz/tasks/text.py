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

What a trained model then does with text (the keyboard's guesses, completions, samples at a
temperature, a sentence's probability) is in ``rnnviz.tasks.language_model``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from rnnviz.core.losses import log_softmax, softmax
from rnnviz.tasks.base import Batch, Task
from rnnviz.tasks.corpora import CorpusError, load_corpus
from rnnviz.tasks.facts import NGramTable, TextFacts
from rnnviz.tasks.ngram import CharNGram
from rnnviz.tasks.text_config import CorpusName, TextConfig
from rnnviz.tasks.vocabulary import CHUNK, Vocabulary, whole

__all__ = [
    "FOLD_CHAR",
    "CorpusName",
    "TextConfig",
    "TextTask",
    "Vocabulary",
    "fold_rare_characters",
    "text_digest",
]

#: What a character left out of a text's vocabulary reads as (U+FFFD REPLACEMENT CHARACTER).
FOLD_CHAR = "\ufffd"

#: The n-gram tables whose sizes the window sets beside the network's parameter count.
NGRAM_TABLES = ((2, "bigram"), (3, "trigram"), (4, "4-gram"))


def text_digest(text: str) -> str:
    """A fingerprint of ``text`` (32 hex digits of BLAKE2b over its UTF-8, read in chunks so
    that a long text is never copied whole): two texts with the same one are the same text."""
    h = hashlib.blake2b(digest_size=16)
    for begin in range(0, len(text), CHUNK):
        h.update(text[begin : begin + CHUNK].encode("utf-8", "surrogatepass"))
    return h.hexdigest()


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
    max_vocabulary = whole("max_vocabulary", max_vocabulary, minimum=2)
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
        self.check_length(text)
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
        self._facts: TextFacts | None = None

    @classmethod
    def check_length(cls, text: str, source: str = "the text") -> None:
        """A CorpusError unless ``text`` (read from ``source``, named in the message) has the
        ``MIN_CHARS`` characters the model needs to learn from."""
        if len(text) < cls.MIN_CHARS:
            raise CorpusError(
                f"{source} is too short to learn from: {len(text)} characters; the model "
                f"needs at least {cls.MIN_CHARS}"
            )

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
        B = whole("batch_size", batch_size)
        T = whole("seq_len", seq_len)
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
        T = whole("seq_len", seq_len)
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
        B = min(whole("batch_size", batch_size), len(self._validation) - 1)
        T = whole("seq_len", seq_len)
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

    def facts(self) -> TextFacts:
        """The task's facts, with the sizes of the ``NGRAM_TABLES`` of the training text and
        its ``text_digest`` (computed once: the 4-gram table is counted for it)."""
        if self._facts is None:
            tables = tuple(
                NGramTable(
                    name, order, self.ngram(order).entries, self.ngram(order).possible_entries
                )
                for order, name in NGRAM_TABLES
            )
            self._facts = self.facts_with(
                TextFacts,
                ngram_tables=tables,
                train_digest=text_digest(self.train_text),
            )
        return self._facts

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
