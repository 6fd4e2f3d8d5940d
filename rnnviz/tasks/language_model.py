"""A trained character model used as a language model: the next character's distribution (the
predictive keyboard), a continuation (greedy, as a phone keyboard completes, or sampled at a
temperature) and the probability of a sentence (the sentence scorer), as on the lecture's
"Language models" slide.

Sampling turns the model's scores z (logits, one per character of the vocabulary) into a
distribution with a temperature τ > 0, optionally keeping only the k most likely characters
(top-k):

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
from collections.abc import Callable
from typing import Any

import numpy as np

from rnnviz.core.losses import log_softmax
from rnnviz.tasks.vocabulary import Vocabulary, whole

__all__ = [
    "START",
    "Continuation",
    "char_log_probs",
    "greedy_completion",
    "next_char_distribution",
    "sample",
    "sampling",
    "sentence_log_prob",
    "softmax_with_temperature",
]

#: The line start: the context a sentence or a prompt is read after.
START = "\n"


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
        k = whole("top_k", top_k)
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


class Continuation:
    """The model continuing ``prompt`` one character at a time, each chosen by
    ``choose(logits)`` from the scores (V,) of the next character: :func:`sample` and
    :func:`greedy_completion` run one to the end, a window draws a few characters per turn of
    its event loop.

    The prompt (after ``start``, as in :func:`next_char_distribution`) is read when the
    continuation is made; each :meth:`step` then reads only the character chosen before, the
    state carried. ``codes`` holds the chosen codes, ``text`` their characters.
    """

    def __init__(
        self,
        model: Any,
        vocab: Vocabulary,
        prompt: str,
        choose: Callable[[np.ndarray], int],
        start: str = START,
    ) -> None:
        self._model, self._vocab, self._choose = model, vocab, choose
        logits, self._h = _run(model, vocab, _context_codes(vocab, prompt, start))  # (T, V)
        self._logits = logits[-1]  # (V,)
        self.codes: list[int] = []

    @property
    def text(self) -> str:
        return self._vocab.decode(self.codes)

    def step(self) -> str:
        """Choose the next character; returns it."""
        if self.codes:
            logits, self._h = _run(self._model, self._vocab, np.array(self.codes[-1:]), self._h)
            self._logits = logits[-1]
        code = int(self._choose(self._logits))
        self.codes.append(code)
        return self._vocab.chars[code]


def _generate(
    model: Any,
    vocab: Vocabulary,
    prompt: str,
    length: int,
    choose: Callable[[np.ndarray], int],
    stop: str,
    start: str,
) -> str:
    """Continue ``prompt`` by up to ``length`` characters, until one of ``stop``."""
    length = whole("length", length, minimum=0)
    continuation = Continuation(model, vocab, prompt, choose, start)
    for _ in range(length):
        if continuation.step() in stop:
            break
    return continuation.text


def sampling(
    temperature: float = 1.0, top_k: int | None = None, rng: np.random.Generator | None = None
) -> Callable[[np.ndarray], int]:
    """The choice :func:`sample` makes from a step's scores: a draw by ``rng`` (a fresh one
    when None) from ``softmax_with_temperature(logits, temperature, top_k)``."""
    temperature = _check_temperature(temperature)
    if top_k is not None:
        whole("top_k", top_k)
    rng = rng if rng is not None else np.random.default_rng()

    def choose(logits: np.ndarray) -> int:
        p = softmax_with_temperature(logits, temperature, top_k)  # (V,)
        # inverse-CDF draw; the min() guards against a cumulative sum ending just below 1
        return min(int(np.searchsorted(np.cumsum(p), rng.random(), side="right")), p.size - 1)

    return choose


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
    choose = sampling(temperature, top_k, rng)
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
