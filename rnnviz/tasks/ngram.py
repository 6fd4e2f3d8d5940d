"""The Markov baseline: a character n-gram model, counted from the training text.

The lecture's "incorrect but necessary Markov assumption": the next character depends only on
the n − 1 characters before it,

    P(c_t | c_1 … c_{t−1})  ≈  P(c_t | c_{t−n+1} … c_{t−1}) = P(c | h).

The estimate is counted. With C(h c) the number of times the k-gram "h c" occurs in the training
text and C(h ·) = Σ_c C(h c) the number of times the context h is followed by anything, the
order-k estimate is smoothed by adding α pseudo-counts spread like the order-(k − 1) estimate
(h' is h without its first character):

    P_0(c)        = 1 / V                                        (uniform over the vocabulary)
    P_k(c | h)    = (C(h c) + α · P_{k−1}(c | h')) / (C(h ·) + α)      k = 1 … n, |h| = k − 1

This is add-k smoothing whose pseudo-counts follow the shorter context instead of the uniform
distribution (add-k itself is the unigram case, with α = kV): a context never seen falls back
to the shorter one, a context seen often trusts its own counts. Near the start of a text, where
fewer than n − 1 characters precede c_t, the longest available context is used.

The loss is the mean negative log-probability in nats per character (divide by ln 2 for bits):

    L = −(1 / (N − 1)) Σ_{t=2..N} log P(c_t | c_{t−n+1} … c_{t−1})

the same quantity, over the same N − 1 targets, as the recurrent model's cross-entropy on the
text. The table stores one count per distinct k-gram and per distinct context: its size grows
with the combinations that occur, up to V + V² + … + Vⁿ, while a recurrent network's parameter
count does not depend on how far back it looks ("RAM scales with the number of words, not
combinations").
"""

from __future__ import annotations

import math

import numpy as np

from rnnviz.tasks.vocabulary import Vocabulary

__all__ = ["CharNGram"]

# Characters are encoded in chunks of this many, to bound the temporary arrays of a large text.
_CHUNK = 1 << 20


class CharNGram:
    """A character n-gram model with back-off smoothing, fitted on ``text``.

    Parameters
    ----------
    text : str
        The training text (at least 2 characters).
    order : int
        n: 1 (unigram, no context), 2 (bigram), 3 (trigram), … The k-gram keys are integers
        below Vⁿ, which must stay below 2⁶²; in practice n ≤ 5 for any alphabet.
    alpha : float
        The α pseudo-counts of the smoothing (> 0); larger trusts rare contexts less.
    vocab : Vocabulary, optional
        The characters the model predicts over; by default those of ``text``. Give the task's
        vocabulary so that characters that occur only in the validation text have a probability.

    Attributes
    ----------
    order, alpha, vocab
    num_chars : int
        How many characters it was fitted on.
    """

    def __init__(
        self, text: str, order: int = 3, alpha: float = 1.0, vocab: Vocabulary | None = None
    ) -> None:
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise ValueError(f"the n-gram order must be a whole number ≥ 1, got {order!r}")
        if not (isinstance(alpha, int | float) and math.isfinite(alpha) and alpha > 0):
            raise ValueError(f"the smoothing alpha must be a number > 0, got {alpha!r}")
        if len(text) < 2:
            raise ValueError("an n-gram model needs a training text of at least 2 characters")
        self.vocab = vocab if vocab is not None else Vocabulary.from_text(text)
        V = self.vocab.size
        if V**order >= 2**62:
            raise ValueError(
                f"order {order} is too high for {V} characters: the table would have "
                f"{V}^{order} combinations; choose a lower order"
            )
        self.order = order
        self.alpha = float(alpha)
        codes = self.vocab.encode(text)  # (N,)
        self.num_chars = len(codes)
        # per order k: the sorted keys of the k-grams that occur and their counts, and the same
        # for their contexts (the first k − 1 characters). A k-gram's key is its base-V number.
        self._grams: list[tuple[np.ndarray, np.ndarray]] = []
        self._contexts: list[tuple[np.ndarray, np.ndarray]] = []
        for k in range(1, order + 1):
            keys = self._keys(codes, k)  # (N − k + 1,)
            self._grams.append(np.unique(keys, return_counts=True))
            self._contexts.append(np.unique(keys // V, return_counts=True))

    # ------------------------------------------------------------------ sizes

    @property
    def table_size(self) -> int:
        """How many counts the table stores: one per distinct k-gram and per distinct context,
        for k = 1 … n."""
        return int(sum(len(g[0]) for g in self._grams) + sum(len(c[0]) for c in self._contexts))

    @property
    def entries(self) -> int:
        """How many different n-grams of the model's own order n the text holds."""
        return len(self._grams[-1][0])

    @property
    def possible_entries(self) -> int:
        """Vⁿ: how many different n-grams a vocabulary of V characters can make."""
        return self.vocab.size**self.order

    @property
    def dense_table_size(self) -> int:
        """How many counts a table of every combination would hold: V + V² + … + Vⁿ."""
        V = self.vocab.size
        return sum(V**k for k in range(1, self.order + 1))

    # ------------------------------------------------------------------ probabilities

    def _keys(self, codes: np.ndarray, k: int) -> np.ndarray:
        """The base-V keys of the k-grams of ``codes`` ending at positions k − 1 …, (N − k + 1,)."""
        V = self.vocab.size
        n = len(codes) - k + 1
        keys = np.zeros(max(n, 0), dtype=np.int64)
        for j in range(k):
            keys *= V
            keys += codes[j : j + n]
        return keys

    @staticmethod
    def _lookup(table: tuple[np.ndarray, np.ndarray], keys: np.ndarray) -> np.ndarray:
        """The counts of ``keys`` in a (sorted keys, counts) table, 0 for absent keys."""
        known, counts = table
        i = np.searchsorted(known, keys)  # (M,)
        i_safe = np.minimum(i, len(known) - 1)
        found = (i < len(known)) & (known[i_safe] == keys)
        return np.where(found, counts[i_safe], 0).astype(np.float64)

    def _log_probs_codes(self, full: np.ndarray, start: int) -> np.ndarray:
        """log P(full[t] | the up to n − 1 codes before it) for t = start … len(full) − 1."""
        V = self.vocab.size
        targets = np.arange(start, len(full))  # (M,)
        p = np.full(len(targets), 1.0 / V)  # P_0, (M,)
        for k in range(1, self.order + 1):
            # positions with at least k − 1 characters of history get the order-k estimate
            ok = targets >= k - 1  # (M,)
            if not ok.any():
                break
            t = targets[ok]
            grams = np.zeros(len(t), dtype=np.int64)
            for j in range(k):
                grams = grams * V + full[t - k + 1 + j]
            c_hc = self._lookup(self._grams[k - 1], grams)
            c_h = self._lookup(self._contexts[k - 1], grams // V)
            p[ok] = (c_hc + self.alpha * p[ok]) / (c_h + self.alpha)
        return np.log(p)

    def log_probs(self, text: str, context: str = "") -> np.ndarray:
        """log P of each character of ``text`` given what precedes it, ``context`` included.

        Parameters
        ----------
        text : str
            The characters to score, M of them.
        context : str
            Characters before ``text`` (only the last n − 1 matter).

        Returns
        -------
        ndarray, (M,), float64
            Natural logarithms, each ≤ 0.
        """
        context = context[len(context) - (self.order - 1) :] if self.order > 1 else ""
        full = self.vocab.encode(context + text).astype(np.int64)  # (len(context) + M,)
        return self._log_probs_codes(full, len(context))

    def log_prob(self, sentence: str, start: str = "\n", end: str = "\n") -> float:
        """The log-probability of a whole sentence, in nats.

        The sentence is read as the model read its training lines: after a line start
        ``start`` (the context), and scored up to and including ``end``, so that "ending here"
        is part of the sentence:

            log P(sentence) = Σ_i log P((sentence + end)_i | start + (sentence + end)_{<i})

        This is the convention of :func:`rnnviz.tasks.language_model.sentence_log_prob`.
        """
        return float(self.log_probs(sentence + end, context=start).sum())

    def next_char_probs(self, context: str) -> np.ndarray:
        """P(c | the last n − 1 characters of ``context``) for every character c, (V,)."""
        V = self.vocab.size
        history = context[len(context) - (self.order - 1) :] if self.order > 1 else ""
        h = self.vocab.encode(history).astype(np.int64)  # (≤ n − 1,)
        p = np.full(V, 1.0 / V)  # P_0, (V,)
        for k in range(1, min(self.order, len(h) + 1) + 1):
            context_key = 0
            for code in h[len(h) - (k - 1) :] if k > 1 else ():
                context_key = context_key * V + int(code)
            grams = context_key * V + np.arange(V, dtype=np.int64)  # (V,)
            c_hc = self._lookup(self._grams[k - 1], grams)
            c_h = self._lookup(self._contexts[k - 1], np.array([context_key], dtype=np.int64))
            p = (c_hc + self.alpha * p) / (c_h + self.alpha)
        return p

    def loss(self, text: str) -> float:
        """Mean negative log-probability of ``text[1:]`` given what precedes each character, in
        nats per character (the first character is the context of the second)."""
        if len(text) < 2:
            raise ValueError("the loss needs a text of at least 2 characters")
        # in chunks that overlap by n − 1 characters, to bound the temporary arrays
        total = 0.0
        for begin in range(1, len(text), _CHUNK):
            piece = text[begin : begin + _CHUNK]
            context = text[max(0, begin - self.order + 1) : begin]
            total -= float(self.log_probs(piece, context=context).sum())
        return total / (len(text) - 1)

    def __repr__(self) -> str:
        return (
            f"CharNGram(order={self.order}, alpha={self.alpha:g}, V={self.vocab.size}, "
            f"fitted on {self.num_chars} characters, {self.table_size} counts)"
        )
